//! The request value every [`Transport`](crate::Transport) sends.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method};
use serde::Serialize;
use url::Url;

use crate::Error;
use crate::multipart::Multipart;

/// A request body description; cloning it is cheap and every send rebuilds the byte stream,
/// so a retried request never goes out empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// Serialized JSON (`Content-Type: application/json`).
    Json(Bytes),
    /// Raw bytes with an optional content type.
    Bytes {
        /// The `Content-Type` to send, if any.
        content_type: Option<String>,
        /// The bytes.
        data: Bytes,
    },
    /// `multipart/form-data`, file parts streamed from disk.
    Multipart(Multipart),
    /// A byte range of a file, streamed from disk as the raw body (re-read for every send).
    File {
        /// The `Content-Type` to send, if any.
        content_type: Option<String>,
        /// The bytes to send.
        range: crate::FileRange,
    },
}

impl Body {
    /// Serializes `value` as a JSON body.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::to_vec(value)
            .map(|v| Body::Json(Bytes::from(v)))
            .map_err(|e| Error::InvalidInput {
                message: format!("cannot serialize the request body: {e}"),
                source: Some(Box::new(e)),
            })
    }

    /// The exact length of the body in bytes.
    pub fn content_length(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Json(b) | Body::Bytes { data: b, .. } => b.len() as u64,
            Body::Multipart(m) => m.content_length(),
            Body::File { range, .. } => range.len,
        }
    }

    /// True for [`Body::Empty`].
    pub fn is_empty(&self) -> bool {
        matches!(self, Body::Empty)
    }

    /// The `Content-Type` the body itself implies (the multipart boundary, a raw body's
    /// type); `None` for JSON and empty bodies, whose type is the client's choice.
    fn implied_content_type(&self) -> Option<String> {
        match self {
            Body::Multipart(m) => Some(m.content_type()),
            Body::Bytes { content_type, .. } | Body::File { content_type, .. } => {
                content_type.clone()
            }
            Body::Empty | Body::Json(_) => None,
        }
    }
}

/// The `User-Agent` every request carries unless its client sets another.
pub const DEFAULT_USER_AGENT: &str = concat!("synapse-rs/", env!("CARGO_PKG_VERSION"));

/// How long to wait for data from the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReadTimeout {
    /// The transport's configured read timeout.
    #[default]
    Default,
    /// A per-request override.
    After(Duration),
    /// No read timeout (long-running streams; pair with an idle timeout).
    Never,
}

/// Whether the transport buffers the response body or hands over a byte stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseMode {
    /// Read the whole body before returning.
    #[default]
    Buffered,
    /// Return a stream for 2xx responses (error responses are still buffered).
    Stream,
}

/// One HTTP request: method, absolute URL, headers, query pairs and a body description.
#[derive(Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL, possibly with a query of its own.
    pub url: Url,
    /// The headers (credential values are marked sensitive).
    pub headers: HeaderMap,
    /// Query pairs appended after any query already in `url`.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// Read-timeout override.
    pub read_timeout: ReadTimeout,
    /// Connect-timeout override (`None`: the transport's).
    pub connect_timeout: Option<Duration>,
    /// Buffered or streamed response.
    pub response_mode: ResponseMode,
    /// Overrides the method's idempotency for retries: `Some(true)` lets a POST/PATCH
    /// be replayed (e.g. keyed by an id on the server), `Some(false)` stops a PUT/GET from
    /// being replayed after it may have reached the server (e.g. an upload chunk).
    pub idempotent: Option<bool>,
    /// A retry policy for this request only (`None`: the client's). The client's retry
    /// budget still applies.
    pub retry: Option<std::sync::Arc<crate::RetryPolicy>>,
    /// Path segments that are credentials and must be shown as `***`.
    pub(crate) secret_segments: Vec<String>,
    /// The query is a credential (a presigned URL's signature): never shown.
    pub(crate) secret_query: bool,
    /// The body holds a credential (a login's password): `Debug` shows its length only.
    pub(crate) secret_body: bool,
}

impl Request {
    /// A request with no headers, query or body.
    pub fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            query: Vec::new(),
            body: Body::Empty,
            read_timeout: ReadTimeout::Default,
            connect_timeout: None,
            response_mode: ResponseMode::Buffered,
            idempotent: None,
            retry: None,
            secret_segments: Vec::new(),
            secret_query: false,
            secret_body: false,
        }
    }

    /// Marks a path segment as a credential, shown as `***` in errors and logs.
    pub fn redact_segment(&mut self, segment: impl Into<String>) {
        let segment = segment.into();
        if !segment.is_empty() {
            self.secret_segments.push(segment);
        }
    }

    /// The URL with the query pairs appended: what goes on the wire.
    pub fn full_url(&self) -> Url {
        let mut url = self.url.clone();
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }

    /// The full URL with credential path segments replaced by `***`, for messages and logs.
    pub fn display_url(&self) -> String {
        let mut url = self.full_url();
        if self.secret_query {
            url.set_query(None);
            url.set_fragment(None);
        }
        if self.secret_segments.is_empty() {
            // Nothing to hide in the path: the URL's own text, without formatting it again.
            return url.into();
        }
        redact_url(&url, &self.secret_segments)
    }

    /// Marks the URL's query as a credential (a presigned URL's signature): errors, logs and
    /// `Debug` show the URL without it.
    pub fn redact_query(&mut self) {
        self.secret_query = true;
    }

    /// Marks the body as a credential (a login's password): `Debug` shows its length only.
    pub fn redact_body(&mut self) {
        self.secret_body = true;
    }

    /// Finalises the headers, the one place where `Accept`, `User-Agent`, `Content-Type` and
    /// `Content-Length` are decided; every [`Transport`](crate::Transport), the mock
    /// included, sends exactly the result (finalising twice changes nothing). Added to the
    /// request's own headers (which a client fills with its defaults first):
    /// - `Accept: */*` and `User-Agent: synapse-rs/<version>`, unless set;
    /// - `Content-Type`, unless set: the body's own (multipart with its boundary, a raw
    ///   body's type), else `application/json` for a JSON body and for a body-less POST, PUT
    ///   or PATCH (the spec's rule); none on a body-less GET, HEAD, OPTIONS or DELETE;
    /// - `Content-Length`: the body's exact length for every body, and `0` for a body-less
    ///   POST, PUT, PATCH or DELETE (proxies answer 411 without it); none on a body-less
    ///   GET, HEAD or OPTIONS.
    ///
    /// ```
    /// use synapse_transport::{Method, Request, Url};
    /// let url = Url::parse("https://synapse.test/jobs/7/stop/").expect("url");
    /// let mut request = Request::new(Method::POST, url);
    /// request.finalize()?;
    /// assert_eq!(request.headers["content-length"], "0");
    /// assert_eq!(request.headers["content-type"], "application/json");
    /// # Ok::<(), synapse_transport::Error>(())
    /// ```
    pub fn finalize(&mut self) -> Result<(), Error> {
        if !self.headers.contains_key(ACCEPT) {
            self.headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        if !self.headers.contains_key(USER_AGENT) {
            self.headers
                .insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
        }
        // With the `gzip` feature the transport decodes compressed answers; say so as the
        // Python SDK does.
        #[cfg(feature = "gzip")]
        if !self.headers.contains_key(http::header::ACCEPT_ENCODING) {
            self.headers.insert(
                http::header::ACCEPT_ENCODING,
                HeaderValue::from_static("gzip, deflate"),
            );
        }
        if !self.headers.contains_key(CONTENT_TYPE) {
            let content_type = match &self.body {
                Body::Empty
                    if matches!(self.method, Method::POST | Method::PUT | Method::PATCH) =>
                {
                    Some("application/json".to_owned())
                }
                Body::Json(_) => Some("application/json".to_owned()),
                body => body.implied_content_type(),
            };
            if let Some(ct) = content_type {
                let value = HeaderValue::from_str(&ct)
                    .map_err(|_| Error::invalid_input(format!("invalid content type {ct:?}")))?;
                self.headers.insert(CONTENT_TYPE, value);
            }
        }
        let bodyless_method = matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !(self.body.is_empty() && bodyless_method) {
            self.headers.insert(
                CONTENT_LENGTH,
                HeaderValue::from(self.body.content_length()),
            );
        }
        Ok(())
    }

    /// GET, HEAD, PUT, DELETE, OPTIONS, unless overridden by [`Request::idempotent`].
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
            .unwrap_or_else(|| is_idempotent_method(&self.method))
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // HeaderMap's Debug prints sensitive values as `Sensitive`; URL secrets are redacted.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.display_url())
            .field("headers", &self.headers)
            .field("body", &RedactedBody(self))
            .field("read_timeout", &self.read_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_mode", &self.response_mode)
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

/// A request's body for `Debug`: the body itself, or only its length when it holds a
/// credential.
struct RedactedBody<'a>(&'a Request);

impl fmt::Debug for RedactedBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.secret_body {
            write!(f, "<{} bytes, redacted>", self.0.body.content_length())
        } else {
            fmt::Debug::fmt(&self.0.body, f)
        }
    }
}

/// True for the methods HTTP defines as idempotent that this SDK retries.
pub fn is_idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Replaces every path segment equal to (or percent-encoding) a secret with `***`.
pub fn redact_url(url: &Url, secrets: &[String]) -> String {
    if secrets.is_empty() {
        return url.to_string();
    }
    let mut out = url.clone();
    if let Some(segments) = url.path_segments() {
        let redacted: Vec<String> = segments
            .map(|s| {
                let decoded = crate::urls::percent_decode(s);
                if secrets.iter().any(|x| x == s || *x == decoded) {
                    "***".to_owned()
                } else {
                    s.to_owned()
                }
            })
            .collect();
        out.set_path(&format!("/{}", redacted.join("/")));
    }
    out.to_string()
}
