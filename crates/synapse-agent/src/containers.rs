//! Containers on the agent (the `ContainerClientMixin`): asynchronous builds, Docker
//! containers, and the agent's container records.

use std::time::Duration;

use serde_json::{Map, Value};
use synapse_models::Page;
use synapse_transport::urls::path;
use synapse_transport::{Error, FileRange, Multipart, PageStream, python_json};
use tokio::time::Instant;

use crate::AgentClient;
use crate::models::{
    BuildOutcome, BuildState, BuildStatus, ContainerBuildRef, CreateContainerRequest,
    CreateDockerContainerRequest,
};
use crate::query::{Query, query};

/// Default deadline of [`AgentClient::wait_for_build`] and
/// [`AgentClient::create_container_and_wait`] (the Python SDK's 300 s).
pub const DEFAULT_BUILD_TIMEOUT: Duration = Duration::from_secs(300);

/// A form field's text as the Python SDK writes it: strings as is, booleans and numbers as
/// Python's `str()` (`True`, `1e-05`), objects and arrays as the exact text of Python's
/// `json.dumps`.
fn form_text(value: &Value) -> Result<String, Error> {
    Ok(match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => python_json::float_repr(f),
            None => n.to_string(),
        },
        other => python_json::to_string(other)?,
    })
}

impl AgentClient {
    /// The state of a container build: `GET builds/{build_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let build = agent.get_build_status("b-123").await?;
    /// println!("{:?}", build.status);
    /// # Ok(()) }
    /// ```
    pub async fn get_build_status(&self, build_id: &str) -> Result<BuildStatus, Error> {
        self.core
            .get(path(["builds", build_id], true))
            .send_json()
            .await
    }

    /// Polls [`AgentClient::get_build_status`] every `poll_interval` until the build ends
    /// or `timeout` passes (the deadline is checked before each poll, as the Python SDK
    /// does). `completed` gives its `result` (`{}` when absent); `failed` and `cancelled`
    /// give the status with its `error`; an HTTP failure while polling is the `Err`.
    ///
    /// The Python SDK raises `RuntimeError`/`TimeoutError` for the last two outcomes; here
    /// they are [`BuildOutcome`] values, so one `match` covers them.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::{BuildOutcome, DEFAULT_BUILD_TIMEOUT, DEFAULT_POLL_INTERVAL};
    /// match agent.wait_for_build("b-123", DEFAULT_BUILD_TIMEOUT, DEFAULT_POLL_INTERVAL).await? {
    ///     BuildOutcome::Completed(info) => println!("serving at {}", info["endpoint"]),
    ///     BuildOutcome::Failed(status) => eprintln!("build failed: {}", status.error_message()),
    ///     BuildOutcome::TimedOut(_) => eprintln!("still building"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_build(
        &self,
        build_id: &str,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<BuildOutcome, Error> {
        let start = Instant::now();
        let mut last = None;
        loop {
            if start.elapsed() > timeout {
                return Ok(BuildOutcome::TimedOut(last));
            }
            let status = self.get_build_status(build_id).await?;
            match &status.status {
                Some(BuildState::Completed) => {
                    let result = status
                        .result
                        .clone()
                        .unwrap_or_else(|| Value::Object(Map::new()));
                    return Ok(BuildOutcome::Completed(result));
                }
                Some(BuildState::Failed | BuildState::Cancelled) => {
                    return Ok(BuildOutcome::Failed(status));
                }
                _ => {}
            }
            last = Some(status);
            tokio::time::sleep(poll_interval).await;
        }
    }

    /// Every Docker container on the agent's host: `GET containers/docker/` (a bare array).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let containers = agent.list_docker_containers().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_docker_containers(&self) -> Result<Vec<Value>, Error> {
        self.core.get("containers/docker/").send_json().await
    }

    /// One Docker container: `GET containers/docker/{container_id}` — **no trailing slash**.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let container = agent.get_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_docker_container(&self, container_id: &str) -> Result<Value, Error> {
        self.core
            .get(path(["containers", "docker", container_id], false))
            .send_value()
            .await
    }

    /// Builds and runs a Docker container for a plugin: `POST containers/docker/`. Never
    /// replayed once it may have reached the agent (a replay builds a second container).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::CreateDockerContainerRequest;
    /// let mut req = CreateDockerContainerRequest::new("yolov8@1.0.0");
    /// req.envs = Some([("A".to_owned(), "1".to_owned())].into());
    /// let container = agent.create_docker_container(&req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_docker_container(
        &self,
        request: &CreateDockerContainerRequest,
    ) -> Result<Value, Error> {
        self.core
            .post("containers/docker/")
            .json(request)
            .send_value()
            .await
    }

    /// Stops and removes a Docker container: `DELETE containers/docker/{container_id}` —
    /// **no trailing slash**. The answer is discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_docker_container(&self, container_id: &str) -> Result<(), Error> {
        self.core
            .delete(path(["containers", "docker", container_id], false))
            .send()
            .await?;
        Ok(())
    }

    /// Stops a Docker container and keeps it (resume with
    /// [`AgentClient::start_docker_container`]): `POST containers/docker/{id}/stop/`, no
    /// body. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.stop_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop_docker_container(&self, container_id: &str) -> Result<Value, Error> {
        self.core
            .post(path(["containers", "docker", container_id, "stop"], true))
            .send_value()
            .await
    }

    /// Starts a stopped Docker container: `POST containers/docker/{id}/start/`, no body.
    /// Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.start_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_docker_container(&self, container_id: &str) -> Result<Value, Error> {
        self.core
            .post(path(["containers", "docker", container_id, "start"], true))
            .send_value()
            .await
    }

    /// Starts building a container that serves a plugin's Gradio interface: `POST
    /// containers/`, JSON — or multipart with the archive streamed from disk when
    /// `plugin_file` is set (see [`CreateContainerRequest`] for the fields). Returns the
    /// build reference at once (the Python SDK's `wait=False`); see
    /// [`AgentClient::create_container_and_wait`].
    ///
    /// A request with neither a release nor a file, or with a file that cannot be read,
    /// fails before anything is sent. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::CreateContainerRequest;
    /// let build = agent.create_container(&CreateContainerRequest::new("yolov8@1.0.0")).await?;
    /// println!("{:?} (log: {:?})", build.build_id, build.sse_url);
    /// # Ok(()) }
    /// ```
    pub async fn create_container(
        &self,
        request: &CreateContainerRequest,
    ) -> Result<ContainerBuildRef, Error> {
        if !request.has_release() && request.plugin_file.is_none() {
            return Err(Error::invalid_input(
                "create_container needs a plugin release or a plugin file",
            ));
        }
        let fields = request.fields();
        let builder = self.core.post("containers/");
        let builder = match &request.plugin_file {
            None => builder.json(
                &fields
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>(),
            ),
            Some(file) => {
                let range = FileRange::whole(file)?;
                let filename = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| Error::invalid_input("the plugin file path has no file name"))?;
                let mut form = Multipart::new();
                for (name, value) in fields {
                    match value {
                        Value::Null => {}
                        Value::Array(items) => {
                            for item in &items {
                                form = form.text(name, form_text(item)?);
                            }
                        }
                        other => form = form.text(name, form_text(&other)?),
                    }
                }
                builder.multipart(form.file("file", filename, range))
            }
        };
        builder.send_json().await
    }

    /// [`AgentClient::create_container`], then [`AgentClient::wait_for_build`] on its build
    /// (the Python SDK's default `wait=True`, polling every 2 s). An agent answering
    /// without a `build_id` has answered synchronously: its answer is returned as
    /// [`BuildOutcome::Completed`].
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::{BuildOutcome, CreateContainerRequest, DEFAULT_BUILD_TIMEOUT};
    /// let req = CreateContainerRequest::new("yolov8@1.0.0");
    /// if let BuildOutcome::Completed(info) = agent.create_container_and_wait(&req, DEFAULT_BUILD_TIMEOUT).await? {
    ///     println!("{}", info["endpoint"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create_container_and_wait(
        &self,
        request: &CreateContainerRequest,
        timeout: Duration,
    ) -> Result<BuildOutcome, Error> {
        let build = self.create_container(request).await?;
        match &build.build_id {
            Some(id) => {
                self.wait_for_build(&id.to_string(), timeout, crate::DEFAULT_POLL_INTERVAL)
                    .await
            }
            None => Ok(BuildOutcome::Completed(
                serde_json::to_value(&build).unwrap_or(Value::Null),
            )),
        }
    }

    /// One page of the agent's container records: `GET containers/` with the caller's
    /// query only.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let page = agent.list_containers(&[("status", "running")]).await?;
    /// println!("{} running", page.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_containers(&self, params: Query<'_>) -> Result<Page<Value>, Error> {
        self.core.page("containers/", &query(params)).await
    }

    /// Every container record as a lazy stream (`page_size=100` on the first request unless
    /// given; `next` links followed on the agent's origin only).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<serde_json::Value> = agent.list_containers_all(&[]).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_containers_all(&self, params: Query<'_>) -> PageStream<Value> {
        self.core.paginate("containers/", query(params))
    }

    /// One container record: `GET containers/{id}` — **no trailing slash**.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let record = agent.get_container(7).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_container(&self, container_id: i64) -> Result<Value, Error> {
        self.core.get(record_path(container_id)).send_value().await
    }

    /// Updates a container record: `PATCH containers/{id}` — **no trailing slash** — with
    /// `{"status": …}`, or `{}` when `status` is `None`. Not replayed once it may have
    /// reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.update_container(7, Some("stopped")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_container(
        &self,
        container_id: i64,
        status: Option<&str>,
    ) -> Result<Value, Error> {
        let mut body = Map::new();
        if let Some(status) = status {
            body.insert("status".to_owned(), Value::String(status.to_owned()));
        }
        self.core
            .patch(record_path(container_id))
            .json(&body)
            .send_value()
            .await
    }

    /// Deletes a container record and stops its Docker container: `DELETE
    /// containers/{id}` — **no trailing slash**. The answer is discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_container(7).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_container(&self, container_id: i64) -> Result<(), Error> {
        self.core.delete(record_path(container_id)).send().await?;
        Ok(())
    }
}

/// `containers/{id}` (no trailing slash).
fn record_path(container_id: i64) -> Result<String, Error> {
    path(["containers", &container_id.to_string()], false)
}
