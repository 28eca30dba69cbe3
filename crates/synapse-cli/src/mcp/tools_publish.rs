//! publish_plugin: checks a plugin directory, packages it (as `synapse plugin package`
//! does) and creates its release on the active environment's backend, creating the plugin
//! first when the backend does not know it yet (as `synapse plugin publish` does).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};
use synapse_backend::BackendClient;
use synapse_backend::models::{
    PluginCategory, PluginCode, PluginCreate, PluginRelease, PluginReleaseCreateRequest,
};

use crate::mcp::reply::{ToolError, ToolResult};
use crate::mcp::server::SynapseServer;
use crate::mcp::tools_plugin::open_plugin;
use crate::package;
use crate::plugin_dir::PluginDir;

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
        let code = plugin.code().unwrap_or_default().to_owned();
        let version = args
            .version
            .filter(|v| !v.is_empty())
            .or_else(|| plugin.version().map(str::to_owned))
            .ok_or_else(|| {
                ToolError::new(
                    "No version specified. Provide version parameter or set in config.yaml",
                )
            })?;
        let mut config = plugin.config().clone();
        config.insert("version".into(), Value::String(version.clone()));
        let mut request = PluginReleaseCreateRequest::new(checked_code(&code)?, version.clone());
        request.config = Some(config);
        request.requirements = requirements(&plugin)?;
        let dir = tempfile::tempdir()
            .map_err(|e| ToolError::new(format!("cannot create a temporary directory: {e}")))?;
        let archive = package::build(&plugin, &dir.path().join(format!("{code}-{version}.zip")))?;
        let send = || {
            client
                .create_plugin_release(request.clone())
                .archive(archive.path.as_path())
        };
        let release: PluginRelease = match send().await {
            Err(e) if plugin_missing(&e) => {
                create_plugin(&client, &plugin, &code).await?;
                send().await?
            }
            other => other?,
        };
        eprintln!("[synapse-mcp] published {code} {version}");
        Ok(json!({
            "success": true,
            "message": format!("Plugin \"{code}\" version {version} published"),
            "release": serde_json::to_value(&release).unwrap_or(Value::Null),
            "archive": {"files": archive.files.len(), "size": archive.size, "md5": archive.md5},
        }))
    }
}

/// A plugin code, checked.
fn checked_code(code: &str) -> Result<PluginCode, ToolError> {
    PluginCode::new(code).map_err(|e| ToolError::new(format!("plugin code {code:?}: {e}")))
}

/// The non-empty, non-comment lines of the plugin's `requirements.txt`, if it has one.
fn requirements(plugin: &PluginDir) -> Result<Option<Vec<String>>, ToolError> {
    let path = plugin.root().join("requirements.txt");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ToolError::new(format!(
                "{}: cannot be read: {e}",
                path.display()
            )));
        }
    };
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    Ok((!lines.is_empty()).then_some(lines))
}

/// True when the backend refused a release because its plugin does not exist.
fn plugin_missing(error: &synapse_backend::Error) -> bool {
    error.status_code() == Some(400)
        && error
            .body_json()
            .and_then(|b| b.get("plugin"))
            .is_some_and(|p| p.to_string().contains("does not exist"))
}

/// Creates the plugin from its config: code, name (else the code), category (else
/// `custom`) and description.
async fn create_plugin(
    client: &BackendClient,
    plugin: &PluginDir,
    code: &str,
) -> Result<(), ToolError> {
    let description = plugin
        .config()
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let create = PluginCreate {
        name: Some(plugin.name().unwrap_or(code).to_owned()),
        code: Some(checked_code(code)?),
        category: Some(PluginCategory::from(plugin.category().unwrap_or("custom"))),
        description,
        ..Default::default()
    };
    client.create_plugin(create).await?;
    Ok(())
}
