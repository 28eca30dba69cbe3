//! Each retry emits one tracing event, without secrets. Kept in its own test binary: tracing
//! caches callsite interest process-wide, and another test hitting the same callsite
//! concurrently could race the thread-local subscriber installed here.

mod common;

use std::sync::{Arc, Mutex};

use serde_json::json;
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{Client, RetryPolicy, Secret};

const TOKEN: &str = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";
const ACCESS: &str = "acc-7f3e9c2b-SECRET";

fn client(mock: &MockTransport, policy: RetryPolicy) -> Client {
    Client::builder(common::BASE)
        .transport(mock.clone())
        .retry_policy(policy)
        .secret_header("Synapse-Access-Token", "Token ", &Secret::new(ACCESS))
        .secret_header("Authorization", "Token ", &Secret::new(TOKEN))
        .build()
        .expect("client")
}

fn assert_clean(text: &str) {
    assert!(!text.contains(TOKEN), "agent token leaked: {text}");
    assert!(!text.contains(ACCESS), "access token leaked: {text}");
}

/// Collects every tracing event's fields as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct V(String);
        impl tracing::field::Visit for V {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={:?} ", f.name(), v));
            }
        }
        let mut v = V(String::new());
        event.record(&mut v);
        if let Ok(mut events) = self.0.lock() {
            events.push(v.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(start_paused = true)]
async fn each_retry_emits_one_tracing_event_without_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = MockTransport::new();
    mock.push(MockResponse::json(503, json!({})))
        .push(MockFailure::Refused)
        .push(MockResponse::json(200, json!({})));
    client(&mock, common::deterministic())
        .get(format!("agents/{TOKEN}/"))
        .redact_segment(TOKEN)
        .send()
        .await
        .expect("retried");
    let events = capture.0.lock().expect("events").clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0].contains("attempt=1") && events[0].contains("delay_ms=2000"),
        "{}",
        events[0]
    );
    assert!(
        events[1].contains("attempt=2") && events[1].contains("connection refused"),
        "{}",
        events[1]
    );
    for e in &events {
        assert!(e.contains("agents/***/"), "{e}");
        assert_clean(e);
    }
}

#[tokio::test(start_paused = true)]
async fn server_text_in_retry_events_has_its_control_characters_escaped() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = MockTransport::new();
    let hostile = "busy\u{1b}[2J\r\n2026-12-04 INFO forged line\u{202e}";
    mock.push(MockResponse::json(503, json!({"detail": hostile})))
        .push(MockResponse::bytes(503, hostile))
        .push(MockResponse::json(200, json!({})));
    client(&mock, common::deterministic())
        .get("jobs/")
        .send()
        .await
        .expect("retried");
    let events = capture.0.lock().expect("events").clone();
    assert_eq!(events.len(), 2, "{events:?}");
    for e in &events {
        assert!(e.contains("busy\\u{1b}[2J\\r\\n2026-12-04"), "{e}");
        assert!(
            !e.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{e:?}"
        );
    }
}
