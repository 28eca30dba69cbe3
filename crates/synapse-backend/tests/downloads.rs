//! Explicit downloads (`download_files`, `localize_files`) through a mock storage transport:
//! streamed to disk, in input order, no Synapse credentials, cached files reused.

use serde_json::json;
use synapse_backend::{BackendClient, DownloadOptions};
use synapse_transport::mock::{MockChunk, MockResponse, MockTransport};
use synapse_transport::{Method, RetryPolicy};

fn client(api: &MockTransport, storage: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("acc-SECRET")
        .url_host("internal")
        .transport(api.clone())
        .storage_transport(storage.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

#[tokio::test]
async fn downloads_stream_to_disk_in_input_order_without_credentials() {
    let api = MockTransport::new();
    let storage = MockTransport::new();
    storage.route(
        Method::GET,
        "/media/a.jpg",
        MockResponse::chunked(
            200,
            vec![
                MockChunk::Data("JPEG".into()),
                MockChunk::Data("DATA".into()),
            ],
        ),
    );
    storage.route(
        Method::GET,
        "/media/missing.png",
        MockResponse::bytes(404, "<Error><Code>NoSuchKey</Code></Error>"),
    );
    let dir = tempfile::tempdir().expect("tmp");
    let c = client(&api, &storage);
    let urls = [
        "https://cdn.test/media/a.jpg?X-Amz-Signature=topsecret",
        "https://cdn.test/media/missing.png?X-Amz-Signature=topsecret",
        "data:text/plain;base64,aGVsbG8=",
    ];
    let results = c
        .download_files(&urls, DownloadOptions::new(dir.path()))
        .await;
    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().expect("downloaded");
    assert_eq!(std::fs::read(first).expect("read"), b"JPEGDATA");
    assert!(first.to_string_lossy().ends_with(".jpg"));
    let err = results[1].as_ref().expect_err("404");
    assert_eq!(err.status_code(), Some(404));
    assert!(err.to_string().contains("NoSuchKey"), "{err}");
    assert!(!err.to_string().contains("topsecret"), "{err}");
    assert_eq!(
        std::fs::read(results[2].as_ref().expect("data uri")).expect("read"),
        b"hello"
    );
    for r in storage.requests() {
        let names: Vec<&str> = r.headers.keys().map(|n| n.as_str()).collect();
        assert_eq!(
            names,
            ["accept", "user-agent"],
            "no Synapse headers to storage: {:?}",
            r.headers
        );
        assert!(!r.url.as_str().contains("url_host"), "{}", r.url);
    }
    assert_eq!(api.request_count(), 0);
    // A file already present is reused, not fetched again.
    let again = c
        .download_files(&urls[..1], DownloadOptions::new(dir.path()))
        .await;
    assert_eq!(again[0].as_ref().expect("cached"), first);
    assert_eq!(storage.request_count(), 2);
}

#[tokio::test]
async fn localize_files_rewrites_urls_and_url_objects_like_url_conversion() {
    let api = MockTransport::new();
    let storage = MockTransport::new();
    storage.route(Method::GET, "/a.jpg", MockResponse::bytes(200, "A"));
    storage.route(Method::GET, "/b.png", MockResponse::bytes(200, "B"));
    storage.route(Method::GET, "/bad.png", MockResponse::empty(403));
    let dir = tempfile::tempdir().expect("tmp");
    let mut units = json!([
        {"id": 1, "files": {"image": "https://s.test/a.jpg?sig=1",
                            "mask": {"url": "https://s.test/b.png", "is_primary": false}}},
        {"id": 2, "files": [{"url": "https://s.test/bad.png"}], "other": "https://s.test/a.jpg"}
    ]);
    let failed = client(&api, &storage)
        .localize_files(
            &mut units,
            &["files"],
            DownloadOptions::new(dir.path()).max_concurrency(2),
        )
        .await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "https://s.test/bad.png");
    let image = units[0]["files"]["image"].as_str().expect("path");
    assert_eq!(std::fs::read(image).expect("read"), b"A");
    let mask = &units[0]["files"]["mask"];
    assert!(mask.get("url").is_none() && mask["is_primary"] == false);
    assert_eq!(
        std::fs::read(mask["path"].as_str().expect("path")).expect("read"),
        b"B"
    );
    // Failures stay as they were; fields not named are not touched.
    assert_eq!(units[1]["files"][0]["url"], "https://s.test/bad.png");
    assert_eq!(units[1]["other"], "https://s.test/a.jpg");
}
