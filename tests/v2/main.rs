//! The v2 client (`synapse_backend::v2::BackendV2Client`) over real HTTP against the fake's
//! v2 API: one realistic flow per resource the fake serves, the dry runs, the plain shape
//! and the credentials. Every test starts its own fake.

mod data_collections;
mod jobs;
mod plugins;
mod projects;
mod tasks;
mod wire;

use std::time::Duration;

use synapse_backend::BackendClient;
use synapse_backend::v2::BackendV2Client;
use synapse_e2e::fast_retries;
use synapse_fake::{FakeConfig, FakeServer};
use synapse_transport::ApiErrorKind;
use synapse_transport::v2::V2ErrorBody;

/// A fake with short jobs (300 ms, 6 console lines) and `config`'s other settings, a v1
/// client (to seed what v2 reads) and a v2 client for it.
pub async fn start_with(config: FakeConfig) -> (FakeServer, BackendClient, BackendV2Client) {
    let (fake, v1) = synapse_e2e::start_with(FakeConfig {
        job_duration: Duration::from_millis(300),
        log_lines: 6,
        ..config
    })
    .await;
    let v2 = v2_client(&fake, fake.access_token());
    (fake, v1, v2)
}

/// [`start_with`] the default settings.
pub async fn start() -> (FakeServer, BackendClient, BackendV2Client) {
    start_with(FakeConfig::default()).await
}

/// A v2 client of `fake` sending `token`.
pub fn v2_client(fake: &FakeServer, token: &str) -> BackendV2Client {
    BackendV2Client::builder(fake.url())
        .without_env()
        .access_token(token.to_owned())
        .retry_policy(fast_retries())
        .build()
        .expect("v2 client")
}

/// Asserts that `id` is one of the fake's request ids (`req_` and twelve hex digits).
pub fn assert_request_id(id: Option<&str>) -> String {
    let id = id.expect("a request id");
    let hex = id.strip_prefix("req_").expect("req_ prefix");
    assert!(
        hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    id.to_owned()
}

/// The v2 error body of a call that must fail with `status`, `kind` and the v2 `code`; the
/// error's request id is checked too.
pub fn v2_error<T: std::fmt::Debug>(
    result: Result<T, synapse_backend::Error>,
    status: u16,
    kind: ApiErrorKind,
    code: &str,
) -> V2ErrorBody {
    let err = result.expect_err("the call fails");
    assert_eq!(err.status_code(), Some(status), "{err}");
    let api = err.api().expect("an API error");
    assert_eq!(api.kind, kind, "{err}");
    assert_eq!(api.code(), Some(code), "{err}");
    let id = assert_request_id(err.request_id());
    let body = api.v2_error().expect("a v2 error body");
    assert_eq!(body.request_id.as_deref(), Some(id.as_str()));
    body
}

/// The fields a v2 validation error names, in order.
pub fn fields(body: &V2ErrorBody) -> Vec<String> {
    body.details
        .iter()
        .filter_map(|d| d.get("field").and_then(|f| f.as_str()).map(str::to_owned))
        .collect()
}
