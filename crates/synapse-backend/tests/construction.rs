//! Construction: credential headers, environment fallback, `from_env`, no secret in Debug.

use serde_json::json;
use synapse_backend::BackendClient;
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::{Error, MapEnv, RetryPolicy};

async fn headers_sent(builder: synapse_backend::BackendClientBuilder) -> serde_json::Value {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({})));
    let client = builder
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    client.core().get("plugins/1/").send().await.expect("sent");
    let r = &mock.requests()[0];
    let mut out = serde_json::Map::new();
    // Accept and User-Agent go on every request; the credentials are what is checked here.
    for (name, value) in r
        .headers
        .iter()
        .filter(|(n, _)| *n != "accept" && *n != "user-agent")
    {
        out.insert(
            name.as_str().to_owned(),
            json!(value.to_str().expect("ascii")),
        );
        assert!(value.is_sensitive(), "{name} must be marked sensitive");
    }
    json!({"url": r.url.as_str(), "headers": out})
}

#[tokio::test]
async fn every_credential_header_exactly_as_the_spec_lists_it() {
    let sent = headers_sent(
        BackendClient::builder("https://api.test/")
            .without_env()
            .access_token("acc")
            .authorization_token("user")
            .tenant("acme")
            .agent_token("agt")
            .url_host("internal"),
    )
    .await;
    assert_eq!(
        sent,
        json!({
            "url": "https://api.test/plugins/1/?url_host=internal",
            "headers": {
                "synapse-access-token": "Token acc",
                "authorization": "Token user",
                "synapse-tenant": "Token acme",
                "synapse-agent": "Token agt"
            }
        })
    );
}

#[tokio::test]
async fn empty_values_count_as_absent() {
    let sent = headers_sent(
        BackendClient::builder("https://api.test")
            .without_env()
            .access_token("")
            .tenant(""),
    )
    .await;
    assert_eq!(sent["headers"], json!({}));
}

#[tokio::test]
async fn without_a_token_the_environment_supplies_one() {
    let env = MapEnv::new()
        .with("SYNAPSE_ACCESS_TOKEN", "from-env")
        .with("SYNAPSE_PLUGIN_RUN_TENANT", "t1")
        .with("SYNAPSE_PLUGIN_RUN_URL_HOST", "h1");
    let sent = headers_sent(BackendClient::builder("https://api.test").env(env.clone())).await;
    assert_eq!(sent["headers"]["synapse-access-token"], "Token from-env");
    assert_eq!(sent["headers"]["synapse-tenant"], "Token t1");
    assert_eq!(sent["url"], "https://api.test/plugins/1/?url_host=h1");

    // The plugin-run user token wins, and the access token is then not sent at all.
    let env = env.with("SYNAPSE_PLUGIN_RUN_USER_TOKEN", "run-user");
    let sent = headers_sent(BackendClient::builder("https://api.test").env(env.clone())).await;
    assert_eq!(sent["headers"]["authorization"], "Token run-user");
    assert!(sent["headers"].get("synapse-access-token").is_none());

    // An explicit token wins over the environment, which is then not read at all.
    let sent = headers_sent(
        BackendClient::builder("https://api.test")
            .env(env)
            .access_token("mine"),
    )
    .await;
    assert_eq!(
        sent["headers"],
        json!({"synapse-access-token": "Token mine"})
    );
}

#[test]
fn from_env_mirrors_the_python_factory() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"host": "https://file.example", "access_token": "file-token"}"#,
    )
    .expect("write");

    // No token anywhere: a configuration error that says where it looked.
    let missing = dir.path().join("absent.json");
    let err =
        BackendClient::from_env_source(&MapEnv::new(), Some(&missing)).expect_err("no credential");
    assert!(
        matches!(err, synapse_backend::Error::Configuration { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "configuration: no credential found: neither SYNAPSE_PLUGIN_RUN_USER_TOKEN nor \
             SYNAPSE_ACCESS_TOKEN is set, nor `access_token` in {}",
            missing.display()
        )
    );
    // A builder without any credential still builds (requests then carry none).
    let anonymous = BackendClient::builder("https://api.synapse.sh")
        .without_env()
        .build()
        .expect("builds");
    assert!(!format!("{anonymous:?}").contains("access_token"));

    // Host and token from the file.
    let c = BackendClient::from_env_source(&MapEnv::new(), Some(&config)).expect("client");
    assert_eq!(c.core().base_url().as_str(), "https://file.example/");
    assert_eq!(format!("{c:?}").matches("access_token").count(), 1);

    // The environment wins over the file; default host when neither names one.
    let env = MapEnv::new().with("SYNAPSE_ACCESS_TOKEN", "env-token");
    let c = BackendClient::from_env_source(&env, None).expect("client");
    assert_eq!(c.core().base_url().as_str(), "https://api.synapse.sh/");
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("env-token") && !shown.contains("file-token"),
        "{shown}"
    );
}

#[test]
fn bad_configuration_fails_at_build_time_without_echoing_secrets() {
    let err = BackendClient::builder("https://api.test")
        .without_env()
        .access_token("abc\r\nX-Injected: 1")
        .build()
        .expect_err("CRLF");
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert!(!err.to_string().contains("abc"));
    let err = BackendClient::builder("api.test/no-scheme")
        .without_env()
        .build()
        .expect_err("relative base");
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[test]
fn debug_shows_which_credentials_are_set_but_never_their_values() {
    let builder = BackendClient::builder("https://api.test")
        .without_env()
        .access_token("s3cr3t-access")
        .tenant("tenant-code")
        .agent_token("agent-s3cr3t");
    let shown_builder = format!("{builder:?}");
    let client = builder.build().expect("client");
    let shown = format!("{client:?}");
    for text in [&shown, &shown_builder] {
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("tenant-code"), "{text}");
    }
    assert!(shown.contains("access_token") && shown.contains("agent_token"));
}
