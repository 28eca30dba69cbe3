//! Ray on the agent (the `RayClientMixin`): jobs and their logs, nodes, tasks, Serve
//! applications and GPU status. Jobs are typed ([`RayJob`]); the other records are Ray's
//! own and stay untyped `Value`s.

use std::time::Duration;

use serde_json::Value;
use synapse_transport::urls::path;
use synapse_transport::{
    Call, CallInfo, Client, Error, Operation, ReadTimeout, Request, RequestBuilder, Response,
    SseFrames, fluent, operation,
};

use crate::AgentClient;
use crate::models::RayJob;
use crate::sse::{LogMessages, TailOptions};
use crate::tail::{TailProtocol, auto_frames, websocket_frames};

/// Checks a job id as the Python SDK does before opening a log stream: ASCII letters,
/// digits, `-` and `_`, at most 100 characters.
fn validate_job_id(job_id: &str) -> Result<(), Error> {
    if job_id.is_empty() {
        return Err(Error::invalid_input("job ID cannot be empty"));
    }
    if job_id.len() > 100 {
        return Err(Error::invalid_input("job ID is longer than 100 characters"));
    }
    if !job_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid_input(format!(
            "job ID {job_id:?} may contain only ASCII letters, digits, `-` and `_`"
        )));
    }
    Ok(())
}

/// `{collection}/{id}/` plus `tail` segments (each path ends with `/`), refused when the id
/// would change the route.
fn item_path(collection: &str, id: &str, tail: &[&str]) -> Result<String, Error> {
    let segments: Vec<&str> = [collection, id]
        .into_iter()
        .chain(tail.iter().copied())
        .collect();
    path(segments, true)
}

impl AgentClient {
    /// Every Ray job the agent knows: `GET jobs/` (a bare array, not paginated).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// for job in agent.list_jobs().await? {
    ///     println!("{:?} {:?}", job.id(), job.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_jobs(&self) -> ListJobs {
        ListJobs {
            call: Call::new(self.core.clone()),
        }
    }

    /// One Ray job: `GET jobs/{job_id}/` (a submission id, `raysubmit_…`), as a
    /// [`RayJob`]; its `status` uses the [`JobStatus`](synapse_models::JobStatus) words.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::JobStatus;
    /// let job = agent.get_job("raysubmit_abc123").await?;
    /// if job.status == Some(JobStatus::Failed) {
    ///     eprintln!("{:?}", job.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_job(&self, job_id: &str) -> GetJob {
        GetJob {
            call: Call::new(self.core.clone()),
            job_id: job_id.to_owned(),
        }
    }

    /// The whole log of a job at once: `GET jobs/{job_id}/logs/`. A body that is a JSON
    /// string is decoded; any other body is returned as text.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// print!("{}", agent.get_job_logs("raysubmit_abc123").await?);
    /// # Ok(()) }
    /// ```
    pub fn get_job_logs(&self, job_id: &str) -> GetJobLogs {
        GetJobLogs {
            call: Call::new(self.core.clone()),
            job_id: job_id.to_owned(),
        }
    }

    /// Alias of [`AgentClient::get_job_logs`] (the legacy SDK's name): the same call.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let log = agent.list_job_logs("raysubmit_abc123").await?;
    /// # Ok(()) }
    /// ```
    pub fn list_job_logs(&self, job_id: &str) -> GetJobLogs {
        self.get_job_logs(job_id)
    }

    /// Stops a running job: `POST jobs/{job_id}/stop/` with no body; the answer untyped.
    /// Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.stop_job("raysubmit_abc123").await?;
    /// # Ok(()) }
    /// ```
    pub fn stop_job(&self, job_id: &str) -> StopJob {
        StopJob {
            call: Call::new(self.core.clone()),
            job_id: job_id.to_owned(),
        }
    }

    /// The live log of a job over HTTP: `GET jobs/{job_id}/logs/stream/` (Server-Sent
    /// Events). [`TailJobLogs::messages`] gives the stream of messages, each yielded as soon
    /// as it arrives; nothing is sent until it is first polled. The tail's setters set its
    /// idle timeout and limits.
    ///
    /// Events are JSON `{"type", "message"}`: `error` ends the stream with
    /// [`Error::Api`] (status 500, the event as body — Python's `ClientError(500, message)`),
    /// `complete` ends it cleanly, any other event yields its non-empty `message`. Non-JSON
    /// `data:` is yielded as is; comments (`: keepalive`) and `event:`/`id:`/`retry:` lines
    /// are skipped; a plain line that is not SSE at all is yielded as a log line.
    ///
    /// The job id must be ASCII letters, digits, `-` and `_` (at most 100), else the stream's
    /// only item is an [`Error::InvalidInput`] and nothing is sent. The limits
    /// ([`TailJobLogs::max_messages`], [`TailJobLogs::max_bytes`]) end it with
    /// [`Error::StreamLimit`] (`status_code()` 429, as Python's `ClientError(429)`).
    ///
    /// Differences from the Python SDK, on purpose: a real SSE parser (`data:` with or
    /// without the space, multi-line data joined, `event:` lines and comments no longer
    /// yielded as messages); HTTP errors keep their real status (Python turns every failure,
    /// a 404 included, into a 503); instead of no read timeout at all, an idle timeout
    /// ([`TailJobLogs::idle_timeout`], also used as the per-read timeout of the request, so
    /// a silent agent is noticed before the first byte too) and no total deadline; bounded
    /// line length; the connect timeout is the client's (Python uses the tail's `timeout`,
    /// 30 s); a connection dropped mid-body ends the stream with `Err(ResponseIncomplete)`,
    /// never a clean end; dropping the stream closes the connection.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) {
    /// use futures_util::StreamExt;
    /// let mut log = agent.stream_tail_job_logs("raysubmit_abc123").messages();
    /// while let Some(message) = log.next().await {
    ///     match message {
    ///         Ok(line) => println!("{line}"),
    ///         Err(e) => eprintln!("tail ended: {e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn stream_tail_job_logs(&self, job_id: &str) -> TailJobLogs {
        self.tail_job_logs(job_id).protocol(TailProtocol::Http)
    }

    /// The live log of a job over the agent's WebSocket: `jobs/{job_id}/logs/` upgraded
    /// (`ws`/`wss` from the client's `http`/`https`), the same credential headers on the
    /// handshake. Each message is a JSON event (the same rules as
    /// [`AgentClient::stream_tail_job_logs`]) or, when not JSON, the log line itself; an
    /// empty message or a close ends the stream, and so does silence longer than the idle
    /// timeout — with a timeout error, where the Python SDK ends quietly. At most
    /// [`MAX_WEBSOCKET_FRAMES`](crate::MAX_WEBSOCKET_FRAMES) messages.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use futures_util::TryStreamExt;
    /// let lines: Vec<String> = agent
    ///     .websocket_tail_job_logs("raysubmit_abc123")
    ///     .messages()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn websocket_tail_job_logs(&self, job_id: &str) -> TailJobLogs {
        self.tail_job_logs(job_id).protocol(TailProtocol::WebSocket)
    }

    /// The live log of a job: the WebSocket first
    /// ([`AgentClient::websocket_tail_job_logs`]), and, when it fails before its first
    /// message (any answer but `101`, a refused connection, …), the HTTP stream
    /// ([`AgentClient::stream_tail_job_logs`]) from the start; [`TailJobLogs::protocol`]
    /// picks one. The messages are the same on both. Unlike the Python SDK, a failure after
    /// the first message (an `error` event included) does not start over on HTTP, so no
    /// line is yielded twice.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// use futures_util::TryStreamExt;
    /// let lines: Vec<String> = agent
    ///     .tail_job_logs("raysubmit_abc123")
    ///     .idle_timeout(Some(Duration::from_secs(60)))
    ///     .messages()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn tail_job_logs(&self, job_id: &str) -> TailJobLogs {
        TailJobLogs {
            core: self.core.clone(),
            job_id: job_id.to_owned(),
            options: TailOptions::default(),
            protocol: TailProtocol::Auto,
        }
    }

    /// GPU status aggregated over the Ray nodes: `GET gpu_status/`, untyped.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// println!("{}", agent.get_gpu_status().await?);
    /// # Ok(()) }
    /// ```
    pub fn get_gpu_status(&self) -> GetGpuStatus {
        GetGpuStatus {
            call: Call::new(self.core.clone()),
        }
    }

    /// Every Ray node: `GET nodes/` (a bare array of untyped records).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let nodes = agent.list_nodes().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_nodes(&self) -> ListNodes {
        ListNodes {
            call: Call::new(self.core.clone()),
        }
    }

    /// One Ray node: `GET nodes/{node_id}/`, untyped.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let node = agent.get_node("a1b2c3").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_node(&self, node_id: &str) -> GetNode {
        GetNode {
            call: Call::new(self.core.clone()),
            node_id: node_id.to_owned(),
        }
    }

    /// Every Ray task: `GET tasks/` (a bare array of untyped records).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let tasks = agent.list_tasks().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> ListTasks {
        ListTasks {
            call: Call::new(self.core.clone()),
        }
    }

    /// One Ray task: `GET tasks/{task_id}/`, untyped.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let task = agent.get_task("16310a0f0a45af5cffffffffffffffffffffffff01000000").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_task(&self, task_id: &str) -> GetTask {
        GetTask {
            call: Call::new(self.core.clone()),
            task_id: task_id.to_owned(),
        }
    }

    /// The agent's Ray Serve applications: `GET serve_applications/` (a bare array of
    /// untyped records; not the backend's paginated endpoint of the same name).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let apps = agent.list_serve_applications().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_serve_applications(&self) -> ListServeApplications {
        ListServeApplications {
            call: Call::new(self.core.clone()),
        }
    }

    /// One Serve application by name (normally `code@version`): `GET
    /// serve_applications/{name}/`, untyped. Its `status` uses the
    /// [`ServeApplicationStatus`](synapse_models::ServeApplicationStatus) words.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::ServeApplicationStatus;
    /// let app = agent.get_serve_application("yolov8@1.0.0").await?;
    /// let ready = app["status"].as_str().map(ServeApplicationStatus::from)
    ///     == Some(ServeApplicationStatus::Running);
    /// # Ok(()) }
    /// ```
    pub fn get_serve_application(&self, name: &str) -> GetServeApplication {
        GetServeApplication {
            call: Call::new(self.core.clone()),
            name: name.to_owned(),
        }
    }

    /// Deletes a Serve application: `DELETE serve_applications/{name}/`. The answer is
    /// discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_serve_application("yolov8@1.0.0").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_serve_application(&self, name: &str) -> DeleteServeApplication {
        DeleteServeApplication {
            call: Call::new(self.core.clone()),
            name: name.to_owned(),
        }
    }
}

/// [`AgentClient::list_jobs`]: `GET jobs/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListJobs {
    call: Call,
}

impl Operation for ListJobs {
    type Output = Vec<RayJob>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("jobs/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(ListJobs);

/// [`AgentClient::get_job`]: `GET jobs/{job_id}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetJob {
    call: Call,
    job_id: String,
}

impl Operation for GetJob {
    type Output = RayJob;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get(item_path("jobs", &self.job_id, &[]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<RayJob, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetJob);

/// [`AgentClient::get_job_logs`] (and its alias [`AgentClient::list_job_logs`]): `GET
/// jobs/{job_id}/logs/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetJobLogs {
    call: Call,
    job_id: String,
}

impl Operation for GetJobLogs {
    type Output = String;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(item_path("jobs", &self.job_id, &["logs"]))
    }
    async fn decode(response: Response, _call: CallInfo) -> Result<String, Error> {
        let body = response.into_bytes().await?;
        Ok(match serde_json::from_slice::<Value>(&body) {
            Ok(Value::String(text)) => text,
            _ => String::from_utf8_lossy(&body).into_owned(),
        })
    }
}
fluent!(GetJobLogs);

/// [`AgentClient::stop_job`]: `POST jobs/{job_id}/stop/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct StopJob {
    call: Call,
    job_id: String,
}

impl Operation for StopJob {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post(item_path("jobs", &self.job_id, &["stop"]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(StopJob);

/// [`AgentClient::tail_job_logs`] and [`AgentClient::stream_tail_job_logs`]: `GET
/// jobs/{job_id}/logs/stream/`, as a stream of messages ([`messages`](Self::messages)).
///
/// The limits default to the Python SDK's `StreamLimits` (50,000 messages, 50 MiB of text,
/// messages over 10,240 characters dropped); `None` lifts a limit.
#[derive(Debug)]
#[must_use = "a stream does nothing until it is polled"]
pub struct TailJobLogs {
    core: Client,
    job_id: String,
    options: TailOptions,
    protocol: TailProtocol,
}

impl TailJobLogs {
    /// How to reach the agent: WebSocket, HTTP stream, or the WebSocket with a fallback
    /// (the default of [`AgentClient::tail_job_logs`]).
    pub fn protocol(mut self, protocol: TailProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Ends the stream with a timeout error when the agent sends nothing — not even a
    /// keep-alive comment — for this long (default 30 s, the Python SDK's `timeout`; `None`
    /// waits forever). Also the request's per-read timeout, so it bounds the wait for the
    /// response headers too. Must not be zero.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options.idle_timeout = timeout;
        self
    }

    /// Longest line held in memory; a longer line is cut into pieces of this size
    /// (default 1 MiB), so a hostile server cannot grow memory without bound.
    pub fn max_line_bytes(mut self, bytes: usize) -> Self {
        self.options.max_line_bytes = bytes;
        self
    }

    /// Most messages yielded or dropped before the stream fails (default 50,000).
    pub fn max_messages(mut self, messages: Option<u64>) -> Self {
        self.options.max_messages = messages;
        self
    }

    /// Most message bytes (UTF-8) before the stream fails (default 50 MiB).
    pub fn max_bytes(mut self, bytes: Option<u64>) -> Self {
        self.options.max_bytes = bytes;
        self
    }

    /// Messages longer than this many characters are skipped silently (default 10,240).
    pub fn max_message_chars(mut self, chars: Option<usize>) -> Self {
        self.options.max_message_chars = chars;
        self
    }

    /// The request of the HTTP stream (`logs/stream/`) or of the WebSocket handshake
    /// (`logs/`).
    fn prepare_for(&self, protocol: TailProtocol) -> RequestBuilder {
        let tail: &[&str] = match protocol {
            TailProtocol::Http => &["logs", "stream"],
            _ => &["logs"],
        };
        let target =
            validate_job_id(&self.job_id).and_then(|()| item_path("jobs", &self.job_id, tail));
        self.core
            .get(target)
            .validated(self.options.validate())
            .read_timeout(
                self.options
                    .idle_timeout
                    .map_or(ReadTimeout::Never, ReadTimeout::After),
            )
    }

    /// The exact request the tail sends first, without IO: the WebSocket handshake's GET,
    /// or the HTTP stream's for [`TailProtocol::Http`] (a bad job id or a zero idle timeout
    /// is the error).
    pub fn request(&self) -> Result<Request, Error> {
        self.prepare_for(self.protocol).stream().build()
    }

    /// The messages of the job's log, each yielded as soon as it arrives; see
    /// [`AgentClient::stream_tail_job_logs`] for the rules. Nothing is sent until the
    /// stream is first polled; a refused request is its only item.
    pub fn messages(self) -> LogMessages {
        let http = self.prepare_for(TailProtocol::Http);
        let options = self.options;
        let websocket = |url: &mut String| {
            let request = self.prepare_for(TailProtocol::WebSocket).build();
            if let Ok(r) = &request {
                *url = r.display_url();
            }
            websocket_frames(self.core.clone(), request, options.idle_timeout)
        };
        match self.protocol {
            TailProtocol::Http => {
                let lines = http.lines(options.line_options());
                let url = lines.url().to_owned();
                LogMessages::new(lines, options, url)
            }
            TailProtocol::WebSocket => {
                let mut url = String::new();
                let frames = websocket(&mut url);
                LogMessages::from_frames(frames, options, url)
            }
            _ => {
                let mut url = String::new();
                let frames = websocket(&mut url);
                let fallback = move || -> crate::sse::Frames {
                    Box::pin(SseFrames::new(http.lines(options.line_options())))
                };
                LogMessages::from_frames(auto_frames(frames, fallback), options, url)
            }
        }
    }
}

/// [`AgentClient::get_gpu_status`]: `GET gpu_status/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetGpuStatus {
    call: Call,
}

impl Operation for GetGpuStatus {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("gpu_status/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetGpuStatus);

/// [`AgentClient::list_nodes`]: `GET nodes/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListNodes {
    call: Call,
}

impl Operation for ListNodes {
    type Output = Vec<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("nodes/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Vec<Value>, Error> {
        operation::json(response, call).await
    }
}
fluent!(ListNodes);

/// [`AgentClient::get_node`]: `GET nodes/{node_id}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetNode {
    call: Call,
    node_id: String,
}

impl Operation for GetNode {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(item_path("nodes", &self.node_id, &[]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetNode);

/// [`AgentClient::list_tasks`]: `GET tasks/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListTasks {
    call: Call,
}

impl Operation for ListTasks {
    type Output = Vec<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("tasks/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Vec<Value>, Error> {
        operation::json(response, call).await
    }
}
fluent!(ListTasks);

/// [`AgentClient::get_task`]: `GET tasks/{task_id}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetTask {
    call: Call,
    task_id: String,
}

impl Operation for GetTask {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(item_path("tasks", &self.task_id, &[]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetTask);

/// [`AgentClient::list_serve_applications`]: `GET serve_applications/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListServeApplications {
    call: Call,
}

impl Operation for ListServeApplications {
    type Output = Vec<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("serve_applications/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Vec<Value>, Error> {
        operation::json(response, call).await
    }
}
fluent!(ListServeApplications);

/// [`AgentClient::get_serve_application`]: `GET serve_applications/{name}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetServeApplication {
    call: Call,
    name: String,
}

impl Operation for GetServeApplication {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(item_path("serve_applications", &self.name, &[]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetServeApplication);

/// [`AgentClient::delete_serve_application`]: `DELETE serve_applications/{name}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct DeleteServeApplication {
    call: Call,
    name: String,
}

impl Operation for DeleteServeApplication {
    type Output = ();
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .delete(item_path("serve_applications", &self.name, &[]))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<(), Error> {
        operation::unit(response, call).await
    }
}
fluent!(DeleteServeApplication);
