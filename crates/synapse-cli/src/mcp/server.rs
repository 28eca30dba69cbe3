//! The MCP server: the tools of every group in one router, served over stdin/stdout.
//!
//! Only JSON-RPC goes to stdout; the few lines the server logs go to stderr.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolResult, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, ServiceExt, tool_handler};

use crate::context::Globals;
use crate::exit::CliError;
use crate::mcp::environments::Session;
use crate::mcp::reply::{ToolResult, finish};

/// What the server tells the assistant about itself.
const INSTRUCTIONS: &str = "Synapse: manage environments and agents, develop, publish and run \
plugins, follow jobs and their logs, and manage Ray Serve applications and models. Start \
with get_current_environment(); tools answer JSON.";

/// The Synapse MCP server.
#[derive(Debug, Clone)]
pub struct SynapseServer {
    /// The config file and the active environment.
    pub(crate) session: Arc<Session>,
    tool_router: ToolRouter<Self>,
}

impl SynapseServer {
    /// A server on the config file the options name.
    pub fn new(globals: &Globals) -> Result<Self, CliError> {
        Ok(SynapseServer {
            session: Arc::new(Session::new(globals)?),
            tool_router: Self::environment_tools()
                + Self::plugin_tools()
                + Self::run_tools()
                + Self::job_tools()
                + Self::publish_tools(),
        })
    }

    /// The answer to send: the result with every secret of the config file masked.
    pub(crate) fn finish(&self, result: ToolResult) -> CallToolResult {
        let secrets = self
            .session
            .snapshot()
            .map(|s| s.secrets())
            .unwrap_or_default();
        finish(result, &secrets)
    }

    /// The names of the tools, sorted.
    #[cfg(test)]
    pub fn tool_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .tool_router
            .list_all()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        names.sort();
        names
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SynapseServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("synapse", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves MCP over stdin/stdout until the client closes stdin.
pub async fn serve(globals: &Globals) -> Result<(), CliError> {
    let server = SynapseServer::new(globals)?;
    match server.session.snapshot() {
        Ok(snapshot) => eprintln!(
            "[synapse-mcp] config {}; environments: [{}]; active: {}",
            server.session.path().display(),
            snapshot.names().join(", "),
            snapshot.active.as_deref().unwrap_or("none"),
        ),
        Err(e) => eprintln!("[synapse-mcp] {}", crate::output::escape(&e.0)),
    }
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CliError::Failed(format!("MCP session did not start: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| CliError::Failed(format!("MCP session failed: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_has_the_python_servers_25_tools() {
        let server = SynapseServer::new(&Globals {
            config: Some("/nonexistent/config.json".into()),
            ..Globals::default()
        })
        .expect("server");
        let names = server.tool_names();
        assert_eq!(names.len(), 25, "{names:?}");
    }
}
