//! Ray on the agent (the `RayClientMixin`): jobs and their logs, nodes, tasks, Serve
//! applications and GPU status. Records are Ray's own and stay untyped `Value`s.

use std::pin::Pin;

use futures_core::Stream;
use serde_json::Value;
use synapse_transport::urls::path;
use synapse_transport::{Error, ReadTimeout};

use crate::AgentClient;
use crate::sse::{SseMessages, TailOptions};

/// The messages of a job's live log, each yielded as soon as it arrives.
pub type LogMessages = Pin<Box<dyn Stream<Item = Result<String, Error>> + Send>>;

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

fn failed(e: Error) -> LogMessages {
    Box::pin(futures_util::stream::iter([Err(e)]))
}

impl AgentClient {
    /// Every Ray job the agent knows: `GET jobs/` (a bare array, not paginated).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// for job in agent.list_jobs().await? {
    ///     println!("{} {}", job["submission_id"], job["status"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_jobs(&self) -> Result<Vec<Value>, Error> {
        self.core.get("jobs/").send_json().await
    }

    /// One Ray job: `GET jobs/{job_id}/` (a submission id, `raysubmit_…`). Its `status` uses
    /// the [`JobStatus`](synapse_models::JobStatus) words.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::JobStatus;
    /// let job = agent.get_job("raysubmit_abc123").await?;
    /// let status = job["status"].as_str().map(JobStatus::from);
    /// # Ok(()) }
    /// ```
    pub async fn get_job(&self, job_id: &str) -> Result<Value, Error> {
        self.core
            .get(path(["jobs", job_id], true))
            .send_value()
            .await
    }

    /// The whole log of a job at once: `GET jobs/{job_id}/logs/`. A body that is a JSON
    /// string is decoded; any other body is returned as text.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// print!("{}", agent.get_job_logs("raysubmit_abc123").await?);
    /// # Ok(()) }
    /// ```
    pub async fn get_job_logs(&self, job_id: &str) -> Result<String, Error> {
        let response = self
            .core
            .get(path(["jobs", job_id, "logs"], true))
            .send()
            .await?;
        let body = response.into_bytes().await?;
        Ok(match serde_json::from_slice::<Value>(&body) {
            Ok(Value::String(text)) => text,
            _ => String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Alias of [`AgentClient::get_job_logs`] (the legacy SDK's name).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let log = agent.list_job_logs("raysubmit_abc123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_job_logs(&self, job_id: &str) -> Result<String, Error> {
        self.get_job_logs(job_id).await
    }

    /// Stops a running job: `POST jobs/{job_id}/stop/` with no body. Never replayed once it
    /// may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.stop_job("raysubmit_abc123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop_job(&self, job_id: &str) -> Result<Value, Error> {
        self.core
            .post(path(["jobs", job_id, "stop"], true))
            .send_value()
            .await
    }

    /// The live log of a job over HTTP: `GET jobs/{job_id}/logs/stream/` (Server-Sent
    /// Events), as a stream of messages, each yielded as soon as it arrives. Nothing is sent
    /// until the stream is first polled.
    ///
    /// Events are JSON `{"type", "message"}`: `error` ends the stream with
    /// [`Error::Api`] (status 500, the event as body — Python's `ClientError(500, message)`),
    /// `complete` ends it cleanly, any other event yields its non-empty `message`. Non-JSON
    /// `data:` is yielded as is; comments (`: keepalive`) and `event:`/`id:`/`retry:` lines
    /// are skipped; a plain line that is not SSE at all is yielded as a log line.
    ///
    /// The job id must be ASCII letters, digits, `-` and `_` (at most 100), else
    /// [`Error::InvalidInput`] and nothing is sent. The stream limits of [`TailOptions`]
    /// end it with [`Error::StreamLimit`] (`status_code()` 429, as Python's `ClientError(429)`).
    ///
    /// Differences from the Python SDK, on purpose: a real SSE parser (`data:` with or
    /// without the space, multi-line data joined, `event:` lines and comments no longer
    /// yielded as messages); HTTP errors keep their real status (Python turns every failure,
    /// a 404 included, into a 503); instead of no read timeout at all, an idle timeout
    /// ([`TailOptions::idle_timeout`], also used as the per-read timeout of the request, so
    /// a silent agent is noticed before the first byte too) and no total deadline; bounded
    /// line length; the connect timeout is the
    /// client's (Python uses the tail's `timeout`, 30 s); a connection dropped mid-body ends
    /// the stream with `Err(ResponseIncomplete)`, never a clean end; dropping the stream
    /// closes the connection.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) {
    /// use futures_util::StreamExt;
    /// let mut log = agent.stream_tail_job_logs("raysubmit_abc123", Default::default());
    /// while let Some(message) = log.next().await {
    ///     match message {
    ///         Ok(line) => println!("{line}"),
    ///         Err(e) => eprintln!("tail ended: {e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn stream_tail_job_logs(&self, job_id: &str, options: TailOptions) -> LogMessages {
        if let Err(e) = validate_job_id(job_id).and_then(|()| options.validate()) {
            return failed(e);
        }
        let lines = self
            .core
            .get(path(["jobs", job_id, "logs", "stream"], true))
            .read_timeout(
                options
                    .idle_timeout
                    .map_or(ReadTimeout::Never, ReadTimeout::After),
            )
            .lines(options.line_options());
        let url = lines.url().to_owned();
        Box::pin(SseMessages::new(lines, options, url))
    }

    /// The live log of a job: the Python SDK's `tail_job_logs`, which tries the WebSocket
    /// endpoint (`jobs/{job_id}/logs/`) first and falls back to the HTTP stream. This SDK
    /// has no WebSocket client, so it always uses the HTTP stream — the same as
    /// [`AgentClient::stream_tail_job_logs`] (and as Python's `protocol="http"`). The
    /// messages are the same on both transports. `websocket_tail_job_logs` is not provided.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use futures_util::TryStreamExt;
    /// let lines: Vec<String> = agent
    ///     .tail_job_logs("raysubmit_abc123", Default::default())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn tail_job_logs(&self, job_id: &str, options: TailOptions) -> LogMessages {
        self.stream_tail_job_logs(job_id, options)
    }

    /// GPU status aggregated over the Ray nodes: `GET gpu_status/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// println!("{}", agent.get_gpu_status().await?);
    /// # Ok(()) }
    /// ```
    pub async fn get_gpu_status(&self) -> Result<Value, Error> {
        self.core.get("gpu_status/").send_value().await
    }

    /// Every Ray node: `GET nodes/` (a bare array).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let nodes = agent.list_nodes().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_nodes(&self) -> Result<Vec<Value>, Error> {
        self.core.get("nodes/").send_json().await
    }

    /// One Ray node: `GET nodes/{node_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let node = agent.get_node("a1b2c3").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_node(&self, node_id: &str) -> Result<Value, Error> {
        self.core
            .get(path(["nodes", node_id], true))
            .send_value()
            .await
    }

    /// Every Ray task: `GET tasks/` (a bare array).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let tasks = agent.list_tasks().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_tasks(&self) -> Result<Vec<Value>, Error> {
        self.core.get("tasks/").send_json().await
    }

    /// One Ray task: `GET tasks/{task_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let task = agent.get_task("16310a0f0a45af5cffffffffffffffffffffffff01000000").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_task(&self, task_id: &str) -> Result<Value, Error> {
        self.core
            .get(path(["tasks", task_id], true))
            .send_value()
            .await
    }

    /// The agent's Ray Serve applications: `GET serve_applications/` (a bare array; not the
    /// backend's paginated endpoint of the same name).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let apps = agent.list_serve_applications().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_serve_applications(&self) -> Result<Vec<Value>, Error> {
        self.core.get("serve_applications/").send_json().await
    }

    /// One Serve application by name (normally `code@version`): `GET
    /// serve_applications/{name}/`. Its `status` uses the
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
    pub async fn get_serve_application(&self, name: &str) -> Result<Value, Error> {
        self.core
            .get(path(["serve_applications", name], true))
            .send_value()
            .await
    }

    /// Deletes a Serve application: `DELETE serve_applications/{name}/`. The answer is
    /// discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_serve_application("yolov8@1.0.0").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_serve_application(&self, name: &str) -> Result<(), Error> {
        self.core
            .delete(path(["serve_applications", name], true))
            .send()
            .await?;
        Ok(())
    }
}
