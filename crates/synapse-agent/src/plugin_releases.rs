//! Plugin releases on the agent (the Python SDK's `PluginClientMixin`): list, get, cache
//! (create), delete, run and debug-run.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use synapse_models::{
    CreatePluginReleaseRequest, ModelError, Page, PluginRelease, PluginReleaseId, ReleaseLookup,
    ReleaseLookupError, RunDebugPluginReleaseRequest, RunPluginReleaseRequest,
};
use synapse_transport::urls::path;
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, fluent_list, operation,
};

use crate::AgentClient;
use crate::models::PluginRun;

/// Anything that names a release on the agent: a [`ReleaseLookup`], a release id, or a
/// string parsed as a lookup (`"yolov8@1.0.0"` or `"123"`).
///
/// A malformed string — empty, an empty code (`@1.0`), a missing version (`yolov8@`), more
/// than one `@` (`a@b@c`), or neither `code@version` nor digits — makes the call fail with
/// [`Error::InvalidInput`] before anything is sent.
pub trait IntoReleaseLookup {
    /// The lookup, or why the input is not one.
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError>;
}

impl IntoReleaseLookup for ReleaseLookup {
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError> {
        Ok(self)
    }
}

impl IntoReleaseLookup for &ReleaseLookup {
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError> {
        Ok(self.clone())
    }
}

impl IntoReleaseLookup for &str {
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError> {
        self.parse::<ReleaseLookup>()
    }
}

impl IntoReleaseLookup for &String {
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError> {
        self.as_str().into_release_lookup()
    }
}

impl IntoReleaseLookup for String {
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError> {
        self.as_str().into_release_lookup()
    }
}

impl IntoReleaseLookup for PluginReleaseId {
    fn into_release_lookup(self) -> Result<ReleaseLookup, ReleaseLookupError> {
        Ok(ReleaseLookup::from(self))
    }
}

/// A release lookup as given, or why it is malformed (reported when the call is built).
type Lookup = Result<ReleaseLookup, ReleaseLookupError>;

/// `plugin_releases/{lookup}` (**no** trailing slash) with no `tail`, else
/// `plugin_releases/{lookup}/{tail}/`; the lookup is one encoded path segment
/// (`yolov8@1.0.0` is unchanged).
fn release_path(lookup: &Lookup, tail: Option<&str>) -> Result<String, Error> {
    let lookup = lookup
        .as_ref()
        .map_err(|e| Error::from(ModelError::from(e.clone())))?;
    match tail {
        None => path(["plugin_releases", lookup.as_str()], false),
        Some(tail) => path(["plugin_releases", lookup.as_str(), tail], true),
    }
}

impl AgentClient {
    /// The releases cached on the agent: `GET plugin_releases/`. Awaiting it gives one
    /// page, with the filters set and no `page_size` unless one is set (as the Python SDK
    /// without `list_all`); `.items()` walks every page (the Python SDK's `list_all=True`:
    /// `page_size=100` unless set, then each `next` link on the agent's origin only — the
    /// Python SDK follows any host, credentials included), `.pages()` yields them whole.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use futures_util::StreamExt;
    /// let page = agent.list_plugin_releases().plugin("yolov8").await?;
    /// for r in &page.results {
    ///     println!("{:?}@{:?}", r.plugin_code(), r.version);
    /// }
    /// let mut releases = agent.list_plugin_releases().items();
    /// println!("{} releases", releases.total().await?);
    /// while let Some(release) = releases.next().await {
    ///     println!("{:?}", release?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_plugin_releases(&self) -> ListPluginReleases {
        ListPluginReleases {
            call: Call::new(self.core.clone()),
            filters: Vec::new(),
        }
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
    pub fn get_plugin_release(&self, lookup: impl IntoReleaseLookup) -> GetPluginRelease {
        GetPluginRelease {
            call: Call::new(self.core.clone()),
            lookup: lookup.into_release_lookup(),
        }
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
    pub fn create_plugin_release(&self, plugin: &str, version: &str) -> CreatePluginRelease {
        CreatePluginRelease {
            call: Call::new(self.core.clone()),
            body: CreatePluginReleaseRequest {
                plugin: plugin.to_owned(),
                version: version.to_owned(),
            },
        }
    }

    /// Removes a cached release: `DELETE plugin_releases/{lookup}` — **no trailing slash**,
    /// no body. The answer is discarded.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// agent.delete_plugin_release("yolov8@1.0.0").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_plugin_release(&self, lookup: impl IntoReleaseLookup) -> DeletePluginRelease {
        DeletePluginRelease {
            call: Call::new(self.core.clone()),
            lookup: lookup.into_release_lookup(),
        }
    }

    /// Runs `action` of a cached release: `POST plugin_releases/{lookup}/run/` with
    /// `{"action", "params"?, "requirements"?, "job_id"?, "language"?}` — the fields set,
    /// in that order, no default injected (the backend's `run_plugin` adds `"language":
    /// "ko"`; this does not). The answer is a [`PluginRun`]: a reference to the job the
    /// agent started, or the action's direct result.
    ///
    /// A longer read timeout for synchronous Serve inference is the call's
    /// `.read_timeout(…)` (the Python SDK's `timeout=`). For the legacy form, a whole
    /// payload sent as is, see [`AgentClient::run_plugin_release_legacy`].
    ///
    /// Differences from the Python SDK, on purpose: `action` is required (an empty action is
    /// an [`Error::InvalidInput`]; Python sends `{"action": null}` when it is omitted), and
    /// the call is never replayed once it may have reached the agent (a replay starts a
    /// second job).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// let params = serde_json::json!({"epochs": 10});
    /// let answer = agent
    ///     .run_plugin_release("yolov8@1.0.0", "train")
    ///     .params(params.as_object().cloned().unwrap_or_default())
    ///     .job_id("550e8400-e29b-41d4-a716-446655440000")
    ///     .await?;
    /// if let Some(job_id) = answer.job_id() {
    ///     println!("started {job_id}");
    /// }
    /// let inference = agent
    ///     .run_plugin_release("yolov8@1.0.0", "inference")
    ///     .read_timeout(Duration::from_secs(120))
    ///     .await?;
    /// println!("{:?}", inference.direct());
    /// # Ok(()) }
    /// ```
    pub fn run_plugin_release(
        &self,
        lookup: impl IntoReleaseLookup,
        action: impl Into<String>,
    ) -> RunPluginRelease {
        RunPluginRelease {
            call: Call::new(self.core.clone()),
            lookup: lookup.into_release_lookup(),
            body: RunPluginReleaseRequest::new(action),
        }
    }

    /// The legacy form of [`AgentClient::run_plugin_release`] (the Python SDK's `data=`):
    /// `data` is the whole body of `POST plugin_releases/{lookup}/run/`, sent as is, in its
    /// key order. It must be a JSON object (`{}` included); anything else is an
    /// [`Error::InvalidInput`]. The answer, per-call options and the no-replay rule are
    /// those of the typed form.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let data = serde_json::json!({"action": "inference", "params": {"image": "s3://bucket/1.jpg"}});
    /// let answer = agent.run_plugin_release_legacy("yolov8@1.0.0", data).await?;
    /// # Ok(()) }
    /// ```
    pub fn run_plugin_release_legacy(
        &self,
        lookup: impl IntoReleaseLookup,
        data: Value,
    ) -> RunPluginReleaseLegacy {
        RunPluginReleaseLegacy {
            call: Call::new(self.core.clone()),
            lookup: lookup.into_release_lookup(),
            data,
        }
    }

    /// Runs `action` of a plugin from source, without a release: `POST
    /// plugin_releases/run_debug/` with `{"action", "params"?, "plugin_path"?, "config"?,
    /// "modules"?, "requirements"?, "job_id"?, "language"?}` (the fields set, in that
    /// order; `modules` maps module names to source text, sent verbatim). An empty action is
    /// an [`Error::InvalidInput`]. Answers a [`PluginRun`]; never replayed once it may have
    /// reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let answer = agent
    ///     .run_debug_plugin_release("train")
    ///     .plugin_path("/srv/plugins/yolov8")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn run_debug_plugin_release(&self, action: impl Into<String>) -> RunDebugPluginRelease {
        RunDebugPluginRelease {
            call: Call::new(self.core.clone()),
            body: RunDebugPluginReleaseRequest::new(action),
        }
    }
}

/// [`AgentClient::list_plugin_releases`]: `GET plugin_releases/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListPluginReleases {
    call: Call,
    filters: Vec<(String, String)>,
}

impl ListPluginReleases {
    /// Only the releases of this plugin, by code (`plugin=yolov8`).
    pub fn plugin(mut self, code: &str) -> Self {
        self.filters.push(("plugin".to_owned(), code.to_owned()));
        self
    }
}

impl Operation for ListPluginReleases {
    type Output = Page<PluginRelease>;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("plugin_releases/")
            .query_pairs(self.filters.clone())
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent_list!(ListPluginReleases, PluginRelease);

/// [`AgentClient::get_plugin_release`]: `GET plugin_releases/{lookup}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetPluginRelease {
    call: Call,
    lookup: Lookup,
}

impl Operation for GetPluginRelease {
    type Output = PluginRelease;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get(release_path(&self.lookup, None))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetPluginRelease);

/// [`AgentClient::create_plugin_release`]: `POST plugin_releases/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreatePluginRelease {
    call: Call,
    body: CreatePluginReleaseRequest,
}

impl Operation for CreatePluginRelease {
    type Output = PluginRelease;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("plugin_releases/").json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(CreatePluginRelease);

/// [`AgentClient::delete_plugin_release`]: `DELETE plugin_releases/{lookup}`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct DeletePluginRelease {
    call: Call,
    lookup: Lookup,
}

impl Operation for DeletePluginRelease {
    type Output = ();
    fn prepare(&self) -> RequestBuilder {
        self.call.client().delete(release_path(&self.lookup, None))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<(), Error> {
        operation::unit(response, call).await
    }
}
fluent!(DeletePluginRelease);

/// Decodes a run's answer: JSON (else the text, `null` for 204), classified as a
/// [`PluginRun`].
async fn plugin_run(response: Response, call: CallInfo) -> Result<PluginRun, Error> {
    operation::value(response, call)
        .await
        .map(PluginRun::from_value)
}

/// The setters a plugin run and a debug run share: the whole body, the action's parameters,
/// requirements, the backend job and the language.
macro_rules! run_setters {
    ($op:ident, $body:ty) => {
        impl $op {
            /// The whole request at once (replaces the action and every field set so far).
            pub fn body(mut self, body: $body) -> Self {
                self.body = body;
                self
            }

            /// The action's parameters (`{}` is sent).
            pub fn params(mut self, params: Map<String, Value>) -> Self {
                self.body.params = Some(params);
                self
            }

            /// Python requirements (pip specs) to install before the run.
            pub fn requirements<S: Into<String>>(
                mut self,
                requirements: impl IntoIterator<Item = S>,
            ) -> Self {
                self.body.requirements = Some(requirements.into_iter().map(Into::into).collect());
                self
            }

            /// The backend job this run reports to (a UUID).
            pub fn job_id(mut self, job_id: impl Into<String>) -> Self {
                self.body.job_id = Some(job_id.into());
                self
            }

            /// Language of user-facing messages (`en`, `ko`); none is sent unless set.
            pub fn language(mut self, language: impl Into<String>) -> Self {
                self.body.language = Some(language.into());
                self
            }
        }
    };
}

/// [`AgentClient::run_plugin_release`]: `POST plugin_releases/{lookup}/run/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RunPluginRelease {
    call: Call,
    lookup: Lookup,
    body: RunPluginReleaseRequest,
}

run_setters!(RunPluginRelease, RunPluginReleaseRequest);

impl Operation for RunPluginRelease {
    type Output = PluginRun;
    fn prepare(&self) -> RequestBuilder {
        let check = if self.body.action.is_empty() {
            Err(Error::invalid_input(
                "run_plugin_release needs an action (use run_plugin_release_legacy to send a whole payload)",
            ))
        } else {
            Ok(())
        };
        self.call
            .client()
            .post(release_path(&self.lookup, Some("run")))
            .validated(check)
            .json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<PluginRun, Error> {
        plugin_run(response, call).await
    }
}
fluent!(RunPluginRelease);

/// [`AgentClient::run_plugin_release_legacy`]: `POST plugin_releases/{lookup}/run/` with a
/// whole payload.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RunPluginReleaseLegacy {
    call: Call,
    lookup: Lookup,
    data: Value,
}

impl Operation for RunPluginReleaseLegacy {
    type Output = PluginRun;
    fn prepare(&self) -> RequestBuilder {
        let check = if self.data.is_object() {
            Ok(())
        } else {
            Err(Error::invalid_input(
                "the legacy run payload must be a JSON object",
            ))
        };
        self.call
            .client()
            .post(release_path(&self.lookup, Some("run")))
            .validated(check)
            .json(&self.data)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<PluginRun, Error> {
        plugin_run(response, call).await
    }
}
fluent!(RunPluginReleaseLegacy);

/// [`AgentClient::run_debug_plugin_release`]: `POST plugin_releases/run_debug/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RunDebugPluginRelease {
    call: Call,
    body: RunDebugPluginReleaseRequest,
}

run_setters!(RunDebugPluginRelease, RunDebugPluginReleaseRequest);

impl RunDebugPluginRelease {
    /// The plugin's directory on the agent's host.
    pub fn plugin_path(mut self, plugin_path: impl Into<String>) -> Self {
        self.body.plugin_path = Some(plugin_path.into());
        self
    }

    /// A plugin config overriding the one on disk.
    pub fn config(mut self, config: Map<String, Value>) -> Self {
        self.body.config = Some(config);
        self
    }

    /// Module sources: module name → source text, sent verbatim.
    pub fn modules(mut self, modules: BTreeMap<String, String>) -> Self {
        self.body.modules = Some(modules);
        self
    }
}

impl Operation for RunDebugPluginRelease {
    type Output = PluginRun;
    fn prepare(&self) -> RequestBuilder {
        let check = if self.body.action.is_empty() {
            Err(Error::invalid_input(
                "run_debug_plugin_release needs an action",
            ))
        } else {
            Ok(())
        };
        self.call
            .client()
            .post("plugin_releases/run_debug/")
            .validated(check)
            .json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<PluginRun, Error> {
        plugin_run(response, call).await
    }
}
fluent!(RunDebugPluginRelease);
