//! `synapse`: the Synapse command line and MCP server, built on the synapse-rs SDK.
//!
//! Run `synapse --help` for the commands; the exit codes are listed there and in
//! [`exit`].

mod cli;
mod commands;
mod config;
mod context;
mod exit;
mod mcp;
mod output;
mod package;
mod plugin_dir;
mod publish;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::context::Ctx;
use crate::exit::CliError;
use crate::output::escape;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILED);
        }
    };
    let json = cli.globals.json;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => {
            report(&error, json);
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let globals = cli.globals;
    match cli.command {
        Command::Mcp(command) => mcp::run(&globals, command).await,
        Command::Login(args) => commands::login::run(&globals, args).await,
        Command::Doctor => commands::doctor::run(&globals).await,
        command => {
            let ctx = Ctx::load(&globals)?;
            commands::dispatch(&ctx, command).await
        }
    }
}

/// Prints an error on stderr (as JSON with `--json`), escaped; secrets never reach it.
fn report(error: &CliError, json: bool) {
    let message = error.to_string();
    if json {
        let body = serde_json::json!({
            "error": message,
            "exit_code": error.exit_code(),
        });
        eprintln!("{body}");
    } else {
        eprintln!("error: {}", escape(&message));
    }
}
