//! Plugin tools: list_plugin_releases, get_plugin_release (on the agent), and the local
//! plugin directory's discover_local_plugin, get_action_config, validate_plugin_config.

use std::path::PathBuf;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::mcp::reply::{ToolError, ToolResult};
use crate::mcp::server::SynapseServer;
use crate::mcp::tools_jobs::{WindowArgs, window};
use crate::plugin_dir::PluginDir;

/// `get_plugin_release`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct LookupArgs {
    /// The release: its id, or `code@version` (`code:version` is accepted too).
    pub lookup: String,
}

/// The arguments of the tools that take a plugin directory.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PathArgs {
    /// The plugin's directory (`~` is expanded).
    pub path: String,
}

/// `get_action_config`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ActionArgs {
    /// The plugin's directory (`~` is expanded).
    pub path: String,
    /// The action's name.
    pub action: String,
}

/// A path as given, `~` expanded and made absolute; a tool error when nothing is there.
pub fn resolve_path(path: &str) -> Result<PathBuf, ToolError> {
    let expanded = match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => std::env::home_dir()
            .map(|home| home.join(rest.trim_start_matches('/')))
            .unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    };
    std::fs::canonicalize(&expanded)
        .map_err(|_| ToolError::new(format!("Path not found: {}", expanded.display())))
}

/// A release lookup as the agent takes it: `code:version` becomes `code@version`.
pub fn release_lookup(lookup: &str) -> String {
    let lookup = lookup.trim();
    if !lookup.contains('@')
        && let Some((code, version)) = lookup.rsplit_once(':')
    {
        return format!("{code}@{version}");
    }
    lookup.to_owned()
}

#[tool_router(router = plugin_tools, vis = "pub(crate)")]
impl SynapseServer {
    /// `list_plugin_releases`.
    #[tool(
        description = "List the plugin releases cached on the active environment's agent (a window: limit, offset)."
    )]
    async fn list_plugin_releases(
        &self,
        Parameters(args): Parameters<WindowArgs>,
    ) -> CallToolResult {
        self.finish(self.releases(args).await)
    }

    /// `get_plugin_release`.
    #[tool(description = "Show one plugin release on the agent, by id or code@version.")]
    async fn get_plugin_release(&self, Parameters(args): Parameters<LookupArgs>) -> CallToolResult {
        self.finish(self.release(args).await)
    }

    /// `discover_local_plugin`.
    #[tool(
        description = "Read a local plugin directory's config.yaml: the plugin's config and its actions."
    )]
    async fn discover_local_plugin(
        &self,
        Parameters(args): Parameters<PathArgs>,
    ) -> CallToolResult {
        self.finish(discover(&args.path))
    }

    /// `get_action_config`.
    #[tool(
        description = "One action of a local plugin: its config (name, description, entrypoint, method) and its params_schema and result_schema as written in config.yaml, else null (the Python server derives them from the action's Pydantic models, which needs Python)."
    )]
    async fn get_action_config(&self, Parameters(args): Parameters<ActionArgs>) -> CallToolResult {
        self.finish(action_config(&args.path, &args.action))
    }

    /// `validate_plugin_config`.
    #[tool(
        description = "Check a local plugin's config.yaml: required fields (code, actions with an entrypoint) are errors, recommended ones (name, version) warnings."
    )]
    async fn validate_plugin_config(
        &self,
        Parameters(args): Parameters<PathArgs>,
    ) -> CallToolResult {
        self.finish(validate(&args.path))
    }
}

impl SynapseServer {
    async fn releases(&self, args: WindowArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let agent = snapshot.active()?.agent()?;
        let (total, releases) = window(
            agent.list_plugin_releases().items(),
            args.limit,
            args.offset,
        )
        .await?;
        Ok(json!({
            "success": true,
            "releases": releases,
            "total": total,
            "limit": args.limit,
            "offset": args.offset,
        }))
    }

    async fn release(&self, args: LookupArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let agent = snapshot.active()?.agent()?;
        let release = agent
            .get_plugin_release(release_lookup(&args.lookup))
            .await?;
        Ok(
            json!({"success": true, "release": serde_json::to_value(&release).unwrap_or(Value::Null)}),
        )
    }
}

/// Opens the plugin at `path` (resolved as Python does).
pub fn open_plugin(path: &str) -> Result<PluginDir, ToolError> {
    Ok(PluginDir::open(&resolve_path(path)?)?)
}

fn discover(path: &str) -> ToolResult {
    let plugin = open_plugin(path)?;
    let actions: Vec<Value> = plugin
        .actions()
        .into_iter()
        .map(|a| json!({"name": a.name, "description": a.description, "method": a.method}))
        .collect();
    Ok(json!({
        "success": true,
        "path": plugin.root().display().to_string(),
        "plugin_config": plugin.config(),
        "actions": actions,
    }))
}

fn action_config(path: &str, action: &str) -> ToolResult {
    let plugin = open_plugin(path)?;
    let actions = plugin.actions();
    let Some(info) = actions.iter().find(|a| a.name == action) else {
        let names: Vec<&str> = actions.iter().map(|a| a.name.as_str()).collect();
        return Err(ToolError::new(format!(
            "Action \"{action}\" not found (available actions: {})",
            names.join(", ")
        )));
    };
    let spec = &plugin.config()["actions"][action];
    let schema = |key: &str| spec.get(key).cloned().unwrap_or(Value::Null);
    Ok(json!({
        "success": true,
        "action": action,
        "config": {
            "name": info.name,
            "description": info.description,
            "entrypoint": info.entrypoint,
            "method": info.method,
        },
        "params_schema": schema("params_schema"),
        "result_schema": schema("result_schema"),
    }))
}

fn validate(path: &str) -> ToolResult {
    let plugin = open_plugin(path)?;
    let check = plugin.validate();
    Ok(json!({
        "success": true,
        "valid": check.is_valid(),
        "path": plugin.root().display().to_string(),
        "errors": check.errors,
        "warnings": check.warnings,
        "config": plugin.config(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colon_lookup_becomes_an_at_lookup() {
        assert_eq!(release_lookup("yolo:1.0"), "yolo@1.0");
        assert_eq!(release_lookup("yolo@1.0"), "yolo@1.0");
        assert_eq!(release_lookup("12"), "12");
    }

    #[test]
    fn an_action_config_carries_the_schemas_written_in_the_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config.yaml"),
            "code: hello\nactions:\n  train:\n    entrypoint: p:T\n    params_schema: {type: object}\n",
        )
        .expect("write");
        let path = dir.path().display().to_string();
        let answer = action_config(&path, "train").expect("config");
        assert_eq!(answer["params_schema"], json!({"type": "object"}));
        assert_eq!(answer["result_schema"], Value::Null);
        let err = action_config(&path, "deploy").expect_err("missing");
        assert!(err.0.contains("available actions: train"), "{}", err.0);
        let err = validate("/nonexistent/plugin").expect_err("missing");
        assert!(err.0.starts_with("Path not found"), "{}", err.0);
    }
}
