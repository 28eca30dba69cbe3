//! Data collections over real HTTP: files uploaded into a collection as data units (data
//! files, then units in batches), the units listed, filtered, paged and expanded; data
//! files from a chunked upload; and the fake's answers to bad requests (404, field errors).

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use synapse_backend::models::{DataCollectionId, DataUnit};
use synapse_backend::{
    BackendClient, DataFileOptions, DataUnitUpload, UploadCollectionOptions, UploadMode,
};
use synapse_e2e::{md5_hex, start};
use synapse_transport::Method;

/// The collection every fake starts with, and its file-specification names (primary first).
async fn collection(client: &BackendClient) -> (DataCollectionId, String, String) {
    let page = client.list_data_collections().await.expect("collections");
    assert_eq!(page.total(), 1);
    let id = page.results[0].id.expect("id");
    assert!(
        page.results[0].file_specifications.is_none(),
        "specifications only when expanded"
    );
    let collection = client.get_data_collection(id).await.expect("collection");
    let specs = collection.file_specifications.expect("expanded");
    let name = |primary: bool| {
        specs
            .iter()
            .find(|s| s.is_primary == Some(primary))
            .and_then(|s| s.name.clone())
            .expect("spec")
    };
    (id, name(true), name(false))
}

fn jpeg(dir: &std::path::Path, name: &str, shift: u8) -> (std::path::PathBuf, Vec<u8>) {
    let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    bytes.extend((0..2000u32).map(|i| (i as u8).wrapping_add(shift)));
    let path = dir.join(name);
    std::fs::write(&path, &bytes).expect("write");
    (path, bytes)
}

#[tokio::test]
async fn uploaded_units_are_created_in_batches_then_listed_paged_and_expanded() {
    let (fake, client) = start().await;
    let (collection_id, image, meta) = collection(&client).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut units = Vec::new();
    let mut images = Vec::new();
    for i in 0..3u8 {
        let (path, bytes) = jpeg(dir.path(), &format!("f{i}.jpg"), i);
        images.push((path.clone(), bytes));
        let mut unit = DataUnitUpload::new()
            .file(&image, path)
            .meta(json!({"i": i}).as_object().cloned().unwrap_or_default())
            .groups(["batch-01", "left"]);
        if i == 0 {
            let readings = dir.path().join("f0.json");
            std::fs::write(&readings, br#"{"speed": 3}"#).expect("write");
            unit = unit.file(&meta, readings);
        }
        units.push(unit);
    }
    let report = client
        .upload_data_collection(collection_id, units)
        .options(UploadCollectionOptions::default().batch_size(2))
        .await;
    assert!(report.is_complete(), "{report:?}");
    let created = report.unit_ids();
    assert_eq!(created.len(), 3);
    assert_eq!(fake.count(&Method::POST, "/data_files/"), 4, "one per file");
    assert_eq!(fake.count(&Method::POST, "/data_units/"), 2, "batches of 2");

    // One page of two, with a `next` link; then every page as a stream.
    let page = client
        .list_data_units()
        .data_collection(collection_id)
        .page_size(2)
        .await
        .expect("page");
    assert_eq!(page.total(), 3);
    assert_eq!(page.results.len(), 2);
    assert!(page.next.is_some());
    let all: Vec<DataUnit> = client
        .list_data_units()
        .data_collection(collection_id)
        .page_size(2)
        .items()
        .try_collect()
        .await
        .expect("walk");
    let ids: Vec<_> = all.iter().filter_map(|u| u.id).collect();
    assert_eq!(ids, created);
    assert!(
        all.iter().all(|u| u.files.is_none()),
        "files only when expanded"
    );
    assert_eq!(all[0].data_collection, Some(collection_id));
    assert_eq!(
        all[1].meta.as_ref().map(|m| m.to_value()),
        Some(json!({"i": 1}))
    );
    // The three units share the leaf group of the same chain.
    assert!(all[0].group_id.is_some());
    assert!(all.iter().all(|u| u.group_id == all[0].group_id));
    // Another collection's units are not listed.
    let other = client
        .list_data_units()
        .data_collection(99)
        .await
        .expect("empty");
    assert_eq!(other.total(), 0);

    // Expanded: each file by specification name, with the content's checksum and the path
    // the SDK sent.
    let unit = client
        .get_data_unit(created[0])
        .expand("files")
        .await
        .expect("unit");
    let files = unit.files.expect("expanded").to_value();
    assert_eq!(files[&image]["checksum"], json!(md5_hex(&images[0].1)));
    assert_eq!(files[&image]["path"], json!(images[0].0.to_string_lossy()));
    assert_eq!(files[&image]["is_primary"], json!(true));
    assert!(
        files[&meta]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/f0.json"))
    );

    // Every stored checksum is known; an unknown one is not.
    let asked = [md5_hex(&images[1].1), "0".repeat(32)];
    let known = client
        .verify_data_files_checksums(&asked)
        .await
        .expect("verify");
    assert_eq!(known.existing_checksums, Some(vec![asked[0].clone()]));
}

#[tokio::test]
async fn a_data_file_from_a_chunked_upload_is_the_same_content_as_a_direct_one() {
    let (_fake, client) = start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let (path, bytes) = jpeg(dir.path(), "big.jpg", 7);
    let chunked = client
        .create_data_file(&path)
        .options(DataFileOptions::default().mode(UploadMode::Chunked))
        .await
        .expect("chunked");
    assert_eq!(chunked.checksum, Some(md5_hex(&bytes)));
    assert_eq!(chunked.file_size(), Some(bytes.len() as u64));
    assert!(chunked.file.is_none(), "no `file` after a chunked upload");
    let direct = client
        .create_data_file(&path)
        .options(DataFileOptions::default().mode(UploadMode::Direct))
        .await
        .expect("direct");
    assert_eq!(direct.id, chunked.id, "one data file per content");
}

/// The error body of a call that must fail with `status`.
fn error_body(result: Result<impl std::fmt::Debug, synapse_backend::Error>, status: u16) -> Value {
    let err = result.expect_err("the call fails");
    assert_eq!(err.status_code(), Some(status), "{err}");
    err.body_json().cloned().expect("a JSON error body")
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_units_are_field_errors_creating_nothing() {
    let (_fake, client) = start().await;
    let (collection_id, image, meta) = collection(&client).await;
    assert_eq!(
        error_body(client.get_data_collection(42).await, 404),
        json!({"detail": "Not found."})
    );
    assert_eq!(
        error_body(client.get_data_unit(42).await, 404),
        json!({"detail": "Not found."})
    );

    // A stored file to reference.
    let dir = tempfile::tempdir().expect("tmp");
    let (path, bytes) = jpeg(dir.path(), "a.jpg", 1);
    client.create_data_file(&path).await.expect("data file");
    let good = json!({"checksum": md5_hex(&bytes), "path": "a.jpg"});

    // One unit: every field's errors at once.
    let body = error_body(
        client
            .create_data_units(&json!({"data_collection": 99, "files": {"x": good}}))
            .await,
        400,
    );
    assert_eq!(
        body,
        json!({"data_collection": ["Invalid pk \"99\" - object does not exist."]})
    );
    let body = error_body(
        client
            .create_data_units(&json!({
                "data_collection": collection_id,
                "files": {meta.as_str(): {"checksum": "feed", "path": "m.json"}, "extra": good},
            }))
            .await,
        400,
    );
    let problems = body["files"].as_array().expect("files errors");
    let text: Vec<&str> = problems.iter().filter_map(Value::as_str).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("no data file has checksum \"feed\"")),
        "{body}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("Unknown file specification \"extra\"")),
        "{body}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains(&format!("Missing required file specification \"{image}\""))),
        "{body}"
    );

    // A list: one error object per item (`{}` for a valid one), and no unit is created.
    let body = error_body(
        client
            .create_data_units(&json!([
                {"data_collection": collection_id, "files": {image.as_str(): good}},
                {"data_collection": collection_id, "files": {image.as_str(): {"checksum": "feed"}}},
            ]))
            .await,
        400,
    );
    assert_eq!(
        body,
        json!([{}, {"files": [format!("\"{image}\": no data file has checksum \"feed\".")]}])
    );
    let page = client.list_data_units().await.expect("units");
    assert_eq!(page.total(), 0, "all or nothing");

    // The same list, valid: created, answered as a list.
    let created = client
        .create_data_units(&json!([
            {"data_collection": collection_id, "files": {image.as_str(): good}},
            {"data_collection": collection_id, "files": {image.as_str(): good}, "groups": ["g"]},
        ]))
        .await
        .expect("created");
    assert_eq!(created.as_array().map(Vec::len), Some(2), "{created}");

    // A filter that is not a number, and a data file without a file.
    let body = error_body(
        client
            .list_data_units()
            .query("data_collection", "abc")
            .await,
        400,
    );
    assert_eq!(body, json!({"data_collection": ["Enter a number."]}));
    let body = error_body(
        client
            .core()
            .post("data_files/")
            .json(&json!({"chunked_upload": "nope"}))
            .send_json::<Value>()
            .await,
        400,
    );
    assert_eq!(
        body,
        json!({"chunked_upload": ["Invalid pk \"nope\" - object does not exist."]})
    );
}
