//! `synapse mcp serve|init`: the MCP server for AI assistants, on the official Rust MCP SDK
//! (`rmcp`), with the Python server's 25 tools, and the command writing its config.
//!
//! `synapse mcp serve` speaks MCP over stdin/stdout (register it with `claude mcp add
//! synapse -- synapse mcp serve`, or in Cursor's `mcp.json` as `"command": "synapse",
//! "args": ["mcp", "serve"]`). Its environments live in the config file (`--config`, else
//! `~/.synapse/config.json`); with none there, a logged-in command line gives it one named
//! `default` (see [`environments`]). Each tool answers a JSON document (the Python server's
//! success shapes) or a tool error (`isError: true`) with the SDK's message; no answer ever
//! holds a token.

mod environments;
mod init;
mod local_run;
mod reply;
mod server;
mod tools_env;
mod tools_jobs;
mod tools_plugin;
mod tools_publish;
mod tools_run;

use crate::cli::McpCommand;
use crate::context::Globals;
use crate::exit::CliError;

/// Runs `synapse mcp …`.
pub async fn run(globals: &Globals, command: McpCommand) -> Result<(), CliError> {
    match command {
        McpCommand::Serve => server::serve(globals).await,
        McpCommand::Init { force } => init::run(globals, force),
    }
}
