//! ML and data-collection operations: the exact request (insta snapshot of the request value:
//! method, URL, headers with tokens redacted, body; the mock then receives exactly that), the
//! decoding of the answer, an error status per group, and `create_model` with a
//! chunk-uploaded file.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_backend::models::{
    DataCollectionCategory, DataUnitCreateRequest, FileFunctionType, FileType, GroundTruthCategory,
    ModelCreateRequest, PluginCode, RawJson,
};
use synapse_backend::{BackendClient, ChunkedUploadOptions, Error};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::{Method, Operation, ReadTimeout, RetryPolicy};

fn client(mock: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("acc-secret")
        .tenant("acme")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

fn ok(body: Value) -> MockResponse {
    MockResponse::json(200, body)
}

fn page(results: Value) -> Value {
    let count = results.as_array().map_or(0, Vec::len);
    json!({"count": count, "next": null, "previous": null, "results": results})
}

fn snapshots(mock: &MockTransport) -> Vec<Value> {
    mock.requests().iter().map(|r| r.snapshot()).collect()
}

/// The snapshot of a call's request value, built without IO.
fn snap<O: Operation>(call: &O) -> Value {
    synapse_transport::operation::request(call)
        .expect("request")
        .snapshot()
}

fn status(result: Result<impl std::fmt::Debug, Error>) -> Option<u16> {
    result.err().and_then(|e| e.status_code())
}

fn collection_json() -> Value {
    json!({"id": 5, "name": "Street scenes", "category": "image", "is_archived": false,
           "count_projects": 2, "access_level": "private", "caution": "", "meta": {"src": "cam"},
           "created": "2026-11-23T10:00:00Z",
           "file_specifications": [
               {"id": 1, "name": "image", "file_type": "image", "function_type": "main",
                "is_required": true, "is_primary": true, "is_sequential": false, "index": 0,
                "configuration": {}},
               {"id": 2, "name": "depth", "file_type": "lidar", "function_type": "",
                "is_required": false, "is_primary": false, "index": 1, "unit": "m"}]})
}

#[tokio::test]
async fn data_collections_list_and_get_with_file_specifications() {
    let mock = MockTransport::new();
    mock.push(ok(page(
        json!([{"id": 5, "name": "Street scenes", "category": "video"}]),
    )))
    .push(ok(collection_json()));
    let c = client(&mock);
    let (list, get) = (c.list_data_collections(), c.get_data_collection(5));
    let values = vec![snap(&list), snap(&get)];
    insta::assert_json_snapshot!(values);
    let list = list.await.expect("list");
    assert_eq!(
        list.results[0].category,
        Some(DataCollectionCategory::Video)
    );
    let dc = get.await.expect("get");
    assert_eq!(dc.count_projects, Some(2));
    let specs = dc.file_specifications.as_deref().expect("specs");
    assert_eq!(specs[0].file_type, Some(FileType::Image));
    assert_eq!(specs[0].function_type, Some(FileFunctionType::Main));
    assert_eq!(specs[1].file_type, Some(FileType::from("lidar")));
    assert_eq!(specs[1].function_type, Some(FileFunctionType::Unset));
    assert_eq!(specs[1].extra.get("unit"), Some(&json!("m")));
    // Lossless: re-encoding gives the input back.
    assert_eq!(
        serde_json::to_value(&dc).expect("encode"),
        collection_json()
    );
    assert_eq!(snapshots(&mock), values);
}

#[tokio::test]
async fn data_units_get_and_one_page_inject_page_size_and_a_60s_read_timeout() {
    let unit = json!({"id": 500, "data_collection": 5, "checksum": "abc", "meta": {"k": 1},
                      "files": {"image": {"url": "https://cdn.test/a.jpg?sig=x", "file_type": "image"}}});
    let mock = MockTransport::new();
    mock.push(ok(unit.clone()))
        .push(ok(page(json!([unit.clone()]))))
        .push(ok(page(json!([]))));
    let c = client(&mock);
    let get = c.get_data_unit(500).expand("files");
    let one_page = c.list_data_units().data_collection(5);
    // A page size set on the call replaces the client's.
    let sized = c.list_data_units().page_size(7);
    let values = vec![snap(&get), snap(&one_page), snap(&sized)];
    insta::assert_json_snapshot!(values);
    let u = get.await.expect("get");
    assert_eq!(u.data_collection.map(|d| d.0), Some(5));
    // URLs are returned untouched.
    assert_eq!(
        u.files.expect("files").to_value()["image"]["url"],
        json!("https://cdn.test/a.jpg?sig=x")
    );
    let p = one_page.await.expect("page");
    assert_eq!(p.total(), 1);
    assert_eq!(p.results[0].checksum.as_deref(), Some("abc"));
    sized.await.expect("page");
    let requests = mock.requests();
    assert_eq!(requests[0].read_timeout, ReadTimeout::Default);
    assert_eq!(
        requests[1].read_timeout,
        ReadTimeout::After(Duration::from_secs(60))
    );
    assert_eq!(
        requests[2].query_pairs(),
        vec![("page_size".to_owned(), "7".to_owned())]
    );
    assert_eq!(snapshots(&mock), values);
}

#[tokio::test]
async fn list_data_units_all_streams_every_page() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"count": 3, "next": "https://synapse.test/data_units/?data_collection=5&page=2&page_size=100",
        "results": [{"id": 1}, {"id": 2}]})))
        .push(ok(json!({"count": 3, "next": null, "results": [{"id": 3}]})));
    let mut units = client(&mock).list_data_units().data_collection(5).items();
    assert_eq!(units.total().await.expect("count"), 3);
    let ids: Vec<i64> = units
        .map(|u| u.expect("unit").id.expect("id").0)
        .collect()
        .await;
    assert_eq!(ids, vec![1, 2, 3]);
    insta::assert_json_snapshot!(snapshots(&mock));
}

#[tokio::test]
async fn create_data_units_validates_then_sends_the_body_unchanged() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"id": 500, "meta": {"k": 1}})))
        .push(ok(
            json!([{"id": 501, "meta": {}}, {"id": 502, "meta": {}}]),
        ))
        .push(ok(json!({"id": 503})));
    let c = client(&mock);
    // Caller JSON: key order, nulls and a lax integer kept as given.
    let raw: RawJson = serde_json::from_str(
        r#"{"meta": {"k": 1}, "files": {"image": {"checksum": "c", "path": "p"}}, "groups": null, "data_collection": "5"}"#,
    )
    .expect("raw");
    let typed = vec![
        DataUnitCreateRequest::new(5).file("image", "c1", "files/a.jpg"),
        DataUnitCreateRequest::new(5)
            .file("image", "c2", "files/b.jpg")
            .meta(json!({"m": 1}).as_object().cloned().expect("obj"))
            .groups(vec!["g1".into(), "g2".into()]),
    ];
    let (one, many, empty) = (
        c.create_data_units(&raw),
        c.create_data_units(&typed),
        // An empty object is sent as is (no validation, as the Python SDK).
        c.create_data_units(&json!({})),
    );
    let values = vec![snap(&one), snap(&many), snap(&empty)];
    insta::assert_json_snapshot!(values);
    let one = one.await.expect("one");
    assert_eq!(one["id"], json!(500));
    let many = many.await.expect("many");
    assert_eq!(many.as_array().map(Vec::len), Some(2));
    empty.await.expect("empty");
    assert_eq!(snapshots(&mock), values);
    assert!(mock.requests().iter().all(|r| r.idempotent != Some(true)));

    // Rejected bodies send nothing.
    for bad in [
        json!([{"id": 1, "file": {}}]),
        json!({"data_collection": 5}),
        json!({"data_collection": "five", "files": {}}),
        json!({"data_collection": 5, "files": {"image": "not an object"}}),
        json!({"data_collection": 5, "files": {}, "groups": "g1"}),
        json!({"data_collection": 5, "files": {}, "groups": [1]}),
        json!({"data_collection": 5, "files": {}, "meta": []}),
        json!("units"),
    ] {
        assert!(
            matches!(
                c.create_data_units(&bad).request(),
                Err(Error::InvalidInput { .. })
            ),
            "{bad}"
        );
        assert!(
            matches!(
                c.create_data_units(&bad).await,
                Err(Error::InvalidInput { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn verify_data_files_checksums_posts_the_list() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"existing_checksums": ["aa"], "elapsed": 0.1})));
    let verify = client(&mock).verify_data_files_checksums(&["aa", "bb"]);
    let values = vec![snap(&verify)];
    insta::assert_json_snapshot!(values);
    let answer = verify.await.expect("verify");
    assert_eq!(answer.existing_checksums, Some(vec!["aa".to_owned()]));
    assert_eq!(answer.extra.get("elapsed"), Some(&json!(0.1)));
    assert_eq!(snapshots(&mock), values);
}

#[tokio::test]
async fn data_collection_operations_map_error_statuses() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(401, json!({"detail": "Invalid token."})))
        .push(MockResponse::json(404, json!({"detail": "Not found."})))
        .push(MockResponse::json(404, json!({"detail": "Not found."})))
        .push(MockResponse::json(403, json!({"detail": "wrong tenant"})))
        .push(MockResponse::json(
            400,
            json!({"data_collection": ["Invalid pk."]}),
        ))
        .push(MockResponse::json(500, json!({"detail": "boom"})));
    let c = client(&mock);
    let got = vec![
        status(c.list_data_collections().await),
        status(c.get_data_collection(9).await),
        status(c.get_data_unit(9).await),
        status(c.list_data_units().await),
        status(
            c.create_data_units(&DataUnitCreateRequest::new(9).file("image", "c", "p"))
                .await,
        ),
        status(c.verify_data_files_checksums(&["aa"]).await),
    ];
    assert_eq!(
        got,
        vec![
            Some(401),
            Some(404),
            Some(404),
            Some(403),
            Some(400),
            Some(500)
        ]
    );
    // A 4xx answer on the stream is its first item.
    let mock = MockTransport::new();
    mock.push(MockResponse::json(403, json!({"detail": "no"})));
    let mut units = client(&mock).list_data_units().items();
    let first = units.next().await.expect("an item");
    assert_eq!(first.err().and_then(|e| e.status_code()), Some(403));
}

fn model_json() -> Value {
    json!({"id": 1, "name": "M1", "category": "object_detection", "is_released": true,
           "file": "https://storage.test/models/m1.zip?sig=abc", "configuration": {"epochs": 10},
           "plugin": "yolov8", "metrics": {"map": 0.5}})
}

#[tokio::test]
async fn models_list_get_create() {
    let mock = MockTransport::new();
    mock.push(ok(page(json!([model_json()]))))
        .push(ok(model_json()))
        .push(ok(json!({"id": 2, "name": "M2"})));
    let c = client(&mock);
    let request = ModelCreateRequest::new("M2")
        .plugin(PluginCode::new("yolov8").expect("code"))
        .version("1")
        .checkpoint(1)
        .configuration(json!({"lr": 0.01}).as_object().cloned().expect("obj"))
        .description("fine-tuned");
    let (list, get, create) = (
        c.list_models().is_released(true),
        c.get_model(1).expand("metrics"),
        c.create_model(request.clone()),
    );
    let values = vec![snap(&list), snap(&get), snap(&create)];
    insta::assert_json_snapshot!(values);
    let list = list.await.expect("list");
    assert_eq!(list.results[0].name.as_deref(), Some("M1"));
    let m = get.await.expect("get");
    // The file URL is returned, never downloaded.
    assert_eq!(
        m.file.as_deref(),
        Some("https://storage.test/models/m1.zip?sig=abc")
    );
    assert_eq!(m.extra.get("metrics"), Some(&json!({"map": 0.5})));
    assert_eq!(serde_json::to_value(&m).expect("encode"), model_json());
    let created = create.await.expect("create");
    assert_eq!(created.id.map(|i| i.0), Some(2));
    assert_eq!(mock.request_count(), 3);
    assert_eq!(snapshots(&mock), values);
    // Unknown keys and an integer plugin are rejected, as the Python SDK rejects them.
    assert!(
        serde_json::from_value::<ModelCreateRequest>(json!({"name": "M", "project": 1})).is_err()
    );
    assert!(
        serde_json::from_value::<ModelCreateRequest>(json!({"name": "M", "plugin": 123})).is_err()
    );
}

#[tokio::test]
async fn create_model_with_a_file_uploads_it_then_posts_the_upload_id() {
    const ID: &str = "00000000-0000-4000-8000-0000000000aa";
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("best.pt");
    std::fs::write(&path, b"weights").expect("write");
    let digest = {
        use md5::{Digest, Md5};
        Md5::digest(b"weights")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let mock = MockTransport::new();
    mock.route(
        Method::PUT,
        "/chunked_upload/",
        ok(json!({"id": ID, "url": format!("https://synapse.test/chunked_upload/{ID}/"), "offset": 7})),
    );
    mock.route(
        Method::POST,
        &format!("/chunked_upload/{ID}/"),
        ok(json!({"id": ID, "checksum": digest, "size": 7, "status": 2})),
    );
    mock.route(Method::POST, "/models/", ok(json!({"id": 3, "name": "M2"})));
    let request = ModelCreateRequest::new("M2")
        .plugin(PluginCode::new("yolov8").expect("code"))
        .version("1");
    let model = client(&mock)
        .create_model(request.clone())
        .file(&path)
        .upload_options(ChunkedUploadOptions::default().read_timeout(Duration::from_secs(600)))
        .await
        .expect("created");
    assert_eq!(model.id.map(|i| i.0), Some(3));
    // The caller's request is not modified.
    assert_eq!(request.chunked_upload, None);
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[2].json(),
        Some(&json!({"name": "M2", "plugin": "yolov8", "version": "1", "chunked_upload": ID}))
    );
    insta::assert_json_snapshot!(snapshots(&mock));

    // A missing file sends nothing.
    let mock = MockTransport::new();
    let missing = dir.path().join("missing.pt");
    assert!(
        client(&mock)
            .create_model(request.clone())
            .file(&missing)
            .await
            .is_err()
    );
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn ground_truth_events_and_variants_inject_page_size() {
    let event = json!({"id": 10, "pgh_id": 11, "pgh_obj_id": 12, "pgh_label": "insert",
        "data_unit_id": 500, "ground_truth_dataset_id": 2, "category": "train",
        "data": {"annotations": []}, "files": {"image_1": {"url": "https://cdn.test/1.jpg", "is_primary": true}}});
    let mock = MockTransport::new();
    mock.push(ok(page(json!([event.clone()]))))
        .push(ok(page(json!([{"id": 10, "data": {"x": 1}}]))))
        .push(ok(page(
            json!([{"id": 10, "files": [{"url": "https://cdn.test/1.jpg"}]}]),
        )));
    let c = client(&mock);
    let (events, data, files) = (
        c.list_ground_truth_events()
            .fields(["category", "files", "data"])
            .expand("data")
            .ground_truth_dataset_versions([3]),
        c.list_ground_truth_events_data()
            .ground_truth_dataset_versions([3]),
        c.list_ground_truth_events_files()
            .ground_truth_dataset_versions([3]),
    );
    let values = vec![snap(&events), snap(&data), snap(&files)];
    insta::assert_json_snapshot!(values);
    let events = events.await.expect("events");
    let e = &events.results[0];
    assert_eq!(e.category, Some(GroundTruthCategory::Train));
    assert_eq!(e.data_unit_id.map(|d| d.0), Some(500));
    assert_eq!(
        e.files.as_ref().expect("files").to_value()["image_1"]["url"],
        json!("https://cdn.test/1.jpg")
    );
    let data = data.await.expect("data");
    assert_eq!(
        data.results[0].data.as_ref().map(RawJson::to_value),
        Some(json!({"x": 1}))
    );
    let files = files.await.expect("files");
    assert!(
        files.results[0]
            .files
            .as_ref()
            .expect("files")
            .to_value()
            .is_array()
    );
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.read_timeout == ReadTimeout::Default)
    );
    assert_eq!(snapshots(&mock), values);
}

#[tokio::test]
async fn ground_truth_event_streams_follow_pages() {
    let mock = MockTransport::new();
    for path in [
        "/sdk/ground_truth_events/",
        "/sdk/ground_truth_events/data/",
        "/sdk/ground_truth_events/files/",
    ] {
        mock.route(
            Method::GET,
            path,
            ok(json!({"count": 2, "next": format!("https://synapse.test{path}?page=2&page_size=100"),
                      "results": [{"id": 1}]})),
        );
        mock.route(
            Method::GET,
            path,
            ok(json!({"count": 2, "next": null, "results": [{"id": 2}]})),
        );
    }
    let c = client(&mock);
    for stream in [
        c.list_ground_truth_events()
            .ground_truth_dataset_versions([3])
            .items(),
        c.list_ground_truth_events_data()
            .ground_truth_dataset_versions([3])
            .items(),
        c.list_ground_truth_events_files()
            .ground_truth_dataset_versions([3])
            .items(),
    ] {
        let ids: Vec<i64> = stream
            .map(|e| e.expect("event").id.expect("id"))
            .collect()
            .await;
        assert_eq!(ids, vec![1, 2]);
    }
    insta::assert_json_snapshot!(snapshots(&mock));
}

#[tokio::test]
async fn ground_truths_and_versions() {
    let gt = json!({"id": 7, "ground_truth_dataset_id": 2, "data_unit_id": 500,
        "category": "validation", "project_id": 9, "data": {"labels": []}, "classes": ["car"],
        "files": {"image_1": {"url": "https://cdn.test/7.jpg", "file_type": "image"}}});
    let version = json!({"id": 3, "version": "v1", "ground_truth_dataset_id": 2,
        "description": "first", "is_archived": false, "created": "2026-11-23T10:00:00Z"});
    let mock = MockTransport::new();
    mock.push(ok(page(json!([gt.clone()]))))
        .push(ok(json!({"count": 2, "next": "https://synapse.test/ground_truths/?ground_truth_dataset_versions=3&page=2&page_size=100",
                        "results": [gt.clone()]})))
        .push(ok(json!({"count": 2, "next": null, "results": [{"id": 8, "category": "holdout"}]})))
        .push(ok(version.clone()))
        .push(ok(page(json!([version.clone()]))));
    let c = client(&mock);
    let one_page = c.list_ground_truths().ground_truth_dataset_versions([3]);
    let get = c.get_ground_truth_version(3);
    let versions = c
        .list_ground_truth_versions()
        .ground_truth_dataset(2)
        .is_archived(false);
    let values = vec![snap(&one_page), snap(&get), snap(&versions)];
    let p = one_page.await.expect("page");
    let g = &p.results[0];
    assert_eq!(g.category, Some(GroundTruthCategory::Validation));
    assert_eq!(g.classes.as_deref(), Some(&["car".to_owned()][..]));
    assert_eq!(serde_json::to_value(g).expect("encode"), gt);
    let all: Vec<_> = c
        .list_ground_truths()
        .ground_truth_dataset_versions([3])
        .items()
        .map(|g| g.expect("gt"))
        .collect()
        .await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].category, Some(GroundTruthCategory::from("holdout")));
    let v = get.await.expect("version");
    assert_eq!(v.version.as_ref().map(RawJson::to_value), Some(json!("v1")));
    assert_eq!(v.is_archived, Some(false));
    let vs = versions.await.expect("versions");
    assert_eq!(vs.results[0].description.as_deref(), Some("first"));
    let requests = mock.requests();
    assert_eq!(
        requests[0].read_timeout,
        ReadTimeout::After(Duration::from_secs(60))
    );
    assert_eq!(requests[3].read_timeout, ReadTimeout::Default);
    // The walk's pages come from the mock; the one-shot calls sent their request values.
    insta::assert_json_snapshot!(snapshots(&mock));
    let sent = snapshots(&mock);
    assert_eq!(
        vec![sent[0].clone(), sent[3].clone(), sent[4].clone()],
        values
    );
}

#[tokio::test]
async fn ml_operations_map_error_statuses() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(401, json!({"detail": "Invalid token."})))
        .push(MockResponse::json(404, json!({"detail": "Not found."})))
        .push(MockResponse::json(
            400,
            json!({"plugin": ["Object does not exist."]}),
        ))
        .push(MockResponse::json(403, json!({"detail": "no"})))
        .push(MockResponse::json(403, json!({"detail": "no"})))
        .push(MockResponse::json(403, json!({"detail": "no"})))
        .push(MockResponse::json(504, json!({"detail": "timeout"})))
        .push(MockResponse::json(404, json!({"detail": "Not found."})))
        .push(MockResponse::json(500, json!({"detail": "boom"})));
    let c = client(&mock);
    let got = vec![
        status(c.list_models().await),
        status(c.get_model(9).await),
        status(c.create_model(ModelCreateRequest::new("M")).await),
        status(c.list_ground_truth_events().await),
        status(c.list_ground_truth_events_data().await),
        status(c.list_ground_truth_events_files().await),
        status(c.list_ground_truths().await),
        status(c.get_ground_truth_version(9).await),
        status(c.list_ground_truth_versions().await),
    ];
    assert_eq!(
        got,
        vec![
            Some(401),
            Some(404),
            Some(400),
            Some(403),
            Some(403),
            Some(403),
            Some(504),
            Some(404),
            Some(500)
        ]
    );
    // The create POST is sent once, never replayed.
    assert_eq!(mock.request_count(), 9);
}

#[test]
fn request_bodies_keep_wire_order_and_omit_none() {
    let model = ModelCreateRequest {
        chunked_upload: Some(7.into()),
        ..ModelCreateRequest::new("M2")
            .description("d")
            .plugin(PluginCode::new("yolov8").expect("code"))
            .checkpoint(1)
    };
    assert_eq!(
        serde_json::to_string(&model).expect("encode"),
        r#"{"name":"M2","plugin":"yolov8","checkpoint":1,"chunked_upload":7,"description":"d"}"#
    );
    let unit = DataUnitCreateRequest::new(5)
        .file("image", "c", "p")
        .groups(vec!["g".into()]);
    assert_eq!(
        serde_json::to_string(&unit).expect("encode"),
        r#"{"data_collection":5,"files":{"image":{"checksum":"c","path":"p"}},"groups":["g"]}"#
    );
    // A caller's raw JSON is re-emitted byte for byte (key order, nulls, lax values).
    let text = r#"{"meta":{"k":1},"files":{"image":{"checksum":"c","path":"p"}},"groups":null,"data_collection":"5"}"#;
    let raw: RawJson = serde_json::from_str(text).expect("raw");
    assert_eq!(serde_json::to_string(&raw).expect("encode"), text);
    assert!(DataUnitCreateRequest::validate_json(&raw.to_value()).is_ok());
}

#[tokio::test]
async fn the_seed_name_list_data_collection_sends_the_same_request() {
    let mock = MockTransport::new();
    mock.push(ok(page(json!([{"id": 5, "name": "Street scenes"}]))));
    let c = client(&mock);
    assert_eq!(
        snap(&c.list_data_collection()),
        snap(&c.list_data_collections())
    );
    let list = c.list_data_collection().await.expect("list");
    assert_eq!(list.results.len(), 1);
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "https://synapse.test/data_collections/"
    );
}

#[tokio::test]
async fn the_data_unit_and_ground_truth_streams_read_with_60_s_timeouts() {
    use futures_util::StreamExt;
    let mock = MockTransport::new();
    mock.push(ok(page(json!([{"id": 1}]))))
        .push(ok(page(json!([{"id": 2}]))));
    let c = client(&mock);
    let units: Vec<_> = c.list_data_units().items().collect().await;
    let gts: Vec<_> = c.list_ground_truths().items().collect().await;
    assert_eq!((units.len(), gts.len()), (1, 1));
    let sixty = synapse_transport::ReadTimeout::After(std::time::Duration::from_secs(60));
    assert!(mock.requests().iter().all(|r| r.read_timeout == sixty));
}

#[test]
fn typed_setters_and_list_defaults_build_the_documented_requests() {
    let mock = MockTransport::new();
    let c = client(&mock);
    let sixty = ReadTimeout::After(Duration::from_secs(60));
    let url = |request: Value| request["url"].as_str().expect("url").to_owned();
    // A list value becomes repeated keys, then the injected page size.
    assert_eq!(
        url(snap(
            &c.list_ground_truth_events()
                .ground_truth_dataset_versions([123, 124])
        )),
        "https://synapse.test/sdk/ground_truth_events/?ground_truth_dataset_versions=123&ground_truth_dataset_versions=124&page_size=100"
    );
    assert_eq!(
        url(snap(&c.list_models().project(123).page(2))),
        "https://synapse.test/models/?project=123&page=2"
    );
    // A raw page size is kept and not doubled.
    assert_eq!(
        url(snap(&c.list_data_units().query("page_size", 7))),
        "https://synapse.test/data_units/?page_size=7"
    );
    // The 60 s read timeout is the default of these two lists; the call's replaces it.
    let units = c.list_data_units().request().expect("request");
    assert_eq!(units.read_timeout, sixty);
    let gts = c.list_ground_truths().request().expect("request");
    assert_eq!(gts.read_timeout, sixty);
    let quick = c
        .list_data_units()
        .read_timeout(Duration::from_secs(5))
        .request()
        .expect("request");
    assert_eq!(
        quick.read_timeout,
        ReadTimeout::After(Duration::from_secs(5))
    );
    let events = c.list_ground_truth_events().request().expect("request");
    assert_eq!(events.read_timeout, ReadTimeout::Default);
    // Body setters.
    let create = c
        .create_model(ModelCreateRequest::new("draft"))
        .name("M2")
        .plugin(PluginCode::new("yolov8").expect("code"))
        .version("1")
        .chunked_upload("UP1");
    assert_eq!(
        snap(&create)["body"]["json"],
        json!({"name": "M2", "plugin": "yolov8", "version": "1", "chunked_upload": "UP1"})
    );
    let verify = c.verify_data_files_checksums(&["aa"]).checksum("cc");
    assert_eq!(
        snap(&verify)["body"]["json"],
        json!({"checksums": ["aa", "cc"]})
    );
    assert_eq!(mock.request_count(), 0);
}
