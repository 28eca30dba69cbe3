//! Plugins and the `run_plugin` body.

use serde::{Deserialize, Serialize};

use crate::{
    AgentId, JobId, PluginCategory, PluginCode, PluginId, PluginReleaseSummary, StorageId,
    TenantId, Timestamp,
};

wire_struct! {
    /// A plugin (`GET plugins/{id}/`; also embedded in releases with `?expand=plugin`).
    pub struct Plugin {
        /// Plugin id.
        pub id: Option<PluginId>,
        /// Tenant id (v2 detail).
        pub tenant_id: Option<TenantId>,
        /// Plugin code (slug); immutable.
        pub code: Option<PluginCode>,
        /// Display name.
        pub name: Option<String>,
        /// Category; immutable.
        pub category: Option<PluginCategory>,
        /// Description.
        pub description: Option<String>,
        /// Whether the plugin is active.
        pub is_active: Option<bool>,
        /// Whether only the system may use it.
        pub system_only: Option<bool>,
        /// Whether it is public.
        pub is_public: Option<bool>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// The bootstrapped first release (create response only).
        pub release: Option<PluginReleaseSummary>,
        /// v1 only: the manifest of a plugin embedded in a release.
        pub manifest: Option<serde_json::Value>,
    }
}

/// Body of `POST plugins/` (pass-through: further keys in `extra`, sent as given).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginCreate {
    /// Display name.
    pub name: Option<String>,
    /// Plugin code.
    pub code: Option<PluginCode>,
    /// Category.
    pub category: Option<PluginCategory>,
    /// Description.
    pub description: Option<String>,
    /// Further keys, sent as given.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Body of `PUT plugins/{id}/` (pass-through, even when partial).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginUpdate {
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether the plugin is active.
    pub is_active: Option<bool>,
    /// Further keys, sent as given.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn default_language() -> String {
    "ko".to_owned()
}

/// Body of `POST plugins/{plugin}/run/`, in wire order; `None` fields are omitted and
/// `language` (default `"ko"`) is always sent.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginRunRequest {
    /// Agent to run on.
    pub agent: Option<AgentId>,
    /// Action name (`train`, `deployment`, …).
    pub action: Option<String>,
    /// Action parameters.
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
    /// Storage to use.
    pub storage_id: Option<StorageId>,
    /// Existing job to attach to (an integer stays an integer on the wire).
    pub job_id: Option<JobId>,
    /// Debug run.
    pub debug: Option<bool>,
    /// Release version to run.
    pub version: Option<String>,
    /// Language of user-facing messages (default `"ko"`, always sent).
    #[serde(default = "default_language")]
    pub language: String,
}

impl Default for PluginRunRequest {
    fn default() -> Self {
        Self {
            agent: None,
            action: None,
            params: None,
            storage_id: None,
            job_id: None,
            debug: None,
            version: None,
            language: default_language(),
        }
    }
}

impl PluginRunRequest {
    /// A request running `action` (everything else default).
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: Some(action.into()),
            ..Self::default()
        }
    }

    /// Sets the agent.
    pub fn with_agent(mut self, agent: impl Into<AgentId>) -> Self {
        self.agent = Some(agent.into());
        self
    }

    /// Sets the params.
    pub fn with_params(mut self, params: serde_json::Map<String, serde_json::Value>) -> Self {
        self.params = Some(params);
        self
    }
}
