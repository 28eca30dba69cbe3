//! Shared test helpers.
#![allow(dead_code)]

use synapse_transport::mock::MockTransport;
use synapse_transport::{Client, HttpConfig, RetryPolicy};

pub const BASE: &str = "https://synapse.test/";

/// A client over `mock` with `policy`.
pub fn client(mock: &MockTransport, policy: RetryPolicy) -> Client {
    Client::builder(BASE)
        .transport(mock.clone())
        .retry_policy(policy)
        .build()
        .expect("client")
}

/// The default policy without jitter: sleeps of 2 s, 4 s, 8 s.
pub fn deterministic() -> RetryPolicy {
    RetryPolicy::default().jitter(false)
}

/// A client over real HTTP to `base` with `config`, never retrying (tests of the wire).
pub fn http_client(base: &str, config: HttpConfig) -> Client {
    Client::builder(base)
        .http_config(config)
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}
