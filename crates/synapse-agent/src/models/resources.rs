//! Resource gatekeeping: the cluster snapshot, the feasibility dry run and the runtime
//! policy.

use synapse_models::open_enum;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use synapse_models::Timestamp;

use super::lax;

open_enum! {
    /// What a feasibility check is about (`kind` of `POST resources/feasibility/`).
    pub enum ResourceKind (ignore_case) {
        /// A Ray job.
        Job = "job",
        /// A Ray Serve deployment.
        Serve = "serve",
        /// A container.
        Container = "container",
        /// A Ray task.
        Task = "task",
    }
}

open_enum! {
    /// State of a Ray node (the Python SDK knows `ALIVE` and `DEAD` and rejects the whole
    /// snapshot on anything else; here other values are kept).
    pub enum NodeState (ignore_case) {
        /// The node is alive.
        Alive = "ALIVE",
        /// The node is dead.
        Dead = "DEAD",
    }
}

impl Default for NodeState {
    /// `ALIVE`, the Python model's default.
    fn default() -> Self {
        NodeState::Alive
    }
}

/// Total, used and available amounts of one resource (`ResourceCounterRead`); each `0.0`
/// when missing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResourceCounter {
    /// Total amount.
    #[serde(default, deserialize_with = "lax::float_or_zero")]
    pub total: f64,
    /// Amount in use.
    #[serde(default, deserialize_with = "lax::float_or_zero")]
    pub used: f64,
    /// Amount available.
    #[serde(default, deserialize_with = "lax::float_or_zero")]
    pub available: f64,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Cluster-wide GPU rollup (`GpuSummaryRead`); every field `0` when missing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuSummary {
    /// Number of GPUs.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub total_gpus: i64,
    /// Number of free GPUs.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub available_gpus: i64,
    /// Total GPU memory, in bytes.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub total_memory_bytes: i64,
    /// Free GPU memory, in bytes.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub available_memory_bytes: i64,
    /// Highest utilization of any GPU.
    #[serde(default, deserialize_with = "lax::float_or_zero")]
    pub max_utilization: f64,
    /// Average utilization.
    #[serde(default, deserialize_with = "lax::float_or_zero")]
    pub avg_utilization: f64,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Node tallies (`NodeCountsRead`); every field `0` when missing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeCounts {
    /// All nodes.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub total: i64,
    /// Alive nodes.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub alive: i64,
    /// Dead nodes.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub dead: i64,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One GPU of a node (`GpuDeviceRead`). `index` is required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuDevice {
    /// Device index on its node (required).
    #[serde(deserialize_with = "lax::int")]
    pub index: i64,
    /// Device name (`""` when missing).
    #[serde(default, deserialize_with = "lax::or_default")]
    pub name: String,
    /// Device UUID (`""` when missing).
    #[serde(default, deserialize_with = "lax::or_default")]
    pub uuid: String,
    /// Utilization, when reported.
    #[serde(
        default,
        deserialize_with = "lax::opt_float",
        skip_serializing_if = "Option::is_none"
    )]
    pub utilization_gpu: Option<f64>,
    /// Memory in use, in **MB** (`0` when missing).
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub memory_used: i64,
    /// Total memory, in **MB** (`0` when missing).
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub memory_total: i64,
    /// Processes using the device, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes_pids: Option<Map<String, Value>>,
    /// `memory_used / memory_total`, when reported.
    #[serde(
        default,
        deserialize_with = "lax::opt_float",
        skip_serializing_if = "Option::is_none"
    )]
    pub memory_used_ratio: Option<f64>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Resources of one Ray node (`NodeResourceRead`). `node_id` is required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeResource {
    /// Ray node id (required).
    pub node_id: String,
    /// Host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Whether this is the head node (`false` when missing).
    #[serde(default, deserialize_with = "lax::or_default")]
    pub is_head_node: bool,
    /// Node state (`ALIVE` when missing).
    #[serde(default, deserialize_with = "lax::or_default")]
    pub state: NodeState,
    /// Accelerator type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator_type: Option<String>,
    /// CPU counters.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub cpu: ResourceCounter,
    /// Memory counters.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub memory: ResourceCounter,
    /// The node's GPUs.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub gpus: Vec<GpuDevice>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The agent's view of its cluster (`GET resources/cluster/`, `ClusterResourceSnapshotRead`).
///
/// `collected_at` is required (kept as the wire string; [`Timestamp::parse`] reads it);
/// every other field takes the Python SDK's default when missing or `null` (zeros, empty
/// lists, `stale: false`, no object store). Unknown fields are kept in `extra`, and an
/// unknown node `state` is kept rather than failing the whole snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterResourceSnapshot {
    /// When the agent collected the numbers (required).
    pub collected_at: Timestamp,
    /// Whether the numbers come from an old cache entry.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub stale: bool,
    /// CPU counters.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub cpu: ResourceCounter,
    /// Memory counters.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub memory: ResourceCounter,
    /// GPU rollup.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub gpu: GpuSummary,
    /// Ray object store counters, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_store: Option<ResourceCounter>,
    /// Running Ray jobs.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub running_jobs: i64,
    /// Serve replicas across applications.
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub total_serve_replicas: i64,
    /// Node tallies.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub node_counts: NodeCounts,
    /// Per-node resources.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub nodes: Vec<NodeResource>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The agent's effective runtime policy (`GET`/`PATCH resources/policy/`). Every field takes
/// the Python SDK's default when missing or `null`; unknown fields are kept in `extra`.
///
/// `max_concurrent_jobs` (queue slots, `0` = unlimited) and `max_concurrent_ray_jobs` (the
/// gatekeeper's running-Ray-jobs backstop, `0` = off) are distinct limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentRuntimePolicy {
    /// Queue dispatch slots (default 3; 0 = unlimited).
    #[serde(default = "lax::three", deserialize_with = "lax::int_or::<_, 3>")]
    pub max_concurrent_jobs: i64,
    /// Serve replica cap (default 16).
    #[serde(default = "lax::sixteen", deserialize_with = "lax::int_or::<_, 16>")]
    pub max_concurrent_serve_replicas: i64,
    /// Whether gatekeeping is on (default true).
    #[serde(default = "lax::yes", deserialize_with = "lax::bool_or_true")]
    pub gatekeeping_enabled: bool,
    /// CPU utilization cap, percent (default 90).
    #[serde(default = "lax::ninety", deserialize_with = "lax::float_or_90")]
    pub cpu_max_utilization_percent: f64,
    /// Memory utilization cap, percent (default 90).
    #[serde(default = "lax::ninety", deserialize_with = "lax::float_or_90")]
    pub memory_max_utilization_percent: f64,
    /// GPU utilization cap, percent (default 90).
    #[serde(default = "lax::ninety", deserialize_with = "lax::float_or_90")]
    pub gpu_max_utilization_percent: f64,
    /// GPU memory cap, percent (default 90).
    #[serde(default = "lax::ninety", deserialize_with = "lax::float_or_90")]
    pub gpu_max_memory_percent: f64,
    /// Running-Ray-jobs backstop (default 0 = off).
    #[serde(default, deserialize_with = "lax::int_or::<_, 0>")]
    pub max_concurrent_ray_jobs: i64,
    /// Cache lifetime of the resource snapshot, seconds (default 5).
    #[serde(default = "lax::five", deserialize_with = "lax::float_or_5")]
    pub resource_cache_ttl_seconds: f64,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for AgentRuntimePolicy {
    /// The Python SDK's defaults.
    fn default() -> Self {
        AgentRuntimePolicy {
            max_concurrent_jobs: 3,
            max_concurrent_serve_replicas: 16,
            gatekeeping_enabled: true,
            cpu_max_utilization_percent: 90.0,
            memory_max_utilization_percent: 90.0,
            gpu_max_utilization_percent: 90.0,
            gpu_max_memory_percent: 90.0,
            max_concurrent_ray_jobs: 0,
            resource_cache_ttl_seconds: 5.0,
            extra: Map::new(),
        }
    }
}

/// A partial update of the runtime policy (`PATCH resources/policy/`): only the fields set
/// are sent; `extra` carries keys this crate does not know (an older agent may ignore keys
/// it does not know).
///
/// ```
/// let patch = synapse_agent::RuntimePolicyPatch {
///     max_concurrent_jobs: Some(5),
///     ..Default::default()
/// };
/// assert_eq!(serde_json::to_value(&patch)?, serde_json::json!({"max_concurrent_jobs": 5}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuntimePolicyPatch {
    /// Queue dispatch slots (0 = unlimited).
    pub max_concurrent_jobs: Option<i64>,
    /// Serve replica cap.
    pub max_concurrent_serve_replicas: Option<i64>,
    /// Whether gatekeeping is on.
    pub gatekeeping_enabled: Option<bool>,
    /// CPU utilization cap, percent.
    pub cpu_max_utilization_percent: Option<f64>,
    /// Memory utilization cap, percent.
    pub memory_max_utilization_percent: Option<f64>,
    /// GPU utilization cap, percent.
    pub gpu_max_utilization_percent: Option<f64>,
    /// GPU memory cap, percent.
    pub gpu_max_memory_percent: Option<f64>,
    /// Running-Ray-jobs backstop (0 = off).
    pub max_concurrent_ray_jobs: Option<i64>,
    /// Cache lifetime of the resource snapshot, seconds.
    pub resource_cache_ttl_seconds: Option<f64>,
    /// Other keys, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `POST resources/feasibility/`, a dry-run gatekeeping check. All six keys are
/// always sent, in wire order, with the Python SDK's defaults: `num_gpus` `0.0`,
/// `memory_bytes` an explicit `null`, `replicas` `1`, `metadata` `{}`.
///
/// ```
/// use synapse_agent::{FeasibilityRequest, ResourceKind};
/// let req = FeasibilityRequest::new(ResourceKind::Serve, 1.0).num_gpus(0.5);
/// assert_eq!(
///     serde_json::to_value(&req)?,
///     serde_json::json!({"kind": "serve", "num_cpus": 1.0, "num_gpus": 0.5,
///                        "memory_bytes": null, "replicas": 1, "metadata": {}})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeasibilityRequest {
    /// What would run.
    pub kind: ResourceKind,
    /// CPUs it needs.
    pub num_cpus: f64,
    /// GPUs it needs (default `0.0`).
    pub num_gpus: f64,
    /// Memory it needs, in bytes (`null` when not given — always sent).
    pub memory_bytes: Option<u64>,
    /// Replicas (default `1`).
    pub replicas: u32,
    /// Free-form metadata (default `{}`), e.g. `{"plugin_code": "yolov8@1.0.0"}`.
    pub metadata: Map<String, Value>,
}

impl FeasibilityRequest {
    /// A check for `kind` needing `num_cpus` CPUs, with the defaults for everything else.
    pub fn new(kind: ResourceKind, num_cpus: f64) -> Self {
        FeasibilityRequest {
            kind,
            num_cpus,
            num_gpus: 0.0,
            memory_bytes: None,
            replicas: 1,
            metadata: Map::new(),
        }
    }

    /// GPUs needed.
    pub fn num_gpus(mut self, num_gpus: f64) -> Self {
        self.num_gpus = num_gpus;
        self
    }

    /// Memory needed, in bytes.
    pub fn memory_bytes(mut self, memory_bytes: u64) -> Self {
        self.memory_bytes = Some(memory_bytes);
        self
    }

    /// Number of replicas.
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = replicas;
        self
    }

    /// Metadata.
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = metadata;
        self
    }

    /// Rejects numbers JSON cannot carry (NaN, infinities), which serde would send as `null`.
    pub(crate) fn validate(&self) -> Result<(), synapse_transport::Error> {
        for (name, v) in [("num_cpus", self.num_cpus), ("num_gpus", self.num_gpus)] {
            if !v.is_finite() {
                return Err(synapse_transport::Error::invalid_input(format!(
                    "`{name}` must be a finite number, not {v}"
                )));
            }
        }
        Ok(())
    }
}

/// Answer of the feasibility check. `allowed` is required (a response without it is a
/// decode error, as the SDK's callers treat it as malformed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeasibilityResult {
    /// Whether the workload would be admitted now.
    pub allowed: bool,
    /// Machine-readable reasons for a refusal.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub reasons: Vec<String>,
    /// Human-readable messages.
    #[serde(default, deserialize_with = "lax::or_default")]
    pub messages: Vec<String>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
