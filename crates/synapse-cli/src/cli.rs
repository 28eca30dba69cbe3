//! The command line's grammar.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::context::Globals;

/// The Synapse command line: log in, select an agent, package, publish and run plugins,
/// follow jobs, upload files, and serve MCP to AI assistants.
///
/// Exit codes: 0 success; 1 the work failed (a job ended FAILED or STOPPED, a check failed,
/// the platform refused the request); 2 usage; 3 authentication (no credentials, 401, 403);
/// 4 not found; 5 server error; 6 network error; 7 config file; 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "synapse", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,
    #[command(subcommand)]
    pub command: Command,
}

/// A command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Save a host and access token to the config file.
    Login(LoginArgs),
    /// Check the config, connectivity, the token and the agent, with a fix for each failure.
    Doctor,
    /// The agent plugins run on.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Package, publish and run plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Jobs on the backend.
    #[command(subcommand)]
    Job(JobCommand),
    /// Upload a file in chunks (resumable).
    Upload(UploadArgs),
    /// Ray Serve applications.
    #[command(subcommand)]
    Serve(ServeCommand),
    /// Models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// The MCP server for AI assistants.
    #[command(subcommand)]
    Mcp(McpCommand),
}

/// `synapse login`.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Read the token from stdin (one line) instead of prompting for it.
    #[arg(long)]
    pub token_stdin: bool,
    /// Check the token against the backend before saving it.
    #[arg(long)]
    pub verify: bool,
}

/// `synapse agent …`.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// List the agents of the workspace.
    List,
    /// Select the agent plugins run on (by id; prompts on a terminal without one).
    Select {
        /// The agent's id.
        id: Option<i64>,
    },
    /// Show the selected agent and whether it answers.
    Show,
    /// Forget the selected agent.
    Clear,
}

/// `synapse plugin …`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Package a plugin directory into a release archive (zip), honouring .gitignore and
    /// .synapseignore.
    Package {
        /// The plugin directory.
        #[arg(long, short = 'p', default_value = ".")]
        path: PathBuf,
        /// The archive to write [default: CODE-VERSION.zip in the current directory].
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
    /// Package the plugin, then create its release on the backend.
    Publish {
        /// The plugin directory.
        #[arg(long, short = 'p', default_value = ".")]
        path: PathBuf,
        /// The version to publish [default: the config's `version`].
        #[arg(long)]
        version: Option<String>,
        /// Publish as a debug release.
        #[arg(long)]
        debug: bool,
        /// Package and show what would be sent, without sending it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Run a plugin action, on the backend or on the selected agent (`--agent`).
    Run {
        /// The action (e.g. train, test, deploy).
        action: String,
        /// The plugin: a code, or `code@version` [default: the code in ./config.yaml].
        #[arg(long, short = 'p')]
        plugin: Option<String>,
        /// Parameters as a JSON object.
        #[arg(long, default_value = "{}")]
        params: String,
        /// Run on the selected agent instead of through the backend.
        #[arg(long)]
        agent: bool,
        /// Stream the job's log until it ends; the exit code follows its final status.
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// List a plugin's releases.
    Releases {
        /// The plugin code [default: the code in ./config.yaml].
        #[arg(long, short = 'p')]
        plugin: Option<String>,
    },
}

/// `synapse job …`.
#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// List jobs, newest first.
    List {
        /// Only jobs with this status (e.g. RUNNING, FAILED).
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show a job.
    Get {
        /// The job's id.
        id: String,
    },
    /// Print a job's console log; `--follow` streams it until the job ends.
    Logs {
        /// The job's id.
        id: String,
        /// Stream new lines until the job ends; the exit code follows its final status.
        #[arg(long, short = 'f')]
        follow: bool,
    },
    /// Stop a job.
    Stop {
        /// The job's id.
        id: String,
    },
}

/// `synapse upload`.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The file.
    pub file: PathBuf,
    /// Continue the interrupted upload of this file from its checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Chunk size in MiB.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub chunk_mib: u64,
    /// How many interruptions (timeouts, resets, 5xx) the upload survives before it stops
    /// and leaves its checkpoint.
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
}

/// `synapse serve …`.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// List the Serve applications.
    List,
    /// Show one application (on the selected agent).
    Get {
        /// The application's name.
        name: String,
    },
    /// Delete one application (on the selected agent).
    Delete {
        /// The application's name.
        name: String,
    },
}

/// `synapse model …`.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// List models.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show a model.
    Get {
        /// The model's id.
        id: i64,
    },
}

/// `synapse mcp …`.
#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Serve MCP over stdin/stdout.
    Serve,
    /// Write a config file with one environment (from the saved login when there is one).
    Init {
        /// Overwrite an existing config file.
        #[arg(long, short = 'f')]
        force: bool,
    },
}
