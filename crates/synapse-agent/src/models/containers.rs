//! Container builds, Docker containers and container records.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use synapse_models::{ContainerKind, IntOrString, ReleaseLookup, open_enum, wire_struct};

open_enum! {
    /// State of an asynchronous container build. Any state other than the three terminal
    /// ones means the build is still running.
    pub enum BuildState (ignore_case) {
        /// The container is built and running; the status carries its info in `result`.
        Completed = "completed",
        /// The build failed; the status carries `error`.
        Failed = "failed",
        /// The build was cancelled.
        Cancelled = "cancelled",
    }
}

impl BuildState {
    /// `true` for `completed`, `failed` and `cancelled`.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            BuildState::Completed | BuildState::Failed | BuildState::Cancelled
        )
    }
}

wire_struct! {
    /// `GET builds/{build_id}/`: the state of a container build.
    pub struct BuildStatus {
        /// The build state.
        pub status: Option<BuildState>,
        /// Container info (`id`, `status`, `endpoint`, …) once `completed`.
        pub result: Option<Value>,
        /// What went wrong, once `failed`.
        pub error: Option<Value>,
    }
}

impl BuildStatus {
    /// The error as text (`"Unknown error"` when absent, as the Python SDK reports it).
    pub fn error_message(&self) -> String {
        match &self.error {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => "Unknown error".to_owned(),
            Some(other) => other.to_string(),
        }
    }
}

/// How waiting for a build ended. HTTP failures while polling are returned as the `Err` of
/// the call instead.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BuildOutcome {
    /// The build completed: its `result` (`{}` when absent) — the container info.
    Completed(Value),
    /// The build ended as `failed` or `cancelled`; see [`BuildStatus::error_message`].
    Failed(BuildStatus),
    /// The deadline passed first; the last status seen, if any.
    TimedOut(Option<BuildStatus>),
}

wire_struct! {
    /// Answer of `POST containers/`: the reference of the asynchronous build. An agent
    /// answering synchronously sends the container info instead: its keys land in `extra`.
    pub struct ContainerBuildRef {
        /// Id to poll with `get_build_status` / `wait_for_build`.
        pub build_id: Option<IntOrString>,
        /// WebSocket URL of the build log.
        pub ws_url: Option<String>,
        /// SSE URL of the build log.
        pub sse_url: Option<String>,
        /// URL of the build status.
        pub status_url: Option<String>,
    }
}

/// Body of `POST containers/docker/`: `plugin_release` first, then each field that is set
/// (empty objects and lists are sent).
///
/// ```
/// let mut req = synapse_agent::CreateDockerContainerRequest::new("yolov8@1.0.0");
/// req.labels = Some(vec!["x".into()]);
/// assert_eq!(
///     serde_json::to_value(&req)?,
///     serde_json::json!({"plugin_release": "yolov8@1.0.0", "labels": ["x"]})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct CreateDockerContainerRequest {
    /// The release, `code@version`.
    pub plugin_release: String,
    /// Parameters forwarded to the plugin.
    pub params: Option<Map<String, Value>>,
    /// Environment variables of the container.
    pub envs: Option<BTreeMap<String, String>>,
    /// Metadata stored with the container record.
    pub metadata: Option<Map<String, Value>>,
    /// Labels for display or filtering.
    pub labels: Option<Vec<String>>,
}

impl CreateDockerContainerRequest {
    /// A container for `plugin_release` (`code@version`), nothing else set.
    pub fn new(plugin_release: impl Into<String>) -> Self {
        CreateDockerContainerRequest {
            plugin_release: plugin_release.into(),
            ..Self::default()
        }
    }
}

/// The release a container serves, as `create_container` sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PluginReleaseRef {
    /// A release string, normally `code@version`: sent as `plugin_release`, followed by
    /// `plugin` and `version` split at the **last** `@` (a string without `@` is sent alone).
    Lookup(String),
    /// Explicit fields (the Python SDK's release-object form).
    Release(ReleaseFields),
}

impl From<&str> for PluginReleaseRef {
    fn from(s: &str) -> Self {
        PluginReleaseRef::Lookup(s.to_owned())
    }
}

impl From<String> for PluginReleaseRef {
    fn from(s: String) -> Self {
        PluginReleaseRef::Lookup(s)
    }
}

impl From<&ReleaseLookup> for PluginReleaseRef {
    fn from(l: &ReleaseLookup) -> Self {
        PluginReleaseRef::Lookup(l.as_str().to_owned())
    }
}

impl From<ReleaseFields> for PluginReleaseRef {
    fn from(f: ReleaseFields) -> Self {
        PluginReleaseRef::Release(f)
    }
}

/// A release named by its fields: sent as `plugin_release` = the plugin **code**, `plugin`
/// (`null` when unset), `version`, then `action` and `entrypoint` when set.
///
/// ```
/// let fields = synapse_agent::ReleaseFields::new("yolov8", "1.0.0")
///     .action("gradio", "plugin.gradio_interface.app");
/// assert_eq!(fields.entrypoint.as_deref(), Some("plugin/gradio_interface.py"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFields {
    /// Plugin code.
    pub code: String,
    /// The release's `plugin` attribute, if any.
    pub plugin: Option<String>,
    /// Version.
    pub version: String,
    /// Action to serve (the Python SDK takes the first action of the release config).
    pub action: Option<String>,
    /// File of the action's entrypoint (`plugin/gradio_interface.py`).
    pub entrypoint: Option<String>,
}

impl ReleaseFields {
    /// `code` at `version`, no plugin, action or entrypoint.
    pub fn new(code: impl Into<String>, version: impl Into<String>) -> Self {
        ReleaseFields {
            code: code.into(),
            plugin: None,
            version: version.into(),
            action: None,
            entrypoint: None,
        }
    }

    /// The `plugin` attribute.
    pub fn plugin(mut self, plugin: impl Into<String>) -> Self {
        self.plugin = Some(plugin.into());
        self
    }

    /// The action and its entrypoint given as in a release config (a dotted path such as
    /// `plugin.gradio_interface.app`): the last part is dropped, dots become `/` and `.py`
    /// is appended (`plugin/gradio_interface.py`), as the Python SDK converts it. Python
    /// picks the config's first action; Rust maps do not keep that order, so the caller
    /// names it.
    pub fn action(mut self, action: impl Into<String>, dotted_entrypoint: &str) -> Self {
        let module = dotted_entrypoint
            .rsplit_once('.')
            .map_or(dotted_entrypoint, |(head, _)| head);
        self.action = Some(action.into());
        self.entrypoint = Some(format!("{}.py", module.replace('.', "/")));
        self
    }
}

/// Body of `POST containers/`: build and run a container serving a plugin's Gradio
/// interface. Needs `plugin_release` or `plugin_file`.
///
/// Sent fields, in order: the release fields (see [`PluginReleaseRef`]); `model` when set;
/// `params` when set (`{}` is sent); `envs`, `metadata`, `labels` only when non-empty;
/// `kind` when set and non-empty; `backend_container_id` when set (`0` is sent). Without a
/// file the body is JSON; with `plugin_file` it is `multipart/form-data`: the same fields as
/// text parts (objects as JSON text, numbers as decimals, one `labels` part per label,
/// `null`s dropped), then the archive as the `file` part, streamed from disk.
///
/// ```
/// use synapse_agent::{ContainerKind, CreateContainerRequest};
/// let mut req = CreateContainerRequest::new("yolov8@1.0.0");
/// req.model = Some(3);
/// req.kind = Some(ContainerKind::CodeServer);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateContainerRequest {
    /// The release to serve.
    pub plugin_release: Option<PluginReleaseRef>,
    /// Model id associated with the container.
    pub model: Option<i64>,
    /// Parameters forwarded to `plugin/gradio_interface.py`.
    pub params: Option<Map<String, Value>>,
    /// Environment variables (sent only when non-empty).
    pub envs: BTreeMap<String, String>,
    /// Metadata stored with the record (sent only when non-empty).
    pub metadata: Map<String, Value>,
    /// Labels (sent only when non-empty).
    pub labels: Vec<String>,
    /// Container kind (the agent defaults to `plugin_runtime`).
    pub kind: Option<ContainerKind>,
    /// Id of the backend's container record, for back-reference.
    pub backend_container_id: Option<i64>,
    /// A packaged plugin release to upload (it must contain `plugin/gradio_interface.py`).
    pub plugin_file: Option<PathBuf>,
}

impl CreateContainerRequest {
    /// A container for `plugin_release` (`"yolov8@1.0.0"`, or [`ReleaseFields`]).
    pub fn new(plugin_release: impl Into<PluginReleaseRef>) -> Self {
        CreateContainerRequest {
            plugin_release: Some(plugin_release.into()),
            ..Self::default()
        }
    }

    /// A container for an uploaded plugin archive.
    pub fn from_file(plugin_file: impl Into<PathBuf>) -> Self {
        CreateContainerRequest {
            plugin_file: Some(plugin_file.into()),
            ..Self::default()
        }
    }

    /// The body fields in wire order (`null` values included; multipart drops them).
    pub(crate) fn fields(&self) -> Vec<(&'static str, Value)> {
        let mut out: Vec<(&'static str, Value)> = Vec::new();
        match &self.plugin_release {
            Some(PluginReleaseRef::Lookup(s)) if !s.is_empty() => {
                out.push(("plugin_release", Value::String(s.clone())));
                if let Some((plugin, version)) = s.rsplit_once('@') {
                    out.push(("plugin", Value::String(plugin.to_owned())));
                    out.push(("version", Value::String(version.to_owned())));
                }
            }
            Some(PluginReleaseRef::Release(f)) => {
                out.push(("plugin_release", Value::String(f.code.clone())));
                out.push((
                    "plugin",
                    f.plugin.clone().map_or(Value::Null, Value::String),
                ));
                out.push(("version", Value::String(f.version.clone())));
                if let Some(action) = &f.action {
                    out.push(("action", Value::String(action.clone())));
                }
                if let Some(entrypoint) = &f.entrypoint {
                    out.push(("entrypoint", Value::String(entrypoint.clone())));
                }
            }
            _ => {}
        }
        if let Some(model) = self.model {
            out.push(("model", Value::from(model)));
        }
        if let Some(params) = &self.params {
            out.push(("params", Value::Object(params.clone())));
        }
        if !self.envs.is_empty() {
            let envs = self
                .envs
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            out.push(("envs", Value::Object(envs)));
        }
        if !self.metadata.is_empty() {
            out.push(("metadata", Value::Object(self.metadata.clone())));
        }
        if !self.labels.is_empty() {
            out.push((
                "labels",
                Value::Array(self.labels.iter().cloned().map(Value::String).collect()),
            ));
        }
        if let Some(kind) = self.kind.as_ref().filter(|k| !k.as_str().is_empty()) {
            out.push(("kind", Value::String(kind.as_str().to_owned())));
        }
        if let Some(id) = self.backend_container_id {
            out.push(("backend_container_id", Value::from(id)));
        }
        out
    }

    /// Whether a release is named (a non-empty string, or fields).
    pub(crate) fn has_release(&self) -> bool {
        match &self.plugin_release {
            Some(PluginReleaseRef::Lookup(s)) => !s.is_empty(),
            Some(PluginReleaseRef::Release(_)) => true,
            None => false,
        }
    }
}
