//! `synapse upload`.

use crate::cli::UploadArgs;
use crate::context::Ctx;
use crate::exit::CliError;

/// Runs `synapse upload`.
pub async fn run(_ctx: &Ctx, _args: UploadArgs) -> Result<(), CliError> {
    Err(CliError::usage("TODO(upload)"))
}
