//! Bulk (presigned) upload through two MockTransports (API and storage): exact reserve and
//! confirm bodies, PUTs without Synapse headers, the storage retry classification, a failure
//! midway that loses nothing, multipart parts with their ETags, and the pre-flight checks.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use synapse_backend::{
    BackendClient, BulkUploadError, BulkUploadOptions, BulkUploadOutcome, BulkUploadStage,
};
use synapse_transport::mock::{
    MockFailure, MockResponse, MockTransport, RecordedBody, RecordedRequest,
};
use synapse_transport::{Method, RetryPolicy};

const STORAGE: &str = "https://bucket.storage.test";

fn client(api: &MockTransport, storage: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("tok")
        .tenant("acme")
        .url_host("internal")
        .transport(api.clone())
        .storage_transport(storage.clone())
        .retry_policy(RetryPolicy::default().jitter(false))
        .build()
        .expect("client")
}

fn files(contents: &[(&str, &[u8])]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("tmp");
    let paths = contents
        .iter()
        .map(|(name, data)| {
            let p = dir.path().join(name);
            std::fs::write(&p, data).expect("write");
            p
        })
        .collect();
    (dir, paths)
}

fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn default_storage(api: &MockTransport, provider: &str) {
    api.route(
        Method::GET,
        "/storages/",
        MockResponse::json(
            200,
            json!({"count": 2, "next": null, "previous": null, "results": [
                {"id": 1, "name": "other", "provider": provider, "category": "internal", "is_default": false},
                {"id": 2, "name": "main", "provider": provider, "category": "internal", "is_default": true}
            ]}),
        ),
    );
}

fn url(key: &str) -> String {
    format!("{STORAGE}/{key}?X-Amz-Signature=secret-{key}&X-Amz-Credential=AKIA")
}

fn single(name: &str, key: &str) -> Value {
    json!({"filename": name, "file_key": key, "presigned_url": url(key), "multipart": null})
}

fn reserved(entries: Vec<Value>) -> MockResponse {
    MockResponse::json(
        200,
        json!({"files": entries, "expires_at": "2026-11-23T12:00:00Z"}),
    )
}

fn confirmed(keys: &[(&str, i64)]) -> MockResponse {
    let results: Vec<Value> = keys
        .iter()
        .map(|(k, id)| json!({"file_key": k, "checksum": "x", "data_file_id": id, "success": true, "error": null}))
        .collect();
    MockResponse::json(
        200,
        json!({"results": results, "created_count": keys.len(), "failed_count": 0}),
    )
}

fn snaps(requests: &[RecordedRequest]) -> Vec<Value> {
    requests.iter().map(|r| r.snapshot()).collect()
}

fn confirm_bodies(api: &MockTransport) -> Vec<Value> {
    api.requests()
        .iter()
        .filter(|r| r.url.path().ends_with("confirm_upload/"))
        .filter_map(|r| r.json().cloned())
        .collect()
}

fn assert_no_synapse_headers(storage: &MockTransport) {
    for r in storage.requests() {
        assert_eq!(r.method, Method::PUT);
        for name in [
            "synapse-access-token",
            "authorization",
            "synapse-tenant",
            "synapse-agent",
        ] {
            assert!(r.header(name).is_none(), "{name} sent to storage");
        }
        assert!(
            !r.url.query().unwrap_or("").contains("url_host"),
            "url_host sent to storage"
        );
    }
}

#[tokio::test]
async fn reserve_put_confirm_exact_requests() {
    let (_dir, paths) = files(&[("a.txt", b"hello"), ("x.pcd", b"xy")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "amazon_s3");
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![single("a.txt", "k/0"), single("x.pcd", "k/1")]),
    );
    api.route(
        Method::POST,
        "/data_files/presigned_upload/confirm_upload/",
        confirmed(&[("k/0", 10), ("k/1", 11)]),
    );
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));
    storage.route(Method::PUT, "/k/1", MockResponse::empty(200));
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(
            BulkUploadOptions::default()
                .max_workers(1)
                .progress(move |d, t| seen.lock().expect("lock").push((d, t))),
        )
        .await
        .expect("bulk");

    assert_eq!(report.created_count(), 2);
    assert_eq!(report.failed_count(), 0);
    match &report.items[0].outcome {
        BulkUploadOutcome::Uploaded {
            data_file_id,
            checksum,
            size,
            file_key,
        } => {
            assert_eq!(*data_file_id, Some(10.into()));
            assert_eq!(*checksum, sha1_hex(b"hello"));
            assert_eq!(*size, 5);
            assert_eq!(file_key, "k/0");
        }
        other => panic!("must be uploaded: {other:?}"),
    }
    assert_eq!(report.items[1].path, paths[1]);
    assert_eq!(*progress.lock().expect("lock"), vec![(1, 2), (2, 2)]);
    insta::assert_json_snapshot!("api_requests", snaps(&api.requests()));

    assert_no_synapse_headers(&storage);
    let puts = storage.requests();
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[0].header("content-type"), Some("text/plain"));
    assert_eq!(puts[1].header("content-type"), None);
    assert_eq!(
        puts[0].body,
        RecordedBody::Bytes(b"hello".as_slice().into())
    );
    assert_eq!(api.unused_replies(), 0);
    assert_eq!(storage.unused_replies(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_put_failing_midway_is_reported_and_nothing_is_lost() {
    let (_dir, paths) = files(&[
        ("0.txt", b"zero"),
        ("1.txt", b"one"),
        ("2.txt", b"two"),
        ("3.txt", b"three"),
    ]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "minio");
    let reserve = "/data_files/presigned_upload/upload/";
    let confirm = "/data_files/presigned_upload/confirm_upload/";
    api.route(
        Method::POST,
        reserve,
        reserved(vec![single("0.txt", "k/0"), single("1.txt", "k/1")]),
    );
    api.route(
        Method::POST,
        reserve,
        reserved(vec![single("2.txt", "k/2"), single("3.txt", "k/3")]),
    );
    api.route(Method::POST, confirm, confirmed(&[("k/0", 100)]));
    api.route(
        Method::POST,
        confirm,
        confirmed(&[("k/2", 102), ("k/3", 103)]),
    );
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));
    storage.route_always(Method::PUT, "/k/1", MockResponse::bytes(503, "busy"));
    storage.route(Method::PUT, "/k/2", MockResponse::empty(200));
    storage.route(Method::PUT, "/k/3", MockResponse::empty(200));

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().batch_size(2))
        .await
        .expect("bulk");

    assert_eq!(report.items.len(), 4);
    assert_eq!(report.created_count(), 3);
    let ids: Vec<Option<i64>> = report
        .items
        .iter()
        .map(|i| match &i.outcome {
            BulkUploadOutcome::Uploaded { data_file_id, .. } => data_file_id
                .as_ref()
                .map(|d| d.to_string().parse().expect("int")),
            _ => None,
        })
        .collect();
    assert_eq!(ids, vec![Some(100), None, Some(102), Some(103)]);
    let BulkUploadOutcome::Failed { stage, error } = &report.items[1].outcome else {
        panic!("file 1 must fail");
    };
    let error = error.to_string();
    assert_eq!(*stage, BulkUploadStage::Transfer);
    assert!(error.contains("503"), "{error}");
    assert!(error.contains("after 3 attempt(s)"), "{error}");
    assert!(!error.contains("secret"), "signature leaked: {error}");
    let k1 = storage
        .requests()
        .iter()
        .filter(|r| r.url.path() == "/k/1")
        .count();
    assert_eq!(k1, 3, "max_upload_retries 2 → 3 PUTs");
    // Only the successful file of batch 1 is confirmed.
    let bodies = confirm_bodies(&api);
    assert_eq!(
        bodies[0],
        json!({"files": [{"file_key": "k/0", "checksum": sha1_hex(b"zero"), "size": 4}]})
    );
    assert_eq!(bodies[1]["files"].as_array().map(Vec::len), Some(2));
    assert_no_synapse_headers(&storage);
}

#[tokio::test(start_paused = true)]
async fn storage_error_with_code_is_final_html_400_is_retried() {
    let (_dir, paths) = files(&[("a.txt", b"aaa"), ("b.txt", b"bbb")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "gcp");
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![single("a.txt", "k/a"), single("b.txt", "k/b")]),
    );
    storage.route_always(
        Method::PUT,
        "/k/a",
        MockResponse::bytes(
            403,
            "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
             <Message>The signature does not match</Message>\
             <StringToSign>AWS4-HMAC-SHA256 secret</StringToSign>\
             <AWSAccessKeyId>AKIASECRET</AWSAccessKeyId></Error>",
        )
        .header("content-type", "application/xml")
        .header("server", "AmazonS3"),
    );
    storage.route_always(
        Method::PUT,
        "/k/b",
        MockResponse::bytes(400, "<html><body>Bad Request</body></html>")
            .header("content-type", "text/html"),
    );

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("bulk");

    let count = |p: &str| {
        storage
            .requests()
            .iter()
            .filter(|r| r.url.path() == p)
            .count()
    };
    assert_eq!(count("/k/a"), 1, "403 with <Code> is final");
    assert_eq!(count("/k/b"), 3, "400 html without <Code> is retried");
    assert_eq!(report.failed_count(), 2);
    let BulkUploadOutcome::Failed { error, .. } = &report.items[0].outcome else {
        panic!("a.txt must fail");
    };
    let error = error.to_string();
    assert!(error.contains("SignatureDoesNotMatch"), "{error}");
    assert!(error.contains("<Server>AmazonS3</Server>"), "{error}");
    for secret in ["secret", "AKIA", "StringToSign", "X-Amz"] {
        assert!(!error.contains(secret), "{secret} leaked: {error}");
    }
    // Nothing succeeded: no confirm.
    assert!(confirm_bodies(&api).is_empty());
}

#[tokio::test]
async fn multipart_parts_and_etags_in_the_confirm_body() {
    let data: Vec<u8> = (0..10u8).map(|i| b'a' + i).collect();
    let (_dir, paths) = files(&[("big.bin", &data)]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "azure");
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![json!({
            "filename": "big.bin", "file_key": "k/big", "presigned_url": null,
            "multipart": {"upload_id": "U1", "part_size": 6, "parts": [
                {"part_number": 2, "presigned_url": url("k/big/2")},
                {"part_number": 1, "presigned_url": url("k/big/1")}
            ]}
        })]),
    );
    api.route(
        Method::POST,
        "/data_files/presigned_upload/confirm_upload/",
        confirmed(&[("k/big", 7)]),
    );
    storage.route(
        Method::PUT,
        "/k/big/1",
        MockResponse::empty(200).header("etag", "\"e1\""),
    );
    storage.route(
        Method::PUT,
        "/k/big/2",
        MockResponse::empty(200).header("etag", "\"e2\""),
    );

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("bulk");

    assert_eq!(report.created_count(), 1);
    insta::assert_json_snapshot!("multipart_confirm", confirm_bodies(&api));
    let bodies: Vec<RecordedBody> = storage.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(
        bodies,
        vec![
            RecordedBody::Bytes(b"abcdef".as_slice().into()),
            RecordedBody::Bytes(b"ghij".as_slice().into()),
        ]
    );
    assert!(
        storage
            .requests()
            .iter()
            .all(|r| r.header("content-type").is_none())
    );
    assert_no_synapse_headers(&storage);
}

#[tokio::test]
async fn multipart_short_parts_or_empty_etag_fail_the_file() {
    let (_dir, paths) = files(&[("short.bin", b"0123456789"), ("noetag.bin", b"0123")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "s3");
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![
            json!({"filename": "short.bin", "file_key": "k/s", "multipart": {
                "upload_id": "U1", "part_size": 4,
                "parts": [{"part_number": 1, "presigned_url": url("k/s/1")}]}}),
            json!({"filename": "noetag.bin", "file_key": "k/n", "multipart": {
                "upload_id": "U2", "part_size": 4,
                "parts": [{"part_number": 1, "presigned_url": url("k/n/1")}]}}),
        ]),
    );
    storage.route(
        Method::PUT,
        "/k/s/1",
        MockResponse::empty(200).header("etag", "\"s1\""),
    );
    storage.route(Method::PUT, "/k/n/1", MockResponse::empty(200));

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("bulk");

    let errors: Vec<String> = report
        .items
        .iter()
        .map(|i| match &i.outcome {
            BulkUploadOutcome::Failed { error, .. } => error.to_string(),
            other => panic!("must fail: {other:?}"),
        })
        .collect();
    assert!(errors[0].contains("cover 4 of 10 bytes"), "{}", errors[0]);
    assert!(errors[1].contains("no ETag"), "{}", errors[1]);
    assert!(confirm_bodies(&api).is_empty());
}

#[tokio::test]
async fn reserve_failure_is_recorded_per_batch_and_earlier_results_kept() {
    let (_dir, paths) = files(&[("0.txt", b"zero"), ("1.txt", b"one")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "amazon_s3");
    let reserve = "/data_files/presigned_upload/upload/";
    api.route(
        Method::POST,
        reserve,
        reserved(vec![single("0.txt", "k/0")]),
    );
    api.route(
        Method::POST,
        reserve,
        MockResponse::json(503, json!({"detail": "down"})),
    );
    api.route(
        Method::POST,
        "/data_files/presigned_upload/confirm_upload/",
        confirmed(&[("k/0", 1)]),
    );
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().batch_size(1))
        .await
        .expect("bulk");

    assert!(report.items[0].is_success());
    assert!(matches!(
        report.items[1].outcome,
        BulkUploadOutcome::Failed {
            stage: BulkUploadStage::Reserve,
            ..
        }
    ));
    // The reservation POST is never replayed.
    let reserves = api
        .requests()
        .iter()
        .filter(|r| r.url.path() == reserve)
        .count();
    assert_eq!(reserves, 2);
}

#[tokio::test]
async fn preflight_checks_send_nothing() {
    let (_dir, paths) = files(&[("a.txt", b"a")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    let c = client(&api, &storage);

    let bad = c
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().max_workers(0))
        .await;
    assert!(matches!(bad, Err(BulkUploadError::InvalidOptions(_))));
    let bad = c
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().batch_size(1001))
        .await;
    assert!(matches!(bad, Err(BulkUploadError::InvalidOptions(_))));
    let none: [&Path; 0] = [];
    let empty = c
        .upload_files_bulk(none)
        .options(BulkUploadOptions::default())
        .await
        .expect("empty");
    assert!(empty.items.is_empty());
    assert_eq!(api.request_count(), 0);

    // An empty and a missing file: reported, nothing sent (not even the storage lookup).
    let (_d2, more) = files(&[("empty.txt", b"")]);
    let missing = more[0].with_file_name("missing.txt");
    let report = c
        .upload_files_bulk([more[0].clone(), missing].clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("report");
    assert_eq!(report.failed_count(), 2);
    assert!(report.items.iter().all(|i| matches!(
        i.outcome,
        BulkUploadOutcome::Failed {
            stage: BulkUploadStage::Validation,
            ..
        }
    )));
    assert_eq!(api.request_count(), 0);
    assert_eq!(storage.request_count(), 0);
}

#[tokio::test]
async fn unsupported_provider_or_no_storage_fails_before_any_transfer() {
    let (_dir, paths) = files(&[("a.txt", b"a")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "file_system");
    let c = client(&api, &storage);
    let err = c
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect_err("unsupported");
    assert!(
        matches!(&err, BulkUploadError::UnsupportedProvider(p) if p == "file_system"),
        "{err}"
    );
    assert_eq!(api.request_count(), 1);

    // A bare array with no storage at all.
    api.route_always(
        Method::GET,
        "/storages/",
        MockResponse::json(200, json!([])),
    );
    assert!(c.get_default_storage().await.expect("a page").is_none());
    let err = c
        .upload_files_bulk(paths.clone())
        .await
        .expect_err("no storage");
    assert!(matches!(err, BulkUploadError::NoDefaultStorage));
    assert_eq!(storage.request_count(), 0);
}

#[tokio::test]
async fn low_level_put_sends_no_synapse_headers_and_hides_the_signature() {
    let (_dir, paths) = files(&[("a.txt", b"hello")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));
    storage.route(
        Method::PUT,
        "/k/0",
        MockResponse::bytes(403, "<Error><Code>AccessDenied</Code></Error>"),
    );
    let c = client(&api, &storage);
    let put = c
        .upload_file_to_presigned_url(url("k/0"), paths[0].clone())
        .content_type("text/plain")
        .await
        .expect("put");
    assert_eq!(put.checksum, sha1_hex(b"hello"));
    assert_eq!(put.size, 5);
    let err = c
        .upload_file_to_presigned_url(url("k/0"), paths[0].clone())
        .await
        .expect_err("403");
    let msg = err.to_string();
    assert!(
        msg.contains("AccessDenied") && !msg.contains("secret"),
        "{msg}"
    );
    assert_eq!(storage.request_count(), 2, "never retried");
    assert_no_synapse_headers(&storage);
    assert_eq!(api.request_count(), 0);
}

#[tokio::test]
async fn confirm_failure_is_recorded_per_batch_and_never_replayed() {
    let (_dir, paths) = files(&[("0.txt", b"zero"), ("1.txt", b"one")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "amazon_s3");
    let reserve = "/data_files/presigned_upload/upload/";
    let confirm = "/data_files/presigned_upload/confirm_upload/";
    api.route(
        Method::POST,
        reserve,
        reserved(vec![single("0.txt", "k/0")]),
    );
    api.route(
        Method::POST,
        reserve,
        reserved(vec![single("1.txt", "k/1")]),
    );
    api.route(Method::POST, confirm, confirmed(&[("k/0", 1)]));
    api.route(
        Method::POST,
        confirm,
        MockResponse::json(502, json!({"detail": "bad gateway"})),
    );
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));
    storage.route(Method::PUT, "/k/1", MockResponse::empty(200));

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().batch_size(1))
        .await
        .expect("bulk");

    assert!(report.items[0].is_success());
    assert!(matches!(
        report.items[1].outcome,
        BulkUploadOutcome::Failed {
            stage: BulkUploadStage::Confirm,
            ..
        }
    ));
    assert_eq!(confirm_bodies(&api).len(), 2, "confirm is never replayed");
    assert_eq!(api.unused_replies(), 0);
}

#[tokio::test]
async fn short_reservation_reports_the_extra_files() {
    let (_dir, paths) = files(&[("0.txt", b"zero"), ("1.txt", b"one")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "amazon_s3");
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![single("0.txt", "k/0")]),
    );
    api.route(
        Method::POST,
        "/data_files/presigned_upload/confirm_upload/",
        confirmed(&[("k/0", 1)]),
    );
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("bulk");

    assert_eq!(report.items.len(), 2);
    assert!(report.items[0].is_success());
    assert!(matches!(
        report.items[1].outcome,
        BulkUploadOutcome::Failed {
            stage: BulkUploadStage::Reserve,
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn timeouts_and_part_failures_are_retried() {
    let (_dir, paths) = files(&[("a.txt", b"hello"), ("m.bin", b"0123456789")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    default_storage(&api, "amazon_s3");
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![
            single("a.txt", "k/a"),
            json!({"filename": "m.bin", "file_key": "k/m", "multipart": {
                "upload_id": "U", "part_size": 10,
                "parts": [{"part_number": 1, "presigned_url": url("k/m/1")}]}}),
        ]),
    );
    api.route(
        Method::POST,
        "/data_files/presigned_upload/confirm_upload/",
        confirmed(&[("k/a", 1), ("k/m", 2)]),
    );
    storage.route(Method::PUT, "/k/a", MockFailure::ReadTimeout);
    storage.route(Method::PUT, "/k/a", MockResponse::empty(200));
    storage.route(Method::PUT, "/k/m/1", MockResponse::bytes(429, "slow down"));
    storage.route(
        Method::PUT,
        "/k/m/1",
        MockResponse::empty(200).header("etag", "\"m1\""),
    );

    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("bulk");

    assert_eq!(report.created_count(), 2, "{report:?}");
    assert_eq!(storage.request_count(), 4);
    assert_eq!(storage.unused_replies(), 0);
}

#[tokio::test]
async fn files_refused_by_the_content_guard_are_reported_and_never_sent() {
    let api = MockTransport::new();
    let storage = MockTransport::new();
    let (_dir, paths) = files(&[(
        "notes.txt",
        b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n",
    )]);
    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default())
        .await
        .expect("report");
    assert_eq!(report.items.len(), 1);
    match &report.items[0].outcome {
        BulkUploadOutcome::Failed { stage, error } => {
            assert_eq!(*stage, BulkUploadStage::Validation);
            let error = error.to_string();
            assert!(
                !error.contains("MIIEow"),
                "the finding never quotes the bytes: {error}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(api.request_count() + storage.request_count(), 0);
}

#[tokio::test]
async fn an_explicit_strategy_skips_the_storage_lookup() {
    let (_dir, paths) = files(&[("a.txt", b"hello")]);
    let api = MockTransport::new();
    let storage = MockTransport::new();
    // No storages/ route: a lookup would fail the call.
    api.route(
        Method::POST,
        "/data_files/presigned_upload/upload/",
        reserved(vec![single("a.txt", "k/0")]),
    );
    api.route(
        Method::POST,
        "/data_files/presigned_upload/confirm_upload/",
        confirmed(&[("k/0", 10)]),
    );
    storage.route(Method::PUT, "/k/0", MockResponse::empty(200));
    let strategy: synapse_backend::BulkUploadStrategy = "presigned".parse().expect("known");
    let report = client(&api, &storage)
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().strategy(strategy))
        .await
        .expect("bulk");
    assert_eq!(report.created_count(), 1, "{report:?}");
    let paths: Vec<String> = api
        .requests()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/data_files/presigned_upload/upload/",
            "/data_files/presigned_upload/confirm_upload/"
        ]
    );
    assert!(matches!(
        "streaming".parse::<synapse_backend::BulkUploadStrategy>(),
        Err(BulkUploadError::UnknownStrategy(name)) if name == "streaming"
    ));
}
