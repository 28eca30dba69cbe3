//! Data-file uploads through MockTransport: `create_data_file` (direct multipart and chunked,
//! exact requests), the content guard (nothing sent), the `upload_data_file` payload, and the
//! `upload_data_collection` report when some items fail.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use md5::{Digest, Md5};
use serde_json::{Value, json};
use synapse_backend::{
    BackendClient, DataFileOptions, DataUnitUpload, Error, UploadCollectionOptions, UploadMode,
};
use synapse_transport::mock::{MockResponse, MockTransport, RecordedBody};
use synapse_transport::{Method, ReadTimeout, RetryPolicy};

const UP: &str = "00000000-0000-4000-8000-0000000000aa";

fn client(mock: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("acc-secret")
        .tenant("acme")
        .transport(mock.clone())
        // Retries on: a POST must still never be replayed.
        .retry_policy(RetryPolicy::default().jitter(false))
        .build()
        .expect("client")
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write");
    path
}

fn data_file(id: i64, checksum: &str) -> MockResponse {
    MockResponse::json(
        201,
        json!({
            "id": id,
            "file": format!("https://synapse.test/media/{id}.bin"),
            "checksum": checksum,
            "size": 5,
            "created_at": "2026-11-23T10:00:00Z",
            "storage": 3
        }),
    )
}

fn snapshots(mock: &MockTransport) -> Vec<Value> {
    mock.requests().iter().map(|r| r.snapshot()).collect()
}

#[tokio::test]
async fn create_data_file_direct_is_one_streamed_file_part_with_exact_length() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(dir.path(), "a.txt", b"hello");
    let mock = MockTransport::new();
    mock.route(Method::POST, "/data_files/", data_file(7, "sha1abc"));
    let file = client(&mock)
        .create_data_file(&path)
        .options(
            DataFileOptions::default()
                .mode(UploadMode::Direct)
                .read_timeout(Duration::from_secs(120)),
        )
        .await
        .expect("created");
    assert_eq!(file.id.map(i64::from), Some(7));
    assert_eq!(file.checksum.as_deref(), Some("sha1abc"));
    assert_eq!(file.file_size(), Some(5));
    assert_eq!(file.extra["storage"], 3, "unknown keys are kept");

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    // The HTTP transport sends `Content-Length: Multipart::content_length()`; the mock
    // records the body exactly as streamed, and both agree.
    let form = synapse_transport::Multipart::with_boundary("0123456789abcdef0123456789abcdef")
        .file(
            "file",
            "a.txt",
            synapse_transport::FileRange::whole(&path).expect("range"),
        );
    assert_eq!(form.content_length(), 146);
    assert_eq!(form.to_bytes().await.expect("bytes").len(), 146);
    assert_eq!(r.read_timeout, ReadTimeout::After(Duration::from_secs(120)));
    assert_eq!(r.idempotent, Some(false), "never replayed");
    match &r.body {
        RecordedBody::Multipart {
            boundary,
            raw,
            parts,
        } => {
            assert_eq!(parts.len(), 1);
            assert_eq!(boundary.len(), 32);
            // backend-domains.md §5.1: 2·len(B) + 72 + len(basename) + len(bytes) = 146.
            assert_eq!(raw.len(), 2 * boundary.len() + 72 + "a.txt".len() + 5);
            assert_eq!(raw.len(), 146);
            let expected = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"a.txt\"\r\n\r\nhello\r\n--{boundary}--\r\n"
            );
            assert_eq!(&raw[..], expected.as_bytes());
        }
        other => panic!("not multipart: {other:?}"),
    }
    insta::assert_json_snapshot!(snapshots(&mock));
}

#[tokio::test]
async fn create_data_file_chunked_then_references_the_upload_id() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(dir.path(), "video.mp4", b"\0\0\0\x18ftypmp42 tiny movie");
    let md5: String = Md5::digest(std::fs::read(&path).expect("read"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let size = std::fs::metadata(&path).expect("meta").len();
    let mock = MockTransport::new();
    mock.route(
        Method::PUT,
        "/chunked_upload/",
        MockResponse::json(
            200,
            json!({"id": UP, "url": format!("https://synapse.test/chunked_upload/{UP}/"),
                   "offset": size, "status": 1}),
        ),
    );
    mock.route(
        Method::POST,
        &format!("/chunked_upload/{UP}/"),
        MockResponse::json(
            200,
            json!({"id": UP, "checksum": md5, "size": size, "status": 2}),
        ),
    );
    mock.route(
        Method::POST,
        "/data_files/",
        MockResponse::json(
            201,
            json!({"id": 8, "file": null, "checksum": "sha1def", "file_size": size, "created": "2026-11-23T10:00:00Z"}),
        ),
    );
    let file = client(&mock)
        .create_data_file(&path)
        .options(
            DataFileOptions::default()
                .mode(UploadMode::Chunked)
                .read_timeout(Duration::from_secs(90)),
        )
        .await
        .expect("created");
    assert_eq!(file.checksum.as_deref(), Some("sha1def"));
    assert_eq!(file.file_size(), Some(size));
    assert!(file.created().is_some());

    let requests = mock.requests();
    let lines: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        lines,
        [
            "PUT /chunked_upload/".to_owned(),
            format!("POST /chunked_upload/{UP}/"),
            "POST /data_files/".to_owned(),
        ]
    );
    // The id goes back exactly as the server returned it (a string here).
    assert_eq!(requests[2].json(), Some(&json!({"chunked_upload": UP})));
    for r in &requests {
        assert_eq!(r.read_timeout, ReadTimeout::After(Duration::from_secs(90)));
    }
    assert_eq!(requests[2].idempotent, Some(false));
    insta::assert_json_snapshot!(snapshots(&mock));
}

#[tokio::test]
async fn auto_mode_sends_a_small_file_direct() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(dir.path(), "b.csv", b"id,x\n1,2\n");
    let mock = MockTransport::new();
    mock.route(Method::POST, "/data_files/", data_file(9, "c9"));
    client(&mock)
        .create_data_file(&path)
        .options(DataFileOptions::default())
        .await
        .expect("created");
    assert!(matches!(
        mock.requests()[0].body,
        RecordedBody::Multipart { .. }
    ));
}

#[tokio::test]
async fn guard_rejections_and_missing_files_send_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let mock = MockTransport::new();
    let client = client(&mock);
    let cases = [
        write(dir.path(), "photo.jpg", b"<html>not a jpeg</html>"),
        write(dir.path(), "page.html", b"<img src=x onerror=alert(1)>"),
        write(dir.path(), "tool.txt", b"\x7fELF\x02\x01\x01\0\0\0"),
        write(dir.path(), ".env", b"DB_PASSWORD=hunter2\n"),
        write(
            dir.path(),
            "notes.txt",
            b"key: AKIAABCDEFGHIJKLMNOP and more text",
        ),
    ];
    for path in &cases {
        for mode in [UploadMode::Auto, UploadMode::Direct, UploadMode::Chunked] {
            let err = client
                .create_data_file(path)
                .options(DataFileOptions::default().mode(mode))
                .await
                .expect_err("refused");
            let message = err.to_string();
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(!message.contains("AKIAABCDEFGHIJKLMNOP"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
    let missing = client
        .create_data_file(dir.path().join("missing.txt"))
        .options(DataFileOptions::default())
        .await
        .expect_err("missing");
    assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
    assert_eq!(mock.request_count(), 0, "nothing was sent");

    // The explicit opt-out sends the file.
    mock.route(Method::POST, "/data_files/", data_file(1, "c"));
    client
        .create_data_file(&cases[0])
        .options(DataFileOptions::default().check_content(false))
        .await
        .expect("sent without the guard");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn upload_data_file_returns_the_unit_payload_in_python_key_order() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "a.jpg", b"\xff\xd8\xff\xe0 jpeg");
    write(dir.path(), "a.json", b"{\"k\": 1}");
    let root = dir.path().display().to_string();
    let mock = MockTransport::new();
    mock.route(Method::POST, "/data_files/", data_file(1, "sha1img"));
    mock.route(Method::POST, "/data_files/", data_file(2, "sha1meta"));
    let mut meta = serde_json::Map::new();
    meta.insert("m".into(), json!(1));
    let unit = DataUnitUpload::new()
        .file("image", format!("{root}/.//a.jpg"))
        .file("annotation", format!("{root}//a.json"))
        .meta(meta)
        .group("batch-01");
    let payload = client(&mock)
        .upload_data_file(unit.clone(), 5)
        .options(DataFileOptions::default())
        .await
        .expect("uploaded");
    let text = serde_json::to_string(&payload).expect("encode");
    assert_eq!(
        text,
        format!(
            r#"{{"files":{{"image":{{"checksum":"sha1img","path":"{root}/a.jpg"}},"annotation":{{"checksum":"sha1meta","path":"{root}/a.json"}}}},"data_collection":5,"meta":{{"m":1}},"groups":["batch-01"]}}"#
        )
    );
    // Defaults: meta {} and no groups key.
    mock.route(Method::POST, "/data_files/", data_file(3, "c3"));
    let bare = client(&mock)
        .upload_data_file(
            DataUnitUpload::new()
                .file("image", format!("{root}/a.jpg"))
                .clone(),
            5,
        )
        .options(DataFileOptions::default())
        .await
        .expect("uploaded");
    assert_eq!(
        serde_json::to_value(&bare).expect("encode"),
        json!({"files": {"image": {"checksum": "c3", "path": format!("{root}/a.jpg")}},
               "data_collection": 5, "meta": {}})
    );
    // Only the data_files POSTs: no unit is created.
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.url.path() == "/data_files/")
    );
}

#[tokio::test(start_paused = true)]
async fn upload_data_collection_reports_failures_and_creates_the_other_units() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().display().to_string();
    write(dir.path(), "0.txt", b"zero");
    write(dir.path(), "2.html", b"<script>alert(1)</script>");
    write(dir.path(), "3.txt", b"three");
    write(dir.path(), "4.txt", b"four");
    let items: Vec<DataUnitUpload> = ["0.txt", "1-missing.txt", "2.html", "3.txt", "4.txt"]
        .iter()
        .map(|n| DataUnitUpload::new().file("text", format!("{root}/{n}")))
        .collect();
    let mock = MockTransport::new();
    mock.route(Method::POST, "/data_files/", data_file(10, "c0"));
    // Item 3: the server fails; the POST is not replayed.
    mock.route(
        Method::POST,
        "/data_files/",
        MockResponse::json(503, json!({"detail": "busy"})),
    );
    mock.route(Method::POST, "/data_files/", data_file(14, "c4"));
    mock.route(
        Method::POST,
        "/data_units/",
        MockResponse::json(201, json!({"results": [{"id": 500}, {"id": 501}]})),
    );
    mock.route(
        Method::POST,
        "/tasks/",
        MockResponse::json(201, json!([{"id": 900}, {"id": 901}])),
    );
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let report = client(&mock)
        .upload_data_collection(5, items.to_vec())
        .options(
            UploadCollectionOptions::default()
                .project_id(9)
                .max_workers(1)
                .progress(move |done, total| seen.lock().expect("lock").push((done, total))),
        )
        .await;

    assert_eq!(report.items.len(), 5);
    let outcome: Vec<(usize, bool, Option<usize>)> = report
        .items
        .iter()
        .map(|i| (i.index, i.upload.is_ok(), i.batch))
        .collect();
    assert_eq!(
        outcome,
        [
            (0, true, Some(0)),
            (1, false, None),
            (2, false, None),
            (3, false, None),
            (4, true, Some(0)),
        ]
    );
    let failed: Vec<(usize, String)> = report
        .failed_items()
        .map(|(i, e)| (i, format!("{e:?}")))
        .collect();
    assert_eq!(failed.len(), 3);
    assert!(matches!(report.items[1].upload, Err(Error::Io { .. })));
    assert!(matches!(
        report.items[2].upload,
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(
        report.items[3]
            .upload
            .as_ref()
            .err()
            .and_then(Error::status)
            .map(|s| s.as_u16()),
        Some(503)
    );
    assert_eq!(report.batches.len(), 1);
    assert_eq!(report.batches[0].items, [0, 4]);
    assert_eq!(
        report
            .unit_ids()
            .into_iter()
            .map(i64::from)
            .collect::<Vec<_>>(),
        [500, 501]
    );
    assert!(matches!(report.batches[0].tasks, Some(Ok(_))));
    assert!(!report.is_complete());
    assert_eq!(
        *progress.lock().expect("lock"),
        [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    );
    // 3 data_files POSTs (one per item that got past the local checks, the 503 not
    // replayed), one data_units POST with the two successful payloads, one tasks POST.
    let requests = mock.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/data_files/",
            "/data_files/",
            "/data_files/",
            "/data_units/",
            "/tasks/"
        ]
    );
    assert_eq!(mock.unused_replies(), 0);
    let tail = serde_json::to_string(
        &requests[3..]
            .iter()
            .map(|r| r.snapshot())
            .collect::<Vec<_>>(),
    )
    .expect("encode")
    .replace(&root, "<tmp>");
    insta::assert_json_snapshot!(serde_json::from_str::<Value>(&tail).expect("decode"));
}

#[tokio::test]
async fn upload_data_collection_reports_a_failed_batch_and_reads_array_answers() {
    let dir = tempfile::tempdir().expect("tmp");
    let items: Vec<DataUnitUpload> = (0..3)
        .map(|i| {
            let path = write(dir.path(), &format!("{i}.txt"), b"text");
            DataUnitUpload::new().file("text", path)
        })
        .collect();
    let mock = MockTransport::new();
    for i in 0..3 {
        mock.route(Method::POST, "/data_files/", data_file(i, "c"));
    }
    mock.route(
        Method::POST,
        "/data_units/",
        MockResponse::json(201, json!([{"id": 1}, {"id": 2}])),
    );
    mock.route(
        Method::POST,
        "/data_units/",
        MockResponse::json(400, json!({"files": ["bad"]})),
    );
    mock.route(
        Method::POST,
        "/tasks/",
        MockResponse::json(201, json!({"results": [{"id": 7}, {"id": 8}]})),
    );
    fn assert_send<T: Send>(t: T) -> T {
        t
    }
    let client = client(&mock);
    // The future is `Send`: it can run on a multi-threaded runtime (`tokio::spawn`).
    let report = assert_send(
        client.upload_data_collection(5, items.to_vec()).options(
            UploadCollectionOptions::default()
                .project_id(9)
                .batch_size(2)
                .max_workers(3),
        ),
    )
    .await;
    assert!(report.items.iter().all(|i| i.upload.is_ok()));
    assert_eq!(report.batches.len(), 2);
    assert_eq!(report.batches[0].items, [0, 1]);
    assert_eq!(report.batches[1].items, [2]);
    assert_eq!(
        report
            .unit_ids()
            .into_iter()
            .map(i64::from)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(report.batches[1].units.is_err());
    assert!(report.batches[1].tasks.is_none(), "no tasks without units");
    assert!(!report.is_complete());
    let tasks = mock
        .requests()
        .into_iter()
        .find(|r| r.url.path() == "/tasks/")
        .expect("tasks request");
    assert_eq!(
        tasks.json(),
        Some(&json!({"project": 9, "data": [{"data_unit": 1}, {"data_unit": 2}]}))
    );
    assert_eq!(mock.unused_replies(), 0);
}
