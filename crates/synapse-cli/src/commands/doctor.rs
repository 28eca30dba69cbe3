//! `synapse doctor`.

use crate::context::Ctx;
use crate::exit::CliError;

/// Runs `synapse doctor`.
pub async fn run(_ctx: &Ctx) -> Result<(), CliError> {
    Err(CliError::usage("TODO(doctor)"))
}
