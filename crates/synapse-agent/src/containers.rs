//! Containers on the agent (the `ContainerClientMixin`): asynchronous builds, Docker
//! containers, and the agent's container records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};
use synapse_models::{ContainerKind, Page};
use synapse_transport::urls::path;
use synapse_transport::{
    Call, CallInfo, Error, FileRange, Multipart, Operation, RequestBuilder, Response, fluent,
    fluent_list, operation, python_json,
};
use tokio::time::Instant;

use crate::AgentClient;
use crate::models::{
    BuildOutcome, BuildState, BuildStatus, ContainerBuildRef, CreateContainerRequest,
    CreateDockerContainerRequest, PluginReleaseRef,
};
use crate::system::{DEFAULT_POLL_INTERVAL, wait_setters};

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

/// The multipart body of `create_container` with a plugin file: the fields as text parts
/// (`null`s dropped, one part per array item), then the archive, streamed from disk.
fn container_form(fields: Vec<(&'static str, Value)>, file: &Path) -> Result<Multipart, Error> {
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
    Ok(form.file("file", filename, range))
}

/// `containers/{id}` (no trailing slash).
fn record_path(container_id: i64) -> Result<String, Error> {
    path(["containers", &container_id.to_string()], false)
}

/// `containers/docker/{id}` (no trailing slash) with no `tail`, else
/// `containers/docker/{id}/{tail}/`.
fn docker_path(container_id: &str, tail: Option<&str>) -> Result<String, Error> {
    match tail {
        None => path(["containers", "docker", container_id], false),
        Some(tail) => path(["containers", "docker", container_id, tail], true),
    }
}

/// The setters of the container body, shared by [`CreateContainer`] and
/// [`CreateContainerAndWait`] (a `request: CreateContainerRequest` field).
macro_rules! create_container_setters {
    () => {
        /// The whole request at once (replaces every field set so far).
        pub fn body(mut self, request: CreateContainerRequest) -> Self {
            self.request = request;
            self
        }

        /// The release to serve: `"yolov8@1.0.0"` (sent as `plugin_release`, then `plugin`
        /// and `version` split at the last `@`) or [`ReleaseFields`](crate::ReleaseFields).
        pub fn plugin_release(mut self, release: impl Into<PluginReleaseRef>) -> Self {
            self.request.plugin_release = Some(release.into());
            self
        }

        /// A packaged plugin release to upload (it must contain
        /// `plugin/gradio_interface.py`): the body becomes `multipart/form-data`, the archive
        /// streamed from disk.
        pub fn plugin_file(mut self, plugin_file: impl Into<PathBuf>) -> Self {
            self.request.plugin_file = Some(plugin_file.into());
            self
        }

        /// Model id associated with the container.
        pub fn model(mut self, model: i64) -> Self {
            self.request.model = Some(model);
            self
        }

        /// Parameters forwarded to `plugin/gradio_interface.py` (`{}` is sent).
        pub fn params(mut self, params: Map<String, Value>) -> Self {
            self.request.params = Some(params);
            self
        }

        /// Environment variables of the container (sent only when non-empty).
        pub fn envs(mut self, envs: BTreeMap<String, String>) -> Self {
            self.request.envs = envs;
            self
        }

        /// Metadata stored with the record (sent only when non-empty).
        pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
            self.request.metadata = metadata;
            self
        }

        /// Labels (sent only when non-empty).
        pub fn labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
            self.request.labels = labels.into_iter().map(Into::into).collect();
            self
        }

        /// Container kind (the agent defaults to `plugin_runtime`; an empty kind is not
        /// sent).
        pub fn kind(mut self, kind: ContainerKind) -> Self {
            self.request.kind = Some(kind);
            self
        }

        /// Id of the backend's container record, for back-reference (`0` is sent).
        pub fn backend_container_id(mut self, id: i64) -> Self {
            self.request.backend_container_id = Some(id);
            self
        }
    };
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
    pub fn get_build_status(&self, build_id: &str) -> GetBuildStatus {
        GetBuildStatus {
            call: Call::new(self.core.clone()),
            build_id: build_id.to_owned(),
        }
    }

    /// Polls [`AgentClient::get_build_status`] every poll interval until the build ends or
    /// the timeout passes (defaults [`DEFAULT_BUILD_TIMEOUT`] and
    /// [`DEFAULT_POLL_INTERVAL`]; the deadline is checked before each poll, as the Python
    /// SDK does). `completed` gives its `result` (`{}` when absent); `failed` and
    /// `cancelled` give the status with its `error`; an HTTP failure while polling is the
    /// `Err`.
    ///
    /// The Python SDK raises `RuntimeError`/`TimeoutError` for the last two outcomes; here
    /// they are [`BuildOutcome`] values, so one `match` covers them.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// use synapse_agent::BuildOutcome;
    /// match agent.wait_for_build("b-123").timeout(Duration::from_secs(600)).await? {
    ///     BuildOutcome::Completed(info) => println!("serving at {}", info["endpoint"]),
    ///     BuildOutcome::Failed(status) => eprintln!("build failed: {}", status.error_message()),
    ///     BuildOutcome::TimedOut(_) => eprintln!("still building"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_for_build(&self, build_id: &str) -> WaitForBuild {
        WaitForBuild {
            agent: self.clone(),
            build_id: build_id.to_owned(),
            timeout: DEFAULT_BUILD_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// Every Docker container on the agent's host: `GET containers/docker/` (a bare array
    /// of untyped records).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let containers = agent.list_docker_containers().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_docker_containers(&self) -> ListDockerContainers {
        ListDockerContainers {
            call: Call::new(self.core.clone()),
        }
    }

    /// One Docker container: `GET containers/docker/{container_id}` — **no trailing slash**;
    /// untyped.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let container = agent.get_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_docker_container(&self, container_id: &str) -> GetDockerContainer {
        GetDockerContainer {
            call: Call::new(self.core.clone()),
            container_id: container_id.to_owned(),
        }
    }

    /// Builds and runs a Docker container for `plugin_release` (`code@version`): `POST
    /// containers/docker/` with `plugin_release` first, then each field set (empty objects
    /// and lists are sent). Answers the container, untyped. Never replayed once it may have
    /// reached the agent (a replay builds a second container).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let container = agent
    ///     .create_docker_container("yolov8@1.0.0")
    ///     .envs([("A".to_owned(), "1".to_owned())].into())
    ///     .labels(["x"])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create_docker_container(
        &self,
        plugin_release: impl Into<String>,
    ) -> CreateDockerContainer {
        CreateDockerContainer {
            call: Call::new(self.core.clone()),
            body: CreateDockerContainerRequest::new(plugin_release),
        }
    }

    /// Stops and removes a Docker container: `DELETE containers/docker/{container_id}` —
    /// **no trailing slash**. The answer is discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_docker_container(&self, container_id: &str) -> DeleteDockerContainer {
        DeleteDockerContainer {
            call: Call::new(self.core.clone()),
            container_id: container_id.to_owned(),
        }
    }

    /// Stops a Docker container and keeps it (resume with
    /// [`AgentClient::start_docker_container`]): `POST containers/docker/{id}/stop/`, no
    /// body; the answer untyped. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.stop_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub fn stop_docker_container(&self, container_id: &str) -> StopDockerContainer {
        StopDockerContainer {
            call: Call::new(self.core.clone()),
            container_id: container_id.to_owned(),
        }
    }

    /// Starts a stopped Docker container: `POST containers/docker/{id}/start/`, no body;
    /// the answer untyped. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.start_docker_container("3f2a9c").await?;
    /// # Ok(()) }
    /// ```
    pub fn start_docker_container(&self, container_id: &str) -> StartDockerContainer {
        StartDockerContainer {
            call: Call::new(self.core.clone()),
            container_id: container_id.to_owned(),
        }
    }

    /// Starts building a container that serves a plugin's Gradio interface: `POST
    /// containers/`, JSON — or multipart with the archive streamed from disk when
    /// `.plugin_file(…)` is set (see [`CreateContainerRequest`] for the fields and their
    /// order). Answers the build reference at once (the Python SDK's `wait=False`); see
    /// [`AgentClient::create_container_and_wait`].
    ///
    /// It needs `.plugin_release(…)` or `.plugin_file(…)`: a call with neither, or with a
    /// file that cannot be read, fails before anything is sent. Never replayed once it may
    /// have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let build = agent.create_container().plugin_release("yolov8@1.0.0").model(3).await?;
    /// println!("{:?} (log: {:?})", build.build_id, build.sse_url);
    /// let uploaded = agent.create_container().plugin_file("yolov8-1.0.0.zip").await?;
    /// # Ok(()) }
    /// ```
    pub fn create_container(&self) -> CreateContainer {
        CreateContainer {
            call: Call::new(self.core.clone()),
            request: CreateContainerRequest::default(),
        }
    }

    /// [`AgentClient::create_container`], then [`AgentClient::wait_for_build`] on its build
    /// (the Python SDK's default `wait=True`; deadline [`DEFAULT_BUILD_TIMEOUT`], a poll
    /// every [`DEFAULT_POLL_INTERVAL`], unless set). An agent answering without a
    /// `build_id` has answered synchronously: its answer is returned as
    /// [`BuildOutcome::Completed`].
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// use synapse_agent::BuildOutcome;
    /// let outcome = agent
    ///     .create_container_and_wait()
    ///     .plugin_release("yolov8@1.0.0")
    ///     .timeout(Duration::from_secs(600))
    ///     .await?;
    /// if let BuildOutcome::Completed(info) = outcome {
    ///     println!("{}", info["endpoint"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn create_container_and_wait(&self) -> CreateContainerAndWait {
        CreateContainerAndWait {
            agent: self.clone(),
            request: CreateContainerRequest::default(),
            timeout: DEFAULT_BUILD_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// The agent's container records: `GET containers/`. Awaiting it gives one page with
    /// the filters set and no `page_size` unless one is set; `.items()` walks every page
    /// (`page_size=100` unless set; `next` links followed on the agent's origin only),
    /// `.pages()` yields them whole. Records are untyped.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use futures_util::TryStreamExt;
    /// let page = agent.list_containers().status("running").await?;
    /// println!("{} running", page.total());
    /// let all: Vec<serde_json::Value> = agent.list_containers().items().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_containers(&self) -> ListContainers {
        ListContainers {
            call: Call::new(self.core.clone()),
            filters: Vec::new(),
        }
    }

    /// One container record: `GET containers/{id}` — **no trailing slash**; untyped.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let record = agent.get_container(7).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_container(&self, container_id: i64) -> GetContainer {
        GetContainer {
            call: Call::new(self.core.clone()),
            container_id,
        }
    }

    /// Updates a container record: `PATCH containers/{id}` — **no trailing slash** — with
    /// `{"status": …}` when `.status(…)` is set, else `{}`; the answer untyped. Not
    /// replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.update_container(7).status("stopped").await?;
    /// # Ok(()) }
    /// ```
    pub fn update_container(&self, container_id: i64) -> UpdateContainer {
        UpdateContainer {
            call: Call::new(self.core.clone()),
            container_id,
            status: None,
        }
    }

    /// Deletes a container record and stops its Docker container: `DELETE
    /// containers/{id}` — **no trailing slash**. The answer is discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_container(7).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_container(&self, container_id: i64) -> DeleteContainer {
        DeleteContainer {
            call: Call::new(self.core.clone()),
            container_id,
        }
    }
}

/// [`AgentClient::get_build_status`]: `GET builds/{build_id}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetBuildStatus {
    call: Call,
    build_id: String,
}

impl Operation for GetBuildStatus {
    type Output = BuildStatus;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(path(["builds", self.build_id.as_str()], true))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<BuildStatus, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetBuildStatus);

/// [`AgentClient::wait_for_build`]: polls `GET builds/{build_id}/` until the build ends or
/// the deadline passes.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct WaitForBuild {
    agent: AgentClient,
    build_id: String,
    timeout: Duration,
    poll_interval: Duration,
}

impl WaitForBuild {
    wait_setters!(DEFAULT_BUILD_TIMEOUT);

    /// Runs the call; awaiting the builder does the same.
    pub async fn send(self) -> Result<BuildOutcome, Error> {
        let start = Instant::now();
        let mut last = None;
        loop {
            if start.elapsed() > self.timeout {
                return Ok(BuildOutcome::TimedOut(last));
            }
            let status = self.agent.get_build_status(&self.build_id).await?;
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
            tokio::time::sleep(self.poll_interval).await;
        }
    }
}

synapse_transport::awaitable!(WaitForBuild => Result<BuildOutcome, Error>);

/// [`AgentClient::list_docker_containers`]: `GET containers/docker/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListDockerContainers {
    call: Call,
}

impl Operation for ListDockerContainers {
    type Output = Vec<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("containers/docker/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Vec<Value>, Error> {
        operation::json(response, call).await
    }
}
fluent!(ListDockerContainers);

/// [`AgentClient::get_docker_container`]: `GET containers/docker/{container_id}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetDockerContainer {
    call: Call,
    container_id: String,
}

impl Operation for GetDockerContainer {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(docker_path(&self.container_id, None))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetDockerContainer);

/// [`AgentClient::create_docker_container`]: `POST containers/docker/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateDockerContainer {
    call: Call,
    body: CreateDockerContainerRequest,
}

impl CreateDockerContainer {
    /// The whole request at once (replaces the release and every field set so far).
    pub fn body(mut self, body: CreateDockerContainerRequest) -> Self {
        self.body = body;
        self
    }

    /// Parameters forwarded to the plugin (`{}` is sent).
    pub fn params(mut self, params: Map<String, Value>) -> Self {
        self.body.params = Some(params);
        self
    }

    /// Environment variables of the container (`{}` is sent).
    pub fn envs(mut self, envs: BTreeMap<String, String>) -> Self {
        self.body.envs = Some(envs);
        self
    }

    /// Metadata stored with the container record (`{}` is sent).
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Labels for display or filtering (`[]` is sent).
    pub fn labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.body.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }
}

impl Operation for CreateDockerContainer {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("containers/docker/")
            .json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(CreateDockerContainer);

/// [`AgentClient::delete_docker_container`]: `DELETE containers/docker/{container_id}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct DeleteDockerContainer {
    call: Call,
    container_id: String,
}

impl Operation for DeleteDockerContainer {
    type Output = ();
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .delete(docker_path(&self.container_id, None))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<(), Error> {
        operation::unit(response, call).await
    }
}
fluent!(DeleteDockerContainer);

/// [`AgentClient::stop_docker_container`]: `POST containers/docker/{id}/stop/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct StopDockerContainer {
    call: Call,
    container_id: String,
}

impl Operation for StopDockerContainer {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post(docker_path(&self.container_id, Some("stop")))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(StopDockerContainer);

/// [`AgentClient::start_docker_container`]: `POST containers/docker/{id}/start/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct StartDockerContainer {
    call: Call,
    container_id: String,
}

impl Operation for StartDockerContainer {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post(docker_path(&self.container_id, Some("start")))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(StartDockerContainer);

/// [`AgentClient::create_container`]: `POST containers/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateContainer {
    call: Call,
    request: CreateContainerRequest,
}

impl CreateContainer {
    create_container_setters!();
}

impl Operation for CreateContainer {
    type Output = ContainerBuildRef;
    fn prepare(&self) -> RequestBuilder {
        let builder = self.call.client().post("containers/");
        let request = &self.request;
        if !request.has_release() && request.plugin_file.is_none() {
            return builder.validated(Err(Error::invalid_input(
                "create_container needs a plugin release or a plugin file",
            )));
        }
        let fields = request.fields();
        match &request.plugin_file {
            None => builder.json(
                &fields
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>(),
            ),
            Some(file) => match container_form(fields, file) {
                Ok(form) => builder.multipart(form),
                Err(e) => builder.validated(Err(e)),
            },
        }
    }
    async fn decode(response: Response, call: CallInfo) -> Result<ContainerBuildRef, Error> {
        operation::json(response, call).await
    }
}
fluent!(CreateContainer);

/// [`AgentClient::create_container_and_wait`]: `POST containers/`, then waits for the
/// build.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateContainerAndWait {
    agent: AgentClient,
    request: CreateContainerRequest,
    timeout: Duration,
    poll_interval: Duration,
}

impl CreateContainerAndWait {
    create_container_setters!();
    wait_setters!(DEFAULT_BUILD_TIMEOUT);

    /// Runs the call; awaiting the builder does the same.
    pub async fn send(self) -> Result<BuildOutcome, Error> {
        let build = self.agent.create_container().body(self.request).await?;
        match &build.build_id {
            Some(id) => {
                self.agent
                    .wait_for_build(&id.to_string())
                    .timeout(self.timeout)
                    .poll_interval(self.poll_interval)
                    .await
            }
            None => Ok(BuildOutcome::Completed(
                serde_json::to_value(&build).unwrap_or(Value::Null),
            )),
        }
    }
}

synapse_transport::awaitable!(CreateContainerAndWait => Result<BuildOutcome, Error>);

/// [`AgentClient::list_containers`]: `GET containers/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListContainers {
    call: Call,
    filters: Vec<(String, String)>,
}

impl ListContainers {
    /// Only the records in this status (`status=running`).
    pub fn status(mut self, status: &str) -> Self {
        self.filters.push(("status".to_owned(), status.to_owned()));
        self
    }
}

impl Operation for ListContainers {
    type Output = Page<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("containers/")
            .query_pairs(self.filters.clone())
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Page<Value>, Error> {
        operation::json(response, call).await
    }
}
fluent_list!(ListContainers, Value);

/// [`AgentClient::get_container`]: `GET containers/{id}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetContainer {
    call: Call,
    container_id: i64,
}

impl Operation for GetContainer {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get(record_path(self.container_id))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetContainer);

/// [`AgentClient::update_container`]: `PATCH containers/{id}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdateContainer {
    call: Call,
    container_id: i64,
    status: Option<String>,
}

impl UpdateContainer {
    /// The new status (`{"status": …}`; without it the body is `{}`).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }
}

impl Operation for UpdateContainer {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        let mut body = Map::new();
        if let Some(status) = &self.status {
            body.insert("status".to_owned(), Value::String(status.clone()));
        }
        self.call
            .client()
            .patch(record_path(self.container_id))
            .json(&body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(UpdateContainer);

/// [`AgentClient::delete_container`]: `DELETE containers/{id}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct DeleteContainer {
    call: Call,
    container_id: i64,
}

impl Operation for DeleteContainer {
    type Output = ();
    fn prepare(&self) -> RequestBuilder {
        self.call.client().delete(record_path(self.container_id))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<(), Error> {
        operation::unit(response, call).await
    }
}
fluent!(DeleteContainer);
