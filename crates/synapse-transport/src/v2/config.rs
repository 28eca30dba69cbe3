//! The v2 client's settings: timeouts and their overrides, credentials, base URL rules.

use std::fmt;
use std::time::Duration;

use url::{Host, Url};

use crate::error::escape_controls;
use crate::urls::parse_base_url;
use crate::{ClientBuilder, EnvSource, Error, HttpConfig, Secret};

/// Default connect timeout of the v2 API: 5 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default read timeout of the v2 API: 30 s (per read, not per request).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Overrides the connect timeout (seconds).
pub const TIMEOUT_CONNECT_VAR: &str = "SYNAPSE_BACKEND_V2_TIMEOUT_CONNECT";

/// Overrides the read timeout (seconds).
pub const TIMEOUT_READ_VAR: &str = "SYNAPSE_BACKEND_V2_TIMEOUT_READ";

/// The access token when none is given.
pub const ACCESS_TOKEN_VAR: &str = "SYNAPSE_BACKEND_V2_ACCESS_TOKEN";

/// The DRF token when none is given.
pub const DRF_TOKEN_VAR: &str = "SYNAPSE_BACKEND_V2_DRF_TOKEN";

/// The tenant when none is given.
pub const TENANT_VAR: &str = "SYNAPSE_BACKEND_V2_TENANT";

/// The header of the access token (sent bare).
pub const ACCESS_TOKEN_HEADER: &str = "SYNAPSE-ACCESS-TOKEN";

/// The header of the tenant code.
pub const TENANT_HEADER: &str = "SYNAPSE-Tenant";

impl HttpConfig {
    /// v2 defaults: connect 5 s, read 30 s.
    pub fn backend_v2() -> Self {
        Self::with_timeouts(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
    }

    /// v2 defaults with the `SYNAPSE_BACKEND_V2_TIMEOUT_CONNECT` and
    /// `SYNAPSE_BACKEND_V2_TIMEOUT_READ` overrides read from `env` (see
    /// [`timeout_from_env`]).
    pub fn backend_v2_from_env(env: &dyn EnvSource) -> Result<Self, Error> {
        let mut config = Self::backend_v2();
        if let Some(t) = timeout_from_env(env, TIMEOUT_CONNECT_VAR)? {
            config.connect_timeout = t;
        }
        if let Some(t) = timeout_from_env(env, TIMEOUT_READ_VAR)? {
            config.read_timeout = t;
        }
        Ok(config)
    }
}

/// A timeout in seconds from the variable `var`: `None` when unset or empty; a finite
/// positive number (whitespace trimmed, decimals allowed: `2.5`) gives that duration;
/// anything else (`inf`, `nan`, `0`, `-1`, `fast`) is [`Error::InvalidInput`] naming the
/// variable.
///
/// ```
/// use std::time::Duration;
/// use synapse_transport::MapEnv;
/// use synapse_transport::v2::timeout_from_env;
/// let env = MapEnv::new().with("T", " 2.5 ").with("BAD", "inf");
/// assert_eq!(timeout_from_env(&env, "T")?, Some(Duration::from_millis(2500)));
/// assert_eq!(timeout_from_env(&env, "UNSET")?, None);
/// assert!(timeout_from_env(&env, "BAD").unwrap_err().to_string().contains("BAD"));
/// # Ok::<(), synapse_transport::Error>(())
/// ```
pub fn timeout_from_env(env: &dyn EnvSource, var: &str) -> Result<Option<Duration>, Error> {
    let Some(raw) = env.var(var) else {
        return Ok(None);
    };
    let text = raw.trim();
    let invalid = || {
        Error::invalid_input(format!(
            "{var} must be a finite, positive number of seconds, not {:?}",
            escape_controls(&text.chars().take(64).collect::<String>())
        ))
    };
    let secs: f64 = text.parse().map_err(|_| invalid())?;
    if !secs.is_finite() || secs <= 0.0 {
        return Err(invalid());
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .map(Some)
        .ok_or_else(invalid)
}

/// The credentials of a v2 client and their exact headers, with the other v2 settings
/// they go with. Empty values count as absent; `Debug` never shows a token.
///
/// - Timeouts: connect 5 s, read 30 s ([`HttpConfig::backend_v2`]), overridden by
///   `SYNAPSE_BACKEND_V2_TIMEOUT_CONNECT` / `SYNAPSE_BACKEND_V2_TIMEOUT_READ` (seconds, a
///   finite positive number; anything else is [`Error::InvalidInput`] naming the variable).
/// - Credentials ([`Credentials`]): `SYNAPSE-ACCESS-TOKEN: <token>` (bare, no prefix),
///   `Authorization: Token <drf token>` or `Authorization: Bearer <token>` (not both),
///   `SYNAPSE-Tenant: <code>` (raw, or `Token <code>` on request); every value is sent
///   marked sensitive and never reaches another origin.
/// - Base URL ([`check_base_url`]): absolute `http(s)` without query or fragment, not ending
///   in `/v2`; plain `http://` only to a loopback host or when explicitly allowed, since it
///   would carry the tokens in clear.
///
/// ```
/// use synapse_transport::v2::{Credentials, check_base_url};
/// use synapse_transport::{Client, HttpConfig, MapEnv};
///
/// let env = MapEnv::new().with("SYNAPSE_BACKEND_V2_TIMEOUT_READ", "60");
/// let base = check_base_url("https://synapse.test/", false)?;
/// let builder = Client::builder(base.as_str()).http_config(HttpConfig::backend_v2_from_env(&env)?);
/// let client = Credentials::new().access_token("syn_abc").tenant("acme").apply(builder)?.build()?;
/// let request = client.get("v2/projects/").build()?;
/// assert_eq!(request.headers["synapse-access-token"], "syn_abc");
/// assert_eq!(request.headers["synapse-tenant"], "acme");
///
/// assert!(check_base_url("http://synapse.test/", false).is_err()); // tokens in clear
/// assert!(check_base_url("http://127.0.0.1:8787/", false).is_ok()); // loopback
/// assert!(Credentials::new().drf_token("a").bearer_token("b").apply(Client::builder(base.as_str())).is_err());
/// # Ok::<(), synapse_transport::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Credentials {
    access_token: Secret,
    drf_token: Secret,
    bearer_token: Secret,
    tenant: Secret,
    tenant_token_prefix: bool,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |s: &Secret| (!s.is_empty()).then_some("***");
        f.debug_struct("Credentials")
            .field("access_token", &shown(&self.access_token))
            .field("drf_token", &shown(&self.drf_token))
            .field("bearer_token", &shown(&self.bearer_token))
            .field("tenant", &self.tenant.expose())
            .field("tenant_token_prefix", &self.tenant_token_prefix)
            .finish()
    }
}

impl Credentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// The access token: `SYNAPSE-ACCESS-TOKEN: <token>`, as given (no prefix).
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.access_token = token.into();
        self
    }

    /// The DRF token: `Authorization: Token <token>`.
    pub fn drf_token(mut self, token: impl Into<Secret>) -> Self {
        self.drf_token = token.into();
        self
    }

    /// An OAuth bearer token: `Authorization: Bearer <token>`. It shares the header with
    /// the DRF token, so a client cannot have both.
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.bearer_token = token.into();
        self
    }

    /// The tenant code: `SYNAPSE-Tenant: <code>` (raw).
    pub fn tenant(mut self, tenant: impl Into<Secret>) -> Self {
        self.tenant = tenant.into();
        self
    }

    /// Sends the tenant as `SYNAPSE-Tenant: Token <code>` (the plugin runtime's form).
    pub fn tenant_token_prefix(mut self, prefix: bool) -> Self {
        self.tenant_token_prefix = prefix;
        self
    }

    /// Fills the access token, DRF token and tenant that were not given from
    /// `SYNAPSE_BACKEND_V2_ACCESS_TOKEN`, `SYNAPSE_BACKEND_V2_DRF_TOKEN` and
    /// `SYNAPSE_BACKEND_V2_TENANT`; a value given explicitly wins.
    pub fn with_env_fallbacks(mut self, env: &dyn EnvSource) -> Self {
        for (slot, var) in [
            (&mut self.access_token, ACCESS_TOKEN_VAR),
            (&mut self.drf_token, DRF_TOKEN_VAR),
            (&mut self.tenant, TENANT_VAR),
        ] {
            if slot.is_empty()
                && let Some(value) = env.var(var)
            {
                *slot = Secret::new(value);
            }
        }
        self
    }

    /// True when a token (access, DRF or bearer) is set; the tenant alone is not one.
    pub fn has_token(&self) -> bool {
        !(self.access_token.is_empty() && self.drf_token.is_empty() && self.bearer_token.is_empty())
    }

    /// Adds the credential headers to a client being built. A DRF token and a bearer token
    /// together are [`Error::InvalidInput`] (both would be `Authorization`).
    pub fn apply(&self, builder: ClientBuilder) -> Result<ClientBuilder, Error> {
        if !self.drf_token.is_empty() && !self.bearer_token.is_empty() {
            return Err(Error::invalid_input(
                "a DRF token and a bearer token were both given; both are sent as \
                 `Authorization`, so choose one",
            ));
        }
        let tenant_prefix = if self.tenant_token_prefix {
            "Token "
        } else {
            ""
        };
        Ok(builder
            .secret_header(ACCESS_TOKEN_HEADER, "", &self.access_token)
            .secret_header("Authorization", "Token ", &self.drf_token)
            .secret_header("Authorization", "Bearer ", &self.bearer_token)
            .secret_header(TENANT_HEADER, tenant_prefix, &self.tenant))
    }
}

/// Validates a v2 base URL: absolute `http(s)`, no query, fragment or credentials, a path
/// that does not end in `/v2` (every v2 path starts with `/v2/` already), and `https`
/// unless the host is loopback (`localhost`, `127.0.0.0/8`, `::1`) or `allow_insecure` is
/// set: plain `http://` would carry the tokens in clear. Each refusal is
/// [`Error::InvalidInput`].
pub fn check_base_url(base: &str, allow_insecure: bool) -> Result<Url, Error> {
    let url = parse_base_url(base)?;
    if url.path().trim_end_matches('/').ends_with("/v2") {
        return Err(Error::invalid_input(
            "the base URL must not end in /v2: every v2 path already starts with /v2/",
        ));
    }
    if url.scheme() == "http" && !allow_insecure && !is_loopback(&url) {
        return Err(Error::invalid_input(format!(
            "refusing plain http:// to {}: the credentials would travel in clear; use \
             https, or allow insecure transport explicitly",
            url.host_str().unwrap_or_default()
        )));
    }
    Ok(url)
}

/// True when the URL's host is loopback: `localhost` (or a name under `.localhost`), an
/// IPv4 address in `127.0.0.0/8`, or `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}
