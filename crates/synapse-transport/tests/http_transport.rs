//! `HttpTransport` against tiny raw servers on 127.0.0.1: exact bytes on the wire and the
//! mapping of real socket failures.

mod common;

use common::http_client;

use std::time::Duration;

use synapse_transport::{
    Client, ConnectKind, Error, FileRange, HttpConfig, HttpTransport, Multipart, RetryPolicy,
    TimeoutKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Reads one HTTP/1.1 request (head + Content-Length body) from the socket.
async fn read_request(sock: &mut tokio::net::TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.expect("read");
        assert!(n > 0, "client closed early");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "body cut short");
        body.extend_from_slice(&chunk[..n]);
    }
    (head, body)
}

#[tokio::test]
async fn multipart_streams_the_file_range_with_an_exact_content_length() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).expect("write");
    let body = Multipart::new().text("filename", "big.bin").file(
        "file",
        "file",
        FileRange::new(&path, 100_000, 400_000),
    );
    let expected = body.to_bytes().await.expect("encode");

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let (head, body) = read_request(&mut sock).await;
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
            .await
            .expect("write");
        (head, body)
    });
    http_client(&base, HttpConfig::backend())
        .put("chunked_upload/")
        .header("Content-Range", "bytes 100000-499999/600000")
        .multipart(body.clone())
        .send()
        .await
        .expect("sent");
    let (head, received) = server.await.expect("server");
    let head_lc = head.to_ascii_lowercase();
    assert!(
        head.starts_with("PUT /chunked_upload/ HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head_lc.contains(&format!("content-length: {}\r\n", expected.len())),
        "{head}"
    );
    assert!(!head_lc.contains("transfer-encoding"), "{head}");
    assert!(head_lc.contains(&format!(
        "content-type: multipart/form-data; boundary={}\r\n",
        body.boundary()
    )));
    assert!(head_lc.contains("content-range: bytes 100000-499999/600000\r\n"));
    assert!(head_lc.contains("user-agent: synapse-rs/"));
    assert!(head_lc.contains("accept: */*"));
    assert_eq!(received, expected.to_vec());
}

#[tokio::test]
async fn refused_connections_are_typed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = http_client(&format!("http://{addr}/"), HttpConfig::backend())
        .post("plugins/1/run/")
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            Error::Connect {
                kind: ConnectKind::Refused,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.status_code(), None);
}

#[tokio::test]
async fn read_timeouts_differ_for_get_and_post() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = read_request(&mut sock).await;
            held.push(sock); // never answer
        }
    });
    let config = HttpConfig::with_timeouts(Duration::from_secs(2), Duration::from_millis(200));
    let c = http_client(&base, config);
    let err = c.get("jobs/1/").send().await.expect_err("timeout");
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Read,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.status_code(), Some(408));
    let err = c.post("plugins/1/run/").send().await.expect_err("timeout");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
    assert!(
        err.is_timeout(),
        "a POST read timeout is a timeout: {err:?}"
    );
    assert_eq!(
        err.status_code(),
        None,
        "outcome unknown, as the Python SDK"
    );
    // A per-request override is honoured.
    let err = c
        .get("jobs/1/")
        .read_timeout(synapse_transport::ReadTimeout::After(
            Duration::from_millis(50),
        ))
        .send()
        .await
        .expect_err("timeout");
    assert!(err.is_timeout());
}

#[tokio::test]
async fn a_truncated_body_is_response_incomplete() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let _ = read_request(&mut sock).await;
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"id\": 1")
            .await;
        // dropped: the connection closes 92 bytes early
    });
    let err = http_client(&base, HttpConfig::backend())
        .get("jobs/1/")
        .send()
        .await
        .expect_err("truncated");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
}

#[test]
fn agent_and_backend_timeout_defaults() {
    let b = HttpConfig::backend();
    assert_eq!(
        (b.connect_timeout, b.read_timeout),
        (Duration::from_secs(5), Duration::from_secs(15))
    );
    let a = HttpConfig::agent();
    assert_eq!(
        (a.connect_timeout, a.read_timeout),
        (Duration::from_secs(3), Duration::from_secs(10))
    );
    assert!(
        HttpTransport::new(HttpConfig {
            proxy: Some("::not a url::".into()),
            ..HttpConfig::backend()
        })
        .is_err()
    );
}

#[tokio::test]
async fn streamed_bodies_yield_before_the_end_and_report_a_drop() {
    use futures_util::StreamExt;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let _ = read_request(&mut sock).await;
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n7\r\nline 1\n\r\n")
            .await;
        // Hold the rest until the client proves it already has the first line.
        let _ = release_rx.await;
        let _ = sock.write_all(b"7\r\nline 2\n\r\n").await;
        // Then drop the connection without the terminating chunk.
    });
    let resp = http_client(&base, HttpConfig::backend())
        .get("jobs/1/tail_console_logs/")
        .read_timeout(synapse_transport::ReadTimeout::Never)
        .stream()
        .send()
        .await
        .expect("headers");
    let mut stream = resp.into_stream();
    let first = stream.next().await.expect("first").expect("ok");
    assert_eq!(&first[..], b"line 1\n");
    release_tx.send(()).expect("release");
    let mut rest = Vec::new();
    let mut failed = false;
    while let Some(item) = stream.next().await {
        match item {
            Ok(b) => rest.extend_from_slice(&b),
            Err(e) => {
                assert!(matches!(e, Error::ResponseIncomplete { .. }), "{e:?}");
                failed = true;
            }
        }
    }
    assert_eq!(rest, b"line 2\n");
    assert!(failed, "a cut chunked body must end with an error");
}

#[tokio::test]
async fn a_raw_file_body_streams_the_range_with_its_length_and_type() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("part.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &data).expect("write");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let (head, body) = read_request(&mut sock).await;
        sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .expect("write");
        (head, body)
    });
    http_client(&base, HttpConfig::backend())
        .put("upload/")
        .body(synapse_transport::Body::File {
            content_type: Some("image/png".into()),
            range: FileRange::new(&path, 1000, 250_000),
        })
        .send()
        .await
        .expect("sent");
    let (head, body) = server.await.expect("server");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-length: 250000\r\n"), "{head}");
    assert!(head.contains("content-type: image/png\r\n"), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");
    assert_eq!(body, data[1000..251_000].to_vec());
}

/// Serves `n` requests on one listener and returns each request head, lower-cased.
async fn heads_of(n: usize) -> (String, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let mut heads = Vec::new();
        let (mut sock, _) = listener.accept().await.expect("accept");
        for _ in 0..n {
            let (head, _) = read_request(&mut sock).await;
            heads.push(head.to_ascii_lowercase());
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .await
                .expect("write");
        }
        heads
    });
    (base, server)
}

#[tokio::test]
async fn body_less_writes_send_content_length_zero_and_reads_send_none() {
    let (base, server) = heads_of(6).await;
    let c = http_client(&base, HttpConfig::backend());
    for method in ["POST", "PUT", "PATCH", "DELETE", "GET", "OPTIONS"] {
        let method = synapse_transport::Method::from_bytes(method.as_bytes()).expect("method");
        c.request(method, "x/").send().await.expect("sent");
    }
    let heads = server.await.expect("server");
    for head in &heads[..4] {
        assert_eq!(head.matches("content-length: 0\r\n").count(), 1, "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
    }
    for head in &heads[4..] {
        assert!(!head.contains("content-length"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
    }
}

#[tokio::test]
async fn a_json_body_carries_one_exact_content_length() {
    let (base, server) = heads_of(1).await;
    http_client(&base, HttpConfig::backend())
        .post("x/")
        .json(&serde_json::json!({"a": 1}))
        .send()
        .await
        .expect("sent");
    let head = &server.await.expect("server")[0];
    assert_eq!(head.matches("content-length").count(), 1, "{head}");
    assert!(head.contains("content-length: 7\r\n"), "{head}");
}

#[tokio::test]
async fn credentials_never_reach_another_origin_on_the_wire() {
    let home = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let other = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/api/", home.local_addr().expect("addr"));
    let elsewhere = format!("http://{}/x/", other.local_addr().expect("addr"));
    let serve = |listener: TcpListener| {
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.expect("accept");
            let (head, _) = read_request(&mut sock).await;
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .await
                .expect("write");
            head.to_ascii_lowercase()
        })
    };
    let (home_head, other_head) = (serve(home), serve(other));
    let c = Client::builder(&base)
        .retry_policy(RetryPolicy::never())
        .secret_header(
            "Synapse-Access-Token",
            "Token ",
            &synapse_transport::Secret::new("acc-secret"),
        )
        .default_query("url_host", "internal")
        .build()
        .expect("client");
    c.get(elsewhere.as_str())
        .send()
        .await
        .expect("other origin");
    c.get("jobs/").send().await.expect("home");
    let other_head = other_head.await.expect("server");
    assert!(!other_head.contains("synapse-access-token"), "{other_head}");
    assert!(!other_head.contains("acc-secret"), "{other_head}");
    assert!(
        other_head.starts_with("get /x/ http/1.1\r\n"),
        "{other_head}"
    );
    let home_head = home_head.await.expect("server");
    assert!(
        home_head.contains("synapse-access-token: token acc-secret\r\n"),
        "{home_head}"
    );
    assert!(
        home_head.starts_with("get /api/jobs/?url_host=internal http/1.1"),
        "{home_head}"
    );
}

#[tokio::test]
async fn a_10_mib_error_body_is_read_only_up_to_the_limit() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let total = 10 * 1024 * 1024;
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let _ = read_request(&mut sock).await;
        let head = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {total}\r\n\r\n"
        );
        sock.write_all(head.as_bytes()).await.expect("head");
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0usize;
        while sent < total {
            // The client stops reading: the write fails or stalls, never completes.
            match tokio::time::timeout(Duration::from_secs(2), sock.write_all(&chunk)).await {
                Ok(Ok(())) => sent += chunk.len(),
                _ => break,
            }
        }
        sent
    });
    let err = http_client(&base, HttpConfig::backend())
        .get("jobs/")
        .send()
        .await
        .expect_err("400");
    let api = err.api().expect("api");
    assert_eq!(api.status.as_u16(), 400);
    assert!(api.is_truncated());
    assert!(format!("{err:?}").len() < 2048);
    let sent = server.await.expect("server");
    assert!(
        sent < total,
        "the client read the whole 10 MiB body ({sent} bytes sent)"
    );
}

#[tokio::test]
async fn a_success_body_over_the_configured_cap_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let _ = read_request(&mut sock).await;
        let body = vec![b'1'; 4096];
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(&body).await;
    });
    let config = HttpConfig {
        max_body_bytes: 1024,
        ..HttpConfig::backend()
    };
    let err = http_client(&base, config)
        .get("jobs/")
        .send()
        .await
        .expect_err("too large");
    assert!(matches!(err, Error::StreamLimit { .. }), "{err:?}");
}

#[tokio::test]
async fn json_bodies_keep_the_callers_key_order_on_the_wire() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let mut bodies = Vec::new();
        for _ in 0..2 {
            let (_, body) = read_request(&mut sock).await;
            bodies.push(String::from_utf8(body).expect("utf8"));
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .await
                .expect("write");
        }
        bodies
    });
    let c = http_client(&base, HttpConfig::backend());
    c.post("x/")
        .json(&serde_json::json!({"zeta": 1, "alpha": {"y": 2, "b": 3}}))
        .send()
        .await
        .expect("sent");
    let mut map = serde_json::Map::new();
    map.insert("step".into(), 5.into());
    map.insert("loss".into(), 0.25.into());
    map.insert("accuracy".into(), 0.9.into());
    c.post("x/").json(&map).send().await.expect("sent");
    assert_eq!(
        server.await.expect("server"),
        [
            r#"{"zeta":1,"alpha":{"y":2,"b":3}}"#,
            r#"{"step":5,"loss":0.25,"accuracy":0.9}"#
        ]
    );
}
