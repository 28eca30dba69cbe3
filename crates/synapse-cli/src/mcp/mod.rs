//! `synapse mcp serve|init`.

use crate::cli::McpCommand;
use crate::context::Globals;
use crate::exit::CliError;

/// Runs `synapse mcp …`.
pub async fn run(_globals: &Globals, _command: McpCommand) -> Result<(), CliError> {
    Err(CliError::usage("TODO(mcp helper)"))
}
