//! [`AgentClient`] and its builder: base URL, agent/user/tenant credentials, timeouts,
//! retries, an injectable transport, and the environment factory.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use synapse_transport::{
    Call, CallInfo, Client, EnvSource, Error, HttpConfig, Operation, ProcessEnv, RequestBuilder,
    Response, RetryPolicy, Secret, Transport, fluent, operation,
};

/// Environment variable naming the agent's base URL (read by [`AgentClient::from_env`]).
pub const ENV_AGENT_URL: &str = "SYNAPSE_AGENT_URL";
/// Environment variable holding the agent token.
pub const ENV_AGENT_TOKEN: &str = "SYNAPSE_AGENT_TOKEN";
/// Environment variable holding the user token of a plugin run.
pub const ENV_USER_TOKEN: &str = "SYNAPSE_PLUGIN_RUN_USER_TOKEN";
/// Environment variable holding the tenant code of a plugin run.
pub const ENV_TENANT: &str = "SYNAPSE_PLUGIN_RUN_TENANT";

/// The client of a synapse-agent (the per-cluster service that caches plugin releases, runs
/// them on Ray and manages containers).
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool, so the streams it
/// returns are `'static`.
///
/// Every request carries the agent's credential headers, exactly as the Python SDK sends
/// them: `Authorization: <agent token>` (the **bare** token, no `Token ` prefix), plus
/// `SYNAPSE-User: Token <user token>` and `SYNAPSE-Tenant: Token <tenant>` when those are
/// set. All three are marked sensitive and never printed.
///
/// Defaults: connect timeout 3 s, read timeout 10 s (the agent's, not the backend's 5/15),
/// [`RetryPolicy::default`], which never replays a POST or PATCH that may have reached the
/// agent (so a plugin run, a build or a system update is never started twice).
///
/// Not supported (see the crate documentation): long-poll mode.
///
/// ```
/// use synapse_agent::AgentClient;
/// let client = AgentClient::builder("http://10.0.0.5:8000", "agent-token")
///     .user_token("user-token")
///     .tenant("acme")
///     .build()?;
/// assert!(!format!("{client:?}").contains("agent-token"));
/// # Ok::<(), synapse_agent::Error>(())
/// ```
#[derive(Clone)]
pub struct AgentClient {
    pub(crate) core: Client,
    credentials: Arc<Vec<&'static str>>,
}

impl fmt::Debug for AgentClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentClient")
            .field("base_url", &self.core.base_url().as_str())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl AgentClient {
    /// A client for the agent at `base_url`, authenticating with `agent_token`, with default
    /// settings. An empty token, a token with a line break, or a base URL that is not an
    /// absolute `http(s)` URL is an [`Error::InvalidInput`].
    ///
    /// ```no_run
    /// let client = synapse_agent::AgentClient::new("http://10.0.0.5:8000", "agent-token")?;
    /// # Ok::<(), synapse_agent::Error>(())
    /// ```
    pub fn new(base_url: impl Into<String>, agent_token: impl Into<String>) -> Result<Self, Error> {
        Self::builder(base_url, agent_token).build()
    }

    /// Starts a builder. The agent token is required (the Python SDK's `agent_token`; the
    /// product documentation's `access_token` argument does not exist).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let client = synapse_agent::AgentClient::builder("http://10.0.0.5:8000", "agent-token")
    ///     .tenant("acme")
    ///     .read_timeout(Duration::from_secs(30))
    ///     .build()?;
    /// # Ok::<(), synapse_agent::Error>(())
    /// ```
    pub fn builder(
        base_url: impl Into<String>,
        agent_token: impl Into<String>,
    ) -> AgentClientBuilder {
        AgentClientBuilder {
            base_url: base_url.into(),
            agent_token: Secret::new(agent_token.into()),
            user_token: None,
            tenant: None,
            http: HttpConfig::agent(),
            retry: RetryPolicy::default(),
            transport: None,
            page_size: 100,
        }
    }

    /// Mirrors how the Python SDK's plugin runtime builds its agent client: base URL from
    /// `SYNAPSE_AGENT_URL`, agent token from `SYNAPSE_AGENT_TOKEN`, user token from
    /// `SYNAPSE_PLUGIN_RUN_USER_TOKEN`, tenant from `SYNAPSE_PLUGIN_RUN_TENANT` (empty
    /// values count as absent). [`Error::Configuration`] names what is missing when the URL
    /// or the agent token is not set.
    ///
    /// ```no_run
    /// let agent = synapse_agent::AgentClient::from_env()?;
    /// println!("{agent:?}");
    /// # Ok::<(), synapse_agent::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_source(&ProcessEnv)
    }

    /// [`AgentClient::from_env`] reading from `env` instead of the process environment.
    ///
    /// ```
    /// use synapse_agent::{AgentClient, Error, MapEnv};
    /// let env = MapEnv::new()
    ///     .with("SYNAPSE_AGENT_URL", "http://10.0.0.5:8000")
    ///     .with("SYNAPSE_AGENT_TOKEN", "agent-token");
    /// let agent = AgentClient::from_env_source(&env)?;
    /// let missing = AgentClient::from_env_source(&MapEnv::new()).unwrap_err();
    /// assert!(matches!(missing, Error::Configuration { .. }));
    /// # Ok::<(), synapse_agent::Error>(())
    /// ```
    pub fn from_env_source(env: &dyn EnvSource) -> Result<Self, Error> {
        Self::builder_from_env(env)?.build()
    }

    /// The builder [`AgentClient::from_env_source`] uses, to adjust before building (a
    /// transport, a retry policy, timeouts); [`Error::Configuration`] when the URL or the
    /// agent token is missing.
    ///
    /// ```
    /// use std::time::Duration;
    /// use synapse_agent::{AgentClient, MapEnv};
    /// let env = MapEnv::new()
    ///     .with("SYNAPSE_AGENT_URL", "http://10.0.0.5:8000")
    ///     .with("SYNAPSE_AGENT_TOKEN", "agent-token");
    /// let agent = AgentClient::builder_from_env(&env)?
    ///     .read_timeout(Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), synapse_agent::Error>(())
    /// ```
    pub fn builder_from_env(env: &dyn EnvSource) -> Result<AgentClientBuilder, Error> {
        let url = env.var(ENV_AGENT_URL);
        let token = env.var(ENV_AGENT_TOKEN);
        let missing: Vec<&str> = [
            (ENV_AGENT_URL, url.is_none()),
            (ENV_AGENT_TOKEN, token.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        let (Some(url), Some(token)) = (url, token) else {
            return Err(Error::Configuration {
                message: format!("{} not set (or empty)", missing.join(" and ")),
            });
        };
        let mut builder = Self::builder(url, token);
        if let Some(user) = env.var(ENV_USER_TOKEN) {
            builder = builder.user_token(user);
        }
        if let Some(tenant) = env.var(ENV_TENANT) {
            builder = builder.tenant(tenant);
        }
        Ok(builder)
    }

    /// The HTTP core (base URL, credential headers, retries), for calls this client does not
    /// wrap.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let v = agent.core().get("health/").send_value().await?;
    /// # Ok(()) }
    /// ```
    pub fn core(&self) -> &Client {
        &self.core
    }

    /// `GET health/`: the agent's health answer, untyped (JSON, else text).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// println!("{}", agent.health_check().await?);
    /// # Ok(()) }
    /// ```
    pub fn health_check(&self) -> HealthCheck {
        HealthCheck {
            call: Call::new(self.core.clone()),
        }
    }
}

/// [`AgentClient::health_check`]: `GET health/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct HealthCheck {
    call: Call,
}

impl Operation for HealthCheck {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("health/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(HealthCheck);

/// Builds an [`AgentClient`]. `Debug` never shows a credential.
pub struct AgentClientBuilder {
    base_url: String,
    agent_token: Secret,
    user_token: Option<Secret>,
    tenant: Option<Secret>,
    http: HttpConfig,
    retry: RetryPolicy,
    transport: Option<Arc<dyn Transport>>,
    page_size: u32,
}

impl fmt::Debug for AgentClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentClientBuilder")
            .field("base_url", &self.base_url)
            .field("agent_token", &self.agent_token)
            .field("user_token", &self.user_token)
            .field("tenant", &self.tenant)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

fn non_empty(value: impl Into<String>) -> Option<Secret> {
    let value = value.into();
    (!value.is_empty()).then(|| Secret::new(value))
}

impl AgentClientBuilder {
    /// The user token: `SYNAPSE-User: Token <t>` (empty means absent).
    pub fn user_token(mut self, token: impl Into<String>) -> Self {
        self.user_token = non_empty(token);
        self
    }

    /// The tenant code: `SYNAPSE-Tenant: Token <tenant>` (empty means absent).
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = non_empty(tenant);
        self
    }

    /// Connect timeout (default 3 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.connect_timeout = timeout;
        self
    }

    /// Read timeout (default 10 s), per read, not a total deadline. Calls that run longer
    /// (synchronous Serve inference) override it with their own `.read_timeout(…)`.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.http.read_timeout = timeout;
        self
    }

    /// Both timeouts at once, like the Python SDK's `timeout={"connect": …, "read": …}`.
    pub fn timeouts(self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout(connect).read_timeout(read)
    }

    /// All HTTP settings at once (timeouts, proxy, extra root certificates). Start from
    /// [`HttpConfig::agent`] to keep the agent's defaults.
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http = config;
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]). Whatever the policy, a POST or
    /// PATCH is replayed only when it provably never left the client.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends through `transport` (e.g. a `MockTransport`) instead of HTTP.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Page size of full listings (`.items()` and `.pages()` of a list call that sets no
    /// page size; default 100).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Validates everything (agent token present, no line breaks in credentials, base URL
    /// absolute `http(s)` without query or fragment) and builds the client.
    pub fn build(self) -> Result<AgentClient, Error> {
        if self.agent_token.is_empty() {
            return Err(Error::invalid_input(
                "the agent token is required (it is sent as the bare `Authorization` header)",
            ));
        }
        let mut credentials = vec!["agent_token"];
        let mut core = Client::builder(self.base_url)
            .http_config(self.http)
            .retry_policy(self.retry)
            .page_size(self.page_size)
            .secret_header("Authorization", "", &self.agent_token);
        if let Some(user) = &self.user_token {
            core = core.secret_header("SYNAPSE-User", "Token ", user);
            credentials.push("user_token");
        }
        if let Some(tenant) = &self.tenant {
            core = core.secret_header("SYNAPSE-Tenant", "Token ", tenant);
            credentials.push("tenant");
        }
        if let Some(transport) = self.transport {
            core = core.transport(transport);
        }
        Ok(AgentClient {
            core: core.build()?,
            credentials: Arc::new(credentials),
        })
    }
}
