//! Request bodies of the agent's plugin-release endpoints.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Body of agent `POST plugin_releases/`: both fields always sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CreatePluginReleaseRequest {
    /// Plugin code.
    pub plugin: String,
    /// Version.
    pub version: String,
}

/// Body of agent `POST plugin_releases/{lookup}/run/`, in wire order; `None` fields omitted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunPluginReleaseRequest {
    /// Action name (required).
    pub action: String,
    /// Action parameters.
    pub params: Option<Map<String, Value>>,
    /// Python requirements.
    pub requirements: Option<Vec<String>>,
    /// Backend job id.
    pub job_id: Option<String>,
    /// Language of user-facing messages.
    pub language: Option<String>,
}

impl RunPluginReleaseRequest {
    /// A request running `action`.
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            ..Self::default()
        }
    }
}

/// Body of agent `POST plugin_releases/run_debug/`, in wire order; `None` fields omitted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunDebugPluginReleaseRequest {
    /// Action name (required).
    pub action: String,
    /// Action parameters.
    pub params: Option<Map<String, Value>>,
    /// Plugin directory on the agent.
    pub plugin_path: Option<String>,
    /// Plugin config.
    pub config: Option<Map<String, Value>>,
    /// Module path → source text.
    pub modules: Option<BTreeMap<String, String>>,
    /// Python requirements.
    pub requirements: Option<Vec<String>>,
    /// Backend job id.
    pub job_id: Option<String>,
    /// Language of user-facing messages.
    pub language: Option<String>,
}

impl RunDebugPluginReleaseRequest {
    /// A request running `action`.
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            ..Self::default()
        }
    }
}
