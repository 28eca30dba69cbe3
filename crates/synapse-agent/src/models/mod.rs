//! Typed models of the agent's resource, system and container endpoints (models.md §5.2–5.4).
//!
//! - Request bodies are written in wire order, absent fields omitted, with exactly the
//!   defaults the Python SDK sends.
//! - Response structs keep every unknown key in a flattened `extra` map, so read → modify →
//!   write loses nothing (the Python SDK drops them).
//! - String enums are open: unknown values decode to `Unknown(String)` and are written back
//!   verbatim; known values are also recognised in another letter case.
//! - The resource snapshot and the runtime policy take the Python SDK's defaults for missing
//!   fields and for an explicit `null`, and accept integers written as integral floats or
//!   numeric strings, as the Python models do.
//!
//! Plugin releases, their requests and [`Page`](synapse_models::Page) come from
//! [`synapse_models`]; Ray records (jobs, nodes, tasks, Serve applications, GPU status) and
//! Docker containers are untyped `serde_json::Value`s.

/// Generates an open string enum: known variants plus `Unknown(String)`.
macro_rules! open_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident {
            $( $(#[$vm:meta])* $var:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$m])*
        ///
        /// Open enum: match the known variants; use `as_str()` for the rest. Unknown wire
        /// values decode to `Unknown` and are written back verbatim; a known value in another
        /// letter case decodes to its variant.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $var, )+
            /// A value this crate does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every known wire value, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The exact wire spelling (for `Unknown`, the stored string).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$var => $wire, )+
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// `true` for a value outside the known set.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            fn resolve(s: &str) -> Option<Self> {
                $( if s == $wire { return Some(Self::$var); } )+
                $( if s.eq_ignore_ascii_case($wire) { return Some(Self::$var); } )+
                None
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::resolve(s).unwrap_or_else(|| Self::Unknown(s.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self::resolve(&s).unwrap_or(Self::Unknown(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(s.as_ref()))
            }
        }
    };
}

mod containers;
pub(crate) mod lax;
mod resources;
mod system;

pub use containers::{
    BuildOutcome, BuildState, BuildStatus, ContainerBuildRef, CreateContainerRequest,
    CreateDockerContainerRequest, PluginReleaseRef, ReleaseFields,
};
pub use resources::{
    AgentRuntimePolicy, ClusterResourceSnapshot, FeasibilityRequest, FeasibilityResult, GpuDevice,
    GpuSummary, NodeCounts, NodeResource, NodeState, ResourceCounter, ResourceKind,
    RuntimePolicyPatch,
};
pub use system::{
    ComposeConfig, OperationStatus, SystemOperation, SystemOperationResult, SystemStatus,
    UpdateSystemRequest,
};
