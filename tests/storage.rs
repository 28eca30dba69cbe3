//! Storage transfers over real sockets: redirects from object stores are followed with the
//! body re-sent from the file; https-to-http downgrades and unbounded hops are refused; no
//! Synapse credential reaches a storage host.

use synapse_backend::{BackendClient, DownloadOptions, Error};
use synapse_e2e::raw::{RawReply, RawServer};

fn client() -> BackendClient {
    // The API is never called here: storage requests go straight to the storage hosts.
    BackendClient::builder("http://127.0.0.1:9/")
        .without_env()
        .access_token("acc-secret")
        .tenant("acme")
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_307_on_a_presigned_put_is_followed_with_the_file_sent_again() {
    let target = RawServer::start(|_| RawReply::bytes(200, "")).await;
    let location = target.url("/bucket/key?X-Amz-Signature=fresh");
    let first = RawServer::start(move |_| {
        RawReply::bytes(307, "<Error><Code>TemporaryRedirect</Code></Error>")
            .header("Location", &location)
    })
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("image.png");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).expect("write");
    let put = client()
        .upload_file_to_presigned_url(first.url("/bucket/key?X-Amz-Signature=old"), path)
        .content_type("image/png")
        .await
        .expect("followed");
    assert_eq!(put.size, 200_000);
    for server in [&first, &target] {
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert_eq!(r.method, "PUT");
        assert_eq!(r.header("content-length"), Some("200000"));
        assert_eq!(r.header("content-type"), Some("image/png"));
        assert_eq!(r.body, data, "the whole file on every hop");
        for secret in ["synapse-access-token", "synapse-tenant", "authorization"] {
            assert_eq!(r.header(secret), None, "{secret} sent to storage");
        }
    }
    assert_eq!(
        target.requests()[0].target,
        "/bucket/key?X-Amz-Signature=fresh"
    );
}

#[tokio::test]
async fn downloads_follow_redirects_to_another_host() {
    let target = RawServer::start(|_| RawReply::bytes(200, "file bytes")).await;
    let location = target.url("/real/a.txt");
    let first =
        RawServer::start(move |_| RawReply::bytes(302, "").header("Location", &location)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let results = client()
        .download_files(
            &[first.url("/media/a.txt")],
            DownloadOptions::new(dir.path()),
        )
        .await;
    let path = results[0].as_ref().expect("downloaded");
    assert_eq!(std::fs::read(path).expect("read"), b"file bytes");
    assert_eq!(target.requests().len(), 1);
}

#[tokio::test]
async fn endless_redirects_are_refused_after_ten_hops() {
    let server = RawServer::start(|r| {
        let n: u32 = r.target.trim_start_matches("/hop/").parse().unwrap_or(0);
        RawReply::bytes(307, "").header("Location", &format!("/hop/{}", n + 1))
    })
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("a.bin");
    std::fs::write(&path, b"abc").expect("write");
    let err = client()
        .upload_file_to_presigned_url(server.url("/hop/0"), path)
        .await
        .expect_err("too many hops");
    assert!(err.to_string().contains("too many redirects"), "{err}");
    assert_eq!(server.requests().len(), 11);
}

#[tokio::test]
async fn a_redirect_from_https_to_http_is_refused() {
    use synapse_transport::mock::{MockResponse, MockTransport};
    let storage = MockTransport::new();
    storage.push(MockResponse::empty(307).header("Location", "http://bucket.example/k"));
    let client = BackendClient::builder("https://api.example/")
        .without_env()
        .storage_transport(storage.clone())
        .build()
        .expect("client");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("a.bin");
    std::fs::write(&path, b"abc").expect("write");
    let err = client
        .upload_file_to_presigned_url("https://bucket.example/k?sig=1", path)
        .await
        .expect_err("downgrade");
    assert!(
        err.to_string().contains("downgrades https to http"),
        "{err}"
    );
    assert!(
        !err.to_string().contains("sig=1"),
        "signature leaked: {err}"
    );
    assert_eq!(storage.request_count(), 1);
}

#[tokio::test]
async fn storage_errors_are_reported_not_followed() {
    let server =
        RawServer::start(|_| RawReply::bytes(403, "<Error><Code>AccessDenied</Code></Error>"))
            .await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("a.bin");
    std::fs::write(&path, b"abc").expect("write");
    let err = client()
        .upload_file_to_presigned_url(server.url("/k?sig=1"), path)
        .await
        .expect_err("403");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status_code(), Some(403));
    assert!(err.to_string().contains("AccessDenied"), "{err}");
    assert!(!err.to_string().contains("sig=1"), "{err}");
}

#[tokio::test]
async fn a_download_answered_503_is_retried_and_a_403_is_final_without_its_signature() {
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = served.clone();
    let server = RawServer::start(move |r| {
        if r.target.starts_with("/denied") {
            return RawReply::bytes(
                403,
                "<Error><Code>AccessDenied</Code><Message>Denied</Message>\
                 <StringToSign>AWS4-HMAC-SHA256 secret-scope</StringToSign></Error>",
            )
            .header("Server", "AmazonS3");
        }
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            RawReply::bytes(503, "<Error><Code>SlowDown</Code></Error>")
        } else {
            RawReply::bytes(200, "second time lucky")
        }
    })
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let results = client()
        .download_files(
            &[
                server.url("/flaky/a.txt?X-Amz-Signature=topsecret"),
                server.url("/denied/b.txt?X-Amz-Signature=topsecret"),
            ],
            DownloadOptions::new(dir.path()).max_concurrency(1),
        )
        .await;
    let path = results[0].as_ref().expect("retried");
    assert_eq!(std::fs::read(path).expect("read"), b"second time lucky");
    let err = results[1].as_ref().expect_err("403 is final");
    assert_eq!(err.status_code(), Some(403));
    let shown = err.to_string();
    assert!(
        shown.contains("AccessDenied") && shown.contains("<Server>AmazonS3</Server>"),
        "{shown}"
    );
    for secret in ["topsecret", "StringToSign", "secret-scope"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    let requests = server.requests();
    let count = |prefix: &str| {
        requests
            .iter()
            .filter(|r| r.target.starts_with(prefix))
            .count()
    };
    assert_eq!(count("/flaky/"), 2, "one retry after the 503");
    assert_eq!(count("/denied/"), 1, "a 403 with a <Code> is never retried");
}
