//! v2 settings: timeouts and their environment overrides, credential headers, base URLs.

use std::time::Duration;

use synapse_transport::mock::MockTransport;
use synapse_transport::v2::{
    Credentials, TIMEOUT_CONNECT_VAR, TIMEOUT_READ_VAR, check_base_url, timeout_from_env,
};
use synapse_transport::{Client, Error, HttpConfig, MapEnv, RetryPolicy};

#[test]
fn the_defaults_are_5_s_connect_and_30_s_read() {
    let config = HttpConfig::backend_v2();
    assert_eq!(config.connect_timeout, Duration::from_secs(5));
    assert_eq!(config.read_timeout, Duration::from_secs(30));
    let config = HttpConfig::backend_v2_from_env(&MapEnv::new()).expect("defaults");
    assert_eq!(
        (config.connect_timeout, config.read_timeout),
        (Duration::from_secs(5), Duration::from_secs(30))
    );
}

#[test]
fn finite_positive_overrides_apply() {
    let env = MapEnv::new()
        .with(TIMEOUT_CONNECT_VAR, " 2.5 ")
        .with(TIMEOUT_READ_VAR, "45");
    let config = HttpConfig::backend_v2_from_env(&env).expect("config");
    assert_eq!(config.connect_timeout, Duration::from_millis(2500));
    assert_eq!(config.read_timeout, Duration::from_secs(45));
    // An empty value is unset.
    let env = MapEnv::new().with(TIMEOUT_READ_VAR, "");
    let config = HttpConfig::backend_v2_from_env(&env).expect("config");
    assert_eq!(config.read_timeout, Duration::from_secs(30));
}

#[test]
fn other_overrides_are_invalid_input_naming_the_variable() {
    for (var, value) in [
        (TIMEOUT_CONNECT_VAR, "inf"),
        (TIMEOUT_CONNECT_VAR, "-inf"),
        (TIMEOUT_READ_VAR, "nan"),
        (TIMEOUT_READ_VAR, "NaN"),
        (TIMEOUT_READ_VAR, "0"),
        (TIMEOUT_READ_VAR, "0.0"),
        (TIMEOUT_CONNECT_VAR, "-1"),
        (TIMEOUT_CONNECT_VAR, "fast"),
        (TIMEOUT_CONNECT_VAR, "1e400"),
        (TIMEOUT_READ_VAR, "1e-12"),
        (TIMEOUT_READ_VAR, "1e300"),
        (TIMEOUT_READ_VAR, "30s"),
    ] {
        let env = MapEnv::new().with(var, value);
        let err = HttpConfig::backend_v2_from_env(&env).expect_err(value);
        let Error::InvalidInput { message, .. } = &err else {
            panic!("{value}: {err:?}")
        };
        assert!(message.starts_with(var), "{value}: {message}");
        assert!(
            message.contains(&format!("{value:?}")),
            "{value}: {message}"
        );
    }
    let env = MapEnv::new().with("X", "\u{1b}[31m");
    let message = timeout_from_env(&env, "X").expect_err("bad").to_string();
    assert!(!message.contains('\u{1b}'), "{message}");
}

fn headers_of(credentials: Credentials) -> Result<Vec<(String, String, bool)>, Error> {
    let builder = Client::builder("https://synapse.test/").transport(MockTransport::new());
    let client = credentials.apply(builder)?.build()?;
    let request = client.get("v2/account/me/").build()?;
    let mut out: Vec<(String, String, bool)> = request
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "accept" | "user-agent"))
        .map(|(n, v)| {
            let text = v.to_str().expect("text").to_owned();
            (n.as_str().to_owned(), text, v.is_sensitive())
        })
        .collect();
    out.sort();
    Ok(out)
}

fn h(name: &str, value: &str) -> (String, String, bool) {
    (name.to_owned(), value.to_owned(), true)
}

#[test]
fn credential_headers_have_their_v2_forms_and_are_sensitive() {
    let all = Credentials::new()
        .access_token("syn_access")
        .drf_token("drf-1")
        .tenant("acme");
    assert_eq!(
        headers_of(all).expect("headers"),
        [
            h("authorization", "Token drf-1"),
            h("synapse-access-token", "syn_access"),
            h("synapse-tenant", "acme"),
        ]
    );
    let prefixed = Credentials::new()
        .bearer_token("oauth-2")
        .tenant("acme")
        .tenant_token_prefix(true);
    assert_eq!(
        headers_of(prefixed).expect("headers"),
        [
            h("authorization", "Bearer oauth-2"),
            h("synapse-tenant", "Token acme"),
        ]
    );
    // Empty values are absent.
    let empty = Credentials::new().access_token("").tenant("");
    assert_eq!(headers_of(empty).expect("headers"), []);
    assert!(!Credentials::new().tenant("acme").has_token());
    assert!(Credentials::new().bearer_token("b").has_token());
}

#[test]
fn a_drf_token_and_a_bearer_token_together_are_invalid_input() {
    let both = Credentials::new()
        .drf_token("drf-secret")
        .bearer_token("oauth-secret");
    let err = headers_of(both).expect_err("both");
    assert!(
        matches!(&err, Error::InvalidInput { message, .. } if message.contains("Authorization")),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("drf-secret") && !shown.contains("oauth-secret"));
}

#[test]
fn environment_fallbacks_fill_only_what_was_not_given() {
    let env = MapEnv::new()
        .with("SYNAPSE_BACKEND_V2_ACCESS_TOKEN", "syn_env")
        .with("SYNAPSE_BACKEND_V2_DRF_TOKEN", "drf_env")
        .with("SYNAPSE_BACKEND_V2_TENANT", "tenant_env");
    let credentials = Credentials::new()
        .access_token("syn_given")
        .with_env_fallbacks(&env);
    assert_eq!(
        headers_of(credentials).expect("headers"),
        [
            h("authorization", "Token drf_env"),
            h("synapse-access-token", "syn_given"),
            h("synapse-tenant", "tenant_env"),
        ]
    );
}

#[test]
fn debug_never_shows_a_token() {
    let credentials = Credentials::new()
        .access_token("syn_secret_1")
        .drf_token("drf_secret_2")
        .bearer_token("bearer_secret_3")
        .tenant("acme");
    let shown = format!("{credentials:?}");
    for secret in ["syn_secret_1", "drf_secret_2", "bearer_secret_3"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("acme"), "{shown}");
}

#[tokio::test]
async fn credentials_never_reach_another_origin() {
    let mock = MockTransport::new();
    mock.push(synapse_transport::mock::MockResponse::empty(200));
    let builder = Client::builder("https://synapse.test/")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never());
    let client = Credentials::new()
        .access_token("syn_access")
        .tenant("acme")
        .apply(builder)
        .expect("credentials")
        .build()
        .expect("client");
    client
        .get("https://files.example/v2/x")
        .send()
        .await
        .expect("sent");
    let sent = &mock.requests()[0];
    assert_eq!(sent.header("synapse-access-token"), None);
    assert_eq!(sent.header("synapse-tenant"), None);
}

#[test]
fn plain_http_is_refused_unless_the_host_is_loopback_or_it_is_allowed() {
    for base in [
        "https://synapse.test/",
        "https://synapse.test/api/",
        "http://127.0.0.1:8787/",
        "http://127.8.9.10/",
        "http://localhost:8000",
        "http://LOCALHOST./",
        "http://app.localhost/",
        "http://[::1]:8080/",
    ] {
        assert!(check_base_url(base, false).is_ok(), "{base}");
    }
    for base in [
        "http://synapse.test/",
        "http://10.0.0.1/",
        "http://[::2]/",
        "http://localhost.example.com/",
        "http://127.0.0.1.nip.io/",
    ] {
        let err = check_base_url(base, false).expect_err(base);
        assert!(
            matches!(&err, Error::InvalidInput { message, .. } if message.contains("http://")),
            "{base}: {err}"
        );
        assert!(check_base_url(base, true).is_ok(), "{base} allowed");
    }
}

#[test]
fn other_bad_bases_are_refused() {
    for base in [
        "https://synapse.test/v2",
        "https://synapse.test/api/v2/",
        "https://synapse.test/?a=1",
        "ftp://synapse.test/",
        "synapse.test",
        "https://user:pw@synapse.test/",
    ] {
        assert!(
            matches!(check_base_url(base, true), Err(Error::InvalidInput { .. })),
            "{base}"
        );
    }
    assert!(check_base_url("https://synapse.test/v2api/", false).is_ok());
}
