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
        .post(format!("agents/{TOKEN}/connect/"))
        .redact_segment(TOKEN)
        .build()
        .expect("request");
    assert_clean(&format!("{request:?}"));
    assert_clean(&format!("{:?}", HttpConfig::backend()));
}

/// A client with credentials, a plain default header and a default query, on a mock that
/// answers every GET of `/x`.
fn client_with_defaults(mock: &MockTransport) -> Client {
    mock.route_always(
        synapse_transport::Method::GET,
        "/x",
        MockResponse::json(200, json!({})),
    );
    Client::builder(common::BASE)
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .secret_header("Synapse-Access-Token", "Token ", &Secret::new(ACCESS))
        .secret_header("Synapse-Tenant", "Token ", &Secret::new("acme"))
        .header("X-Plain", "kept")
        .default_query("url_host", "internal")
        .build()
        .expect("client")
}

#[tokio::test]
async fn an_absolute_url_on_another_origin_gets_no_credentials_and_no_default_query() {
    let mock = MockTransport::new();
    let c = client_with_defaults(&mock);
    for url in [
        "https://elsewhere.example/x",
        "http://synapse.test/x",
        "https://synapse.test:8443/x",
    ] {
        c.get(url).send().await.expect("sent");
    }
    c.get("https://synapse.test/x").send().await.expect("sent");
    let requests = mock.requests();
    for r in &requests[..3] {
        assert_eq!(r.header("synapse-access-token"), None, "{}", r.url);
        assert_eq!(r.header("synapse-tenant"), None, "{}", r.url);
        assert_eq!(r.header("x-plain"), Some("kept"));
        assert!(r.url.query().is_none(), "{}", r.url);
    }
    let same = &requests[3];
    assert!(same.headers.contains_key("synapse-access-token"));
    assert!(same.headers.contains_key("synapse-tenant"));
    assert_eq!(same.url.query(), Some("url_host=internal"));
}

#[tokio::test]
async fn a_hand_built_request_to_another_origin_loses_every_credential_header() {
    let mock = MockTransport::new();
    let c = client_with_defaults(&mock);
    let mut request = synapse_transport::Request::new(
        synapse_transport::Method::GET,
        synapse_transport::Url::parse("https://elsewhere.example/x").expect("url"),
    );
    let mut secret = synapse_transport::HeaderValue::from_static("Token hidden");
    secret.set_sensitive(true);
    request
        .headers
        .insert("synapse-access-token", secret.clone());
    request.headers.insert("x-custom-secret", secret);
    for name in ["authorization", "proxy-authorization", "cookie"] {
        request
            .headers
            .insert(name, synapse_transport::HeaderValue::from_static("v"));
    }
    request.headers.insert(
        "x-plain",
        synapse_transport::HeaderValue::from_static("kept"),
    );
    c.execute(request).await.expect("sent");
    let r = &mock.requests()[0];
    let mut names: Vec<&str> = r.headers.keys().map(|n| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["accept", "user-agent", "x-plain"], "{names:?}");
}

#[test]
fn one_request_can_leave_out_a_credential_header_of_the_client() {
    let mock = MockTransport::new();
    let client = client(&mock, RetryPolicy::never());
    let request = client
        .post("users/login/")
        .without_header("authorization")
        .build()
        .expect("request");
    assert!(!request.headers.contains_key("authorization"));
    assert!(request.headers.contains_key("synapse-access-token"));
    let other = client.post("users/login/").build().expect("request");
    assert!(other.headers.contains_key("authorization"));
    let bad = client.post("x/").without_header("bad header").build();
    assert!(matches!(bad, Err(Error::InvalidInput { .. })), "{bad:?}");
}
