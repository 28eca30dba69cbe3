//! Jobs: get, list, update, console logs and their live tail.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use serde_json::{Map, Value};
use synapse_models::{
    AgentId, ConsoleLogs, Job, JobId, JobStatus, PluginRef, PluginReleaseId, TailEvent,
    TailEventType, UpdateJobRequest,
};
use synapse_transport::urls::path;
use synapse_transport::{
    ApiBody, ApiError, Call, CallInfo, Client, Error, LineOptions, LineStream, Method, Operation,
    ReadTimeout, Request, RequestBuilder, Response, SseFrame, SseFrames, StatusCode, fluent,
    operation,
};

use crate::BackendClient;
use crate::operations::{get_operation, list_operation};

impl BackendClient {
    /// One job: `GET jobs/{job_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let job = client.get_job("550e8400-e29b-41d4-a716-446655440000").expand("logs").await?;
    /// if job.is_terminal() {
    ///     println!("done: {:?}", job.result);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_job(&self, job_id: impl Into<JobId>) -> GetJob {
        GetJob::new(&self.core, job_id.into())
    }

    /// Jobs: `GET jobs/`. Awaiting it gives one page with the filters set and no
    /// `page_size` unless one is set (as the Python SDK's `list_jobs`); `.items()` walks
    /// every page, `.pages()` yields them whole.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// use synapse_backend::models::JobStatus;
    /// let page = client.list_jobs().status(JobStatus::Running).page_size(10).await?;
    /// println!("{} running, first page has {}", page.total(), page.results.len());
    /// let mut running = client.list_jobs().status(JobStatus::Running).items();
    /// while let Some(job) = running.next().await {
    ///     println!("{:?}", job?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_jobs(&self) -> ListJobs {
        ListJobs::new(&self.core)
    }

    /// Updates a job: `PATCH jobs/{job_id}/` with the fields set (uppercase status;
    /// `result` an object or array; a rejected update sends nothing). Never replayed after it
    /// may have reached the server (the Python SDK re-sends it on 502/503/504).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::JobStatus;
    /// client.update_job(7).status(JobStatus::Succeeded).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_job(&self, job_id: impl Into<JobId>) -> UpdateJob {
        UpdateJob {
            call: Call::new(self.core.clone()),
            job_id: job_id.into(),
            update: UpdateJobRequest::default(),
        }
    }

    /// A job's console log: `GET jobs/{job_id}/console_logs/`, decoded from any of the shapes
    /// servers send (a bare array, `{"logs": …}` or `{"results": …}`); `lines()` gives the
    /// text.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// for line in client.list_job_console_logs(7).await?.lines() {
    ///     println!("{line}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_job_console_logs(&self, job_id: impl Into<JobId>) -> ListJobConsoleLogs {
        ListJobConsoleLogs {
            call: Call::new(self.core.clone()),
            job_id: job_id.into(),
        }
    }

    /// The live console log of a job: `GET jobs/{job_id}/tail_console_logs/`, a stream of
    /// server-sent events. `.events()` decodes them (see [`TailEvents`]); `.lines()` gives
    /// the raw lines, as the Python SDK does. Nothing is sent until the stream is first
    /// polled.
    ///
    /// Differences from the Python SDK, on purpose: the request goes through the common
    /// path (`url_host`, typed errors, retries of the request before any data); there is no
    /// read timeout but an idle timeout ([`TailJobConsoleLogs::idle_timeout`]); text is
    /// UTF-8 whatever the charset; a connection dropped mid-body ends the stream with
    /// `Err(ResponseIncomplete)`, never a clean end; dropping the stream closes the
    /// connection.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut events = client.tail_job_console_logs(7).events();
    /// while let Some(event) = events.next().await {
    ///     if let Some(text) = event?.text() {
    ///         println!("{text}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tail_job_console_logs(&self, job_id: impl Into<JobId>) -> TailJobConsoleLogs {
        TailJobConsoleLogs {
            core: self.core.clone(),
            job_id: job_id.into(),
            lines: LineOptions::default(),
        }
    }
}

/// `jobs/{job_id}/` plus `tail` segments, refused when the id would change the route.
fn job_path(job_id: &JobId, tail: &[&str]) -> Result<String, Error> {
    let id = job_id.to_string();
    path(
        ["jobs", id.as_str()]
            .into_iter()
            .chain(tail.iter().copied()),
        true,
    )
}

get_operation! {
    /// [`BackendClient::get_job`]: `GET jobs/{job_id}/`.
    GetJob: GET "jobs" / JobId => Job
}

impl GetJob {
    /// Embeds a related field (`expand=logs`); repeatable.
    pub fn expand(self, field: &str) -> Self {
        self.param("expand", field)
    }
}

list_operation! {
    /// [`BackendClient::list_jobs`]: `GET jobs/`.
    ListJobs: GET "jobs/" => Job
}

impl ListJobs {
    /// Only jobs in this status (`status=RUNNING`).
    pub fn status(self, status: JobStatus) -> Self {
        self.param("status", status)
    }

    /// Only jobs of this action (`action=train`).
    pub fn action(self, action: &str) -> Self {
        self.param("action", action)
    }

    /// Only jobs of this release (`plugin_release=<id>`).
    pub fn plugin_release(self, release: PluginReleaseId) -> Self {
        self.param("plugin_release", release)
    }

    /// Only jobs of this plugin, by id or code (`plugin=<id or code>`).
    pub fn plugin(self, plugin: impl Into<PluginRef>) -> Self {
        self.param("plugin", plugin.into())
    }

    /// Only jobs run on this agent (`agent=<id>`).
    pub fn agent(self, agent: AgentId) -> Self {
        self.param("agent", agent)
    }

    /// Sort order (`ordering=-created`).
    pub fn ordering(self, ordering: &str) -> Self {
        self.param("ordering", ordering)
    }

    /// Embeds a related field in every job (`expand=logs`); repeatable.
    pub fn expand(self, field: &str) -> Self {
        self.param("expand", field)
    }
}

/// [`BackendClient::update_job`]: `PATCH jobs/{job_id}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdateJob {
    call: Call,
    job_id: JobId,
    update: UpdateJobRequest,
}

impl UpdateJob {
    /// The whole update at once (replaces the fields set so far).
    pub fn body(mut self, update: UpdateJobRequest) -> Self {
        self.update = update;
        self
    }

    /// New status.
    pub fn status(mut self, status: JobStatus) -> Self {
        self.update.status = Some(status);
        self
    }

    /// Progress record (replaces the stored one).
    pub fn progress_record(mut self, record: Map<String, Value>) -> Self {
        self.update.progress_record = Some(record);
        self
    }

    /// Metrics record (replaces the stored one).
    pub fn metrics_record(mut self, record: Map<String, Value>) -> Self {
        self.update.metrics_record = Some(record);
        self
    }

    /// Console logs: an object or an array of objects.
    pub fn console_logs(mut self, logs: Value) -> Self {
        self.update.console_logs = Some(logs);
        self
    }

    /// Result: an object or an array.
    pub fn result(mut self, result: Value) -> Self {
        self.update.result = Some(result);
        self
    }

    /// Free-form metadata.
    pub fn meta(mut self, meta: Map<String, Value>) -> Self {
        self.update.meta = Some(meta);
        self
    }
}

impl Operation for UpdateJob {
    type Output = Job;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .patch(job_path(&self.job_id, &[]))
            .validated(self.update.validate().map_err(Error::from))
            .json(&self.update)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Job, Error> {
        operation::json(response, call).await
    }
}
fluent!(UpdateJob);

/// [`BackendClient::list_job_console_logs`]: `GET jobs/{job_id}/console_logs/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListJobConsoleLogs {
    call: Call,
    job_id: JobId,
}

impl Operation for ListJobConsoleLogs {
    type Output = ConsoleLogs;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(job_path(&self.job_id, &["console_logs"]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<ConsoleLogs, Error> {
        operation::json(response, call).await
    }
}
fluent!(ListJobConsoleLogs);

/// [`BackendClient::tail_job_console_logs`]: `GET jobs/{job_id}/tail_console_logs/`, as
/// decoded events ([`events`](Self::events)) or raw lines ([`lines`](Self::lines)).
#[derive(Debug)]
#[must_use = "a stream does nothing until it is polled"]
pub struct TailJobConsoleLogs {
    core: Client,
    job_id: JobId,
    lines: LineOptions,
}

impl TailJobConsoleLogs {
    /// Ends the stream with a timeout error when nothing (not even a heartbeat) arrives for
    /// this long; `None` (the default) waits forever. Must not be zero.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.lines.idle_timeout = timeout;
        self
    }

    /// How the body is split into lines, and the longest line held in memory.
    pub fn line_options(mut self, options: LineOptions) -> Self {
        self.lines = options;
        self
    }

    fn prepare(&self) -> RequestBuilder {
        let check = if self.lines.idle_timeout == Some(Duration::ZERO) {
            Err(Error::invalid_input(
                "the idle timeout of a log tail must be positive (use `None` to wait forever)",
            ))
        } else {
            Ok(())
        };
        self.core
            .get(job_path(&self.job_id, &["tail_console_logs"]))
            .validated(check)
            .read_timeout(ReadTimeout::Never)
    }

    /// The exact request the tail sends, without IO.
    pub fn request(&self) -> Result<Request, Error> {
        self.prepare().stream().build()
    }

    /// The raw lines of the stream (SSE `data:` lines, blank separators and heartbeats
    /// included), each yielded as soon as its terminator arrives.
    pub fn lines(self) -> LineStream {
        self.prepare().lines(self.lines)
    }

    /// The decoded events; see [`TailEvents`].
    pub fn events(self) -> TailEvents {
        let url = self.request().map(|r| r.display_url()).unwrap_or_default();
        TailEvents {
            frames: SseFrames::new(self.lines()),
            url,
            queue: VecDeque::new(),
            done: false,
        }
    }
}

/// The events of a job's live console log: each `data:` event decoded as a [`TailEvent`]
/// (`connected`, `log`, `complete`, …; a non-JSON data line or plain line becomes a `log`
/// event whose `data` is the text). The stream yields the `complete` event and ends; an
/// `error` event ends it with an [`Error::Api`] (status 500, the event as its body).
pub struct TailEvents {
    frames: SseFrames,
    url: String,
    queue: VecDeque<Result<TailEvent, Error>>,
    done: bool,
}

impl std::fmt::Debug for TailEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TailEvents")
            .field("url", &self.url)
            .field("done", &self.done)
            .finish()
    }
}

impl TailEvents {
    fn text_event(text: String) -> TailEvent {
        TailEvent {
            event_type: Some(TailEventType::Log),
            data: Some(Value::String(text)),
            ..TailEvent::default()
        }
    }

    fn on_event(&mut self, data: String) {
        let event = match serde_json::from_str::<Value>(&data) {
            Ok(value @ Value::Object(_)) => {
                match serde_json::from_value::<TailEvent>(value.clone()) {
                    Ok(event) => (event, value),
                    Err(_) => return self.queue.push_back(Ok(Self::text_event(data))),
                }
            }
            _ => {
                if !data.is_empty() {
                    self.queue.push_back(Ok(Self::text_event(data)));
                }
                return;
            }
        };
        match event.0.event_type {
            Some(TailEventType::Error) => {
                let err = ApiError::new(
                    Method::GET,
                    self.url.clone(),
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiBody::Json(event.1),
                );
                self.queue.push_back(Err(err.into()));
                self.finish();
            }
            Some(TailEventType::Complete) => {
                self.queue.push_back(Ok(event.0));
                self.finish();
            }
            _ => self.queue.push_back(Ok(event.0)),
        }
    }

    /// Stops reading: the connection is closed now.
    fn finish(&mut self) {
        self.done = true;
        self.frames.close();
    }
}

impl Stream for TailEvents {
    type Item = Result<TailEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.queue.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match std::task::ready!(Pin::new(&mut this.frames).poll_next(cx)) {
                Some(Ok(SseFrame::Event(data))) => this.on_event(data),
                Some(Ok(SseFrame::Line(line))) => this.queue.push_back(Ok(Self::text_event(line))),
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    this.finish();
                    return Poll::Ready(Some(Err(e)));
                }
                None => this.done = true,
            }
        }
    }
}
