//! Chunked upload through MockTransport: every Content-Range, the md5, progress,
//! resumption, the lost finalize answer, integrity and input checks.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use md5::{Digest, Md5};
use serde_json::json;
use synapse_backend::{BackendClient, ChunkedUploadOptions, Error, UploadCheckpoint};
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport, RecordedBody};
use synapse_transport::{Method, RetryPolicy};

const ID: &str = "00000000-0000-4000-8000-000000000001";
const TOTAL: u64 = 307_200;
const CHUNK: u64 = 131_072;

fn client(mock: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("tok")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::default().jitter(false))
        .build()
        .expect("client")
}

fn file() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("model-weights.bin");
    let data: Vec<u8> = (0..TOTAL).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(&path, &data).expect("write");
    (dir, path, data)
}

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn state(offset: u64) -> MockResponse {
    MockResponse::json(
        200,
        json!({
            "id": ID,
            "url": format!("https://synapse.test/chunked_upload/{ID}/"),
            "file": format!("https://synapse.test/media/chunked_uploads/{ID}.part"),
            "filename": "model-weights.bin",
            "offset": offset,
            "created_at": "2026-11-23T10:00:00.318718Z",
            "status": 1,
            "completed_at": null
        }),
    )
}

fn finalized(md5: &str) -> MockResponse {
    MockResponse::json(
        200,
        json!({
            "id": ID,
            "file": format!("https://synapse.test/media/{ID}.bin"),
            "checksum": md5,
            "size": TOTAL,
            "completed_at": "2026-11-23T10:00:03Z",
            "status": 2
        }),
    )
}

fn upload_path() -> String {
    format!("/chunked_upload/{ID}/")
}

fn ranges(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.method,
                r.url.path(),
                r.header("content-range").unwrap_or("-")
            )
        })
        .collect()
}

#[tokio::test]
async fn a_file_larger_than_one_chunk_uploads_with_exact_ranges_and_md5() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route(Method::PUT, &upload_path(), state(2 * CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(
            ChunkedUploadOptions::default()
                .chunk_size(CHUNK)
                .progress(move |done, total| seen.lock().expect("lock").push((done, total))),
        )
        .await
        .expect("uploaded");
    assert_eq!(upload.md5, md5);
    assert_eq!(upload.size, TOTAL);
    assert_eq!(upload.recoveries, 0);
    assert_eq!(upload.id.to_string(), ID);
    assert_eq!(
        ranges(&mock),
        vec![
            "PUT /chunked_upload/ bytes 0-131071/307200".to_owned(),
            format!("PUT {} bytes 131072-262143/307200", upload_path()),
            format!("PUT {} bytes 262144-307199/307200", upload_path()),
            format!("POST {} -", upload_path()),
        ]
    );
    assert_eq!(
        *progress.lock().expect("lock"),
        vec![(CHUNK, TOTAL), (2 * CHUNK, TOTAL), (TOTAL, TOTAL)]
    );
    let requests = mock.requests();
    // Each chunk: `filename` then `file` (named "file"), the exact byte range, no part type.
    for (i, r) in requests[..3].iter().enumerate() {
        match &r.body {
            RecordedBody::Multipart {
                parts,
                raw,
                boundary,
            } => {
                assert_eq!(parts[0].name, "filename");
                assert_eq!(&parts[0].data[..], b"model-weights.bin");
                assert_eq!(parts[1].name, "file");
                assert_eq!(parts[1].filename.as_deref(), Some("file"));
                let start = i * CHUNK as usize;
                let end = (start + CHUNK as usize).min(TOTAL as usize);
                assert_eq!(&parts[1].data[..], &data[start..end]);
                // backend-v1.md §5.3: 3·len(B) + 133 + len(filename) + len(chunk).
                assert_eq!(raw.len(), 3 * boundary.len() + 133 + 17 + (end - start));
            }
            other => panic!("chunk {i} is not multipart: {other:?}"),
        }
        assert!(
            r.header("content-type")
                .expect("ct")
                .starts_with("multipart/form-data; boundary=")
        );
        assert_eq!(
            r.idempotent,
            Some(false),
            "chunk PUTs are never blindly replayed"
        );
    }
    assert_eq!(requests[3].json(), Some(&json!({"md5": md5})));
    assert_eq!(requests[3].header("content-type"), Some("application/json"));
    assert_eq!(
        requests[3].header("synapse-access-token"),
        Some("Token tok")
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_on_the_second_chunk_resumes_from_the_server_offset() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    // The second chunk's connection drops: outcome unknown.
    mock.route(Method::PUT, &upload_path(), MockFailure::Reset);
    // The server did not store it.
    mock.route(Method::GET, &upload_path(), state(CHUNK));
    mock.route(Method::PUT, &upload_path(), state(2 * CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(CHUNK))
        .await
        .expect("resumed");
    assert_eq!(upload.md5, md5);
    assert_eq!(upload.recoveries, 1);
    assert_eq!(
        ranges(&mock),
        vec![
            "PUT /chunked_upload/ bytes 0-131071/307200".to_owned(),
            format!("PUT {} bytes 131072-262143/307200", upload_path()),
            format!("GET {} -", upload_path()),
            format!("PUT {} bytes 131072-262143/307200", upload_path()),
            format!("PUT {} bytes 262144-307199/307200", upload_path()),
            format!("POST {} -", upload_path()),
        ]
    );
    assert_eq!(mock.unused_replies(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_5xx_after_the_server_stored_the_chunk_skips_ahead_without_a_replay() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route(
        Method::PUT,
        &upload_path(),
        MockResponse::json(502, json!({})),
    );
    // ...but the chunk was stored before the proxy failed.
    mock.route(Method::GET, &upload_path(), state(2 * CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(CHUNK))
        .await
        .expect("resumed");
    assert_eq!(upload.md5, md5, "the md5 covers every byte exactly once");
    let r = ranges(&mock);
    assert_eq!(
        r[3],
        format!("PUT {} bytes 262144-307199/307200", upload_path())
    );
    assert_eq!(r.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn offsets_do_not_match_resyncs_to_the_offset_in_the_body() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route(
        Method::PUT,
        &upload_path(),
        MockResponse::json(
            400,
            json!({"detail": "Offsets do not match", "offset": 2 * CHUNK}),
        ),
    );
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(CHUNK))
        .await
        .expect("resynced");
    assert_eq!(
        ranges(&mock)[2],
        format!("PUT {} bytes 262144-307199/307200", upload_path())
    );
}

#[tokio::test(start_paused = true)]
async fn a_lost_finalize_answer_is_checked_before_any_resend() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(TOTAL));
    mock.route(Method::POST, &upload_path(), MockFailure::ReadTimeout);
    mock.route(
        Method::GET,
        &upload_path(),
        MockResponse::json(
            200,
            json!({"id": ID, "url": format!("https://synapse.test{}", upload_path()), "offset": TOTAL,
                   "status": 2, "completed_at": "2026-11-23T10:00:03Z"}),
        ),
    );
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default())
        .await
        .expect("recovered");
    assert_eq!(upload.recoveries, 1);
    assert_eq!(upload.md5, md5);
    assert_eq!(
        mock.requests()
            .iter()
            .filter(|r| r.method == Method::POST)
            .count(),
        1,
        "the finalize POST must not be re-sent once the state says complete"
    );
}

#[tokio::test]
async fn resume_from_a_checkpoint_starts_at_the_server_offset() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let meta = std::fs::metadata(&path).expect("meta");
    let mtime = meta
        .modified()
        .expect("mtime")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("epoch")
        .as_nanos() as u64;
    let checkpoint: UploadCheckpoint = serde_json::from_value(json!({
        "id": ID, "url": format!("https://synapse.test{}", upload_path()),
        "path": path, "size": TOTAL, "mtime_unix_nanos": mtime, "offset": CHUNK
    }))
    .expect("checkpoint");
    let mock = MockTransport::new();
    mock.route(Method::GET, &upload_path(), state(CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().resume(checkpoint))
        .await
        .expect("resumed");
    assert_eq!(upload.md5, md5);
    assert_eq!(
        ranges(&mock),
        vec![
            format!("GET {} -", upload_path()),
            format!("PUT {} bytes 131072-307199/307200", upload_path()),
            format!("POST {} -", upload_path()),
        ]
    );
}

#[tokio::test]
async fn the_servers_checksum_is_verified() {
    let (_dir, path, _) = file();
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(TOTAL));
    mock.route(
        Method::POST,
        &upload_path(),
        finalized("0123456789abcdef0123456789abcdef"),
    );
    let err = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default())
        .await
        .expect_err("mismatch");
    assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
}

#[tokio::test]
async fn a_foreign_upload_url_is_not_followed() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(
        Method::PUT,
        "/chunked_upload/",
        MockResponse::json(200, json!({"id": ID, "url": format!("https://evil.example/chunked_upload/{ID}/"), "offset": CHUNK})),
    );
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(CHUNK * 2))
        .await
        .expect("uploaded");
    assert!(
        mock.requests()
            .iter()
            .all(|r| r.url.host_str() == Some("synapse.test"))
    );
}

#[tokio::test]
async fn bad_input_fails_before_any_request() {
    let mock = MockTransport::new();
    let c = client(&mock);
    let err = c
        .create_chunked_upload("/definitely/not/here.bin")
        .options(ChunkedUploadOptions::default())
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let dir = tempfile::tempdir().expect("tmp");
    let empty = dir.path().join("empty.bin");
    std::fs::write(&empty, b"").expect("write");
    let err = c
        .create_chunked_upload(&empty)
        .options(ChunkedUploadOptions::default())
        .await
        .expect_err("empty");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let (_d, path, _) = file();
    let err = c
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(0))
        .await
        .expect_err("zero chunk");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .create_chunked_upload(dir.path())
        .options(ChunkedUploadOptions::default())
        .await
        .expect_err("directory");
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn get_chunked_upload_decodes_the_state() {
    let mock = MockTransport::new();
    mock.route(Method::GET, &upload_path(), state(CHUNK));
    let s = client(&mock).get_chunked_upload(ID).await.expect("state");
    assert_eq!(s.offset, Some(CHUNK));
    assert!(!s.is_complete());
    insta::assert_json_snapshot!(mock.requests()[0].snapshot(), @r#"
    {
      "body": null,
      "headers": {
        "synapse-access-token": "***"
      },
      "method": "GET",
      "url": "https://synapse.test/chunked_upload/00000000-0000-4000-8000-000000000001/"
    }
    "#);
    mock.route(
        Method::GET,
        &upload_path(),
        MockResponse::json(410, json!({"detail": "Upload has expired"})),
    );
    let err = client(&mock).get_chunked_upload(ID).await.expect_err("410");
    assert_eq!(err.status_code(), Some(410));
}

#[tokio::test(start_paused = true)]
async fn a_failed_upload_carries_its_checkpoint_and_resumes_from_the_error_alone() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route(
        Method::PUT,
        &upload_path(),
        MockResponse::json(403, json!({"detail": "quota exceeded"})),
    );
    let options = ChunkedUploadOptions::default().chunk_size(CHUNK);
    let err = client(&mock)
        .create_chunked_upload(&path)
        .options(options.clone())
        .await
        .expect_err("403 ends the upload");
    assert!(matches!(err, Error::UploadInterrupted { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403), "looks through");
    assert!(
        err.to_string()
            .contains("stopped at 131072 of 307200 bytes"),
        "{err}"
    );
    let checkpoint = err.checkpoint().cloned().expect("a checkpoint");
    assert_eq!(checkpoint.offset, CHUNK);
    assert_eq!(checkpoint.size, TOTAL);
    assert_eq!(checkpoint.path, path);

    // No callback was registered: the error alone resumes the upload.
    let mock = MockTransport::new();
    mock.route(Method::GET, &upload_path(), state(CHUNK));
    mock.route(Method::PUT, &upload_path(), state(2 * CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(options.resume(checkpoint))
        .await
        .expect("resumed");
    assert_eq!(upload.md5, md5);
    assert_eq!(
        ranges(&mock),
        vec![
            format!("GET {} -", upload_path()),
            format!("PUT {} bytes 131072-262143/307200", upload_path()),
            format!("PUT {} bytes 262144-307199/307200", upload_path()),
            format!("POST {} -", upload_path()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_state_lookup_does_not_end_recovery_while_recoveries_remain() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route(Method::PUT, &upload_path(), MockFailure::Reset);
    mock.route(
        Method::GET,
        &upload_path(),
        MockResponse::json(500, json!({"detail": "db"})),
    );
    mock.route(Method::GET, &upload_path(), state(CHUNK));
    mock.route(Method::PUT, &upload_path(), state(2 * CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(CHUNK))
        .await
        .expect("recovered after a failed lookup");
    assert_eq!(upload.md5, md5);
    assert_eq!(upload.recoveries, 2);
    assert_eq!(mock.unused_replies(), 0);
}

#[tokio::test(start_paused = true)]
async fn when_recoveries_run_out_the_error_still_resumes() {
    let (_dir, path, _) = file();
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route_always(Method::PUT, &upload_path(), MockFailure::Reset);
    mock.route_always(Method::GET, &upload_path(), state(CHUNK));
    let err = client(&mock)
        .create_chunked_upload(&path)
        .options(
            ChunkedUploadOptions::default()
                .chunk_size(CHUNK)
                .max_recoveries(2),
        )
        .await
        .expect_err("gives up");
    assert_eq!(err.checkpoint().map(|c| c.offset), Some(CHUNK));
    assert!(matches!(
        err,
        Error::UploadInterrupted { ref source, .. } if matches!(**source, Error::ResponseIncomplete { .. })
    ));
}

#[tokio::test]
async fn answers_that_contradict_the_chunk_are_protocol_errors() {
    let (_dir, path, _) = file();
    for answer in [0, TOTAL + 5] {
        let mock = MockTransport::new();
        mock.route(Method::PUT, "/chunked_upload/", state(answer));
        let err = client(&mock)
            .create_chunked_upload(&path)
            .options(ChunkedUploadOptions::default().chunk_size(CHUNK))
            .await
            .expect_err("contradiction");
        assert!(matches!(err, Error::Protocol { .. }), "{answer}: {err:?}");
        assert_eq!(mock.request_count(), 1, "nothing re-sent");
    }
    // A state beyond the file, read back after an interruption.
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    mock.route(Method::PUT, &upload_path(), MockFailure::Reset);
    mock.route(Method::GET, &upload_path(), state(TOTAL * 2));
    let err = client(&mock)
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(CHUNK))
        .await
        .expect_err("contradiction");
    assert!(
        matches!(err, Error::UploadInterrupted { ref source, .. } if matches!(**source, Error::Protocol { .. })),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn recoveries_wait_as_the_recovery_policy_says_and_honour_retry_after() {
    let (_dir, path, data) = file();
    let md5 = md5_hex(&data);
    let mock = MockTransport::new();
    mock.route(Method::PUT, "/chunked_upload/", state(CHUNK));
    // Second chunk: a 503 with Retry-After 7 s; the recovery waits exactly that.
    mock.route(
        Method::PUT,
        &upload_path(),
        MockResponse::json(503, json!({"detail": "busy"})).header("Retry-After", "7"),
    );
    mock.route(Method::GET, &upload_path(), state(CHUNK));
    mock.route(Method::PUT, &upload_path(), state(2 * CHUNK));
    // Third chunk: a reset; the second recovery waits the policy's backoff (1 s · 2).
    mock.route(Method::PUT, &upload_path(), MockFailure::Reset);
    mock.route(Method::GET, &upload_path(), state(2 * CHUNK));
    mock.route(Method::PUT, &upload_path(), state(TOTAL));
    mock.route(Method::POST, &upload_path(), finalized(&md5));
    let policy = RetryPolicy::default()
        .jitter(false)
        .initial_backoff(std::time::Duration::from_secs(1))
        .max_attempts(3);
    let started = tokio::time::Instant::now();
    let upload = client(&mock)
        .create_chunked_upload(&path)
        .options(
            ChunkedUploadOptions::default()
                .chunk_size(CHUNK)
                .recovery_policy(policy),
        )
        .await
        .expect("recovered twice");
    assert_eq!(upload.md5, md5);
    assert_eq!(upload.recoveries, 2);
    assert_eq!(started.elapsed(), std::time::Duration::from_secs(9));
    assert_eq!(mock.unused_replies(), 0);
    // One GET per recovery: the lookup is not retried underneath the recovery loop.
    let gets = mock
        .requests()
        .iter()
        .filter(|r| r.method == Method::GET)
        .count();
    assert_eq!(gets, 2);
}
