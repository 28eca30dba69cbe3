//! Server-sent event streams of the v2 API: the reconnecting stream, its options and operations.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::{Attempt, GiveUp, TimeoutKind};
use crate::operation::{HasCall, call_span};
use crate::request::{ReadTimeout, ResponseMode};
use crate::sse::{SseDecoder, SseEvent};
use crate::{ByteStream, Client, Error, Request, RequestBuilder, RetryPolicy};

/// Default idle timeout of an event stream: 120 s without a byte.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Default cap on the reconnections of one stream, in all: 100.
pub const DEFAULT_MAX_TOTAL_RECONNECTS: u32 = 100;

/// The `Accept` value of an event stream.
pub const EVENT_STREAM: &str = "text/event-stream";

type Predicate = Arc<dyn Fn(&SseEvent) -> bool + Send + Sync>;

/// How an [`SseStream`] reads, ends and reconnects (see its documentation).
#[derive(Clone)]
pub struct SseOptions {
    idle_timeout: Duration,
    reconnects: u32,
    max_total_reconnects: u32,
    deadline: Option<Duration>,
    backoff: RetryPolicy,
    terminal: Option<Predicate>,
    progress: Option<Vec<String>>,
    max_event_bytes: usize,
}

impl fmt::Debug for SseOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseOptions")
            .field("idle_timeout", &self.idle_timeout)
            .field("reconnects", &self.reconnects)
            .field("max_total_reconnects", &self.max_total_reconnects)
            .field("deadline", &self.deadline)
            .field("backoff", &self.backoff)
            .field("terminal", &self.terminal.as_ref().map(|_| "<predicate>"))
            .field("progress", &self.progress)
            .field("max_event_bytes", &self.max_event_bytes)
            .finish()
    }
}

impl Default for SseOptions {
    /// Idle timeout 120 s, no reconnection (a reconnecting stream waits 5 s, 10 s, 20 s …
    /// up to 60 s, with full jitter, at most 100 times), no terminal event, events up to
    /// 16 MiB.
    fn default() -> Self {
        SseOptions {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            reconnects: 0,
            max_total_reconnects: DEFAULT_MAX_TOTAL_RECONNECTS,
            deadline: None,
            backoff: RetryPolicy::default()
                .initial_backoff(Duration::from_secs(5))
                .max_backoff(Duration::from_secs(60))
                .retry_after_cap(Duration::from_secs(60)),
            terminal: None,
            progress: None,
            max_event_bytes: crate::sse::DEFAULT_MAX_EVENT_BYTES,
        }
    }
}

impl SseOptions {
    /// The defaults (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Fails the stream (or reconnects it) when no byte arrives for this long.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Allows up to `consecutive` reconnections in a row that bring no progress event (`0`,
    /// the default: never reconnect). A connection that delivered a progress event (see
    /// [`SseOptions::progress_events`]) starts the count again.
    pub fn reconnect(mut self, consecutive: u32) -> Self {
        self.reconnects = consecutive;
        self
    }

    /// Caps the reconnections of the stream in all, progress or not (default 100).
    pub fn max_total_reconnects(mut self, total: u32) -> Self {
        self.max_total_reconnects = total;
        self
    }

    /// No reconnection starts once this long has passed since the stream was first polled
    /// (`None`, the default: no deadline).
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The policy that paces reconnections ([`RetryPolicy::delay`]: its backoff and its
    /// `Retry-After` cap; its attempt count is not used).
    pub fn backoff(mut self, policy: RetryPolicy) -> Self {
        self.backoff = policy;
        self
    }

    /// Events with one of these names end the stream once yielded.
    pub fn terminal_events<I, S>(self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        self.terminal(move |event| names.contains(&event.event))
    }

    /// Events for which `is_terminal` is true end the stream once yielded (e.g. a data
    /// payload whose `type` is `complete`).
    pub fn terminal(
        mut self,
        is_terminal: impl Fn(&SseEvent) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.terminal = Some(Arc::new(is_terminal));
        self
    }

    /// The event names that count as progress for [`SseOptions::reconnect`]; by default,
    /// any event does.
    pub fn progress_events<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.progress = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The largest event held, in bytes; a larger one is [`Error::StreamLimit`].
    pub fn max_event_bytes(mut self, limit: usize) -> Self {
        self.max_event_bytes = limit;
        self
    }

    fn is_terminal(&self, event: &SseEvent) -> bool {
        self.terminal.as_ref().is_some_and(|t| t(event))
    }

    fn is_progress(&self, event: &SseEvent) -> bool {
        self.progress
            .as_ref()
            .is_none_or(|names| names.contains(&event.event))
    }
}

/// An operation that opens an event stream: its GET, and the stream settings its events
/// need (terminal events, reconnection). [`fluent_sse!`](crate::fluent_sse) gives it the
/// per-call options, `.request()` and `.events()`.
///
/// ```
/// use synapse_transport::v2::{SseOperation, SseOptions};
/// use synapse_transport::{Call, RequestBuilder};
///
/// /// `GET /v2/async_jobs/{id}/progress/`.
/// pub struct StreamProgress {
///     call: Call,
///     id: String,
/// }
///
/// impl SseOperation for StreamProgress {
///     fn prepare(&self) -> RequestBuilder {
///         let path = synapse_transport::urls::path(["v2", "async_jobs", &self.id, "progress"], true);
///         self.call.client().get(path)
///     }
///     fn sse_options(&self) -> SseOptions {
///         SseOptions::new()
///             .reconnect(5)
///             .terminal_events(["async_job.completed", "error"])
///             .progress_events(["async_job.progress", "heartbeat"])
///     }
/// }
/// synapse_transport::fluent_sse!(StreamProgress);
///
/// let client = synapse_transport::Client::builder("https://synapse.test/").build()?;
/// let op = StreamProgress { call: Call::new(client), id: "j-1".into() };
/// let request = op.request()?;
/// assert_eq!(request.full_url().as_str(), "https://synapse.test/v2/async_jobs/j-1/progress/");
/// assert_eq!(request.headers["accept"], "text/event-stream");
/// let _events = op.events(); // lazy: nothing sent yet
/// # Ok::<(), synapse_transport::Error>(())
/// ```
pub trait SseOperation: HasCall + Sized + Send + 'static {
    /// The stream's GET (path, typed query), before the per-call options. Pure: no IO.
    fn prepare(&self) -> RequestBuilder;

    /// The stream settings of this operation (default [`SseOptions::default`]).
    fn sse_options(&self) -> SseOptions {
        SseOptions::default()
    }
}

/// The exact first request of an event-stream operation, finalised, without IO: its GET
/// with the call's options, `Accept: text/event-stream` and a streamed body.
pub fn sse_request<O: SseOperation>(op: &O) -> Result<Request, Error> {
    let builder = op.prepare().header(ACCEPT.as_str(), EVENT_STREAM).stream();
    op.call().options().apply(builder).build()
}

type BoxEvents = Pin<Box<dyn Stream<Item = Result<SseEvent, Error>> + Send>>;

/// The events of a server-sent event stream, as a lazy `Stream`: nothing is sent before
/// the first poll. Operations open one through [`SseOperation`] and
/// [`fluent_sse!`](crate::fluent_sse).
///
/// A stream is a GET with `Accept: text/event-stream` (and the client's default query, such
/// as `url_host`), read as [`SseEvent`]s by [`SseDecoder`](crate::SseDecoder): UTF-8 whatever
/// the charset the server names.
///
/// - **Connect.** The first connection goes through the client's retry policy, as any GET
///   (connect timeout, 429/502/503/504 with `Retry-After`); when that fails, the failure is
///   the stream's only item ([`Error::RetriesExhausted`] for a persistent 429/503, with the
///   last status and `retry_after`).
/// - **Idle timeout.** Once connected, the stream fails with [`TimeoutKind::Idle`] when no
///   byte arrives for [`SseOptions::idle_timeout`] (default 120 s); any byte resets it,
///   comments (`: heartbeat`) included.
/// - **Reconnect** (off unless [`SseOptions::reconnect`] allows it): after the stream
///   started, a connection that ends without a terminal event, is cut, goes idle or is
///   refused with 429/503 (or cannot connect) is opened again, with `Last-Event-ID` when the
///   server sent ids. The wait is the server's `Retry-After` (429/503), else its `retry:`
///   value, else the backoff of [`SseOptions::backoff`] (full jitter); each wait is capped
///   as `Retry-After` is. Reconnections are sent once each: the generic retry layer is not
///   nested inside the stream. The stream gives up with [`Error::RetriesExhausted`] (the
///   last failure inside) after [`SseOptions::reconnect`] consecutive reconnections that
///   brought no progress event, after [`SseOptions::max_total_reconnects`] in all, or when
///   the next wait would pass [`SseOptions::deadline`]. Any other status on a reconnection
///   is final.
/// - **Terminal events** ([`SseOptions::terminal_events`], [`SseOptions::terminal`]) end the
///   stream after they are yielded. Without reconnection, the stream also ends when the
///   server closes it between events; a close inside an event is
///   [`Error::ResponseIncomplete`].
/// - A `200` whose `Content-Type` is present and not `text/event-stream` is
///   [`Error::Protocol`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt").block_on(async {
/// use futures_util::StreamExt;
/// use synapse_transport::mock::{MockResponse, MockTransport};
/// use synapse_transport::v2::{SseOptions, SseStream};
/// use synapse_transport::{Client, RetryPolicy};
///
/// let mock = MockTransport::new();
/// mock.push(MockResponse::bytes(200, "event: snapshot\ndata: {\"state\": \"up\"}\n\n: hb\n\nevent: close\ndata: bye\n\n"));
/// let client = Client::builder("https://synapse.test/")
///     .transport(mock.clone())
///     .retry_policy(RetryPolicy::never())
///     .build()?;
/// let request = client.get("v2/code-servers/7/events/").build();
/// let options = SseOptions::new().terminal_events(["close"]);
/// let names: Vec<String> = SseStream::new(client, request, options)
///     .map(|event| event.expect("event").event)
///     .collect()
///     .await;
/// assert_eq!(names, ["snapshot", "close"]);
/// assert_eq!(mock.requests()[0].header("accept"), Some("text/event-stream"));
/// # Ok::<(), synapse_transport::Error>(())
/// # }).expect("example");
/// ```
pub struct SseStream {
    client: Client,
    request: Option<Result<Request, Error>>,
    options: SseOptions,
    stream: Option<BoxEvents>,
}

impl fmt::Debug for SseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseStream")
            .field("options", &self.options)
            .field("started", &self.stream.is_some())
            .finish()
    }
}

impl SseStream {
    /// The stream of `request` (a built GET; `Accept: text/event-stream` and a streamed
    /// body are set on it), sent through `client`. A request that failed to build is the
    /// stream's only item.
    pub fn new(client: Client, request: Result<Request, Error>, options: SseOptions) -> Self {
        SseStream {
            client,
            request: Some(request),
            options,
            stream: None,
        }
    }

    /// The stream of an event-stream operation, with its settings.
    pub fn from_operation<O: SseOperation>(op: O) -> Self {
        let options = op.sse_options();
        let client = op.call().client().clone();
        Self::new(client, sse_request(&op), options)
    }

    /// See [`SseOptions::idle_timeout`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.idle_timeout(timeout);
        self
    }

    /// See [`SseOptions::reconnect`].
    pub fn reconnect(mut self, consecutive: u32) -> Self {
        self.options = self.options.reconnect(consecutive);
        self
    }

    /// See [`SseOptions::deadline`].
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.options = self.options.deadline(deadline);
        self
    }

    /// See [`SseOptions::backoff`].
    pub fn backoff(mut self, policy: RetryPolicy) -> Self {
        self.options = self.options.backoff(policy);
        self
    }

    fn start(&mut self) -> BoxEvents {
        let request = self
            .request
            .take()
            .unwrap_or_else(|| Err(Error::invalid_input("the stream was already started")));
        let mut request = match request {
            Ok(request) => request,
            Err(e) => return Box::pin(futures_util::stream::iter([Err(e)])),
        };
        request
            .headers
            .insert(ACCEPT, HeaderValue::from_static(EVENT_STREAM));
        request.response_mode = ResponseMode::Stream;
        // The idle timer below watches the body; the read timeout covers the wait for
        // the answer's head, so it is the idle timeout too.
        request.read_timeout = ReadTimeout::After(self.options.idle_timeout);
        let url = request.display_url();
        let decoder = SseDecoder::new(url.as_str()).max_event_bytes(self.options.max_event_bytes);
        let walk = Walk {
            client: self.client.clone(),
            request,
            url,
            options: self.options.clone(),
            body: None,
            decoder,
            queue: VecDeque::new(),
            pending_error: None,
            connections: 0,
            failures: 0,
            reconnects: 0,
            progressed: false,
            history: Vec::new(),
            started: Instant::now(),
            done: false,
        };
        // Fused: polling again after the end gives `None` again.
        Box::pin(futures_util::stream::unfold(walk, step).fuse())
    }
}

impl Stream for SseStream {
    type Item = Result<SseEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.stream.is_none() {
            this.stream = Some(this.start());
        }
        match this.stream.as_mut() {
            Some(stream) => stream.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

/// The state of a stream between events.
struct Walk {
    client: Client,
    /// The first request; reconnections send it again.
    request: Request,
    url: String,
    options: SseOptions,
    body: Option<ByteStream>,
    decoder: SseDecoder,
    queue: VecDeque<SseEvent>,
    /// A final failure found while events were still queued.
    pending_error: Option<Error>,
    connections: u32,
    /// Reconnections in a row without progress.
    failures: u32,
    /// Reconnections in all.
    reconnects: u32,
    /// The current connection delivered a progress event.
    progressed: bool,
    history: Vec<Attempt>,
    started: Instant,
    done: bool,
}

/// The stream's next event or final failure.
async fn step(mut walk: Walk) -> Option<(Result<SseEvent, Error>, Walk)> {
    loop {
        if walk.done {
            return None;
        }
        if let Some(event) = walk.queue.pop_front() {
            if walk.options.is_progress(&event) {
                walk.progressed = true;
            }
            if walk.options.is_terminal(&event) {
                walk.done = true;
                walk.body = None;
            }
            return Some((Ok(event), walk));
        }
        if let Some(e) = walk.pending_error.take() {
            walk.done = true;
            walk.body = None;
            return Some((Err(e), walk));
        }
        if walk.body.is_none()
            && let Err(e) = walk.connect().await
        {
            walk.done = true;
            return Some((Err(e), walk));
        }
        let Some(body) = walk.body.as_mut() else {
            continue;
        };
        let failure = match tokio::time::timeout(walk.options.idle_timeout, body.next()).await {
            Ok(Some(Ok(chunk))) => {
                if let Err(e) = walk.decoder.feed(&chunk) {
                    walk.pending_error = Some(e);
                }
                while let Some(event) = walk.decoder.next_event() {
                    walk.queue.push_back(event);
                }
                continue;
            }
            Ok(Some(Err(e))) if e.is_timeout() => walk.idle_error(),
            Ok(Some(Err(e))) => e,
            Ok(None) => match walk.decoder.finish() {
                Err(cut) => cut,
                Ok(()) if walk.options.reconnects == 0 => {
                    walk.done = true;
                    return None;
                }
                Ok(()) => Error::ResponseIncomplete {
                    method: Method::GET,
                    url: walk.url.clone(),
                    message: "the event stream ended without a terminal event".to_owned(),
                    timed_out: false,
                    source: None,
                },
            },
            Err(_) => walk.idle_error(),
        };
        walk.body = None;
        walk.decoder.reset_connection();
        if let Err(e) = walk.wait_to_reconnect(failure).await {
            walk.done = true;
            return Some((Err(e), walk));
        }
    }
}

impl Walk {
    fn idle_error(&self) -> Error {
        Error::Timeout {
            kind: TimeoutKind::Idle,
            method: Method::GET,
            url: self.url.clone(),
        }
    }

    /// Opens a connection; the first goes through the client's retry policy, the later
    /// ones are sent once each, paced by [`Walk::wait_to_reconnect`]. `Err` is final.
    async fn connect(&mut self) -> Result<(), Error> {
        loop {
            let first = self.connections == 0;
            let mut request = self.request.clone();
            if !first {
                request.retry = Some(Arc::new(RetryPolicy::never()));
                if let Some(value) = self
                    .decoder
                    .last_event_id()
                    .and_then(|id| HeaderValue::from_str(id).ok())
                {
                    request
                        .headers
                        .insert(HeaderName::from_static("last-event-id"), value);
                }
            }
            self.connections += 1;
            self.progressed = false;
            let span = call_span(&request);
            let result = async {
                let result = match self.client.execute(request).await {
                    Ok(response) => check_content_type(response, &self.url),
                    Err(e) => Err(e),
                };
                if let Err(e) = &result
                    && let Some(id) = e.request_id()
                {
                    tracing::Span::current().record("request_id", id);
                }
                result
            }
            .instrument(span)
            .await;
            match result {
                Ok(body) => {
                    self.body = Some(body);
                    return Ok(());
                }
                Err(e) if first => return Err(e),
                Err(e) => self.wait_to_reconnect(e).await?,
            }
        }
    }

    /// After `failure` of a started stream: waits before the next connection, or returns
    /// the failure (or [`Error::RetriesExhausted`] around it) when the stream must end.
    async fn wait_to_reconnect(&mut self, failure: Error) -> Result<(), Error> {
        if self.options.reconnects == 0 || !reconnectable(&failure) {
            return Err(failure);
        }
        if self.progressed {
            self.failures = 0;
        }
        self.progressed = false;
        self.failures += 1;
        self.reconnects += 1;
        let policy = &self.options.backoff;
        let server_hint = failure.api().and_then(|e| e.retry_after).is_none();
        let delay = match self.decoder.retry() {
            Some(asked) if server_hint => policy.cap_server_delay(asked),
            _ => policy.delay(self.failures, Some(&failure)),
        };
        let elapsed = self.started.elapsed();
        let reason = if self.failures > self.options.reconnects
            || self.reconnects > self.options.max_total_reconnects
        {
            Some(GiveUp::Attempts)
        } else if self
            .options
            .deadline
            .is_some_and(|deadline| elapsed + delay > deadline)
        {
            Some(GiveUp::TimeBudget)
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::RetriesExhausted {
                reason,
                method: Method::GET,
                url: self.url.clone(),
                attempts: self.connections,
                elapsed,
                last: Box::new(failure),
                history: std::mem::take(&mut self.history),
            });
        }
        let cause = failure.to_string();
        tracing::warn!(
            url = %self.url,
            attempt = self.connections,
            cause = %cause,
            delay_ms = delay.as_millis() as u64,
            "reconnecting event stream"
        );
        self.history.push(Attempt {
            attempt: self.connections,
            cause,
            delay,
        });
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

/// Whether a started stream reconnects after `failure`: a connection that failed or was
/// cut, a timeout, or a 429/503 answer; not another status, a refused answer or a
/// configuration error.
fn reconnectable(failure: &Error) -> bool {
    match failure {
        Error::Api(e) => matches!(
            e.status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        ),
        Error::Timeout { .. } | Error::ResponseIncomplete { .. } => true,
        Error::Connect { kind, .. } => *kind != crate::ConnectKind::Tls,
        _ => false,
    }
}

/// The body of a stream's answer, unless it says it is something else than an event
/// stream.
fn check_content_type(response: crate::Response, url: &str) -> Result<ByteStream, Error> {
    if let Some(value) = response.headers.get(CONTENT_TYPE) {
        let text = value.to_str().unwrap_or("");
        let essence = text.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case(EVENT_STREAM) {
            return Err(Error::Protocol {
                message: format!(
                    "GET {url}: expected an event stream (text/event-stream), got {:?}",
                    crate::error::escape_controls(&text.chars().take(100).collect::<String>())
                ),
            });
        }
    }
    Ok(response.into_stream())
}
