//! v2 event streams on the mock transport (paused clock where time matters): framing and
//! decoding, terminal events, idle timeout, reconnection and its limits.

mod common;

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::json;
use synapse_transport::mock::{MockChunk, MockFailure, MockResponse, MockTransport};
use synapse_transport::v2::{SseOperation, SseOptions, SseStream};
use synapse_transport::{
    Call, Client, Error, GiveUp, RequestBuilder, ResponseMode, RetryPolicy, SseEvent, StatusCode,
    TimeoutKind,
};
use tokio::time::Instant;

/// `GET /v2/code-servers/{id}/events/`.
struct StreamEvents {
    call: Call,
    options: SseOptions,
}

impl SseOperation for StreamEvents {
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("v2/code-servers/7/events/")
    }
    fn sse_options(&self) -> SseOptions {
        self.options.clone()
    }
}
synapse_transport::fluent_sse!(StreamEvents);

fn client(mock: &MockTransport, policy: RetryPolicy) -> Client {
    Client::builder(common::BASE)
        .transport(mock.clone())
        .retry_policy(policy)
        .default_query("url_host", "internal")
        .build()
        .expect("client")
}

fn events(mock: &MockTransport, options: SseOptions) -> SseStream {
    StreamEvents {
        call: Call::new(client(mock, RetryPolicy::never())),
        options,
    }
    .events()
}

fn stream_of(chunks: Vec<MockChunk>) -> MockResponse {
    MockResponse::chunked(200, chunks).header("content-type", "text/event-stream")
}

fn data(text: &str) -> MockChunk {
    MockChunk::Data(Bytes::copy_from_slice(text.as_bytes()))
}

async fn collect(stream: SseStream) -> Vec<Result<SseEvent, Error>> {
    stream.collect().await
}

fn ok(items: &[Result<SseEvent, Error>]) -> Vec<(String, String)> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|e| (e.event.clone(), e.data.clone()))
        .collect()
}

fn pair(event: &str, data: &str) -> (String, String) {
    (event.to_owned(), data.to_owned())
}

#[tokio::test]
async fn the_request_accepts_an_event_stream_with_the_default_query() {
    let mock = MockTransport::new();
    let op = StreamEvents {
        call: Call::new(client(&mock, RetryPolicy::never())),
        options: SseOptions::new(),
    }
    .query("since", 5);
    let request = op.request().expect("request");
    assert_eq!(
        request.full_url().as_str(),
        "https://synapse.test/v2/code-servers/7/events/?url_host=internal&since=5"
    );
    assert_eq!(request.headers["accept"], "text/event-stream");
    assert_eq!(request.response_mode, ResponseMode::Stream);
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn events_are_framed_by_the_standard_and_decoded_as_utf8_whatever_the_charset() {
    let mock = MockTransport::new();
    mock.push(
        MockResponse::chunked(
            200,
            vec![
                data("event: snapshot\r\nid: 1\r\ndata: {\"name\": \"caf"),
                MockChunk::Data(Bytes::from_static(b"\xC3")),
                MockChunk::Data(Bytes::from_static(b"\xA9\"}\r")),
                data("\n\r\n: heartbeat\ndata: line one\ndata:line two\n\n"),
            ],
        )
        .header("content-type", "text/event-stream; charset=iso-8859-1"),
    );
    let items = collect(events(&mock, SseOptions::new())).await;
    assert_eq!(
        ok(&items),
        [
            pair("snapshot", "{\"name\": \"café\"}"),
            pair("message", "line one\nline two"),
        ]
    );
    assert_eq!(items.len(), 2, "a clean end between events");
    let first = items[0].as_ref().expect("event");
    assert_eq!(first.id.as_deref(), Some("1"));
    assert_eq!(
        first.json::<serde_json::Value>().expect("json")["name"],
        "café"
    );
    let sent = &mock.requests()[0];
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
    assert_eq!(
        sent.url.as_str(),
        "https://synapse.test/v2/code-servers/7/events/?url_host=internal"
    );
}

#[tokio::test]
async fn a_terminal_event_ends_the_stream_once_yielded() {
    let mock = MockTransport::new();
    mock.push(stream_of(vec![
        data("event: status_update\ndata: a\n\nevent: close\ndata: bye\n\ndata: after\n\n"),
        MockChunk::Delay(Duration::from_secs(3600)),
    ]));
    let options = SseOptions::new().terminal_events(["close"]).reconnect(3);
    let mut stream = events(&mock, options);
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    assert_eq!(
        ok(&items),
        [pair("status_update", "a"), pair("close", "bye")]
    );
    assert_eq!(items.len(), 2);
    assert!(
        stream.next().await.is_none(),
        "still ended when polled again"
    );
    assert_eq!(mock.request_count(), 1);

    // A predicate over the data: the console tail's `complete` payload.
    let mock = MockTransport::new();
    mock.push(stream_of(vec![data(
        "data: {\"type\": \"log\"}\n\ndata: {\"type\": \"complete\"}\n\ndata: x\n\n",
    )]));
    let options = SseOptions::new().terminal(|e| {
        e.json::<serde_json::Value>()
            .is_ok_and(|v| v["type"] == "complete")
    });
    assert_eq!(collect(events(&mock, options)).await.len(), 2);
}

#[tokio::test]
async fn without_reconnection_a_cut_is_a_typed_error_and_the_stream_ends() {
    let mock = MockTransport::new();
    mock.push(stream_of(vec![data("data: a\n\ndata: half")]));
    let items = collect(events(&mock, SseOptions::new())).await;
    assert_eq!(ok(&items), [pair("message", "a")]);
    assert!(
        matches!(&items[1], Err(Error::ResponseIncomplete { message, .. }) if message.contains("inside an event")),
        "{:?}",
        items[1]
    );
    assert_eq!(items.len(), 2);

    let mock = MockTransport::new();
    mock.push(stream_of(vec![data("data: a\n\n"), MockChunk::Drop]));
    let items = collect(events(&mock, SseOptions::new())).await;
    assert_eq!(ok(&items), [pair("message", "a")]);
    assert!(matches!(&items[1], Err(Error::ResponseIncomplete { .. })));
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_idle_timeout_is_reset_by_any_bytes_comments_included() {
    let mock = MockTransport::new();
    let gap = Duration::from_secs(100);
    mock.push(stream_of(vec![
        data("data: a\n\n"),
        MockChunk::Delay(gap),
        data(": heartbeat\n"),
        MockChunk::Delay(gap),
        data(":"),
        MockChunk::Delay(gap),
        data(" still here\ndata: b\n\n"),
        MockChunk::Delay(Duration::from_secs(3600)),
    ]));
    let start = Instant::now();
    let items = collect(events(&mock, SseOptions::new())).await;
    assert_eq!(ok(&items), [pair("message", "a"), pair("message", "b")]);
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
    // 300 s of gaps, each under the 120 s idle timeout, then 120 s of silence.
    assert_eq!(start.elapsed(), Duration::from_secs(420));
}

#[tokio::test(start_paused = true)]
async fn a_reconnection_sends_last_event_id_after_the_servers_retry_delay() {
    let mock = MockTransport::new();
    mock.push(stream_of(vec![data("retry: 3000\nid: 41\ndata: a\n\n")]));
    mock.push(stream_of(vec![data("id: 42\nevent: done\ndata: b\n\n")]));
    let start = Instant::now();
    let options = SseOptions::new().reconnect(2).terminal_events(["done"]);
    let items = collect(events(&mock, options)).await;
    assert_eq!(ok(&items), [pair("message", "a"), pair("done", "b")]);
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("last-event-id"), None);
    assert_eq!(sent[1].header("last-event-id"), Some("41"));
    assert_eq!(sent[1].url, sent[0].url);
    assert_eq!(sent[1].header("accept"), Some("text/event-stream"));
}

#[tokio::test(start_paused = true)]
async fn a_429_on_reconnection_waits_retry_after_and_a_persistent_one_is_a_typed_error() {
    let mock = MockTransport::new();
    mock.push(stream_of(vec![data("data: a\n\n"), MockChunk::Drop]));
    mock.push(MockResponse::json(429, json!({})).header("retry-after", "7"));
    mock.push(MockResponse::json(503, json!({})).header("retry-after", "2"));
    let start = Instant::now();
    let options = SseOptions::new()
        .reconnect(2)
        .backoff(RetryPolicy::default().jitter(false));
    let items = collect(events(&mock, options)).await;
    assert_eq!(ok(&items), [pair("message", "a")]);
    assert_eq!(items.len(), 2);
    let err = items[1].as_ref().expect_err("gave up");
    let Error::RetriesExhausted {
        reason,
        attempts,
        history,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*reason, *attempts), (GiveUp::Attempts, 3));
    // The cut, then the 429: two waits (the first is the backoff, 2 s without jitter).
    let waits: Vec<Duration> = history.iter().map(|a| a.delay).collect();
    assert_eq!(waits, [Duration::from_secs(2), Duration::from_secs(7)]);
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        err.api().and_then(|e| e.retry_after),
        Some(Duration::from_secs(2))
    );
    assert_eq!(start.elapsed(), Duration::from_secs(9));
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_first_connection_goes_through_the_retry_policy_and_reconnections_do_not() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(503, json!({})));
    mock.push(MockFailure::Refused);
    mock.push(stream_of(vec![data("data: a\n\n"), MockChunk::Drop]));
    mock.push(MockResponse::json(503, json!({})));
    let op = StreamEvents {
        call: Call::new(client(&mock, common::deterministic())),
        options: SseOptions::new()
            .reconnect(1)
            .backoff(RetryPolicy::default().jitter(false)),
    };
    let items = collect(op.events()).await;
    assert_eq!(ok(&items), [pair("message", "a")]);
    // 3 attempts for the first connection (client policy), then one reconnection (sent
    // once, not retried by the client policy), then the stream gives up.
    assert_eq!(mock.request_count(), 4);
    assert_eq!(mock.unused_replies(), 0);
    let err = items[1].as_ref().expect_err("gave up");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));

    // A first connection that keeps failing fails as any GET would, whatever the stream's
    // reconnection settings.
    let mock = MockTransport::new();
    for _ in 0..4 {
        mock.push(MockResponse::json(429, json!({})).header("retry-after", "1"));
    }
    let op = StreamEvents {
        call: Call::new(client(&mock, common::deterministic())),
        options: SseOptions::new().reconnect(5),
    };
    let items = collect(op.events()).await;
    assert_eq!(items.len(), 1);
    let err = items[0].as_ref().expect_err("failed");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(
        err.api().and_then(|e| e.retry_after),
        Some(Duration::from_secs(1))
    );
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test(start_paused = true)]
async fn progress_restarts_the_count_and_the_total_cap_still_holds() {
    let mock = MockTransport::new();
    for i in 0..6 {
        mock.push(stream_of(vec![data(&format!(
            "event: heartbeat\ndata: {i}\n\n"
        ))]));
    }
    let options = SseOptions::new()
        .reconnect(1)
        .max_total_reconnects(3)
        .progress_events(["heartbeat"])
        .backoff(RetryPolicy::default().jitter(false));
    let items = collect(events(&mock, options)).await;
    // Every connection made progress, so only the total cap ends the stream.
    assert_eq!(ok(&items).len(), 4);
    assert!(matches!(
        items.last(),
        Some(Err(Error::RetriesExhausted {
            reason: GiveUp::Attempts,
            attempts: 4,
            ..
        }))
    ));
    assert_eq!(mock.request_count(), 4);

    // Events that are not progress do not restart the count.
    let mock = MockTransport::new();
    for _ in 0..3 {
        mock.push(stream_of(vec![data("event: connected\ndata: {}\n\n")]));
    }
    let options = SseOptions::new()
        .reconnect(1)
        .progress_events(["heartbeat"])
        .backoff(RetryPolicy::default().jitter(false));
    let items = collect(events(&mock, options)).await;
    assert_eq!(ok(&items).len(), 2);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn other_answers_on_reconnection_are_final_and_the_deadline_bounds_the_waits() {
    let mock = MockTransport::new();
    mock.push(stream_of(vec![data("data: a\n\n"), MockChunk::Drop]));
    mock.push(MockResponse::json(404, json!({"detail": "Not found."})));
    let items = collect(events(&mock, SseOptions::new().reconnect(5))).await;
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1].as_ref().expect_err("404").status(),
        Some(StatusCode::NOT_FOUND)
    );
    assert!(matches!(&items[1], Err(Error::Api(_))));

    let mock = MockTransport::new();
    mock.push(stream_of(vec![data("data: a\n\n"), MockChunk::Drop]));
    mock.push(MockResponse::json(503, json!({})).header("retry-after", "30"));
    let options = SseOptions::new()
        .reconnect(5)
        .deadline(Some(Duration::from_secs(20)))
        .backoff(RetryPolicy::default().jitter(false));
    let start = Instant::now();
    let items = collect(events(&mock, options)).await;
    assert!(
        matches!(
            items.last(),
            Some(Err(Error::RetriesExhausted {
                reason: GiveUp::TimeBudget,
                ..
            }))
        ),
        "{items:?}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn an_answer_that_is_not_an_event_stream_is_a_protocol_error() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"data": []})));
    let items = collect(events(&mock, SseOptions::new().reconnect(3))).await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(Error::Protocol { message }) if message.contains("application/json")),
        "{items:?}"
    );
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn an_oversized_event_is_a_stream_limit_after_the_events_before_it() {
    let mock = MockTransport::new();
    mock.push(stream_of(vec![
        data("data: small\n\n"),
        data(&format!("data: {}\n\n", "x".repeat(100))),
    ]));
    let options = SseOptions::new().max_event_bytes(64).reconnect(3);
    let items = collect(events(&mock, options)).await;
    assert_eq!(ok(&items), [pair("message", "small")]);
    assert!(
        matches!(&items[1], Err(Error::StreamLimit { .. })),
        "{items:?}"
    );
    assert_eq!(items.len(), 2);
    assert_eq!(mock.request_count(), 1);
}
