//! v2 errors and replays on the mock transport: the v2 error body, 409 Conflict, request
//! ids through retries, and which writes are sent again.

mod common;

use serde_json::{Value, json};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::v2::{self, V2Response};
use synapse_transport::{
    ApiErrorKind, Call, CallInfo, Client, Error, Method, Operation, RequestBuilder, Response,
    RetryPolicy,
};

/// How a test call adjusts its request.
type Tweak = fn(RequestBuilder) -> RequestBuilder;

/// Any v2 call: a method, a path and how it is prepared.
struct Any {
    call: Call,
    method: Method,
    path: &'static str,
    tweak: Tweak,
}

impl Operation for Any {
    type Output = V2Response<Value>;
    fn prepare(&self) -> RequestBuilder {
        (self.tweak)(self.call.client().request(self.method.clone(), self.path))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::json(response, call).await
    }
}
synapse_transport::fluent!(Any);

fn op(client: &Client, method: Method, path: &'static str) -> Any {
    Any {
        call: Call::new(client.clone()),
        method,
        path,
        tweak: |b| b,
    }
}

fn v2_error(code: &str, message: &str, request_id: &str) -> Value {
    json!({"error": {"code": code, "message": message,
        "details": [{"field": "status", "message": "not allowed", "current_status": "stopped"}]},
        "meta": {"request_id": request_id}})
}

#[tokio::test]
async fn a_v2_error_body_gives_code_message_details_and_request_id() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        400,
        v2_error("VALIDATION_ERROR", "status is invalid", "req_400"),
    ));
    let client = common::client(&mock, RetryPolicy::never());
    let err = op(&client, Method::PATCH, "v2/jobs/7/")
        .await
        .expect_err("400");
    let api = err.api().expect("api error");
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(api.request_id.as_deref(), Some("req_400"));
    assert_eq!(api.code(), Some("VALIDATION_ERROR"));
    let body = api.v2_error().expect("v2 body");
    assert_eq!(body.code, "VALIDATION_ERROR");
    assert_eq!(body.message, "status is invalid");
    assert_eq!(body.field_messages("status"), ["not allowed"]);
    assert_eq!(body.details[0]["current_status"], "stopped");
    assert_eq!(body.request_id.as_deref(), Some("req_400"));
    assert_eq!(err.request_id(), Some("req_400"));
    assert_eq!(
        err.to_string(),
        "PATCH https://synapse.test/v2/jobs/7/ → 400 Bad Request: \
         VALIDATION_ERROR: status is invalid (request id req_400)"
    );
}

#[tokio::test]
async fn a_409_is_conflict_and_is_not_replayed() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        409,
        v2_error("INVALID_STATE", "job already stopped", "req_409"),
    ));
    let client = common::client(&mock, common::deterministic());
    let err = op(&client, Method::POST, "v2/jobs/7/stop/")
        .await
        .expect_err("409");
    assert_eq!(err.api().map(|e| e.kind), Some(ApiErrorKind::Conflict));
    assert_eq!(err.status_code(), Some(409));
    assert!(!err.is_retryable());
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn v1_bodies_and_the_request_id_header() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(404, json!({"detail": "Not found."})));
    mock.push(MockResponse::empty(403).header("X-Request-ID", "edge-77"));
    let client = common::client(&mock, RetryPolicy::never());
    let err = op(&client, Method::GET, "v2/jobs/7/")
        .await
        .expect_err("404");
    let api = err.api().expect("api");
    assert_eq!(api.message(), "Not found.");
    assert_eq!((api.v2_error(), api.request_id.clone()), (None, None));
    assert_eq!(
        err.to_string(),
        "GET https://synapse.test/v2/jobs/7/ → 404 Not Found: Not found."
    );
    let err = op(&client, Method::GET, "v2/jobs/7/")
        .await
        .expect_err("403");
    assert_eq!(err.request_id(), Some("edge-77"));
    assert_eq!(err.api().map(|e| e.kind), Some(ApiErrorKind::Forbidden));
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_keep_the_last_status_body_and_request_id() {
    let mock = MockTransport::new();
    for i in 1..=4 {
        mock.push(
            MockResponse::json(503, v2_error("UNAVAILABLE", "later", &format!("req_{i}")))
                .header("retry-after", "1"),
        );
    }
    let client = common::client(&mock, common::deterministic());
    let err = op(&client, Method::GET, "v2/projects/7/")
        .await
        .expect_err("exhausted");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.request_id(), Some("req_4"));
    assert_eq!(
        err.api().and_then(|e| e.v2_error()).map(|b| b.code),
        Some("UNAVAILABLE".to_owned())
    );
    assert_eq!(
        err.api().and_then(|e| e.retry_after),
        Some(std::time::Duration::from_secs(1))
    );
}

/// Sends `call` against a 503 then a 200, and returns how many requests went out.
async fn sends(call: Any, mock: &MockTransport) -> usize {
    mock.push(MockResponse::json(503, json!({})));
    mock.push(MockResponse::json(200, json!({"data": [], "meta": {}})));
    let before = mock.request_count();
    let _ = call.await;
    mock.request_count() - before
}

#[tokio::test(start_paused = true)]
async fn writes_are_not_replayed_but_bulk_fetches_and_dry_runs_are() {
    let cases: [(&str, Method, &'static str, Tweak, usize); 6] = [
        ("create", Method::POST, "v2/projects/", |b| b, 1),
        ("partial update", Method::PATCH, "v2/jobs/7/", |b| b, 1),
        (
            "bulk fetch",
            Method::POST,
            "v2/tasks/bulk-fetch/",
            |b| b.json(&json!({"ids": [1]})).idempotent(true),
            2,
        ),
        (
            "dry run",
            Method::POST,
            "v2/data-units/bulk-create/",
            |b| b.dry_run(true),
            2,
        ),
        (
            "no dry run",
            Method::POST,
            "v2/data-units/bulk-create/",
            |b| b.dry_run(false),
            1,
        ),
        ("a read", Method::GET, "v2/projects/", |b| b, 2),
    ];
    for (name, method, path, tweak, expected) in cases {
        let mock = MockTransport::new();
        let client = common::client(&mock, common::deterministic());
        let call = Any {
            call: Call::new(client),
            method,
            path,
            tweak,
        };
        assert_eq!(sends(call, &mock).await, expected, "{name}");
    }
    // A caller's `.idempotent(false)` wins over what the operation marked.
    let mock = MockTransport::new();
    let client = common::client(&mock, common::deterministic());
    let call = Any {
        call: Call::new(client),
        method: Method::POST,
        path: "v2/tasks/bulk-fetch/",
        tweak: |b| b.idempotent(true),
    }
    .idempotent(false);
    assert_eq!(sends(call, &mock).await, 1);
}

#[tokio::test]
async fn the_dry_run_query_is_sent_only_when_true() {
    let mock = MockTransport::new();
    let client = common::client(&mock, RetryPolicy::never());
    let with = Any {
        call: Call::new(client.clone()),
        method: Method::POST,
        path: "v2/assignments/7/set-data/",
        tweak: |b| b.dry_run(true),
    }
    .request()
    .expect("request");
    assert_eq!(
        with.full_url().as_str(),
        "https://synapse.test/v2/assignments/7/set-data/?dry_run=true"
    );
    assert_eq!(with.idempotent, Some(true));
    let without = Any {
        call: Call::new(client),
        method: Method::POST,
        path: "v2/assignments/7/set-data/",
        tweak: |b| b.dry_run(false),
    }
    .request()
    .expect("request");
    assert_eq!(without.full_url().query(), None);
    assert_eq!(without.idempotent, None);
}
