//! Bulk (presigned) upload over real HTTP: files reserved, sent straight to the fake's
//! object store (single PUTs and a multipart upload, a 503 of the storage host retried),
//! confirmed as data files that checksums and data units then resolve; the storage host's
//! refusals (a tampered signature, Synapse credentials), a confirm for a key never stored,
//! and reserve / confirm bodies that name every bad field.

use std::path::{Path, PathBuf};

use serde_json::json;
use sha1::{Digest, Sha1};
use synapse_backend::models::{
    ConfirmFileRequest, ConfirmMultipart, ConfirmPart, PresignedFileRequest,
};
use synapse_backend::{BulkUploadOptions, BulkUploadOutcome, DownloadOptions};
use synapse_e2e::{api_error_status, start, start_with};
use synapse_fake::{FakeConfig, Fault};
use synapse_transport::{ApiErrorKind, Method};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// A small JPEG-looking file.
fn jpeg(shift: u8) -> Vec<u8> {
    let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    bytes.extend((0..2000u32).map(|i| (i as u8).wrapping_add(shift)));
    bytes
}

#[tokio::test]
async fn bulk_uploaded_files_become_data_files_that_units_reference() {
    let (fake, client) = start_with(FakeConfig {
        presigned_part_size: 4096,
        ..FakeConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let text = b"hello".to_vec();
    let image = jpeg(3);
    let cloud: Vec<u8> = b"# .PCD v0.7\n"
        .iter()
        .copied()
        .chain((0..10_000u32).map(|i| b"0123456789 \n"[(i % 12) as usize]))
        .collect();
    let paths = [
        write(dir.path(), "a.txt", &text),
        write(dir.path(), "b.jpg", &image),
        write(dir.path(), "c.pcd", &cloud),
    ];
    // The first request to the storage host fails; the PUT is retried.
    fake.inject(Fault::status(503, 1).path("/_storage/"));

    let report = client
        .upload_files_bulk(paths.clone())
        .options(BulkUploadOptions::default().max_workers(2))
        .await
        .expect("bulk upload");
    assert_eq!(report.created_count(), 3, "{report:?}");
    let mut ids = Vec::new();
    for (item, bytes) in report.items.iter().zip([&text, &image, &cloud]) {
        match &item.outcome {
            BulkUploadOutcome::Uploaded {
                data_file_id,
                checksum,
                size,
                file_key,
            } => {
                assert_eq!(checksum, &sha1_hex(bytes));
                assert_eq!(*size, bytes.len() as u64);
                assert!(file_key.starts_with("tenants/1/files/"), "{file_key}");
                ids.push(data_file_id.expect("a data file id"));
            }
            other => panic!("{}: {other:?}", item.path.display()),
        }
    }
    // 1 + 1 single PUTs, 3 parts of 4096 bytes for the 10 KiB cloud, 1 retry.
    assert_eq!(fake.count(&Method::PUT, "/_storage/"), 6);
    assert_eq!(fake.count(&Method::GET, "/storages/?category=internal"), 1);
    assert_eq!(
        fake.count(&Method::POST, "/data_files/presigned_upload/upload/"),
        1
    );
    assert_eq!(
        fake.count(
            &Method::POST,
            "/data_files/presigned_upload/confirm_upload/"
        ),
        1
    );

    // The data files are known by their SHA-1.
    let asked = [sha1_hex(&text), sha1_hex(&image), sha1_hex(&cloud)];
    let known = client
        .verify_data_files_checksums(&asked)
        .await
        .expect("verify");
    assert_eq!(known.existing_checksums, Some(asked.to_vec()));

    // A data unit references the image by checksum; its file URL serves the same bytes.
    // (The collection as a numeric string, as DRF accepts it: the Python SDK sends the
    // caller's body unchanged.)
    let unit = client
        .create_data_units(&json!({
            "data_collection": "1",
            "files": {"image_1": {"checksum": sha1_hex(&image), "path": "b.jpg"}},
        }))
        .await
        .expect("unit");
    let unit_id = unit["id"].as_i64().expect("id");
    let unit = client
        .get_data_unit(unit_id)
        .expand("files")
        .await
        .expect("unit");
    let files = unit.files.expect("expanded").to_value();
    assert_eq!(files["image_1"]["checksum"], json!(sha1_hex(&image)));
    let url = files["image_1"]["url"].as_str().expect("url").to_owned();
    let got = client
        .download_files(&[&url], DownloadOptions::new(dir.path().join("media")))
        .await;
    let path = got.into_iter().next().expect("one").expect("downloaded");
    assert_eq!(std::fs::read(path).expect("read"), image);

    // The same content again is the same data files.
    let again = client
        .upload_files_bulk(paths.clone())
        .await
        .expect("bulk upload");
    let again_ids: Vec<_> = again
        .items
        .iter()
        .map(|i| match &i.outcome {
            BulkUploadOutcome::Uploaded { data_file_id, .. } => data_file_id.expect("id"),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(again_ids, ids);
}

/// Sends a raw `PUT` of `body` to `url` with `extra` header lines; returns the status and
/// the body.
async fn raw_put(url: &str, extra: &str, body: &[u8]) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("http");
    let (host, target) = rest.split_at(rest.find('/').expect("path"));
    let mut sock = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "PUT {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await.expect("write");
    sock.write_all(body).await.expect("write");
    let mut answer = Vec::new();
    sock.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer[9..12].parse().expect("status");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn storage_refuses_bad_requests_and_confirm_checks_what_was_stored() {
    let (_fake, client) = start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = write(dir.path(), "a.txt", b"hello");
    let reserve = |name: &str| PresignedFileRequest {
        filename: name.into(),
        size: 5,
        content_type: Some("text/plain".into()),
    };
    let reservation = client
        .request_presigned_upload([reserve("a.txt"), reserve("b.txt")])
        .await
        .expect("reserve");
    let entries = reservation.files.expect("files");
    assert_eq!(entries.len(), 2);
    assert!(reservation.expires_at.is_some());
    let key = |i: usize| entries[i].file_key.clone().expect("key");
    let url = |i: usize| entries[i].presigned_url.clone().expect("url");
    assert!(entries.iter().all(|e| e.multipart.is_none()));

    // A tampered signature: S3's 403, typed, with its code.
    let tampered = format!("{}0", url(0));
    let err = client
        .upload_file_to_presigned_url(tampered, &path)
        .await
        .expect_err("refused");
    let api = err.api().expect("api");
    assert_eq!(api.kind, ApiErrorKind::Forbidden);
    assert!(
        api.detail().to_string().contains("SignatureDoesNotMatch"),
        "{api:?}"
    );
    // Synapse credentials sent to the storage host are refused.
    let (status, body) = raw_put(&url(0), "Synapse-Access-Token: Token t\r\n", b"hello").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    let (status, body) = raw_put(&url(0), "Authorization: Token t\r\n", b"hello").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>InvalidArgument</Code>"), "{body}");

    // The real PUT of the first file; the second is never sent.
    let put = client
        .upload_file_to_presigned_url(url(0), &path)
        .content_type("text/plain")
        .await
        .expect("put");
    assert_eq!(put.checksum, sha1_hex(b"hello"));
    let confirm = |key: String, checksum: &str| ConfirmFileRequest {
        file_key: key,
        checksum: checksum.into(),
        size: 5,
        multipart: None,
    };
    let result = client
        .confirm_presigned_upload([
            confirm(key(0), &"0".repeat(40)),
            confirm(key(1), &put.checksum),
            confirm("tenants/1/files/never/reserved.txt".into(), &put.checksum),
        ])
        .await
        .expect("confirm");
    assert_eq!(result.created_count, Some(0));
    assert_eq!(result.failed_count, Some(3));
    let results = result.results.expect("results");
    let errors: Vec<String> = results
        .iter()
        .map(|r| r.error.clone().expect("an error"))
        .collect();
    assert!(errors[0].starts_with("Checksum mismatch"), "{errors:?}");
    assert_eq!(errors[1], format!("File not found in storage: {}", key(1)));
    assert!(errors[2].contains("never reserved"), "{errors:?}");
    assert!(results.iter().all(|r| r.data_file_id.is_none()));

    // Confirmed with the right checksum: a new data file, then the same one again.
    let ok = client
        .confirm_presigned_upload([confirm(key(0), &put.checksum)])
        .await
        .expect("confirm");
    let first = &ok.results.expect("results")[0];
    assert_eq!(first.success, Some(true));
    assert_eq!(first.created, Some(true));
    let again = client
        .confirm_presigned_upload([confirm(key(0), &put.checksum)])
        .await
        .expect("confirm");
    let second = &again.results.expect("results")[0];
    assert_eq!(second.data_file_id, first.data_file_id);
    assert_eq!(second.created, Some(false));

    // Bodies: every bad field at once, list items as DRF nests them.
    let body = api_error_status(
        client
            .request_presigned_upload([
                reserve("ok.txt"),
                PresignedFileRequest {
                    filename: String::new(),
                    size: 0,
                    content_type: None,
                },
            ])
            .expiration(30)
            .await,
        400,
        ApiErrorKind::BadRequest,
    );
    assert_eq!(
        body,
        json!({
            "expiration": ["Ensure this value is greater than or equal to 60."],
            "files": [{}, {
                "filename": ["This field may not be blank."],
                "size": ["Ensure this value is greater than or equal to 1."],
            }],
        })
    );
    let body = api_error_status(
        client
            .confirm_presigned_upload([
                confirm(key(0), &put.checksum),
                ConfirmFileRequest {
                    file_key: String::new(),
                    checksum: String::new(),
                    size: 0,
                    multipart: Some(ConfirmMultipart {
                        upload_id: String::new(),
                        parts: vec![ConfirmPart {
                            part_number: 0,
                            etag: "\"e\"".into(),
                        }],
                    }),
                },
            ])
            .await,
        400,
        ApiErrorKind::BadRequest,
    );
    assert_eq!(
        body,
        json!({"files": [{}, {
            "file_key": ["This field may not be blank."],
            "checksum": ["This field may not be blank."],
            "size": ["Ensure this value is greater than or equal to 1."],
            "multipart": {
                "upload_id": ["This field may not be blank."],
                "parts": [{"part_number": ["Ensure this value is greater than or equal to 1."]}],
            },
        }]})
    );
    let body = api_error_status(
        client.confirm_presigned_upload([]).await,
        400,
        ApiErrorKind::BadRequest,
    );
    assert_eq!(body, json!({"files": ["This list may not be empty."]}));
}
