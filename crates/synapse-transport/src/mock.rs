//! [`MockTransport`]: scripted responses and recorded requests, for unit tests here and in
//! downstream services.
//!
//! A client keeps its retry policy when its transport is a mock, and the default policy
//! waits seconds between attempts (a scripted 502 is retried with backoff, as a real one
//! would be). A test therefore does one of two things, so that it never sleeps:
//!
//! - builds the client with [`RetryPolicy::never()`](crate::RetryPolicy::never), when the
//!   test is about one answer (the first example below);
//! - runs on a paused tokio clock (`#[tokio::test(start_paused = true)]`, which needs
//!   tokio's `test-util` feature), when the test is about retries: sleeps then complete at
//!   once, in virtual time (the second example).
//!
//! ```
//! # tokio_test_shim::block_on(async {
//! use synapse_transport::mock::{MockResponse, MockTransport};
//! use synapse_transport::{Client, Method, RetryPolicy};
//!
//! let mock = MockTransport::new();
//! mock.route(Method::GET, "/jobs/7/", MockResponse::json(200, serde_json::json!({"id": 7})));
//! mock.route(Method::GET, "/jobs/8/", MockResponse::json(502, serde_json::json!({})));
//! let client = Client::builder("https://synapse.test/")
//!     .transport(mock.clone())
//!     .retry_policy(RetryPolicy::never()) // one attempt per request: no backoff sleeps
//!     .build()?;
//! let job: serde_json::Value = client.get("jobs/7/").send_json().await?;
//! assert_eq!(job["id"], 7);
//! assert_eq!(mock.requests()[0].url.as_str(), "https://synapse.test/jobs/7/");
//! let err = client.get("jobs/8/").send_json::<serde_json::Value>().await.unwrap_err();
//! assert_eq!(err.status().map(|s| s.as_u16()), Some(502)); // at once, not retried
//! # Ok::<(), synapse_transport::Error>(())
//! # }).expect("the example runs");
//! # mod tokio_test_shim { pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #   tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f) } }
//! ```
//!
//! Retries under the default policy, on a paused clock: the two backoff sleeps take no real
//! time.
//!
//! ```
//! # fn main() -> Result<(), synapse_transport::Error> {
//! # let runtime = tokio::runtime::Builder::new_current_thread()
//! #     .enable_all().start_paused(true).build().expect("runtime");
//! # runtime.block_on(async {
//! // In a test: #[tokio::test(start_paused = true)]
//! use synapse_transport::mock::{MockResponse, MockTransport};
//! use synapse_transport::{Client, Method};
//!
//! let mock = MockTransport::new();
//! mock.push(MockResponse::json(503, serde_json::json!({})));
//! mock.push(MockResponse::json(502, serde_json::json!({})));
//! mock.push(MockResponse::json(200, serde_json::json!({"id": 7})));
//! let client = Client::builder("https://synapse.test/").transport(mock.clone()).build()?;
//! let started = std::time::Instant::now();
//! let job: serde_json::Value = client.get("jobs/7/").send_json().await?;
//! assert_eq!(job["id"], 7);
//! assert_eq!(mock.request_count(), 3);
//! assert!(started.elapsed() < std::time::Duration::from_secs(1)); // real time
//! # Ok(())
//! # })
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::Value;
use url::Url;

use crate::error::{ConnectKind, TimeoutKind};
use crate::request::{Body, ReadTimeout, ResponseMode};
use crate::response::ResponseBody;
use crate::{Error, Request, Response, Transport};

/// A transport failure the mock can produce, mapped exactly as [`HttpTransport`](crate::HttpTransport) maps real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MockFailure {
    /// DNS lookup failed (never sent).
    Dns,
    /// Connection refused (never sent).
    Refused,
    /// TLS handshake failed.
    Tls,
    /// Connect timeout (never sent).
    ConnectTimeout,
    /// Read timeout after the request was sent.
    ReadTimeout,
    /// Connection reset after the request was sent.
    Reset,
}

impl MockFailure {
    fn to_error(self, request: &Request) -> Error {
        let method = request.method.clone();
        let url = request.display_url();
        let connect = |kind| Error::Connect {
            kind,
            method: method.clone(),
            url: url.clone(),
            source: None,
        };
        match self {
            MockFailure::Dns => connect(ConnectKind::Dns),
            MockFailure::Refused => connect(ConnectKind::Refused),
            MockFailure::Tls => connect(ConnectKind::Tls),
            MockFailure::ConnectTimeout => Error::Timeout {
                kind: TimeoutKind::Connect,
                method,
                url,
            },
            MockFailure::ReadTimeout if request.is_idempotent() => Error::Timeout {
                kind: TimeoutKind::Read,
                method,
                url,
            },
            MockFailure::ReadTimeout => Error::ResponseIncomplete {
                method,
                url,
                timed_out: true,
                message: "read timeout".to_owned(),
                source: None,
            },
            MockFailure::Reset => Error::ResponseIncomplete {
                method,
                url,
                timed_out: false,
                message: "connection reset by peer".to_owned(),
                source: None,
            },
        }
    }
}

/// One piece of a scripted streamed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockChunk {
    /// Bytes delivered.
    Data(Bytes),
    /// A pause before the next piece.
    Delay(Duration),
    /// The connection drops here (the body is cut short).
    Drop,
}

/// A scripted response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    status: StatusCode,
    headers: HeaderMap,
    chunks: Vec<MockChunk>,
    delay: Option<Duration>,
}

impl MockResponse {
    /// A response with a JSON body.
    pub fn json(status: u16, body: Value) -> Self {
        Self::bytes(status, body.to_string()).header("content-type", "application/json")
    }

    /// A response with a raw body.
    pub fn bytes(status: u16, body: impl Into<Bytes>) -> Self {
        MockResponse {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            chunks: vec![MockChunk::Data(body.into())],
            delay: None,
        }
    }

    /// A response with no body.
    pub fn empty(status: u16) -> Self {
        Self::bytes(status, Bytes::new())
    }

    /// A response whose body arrives in pieces (and may be cut short).
    pub fn chunked(status: u16, chunks: Vec<MockChunk>) -> Self {
        MockResponse {
            chunks,
            ..Self::empty(status)
        }
    }

    /// Adds a header (invalid names or values are ignored).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.append(n, v);
        }
        self
    }

    /// Waits `delay` before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

/// What the mock does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockReply {
    /// Answer with a response.
    Response(MockResponse),
    /// Fail as a transport would.
    Failure(MockFailure),
    /// Never answer (for timeout tests).
    Pending,
}

impl From<MockResponse> for MockReply {
    fn from(r: MockResponse) -> Self {
        MockReply::Response(r)
    }
}

impl From<MockFailure> for MockReply {
    fn from(f: MockFailure) -> Self {
        MockReply::Failure(f)
    }
}

/// A part of a recorded multipart body, with file contents read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedPart {
    /// Field name.
    pub name: String,
    /// File name, for file parts.
    pub filename: Option<String>,
    /// The part's bytes.
    pub data: Bytes,
}

/// A recorded request body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecordedBody {
    /// No body.
    Empty,
    /// A JSON body, parsed.
    Json(Value),
    /// Raw bytes.
    Bytes(Bytes),
    /// A multipart body: the exact encoded bytes and the parts.
    Multipart {
        /// The boundary.
        boundary: String,
        /// The body exactly as it would go on the wire.
        raw: Bytes,
        /// The parts in order.
        parts: Vec<RecordedPart>,
    },
}

/// A request as the mock received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: Url,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: RecordedBody,
    /// The read-timeout setting.
    pub read_timeout: ReadTimeout,
    /// The connect-timeout override, if any.
    pub connect_timeout: Option<Duration>,
    /// Buffered or streamed.
    pub response_mode: ResponseMode,
    /// The request's idempotency override, if any.
    pub idempotent: Option<bool>,
}

impl RecordedRequest {
    /// The query as decoded pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The JSON body, if any.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            RecordedBody::Json(v) => Some(v),
            _ => None,
        }
    }

    /// A stable JSON view for snapshots, the same as [`Request::snapshot`] gives for the
    /// request value: method, URL, headers (sensitive values `***`, multipart boundary
    /// masked, sorted by name) and body (multipart shown as its parts).
    pub fn snapshot(&self) -> Value {
        let body = match &self.body {
            RecordedBody::Empty => crate::snapshot::BodyView::Empty,
            RecordedBody::Json(v) => crate::snapshot::BodyView::Json(v.clone()),
            RecordedBody::Bytes(b) => crate::snapshot::BodyView::Bytes(b.clone()),
            RecordedBody::Multipart {
                boundary,
                raw,
                parts,
            } => crate::snapshot::BodyView::Multipart {
                boundary: boundary.clone(),
                length: raw.len() as u64,
                parts: parts
                    .iter()
                    .map(|p| (p.name.clone(), p.filename.clone(), Some(p.data.clone())))
                    .collect(),
            },
        };
        crate::snapshot::view(&self.method, &self.url, &self.headers, body)
    }
}

#[derive(Debug)]
struct Route {
    method: Method,
    path: String,
    replies: VecDeque<MockReply>,
    repeat: Option<MockReply>,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<MockReply>,
    routes: Vec<Route>,
    recorded: Vec<RecordedRequest>,
}

/// A scripted [`Transport`]. Replies are matched by method and path first (routes, in the
/// order scripted, each reply used once unless set with [`MockTransport::route_always`]),
/// then taken from the in-order queue. A request nothing matches fails with an error that
/// names it. Clones share the same script and record.
#[derive(Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("MockTransport")
            .field("queued", &s.queue.len())
            .field("routes", &s.routes.len())
            .field("recorded", &s.recorded.len())
            .finish()
    }
}

impl MockTransport {
    /// An empty mock.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock must not hide the record.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a reply for the next request no route matches.
    pub fn push(&self, reply: impl Into<MockReply>) -> &Self {
        self.lock().queue.push_back(reply.into());
        self
    }

    /// Scripts a one-time reply for `method` on the URL path `path` (e.g. `/jobs/7/`), or on
    /// a path with its exact query (`/jobs/?page=2`; such routes are matched first).
    /// Several replies for the same route are used in order.
    pub fn route(&self, method: Method, path: &str, reply: impl Into<MockReply>) -> &Self {
        let mut s = self.lock();
        if let Some(r) = s
            .routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            r.replies.push_back(reply.into());
        } else {
            s.routes.push(Route {
                method,
                path: path.to_owned(),
                replies: VecDeque::from([reply.into()]),
                repeat: None,
            });
        }
        self
    }

    /// Scripts a reply for `method` on `path` that answers every request once the one-time
    /// replies of that route are used up.
    pub fn route_always(&self, method: Method, path: &str, reply: impl Into<MockReply>) -> &Self {
        let mut s = self.lock();
        let reply = reply.into();
        if let Some(r) = s
            .routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            r.repeat = Some(reply);
        } else {
            s.routes.push(Route {
                method,
                path: path.to_owned(),
                replies: VecDeque::new(),
                repeat: Some(reply),
            });
        }
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().recorded.clone()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.lock().recorded.len()
    }

    /// How many one-time replies are still unused (assert 0 to prove a script ran fully).
    pub fn unused_replies(&self) -> usize {
        let s = self.lock();
        s.queue.len() + s.routes.iter().map(|r| r.replies.len()).sum::<usize>()
    }

    fn next_reply(&self, method: &Method, url: &Url) -> Option<MockReply> {
        let mut s = self.lock();
        let path = url.path();
        let with_query = match url.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        let exact = s
            .routes
            .iter()
            .position(|r| r.method == *method && r.path == with_query);
        let index = exact.or_else(|| {
            s.routes
                .iter()
                .position(|r| r.method == *method && r.path == path)
        });
        if let Some(route) = index.and_then(|i| s.routes.get_mut(i)) {
            if let Some(reply) = route.replies.pop_front() {
                return Some(reply);
            }
            if let Some(reply) = &route.repeat {
                return Some(reply.clone());
            }
        }
        s.queue.pop_front()
    }
}

async fn record(request: &Request) -> Result<RecordedRequest, Error> {
    let body = match &request.body {
        Body::Empty => RecordedBody::Empty,
        Body::Json(b) => match serde_json::from_slice(b) {
            Ok(v) => RecordedBody::Json(v),
            Err(_) => RecordedBody::Bytes(b.clone()),
        },
        Body::Bytes { data, .. } => RecordedBody::Bytes(data.clone()),
        Body::File { range, .. } => {
            let mut out = BytesMut::new();
            let mut s = Box::pin(range.stream());
            while let Some(chunk) = futures_util::StreamExt::next(&mut s).await {
                out.extend_from_slice(&chunk.map_err(|e| Error::io(Some(range.path.clone()), e))?);
            }
            RecordedBody::Bytes(out.freeze())
        }
        Body::Multipart(m) => {
            // Stream the body exactly as it would go on the wire, then cut the parts out of
            // it by their known layout (so each file or reader is read once).
            let raw = m.to_bytes().await.map_err(|e| Error::io(None, e))?;
            let mut parts = Vec::new();
            let mut at = 0usize;
            for p in m.parts() {
                at += p.header(m.boundary()).len();
                let len = usize::try_from(p.data.len()).unwrap_or(usize::MAX);
                let data = raw.slice(at.min(raw.len())..(at + len).min(raw.len()));
                at += len + 2;
                parts.push(RecordedPart {
                    name: p.name.clone(),
                    filename: p.filename.clone(),
                    data,
                });
            }
            RecordedBody::Multipart {
                boundary: m.boundary().to_owned(),
                raw,
                parts,
            }
        }
    };
    let headers = request.headers.clone();
    Ok(RecordedRequest {
        method: request.method.clone(),
        url: request.full_url(),
        headers,
        body,
        read_timeout: request.read_timeout,
        connect_timeout: request.connect_timeout,
        response_mode: request.response_mode,
        idempotent: request.idempotent,
    })
}

#[async_trait]
impl Transport for MockTransport {
    async fn send(&self, mut request: Request) -> Result<Response, Error> {
        request.finalize()?;
        let recorded = record(&request).await?;
        let url = recorded.url.clone();
        self.lock().recorded.push(recorded);
        let reply = self
            .next_reply(&request.method, &url)
            .ok_or_else(|| Error::Transport {
                message: format!(
                    "MockTransport: no scripted reply for {} {}",
                    request.method,
                    request.display_url()
                ),
                source: None,
            })?;
        let scripted = match reply {
            MockReply::Failure(f) => return Err(f.to_error(&request)),
            MockReply::Pending => std::future::pending().await,
            MockReply::Response(r) => r,
        };
        if let Some(d) = scripted.delay {
            tokio::time::sleep(d).await;
        }
        let streamed =
            request.response_mode == ResponseMode::Stream && scripted.status.is_success();
        if streamed {
            let method = request.method.clone();
            let url = request.display_url();
            let stream = futures_util::stream::unfold(
                (VecDeque::from(scripted.chunks), false),
                move |(mut chunks, failed)| {
                    let method = method.clone();
                    let url = url.clone();
                    async move {
                        if failed {
                            return None;
                        }
                        loop {
                            match chunks.pop_front()? {
                                MockChunk::Delay(d) => tokio::time::sleep(d).await,
                                MockChunk::Data(b) => return Some((Ok(b), (chunks, false))),
                                MockChunk::Drop => {
                                    let e = Error::ResponseIncomplete {
                                        method,
                                        url,
                                        timed_out: false,
                                        message: "connection closed before the body ended"
                                            .to_owned(),
                                        source: None,
                                    };
                                    return Some((Err(e), (chunks, true)));
                                }
                            }
                        }
                    }
                },
            );
            return Ok(Response {
                status: scripted.status,
                headers: scripted.headers,
                body: ResponseBody::Stream(Box::pin(stream)),
            });
        }
        let mut body = BytesMut::new();
        for chunk in scripted.chunks {
            match chunk {
                MockChunk::Data(b) => body.extend_from_slice(&b),
                MockChunk::Delay(d) => tokio::time::sleep(d).await,
                MockChunk::Drop => return Err(MockFailure::Reset.to_error(&request)),
            }
        }
        Ok(Response::buffered(
            scripted.status,
            scripted.headers,
            body.freeze(),
        ))
    }
}
