//! [`HttpTransport`]: the [`Transport`] on reqwest.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;

use crate::error::{ConnectKind, ERROR_BODY_LIMIT, TimeoutKind};
use crate::request::{Body, ReadTimeout, ResponseMode};
use crate::response::ResponseBody;
use crate::websocket::WsStream;
use crate::{Error, Request, Response, Transport};

/// Default of [`HttpConfig::max_body_bytes`]: 512 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

/// Settings of an [`HttpTransport`].
#[derive(Clone)]
pub struct HttpConfig {
    /// TCP + TLS connect timeout.
    pub connect_timeout: Duration,
    /// Per-read timeout (not a total deadline).
    pub read_timeout: Duration,
    /// The `User-Agent` header a [`Client`](crate::Client) built with this configuration
    /// sends (default `synapse-rs/<version>`).
    pub user_agent: String,
    /// An explicit proxy URL; proxy environment variables are honoured without it.
    pub proxy: Option<String>,
    /// Extra trusted root certificates, PEM encoded.
    pub root_certificates_pem: Vec<Vec<u8>>,
    /// Largest success body read whole (default 512 MiB); a longer one fails with
    /// [`Error::StreamLimit`]. Streamed bodies (downloads, log tails) are not limited by it.
    pub max_body_bytes: u64,
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .field("root_certificates", &self.root_certificates_pem.len())
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl HttpConfig {
    /// Backend defaults: connect 5 s, read 15 s.
    pub fn backend() -> Self {
        Self::with_timeouts(Duration::from_secs(5), Duration::from_secs(15))
    }

    /// Agent defaults: connect 3 s, read 10 s.
    pub fn agent() -> Self {
        Self::with_timeouts(Duration::from_secs(3), Duration::from_secs(10))
    }

    /// Explicit connect and read timeouts.
    pub fn with_timeouts(connect: Duration, read: Duration) -> Self {
        HttpConfig {
            connect_timeout: connect,
            read_timeout: read,
            user_agent: crate::request::DEFAULT_USER_AGENT.to_owned(),
            proxy: None,
            root_certificates_pem: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// Sends requests with reqwest (TLS by rustls or the platform's library, as the crate's
/// features choose; see [`TLS_ENABLED`]). Redirects are returned, not followed; `~/.netrc` is
/// never read; the headers sent are exactly the finalised request's
/// ([`Request::finalize`]).
///
/// Clients are cached per (connect, read) timeout pair, so a per-request override (e.g. a
/// long chunked-upload finalize) does not disturb the default pool.
pub struct HttpTransport {
    config: HttpConfig,
    /// The client of the configured timeouts (nearly every request), built on first use.
    default_client: std::sync::OnceLock<reqwest::Client>,
    /// Clients of other (connect, read) timeout pairs, built on first use.
    clients: Mutex<HashMap<(Duration, Option<Duration>), reqwest::Client>>,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("config", &self.config)
            .finish()
    }
}

impl HttpTransport {
    /// A transport with `config`; fails on an invalid proxy or certificate.
    pub fn new(config: HttpConfig) -> Result<Self, Error> {
        let transport = HttpTransport {
            config,
            default_client: std::sync::OnceLock::new(),
            clients: Mutex::new(HashMap::new()),
        };
        // Build the default client now so configuration errors surface at build time.
        let default = (
            transport.config.connect_timeout,
            Some(transport.config.read_timeout),
        );
        transport.client(default)?;
        Ok(transport)
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The client for `request`'s connect and read timeouts (the configured ones unless
    /// the request sets its own).
    fn client_for(&self, request: &Request) -> Result<reqwest::Client, Error> {
        let read_timeout = match request.read_timeout {
            ReadTimeout::Default => Some(self.config.read_timeout),
            ReadTimeout::After(d) => Some(d),
            ReadTimeout::Never => None,
        };
        let connect = request
            .connect_timeout
            .unwrap_or(self.config.connect_timeout);
        self.client((connect, read_timeout))
    }

    /// The client for a (connect timeout, read timeout) pair, built on first use.
    fn client(&self, key: (Duration, Option<Duration>)) -> Result<reqwest::Client, Error> {
        if key == (self.config.connect_timeout, Some(self.config.read_timeout)) {
            if let Some(client) = self.default_client.get() {
                return Ok(client.clone());
            }
            let client = self.build_client(key.0, key.1)?;
            return Ok(self.default_client.get_or_init(|| client).clone());
        }
        let mut clients = self.clients.lock().map_err(|_| Error::Transport {
            message: "HTTP client cache poisoned".to_owned(),
            source: None,
        })?;
        if let Some(c) = clients.get(&key) {
            return Ok(c.clone());
        }
        let client = self.build_client(key.0, key.1)?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    fn build_client(
        &self,
        connect_timeout: Duration,
        read_timeout: Option<Duration>,
    ) -> Result<reqwest::Client, Error> {
        let config_err = |what: &str, e: reqwest::Error| Error::InvalidInput {
            message: format!("invalid HTTP {what}: {}", e.without_url()),
            source: None,
        };
        // No default headers here: every header comes from the finalised request.
        let mut builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(rt) = read_timeout {
            builder = builder.read_timeout(rt);
        }
        if let Some(proxy) = &self.config.proxy {
            builder =
                builder.proxy(reqwest::Proxy::all(proxy).map_err(|e| config_err("proxy", e))?);
        }
        builder = tls(builder, &self.config.root_certificates_pem)?;
        builder
            .build()
            .map_err(|e| config_err("client configuration", e))
    }
}

/// Whether this build can speak TLS (one of the `rustls-aws-lc`, `rustls-ring` or
/// `native-tls` features).
pub const TLS_ENABLED: bool = cfg!(any(
    feature = "rustls-aws-lc",
    feature = "rustls-ring",
    feature = "native-tls"
));

/// The TLS set-up of a client: the backend the features chose (the platform's library when
/// `native-tls` is on, else rustls) and the extra trusted roots.
#[cfg(any(
    feature = "rustls-aws-lc",
    feature = "rustls-ring",
    feature = "native-tls"
))]
fn tls(
    mut builder: reqwest::ClientBuilder,
    roots: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Error> {
    #[cfg(feature = "native-tls")]
    {
        builder = builder.tls_backend_native();
    }
    #[cfg(all(
        feature = "rustls-ring",
        not(feature = "rustls-aws-lc"),
        not(feature = "native-tls")
    ))]
    {
        // rustls needs a process-wide crypto provider when it has none built in; install
        // ring's unless the application installed one (then that one is used).
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
    for (i, pem) in roots.iter().enumerate() {
        // Some TLS backends skip what is not a certificate without a word; a root that adds
        // nothing is a configuration error.
        let marker: &[u8] = b"-----BEGIN CERTIFICATE-----";
        if !pem.windows(marker.len()).any(|w| w == marker) {
            return Err(Error::invalid_input(format!(
                "root certificate {i} holds no PEM certificate"
            )));
        }
        let cert = reqwest::Certificate::from_pem(pem).map_err(|e| Error::InvalidInput {
            message: format!("invalid root certificate {i}: {}", e.without_url()),
            source: None,
        })?;
        builder = builder.add_root_certificate(cert);
    }
    Ok(builder)
}

/// Without a TLS feature: plain HTTP only, so extra trusted roots are a configuration
/// error (and an `https` URL fails when sent).
#[cfg(not(any(
    feature = "rustls-aws-lc",
    feature = "rustls-ring",
    feature = "native-tls"
)))]
fn tls(
    builder: reqwest::ClientBuilder,
    roots: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Error> {
    if roots.is_empty() {
        Ok(builder)
    } else {
        Err(Error::invalid_input(
            "root certificates given, but this build has no TLS (enable the `rustls-aws-lc`, \
             `rustls-ring` or `native-tls` feature)",
        ))
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, mut request: Request) -> Result<Response, Error> {
        request.finalize()?;
        let client = self.client_for(&request)?;
        let url = request.full_url();
        // The headers are exactly the finalised ones (the mock records the same); the body
        // is only the bytes.
        // The headers move into reqwest's request: past this point only the method and the
        // URL of `request` label errors.
        let builder = client
            .request(request.method.clone(), url)
            .headers(std::mem::take(&mut request.headers));
        let builder = match &request.body {
            Body::Empty => builder,
            Body::Json(b) => builder.body(b.clone()),
            Body::Bytes { data, .. } => builder.body(data.clone()),
            Body::File { range, .. } => builder.body(reqwest::Body::wrap_stream(range.stream())),
            Body::Multipart(m) => builder.body(reqwest::Body::wrap_stream(m.stream())),
        };

        let mut resp = builder
            .send()
            .await
            .map_err(|e| map_reqwest_error(&request, e))?;
        let status = resp.status();
        let headers = std::mem::take(resp.headers_mut());
        if request.response_mode == ResponseMode::Stream && status.is_success() {
            let method = request.method.clone();
            let url = request.display_url();
            let stream = resp.bytes_stream().map(move |item| {
                item.map_err(|e| Error::ResponseIncomplete {
                    method: method.clone(),
                    url: url.clone(),
                    timed_out: e.is_timeout(),
                    message: describe(&e),
                    source: Some(Box::new(e.without_url())),
                })
            });
            return Ok(Response {
                status,
                headers,
                body: ResponseBody::Stream(Box::pin(stream)),
            });
        }
        // An error body is read only up to the limit the error keeps (one byte more tells
        // that it was longer); the rest is never read and the connection is dropped.
        let limit = if status.is_success() {
            self.config.max_body_bytes
        } else {
            ERROR_BODY_LIMIT as u64 + 1
        };
        let body = read_capped(&request, resp, limit).await?;
        if status.is_success() && body.len() as u64 > self.config.max_body_bytes {
            return Err(Error::StreamLimit {
                method: request.method.clone(),
                url: request.display_url(),
                limit: format!(
                    "a response body larger than {} bytes (HttpConfig::max_body_bytes)",
                    self.config.max_body_bytes
                ),
            });
        }
        Ok(Response {
            status,
            headers,
            body: ResponseBody::Buffered(body),
        })
    }

    async fn websocket(&self, mut request: Request) -> Result<WsStream, Error> {
        use http::header::{CONNECTION, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
        request.finalize()?;
        let key = crate::websocket::handshake_key();
        let mut headers = request.headers.clone();
        headers.insert(CONNECTION, http::HeaderValue::from_static("Upgrade"));
        headers.insert(UPGRADE, http::HeaderValue::from_static("websocket"));
        headers.insert(SEC_WEBSOCKET_VERSION, http::HeaderValue::from_static("13"));
        let key_value = http::HeaderValue::from_str(&key)
            .map_err(|_| Error::invalid_input("invalid WebSocket key"))?;
        headers.insert(SEC_WEBSOCKET_KEY, key_value);
        let client = self.client_for(&request)?;
        let resp = client
            .request(http::Method::GET, request.full_url())
            .headers(headers)
            .send()
            .await
            .map_err(|e| map_reqwest_error(&request, e))?;
        let status = resp.status();
        if status != http::StatusCode::SWITCHING_PROTOCOLS {
            let resp_headers = resp.headers().clone();
            let body = read_capped(&request, resp, ERROR_BODY_LIMIT as u64 + 1).await?;
            let response = Response::buffered(status, resp_headers, body);
            return Err(response
                .into_api_error(request.method.clone(), request.display_url())
                .await
                .into());
        }
        let accepted = resp
            .headers()
            .get(http::header::SEC_WEBSOCKET_ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if accepted.as_deref() != Some(crate::websocket::accept_key(&key).as_str()) {
            return Err(Error::Protocol {
                message: "WebSocket: the server's Sec-WebSocket-Accept does not match the key"
                    .to_owned(),
            });
        }
        let upgraded = resp
            .upgrade()
            .await
            .map_err(|e| map_reqwest_error(&request, e))?;
        Ok(crate::websocket::messages(upgraded))
    }
}

/// Reads the body until it ends or holds more than `limit` bytes (then stops reading).
async fn read_capped(
    request: &Request,
    mut resp: reqwest::Response,
    limit: u64,
) -> Result<bytes::Bytes, Error> {
    // A body that arrives as one chunk (most answers) is returned as it is, uncopied; more
    // chunks are gathered into one buffer sized from `Content-Length` when it is given.
    let mut first: Option<bytes::Bytes> = None;
    let mut gathered: Option<bytes::BytesMut> = None;
    let hint = resp
        .content_length()
        .unwrap_or(0)
        .min(limit.saturating_add(1));
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| map_reqwest_error(request, e))?
    {
        let len = match (&mut gathered, first.take()) {
            (Some(body), _) => {
                body.extend_from_slice(&chunk);
                body.len()
            }
            (None, None) => {
                let len = chunk.len();
                first = Some(chunk);
                len
            }
            (None, Some(earlier)) => {
                let capacity = usize::try_from(hint)
                    .unwrap_or(0)
                    .max(earlier.len() + chunk.len());
                let mut body = bytes::BytesMut::with_capacity(capacity);
                body.extend_from_slice(&earlier);
                body.extend_from_slice(&chunk);
                let len = body.len();
                gathered = Some(body);
                len
            }
        };
        if len as u64 > limit {
            break;
        }
    }
    Ok(match (gathered, first) {
        (Some(body), _) => body.freeze(),
        (None, Some(only)) => only,
        (None, None) => bytes::Bytes::new(),
    })
}

/// Maps a reqwest failure onto the SDK's error, without the URL reqwest embeds.
fn map_reqwest_error(request: &Request, e: reqwest::Error) -> Error {
    let method = request.method.clone();
    let url = request.display_url();
    if e.is_builder() {
        return Error::InvalidInput {
            message: format!("cannot build the request: {}", describe(&e)),
            source: Some(Box::new(e.without_url())),
        };
    }
    if e.is_connect() {
        if e.is_timeout() {
            return Error::Timeout {
                kind: TimeoutKind::Connect,
                method,
                url,
            };
        }
        let kind = connect_kind(&e);
        return Error::Connect {
            kind,
            method,
            url,
            source: Some(Box::new(e.without_url())),
        };
    }
    if e.is_timeout() {
        // A read timeout on POST/PATCH leaves the outcome unknown (Python: ResponseIncomplete).
        if request.is_idempotent() {
            return Error::Timeout {
                kind: TimeoutKind::Read,
                method,
                url,
            };
        }
        return Error::ResponseIncomplete {
            method,
            url,
            timed_out: true,
            message: "read timeout".to_owned(),
            source: Some(Box::new(e.without_url())),
        };
    }
    Error::ResponseIncomplete {
        method,
        url,
        timed_out: false,
        message: describe(&e),
        source: Some(Box::new(e.without_url())),
    }
}

fn connect_kind(e: &reqwest::Error) -> ConnectKind {
    if e.is_dns() {
        return ConnectKind::Dns;
    }
    if let Some(io) = find_source::<std::io::Error>(e)
        && io.kind() == std::io::ErrorKind::ConnectionRefused
    {
        return ConnectKind::Refused;
    }
    let text = describe(e).to_ascii_lowercase();
    // The chain's `Debug` names the TLS library's error types (rustls `InvalidMessage`,
    // OpenSSL `Ssl(…)`), which their `Display` does not always do.
    let detail = std::error::Error::source(e)
        .map(|source| format!("{source:?}").to_ascii_lowercase())
        .unwrap_or_default();
    const TLS_MARKS: [&str; 7] = [
        "certificate",
        "tls",
        "handshake",
        "ssl",
        "rustls",
        "invalidmessage",
        "alert",
    ];
    if text.contains("dns") {
        ConnectKind::Dns
    } else if text.contains("refused") {
        ConnectKind::Refused
    } else if TLS_MARKS
        .iter()
        .any(|mark| text.contains(mark) || detail.contains(mark))
    {
        ConnectKind::Tls
    } else {
        ConnectKind::Other
    }
}

fn find_source<T: std::error::Error + 'static>(e: &reqwest::Error) -> Option<&T> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}

/// The error chain's messages joined, without any URL.
fn describe(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = current {
        parts.push(err.to_string());
        current = err.source();
    }
    if parts.is_empty() {
        "request failed".to_owned()
    } else {
        parts.join(": ")
    }
}
