//! Plugin releases on the agent (seed 003, the `PluginClientMixin`): list, get, cache
//! (create), delete, run and debug-run.

use std::time::Duration;

use serde_json::Value;
use synapse_models::{
    CreatePluginReleaseRequest, ModelError, Page, PluginRelease, PluginReleaseId, ReleaseLookup,
    RunDebugPluginReleaseRequest, RunPluginReleaseRequest,
};
use synapse_transport::urls::path;
use synapse_transport::{Error, PageStream, ReadTimeout, RequestBuilder};

use crate::AgentClient;
use crate::query::{Query, query};

/// Anything that names a release on the agent: a [`ReleaseLookup`], a release id, or a
/// string parsed as a lookup (`"yolov8@1.0.0"` or `"123"`).
///
/// A malformed string — empty, an empty code (`@1.0`), a missing version (`yolov8@`), more
/// than one `@` (`a@b@c`), or neither `code@version` nor digits — is an
/// [`Error::InvalidInput`] and nothing is sent.
pub trait IntoReleaseLookup {
    /// The lookup, or why the input is not one.
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error>;
}

impl IntoReleaseLookup for ReleaseLookup {
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error> {
        Ok(self)
    }
}

impl IntoReleaseLookup for &ReleaseLookup {
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error> {
        Ok(self.clone())
    }
}

impl IntoReleaseLookup for &str {
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error> {
        self.parse::<ReleaseLookup>()
            .map_err(|e| Error::from(ModelError::from(e)))
    }
}

impl IntoReleaseLookup for &String {
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error> {
        self.as_str().into_release_lookup()
    }
}

impl IntoReleaseLookup for String {
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error> {
        self.as_str().into_release_lookup()
    }
}

impl IntoReleaseLookup for PluginReleaseId {
    fn into_release_lookup(self) -> Result<ReleaseLookup, Error> {
        Ok(ReleaseLookup::from(self))
    }
}

/// Per-call options of the run endpoints (the Python SDK's `timeout=` argument).
///
/// ```
/// use std::time::Duration;
/// let opts = synapse_agent::RunOptions::new().read_timeout(Duration::from_secs(120));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    read_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
}

impl RunOptions {
    /// No overrides: the client's timeouts apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read timeout of this one call (synchronous Serve inference can outlast the client's
    /// 10 s default).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Connect timeout of this one call (with [`RunOptions::read_timeout`], Python's
    /// `timeout=(connect, read)`).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    pub(crate) fn apply(self, request: RequestBuilder) -> RequestBuilder {
        let request = match self.read_timeout {
            Some(d) => request.read_timeout(ReadTimeout::After(d)),
            None => request,
        };
        match self.connect_timeout {
            Some(d) => request.connect_timeout(d),
            None => request,
        }
    }
}

/// The path of one release: `plugin_releases/{lookup}` with **no** trailing slash, the
/// lookup encoded as one path segment (`yolov8@1.0.0` is unchanged).
fn release_path(lookup: &ReleaseLookup) -> Result<String, Error> {
    path(["plugin_releases", lookup.as_str()], false)
}

impl AgentClient {
    /// One page of the releases cached on the agent: `GET plugin_releases/` with the
    /// caller's query only (no `page_size`), the page returned as the agent sent it.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let page = agent.list_plugin_releases(&[("plugin", "yolov8")]).await?;
    /// for r in &page.results {
    ///     println!("{:?}@{:?}", r.plugin_code(), r.version);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_plugin_releases(
        &self,
        params: Query<'_>,
    ) -> Result<Page<PluginRelease>, Error> {
        self.core.page("plugin_releases/", &query(params)).await
    }

    /// Every cached release as a lazy stream (the Python SDK's `list_all=True`): the caller's
    /// query plus `page_size=100` (unless given) on the first request, then each `next` link
    /// on the agent's origin (the Python SDK follows any host, credentials included).
    /// [`PageStream::total`] gives the count of page 1.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use futures_util::StreamExt;
    /// let mut releases = agent.list_plugin_releases_all(&[]);
    /// println!("{} releases", releases.total().await?);
    /// while let Some(release) = releases.next().await {
    ///     println!("{:?}", release?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_plugin_releases_all(&self, params: Query<'_>) -> PageStream<PluginRelease> {
        self.core.paginate("plugin_releases/", query(params))
    }

    /// One cached release: `GET plugin_releases/{lookup}` — **no trailing slash** and no
    /// query (unlike the backend's lookup endpoint, which adds both).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let release = agent.get_plugin_release("yolov8@1.0.0").await?;
    /// let same = agent.get_plugin_release("123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_plugin_release(
        &self,
        lookup: impl IntoReleaseLookup,
    ) -> Result<PluginRelease, Error> {
        let lookup = lookup.into_release_lookup()?;
        self.core.get(release_path(&lookup)).send_json().await
    }

    /// Fetches a release from the backend and caches it on the agent: `POST
    /// plugin_releases/` with exactly `{"plugin": <code>, "version": <version>}` (no
    /// `debug` key, unlike the backend's method of the same name). Returns the cached
    /// release.
    ///
    /// Never replayed once it may have reached the agent (the Python SDK re-sends it on
    /// 502/503/504); only a request that provably never left (DNS failure, refused
    /// connection, connect timeout) is retried.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let release = agent.create_plugin_release("yolov8", "1.0.0").await?;
    /// println!("cached as {:?}", release.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_plugin_release(
        &self,
        plugin: &str,
        version: &str,
    ) -> Result<PluginRelease, Error> {
        let body = CreatePluginReleaseRequest {
            plugin: plugin.to_owned(),
            version: version.to_owned(),
        };
        self.core
            .post("plugin_releases/")
            .json(&body)
            .send_json()
            .await
    }

    /// Removes a cached release: `DELETE plugin_releases/{lookup}` — **no trailing slash**,
    /// no body. The answer is discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_plugin_release("yolov8@1.0.0").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_plugin_release(&self, lookup: impl IntoReleaseLookup) -> Result<(), Error> {
        let lookup = lookup.into_release_lookup()?;
        self.core.delete(release_path(&lookup)).send().await?;
        Ok(())
    }

    /// Runs an action of a cached release: `POST plugin_releases/{lookup}/run/` with
    /// `{"action", "params"?, "requirements"?, "job_id"?, "language"?}` — absent fields
    /// omitted, no default injected (the backend's `run_plugin` adds `"language": "ko"`;
    /// this does not). Returns the agent's answer untyped: a job reference or the action's
    /// direct result.
    ///
    /// Differences from the Python SDK, on purpose: `action` is required (an empty action is
    /// an [`Error::InvalidInput`]; Python sends `{"action": null}` when it is omitted), and
    /// the call is never replayed once it may have reached the agent (a replay starts a
    /// second job).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::RunPluginReleaseRequest;
    /// let mut run = RunPluginReleaseRequest::new("train");
    /// run.params = serde_json::json!({"epochs": 10}).as_object().cloned();
    /// run.job_id = Some("550e8400-e29b-41d4-a716-446655440000".into());
    /// let answer = agent.run_plugin_release("yolov8@1.0.0", &run).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_plugin_release(
        &self,
        lookup: impl IntoReleaseLookup,
        request: &RunPluginReleaseRequest,
    ) -> Result<Value, Error> {
        self.run_plugin_release_with(lookup, request, RunOptions::default())
            .await
    }

    /// [`AgentClient::run_plugin_release`] with per-call options (a longer read timeout for
    /// synchronous Serve inference).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// use synapse_agent::{RunOptions, RunPluginReleaseRequest};
    /// let opts = RunOptions::new().read_timeout(Duration::from_secs(120));
    /// let answer = agent
    ///     .run_plugin_release_with("yolov8@1.0.0", &RunPluginReleaseRequest::new("inference"), opts)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_plugin_release_with(
        &self,
        lookup: impl IntoReleaseLookup,
        request: &RunPluginReleaseRequest,
        options: RunOptions,
    ) -> Result<Value, Error> {
        let lookup = lookup.into_release_lookup()?;
        if request.action.is_empty() {
            return Err(Error::invalid_input(
                "run_plugin_release needs an action (use run_plugin_release_legacy to send a whole payload)",
            ));
        }
        options
            .apply(self.core.post(run_path(&lookup)))
            .json(request)
            .send_value()
            .await
    }

    /// The legacy form of [`AgentClient::run_plugin_release`] (the Python SDK's `data=`):
    /// `data` is the whole body, sent as is. It must be a JSON object (`{}` included);
    /// anything else is an [`Error::InvalidInput`]. Never replayed, like the typed form.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let data = serde_json::json!({"action": "inference", "params": {"image": "s3://bucket/1.jpg"}});
    /// let answer = agent.run_plugin_release_legacy("yolov8@1.0.0", &data).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_plugin_release_legacy(
        &self,
        lookup: impl IntoReleaseLookup,
        data: &Value,
    ) -> Result<Value, Error> {
        self.run_plugin_release_legacy_with(lookup, data, RunOptions::default())
            .await
    }

    /// [`AgentClient::run_plugin_release_legacy`] with per-call options.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// let data = serde_json::json!({"action": "inference", "params": {}});
    /// let opts = synapse_agent::RunOptions::new().read_timeout(Duration::from_secs(60));
    /// let answer = agent.run_plugin_release_legacy_with("12", &data, opts).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_plugin_release_legacy_with(
        &self,
        lookup: impl IntoReleaseLookup,
        data: &Value,
        options: RunOptions,
    ) -> Result<Value, Error> {
        let lookup = lookup.into_release_lookup()?;
        if !data.is_object() {
            return Err(Error::invalid_input(
                "the legacy run payload must be a JSON object",
            ));
        }
        options
            .apply(self.core.post(run_path(&lookup)))
            .json(data)
            .send_value()
            .await
    }

    /// Runs a plugin from source, without a release: `POST plugin_releases/run_debug/` with
    /// `{"action", "params"?, "plugin_path"?, "config"?, "modules"?, "requirements"?,
    /// "job_id"?, "language"?}` (absent fields omitted; `modules` maps module names to source
    /// text, sent verbatim). An empty action is an [`Error::InvalidInput`]. Never replayed
    /// once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::RunDebugPluginReleaseRequest;
    /// let mut run = RunDebugPluginReleaseRequest::new("train");
    /// run.plugin_path = Some("/srv/plugins/yolov8".into());
    /// let answer = agent.run_debug_plugin_release(&run).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_debug_plugin_release(
        &self,
        request: &RunDebugPluginReleaseRequest,
    ) -> Result<Value, Error> {
        self.run_debug_plugin_release_with(request, RunOptions::default())
            .await
    }

    /// [`AgentClient::run_debug_plugin_release`] with per-call options.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// use synapse_agent::{RunDebugPluginReleaseRequest, RunOptions};
    /// let opts = RunOptions::new().read_timeout(Duration::from_secs(300));
    /// let answer = agent
    ///     .run_debug_plugin_release_with(&RunDebugPluginReleaseRequest::new("train"), opts)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_debug_plugin_release_with(
        &self,
        request: &RunDebugPluginReleaseRequest,
        options: RunOptions,
    ) -> Result<Value, Error> {
        if request.action.is_empty() {
            return Err(Error::invalid_input(
                "run_debug_plugin_release needs an action",
            ));
        }
        options
            .apply(self.core.post("plugin_releases/run_debug/"))
            .json(request)
            .send_value()
            .await
    }
}

/// `plugin_releases/{lookup}/run/` (with the trailing slash).
fn run_path(lookup: &ReleaseLookup) -> Result<String, Error> {
    path(["plugin_releases", lookup.as_str(), "run"], true)
}
