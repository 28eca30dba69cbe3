//! ML over real HTTP: a model created from a chunk-uploaded file and read back with the same
//! bytes at its `file` URL (fetched without Synapse credentials), models paged, the seeded
//! ground truths, their events (three views) and dataset versions listed, filtered and
//! streamed across pages; 404s and field errors naming every bad field.

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use synapse_backend::models::{
    GroundTruth, GroundTruthEvent, Model, ModelCreateRequest, PluginCode,
};
use synapse_backend::{BackendClient, DownloadOptions};
use synapse_e2e::{api_error_status, create_plugin, md5_hex, start};
use synapse_transport::{ApiErrorKind, Method};

/// Downloads `url` (the storage transport: no Synapse headers) and returns its bytes.
async fn fetch(client: &BackendClient, url: &str, dir: &std::path::Path) -> Vec<u8> {
    let paths = client
        .download_files(&[url], DownloadOptions::new(dir))
        .await;
    let path = paths
        .into_iter()
        .next()
        .expect("one result")
        .expect("downloaded");
    std::fs::read(path).expect("read")
}

#[tokio::test]
async fn a_model_created_with_a_file_serves_the_same_bytes_and_models_page() {
    let (fake, client) = start().await;
    create_plugin(&client, "yolov8", "YOLO v8").await;
    let dir = tempfile::tempdir().expect("tmp");
    let weights: Vec<u8> = (0..300_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let path = dir.path().join("best.pt");
    std::fs::write(&path, &weights).expect("write");

    let request = ModelCreateRequest::new("M2")
        .plugin(PluginCode::new("yolov8").expect("code"))
        .version("1");
    let model = client
        .create_model(request)
        .description("fine-tuned")
        .checkpoint(1)
        .file(&path)
        .await
        .expect("model");
    assert_eq!(fake.count(&Method::PUT, "/chunked_upload/"), 1);
    assert_eq!(fake.count(&Method::POST, "/models/"), 1);
    let id = model.id.expect("id");
    assert_eq!(model.name.as_deref(), Some("M2"));
    assert_eq!(model.is_released, Some(false));
    assert_eq!(model.description.as_deref(), Some("fine-tuned"));
    assert_eq!(model.extra["plugin"], json!("yolov8"));
    assert_eq!(model.extra["checkpoint"], json!(1));
    assert!(model.extra.get("chunked_upload").is_none(), "write-only");

    // Read back: the file URL serves the uploaded bytes to a request without credentials.
    let read = client.get_model(id).expand("metrics").await.expect("get");
    assert_eq!(read.name.as_deref(), Some("M2"));
    assert_eq!(read.extra["metrics"], json!({}));
    let url = read.file.expect("a file URL");
    assert!(
        url.contains("/_storage/") && url.contains("X-Amz-Signature="),
        "{url}"
    );
    let bytes = fetch(&client, &url, dir.path()).await;
    assert_eq!(md5_hex(&bytes), md5_hex(&weights));
    // Without `expand`, no metrics.
    let plain = client.get_model(id).await.expect("get");
    assert!(plain.extra.get("metrics").is_none());

    // More models, then pages of two: the seeded released one plus four created.
    for i in 0..3 {
        client
            .create_model(ModelCreateRequest::new(format!("extra-{i}")))
            .await
            .expect("model");
    }
    let page = client.list_models().page_size(2).await.expect("page");
    assert_eq!(page.total(), 5);
    assert_eq!(page.results.len(), 2);
    assert!(page.next.is_some());
    let all: Vec<Model> = client
        .list_models()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .expect("walk");
    let names: Vec<_> = all.iter().filter_map(|m| m.name.clone()).collect();
    assert_eq!(
        names,
        ["yolov8n-coco", "M2", "extra-0", "extra-1", "extra-2"]
    );
    assert_eq!(fake.count(&Method::GET, "/models/?page=3"), 1);
    let released = client.list_models().is_released(true).await.expect("page");
    assert_eq!(released.total(), 1);
    assert_eq!(released.results[0].name.as_deref(), Some("yolov8n-coco"));
    let unreleased = client.list_models().is_released(false).await.expect("page");
    assert_eq!(unreleased.total(), 4);
    // The seeded model's file is served too.
    let seeded = fetch(
        &client,
        released.results[0].file.as_deref().expect("file"),
        dir.path(),
    )
    .await;
    assert!(seeded.starts_with(b"\x80\x02fake yolov8n"));
}

#[tokio::test]
async fn ground_truths_events_and_versions_list_filter_and_stream() {
    let (fake, client) = start().await;

    // Versions of dataset 2, current ones only; then one by id.
    let versions = client
        .list_ground_truth_versions()
        .ground_truth_dataset(2)
        .is_archived(false)
        .await
        .expect("versions");
    assert_eq!(versions.total(), 1);
    let v3 = &versions.results[0];
    assert_eq!(v3.id, Some(3.into()));
    assert_eq!(v3.ground_truth_dataset_id, Some(2));
    let all_versions = client.list_ground_truth_versions().await.expect("all");
    assert_eq!(all_versions.total(), 3);
    let got = client.get_ground_truth_version(3).await.expect("version");
    assert_eq!(got.is_archived, Some(false));
    assert_eq!(got.version.map(|v| v.to_value()), Some(json!("2.0")));

    // Ground truths of version 3: 130, one page of 100 (the default page_size the client
    // sends), then every one streamed across two pages.
    let page = client
        .list_ground_truths()
        .ground_truth_dataset_versions([3])
        .await
        .expect("page");
    assert_eq!(page.total(), 130);
    assert_eq!(page.results.len(), 100);
    assert_eq!(
        fake.count(
            &Method::GET,
            "/ground_truths/?ground_truth_dataset_versions=3&page_size=100"
        ),
        1
    );
    let first = &page.results[0];
    assert_eq!(first.ground_truth_dataset_id, Some(2));
    let files = first.files.as_ref().expect("files").to_value();
    assert_eq!(files["image_1"]["is_primary"], json!(true));
    let mut stream = client
        .list_ground_truths()
        .ground_truth_dataset_versions([3])
        .items();
    assert_eq!(stream.total().await.expect("total"), 130);
    let gts: Vec<GroundTruth> = stream.try_collect().await.expect("walk");
    assert_eq!(gts.len(), 130);
    // Two versions: the union (version 1's five ground truths of dataset 1 added).
    let both = client
        .list_ground_truths()
        .ground_truth_dataset_versions([1, 3])
        .await
        .expect("page");
    assert_eq!(both.total(), 135);
    assert_eq!(
        fake.count(
            &Method::GET,
            "/ground_truths/?ground_truth_dataset_versions=1&ground_truth_dataset_versions=3"
        ),
        1
    );
    // The annotation JSON at a ground truth's `data_meta_1` URL is its data.
    let dir = tempfile::tempdir().expect("tmp");
    let meta_url = files["data_meta_1"]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let meta: Value =
        serde_json::from_slice(&fetch(&client, &meta_url, dir.path()).await).expect("json");
    assert_eq!(Some(meta), first.data.as_ref().map(|d| d.to_value()));

    // Events: version 1 has 5; version 3 links 130 (20 updates among them); with every
    // page streamed.
    let events = client
        .list_ground_truth_events()
        .ground_truth_dataset_versions([3])
        .fields(["category", "files", "data"])
        .expand("data")
        .await
        .expect("events");
    assert_eq!(events.total(), 130);
    let e0 = &events.results[0];
    assert!(e0.id.is_none(), "only the asked fields");
    assert!(e0.category.is_some() && e0.files.is_some() && e0.data.is_some());
    let streamed: Vec<GroundTruthEvent> = client
        .list_ground_truth_events()
        .ground_truth_dataset_versions([3])
        .items()
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(streamed.len(), 130);
    let updates = streamed
        .iter()
        .filter(|e| e.pgh_label.as_deref() == Some("ground_truth.update"))
        .count();
    assert_eq!(updates, 20);
    assert!(
        streamed.iter().all(|e| e.data.is_none()),
        "data only when expanded"
    );
    let all_events: Vec<GroundTruthEvent> = client
        .list_ground_truth_events()
        .items()
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(all_events.len(), 155);

    // The `data/` and `files/` views.
    let data = client
        .list_ground_truth_events_data()
        .ground_truth_dataset_versions([1])
        .await
        .expect("data");
    assert_eq!(data.total(), 5);
    assert!(
        data.results
            .iter()
            .all(|e| e.data.is_some() && e.files.is_none())
    );
    let with_files: Vec<GroundTruthEvent> = client
        .list_ground_truth_events_files()
        .ground_truth_dataset_versions([3])
        .items()
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(with_files.len(), 130);
    let listed = with_files[0].files.as_ref().expect("files").to_value();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_requests_name_every_bad_field() {
    let (_fake, client) = start().await;
    assert_eq!(
        api_error_status(client.get_model(99).await, 404, ApiErrorKind::NotFound),
        json!({"detail": "Not found."})
    );
    assert_eq!(
        api_error_status(
            client.get_ground_truth_version(99).await,
            404,
            ApiErrorKind::NotFound
        ),
        json!({"detail": "Not found."})
    );

    // Three bad references at once: an unknown plugin code, parent model and upload.
    let request = ModelCreateRequest::new("M3")
        .plugin(PluginCode::new("nope").expect("code"))
        .version("1");
    let body = api_error_status(
        client
            .create_model(request)
            .checkpoint(42)
            .chunked_upload("00000000-0000-4000-8000-00000000ffff")
            .await,
        400,
        ApiErrorKind::BadRequest,
    );
    assert_eq!(
        body,
        json!({
            "plugin": ["Object with code=nope does not exist."],
            "checkpoint": ["Invalid pk \"42\" - object does not exist."],
            "chunked_upload": ["Invalid pk \"00000000-0000-4000-8000-00000000ffff\" - object does not exist."],
        })
    );
    let page = client.list_models().await.expect("models");
    assert_eq!(page.total(), 1, "nothing was created");

    // Filters are checked, as django-filter does.
    let body = api_error_status(
        client
            .list_ground_truths()
            .ground_truth_dataset_versions([3, 77])
            .await,
        400,
        ApiErrorKind::BadRequest,
    );
    assert_eq!(
        body,
        json!({"ground_truth_dataset_versions": ["Select a valid choice. 77 is not one of the available choices."]})
    );
    let body = api_error_status(
        client
            .list_ground_truth_versions()
            .ground_truth_dataset(9)
            .await,
        400,
        ApiErrorKind::BadRequest,
    );
    assert!(body.get("ground_truth_dataset").is_some(), "{body}");
}
