//! [`BackendV2Client`] and its builder: base URL, credentials, timeouts, retries.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use synapse_transport::v2::{Credentials, check_base_url};
use synapse_transport::{
    Client, EnvSource, Error, HttpConfig, ProcessEnv, RetryPolicy, Secret, Transport,
};

use crate::client::DEFAULT_HOST;

/// The client of the Synapse backend v2 API (`/v2/…`).
///
/// Operations are grouped by resource: `client.projects().list()`,
/// `client.tasks().retrieve(id)`, `client.projects().tags(project_id).create(body)`; see the
/// [module documentation](crate::v2) for the list. Cheap to clone (an `Arc` inside); clones
/// share the connection pool. `Debug` never shows a token.
///
/// ```
/// use synapse_backend::v2::BackendV2Client;
/// let client = BackendV2Client::builder("https://api.synapse.sh")
///     .access_token("syn_secret")
///     .tenant("acme")
///     .without_env()
///     .build()?;
/// let request = client.projects().list().category("image").per_page(50).request()?;
/// assert_eq!(
///     request.full_url().as_str(),
///     "https://api.synapse.sh/v2/projects/?category=image&per_page=50"
/// );
/// assert_eq!(request.headers["synapse-access-token"], "syn_secret");
/// assert!(!format!("{client:?}").contains("syn_secret"));
/// # Ok::<(), synapse_backend::Error>(())
/// ```
#[derive(Clone)]
pub struct BackendV2Client {
    pub(crate) core: Client,
    credentials: Arc<Credentials>,
}

impl fmt::Debug for BackendV2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendV2Client")
            .field("base_url", &self.core.base_url().as_str())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl BackendV2Client {
    /// Starts a builder for `base_url` (the host, without `/v2`: every path starts with it).
    pub fn builder(base_url: impl Into<String>) -> BackendV2ClientBuilder {
        BackendV2ClientBuilder {
            base_url: base_url.into(),
            credentials: Credentials::new(),
            allow_insecure: false,
            url_host: None,
            http: None,
            connect_timeout: None,
            read_timeout: None,
            retry: RetryPolicy::default(),
            transport: None,
            env: Some(Arc::new(ProcessEnv)),
        }
    }

    /// Builds the client as the Python SDK's `create_backend_client_v2()` does, from the
    /// process environment and `~/.synapse/config.json`; see
    /// [`BackendV2Client::from_env_source`].
    pub fn from_env() -> Result<Self, Error> {
        let config = std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".synapse").join("config.json"));
        Self::from_env_source(&ProcessEnv, config.as_deref())
    }

    /// The Python factory's lookup, first non-empty value winning: base URL from
    /// `SYNAPSE_HOST`, the config file's `host`, then [`DEFAULT_HOST`]; access token from
    /// `SYNAPSE_ACCESS_TOKEN`, the config file's `access_token`, then
    /// `SYNAPSE_BACKEND_V2_ACCESS_TOKEN`; DRF token from `SYNAPSE_PLUGIN_RUN_USER_TOKEN`, then
    /// `SYNAPSE_BACKEND_V2_DRF_TOKEN`; tenant from `SYNAPSE_PLUGIN_RUN_TENANT`, then
    /// `SYNAPSE_BACKEND_V2_TENANT`, always sent as `Token <code>`; `url_host` from
    /// `SYNAPSE_PLUGIN_RUN_URL_HOST`. Both tokens are sent when both are found.
    /// [`Error::Configuration`] when no token is found anywhere.
    ///
    /// ```
    /// use synapse_backend::MapEnv;
    /// use synapse_backend::v2::BackendV2Client;
    /// let env = MapEnv::new()
    ///     .with("SYNAPSE_HOST", "https://synapse.test")
    ///     .with("SYNAPSE_ACCESS_TOKEN", "syn_abc")
    ///     .with("SYNAPSE_PLUGIN_RUN_TENANT", "acme");
    /// let client = BackendV2Client::from_env_source(&env, None)?;
    /// let request = client.account().me().request()?;
    /// assert_eq!(request.full_url().as_str(), "https://synapse.test/v2/users/me/");
    /// assert_eq!(request.headers["synapse-tenant"], "Token acme");
    /// # Ok::<(), synapse_backend::Error>(())
    /// ```
    pub fn from_env_source(env: &dyn EnvSource, config_file: Option<&Path>) -> Result<Self, Error> {
        let file = config_file.and_then(read_config_file);
        let file_value = |key: &str| {
            file.as_ref()
                .and_then(|v| v.get(key))
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let var = |name: &str| env.var(name).filter(|v| !v.is_empty());
        let host = var("SYNAPSE_HOST")
            .or_else(|| file_value("host"))
            .unwrap_or_else(|| DEFAULT_HOST.to_owned());
        let access = var("SYNAPSE_ACCESS_TOKEN")
            .or_else(|| file_value("access_token"))
            .or_else(|| var(synapse_transport::v2::ACCESS_TOKEN_VAR));
        let drf = var("SYNAPSE_PLUGIN_RUN_USER_TOKEN")
            .or_else(|| var(synapse_transport::v2::DRF_TOKEN_VAR));
        let tenant =
            var("SYNAPSE_PLUGIN_RUN_TENANT").or_else(|| var(synapse_transport::v2::TENANT_VAR));
        if access.is_none() && drf.is_none() {
            return Err(Error::Configuration {
                message: "no credential found: none of SYNAPSE_ACCESS_TOKEN, \
                          SYNAPSE_PLUGIN_RUN_USER_TOKEN, SYNAPSE_BACKEND_V2_ACCESS_TOKEN, \
                          SYNAPSE_BACKEND_V2_DRF_TOKEN is set, nor `access_token` in the \
                          config file"
                    .to_owned(),
            });
        }
        let mut builder = Self::builder(host).tenant_token_prefix(true);
        if let Some(token) = access {
            builder = builder.access_token(token);
        }
        if let Some(token) = drf {
            builder = builder.drf_token(token);
        }
        if let Some(tenant) = tenant {
            builder = builder.tenant(tenant);
        }
        if let Some(url_host) = var("SYNAPSE_PLUGIN_RUN_URL_HOST") {
            builder = builder.url_host(url_host);
        }
        // The timeouts still come from the environment; the credentials do not.
        let http = HttpConfig::backend_v2_from_env(env)?;
        builder.http_config(http).without_env().build()
    }

    /// The HTTP core, for calls this client does not wrap.
    pub fn core(&self) -> &Client {
        &self.core
    }
}

fn read_config_file(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Builds a [`BackendV2Client`].
pub struct BackendV2ClientBuilder {
    base_url: String,
    credentials: Credentials,
    allow_insecure: bool,
    url_host: Option<String>,
    http: Option<HttpConfig>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    retry: RetryPolicy,
    transport: Option<Arc<dyn Transport>>,
    env: Option<Arc<dyn EnvSource>>,
}

impl fmt::Debug for BackendV2ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendV2ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("allow_insecure", &self.allow_insecure)
            .field("url_host", &self.url_host)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl BackendV2ClientBuilder {
    /// The access token: `SYNAPSE-ACCESS-TOKEN: <token>`, as given (no prefix).
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = self.credentials.access_token(token);
        self
    }

    /// The DRF token: `Authorization: Token <token>`.
    pub fn drf_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = self.credentials.drf_token(token);
        self
    }

    /// An OAuth bearer token: `Authorization: Bearer <token>` (not with a DRF token).
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = self.credentials.bearer_token(token);
        self
    }

    /// The tenant code: `SYNAPSE-Tenant: <code>` (raw).
    pub fn tenant(mut self, tenant: impl Into<Secret>) -> Self {
        self.credentials = self.credentials.tenant(tenant);
        self
    }

    /// Sends the tenant as `SYNAPSE-Tenant: Token <code>` (the plugin runtime's form).
    pub fn tenant_token_prefix(mut self, prefix: bool) -> Self {
        self.credentials = self.credentials.tenant_token_prefix(prefix);
        self
    }

    /// All credentials at once (replaces those set so far).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback (the tokens then
    /// travel in clear). Off by default: such a URL is refused when the client is built.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure = allow;
        self
    }

    /// `url_host=<v>` on every request (`internal` asks for URLs signed for the internal
    /// network).
    pub fn url_host(mut self, url_host: impl Into<String>) -> Self {
        let v = url_host.into();
        self.url_host = (!v.is_empty()).then_some(v);
        self
    }

    /// Connect timeout (default 5 s); wins over the environment.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Read timeout (default 30 s, per read, not a total deadline); wins over the
    /// environment.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// All HTTP settings at once (timeouts, proxy, extra root certificates), instead of
    /// [`HttpConfig::backend_v2`] with the environment's overrides.
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http = Some(config);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends through `transport` (e.g. a `MockTransport`) instead of HTTP.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Reads the environment fallbacks from `env` instead of the process environment.
    pub fn env(mut self, env: impl EnvSource + 'static) -> Self {
        self.env = Some(Arc::new(env));
        self
    }

    /// Disables the environment fallbacks (credentials and timeouts).
    pub fn without_env(mut self) -> Self {
        self.env = None;
        self
    }

    /// Validates everything and builds the client.
    ///
    /// - The base URL must be absolute `http(s)` without query, fragment or a path ending in
    ///   `/v2`; plain `http://` only to a loopback host or with
    ///   [`allow_insecure_http(true)`](Self::allow_insecure_http). Each refusal is
    ///   [`Error::InvalidInput`].
    /// - Credentials not given are read from `SYNAPSE_BACKEND_V2_ACCESS_TOKEN`,
    ///   `SYNAPSE_BACKEND_V2_DRF_TOKEN` and `SYNAPSE_BACKEND_V2_TENANT`; timeouts start from
    ///   `SYNAPSE_BACKEND_V2_TIMEOUT_CONNECT` / `_READ` (an invalid value is
    ///   [`Error::InvalidInput`] naming the variable). Explicit settings win.
    /// - A DRF token and a bearer token together are [`Error::InvalidInput`].
    pub fn build(self) -> Result<BackendV2Client, Error> {
        let base = check_base_url(&self.base_url, self.allow_insecure)?;
        let mut credentials = self.credentials;
        let mut http = match (&self.http, &self.env) {
            (Some(config), _) => config.clone(),
            (None, Some(env)) => HttpConfig::backend_v2_from_env(env.as_ref())?,
            (None, None) => HttpConfig::backend_v2(),
        };
        if let Some(env) = &self.env {
            credentials = credentials.with_env_fallbacks(env.as_ref());
        }
        if let Some(t) = self.connect_timeout {
            http.connect_timeout = t;
        }
        if let Some(t) = self.read_timeout {
            http.read_timeout = t;
        }
        let mut core = Client::builder(base.as_str())
            .http_config(http)
            .retry_policy(self.retry);
        core = credentials.apply(core)?;
        if let Some(url_host) = &self.url_host {
            core = core.default_query("url_host", url_host);
        }
        if let Some(transport) = self.transport {
            core = core.transport(transport);
        }
        Ok(BackendV2Client {
            core: core.build()?,
            credentials: Arc::new(credentials),
        })
    }
}
