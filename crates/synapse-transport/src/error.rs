//! The one error type of the SDK, and the mapping from HTTP statuses to it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;

use crate::retry_after::parse_retry_after;
pub(crate) use crate::text::{escape_controls, truncate_chars};

/// A boxed error used as the `source` of transport failures.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every failure the SDK reports.
///
/// Match the variants you care about and use the predicates ([`Error::status`],
/// [`Error::is_timeout`], [`Error::status_code`], ...) for the rest. No variant's
/// `Display` or `Debug` ever contains a credential: URLs are redacted and header values
/// are never included.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-success HTTP status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// A connect or read timeout expired.
    #[error("{method} {url}: {kind} timeout")]
    Timeout {
        /// Which timeout expired.
        kind: TimeoutKind,
        /// Method of the request.
        method: Method,
        /// Redacted URL of the request.
        url: String,
    },

    /// The connection could not be established; the request was never sent.
    #[error("{method} {url}: connection failed ({kind})")]
    Connect {
        /// Why the connection failed.
        kind: ConnectKind,
        /// Method of the request.
        method: Method,
        /// Redacted URL of the request.
        url: String,
        /// The underlying failure, if any.
        #[source]
        source: Option<BoxError>,
    },

    /// The request may have reached the server but its response was lost or cut short:
    /// a reset, a truncated body, or a read timeout on a request that is not replayed
    /// (POST, PATCH), whose outcome is unknown.
    #[error("{method} {url}: response incomplete ({})", escape_controls(message))]
    ResponseIncomplete {
        /// Method of the request.
        method: Method,
        /// Redacted URL of the request.
        url: String,
        /// What went wrong.
        message: String,
        /// True when a read timeout cut the response short ([`Error::is_timeout`]).
        timed_out: bool,
        /// The underlying failure, if any.
        #[source]
        source: Option<BoxError>,
    },

    /// A success response whose body does not match the expected type.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The caller's input was rejected before anything was sent.
    #[error("invalid input: {}", escape_controls(message))]
    InvalidInput {
        /// What is wrong with the input.
        message: String,
        /// The underlying failure, if any.
        #[source]
        source: Option<BoxError>,
    },

    /// A pagination `next` link was refused.
    #[error(transparent)]
    Pagination(#[from] PaginationError),

    /// A redirect the SDK refuses to follow (another origin, a method change, too many hops).
    #[error("{method} {url}: refused to follow redirect ({status}) to {location}: {reason}")]
    Redirect {
        /// Method of the request.
        method: Method,
        /// Redacted URL of the request that was redirected.
        url: String,
        /// The redirect status.
        status: u16,
        /// The `Location` the server gave (redacted).
        location: String,
        /// Why it was refused.
        reason: String,
    },

    /// Retries ran out; `last` is the final failure with the real status and body.
    #[error(
        "{method} {url}: gave up after {attempts} attempt(s) in {elapsed:.1?} ({reason}): {last}"
    )]
    RetriesExhausted {
        /// Why the SDK stopped retrying.
        reason: GiveUp,
        /// Method of the request.
        method: Method,
        /// Redacted URL of the request.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// Time spent, sleeps included.
        elapsed: Duration,
        /// The failure of the final attempt.
        last: Box<Error>,
        /// Every retried attempt: its cause and the delay before the next one.
        history: Vec<Attempt>,
    },

    /// A chunked upload stopped for good after the server had acknowledged part of it;
    /// `checkpoint` resumes it from there (the upload's `resume` option), with no callback
    /// registered in advance. `source` is the failure that stopped it.
    #[error(
        "upload of {} stopped at {} of {} bytes (resumable from its checkpoint): {source}",
        checkpoint.path.display(),
        checkpoint.offset,
        checkpoint.size
    )]
    UploadInterrupted {
        /// Where the upload stands.
        checkpoint: Box<synapse_models::UploadCheckpoint>,
        /// Why it stopped.
        #[source]
        source: Box<Error>,
    },

    /// A local I/O failure (e.g. reading a file to upload).
    #[error("I/O error{}: {source}", path.as_ref().map(|p| format!(" on {}", p.display())).unwrap_or_default())]
    Io {
        /// The file involved, if any.
        path: Option<PathBuf>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A response went past a configured limit (messages, bytes); the stream ends.
    #[error("{method} {url}: stream limit exceeded: {limit}")]
    StreamLimit {
        /// Method of the request.
        method: Method,
        /// Redacted URL of the request.
        url: String,
        /// Which limit (`more than 50000 messages`).
        limit: String,
    },

    /// Data arrived or was stored, but does not match what was sent (e.g. an upload's
    /// checksum or size disagrees with the local file).
    #[error(
        "integrity check failed for {what}: expected {expected}, got {}",
        escape_controls(actual)
    )]
    Integrity {
        /// What was checked (`md5 of upload 42`).
        what: String,
        /// The local value.
        expected: String,
        /// The server's value.
        actual: String,
    },

    /// The server broke the protocol of an operation: an answer contradicts what was sent
    /// or lacks what the protocol requires (e.g. an upload offset beyond the end of the
    /// file). Not the caller's fault, unlike [`Error::InvalidInput`].
    #[error("protocol violation by the server: {}", escape_controls(message))]
    Protocol {
        /// What the server answered, and what was expected.
        message: String,
    },

    /// A client could not be configured: a required setting (a credential, a URL) was found
    /// nowhere it is looked for, or is unusable. Nothing was sent.
    #[error("configuration: {}", escape_controls(message))]
    Configuration {
        /// What is missing or wrong, and where it was looked for.
        message: String,
    },

    /// Any other transport failure (custom transports, an unscripted mock request).
    #[error("{}", escape_controls(message))]
    Transport {
        /// What went wrong.
        message: String,
        /// The underlying failure, if any.
        #[source]
        source: Option<BoxError>,
    },
}

/// Why retries stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUp {
    /// The policy's maximum number of attempts was reached.
    Attempts,
    /// The next wait would have exceeded the policy's total time budget.
    TimeBudget,
    /// The client's shared retry budget is spent (many calls failing at once).
    RetryBudget,
}

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GiveUp::Attempts => "attempts exhausted",
            GiveUp::TimeBudget => "time budget exhausted",
            GiveUp::RetryBudget => "client retry budget exhausted",
        })
    }
}

/// One retried attempt, kept in [`Error::RetriesExhausted::history`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 1-based attempt number.
    pub attempt: u32,
    /// Short description of why the attempt failed.
    pub cause: String,
    /// How long the SDK waited before the next attempt.
    pub delay: Duration,
}

/// Which timeout expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the TCP/TLS connection took too long.
    Connect,
    /// The server did not send data within the read timeout.
    Read,
    /// A stream received nothing within its idle timeout.
    Idle,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Read => "read",
            TimeoutKind::Idle => "idle",
        })
    }
}

/// Why a connection could not be established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectKind {
    /// The host name did not resolve.
    Dns,
    /// The server refused the connection.
    Refused,
    /// The TLS handshake failed.
    Tls,
    /// Another connect-phase failure.
    Other,
}

impl fmt::Display for ConnectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectKind::Dns => "host unreachable: DNS lookup failed",
            ConnectKind::Refused => "connection refused",
            ConnectKind::Tls => "TLS handshake failed",
            ConnectKind::Other => "could not connect",
        })
    }
}

/// A refused pagination link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// `next` points at another origin; credentials never leave the configured host.
    #[error("pagination: refusing `next` link on another origin (expected {expected}, got {got})")]
    OffOrigin {
        /// The client's origin.
        expected: String,
        /// The origin of the refused link.
        got: String,
    },
    /// `next` repeats a URL that was already fetched.
    #[error("pagination: `next` link {url} was already fetched (loop)")]
    Loop {
        /// The repeated URL (redacted).
        url: String,
    },
    /// More items arrived than page 1's `count` announced, by more than one page: the
    /// server keeps minting `next` links. The items received so far were yielded.
    #[error("pagination: {received} items received, more than the announced count of {count}")]
    CountExceeded {
        /// The `count` page 1 announced.
        count: u64,
        /// Items received when the walk stopped.
        received: u64,
    },
    /// Page after page came back empty yet announced a next page: the server keeps
    /// minting cursors over nothing. The items received so far were yielded.
    #[error("pagination: {pages} empty pages in a row still announced a next page")]
    EmptyPages {
        /// The empty pages in a row.
        pages: u64,
    },
    /// The walk reached its page cap ([`PageStream::max_pages`](crate::PageStream::max_pages)).
    #[error("pagination: stopped after {limit} pages (the page cap)")]
    TooManyPages {
        /// The cap.
        limit: u64,
    },
}

/// Classification of an HTTP error status, mirroring the Python SDK's exception classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400 or 422 (`ValidationError`).
    BadRequest,
    /// 401 (`AuthenticationError`).
    Unauthorized,
    /// 403 (`AuthorizationError`).
    Forbidden,
    /// 404 (`NotFoundError`).
    NotFound,
    /// 409: the request conflicts with the resource's state (a job that already stopped,
    /// a release still in use). The Python SDK reports it as a plain `HTTPError`.
    Conflict,
    /// 429 (`RateLimitError`).
    RateLimited,
    /// 503 with `{"error_type": "gpu_unavailable"}` (`GpuUnavailableError`).
    GpuUnavailable,
    /// Any 5xx (`ServerError`).
    Server,
    /// Any other status (`HTTPError`).
    Other,
}

/// The body of an error response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiBody {
    /// The body parsed as JSON.
    Json(Value),
    /// The body was not JSON.
    Text(String),
    /// No body.
    Empty,
}

/// Most bytes of an error response body the SDK reads; the rest is not read (the
/// connection is dropped) and [`ApiError::is_truncated`] says so.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How much of an error body `Debug` shows.
const DEBUG_BODY_CHARS: usize = 512;

/// An HTTP error response.
///
/// The body is read up to [`ERROR_BODY_LIMIT`]; a longer body is kept as the text of its
/// first bytes (not parsed as JSON) and flagged truncated. `Debug` and `Display` stay short
/// whatever the body, and never print control characters from the server.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Classification of the status.
    pub kind: ApiErrorKind,
    /// The response body.
    pub body: ApiBody,
    /// Method of the request.
    pub method: Method,
    /// Redacted URL of the request.
    pub url: String,
    /// The server's `Retry-After`, when it sent a parseable one.
    pub retry_after: Option<Duration>,
    /// The server's id of the request: the body's `meta.request_id` (the v2 error body),
    /// else the `X-Request-ID` response header; `None` when the server sent neither.
    pub request_id: Option<String>,
    /// The body was longer than [`ERROR_BODY_LIMIT`] and was cut.
    truncated: bool,
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.body {
            ApiBody::Json(v) => truncate_chars(&v.to_string(), DEBUG_BODY_CHARS),
            ApiBody::Text(t) => truncate_chars(t, DEBUG_BODY_CHARS),
            ApiBody::Empty => String::new(),
        };
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("kind", &self.kind)
            .field("method", &self.method)
            .field("url", &self.url)
            .field("retry_after", &self.retry_after)
            .field("request_id", &self.request_id)
            .field("body", &body)
            .field("truncated", &self.truncated)
            .finish()
    }
}

impl ApiError {
    /// An error for `status` with an already parsed body (its kind classified as for a
    /// response, its request id taken from the body's `meta.request_id`; no
    /// `Retry-After`).
    pub fn new(method: Method, url: String, status: StatusCode, body: ApiBody) -> Self {
        let kind = classify(status, &body);
        let request_id = match &body {
            ApiBody::Json(v) => body_request_id(v),
            _ => None,
        };
        ApiError {
            status,
            kind,
            body,
            method,
            url,
            retry_after: None,
            request_id,
            truncated: false,
        }
    }

    /// Builds the error from an error response: its status, headers and (up to
    /// [`ERROR_BODY_LIMIT`] bytes of) its body.
    pub fn from_parts(
        method: Method,
        url: String,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let truncated = body.len() > ERROR_BODY_LIMIT;
        let body = if truncated {
            ApiBody::Text(lossy_prefix(body, ERROR_BODY_LIMIT))
        } else {
            parse_body(body)
        };
        let mut error = ApiError::new(method, url, status, body);
        error.truncated = truncated;
        error.retry_after = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        if error.request_id.is_none() {
            error.request_id = header_request_id(headers);
        }
        error
    }

    /// True when the body was longer than [`ERROR_BODY_LIMIT`]: [`ApiError::body`] then
    /// holds the text of its first bytes.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The body as JSON, if it was JSON.
    pub fn body_json(&self) -> Option<&Value> {
        match &self.body {
            ApiBody::Json(v) => Some(v),
            _ => None,
        }
    }

    /// Python's `ClientError.detail`: the JSON body, else the text, else the reason phrase.
    pub fn detail(&self) -> Value {
        match &self.body {
            ApiBody::Json(v) => v.clone(),
            ApiBody::Text(t) => Value::String(t.clone()),
            ApiBody::Empty => Value::String(self.reason().to_owned()),
        }
    }

    /// The body as an [`ErrorBody`](synapse_models::ErrorBody): JSON as parsed, a text body
    /// as a JSON string, an empty body as `null`.
    pub fn error_body(&self) -> synapse_models::ErrorBody {
        match &self.body {
            ApiBody::Json(v) => synapse_models::ErrorBody::new(v.clone()),
            ApiBody::Text(t) => synapse_models::ErrorBody::from_text(t.clone()),
            ApiBody::Empty => synapse_models::ErrorBody::default(),
        }
    }

    /// The reason phrase of the status (`Not Found`).
    pub fn reason(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("")
    }

    /// A one-line human summary of the body (`detail` string, the v2 body's
    /// `CODE: message`, or compact JSON), at most 300 characters, control characters
    /// escaped: safe to print or log.
    pub fn message(&self) -> String {
        let text = match &self.body {
            ApiBody::Json(Value::Object(map)) => match map.get("detail").or(map.get("message")) {
                Some(Value::String(s)) => s.clone(),
                _ => match v2_code_and_message(map) {
                    Some(("", message)) => message.to_owned(),
                    Some((code, message)) => format!("{code}: {message}"),
                    None => Value::Object(map.clone()).to_string(),
                },
            },
            ApiBody::Json(v) => v.to_string(),
            ApiBody::Text(t) => t.trim().to_owned(),
            ApiBody::Empty => String::new(),
        };
        truncate_chars(&escape_controls(&text), 300)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} → {} {}",
            self.method,
            self.url,
            self.status.as_u16(),
            self.reason()
        )?;
        let message = self.message();
        if !message.is_empty() {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(
                f,
                " (request id {})",
                truncate_chars(&escape_controls(id), 100)
            )?;
        }
        Ok(())
    }
}

/// A success response whose body could not be decoded into the expected type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// Method of the request.
    pub method: Method,
    /// Redacted URL of the request.
    pub url: String,
    /// The HTTP status of the response.
    pub status: u16,
    /// JSON path of the failing field (`results[3].status`), `.` for the root.
    pub path: String,
    /// What serde reported.
    pub message: String,
    /// At most 1 KiB of the body, for diagnosis.
    pub excerpt: String,
    /// The server's id of the request (a v2 envelope's `meta.request_id`, else the
    /// `X-Request-ID` header), when known.
    pub request_id: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: cannot decode the {} response at `{}`: {}",
            self.method,
            self.url,
            self.status,
            escape_controls(&self.path),
            escape_controls(&self.message)
        )?;
        if let Some(id) = &self.request_id {
            write!(
                f,
                " (request id {})",
                truncate_chars(&escape_controls(id), 100)
            )?;
        }
        Ok(())
    }
}

/// Largest body excerpt kept in a [`DecodeError`].
pub const EXCERPT_LIMIT: usize = 1024;

impl Error {
    /// Python SDK's `ClientError.status_code`, so ported code keeps its branches.
    ///
    /// | error | value |
    /// |---|---|
    /// | `Api` | the HTTP status |
    /// | `Timeout` | 408 |
    /// | `RetriesExhausted` of a 5xx | 503 |
    /// | `RetriesExhausted` of a read timeout | `None` (Python reports a connection error) |
    /// | `Connect`, `ResponseIncomplete` | `None` |
    /// | `StreamLimit` | 429 (Python's `StreamLimitExceededError`) |
    /// | anything else | 500 |
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status.as_u16()),
            Error::Timeout { .. } => Some(408),
            Error::Connect { .. } | Error::ResponseIncomplete { .. } => None,
            Error::StreamLimit { .. } => Some(429),
            Error::UploadInterrupted { source, .. } => source.status_code(),
            Error::RetriesExhausted { last, .. } => match last.as_ref() {
                Error::Api(e) if e.status.is_server_error() => Some(503),
                Error::Timeout {
                    kind: TimeoutKind::Read,
                    ..
                } => None,
                other => other.status_code(),
            },
            _ => Some(500),
        }
    }

    /// The HTTP status of the final response, when there was one.
    ///
    /// `status()` is what the server really answered (a 502 stays a 502, and a timeout has
    /// none), while [`Error::status_code`] maps every failure to the number the Python SDK
    /// reports (exhausted retries of a 502 give 503, a timeout 408).
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(|e| e.status)
    }

    /// True when the final response was a 5xx (also after exhausted retries).
    pub fn is_server_error(&self) -> bool {
        self.status().is_some_and(|s| s.is_server_error())
    }

    /// True when the same request may succeed if sent again later: a 408, 425, 429 or
    /// 5xx answer, a timeout, a failed connection (TLS failures aside), a response cut
    /// short, or exhausted retries of one of those. False for what a retry cannot fix
    /// (invalid input, a 4xx verdict, an undecodable body, a refused redirect, a local I/O
    /// failure). An [`Error::UploadInterrupted`] answers for its cause; resume it from its
    /// checkpoint rather than starting over.
    ///
    /// This says nothing about whether a retry is *safe*: a POST whose response was lost
    /// may have taken effect.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.status.is_server_error() || matches!(e.status.as_u16(), 408 | 425 | 429)
            }
            Error::Timeout { .. } | Error::ResponseIncomplete { .. } => true,
            Error::Connect { kind, .. } => *kind != ConnectKind::Tls,
            Error::RetriesExhausted { last, .. } => last.is_retryable(),
            Error::UploadInterrupted { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// The body of the HTTP error response, with accessors for every error shape the
    /// platform sends (`detail`, field errors, `error_type`, the v2 envelope), looking
    /// through `RetriesExhausted` and `UploadInterrupted`; `None` when no error response
    /// was received.
    pub fn error_body(&self) -> Option<synapse_models::ErrorBody> {
        self.api().map(ApiError::error_body)
    }

    /// The HTTP error of this failure, looking through `RetriesExhausted` and
    /// `UploadInterrupted`.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RetriesExhausted { last, .. } => last.api(),
            Error::UploadInterrupted { source, .. } => source.api(),
            _ => None,
        }
    }

    /// Where an interrupted upload stands, when this failure stopped one that can be
    /// resumed ([`Error::UploadInterrupted`]).
    pub fn checkpoint(&self) -> Option<&synapse_models::UploadCheckpoint> {
        match self {
            Error::UploadInterrupted { checkpoint, .. } => Some(checkpoint),
            _ => None,
        }
    }

    /// The server's id of the failed request, when it sent one: an HTTP error's (its body's
    /// `meta.request_id`, else the `X-Request-ID` header) or an undecodable answer's,
    /// looking through `RetriesExhausted` and `UploadInterrupted`.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode(e) => e.request_id.as_deref(),
            Error::RetriesExhausted { last, .. } => last.request_id(),
            Error::UploadInterrupted { source, .. } => source.request_id(),
            _ => self.api().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// The JSON body of an HTTP error, looking through `RetriesExhausted`.
    pub fn body_json(&self) -> Option<&Value> {
        self.api().and_then(ApiError::body_json)
    }

    /// True for connect, read and idle timeouts, including a read timeout on a POST or
    /// PATCH (reported as [`Error::ResponseIncomplete`], since its outcome is unknown), also
    /// after exhausted retries.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::ResponseIncomplete { timed_out, .. } => *timed_out,
            Error::RetriesExhausted { last, .. } => last.is_timeout(),
            Error::UploadInterrupted { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// True when no connection could be made (also after exhausted retries).
    pub fn is_connect(&self) -> bool {
        match self {
            Error::Connect { .. } => true,
            Error::RetriesExhausted { last, .. } => last.is_connect(),
            Error::UploadInterrupted { source, .. } => source.is_connect(),
            _ => false,
        }
    }

    /// True for an HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Shorthand for an [`Error::InvalidInput`] without a source.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput {
            message: message.into(),
            source: None,
        }
    }

    /// Shorthand for an [`Error::Io`].
    pub fn io(path: Option<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path, source }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl From<synapse_models::ModelError> for Error {
    /// A model validation failure (bad plugin code, invalid update request, …) is invalid input.
    fn from(e: synapse_models::ModelError) -> Self {
        Error::InvalidInput {
            message: e.to_string(),
            source: Some(Box::new(e)),
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(Box::new(e))
    }
}

/// The text of at most `limit` bytes of `body`, cut on a character boundary.
fn lossy_prefix(body: &[u8], limit: usize) -> String {
    let mut text = String::from_utf8_lossy(&body[..body.len().min(limit)]).into_owned();
    while text.len() > limit {
        text.pop();
    }
    text
}

fn parse_body(body: &[u8]) -> ApiBody {
    if body.iter().all(u8::is_ascii_whitespace) {
        return ApiBody::Empty;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => ApiBody::Json(v),
        Err(_) => ApiBody::Text(String::from_utf8_lossy(body).into_owned()),
    }
}

fn classify(status: StatusCode, body: &ApiBody) -> ApiErrorKind {
    match status.as_u16() {
        400 | 422 => ApiErrorKind::BadRequest,
        401 => ApiErrorKind::Unauthorized,
        403 => ApiErrorKind::Forbidden,
        404 => ApiErrorKind::NotFound,
        409 => ApiErrorKind::Conflict,
        429 => ApiErrorKind::RateLimited,
        503 if is_gpu_unavailable(body) => ApiErrorKind::GpuUnavailable,
        500..=599 => ApiErrorKind::Server,
        _ => ApiErrorKind::Other,
    }
}

fn is_gpu_unavailable(body: &ApiBody) -> bool {
    matches!(body, ApiBody::Json(Value::Object(m))
        if m.get("error_type").and_then(Value::as_str) == Some("gpu_unavailable"))
}

/// The response header some servers and proxies put the request's id in.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// The `meta.request_id` of a JSON body (a v2 envelope or error body), if it is a string.
pub(crate) fn body_request_id(body: &Value) -> Option<String> {
    body.get("meta")?
        .get("request_id")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The `X-Request-ID` response header, if it is non-empty text.
pub(crate) fn header_request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The `error.code` and `error.message` of a v2 error body (`{"error": {...}, "meta":
/// {...}}`); the code may be empty, the message not.
fn v2_code_and_message(map: &serde_json::Map<String, Value>) -> Option<(&str, &str)> {
    let error = map.get("error")?.as_object()?;
    let message = error.get("message")?.as_str()?;
    let code = error.get("code").and_then(Value::as_str).unwrap_or("");
    Some((code, message))
}

/// Takes at most [`EXCERPT_LIMIT`] bytes of a body, on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    lossy_prefix(body, EXCERPT_LIMIT)
}
