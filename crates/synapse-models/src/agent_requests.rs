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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunPluginReleaseRequest {
    /// Action name (required).
    pub action: String,
    /// Action parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
    /// Python requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<Vec<String>>,
    /// Backend job id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Language of user-facing messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunDebugPluginReleaseRequest {
    /// Action name (required).
    pub action: String,
    /// Action parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
    /// Plugin directory on the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_path: Option<String>,
    /// Plugin config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Map<String, Value>>,
    /// Module path → source text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modules: Option<BTreeMap<String, String>>,
    /// Python requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<Vec<String>>,
    /// Backend job id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Language of user-facing messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
