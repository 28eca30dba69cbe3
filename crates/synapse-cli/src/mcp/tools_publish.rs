//! publish_plugin: checks a plugin directory, packages it (as `synapse plugin package`
//! does) and creates its release on the active environment's backend, creating the plugin
//! first when the backend does not know it yet (as `synapse plugin publish` does).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::mcp::reply::{ToolError, ToolResult};
use crate::mcp::server::SynapseServer;
use crate::mcp::tools_plugin::open_plugin;
use crate::publish::Publication;

/// `publish_plugin`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PublishArgs {
    /// The plugin's directory (`~` is expanded).
    pub path: String,
    /// The version to publish [default: the config's `version`].
    #[serde(default)]
    pub version: Option<String>,
}

#[tool_router(router = publish_tools, vis = "pub(crate)")]
impl SynapseServer {
    /// `publish_plugin`.
    #[tool(
        description = "Publish a local plugin directory: check its config.yaml, package it (honouring .gitignore and .synapseignore) and create the release on the active environment's backend. version overrides the config's."
    )]
    async fn publish_plugin(&self, Parameters(args): Parameters<PublishArgs>) -> CallToolResult {
        self.finish(self.publish(args).await)
    }
}

impl SynapseServer {
    async fn publish(&self, args: PublishArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let plugin = open_plugin(&args.path)?;
        let check = plugin.validate();
        if !check.is_valid() {
            return Err(ToolError::new(format!(
                "Plugin validation failed: {}",
                check.errors.join("; ")
            )));
        }
        if args.version.as_deref().is_none_or(str::is_empty) && plugin.version().is_none() {
            return Err(ToolError::new(
                "No version specified. Provide version parameter or set in config.yaml",
            ));
        }
        let publication = Publication::prepare(&plugin, args.version, false)?;
        let release = publication.send(&client, &plugin, None, |_| {}).await?;
        let (code, version, archive) = (
            &publication.code,
            &publication.version,
            &publication.archive,
        );
        eprintln!("[synapse-mcp] published {code} {version}");
        Ok(json!({
            "success": true,
            "message": format!("Plugin \"{code}\" version {version} published"),
            "release": serde_json::to_value(&release).unwrap_or(Value::Null),
            "archive": {"files": archive.files.len(), "size": archive.size, "md5": archive.md5},
        }))
    }
}
