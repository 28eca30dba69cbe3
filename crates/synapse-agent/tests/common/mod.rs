//! Helpers shared by the test files.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{Map, Value, json};
use synapse_agent::AgentClient;
use synapse_transport::RetryPolicy;
use synapse_transport::mock::{MockResponse, MockTransport};

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

/// The status code of an error, as the Python SDK reports it.
pub fn status<T: std::fmt::Debug>(r: Result<T, synapse_agent::Error>) -> Option<u16> {
    r.expect_err("an error").status_code()
}

/// A DRF `Not found.` answer.
pub fn not_found() -> MockResponse {
    MockResponse::json(404, json!({"detail": "Not found."}))
}
