//! One module per command group.

pub mod agent;
pub mod doctor;
pub mod job;
pub mod login;
pub mod model;
pub mod plugin;
pub mod serve;
pub mod upload;

use crate::cli::Command;
use crate::context::Ctx;
use crate::exit::CliError;

/// Runs a command that needs the resolved settings.
pub async fn dispatch(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    match command {
        Command::Agent(command) => agent::run(ctx, command).await,
        Command::Plugin(command) => plugin::run(ctx, command).await,
        Command::Job(command) => job::run(ctx, command).await,
        Command::Upload(args) => upload::run(ctx, args).await,
        Command::Serve(command) => serve::run(ctx, command).await,
        Command::Model(command) => model::run(ctx, command).await,
        Command::Login(_) | Command::Doctor | Command::Mcp(_) => {
            Err(CliError::usage("not a settings command"))
        }
    }
}
