//! v2 event streams over real sockets on 127.0.0.1, where a timing or reconnection defect
//! would live: the idle timeout against real reads, reconnection after a close, a cut and a
//! silence, with `Last-Event-ID` on the wire.

mod common;

use std::time::Duration;

use futures_util::StreamExt;
use synapse_transport::v2::{SseOptions, SseStream};
use synapse_transport::{Error, HttpConfig, RetryPolicy, SseEvent, TimeoutKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What the server does on one connection, after reading the request head.
enum Act {
    Write(String),
    Sleep(u64),
    /// Keeps the connection open without sending anything.
    Hold,
}

const HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\r\n";

fn write(text: &str) -> Act {
    Act::Write(text.to_owned())
}

/// Serves one script per connection, in order; the request heads arrive on the channel.
async fn serve(scripts: Vec<Vec<Act>>) -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let (heads, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut open = Vec::new();
        for script in scripts {
            let (mut sock, _) = listener.accept().await.expect("accept");
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = sock.read(&mut chunk).await.expect("read");
                assert!(n > 0, "client closed early");
                buf.extend_from_slice(&chunk[..n]);
            }
            let _ = heads.send(String::from_utf8_lossy(&buf).to_ascii_lowercase());
            let mut hold = false;
            for act in script {
                match act {
                    Act::Write(text) => {
                        if sock.write_all(text.as_bytes()).await.is_err() {
                            break;
                        }
                        let _ = sock.flush().await;
                    }
                    Act::Sleep(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                    Act::Hold => hold = true,
                }
            }
            if hold {
                open.push(sock);
            }
        }
        // Keep held connections open until the test ends.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(open);
    });
    (base, received)
}

fn stream(base: &str, options: SseOptions) -> SseStream {
    let client = common::http_client(base, HttpConfig::backend_v2());
    let request = client.get("v2/async_jobs/j-1/progress/").build();
    SseStream::new(client, request, options)
}

fn names(items: &[Result<SseEvent, Error>]) -> Vec<String> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|e| format!("{}:{}", e.event, e.data))
        .collect()
}

#[tokio::test]
async fn the_idle_timeout_over_a_socket_is_reset_by_heartbeats_and_fires_on_silence() {
    let (base, mut heads) = serve(vec![vec![
        write(HEAD),
        write("data: a\n\n"),
        Act::Sleep(300),
        write(": heartbeat\n"),
        Act::Sleep(300),
        write("data: b\n\n"),
        Act::Hold,
    ]])
    .await;
    let start = Instant::now();
    let mut events = stream(
        &base,
        SseOptions::new().idle_timeout(Duration::from_millis(500)),
    );
    let mut items = Vec::new();
    let mut last_event_at = start;
    while let Some(item) = events.next().await {
        if item.is_ok() {
            last_event_at = Instant::now();
        }
        items.push(item);
    }
    let silence = last_event_at.elapsed();
    assert_eq!(names(&items), ["message:a", "message:b"]);
    assert_eq!(items.len(), 3);
    assert!(
        matches!(
            &items[2],
            Err(Error::Timeout {
                kind: TimeoutKind::Idle,
                ..
            })
        ),
        "{:?}",
        items[2]
    );
    // `b` came 600 ms after `a`, longer than the idle timeout: the heartbeat reset it.
    assert!(last_event_at - start >= Duration::from_millis(600));
    assert!(
        silence >= Duration::from_millis(450) && silence < Duration::from_millis(2500),
        "{silence:?}"
    );
    let head = heads.recv().await.expect("head");
    assert!(
        head.starts_with("get /v2/async_jobs/j-1/progress/ http/1.1\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\naccept: text/event-stream\r\n"), "{head}");
}

#[tokio::test]
async fn a_closed_stream_reconnects_after_retry_with_last_event_id() {
    let (base, mut heads) = serve(vec![
        vec![write(HEAD), write("retry: 50\nid: 41\ndata: a\n\n")],
        vec![
            write(HEAD),
            write("id: 42\nevent: done\ndata: b\n\n"),
            Act::Hold,
        ],
    ])
    .await;
    let options = SseOptions::new()
        .reconnect(2)
        .terminal_events(["done"])
        .idle_timeout(Duration::from_secs(5));
    let start = Instant::now();
    let items: Vec<_> = stream(&base, options).collect().await;
    assert_eq!(names(&items), ["message:a", "done:b"]);
    assert_eq!(items.len(), 2);
    assert!(start.elapsed() >= Duration::from_millis(50));
    let first = heads.recv().await.expect("first head");
    let second = heads.recv().await.expect("second head");
    assert!(!first.contains("last-event-id"), "{first}");
    assert!(second.contains("\r\nlast-event-id: 41\r\n"), "{second}");
    assert_eq!(first.lines().next(), second.lines().next());
}

#[tokio::test]
async fn a_silent_then_a_cut_connection_reconnect_and_no_partial_event_escapes() {
    let (base, mut heads) = serve(vec![
        vec![write(HEAD), write("id: 1\ndata: a\n\n"), Act::Hold],
        vec![write(HEAD), write("id: 2\ndata: b\n\ndata: par")],
        vec![
            write(HEAD),
            write("data: rest\n\nevent: done\ndata: end\n\n"),
            Act::Hold,
        ],
    ])
    .await;
    let options = SseOptions::new()
        .reconnect(3)
        .terminal_events(["done"])
        .idle_timeout(Duration::from_millis(300))
        .backoff(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .jitter(false),
        );
    let items: Vec<_> = stream(&base, options).collect().await;
    assert_eq!(
        names(&items),
        ["message:a", "message:b", "message:rest", "done:end"]
    );
    assert_eq!(items.len(), 4, "{items:?}");
    let _first = heads.recv().await.expect("head 1");
    let second = heads.recv().await.expect("head 2");
    let third = heads.recv().await.expect("head 3");
    assert!(second.contains("\r\nlast-event-id: 1\r\n"), "{second}");
    assert!(third.contains("\r\nlast-event-id: 2\r\n"), "{third}");
}

#[tokio::test]
async fn a_busy_reconnection_is_retried_and_a_persistent_503_is_typed() {
    let body = r#"{"error": {"code": "BUSY", "message": "hub"}, "meta": {"request_id": "r"}}"#;
    let busy = format!(
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let (base, _heads) = serve(vec![
        vec![write(HEAD), write("data: a\n\n")],
        vec![write(&busy)],
        vec![write(&busy)],
    ])
    .await;
    let options = SseOptions::new()
        .reconnect(2)
        .idle_timeout(Duration::from_secs(5))
        .backoff(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .jitter(false),
        );
    let items: Vec<_> = stream(&base, options).collect().await;
    assert_eq!(names(&items), ["message:a"]);
    let err = items[1].as_ref().expect_err("gave up");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.request_id(), Some("r"));
    assert_eq!(err.api().and_then(|e| e.retry_after), Some(Duration::ZERO));
}
