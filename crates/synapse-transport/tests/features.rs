//! What the crate's features change, checked in the build they describe: CI runs this file
//! under every offered feature combination (TLS backend, `gzip`, `http2`).

mod common;

use common::http_client;

use std::io::Write;

use synapse_transport::{Error, HttpConfig, HttpTransport, TLS_ENABLED};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one request with `head` + `body`, and returns the request's head.
async fn serve_once(head: String, body: Vec<u8>) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = sock.read(&mut chunk).await.expect("read");
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(&body).await;
        String::from_utf8_lossy(&buf).to_lowercase()
    });
    (base, task)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("compress");
    encoder.finish().expect("compress")
}

#[test]
fn the_compiled_tls_backend_builds_a_transport() {
    let expected = cfg!(any(
        feature = "rustls-aws-lc",
        feature = "rustls-ring",
        feature = "native-tls"
    ));
    assert_eq!(TLS_ENABLED, expected);
    // Building the client installs or finds a crypto provider: no panic, whatever the TLS
    // feature chosen.
    HttpTransport::new(HttpConfig::backend()).expect("transport");
    let config = HttpConfig {
        root_certificates_pem: vec![b"not a certificate".to_vec()],
        ..HttpConfig::backend()
    };
    let err = HttpTransport::new(config).expect_err("a bad root");
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    if !TLS_ENABLED {
        assert!(err.to_string().contains("no TLS"), "{err}");
    }
}

#[tokio::test]
async fn accept_encoding_follows_the_gzip_feature() {
    let (base, seen) = serve_once(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n".into(),
        b"{}".to_vec(),
    )
    .await;
    http_client(&base, HttpConfig::backend())
        .get("jobs/")
        .send_value()
        .await
        .expect("ok");
    let head = seen.await.expect("server");
    let header = head
        .lines()
        .find_map(|l| l.strip_prefix("accept-encoding: "))
        .map(str::trim);
    if cfg!(feature = "gzip") {
        assert_eq!(header, Some("gzip, deflate"), "{head}");
    } else {
        assert_eq!(header, None, "{head}");
    }
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn gzip_bodies_are_decoded() {
    let body = gzip(br#"{"id": 7, "status": "RUNNING"}"#);
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    let (base, _seen) = serve_once(head, body).await;
    let value = http_client(&base, HttpConfig::backend())
        .get("jobs/7/")
        .send_value()
        .await
        .expect("decoded");
    assert_eq!(value["id"], 7);
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn the_body_limit_counts_decoded_bytes() {
    // 10 KiB on the wire, 8 MiB once decoded: refused at the 1 MiB cap.
    let body = gzip(&vec![b' '; 8 * 1024 * 1024]);
    assert!(body.len() < 64 * 1024);
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    let (base, _seen) = serve_once(head, body).await;
    let config = HttpConfig {
        max_body_bytes: 1024 * 1024,
        ..HttpConfig::backend()
    };
    let err = http_client(&base, config)
        .get("jobs/")
        .send_value()
        .await
        .expect_err("too large once decoded");
    assert!(matches!(err, Error::StreamLimit { .. }), "{err:?}");
}

#[cfg(not(feature = "gzip"))]
#[test]
fn without_gzip_the_encoder_is_only_a_test_tool() {
    // Keeps the helper used in every build.
    assert!(gzip(b"x").starts_with(&[0x1f, 0x8b]));
}

#[tokio::test]
async fn https_runs_the_compiled_tls_backend_or_fails_clearly_without_one() {
    // A server that answers plain HTTP to a TLS client hello: the handshake must fail as a
    // typed TLS connection failure (the TLS stack ran, crypto provider included).
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let https = format!("https://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let _ = sock
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .await;
    });
    let err = http_client(&https, HttpConfig::backend())
        .get("jobs/")
        .send()
        .await
        .expect_err("no TLS server there");
    if TLS_ENABLED {
        assert!(
            matches!(
                err,
                Error::Connect {
                    kind: synapse_transport::ConnectKind::Tls,
                    ..
                }
            ),
            "{err:?}"
        );
    } else {
        assert!(
            err.is_connect() || matches!(err, Error::Transport { .. }),
            "{err:?}"
        );
    }
}
