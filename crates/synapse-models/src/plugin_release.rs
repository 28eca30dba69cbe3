//! Plugin releases.

use serde::{Deserialize, Serialize};

use crate::{
    ModelError, PluginCode, PluginConfig, PluginId, PluginRefOrObject, PluginReleaseId, Timestamp,
    UserId,
};

wire_struct! {
    /// A plugin release (backend `GET plugin_releases/…`, and the agent's cached releases).
    pub struct PluginRelease {
        /// Release id.
        pub id: Option<PluginReleaseId>,
        /// The plugin: id (v1), code (agent) or embedded object (`?expand=plugin`, v2).
        pub plugin: Option<PluginRefOrObject>,
        /// Plugin id (v2).
        pub plugin_id: Option<PluginId>,
        /// Version string.
        pub version: Option<String>,
        /// README text.
        pub readme: Option<String>,
        /// The release config (`config.yaml`); see [`PluginRelease::config_typed`].
        pub config: Option<serde_json::Value>,
        /// Python requirements (v1).
        pub requirements: Option<Vec<String>>,
        /// Run parameter schema.
        pub run_schema: Option<serde_json::Value>,
        /// Installation schema.
        pub installation_schema: Option<serde_json::Value>,
        /// Names of the available actions.
        pub available_actions: Option<Vec<String>>,
        /// Author's user id.
        pub author_id: Option<UserId>,
        /// Author.
        pub author: Option<PluginReleaseAuthor>,
        /// Free-form metadata.
        pub meta: Option<serde_json::Value>,
        /// Debug release.
        pub debug: Option<bool>,
        /// Whether the release is published.
        pub is_released: Option<bool>,
        /// Creation time.
        pub created: Option<Timestamp>,
    }
}

impl PluginRelease {
    /// Decodes `config` into the typed [`PluginConfig`] view (SDK defaults for missing keys;
    /// an absent config gives the defaults).
    pub fn config_typed(&self) -> Result<PluginConfig, ModelError> {
        let view = |source| ModelError::View {
            what: "PluginConfig",
            source,
        };
        match &self.config {
            Some(config) => PluginConfig::deserialize(config).map_err(view),
            None => PluginConfig::deserialize(serde_json::Value::Object(Default::default()))
                .map_err(view),
        }
    }

    /// The plugin code, from `plugin` (code or embedded object).
    pub fn plugin_code(&self) -> Option<&str> {
        self.plugin.as_ref().and_then(PluginRefOrObject::code)
    }
}

wire_struct! {
    /// Author of a release (v2 `{id, email, name}`).
    pub struct PluginReleaseAuthor {
        /// User id.
        pub id: Option<UserId>,
        /// E-mail address.
        pub email: Option<String>,
        /// Display name.
        pub name: Option<String>,
    }
}

wire_struct! {
    /// A release embedded elsewhere: v2 job `plugin_release` (`{id, plugin_id, version}`) and
    /// the plugin create response's `release` (`{id, version, is_released}`).
    pub struct PluginReleaseSummary {
        /// Release id.
        pub id: Option<PluginReleaseId>,
        /// Plugin id.
        pub plugin_id: Option<PluginId>,
        /// Version string.
        pub version: Option<String>,
        /// Whether the release is published.
        pub is_released: Option<bool>,
    }
}

/// Body of backend `POST plugin_releases/`, in wire order; `debug` (default `false`) is
/// always sent, `None` fields are omitted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginReleaseCreateRequest {
    /// The plugin **code** (not its id).
    pub plugin: PluginCode,
    /// Version string.
    pub version: String,
    /// Release config.
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
    /// Python requirements.
    pub requirements: Option<Vec<String>>,
    /// Debug release (default `false`, always sent).
    #[serde(default)]
    pub debug: bool,
}

impl PluginReleaseCreateRequest {
    /// A request for `plugin` at `version` (no config, no requirements, `debug: false`).
    pub fn new(plugin: PluginCode, version: impl Into<String>) -> Self {
        Self {
            plugin,
            version: version.into(),
            config: None,
            requirements: None,
            debug: false,
        }
    }
}
