//! Environment and agent tools: switch_environment, list_environments,
//! get_current_environment, add_environment, list_agents, select_agent, clear_agent.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::config::AgentEntry;
use crate::mcp::reply::{ToolError, ToolResult};
use crate::mcp::server::SynapseServer;

/// `switch_environment`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SwitchArgs {
    /// The environment's name (see list_environments).
    pub name: String,
}

/// `add_environment`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AddArgs {
    /// The environment's name (e.g. prod, test, demo).
    pub name: String,
    /// The Synapse backend's API URL.
    #[serde(default)]
    pub backend_url: Option<String>,
    /// The access token for that backend.
    #[serde(default)]
    pub access_token: Option<String>,
    /// The tenant code.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Make it the default environment (the one active when the server starts).
    #[serde(default)]
    pub set_as_default: bool,
}

/// `select_agent`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SelectAgentArgs {
    /// The agent's id (see list_agents).
    pub agent_id: i64,
}

#[tool_router(router = environment_tools, vis = "pub(crate)")]
impl SynapseServer {
    /// `switch_environment`.
    #[tool(
        description = "Make another configured environment (e.g. prod, test, local) the active one for this session."
    )]
    async fn switch_environment(&self, Parameters(args): Parameters<SwitchArgs>) -> CallToolResult {
        self.finish(self.switch(args))
    }

    /// `list_environments`.
    #[tool(
        description = "List the configured environments (tokens hidden) and which one is active."
    )]
    async fn list_environments(&self) -> CallToolResult {
        self.finish(self.environments())
    }

    /// `get_current_environment`.
    #[tool(
        description = "Show the active environment and whether its backend and agent are configured."
    )]
    async fn get_current_environment(&self) -> CallToolResult {
        self.finish(self.current())
    }

    /// `add_environment`.
    #[tool(
        description = "Add an environment, or update one (values not given are kept), saved in the config file. Then use list_agents() and select_agent() to choose its agent."
    )]
    async fn add_environment(&self, Parameters(args): Parameters<AddArgs>) -> CallToolResult {
        self.finish(self.add(args))
    }

    /// `list_agents`.
    #[tool(
        description = "List the agents of the active environment's workspace (from its backend); select_agent() chooses the one plugins run on."
    )]
    async fn list_agents(&self) -> CallToolResult {
        self.finish(self.agents().await)
    }

    /// `select_agent`.
    #[tool(
        description = "Select the agent plugins run on in the active environment: its URL and token are read from the backend and saved in the config file."
    )]
    async fn select_agent(&self, Parameters(args): Parameters<SelectAgentArgs>) -> CallToolResult {
        self.finish(self.select(args.agent_id).await)
    }

    /// `clear_agent`.
    #[tool(description = "Forget the active environment's agent.")]
    async fn clear_agent(&self) -> CallToolResult {
        self.finish(self.clear())
    }
}

impl SynapseServer {
    fn switch(&self, args: SwitchArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let Some(named) = snapshot.get(&args.name) else {
            return Err(ToolError::new(format!(
                "Environment \"{}\" not found (environments: {})",
                args.name,
                snapshot.names().join(", ")
            )));
        };
        self.session.choose(Some(args.name.clone()));
        eprintln!("[synapse-mcp] switched to environment {}", args.name);
        Ok(json!({
            "success": true,
            "message": format!("Switched to environment: {}", args.name),
            "environment": named.to_json(),
        }))
    }

    fn environments(&self) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let environments: Vec<_> = snapshot.environments.iter().map(|e| e.to_json()).collect();
        Ok(json!({
            "environments": environments,
            "active_environment": snapshot.active,
            "config_path": self.session.path().display().to_string(),
        }))
    }

    fn current(&self) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let Ok(env) = snapshot.active() else {
            return Ok(json!({
                "active": false,
                "message": "No environment is active. Use switch_environment() to choose one, or add_environment() to add one.",
                "available_environments": snapshot.names(),
            }));
        };
        let status = |configured: bool, built: Result<(), ToolError>| match (configured, built) {
            (false, _) => "not_configured".to_owned(),
            (true, Ok(())) => "connected".to_owned(),
            (true, Err(e)) => format!("error: {}", e.0),
        };
        Ok(json!({
            "active": true,
            "environment": env.to_json(),
            "backend_status": status(env.env.has_backend(), env.backend().map(|_| ())),
            "agent_status": status(env.env.has_agent(), env.agent().map(|_| ())),
        }))
    }

    fn add(&self, args: AddArgs) -> ToolResult {
        let before = self.session.snapshot()?.active;
        let named = self.session.write_environment(
            &args.name,
            args.backend_url,
            args.access_token,
            args.tenant,
            args.set_as_default,
        )?;
        // As in the Python server: the active environment stays, or becomes this one when
        // none was active.
        let after = self.session.snapshot()?;
        let keep = before.filter(|b| after.get(b).is_some());
        self.session
            .choose(Some(keep.unwrap_or_else(|| args.name.clone())));
        Ok(json!({
            "success": true,
            "message": format!(
                "Environment \"{}\" added/updated. Use list_agents() and select_agent() to configure an agent.",
                args.name
            ),
            "environment": named.to_json(),
        }))
    }

    async fn agents(&self) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let env = snapshot.active()?;
        let agents = env.backend()?.list_agents().await?.results;
        let list: Vec<_> = agents
            .iter()
            .map(|a| {
                json!({
                    "id": a.id.map(|i| i.get()),
                    "name": a.name,
                    "url": a.url,
                    "status": a.status.as_ref().map(|s| s.as_str().to_owned()),
                    "is_connected": a.is_connected(),
                })
            })
            .collect();
        Ok(json!({
            "success": true,
            "agents": list,
            "current_agent_id": env.env.agent_id,
            "hint": "Use select_agent(agent_id) to select an agent for execution.",
        }))
    }

    async fn select(&self, agent_id: i64) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let env = snapshot.active()?;
        let agents = env.backend()?.list_agents().await?.results;
        let Some(agent) = agents
            .iter()
            .find(|a| a.id.map(|i| i.get()) == Some(agent_id))
        else {
            let ids: Vec<String> = agents
                .iter()
                .filter_map(|a| a.id.map(|i| i.get().to_string()))
                .collect();
            return Err(ToolError::new(format!(
                "Agent {agent_id} not found (available ids: {})",
                if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                }
            )));
        };
        let entry = AgentEntry {
            id: agent_id,
            name: agent.name.clone(),
            url: agent.url.clone(),
            token: agent.effective_token().map(|t| t.expose().to_owned()),
        };
        self.session.write_agent(&env.name, Some(entry))?;
        eprintln!(
            "[synapse-mcp] selected agent {agent_id} for environment {}",
            env.name
        );
        Ok(json!({
            "success": true,
            "message": format!(
                "Agent \"{}\" selected for current environment.",
                agent.name.as_deref().unwrap_or("unnamed")
            ),
            "agent": {
                "id": agent_id,
                "name": agent.name,
                "url": agent.url,
                "status": agent.status.as_ref().map(|s| s.as_str().to_owned()),
            },
        }))
    }

    fn clear(&self) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let env = snapshot
            .active()
            .map_err(|_| ToolError::new("No active environment."))?;
        self.session.write_agent(&env.name, None)?;
        Ok(json!({
            "success": true,
            "message": "Agent cleared for current environment.",
        }))
    }
}
