//! [`Client`]: the generic core that `BackendClient` and `AgentClient` are built on — base
//! URL, default headers and query, retries, redirects and status mapping.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue, PROXY_AUTHORIZATION};
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::http_transport::{HttpConfig, HttpTransport};
use crate::multipart::Multipart;
use crate::pagination::PageStream;
use crate::redirect::{Scope, next_hop};
use crate::request::{Body, ReadTimeout, ResponseMode};
use crate::response::{decode_shared, decode_value};
use crate::retry::{RetryPolicy, RetryTransport};
use crate::urls::{check_path, join, merge_query, parse_base_url, same_origin};
use crate::{Error, Page, Request, Response, Secret, Transport};

/// Where a request goes: a path relative to the client's base URL or an absolute URL
/// (`&str`, `String`), or a path that could not be built (`Result<String, Error>`, as
/// [`urls::path`](crate::urls::path) returns), whose error is reported when the request is
/// sent.
pub trait IntoTarget {
    /// The path or URL, or why there is none.
    fn into_target(self) -> Result<String, Error>;
}

impl IntoTarget for &str {
    fn into_target(self) -> Result<String, Error> {
        Ok(self.to_owned())
    }
}

impl IntoTarget for &String {
    fn into_target(self) -> Result<String, Error> {
        Ok(self.clone())
    }
}

impl IntoTarget for String {
    fn into_target(self) -> Result<String, Error> {
        Ok(self)
    }
}

impl IntoTarget for Result<String, Error> {
    fn into_target(self) -> Result<String, Error> {
        self
    }
}

/// Header names that carry credentials whatever the client's configuration.
const CREDENTIAL_HEADERS: [HeaderName; 3] = [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE];

/// Builds a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    transport: Option<Arc<dyn Transport>>,
    http: HttpConfig,
    retry: RetryPolicy,
    headers: HeaderMap,
    secret_names: Vec<HeaderName>,
    query: Vec<(String, String)>,
    page_size: u32,
    error: Option<Error>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sends through `transport` instead of an [`HttpTransport`] (e.g. a
    /// [`MockTransport`](crate::mock::MockTransport)). The retry policy still applies.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Settings of the default [`HttpTransport`].
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http = config;
        self
    }

    /// Connect timeout of the default transport.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.connect_timeout = timeout;
        self
    }

    /// Read timeout of the default transport.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.http.read_timeout = timeout;
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A header sent on every request. Values with CR/LF are rejected at build time.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => self.fail(Error::invalid_input(format!(
                "header {name:?} has an invalid name or value"
            ))),
        }
        self
    }

    /// A credential header `name: prefix + secret`, marked sensitive. Empty secrets are
    /// skipped (the Python SDK sends only truthy values).
    pub fn secret_header(mut self, name: &str, prefix: &str, secret: &Secret) -> Self {
        if secret.is_empty() {
            return self;
        }
        match (
            HeaderName::from_bytes(name.as_bytes()),
            secret.header_value(prefix),
        ) {
            (Ok(n), Ok(v)) => {
                self.secret_names.push(n.clone());
                self.headers.insert(n, v);
            }
            (Err(_), _) => self.fail(Error::invalid_input(format!(
                "invalid header name {name:?}"
            ))),
            (_, Err(e)) => self.fail(e),
        }
        self
    }

    /// A query pair sent on every request through the common path (e.g. `url_host`).
    pub fn default_query(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Page size added to the first request of a full listing (default 100).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let base = parse_base_url(&self.base_url)?;
        let mut headers = self.headers;
        if !headers.contains_key(http::header::USER_AGENT) {
            let agent = HeaderValue::from_str(&self.http.user_agent).map_err(|_| {
                Error::invalid_input("the user agent has characters a header cannot carry")
            })?;
            headers.insert(http::header::USER_AGENT, agent);
        }
        let inner: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
            None => Arc::new(HttpTransport::new(self.http)?),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                transport: Box::new(RetryTransport::new(inner, self.retry)),
                headers,
                secret_names: self.secret_names,
                query: self.query,
                page_size: self.page_size,
            }),
        })
    }
}

struct Inner {
    base: Url,
    transport: Box<dyn Transport>,
    headers: HeaderMap,
    /// Names of the credential headers among `headers`.
    secret_names: Vec<HeaderName>,
    query: Vec<(String, String)>,
    page_size: u32,
}

/// The HTTP core shared by the SDK's clients: cheap to clone (an `Arc` inside), so streams
/// built from it are `'static`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Sensitive header values print as `Sensitive`.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("headers", &self.inner.headers)
            .field("default_query", &self.inner.query)
            .field("page_size", &self.inner.page_size)
            .field("transport", &self.inner.transport)
            .finish()
    }
}

impl Client {
    /// Starts a builder for `base_url` (absolute http(s), no query or fragment).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            transport: None,
            http: HttpConfig::backend(),
            retry: RetryPolicy::default(),
            headers: HeaderMap::new(),
            secret_names: Vec::new(),
            query: Vec::new(),
            page_size: 100,
            error: None,
        }
    }

    /// The validated base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The page size of full listings.
    pub fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    /// A request to `target` (a path relative to the base, or an absolute URL) with the
    /// default headers and query.
    ///
    /// A path with an empty or dot segment (`jobs/../`) is refused with
    /// [`Error::InvalidInput`] when the request is sent, before anything goes out. A URL on
    /// another origin than the base gets neither the credential headers nor the default
    /// query (see [`Client::execute`]).
    pub fn request(&self, method: Method, target: impl IntoTarget) -> RequestBuilder {
        let request = target.into_target().and_then(|target| {
            check_path(&target)?;
            let url = join(&self.inner.base, &target)?;
            let mut r = Request::new(method, url);
            r.headers = self.inner.headers.clone();
            self.withhold_credentials(&mut r);
            Ok(r)
        });
        RequestBuilder {
            client: self.clone(),
            request,
            query: Vec::new(),
        }
    }

    /// A GET request.
    pub fn get(&self, target: impl IntoTarget) -> RequestBuilder {
        self.request(Method::GET, target)
    }

    /// A POST request.
    pub fn post(&self, target: impl IntoTarget) -> RequestBuilder {
        self.request(Method::POST, target)
    }

    /// A PUT request.
    pub fn put(&self, target: impl IntoTarget) -> RequestBuilder {
        self.request(Method::PUT, target)
    }

    /// A PATCH request.
    pub fn patch(&self, target: impl IntoTarget) -> RequestBuilder {
        self.request(Method::PATCH, target)
    }

    /// A DELETE request.
    pub fn delete(&self, target: impl IntoTarget) -> RequestBuilder {
        self.request(Method::DELETE, target)
    }

    /// True when `url` has the base URL's scheme, host and port.
    pub fn is_same_origin(&self, url: &Url) -> bool {
        same_origin(url, &self.inner.base)
    }

    /// Removes every credential header from a request to another origin: the client's
    /// secret headers, any header marked sensitive, and `Authorization`,
    /// `Proxy-Authorization` and `Cookie`.
    fn withhold_credentials(&self, request: &mut Request) {
        if self.is_same_origin(&request.url) {
            return;
        }
        let doomed: Vec<HeaderName> = request
            .headers
            .iter()
            .filter(|(name, value)| {
                value.is_sensitive()
                    || self.inner.secret_names.contains(name)
                    || CREDENTIAL_HEADERS.contains(name)
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in &doomed {
            request.headers.remove(name);
        }
        if !doomed.is_empty() {
            tracing::debug!(
                origin = %crate::urls::origin(&request.url),
                withheld = doomed.len(),
                "request to another origin: credential headers withheld"
            );
        }
    }

    /// One page of a list endpoint: a GET with the caller's query and no `page_size`
    /// (as the Python SDK's `list_all=False`).
    pub async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Page<T>, Error> {
        self.get(path)
            .query_pairs(query.iter().cloned())
            .send_json()
            .await
    }

    /// Every item of a list endpoint, as a lazy stream; see [`PageStream`].
    pub fn paginate<T>(&self, path: &str, query: Vec<(String, String)>) -> PageStream<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        PageStream::new(self.clone(), path.to_owned(), query)
    }

    /// Sends a built request: retries (in the transport layer), same-origin redirects, and
    /// non-2xx statuses mapped to [`Error::Api`].
    ///
    /// Every request passes here, however it was built: one whose URL is on another origin
    /// than the base is sent without any credential header (the client's secret headers,
    /// headers marked sensitive, `Authorization`, `Proxy-Authorization`, `Cookie`).
    pub async fn execute(&self, request: Request) -> Result<Response, Error> {
        let mut request = request;
        self.withhold_credentials(&mut request);
        let mut hops = 0usize;
        loop {
            let response = self.inner.transport.send(request.clone()).await?;
            let status = response.status;
            let scope = Scope::Origin(&self.inner.base);
            if let Some(target) = next_hop(&request, &response, hops, scope)? {
                request.url = target;
                request.query.clear();
                hops += 1;
                continue;
            }
            if !status.is_success() {
                let err = response
                    .into_api_error(request.method.clone(), request.display_url())
                    .await;
                return Err(err.into());
            }
            return Ok(response);
        }
    }

    /// Opens a WebSocket with a built request (a GET on an `http`/`https` URL; the
    /// transport upgrades the connection), after the same origin rule as
    /// [`Client::execute`]: credentials go only to the client's origin. Not retried; an
    /// answer other than `101` is an [`Error::Api`] with its status.
    pub async fn websocket(&self, request: Request) -> Result<crate::WsStream, Error> {
        let mut request = request;
        self.withhold_credentials(&mut request);
        self.inner.transport.websocket(request).await
    }

    /// [`Client::execute`], then decodes the body into `T` straight from the bytes (errors
    /// carry the field path).
    pub async fn execute_json<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        let method = request.method.clone();
        let url = request.display_url();
        let response = self.execute(request).await?;
        let status = response.status;
        let body = response.into_bytes().await?;
        decode_shared(&method, &url, status, &body)
    }
}

/// A request being prepared; build errors are reported when it is sent.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    client: Client,
    request: Result<Request, Error>,
    query: Vec<(String, String)>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("request", &self.request)
            .field("query", &self.query)
            .finish()
    }
}

impl RequestBuilder {
    fn map(mut self, f: impl FnOnce(&mut Request) -> Result<(), Error>) -> Self {
        if let Ok(r) = &mut self.request
            && let Err(e) = f(r)
        {
            self.request = Err(e);
        }
        self
    }

    /// Records a validation failure of the operation's input: the request is refused with
    /// that error when it is built or sent, before anything goes out.
    pub fn validated(self, check: Result<(), Error>) -> Self {
        self.map(|_| check)
    }

    /// Adds a query pair (after the defaults, in call order).
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds a query pair when `value` is `Some` (Python drops `None` values).
    pub fn query_opt(self, key: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// True when a query pair named `key` was added.
    pub fn has_query(&self, key: &str) -> bool {
        self.query.iter().any(|(k, _)| k == key)
    }

    /// Adds query pairs.
    pub fn query_pairs(mut self, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    /// Sets or replaces a header.
    pub fn header(self, name: &str, value: &str) -> Self {
        let parsed = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        );
        self.map(move |r| match parsed {
            (Ok(n), Ok(v)) => {
                r.headers.insert(n, v);
                Ok(())
            }
            _ => Err(Error::invalid_input(format!(
                "header {name:?} has an invalid name or value"
            ))),
        })
    }

    /// Marks the body as a credential (a login's password): `Debug` of the request shows its
    /// length only.
    pub fn redact_body(self) -> Self {
        self.map(|r| {
            r.redact_body();
            Ok(())
        })
    }

    /// Removes a header, the client's own included (a credential one call must not carry).
    pub fn without_header(self, name: &str) -> Self {
        let parsed = HeaderName::from_bytes(name.as_bytes());
        self.map(move |r| match parsed {
            Ok(n) => {
                r.headers.remove(n);
                Ok(())
            }
            Err(_) => Err(Error::invalid_input(format!(
                "header {name:?} has an invalid name"
            ))),
        })
    }

    /// A JSON body.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        let body = Body::json(body);
        self.map(|r| {
            r.body = body?;
            Ok(())
        })
    }

    /// A multipart body.
    pub fn multipart(self, body: Multipart) -> Self {
        self.body(Body::Multipart(body))
    }

    /// Any body.
    pub fn body(self, body: Body) -> Self {
        self.map(|r| {
            r.body = body;
            Ok(())
        })
    }

    /// Overrides the read timeout of this request.
    pub fn read_timeout(self, timeout: ReadTimeout) -> Self {
        self.map(|r| {
            r.read_timeout = timeout;
            Ok(())
        })
    }

    /// Overrides the connect timeout of this request.
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.map(|r| {
            r.connect_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Overrides whether the request may be replayed on retryable failures: `true` for a
    /// POST/PATCH that is safe to repeat, `false` for a PUT that must not be (connect-phase
    /// failures, where nothing was sent, are retried either way).
    pub fn idempotent(self, idempotent: bool) -> Self {
        self.map(|r| {
            r.idempotent = Some(idempotent);
            Ok(())
        })
    }

    /// A retry policy for this request only (the client's retry budget still applies).
    pub fn retry(self, policy: Arc<RetryPolicy>) -> Self {
        self.map(|r| {
            r.retry = Some(policy);
            Ok(())
        })
    }

    /// Marks a path segment as a credential (shown as `***` in errors and logs).
    pub fn redact_segment(self, segment: &str) -> Self {
        self.map(|r| {
            r.redact_segment(segment);
            Ok(())
        })
    }

    /// Asks for a streamed response body.
    pub fn stream(self) -> Self {
        self.map(|r| {
            r.response_mode = ResponseMode::Stream;
            Ok(())
        })
    }

    /// The request value, exactly as it goes on the wire: query merged after the defaults
    /// (on the client's origin only), headers finalised by [`Request::finalize`].
    pub fn build(self) -> Result<Request, Error> {
        let mut request = self.request?;
        // The default query (`url_host`) belongs to the client's own origin.
        let defaults: &[(String, String)] = if self.client.is_same_origin(&request.url) {
            &self.client.inner.query
        } else {
            &[]
        };
        request.query = merge_query(&request.url, defaults, &self.query);
        request.finalize()?;
        Ok(request)
    }

    /// Sends and returns the (2xx) response.
    pub async fn send(self) -> Result<Response, Error> {
        let client = self.client.clone();
        let request = self.build()?;
        client.execute(request).await
    }

    /// Sends and decodes the body into `T` (straight from bytes; errors carry the field path).
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let client = self.client.clone();
        let request = self.build()?;
        client.execute_json(request).await
    }

    /// The response body as a stream of text lines ([`LineStream`](crate::LineStream)); nothing is sent until
    /// the stream is first polled. A failure to send (or an error status) is the stream's
    /// only item; a body cut short ends it with `Err(ResponseIncomplete)`.
    pub fn lines(self, options: crate::LineOptions) -> crate::LineStream {
        let client = self.client.clone();
        let built = self.stream().build();
        let (method, url) = match &built {
            Ok(r) => (r.method.clone(), r.display_url()),
            Err(_) => (Method::GET, String::new()),
        };
        let failed =
            |e: Error| -> crate::ByteStream { Box::pin(futures_util::stream::iter([Err(e)])) };
        let body = futures_util::stream::once(async move {
            match built {
                Ok(request) => match client.execute(request).await {
                    Ok(response) => response.into_stream(),
                    Err(e) => failed(e),
                },
                Err(e) => failed(e),
            }
        });
        let body: crate::ByteStream = Box::pin(futures_util::StreamExt::flatten(body));
        crate::LineStream::new(body, options, method, url)
    }

    /// Sends and returns the body as the Python SDK does: JSON, else text, `null` for 204.
    pub async fn send_value(self) -> Result<Value, Error> {
        let response = self.send().await?;
        let status: StatusCode = response.status;
        let body = response.into_bytes().await?;
        Ok(decode_value(status, &body))
    }
}
