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
        id: PluginReleaseId => "id",
        /// The plugin: id (v1), code (agent) or embedded object (`?expand=plugin`, v2).
        plugin: PluginRefOrObject => "plugin",
        /// Plugin id (v2).
        plugin_id: PluginId => "plugin_id",
        /// Version string.
        version: String => "version",
        /// README text.
        readme: String => "readme",
        /// The release config (`config.yaml`); see [`PluginRelease::config_typed`].
        config: serde_json::Value => "config",
        /// Python requirements (v1).
        requirements: Vec<String> => "requirements",
        /// Run parameter schema.
        run_schema: serde_json::Value => "run_schema",
        /// Installation schema.
        installation_schema: serde_json::Value => "installation_schema",
        /// Names of the available actions.
        available_actions: Vec<String> => "available_actions",
        /// Author's user id.
        author_id: UserId => "author_id",
        /// Author.
        author: PluginReleaseAuthor => "author",
        /// Free-form metadata.
        meta: serde_json::Value => "meta",
        /// Debug release.
        debug: bool => "debug",
        /// Whether the release is published.
        is_released: bool => "is_released",
        /// Creation time.
        created: Timestamp => "created",
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
        id: UserId => "id",
        /// E-mail address.
        email: String => "email",
        /// Display name.
        name: String => "name",
    }
}

wire_struct! {
    /// A release embedded elsewhere: v2 job `plugin_release` (`{id, plugin_id, version}`) and
    /// the plugin create response's `release` (`{id, version, is_released}`).
    pub struct PluginReleaseSummary {
        /// Release id.
        id: PluginReleaseId => "id",
        /// Plugin id.
        plugin_id: PluginId => "plugin_id",
        /// Version string.
        version: String => "version",
        /// Whether the release is published.
        is_released: bool => "is_released",
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
