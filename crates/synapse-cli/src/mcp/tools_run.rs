//! Run tools: run_plugin (a release, on the agent), run_debug_plugin (a plugin directory,
//! on the agent) and run_local_plugin (a plugin directory, here, through Python).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::mcp::local_run;
use crate::mcp::reply::{ToolError, ToolResult};
use crate::mcp::server::SynapseServer;
use crate::mcp::tools_plugin::{release_lookup, resolve_path};

/// `run_plugin`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RunArgs {
    /// The release to run: its id, or `code@version` (`code:version` is accepted too).
    pub plugin: String,
    /// The action to run (e.g. train, inference).
    pub action: String,
    /// The action's parameters.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
}

/// `run_debug_plugin`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DebugRunArgs {
    /// The plugin's directory; the agent reads the code from this path on its own host.
    pub path: String,
    /// The action to run.
    pub action: String,
    /// The action's parameters.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
}

fn local() -> String {
    "local".to_owned()
}

/// `run_local_plugin`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct LocalRunArgs {
    /// The plugin's directory (`~` is expanded).
    pub path: String,
    /// The action to run.
    pub action: String,
    /// The action's parameters.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
    /// Where it runs: `local` (in the Python process), `task` (a Ray actor) or `job` (a Ray
    /// job).
    #[serde(default = "local")]
    pub mode: String,
}

#[tool_router(router = run_tools, vis = "pub(crate)")]
impl SynapseServer {
    /// `run_plugin`.
    #[tool(
        description = "Run an action of a published plugin release on the active environment's agent; answers the job the agent started, or the action's direct result."
    )]
    async fn run_plugin(&self, Parameters(args): Parameters<RunArgs>) -> CallToolResult {
        self.finish(self.run_release(args).await)
    }

    /// `run_debug_plugin`.
    #[tool(
        description = "Debug-run an action of a plugin directory on the agent, without publishing it (the agent reads the code at that path on its host)."
    )]
    async fn run_debug_plugin(&self, Parameters(args): Parameters<DebugRunArgs>) -> CallToolResult {
        self.finish(self.run_debug(args).await)
    }

    /// `run_local_plugin`.
    #[tool(
        description = "Run an action of a local plugin directory on this machine, without an agent, through Python and the synapse-sdk package (python3, or the interpreter in SYNAPSE_PYTHON). mode: local, task (Ray actor) or job (Ray job)."
    )]
    async fn run_local_plugin(&self, Parameters(args): Parameters<LocalRunArgs>) -> CallToolResult {
        self.finish(run_local(args).await)
    }
}

impl SynapseServer {
    async fn run_release(&self, args: RunArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let agent = snapshot.active()?.agent()?;
        let run = agent
            .run_plugin_release(release_lookup(&args.plugin), args.action)
            .params(args.params.unwrap_or_default())
            .await?;
        Ok(json!({"success": true, "result": serde_json::to_value(&run).unwrap_or(Value::Null)}))
    }

    async fn run_debug(&self, args: DebugRunArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let agent = snapshot.active()?.agent()?;
        let path = resolve_path(&args.path)?;
        let run = agent
            .run_debug_plugin_release(args.action)
            .params(args.params.unwrap_or_default())
            .plugin_path(path.display().to_string())
            .await?;
        Ok(json!({"success": true, "result": serde_json::to_value(&run).unwrap_or(Value::Null)}))
    }
}

async fn run_local(args: LocalRunArgs) -> ToolResult {
    let path = resolve_path(&args.path)?;
    if !["local", "task", "job"].contains(&args.mode.as_str()) {
        return Err(ToolError::new(format!(
            "Invalid mode: {}. Use local, task, or job.",
            args.mode
        )));
    }
    let result = local_run::run(
        &path,
        &args.action,
        &args.params.unwrap_or_default(),
        &args.mode,
    )
    .await?;
    Ok(json!({"success": true, "result": result, "mode": args.mode}))
}
