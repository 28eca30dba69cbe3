//! [`BackendClient`] and its builder: base URL, credentials, tenant, timeouts, retries.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use synapse_transport::{
    Client, EnvSource, Error, HttpConfig, HttpTransport, ProcessEnv, RetryPolicy, Secret, Transport,
};

/// Read timeout of requests to storage hosts (presigned PUTs).
const STORAGE_READ_TIMEOUT: Duration = Duration::from_secs(300);

/// Default host of `from_env` when neither `SYNAPSE_HOST` nor the config file names one.
pub const DEFAULT_HOST: &str = "https://api.synapse.sh";

/// The client of the Synapse backend v1 API.
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool.
///
/// ```
/// use synapse_backend::BackendClient;
/// let client = BackendClient::builder("https://api.synapse.sh")
///     .access_token("my-token")
///     .tenant("acme")
///     .build()?;
/// assert!(!format!("{client:?}").contains("my-token"));
/// # Ok::<(), synapse_transport::Error>(())
/// ```
#[derive(Clone)]
pub struct BackendClient {
    pub(crate) core: Client,
    pub(crate) settings: Arc<Settings>,
}

/// What the client keeps besides the HTTP core.
#[derive(Debug)]
pub(crate) struct Settings {
    /// Which credentials are configured (names only).
    pub(crate) credentials: Vec<&'static str>,
    /// The `url_host` query value, if any.
    pub(crate) url_host: Option<String>,
    /// Sends requests to storage hosts (presigned PUTs): no Synapse headers, no `url_host`.
    pub(crate) storage: Arc<dyn Transport>,
}

impl fmt::Debug for BackendClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendClient")
            .field("base_url", &self.core.base_url().as_str())
            .field("credentials", &self.settings.credentials)
            .field("url_host", &self.settings.url_host)
            .finish_non_exhaustive()
    }
}

impl BackendClient {
    /// A client for `base_url` with default settings. With no token given, the token is
    /// read from the environment (`SYNAPSE_PLUGIN_RUN_USER_TOKEN`, else
    /// `SYNAPSE_ACCESS_TOKEN`), as the product documentation promises.
    pub fn new(base_url: impl Into<String>) -> Result<Self, Error> {
        Self::builder(base_url).build()
    }

    /// Starts a builder.
    pub fn builder(base_url: impl Into<String>) -> BackendClientBuilder {
        BackendClientBuilder {
            base_url: base_url.into(),
            access_token: None,
            authorization_token: None,
            tenant: None,
            agent_token: None,
            url_host: None,
            http: HttpConfig::backend(),
            retry: RetryPolicy::default(),
            transport: None,
            storage_transport: None,
            page_size: 100,
            env: Some(Arc::new(ProcessEnv)),
        }
    }

    /// Mirrors the Python SDK's `create_backend_client()`: host from `SYNAPSE_HOST`, then
    /// `~/.synapse/config.json` `host`, then [`DEFAULT_HOST`]; token from
    /// `SYNAPSE_ACCESS_TOKEN`, then the config file's `access_token`; if
    /// `SYNAPSE_PLUGIN_RUN_USER_TOKEN` is set it is sent *instead*, as the `Authorization`
    /// token; tenant from `SYNAPSE_PLUGIN_RUN_TENANT`; `url_host` from
    /// `SYNAPSE_PLUGIN_RUN_URL_HOST`. [`Error::Configuration`] when no token is found
    /// anywhere (a client built with [`BackendClient::builder`] and no credential still
    /// builds: it sends requests without one).
    ///
    /// ```no_run
    /// let client = synapse_backend::BackendClient::from_env()?;
    /// # Ok::<(), synapse_backend::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        let config = std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".synapse").join("config.json"));
        Self::from_env_source(&ProcessEnv, config.as_deref())
    }

    /// [`BackendClient::from_env`] with an explicit environment and config file path.
    pub fn from_env_source(
        env: &dyn EnvSource,
        config_file: Option<&std::path::Path>,
    ) -> Result<Self, Error> {
        let file = config_file.and_then(read_config_file);
        let file_value = |key: &str| {
            file.as_ref()
                .and_then(|v| v.get(key))
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let host = env
            .var("SYNAPSE_HOST")
            .or_else(|| file_value("host"))
            .unwrap_or_else(|| DEFAULT_HOST.to_owned());
        let user_token = env.var("SYNAPSE_PLUGIN_RUN_USER_TOKEN");
        let access_token = env
            .var("SYNAPSE_ACCESS_TOKEN")
            .or_else(|| file_value("access_token"));
        let mut builder = Self::builder(host).without_env();
        match (user_token, access_token) {
            (Some(user), _) => builder = builder.authorization_token(user),
            (None, Some(access)) => builder = builder.access_token(access),
            (None, None) => {
                let place = match config_file {
                    Some(path) => format!(", nor `access_token` in {}", path.display()),
                    None => String::new(),
                };
                return Err(Error::Configuration {
                    message: format!(
                        "no credential found: neither SYNAPSE_PLUGIN_RUN_USER_TOKEN nor \
                         SYNAPSE_ACCESS_TOKEN is set{place}"
                    ),
                });
            }
        }
        if let Some(tenant) = env.var("SYNAPSE_PLUGIN_RUN_TENANT") {
            builder = builder.tenant(tenant);
        }
        if let Some(url_host) = env.var("SYNAPSE_PLUGIN_RUN_URL_HOST") {
            builder = builder.url_host(url_host);
        }
        builder.build()
    }

    /// The HTTP core, for calls this client does not wrap yet.
    pub fn core(&self) -> &Client {
        &self.core
    }
}

fn read_config_file(path: &std::path::Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Builds a [`BackendClient`].
pub struct BackendClientBuilder {
    base_url: String,
    access_token: Option<Secret>,
    authorization_token: Option<Secret>,
    tenant: Option<Secret>,
    agent_token: Option<Secret>,
    url_host: Option<String>,
    http: HttpConfig,
    retry: RetryPolicy,
    transport: Option<Arc<dyn Transport>>,
    storage_transport: Option<Arc<dyn Transport>>,
    page_size: u32,
    env: Option<Arc<dyn EnvSource>>,
}

impl fmt::Debug for BackendClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendClientBuilder")
            .field("base_url", &self.base_url)
            .field("access_token", &self.access_token)
            .field("authorization_token", &self.authorization_token)
            .field("tenant", &self.tenant)
            .field("agent_token", &self.agent_token)
            .field("url_host", &self.url_host)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

fn non_empty(value: impl Into<String>) -> Option<Secret> {
    let value = value.into();
    (!value.is_empty()).then(|| Secret::new(value))
}

impl BackendClientBuilder {
    /// The access token: `Synapse-Access-Token: Token <t>`.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = non_empty(token);
        self
    }

    /// The legacy user token: `Authorization: Token <t>` (what plugin runs authenticate with).
    pub fn authorization_token(mut self, token: impl Into<String>) -> Self {
        self.authorization_token = non_empty(token);
        self
    }

    /// The tenant code: `Synapse-Tenant: Token <tenant>`.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = non_empty(tenant);
        self
    }

    /// The agent token: `SYNAPSE-Agent: Token <t>`.
    pub fn agent_token(mut self, token: impl Into<String>) -> Self {
        self.agent_token = non_empty(token);
        self
    }

    /// `url_host=<v>` on every request through the common path (once, even on `next` links).
    pub fn url_host(mut self, url_host: impl Into<String>) -> Self {
        let v = url_host.into();
        self.url_host = (!v.is_empty()).then_some(v);
        self
    }

    /// Connect timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.connect_timeout = timeout;
        self
    }

    /// Read timeout (default 15 s), per read, not a total deadline.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.http.read_timeout = timeout;
        self
    }

    /// All HTTP settings at once (timeouts, proxy, extra root certificates).
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http = config;
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

    /// Sends requests to storage hosts (the presigned PUTs of the bulk upload) through
    /// `transport` instead of the default: an [`synapse_transport::HttpTransport`] with a
    /// 300 s read timeout. These requests never carry Synapse credentials or `url_host`.
    pub fn storage_transport(mut self, transport: impl Transport + 'static) -> Self {
        self.storage_transport = Some(Arc::new(transport));
        self
    }

    /// Page size of full listings (default 100).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Reads the environment fallback from `env` instead of the process environment.
    pub fn env(mut self, env: impl EnvSource + 'static) -> Self {
        self.env = Some(Arc::new(env));
        self
    }

    /// Disables the environment fallback.
    pub fn without_env(mut self) -> Self {
        self.env = None;
        self
    }

    /// Validates everything (base URL, header values) and builds the client.
    ///
    /// When neither an access token nor an authorization token was given, the environment
    /// supplies them with the Python factory's names and precedence
    /// (`SYNAPSE_PLUGIN_RUN_USER_TOKEN` as the authorization token, else
    /// `SYNAPSE_ACCESS_TOKEN`), together with `SYNAPSE_PLUGIN_RUN_TENANT` and
    /// `SYNAPSE_PLUGIN_RUN_URL_HOST` for settings not given explicitly.
    ///
    /// A builder with no credential anywhere still builds: its requests carry no credential
    /// header, and the platform answers them 401 (use [`BackendClient::from_env`] to fail
    /// early instead).
    pub fn build(mut self) -> Result<BackendClient, Error> {
        if self.access_token.is_none()
            && self.authorization_token.is_none()
            && let Some(env) = self.env.take()
        {
            let var = |k: &str| env.var(k);
            if let Some(user) = var("SYNAPSE_PLUGIN_RUN_USER_TOKEN") {
                self.authorization_token = non_empty(user);
            } else if let Some(access) = var("SYNAPSE_ACCESS_TOKEN") {
                self.access_token = non_empty(access);
            }
            if self.tenant.is_none() {
                self.tenant = var("SYNAPSE_PLUGIN_RUN_TENANT").and_then(non_empty);
            }
            if self.url_host.is_none() {
                self.url_host = var("SYNAPSE_PLUGIN_RUN_URL_HOST");
            }
        }
        // Same connect timeout, proxy and root certificates; a 300 s read timeout.
        let storage_http = HttpConfig {
            read_timeout: STORAGE_READ_TIMEOUT,
            ..self.http.clone()
        };
        let mut credentials = Vec::new();
        let mut core = Client::builder(self.base_url)
            .http_config(self.http)
            .retry_policy(self.retry)
            .page_size(self.page_size);
        let headers = [
            ("Synapse-Access-Token", "access_token", &self.access_token),
            (
                "Authorization",
                "authorization_token",
                &self.authorization_token,
            ),
            ("Synapse-Tenant", "tenant", &self.tenant),
            ("SYNAPSE-Agent", "agent_token", &self.agent_token),
        ];
        for (header, name, secret) in headers {
            if let Some(secret) = secret {
                core = core.secret_header(header, "Token ", secret);
                credentials.push(name);
            }
        }
        if let Some(url_host) = &self.url_host {
            core = core.default_query("url_host", url_host);
        }
        if let Some(transport) = self.transport {
            core = core.transport(transport);
        }
        let storage: Arc<dyn Transport> = match self.storage_transport {
            Some(t) => t,
            None => Arc::new(HttpTransport::new(storage_http)?),
        };
        Ok(BackendClient {
            core: core.build()?,
            settings: Arc::new(Settings {
                credentials,
                url_host: self.url_host,
                storage,
            }),
        })
    }
}
