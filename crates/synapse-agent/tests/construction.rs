//! Construction: exact credential headers (bare `Authorization`), the environment factory,
//! validation, and no secret in `Debug`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{AGENT_TOKEN, TENANT, USER_TOKEN};
use serde_json::{Value, json};
use synapse_agent::{AgentClient, AgentClientBuilder, Error, MapEnv};
use synapse_transport::RetryPolicy;
use synapse_transport::mock::{MockResponse, MockTransport};

/// The URL and headers of one request sent by a client built from `builder`; every header
/// must be marked sensitive (the mock adds none of its own).
async fn sent(builder: AgentClientBuilder) -> Value {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"status": "ok"})));
    let client = builder
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    client.health_check().await.unwrap();
    let r = &mock.requests()[0];
    let mut headers = serde_json::Map::new();
    // Accept and User-Agent go on every request; the credentials are what is checked here.
    for (name, value) in r
        .headers
        .iter()
        .filter(|(n, _)| *n != "accept" && *n != "user-agent")
    {
        assert!(value.is_sensitive(), "{name} must be marked sensitive");
        headers.insert(name.as_str().to_owned(), json!(value.to_str().unwrap()));
    }
    json!({"method": r.method.as_str(), "url": r.url.as_str(), "headers": headers})
}

#[tokio::test]
async fn headers_exactly_as_the_spec_lists_them() {
    let got = sent(
        AgentClient::builder("http://10.0.0.5:8000", AGENT_TOKEN)
            .user_token(USER_TOKEN)
            .tenant(TENANT),
    )
    .await;
    assert_eq!(
        got,
        json!({
            "method": "GET",
            "url": "http://10.0.0.5:8000/health/",
            "headers": {
                "authorization": "agent-token-fedcba9876543210",
                "synapse-user": "Token user-token-13579",
                "synapse-tenant": "Token tenant-acme"
            }
        })
    );
}

#[tokio::test]
async fn the_agent_token_is_always_sent_and_the_others_only_when_non_empty() {
    let got = sent(AgentClient::builder("http://agent.test/base/", "tok")).await;
    assert_eq!(got["headers"], json!({"authorization": "tok"}));
    assert_eq!(got["url"], "http://agent.test/base/health/");
    let got = sent(
        AgentClient::builder("http://agent.test", "tok")
            .user_token("")
            .tenant(""),
    )
    .await;
    assert_eq!(got["headers"], json!({"authorization": "tok"}));
}

#[test]
fn an_empty_agent_token_is_invalid_input() {
    let err = AgentClient::new("http://agent.test", "").expect_err("empty token");
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

#[test]
fn line_breaks_in_credentials_are_rejected_without_echoing_them() {
    for builder in [
        AgentClient::builder("http://agent.test", "abc\r\nX-Injected: 1"),
        AgentClient::builder("http://agent.test", "tok").user_token("u\nX-Injected: 1"),
        AgentClient::builder("http://agent.test", "tok").tenant("t\rX-Injected: 1"),
    ] {
        let err = builder.build().expect_err("CRLF");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("Injected"), "{shown}");
    }
}

#[test]
fn the_base_url_is_validated() {
    for bad in [
        "agent.test:8000",
        "ftp://agent.test",
        "http://agent.test/?a=1",
    ] {
        let err = AgentClient::new(bad, "tok").expect_err(bad);
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
}

#[test]
fn debug_never_shows_a_secret() {
    let builder = AgentClient::builder("http://agent.test", "s3cr3t-agent")
        .user_token("s3cr3t-user")
        .tenant("s3cr3t-tenant");
    let shown_builder = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown_client = format!("{client:?} {:?}", client.core());
    for shown in [&shown_builder, &shown_client] {
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
    assert!(shown_client.contains("agent_token") && shown_client.contains("tenant"));
    // The agent defaults: connect 3 s, read 10 s.
    assert!(
        shown_builder.contains("connect_timeout: 3s")
            && shown_builder.contains("read_timeout: 10s"),
        "{shown_builder}"
    );
}

#[tokio::test]
async fn from_env_mirrors_the_python_factory() {
    // Without URL or token: a configuration error naming what is missing.
    let missing = |env: &MapEnv| match AgentClient::from_env_source(env) {
        Err(Error::Configuration { message }) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    };
    assert_eq!(
        missing(&MapEnv::new()),
        "SYNAPSE_AGENT_URL and SYNAPSE_AGENT_TOKEN not set (or empty)"
    );
    let url_only = MapEnv::new().with("SYNAPSE_AGENT_URL", "http://agent.test:8000");
    assert_eq!(missing(&url_only), "SYNAPSE_AGENT_TOKEN not set (or empty)");
    let token_only = MapEnv::new().with("SYNAPSE_AGENT_TOKEN", "env-agent-token");
    assert_eq!(missing(&token_only), "SYNAPSE_AGENT_URL not set (or empty)");
    let empty_token = url_only.clone().with("SYNAPSE_AGENT_TOKEN", "");
    assert_eq!(
        missing(&empty_token),
        "SYNAPSE_AGENT_TOKEN not set (or empty)"
    );

    // Everything set.
    let env = MapEnv::new()
        .with("SYNAPSE_AGENT_URL", "http://agent.test:8000")
        .with("SYNAPSE_AGENT_TOKEN", "env-agent-token")
        .with("SYNAPSE_PLUGIN_RUN_USER_TOKEN", "env-user")
        .with("SYNAPSE_PLUGIN_RUN_TENANT", "env-tenant");
    let client = AgentClient::from_env_source(&env).unwrap();
    assert_eq!(client.core().base_url().as_str(), "http://agent.test:8000/");
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("env-agent-token") && !shown.contains("env-user"),
        "{shown}"
    );
    assert!(
        shown.contains("user_token") && shown.contains("tenant"),
        "{shown}"
    );

    // The headers it sends: each variable in its place.
    let got = sent(AgentClient::builder_from_env(&env).unwrap()).await;
    assert_eq!(
        got["headers"],
        json!({
            "authorization": "env-agent-token",
            "synapse-user": "Token env-user",
            "synapse-tenant": "Token env-tenant"
        })
    );
    assert_eq!(got["url"], "http://agent.test:8000/health/");

    // A malformed URL from the environment is invalid input.
    let bad = MapEnv::new()
        .with("SYNAPSE_AGENT_URL", "not a url")
        .with("SYNAPSE_AGENT_TOKEN", "t");
    assert!(matches!(
        AgentClient::from_env_source(&bad),
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn health_check_decodes_json_or_text_and_maps_errors() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"status": "healthy"})))
        .push(MockResponse::bytes(200, "OK"))
        .push(MockResponse::json(401, json!({"detail": "Invalid token."})));
    let c = common::client(&mock);
    let health = c.health_check();
    // The request value, without IO, is exactly what the mock then receives.
    let snap = health.request().unwrap().snapshot();
    insta::assert_json_snapshot!(snap);
    assert_eq!(health.await.unwrap(), json!({"status": "healthy"}));
    assert_eq!(c.health_check().await.unwrap(), json!("OK"));
    let err = c.health_check().await.expect_err("401");
    assert_eq!(err.status_code(), Some(401));
    assert!(!format!("{err} {err:?}").contains(AGENT_TOKEN));
    assert_eq!(mock.requests()[0].snapshot(), snap);
}

#[tokio::test]
async fn calls_streams_and_waits_are_send_and_static() {
    use std::future::IntoFuture;
    fn send_static<T: Send + 'static>(_: &T) {}
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"status": "ok"})));
    let c = common::client(&mock);
    send_static(&c.get_job("raysubmit_1").into_future());
    send_static(&c.tail_job_logs("raysubmit_1").messages());
    send_static(&c.list_plugin_releases().items());
    send_static(&c.wait_for_build("b-1").into_future());
    send_static(&c.create_container_and_wait().into_future());
    send_static(&c.update_system_and_wait().into_future());
    send_static(&c.restart_system_and_wait().into_future());
    send_static(&c.wait_for_system_ready().into_future());
    // So a call can run on another task.
    let health = tokio::spawn(c.health_check().into_future());
    assert_eq!(health.await.unwrap().unwrap(), json!({"status": "ok"}));
}
