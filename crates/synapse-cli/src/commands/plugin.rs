//! `synapse plugin package|publish|run|releases`.

use crate::cli::PluginCommand;
use crate::context::Ctx;
use crate::exit::CliError;

/// Runs `synapse plugin …`.
pub async fn run(_ctx: &Ctx, _command: PluginCommand) -> Result<(), CliError> {
    Err(CliError::usage("TODO(plugin helper)"))
}
