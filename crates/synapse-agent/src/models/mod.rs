//! Typed models of the agent's Ray, resource, system and container endpoints.
//!
//! - Request bodies are written in wire order, absent fields omitted, with exactly the
//!   defaults the Python SDK sends.
//! - Response structs are declared with [`synapse_models`]' response-struct macro, like the
//!   backend's: every unknown key is kept in `extra` (the Python SDK drops them), an explicit
//!   `null` of an optional field is kept too, so read → modify → write loses nothing; a
//!   duplicate key is a decode error. Each has a JSON Schema (`schemas/` at the repository
//!   root).
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
mod ray;
mod resources;
mod system;

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use serde_with::schemars_1::JsonSchemaAs;
use serde_with::{DeserializeAs, DisplayFromStr, PickFirst, Same, SerializeAs};

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

/// An integer field as the Python models read it: an integer, an integral float (`3.0`) or a
/// numeric string (`"3"`); written as an integer.
pub(crate) type LaxInt = PickFirst<(IntegralFloat, DisplayFromStr)>;

/// A number field as the Python models read it: a number or a numeric string (`"75"`).
pub(crate) type LaxFloat = PickFirst<(Same, DisplayFromStr)>;

/// `serde_with` adapter: an `i64` written as a JSON integer or an integral float (`3.0`);
/// other floats are an error. Written as an integer.
pub(crate) struct IntegralFloat;

impl<'de> DeserializeAs<'de, i64> for IntegralFloat {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        struct IntegralVisitor;
        impl Visitor<'_> for IntegralVisitor {
            type Value = i64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer (or an integral float)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
                // Integral and exactly representable (below 2^53) only.
                if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
                    Ok(v as i64)
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
        }
        deserializer.deserialize_any(IntegralVisitor)
    }
}

impl SerializeAs<i64> for IntegralFloat {
    fn serialize_as<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(*value)
    }
}

impl JsonSchemaAs<i64> for IntegralFloat {
    // JSON Schema's `integer` already admits integral floats such as `3.0`.
    fn inline_schema() -> bool {
        <i64 as JsonSchema>::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        <i64 as JsonSchema>::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <i64 as JsonSchema>::json_schema(generator)
    }
}
