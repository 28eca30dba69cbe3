//! A downstream service's test written against `synapse_backend` alone: the mock, the
//! method, the retry policy, the error kinds and the environment source all come from this
//! crate (no `synapse_transport`, `synapse_models` or `http` import).

use serde_json::json;
use synapse_backend::mock::{MockResponse, MockTransport};
use synapse_backend::{
    ApiErrorKind, BackendClient, Error, HttpConfig, MapEnv, Method, RetryPolicy, TimeoutKind,
};

fn client(platform: &MockTransport, retry: RetryPolicy) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("token")
        .http_config(HttpConfig::backend())
        .transport(platform.clone())
        .retry_policy(retry)
        .build()
        .expect("client")
}

#[tokio::test(start_paused = true)]
async fn a_flaky_gateway_under_the_default_policy_costs_no_real_time() {
    let platform = MockTransport::new();
    platform
        .push(MockResponse::json(502, json!({"detail": "bad gateway"})))
        .push(MockResponse::json(
            200,
            json!({"id": 7, "status": "RUNNING"}),
        ));
    let started = std::time::Instant::now();
    let job = client(&platform, RetryPolicy::default())
        .get_job(7)
        .await
        .expect("retried once");
    assert_eq!(job.id.map(|id| id.to_string()).as_deref(), Some("7"));
    assert_eq!(platform.request_count(), 2);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn a_service_branches_on_the_error_without_other_crates() {
    let platform = MockTransport::new();
    platform.route(
        Method::GET,
        "/jobs/8/",
        MockResponse::json(404, json!({"detail": "Not found."})),
    );
    let err = client(&platform, RetryPolicy::never())
        .get_job(8)
        .await
        .expect_err("404");
    let api = err.api().expect("an HTTP error");
    assert_eq!(api.kind, ApiErrorKind::NotFound);
    assert_eq!(api.method, Method::GET);
    assert!(!err.is_retryable() && !err.is_server_error());
    assert_eq!(
        err.error_body().and_then(|b| b.detail()).as_deref(),
        Some("Not found.")
    );
    assert!(!matches!(
        err,
        Error::Timeout {
            kind: TimeoutKind::Read,
            ..
        }
    ));
    let missing = BackendClient::from_env_source(&MapEnv::new(), None).expect_err("no token");
    assert!(matches!(missing, Error::Configuration { .. }));
}
