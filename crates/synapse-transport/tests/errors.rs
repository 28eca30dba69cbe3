//! What a service branches on: `status()` against `status_code()`, `is_server_error()`,
//! `is_retryable()` and `error_body()`, on the errors the transport really returns.

mod common;

use serde_json::json;
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{Error, Method, RetryPolicy};

use common::{client, deterministic};

async fn get(mock: &MockTransport, policy: RetryPolicy) -> Error {
    client(mock, policy)
        .get("jobs/1/")
        .send_value()
        .await
        .expect_err("fails")
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_of_a_502_keep_the_real_status() {
    let mock = MockTransport::new();
    for _ in 0..4 {
        mock.push(MockResponse::json(502, json!({"detail": "bad gateway"})));
    }
    let err = get(&mock, deterministic()).await;
    assert!(matches!(err, Error::RetriesExhausted { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(err.status_code(), Some(503), "the Python SDK's number");
    assert!(err.is_server_error());
    assert!(err.is_retryable());
    let body = err.error_body().expect("an HTTP answer");
    assert_eq!(body.detail().as_deref(), Some("bad gateway"));
}

#[tokio::test]
async fn a_4xx_verdict_is_neither_a_server_error_nor_retryable() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        400,
        json!({"name": ["This field is required."], "code": "invalid"}),
    ));
    let err = get(&mock, RetryPolicy::never()).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(!err.is_server_error());
    assert!(!err.is_retryable());
    let body = err.error_body().expect("an HTTP answer");
    assert_eq!(body.code(), Some("invalid"));
    assert_eq!(body.raw()["name"][0], "This field is required.");
}

#[tokio::test]
async fn a_429_and_a_text_body() {
    let mock = MockTransport::new();
    mock.push(MockResponse::bytes(429, "slow down"));
    let err = get(&mock, RetryPolicy::never()).await;
    assert!(err.is_retryable());
    assert!(!err.is_server_error());
    assert_eq!(
        err.error_body()
            .expect("an HTTP answer")
            .detail()
            .as_deref(),
        Some("slow down")
    );
}

#[tokio::test]
async fn failures_without_an_answer_have_no_body() {
    for (failure, retryable) in [
        (MockFailure::Refused, true),
        (MockFailure::Dns, true),
        (MockFailure::ReadTimeout, true),
        (MockFailure::Reset, true),
        (MockFailure::Tls, false),
    ] {
        let mock = MockTransport::new();
        mock.push(failure);
        let err = get(&mock, RetryPolicy::never()).await;
        assert_eq!(err.is_retryable(), retryable, "{failure:?}: {err}");
        assert!(!err.is_server_error(), "{failure:?}");
        assert!(err.error_body().is_none(), "{failure:?}");
        assert_eq!(err.status(), None, "{failure:?}");
    }
}

#[test]
fn invalid_input_and_configuration_are_not_retryable() {
    let invalid = Error::invalid_input("id is empty");
    let config = Error::Configuration {
        message: "no credential found".into(),
    };
    for err in [invalid, config] {
        assert!(!err.is_retryable(), "{err}");
        assert!(err.error_body().is_none());
    }
    let shown = Error::Configuration {
        message: "no token\u{1b}[31m".into(),
    }
    .to_string();
    assert_eq!(shown, "configuration: no token\\u{1b}[31m");
}

#[test]
fn an_empty_error_body_reads_as_null() {
    let err: Error = synapse_transport::ApiError::new(
        Method::DELETE,
        "https://synapse.test/jobs/1/".into(),
        synapse_transport::StatusCode::SERVICE_UNAVAILABLE,
        synapse_transport::ApiBody::Empty,
    )
    .into();
    assert_eq!(err.api().map(|e| e.method.clone()), Some(Method::DELETE));
    assert!(err.error_body().is_some_and(|b| b.raw().is_null()));
}
