//! Helpers shared by the test files.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{Map, Value, json};
use synapse_agent::AgentClient;
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::{Request, RetryPolicy};

/// The agent token used by the tests (never appears in a snapshot).
pub const AGENT_TOKEN: &str = "agent-token-fedcba9876543210";
/// The user token used by the tests.
pub const USER_TOKEN: &str = "user-token-13579";
/// The tenant used by the tests.
pub const TENANT: &str = "tenant-acme";

/// A client on the mock with all three credentials and no retries.
pub fn client(mock: &MockTransport) -> AgentClient {
    AgentClient::builder("http://agent.test:8000/", AGENT_TOKEN)
        .user_token(USER_TOKEN)
        .tenant(TENANT)
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

/// A client on the mock with the default retry policy.
pub fn retrying_client(mock: &MockTransport) -> AgentClient {
    AgentClient::builder("http://agent.test:8000/", AGENT_TOKEN)
        .transport(mock.clone())
        .build()
        .unwrap()
}

/// A 200 JSON answer.
pub fn ok(body: Value) -> MockResponse {
    MockResponse::json(200, body)
}

/// A JSON object as a map.
pub fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// Every request the mock received, as snapshot values, labelled in order.
pub fn labelled(mock: &MockTransport, labels: &[&str]) -> Value {
    let requests = mock.requests();
    assert_eq!(requests.len(), labels.len(), "{requests:#?}");
    let mut out = Map::new();
    for (label, r) in labels.iter().zip(&requests) {
        assert!(out.insert((*label).to_owned(), r.snapshot()).is_none());
    }
    Value::Object(out)
}

/// Request values (built without IO), labelled in order, as snapshot values: the same view
/// as [`labelled`] gives of what a mock received.
pub fn labelled_requests(calls: Vec<(&str, Result<Request, synapse_agent::Error>)>) -> Value {
    let mut out = Map::new();
    for (label, request) in calls {
        let request = request.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.insert(label.to_owned(), request.snapshot()).is_none());
    }
    Value::Object(out)
}

/// Asserts that the mock received exactly the labelled request values, in order.
pub fn assert_sent(mock: &MockTransport, snaps: &Value) {
    let labels: Vec<&str> = snaps
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(&labelled(mock, &labels), snaps);
}

/// The status code of an error, as the Python SDK reports it.
pub fn status<T: std::fmt::Debug>(r: Result<T, synapse_agent::Error>) -> Option<u16> {
    r.expect_err("an error").status_code()
}

/// A DRF `Not found.` answer.
pub fn not_found() -> MockResponse {
    MockResponse::json(404, json!({"detail": "Not found."}))
}

/// A sample response of `tests/fixtures/<name>.json`.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
