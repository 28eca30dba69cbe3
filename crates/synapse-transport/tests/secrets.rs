//! No credential ever appears in Display, Debug, or a tracing event.

mod common;

use serde_json::json;
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{Client, Error, HttpConfig, RetryPolicy, Secret};

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

async fn failing_calls(mock: &MockTransport) -> Vec<Error> {
    let c = client(mock, common::deterministic().max_attempts(2));
    let path = format!("agents/{TOKEN}/connect/");
    let mut errors = Vec::new();
    for _ in 0..4 {
        errors.push(
            c.post(&path)
                .redact_segment(TOKEN)
                .send()
                .await
                .expect_err("fails"),
        );
    }
    errors.push(
        c.get(&path)
            .redact_segment(TOKEN)
            .send()
            .await
            .expect_err("exhausted"),
    );
    errors
}

#[tokio::test(start_paused = true)]
async fn errors_never_show_tokens_even_when_one_is_in_the_path() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(401, json!({"detail": "Invalid token."})))
        .push(MockFailure::Refused)
        .push(MockFailure::Refused)
        .push(MockFailure::Reset)
        .push(MockFailure::ReadTimeout)
        .push(MockResponse::json(503, json!({})))
        .push(MockResponse::json(503, json!({})));
    let errors = failing_calls(&mock).await;
    assert_eq!(errors.len(), 5);
    for e in &errors {
        assert_clean(&e.to_string());
        assert_clean(&format!("{e:?}"));
        assert!(e.to_string().contains("agents/***/connect/"), "{e}");
    }
    let c = client(&mock, RetryPolicy::default());
    assert_clean(&format!("{c:?}"));
    let request = c
        .post(&format!("agents/{TOKEN}/connect/"))
        .redact_segment(TOKEN)
        .build()
        .expect("request");
    assert_clean(&format!("{request:?}"));
    assert_clean(&format!("{:?}", HttpConfig::backend()));
}
