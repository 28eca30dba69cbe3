//! Shared set-up of the end-to-end tests: each test starts its own fake on its own port.

use std::time::Duration;

use synapse_backend::BackendClient;
use synapse_fake::{FakeConfig, FakeServer};
use synapse_transport::RetryPolicy;

/// A retry policy with the default rules and millisecond backoffs, so tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
}

/// Starts a fake with `config` and a client for it over real HTTP.
pub async fn start_with(config: FakeConfig) -> (FakeServer, BackendClient) {
    let fake = FakeServer::start_with(config).await.expect("fake starts");
    let client = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .retry_policy(fast_retries())
        .build()
        .expect("client");
    (fake, client)
}

/// Starts a fake with short jobs (300 ms, 6 console lines).
pub async fn start() -> (FakeServer, BackendClient) {
    start_with(FakeConfig {
        job_duration: Duration::from_millis(300),
        log_lines: 6,
        ..FakeConfig::default()
    })
    .await
}

/// MD5 of `data` as lower-case hex.
pub fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
