//! Typed models of the agent's Ray, resource, system and container endpoints.
//!
//! - Request bodies are written in wire order, absent fields omitted, with exactly the
//!   defaults the Python SDK sends.
//! - Response structs keep every unknown key in a flattened `extra` map, so read → modify →
//!   write loses nothing (the Python SDK drops them).
//! - String enums are open: unknown values decode to `Unknown` (an opaque
//!   [`UnknownValue`](synapse_models::UnknownValue), read with `as_str()`) and are written
//!   back verbatim; known values are also recognised in another letter case.
//! - The resource snapshot and the runtime policy take the Python SDK's defaults for missing
//!   fields and for an explicit `null`, and accept integers written as integral floats or
//!   numeric strings, as the Python models do.
//!
//! Plugin releases, their requests and [`Page`](synapse_models::Page) come from
//! [`synapse_models`]. Ray jobs are [`RayJob`]s and a plugin run answers a [`PluginRun`]
//! (a [`JobReference`] or the action's direct result); other Ray records (nodes, tasks,
//! Serve applications, GPU status) and Docker containers are untyped `serde_json::Value`s.

mod containers;
pub(crate) mod lax;
mod ray;
mod resources;
mod system;

pub use containers::{
    BuildOutcome, BuildState, BuildStatus, ContainerBuildRef, CreateContainerRequest,
    CreateDockerContainerRequest, PluginReleaseRef, ReleaseFields,
};
pub use ray::{JobReference, PluginRun, RayJob, RayTime};
pub use resources::{
    AgentRuntimePolicy, ClusterResourceSnapshot, FeasibilityRequest, FeasibilityResult, GpuDevice,
    GpuSummary, NodeCounts, NodeResource, NodeState, ResourceCounter, ResourceKind,
    RuntimePolicyPatch,
};
pub use system::{
    ComposeConfig, OperationStatus, SystemOperation, SystemOperationResult, SystemStatus,
    UpdateSystemRequest,
};
