//! Ray jobs as the agent reports them, and the answer of a plugin run.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use synapse_models::{JobStatus, Timestamp, wire_struct};

use super::{IntegralFloat, LaxFloat, LaxInt};

/// A time in a Ray record: Ray sends milliseconds since the Unix epoch (an integer); some
/// agents send RFC 3339 text instead. Either is kept as sent.
///
/// ```
/// use synapse_agent::RayTime;
/// let t: RayTime = serde_json::from_value(serde_json::json!(1_795_428_000_000_i64))?;
/// assert_eq!(t.as_millis(), Some(1_795_428_000_000));
/// let t: RayTime = serde_json::from_value(serde_json::json!("2026-11-23T10:00:00Z"))?;
/// assert_eq!(t.as_timestamp().map(|t| t.as_str()), Some("2026-11-23T10:00:00Z"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "milliseconds since the Unix epoch, or a timestamp string"
)]
#[non_exhaustive]
pub enum RayTime {
    /// Milliseconds since the Unix epoch (Ray's own form; an integral float is accepted).
    Millis(#[serde_as(as = "IntegralFloat")] i64),
    /// A timestamp written as text.
    Text(Timestamp),
}

impl RayTime {
    /// The milliseconds since the Unix epoch, when sent as a number.
    pub fn as_millis(&self) -> Option<i64> {
        match self {
            RayTime::Millis(ms) => Some(*ms),
            RayTime::Text(_) => None,
        }
    }

    /// The timestamp, when sent as text.
    pub fn as_timestamp(&self) -> Option<&Timestamp> {
        match self {
            RayTime::Millis(_) => None,
            RayTime::Text(t) => Some(t),
        }
    }
}

impl JsonSchema for RayTime {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("RayTime")
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed("synapse_agent::RayTime")
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let text = generator.subschema_for::<Timestamp>();
        json_schema!({
            "description": "A time in a Ray record: milliseconds since the Unix epoch (an integer, or an integral float), or a timestamp string.",
            "anyOf": [{"type": "integer", "format": "int64"}, text]
        })
    }
}

wire_struct! {
    /// A Ray job as the agent reports it (`GET jobs/`, `GET jobs/{job_id}/`): Ray's job
    /// details. Every field is optional and unknown fields are kept in `extra`, so an agent on
    /// another Ray version still decodes.
    ///
    /// ```
    /// use synapse_agent::{JobStatus, RayJob};
    /// let job: RayJob = serde_json::from_value(serde_json::json!({
    ///     "submission_id": "raysubmit_abc123", "status": "RUNNING",
    ///     "entrypoint": "python main.py", "start_time": 1795428000000_i64, "driver_exit_code": null,
    /// }))?;
    /// assert_eq!(job.id(), Some("raysubmit_abc123"));
    /// assert_eq!(job.status, Some(JobStatus::Running));
    /// assert!(!job.is_terminal());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub struct RayJob {
        /// Job type (`SUBMISSION` for a submitted job, `DRIVER` for a driver script).
        #[wire(rename = "type")]
        pub job_type: Option<String>,
        /// Ray's job id (the driver's id, or the submission id on some agents).
        pub job_id: Option<String>,
        /// Submission id (`raysubmit_…`), the id the agent's job paths take.
        pub submission_id: Option<String>,
        /// Status, in the [`JobStatus`] words (`PENDING`, `RUNNING`, `STOPPED`, `SUCCEEDED`,
        /// `FAILED`).
        pub status: Option<JobStatus>,
        /// The command the job runs.
        pub entrypoint: Option<String>,
        /// Human-readable status message.
        pub message: Option<String>,
        /// Kind of failure, once failed.
        pub error_type: Option<String>,
        /// When the job started.
        pub start_time: Option<RayTime>,
        /// When the job ended (absent or `null` while it runs).
        pub end_time: Option<RayTime>,
        /// Metadata given at submission.
        pub metadata: Option<Map<String, Value>>,
        /// Runtime environment (`pip`, `env_vars`, `working_dir`, …).
        pub runtime_env: Option<Map<String, Value>>,
        /// The driver process, as Ray describes it.
        pub driver_info: Option<Value>,
        /// HTTP address of the agent that runs the driver.
        pub driver_agent_http_address: Option<String>,
        /// Node that runs the driver.
        pub driver_node_id: Option<String>,
        /// Exit code of the driver, once it ended.
        #[wire(as = Option<LaxInt>)]
        pub driver_exit_code: Option<i64>,
        /// CPUs reserved for the entrypoint.
        #[wire(as = Option<LaxFloat>)]
        pub entrypoint_num_cpus: Option<f64>,
        /// GPUs reserved for the entrypoint.
        #[wire(as = Option<LaxFloat>)]
        pub entrypoint_num_gpus: Option<f64>,
        /// Memory reserved for the entrypoint, in bytes.
        #[wire(as = Option<LaxInt>)]
        pub entrypoint_memory: Option<i64>,
        /// Custom resources reserved for the entrypoint.
        pub entrypoint_resources: Option<Map<String, Value>>,
    }
}

impl RayJob {
    /// The id to pass to the agent's job calls: the submission id, else the job id.
    pub fn id(&self) -> Option<&str> {
        self.submission_id.as_deref().or(self.job_id.as_deref())
    }

    /// `true` once the job has stopped, succeeded or failed.
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(JobStatus::is_terminal)
    }
}

wire_struct! {
    /// The job a plugin run started, as the agent answers it.
    pub struct JobReference {
        /// The job's id: pass it to `get_job`, `tail_job_logs`, `stop_job`.
        pub job_id: Option<String>,
        /// Ray's submission id, when the agent sends it as well (or instead).
        pub submission_id: Option<String>,
        /// The job's status when the agent answered (normally `PENDING`).
        pub status: Option<JobStatus>,
    }
}

impl JobReference {
    /// The job's id: `job_id`, else `submission_id`.
    pub fn id(&self) -> Option<&str> {
        self.job_id.as_deref().or(self.submission_id.as_deref())
    }
}

/// What a plugin run answers (`run_plugin_release`, `run_plugin_release_legacy`,
/// `run_debug_plugin_release`): either the agent started a Ray job and answers with a
/// reference to it, or it ran the action synchronously (Serve inference) and answers with
/// the action's own answer. The same shape as the backend's `PluginRun`, with the agent's
/// job reference (a string id) instead of a backend job.
///
/// Decoding rule: a JSON object with a string `job_id` or `submission_id` is a
/// [`PluginRun::Started`]; anything else (another object, an array, a string, a number, or
/// `null` for an empty answer) is a [`PluginRun::Direct`], kept verbatim. A body that is
/// not JSON is a [`PluginRun::Direct`] holding its text. Serialising gives the wire JSON
/// back.
///
/// ```
/// use serde_json::json;
/// use synapse_agent::PluginRun;
/// let job = PluginRun::from_value(json!({"job_id": "raysubmit_1", "status": "PENDING"}));
/// assert_eq!(job.job_id(), Some("raysubmit_1"));
/// let direct = PluginRun::from_value(json!({"result": [0.9, 0.1]}));
/// assert_eq!(direct.job_id(), None);
/// assert_eq!(direct.direct().map(|r| &r["result"][0]), Some(&json!(0.9)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
#[non_exhaustive]
pub enum PluginRun {
    /// The agent started a job.
    Started(JobReference),
    /// The action answered directly: the answer as sent.
    Direct(Value),
}

impl PluginRun {
    /// Classifies a decoded answer (see the decoding rule above).
    pub fn from_value(value: Value) -> Self {
        let is_job = value.as_object().is_some_and(|o| {
            ["job_id", "submission_id"]
                .iter()
                .any(|k| o.get(*k).is_some_and(Value::is_string))
        });
        if is_job && let Ok(job) = serde_json::from_value::<JobReference>(value.clone()) {
            return PluginRun::Started(job);
        }
        PluginRun::Direct(value)
    }

    /// The started job's id, when the agent started one.
    pub fn job_id(&self) -> Option<&str> {
        self.job().and_then(JobReference::id)
    }

    /// The started job, when the agent started one.
    pub fn job(&self) -> Option<&JobReference> {
        match self {
            PluginRun::Started(job) => Some(job),
            PluginRun::Direct(_) => None,
        }
    }

    /// The action's direct answer, when the agent ran it synchronously.
    pub fn direct(&self) -> Option<&Value> {
        match self {
            PluginRun::Started(_) => None,
            PluginRun::Direct(value) => Some(value),
        }
    }

    /// The answer as JSON: the direct answer verbatim, or the job reference re-serialised
    /// (the same keys and values; known keys first).
    pub fn into_value(self) -> Value {
        match self {
            PluginRun::Started(job) => serde_json::to_value(job).unwrap_or(Value::Null),
            PluginRun::Direct(value) => value,
        }
    }
}

impl<'de> Deserialize<'de> for PluginRun {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(PluginRun::from_value)
    }
}

impl From<Value> for PluginRun {
    fn from(value: Value) -> Self {
        PluginRun::from_value(value)
    }
}
