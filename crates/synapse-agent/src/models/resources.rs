//! Resource gatekeeping: the cluster snapshot, the feasibility dry run and the runtime
//! policy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use synapse_models::{Timestamp, open_enum, wire_struct};

use super::{LaxFloat, LaxInt};

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

wire_struct! {
    /// Total, used and available amounts of one resource (`ResourceCounterRead`); each `0.0`
    /// when missing or `null`.
    pub struct ResourceCounter {
        /// Total amount.
        #[wire(as = LaxFloat)]
        pub total: f64 = 0.0,
        /// Amount in use.
        #[wire(as = LaxFloat)]
        pub used: f64 = 0.0,
        /// Amount available.
        #[wire(as = LaxFloat)]
        pub available: f64 = 0.0,
    }
}

wire_struct! {
    /// Cluster-wide GPU rollup (`GpuSummaryRead`); every field `0` when missing or `null`.
    pub struct GpuSummary {
        /// Number of GPUs.
        #[wire(as = LaxInt)]
        pub total_gpus: i64 = 0,
        /// Number of free GPUs.
        #[wire(as = LaxInt)]
        pub available_gpus: i64 = 0,
        /// Total GPU memory, in bytes.
        #[wire(as = LaxInt)]
        pub total_memory_bytes: i64 = 0,
        /// Free GPU memory, in bytes.
        #[wire(as = LaxInt)]
        pub available_memory_bytes: i64 = 0,
        /// Highest utilization of any GPU.
        #[wire(as = LaxFloat)]
        pub max_utilization: f64 = 0.0,
        /// Average utilization.
        #[wire(as = LaxFloat)]
        pub avg_utilization: f64 = 0.0,
    }
}

wire_struct! {
    /// Node tallies (`NodeCountsRead`); every field `0` when missing or `null`.
    pub struct NodeCounts {
        /// All nodes.
        #[wire(as = LaxInt)]
        pub total: i64 = 0,
        /// Alive nodes.
        #[wire(as = LaxInt)]
        pub alive: i64 = 0,
        /// Dead nodes.
        #[wire(as = LaxInt)]
        pub dead: i64 = 0,
    }
}

wire_struct! {
    /// One GPU of a node (`GpuDeviceRead`). `index` is required.
    pub struct GpuDevice {
        /// Device index on its node (required).
        #[wire(required, as = LaxInt)]
        pub index: i64,
        /// Device name (`""` when missing or `null`).
        pub name: String = String::new(),
        /// Device UUID (`""` when missing or `null`).
        pub uuid: String = String::new(),
        /// Utilization, when reported.
        #[wire(as = Option<LaxFloat>)]
        pub utilization_gpu: Option<f64>,
        /// Memory in use, in **MB** (`0` when missing or `null`).
        #[wire(as = LaxInt)]
        pub memory_used: i64 = 0,
        /// Total memory, in **MB** (`0` when missing or `null`).
        #[wire(as = LaxInt)]
        pub memory_total: i64 = 0,
        /// Processes using the device, when reported.
        pub processes_pids: Option<Map<String, Value>>,
        /// `memory_used / memory_total`, when reported.
        #[wire(as = Option<LaxFloat>)]
        pub memory_used_ratio: Option<f64>,
    }
}

wire_struct! {
    /// Resources of one Ray node (`NodeResourceRead`). `node_id` is required.
    pub struct NodeResource {
        /// Ray node id (required).
        #[wire(required)]
        pub node_id: String,
        /// Host name.
        pub host_name: Option<String>,
        /// IP address.
        pub ip: Option<String>,
        /// Whether this is the head node (`false` when missing or `null`).
        pub is_head_node: bool = false,
        /// Node state (`ALIVE` when missing or `null`).
        pub state: NodeState = NodeState::Alive,
        /// Accelerator type.
        pub accelerator_type: Option<String>,
        /// CPU counters.
        pub cpu: ResourceCounter = ResourceCounter::default(),
        /// Memory counters.
        pub memory: ResourceCounter = ResourceCounter::default(),
        /// The node's GPUs.
        pub gpus: Vec<GpuDevice> = Vec::new(),
    }
}

wire_struct! {
    #[wire(no_default)]
    /// The agent's view of its cluster (`GET resources/cluster/`, `ClusterResourceSnapshotRead`).
    ///
    /// `collected_at` is required (kept as the wire string; [`Timestamp::parse`] reads it);
    /// every other field takes the Python SDK's default when missing or `null` (zeros, empty
    /// lists, `stale: false`, no object store). Unknown fields are kept in `extra`, and an
    /// unknown node `state` is kept rather than failing the whole snapshot.
    pub struct ClusterResourceSnapshot {
        /// When the agent collected the numbers (required).
        #[wire(required)]
        pub collected_at: Timestamp,
        /// Whether the numbers come from an old cache entry.
        pub stale: bool = false,
        /// CPU counters.
        pub cpu: ResourceCounter = ResourceCounter::default(),
        /// Memory counters.
        pub memory: ResourceCounter = ResourceCounter::default(),
        /// GPU rollup.
        pub gpu: GpuSummary = GpuSummary::default(),
        /// Ray object store counters, when reported.
        pub object_store: Option<ResourceCounter>,
        /// Running Ray jobs.
        #[wire(as = LaxInt)]
        pub running_jobs: i64 = 0,
        /// Serve replicas across applications.
        #[wire(as = LaxInt)]
        pub total_serve_replicas: i64 = 0,
        /// Node tallies.
        pub node_counts: NodeCounts = NodeCounts::default(),
        /// Per-node resources.
        pub nodes: Vec<NodeResource> = Vec::new(),
    }
}

wire_struct! {
    /// The agent's effective runtime policy (`GET`/`PATCH resources/policy/`). Every field
    /// takes the Python SDK's default when missing or `null` (also `Default`); unknown fields
    /// are kept in `extra`.
    ///
    /// `max_concurrent_jobs` (queue slots, `0` = unlimited) and `max_concurrent_ray_jobs` (the
    /// gatekeeper's running-Ray-jobs backstop, `0` = off) are distinct limits.
    pub struct AgentRuntimePolicy {
        /// Queue dispatch slots (default 3; 0 = unlimited).
        #[wire(as = LaxInt)]
        pub max_concurrent_jobs: i64 = 3,
        /// Serve replica cap (default 16).
        #[wire(as = LaxInt)]
        pub max_concurrent_serve_replicas: i64 = 16,
        /// Whether gatekeeping is on (default true).
        pub gatekeeping_enabled: bool = true,
        /// CPU utilization cap, percent (default 90).
        #[wire(as = LaxFloat)]
        pub cpu_max_utilization_percent: f64 = 90.0,
        /// Memory utilization cap, percent (default 90).
        #[wire(as = LaxFloat)]
        pub memory_max_utilization_percent: f64 = 90.0,
        /// GPU utilization cap, percent (default 90).
        #[wire(as = LaxFloat)]
        pub gpu_max_utilization_percent: f64 = 90.0,
        /// GPU memory cap, percent (default 90).
        #[wire(as = LaxFloat)]
        pub gpu_max_memory_percent: f64 = 90.0,
        /// Running-Ray-jobs backstop (default 0 = off).
        #[wire(as = LaxInt)]
        pub max_concurrent_ray_jobs: i64 = 0,
        /// Cache lifetime of the resource snapshot, seconds (default 5).
        #[wire(as = LaxFloat)]
        pub resource_cache_ttl_seconds: f64 = 5.0,
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

wire_struct! {
    #[wire(no_default)]
    /// Answer of the feasibility check. `allowed` is required (a response without it is a
    /// decode error, as the SDK's callers treat it as malformed).
    pub struct FeasibilityResult {
        /// Whether the workload would be admitted now.
        #[wire(required)]
        pub allowed: bool,
        /// Machine-readable reasons for a refusal.
        pub reasons: Vec<String> = Vec::new(),
        /// Human-readable messages.
        pub messages: Vec<String> = Vec::new(),
    }
}
