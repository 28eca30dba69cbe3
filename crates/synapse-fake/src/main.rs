//! `synapse-fake`: runs the embedded fake Synapse backend and agent until interrupted.
//!
//! ```sh
//! synapse-fake                                   # 127.0.0.1 and a port the system picks
//! synapse-fake --bind 127.0.0.1:8787 --seed jobs=100000 --seed log_job=200000
//! synapse-fake --bind 127.0.0.1:0 --json         # the start-up facts as one JSON line
//! synapse-fake --tenant acme --seed plugins=3     # a tenant check and three runnable plugins
//! ```
//!
//! While it runs, the control plane at `<url>/_fake/` arms faults, seeds data, switches the
//! tenant and reads the request log (see the `synapse_fake` crate docs).
//!
//! It prints its start-up facts once it listens and the jobs it was asked for exist, so a
//! script may send requests as soon as it has read them. See `synapse-fake --help` for every
//! option.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use synapse_fake::{FakeConfig, FakeServer};

/// The length of each console line of a `log_job=LINES` job, newline included.
const LOG_LINE_LEN: usize = 100;

/// Runs a fake Synapse backend (at /) and agent (at /agent/), in memory, until interrupted.
#[derive(Debug, Parser)]
#[command(name = "synapse-fake", version)]
struct Options {
    /// The address to listen on; port 0 lets the system pick one (printed at start-up).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// The backend's access token (`Synapse-Access-Token: Token <T>`).
    #[arg(long, value_name = "T", default_value_t = FakeConfig::default().access_token)]
    access_token: String,
    /// The agent token (bare `Authorization` on the agent, `SYNAPSE-Agent: Token <T>` on the
    /// backend).
    #[arg(long, value_name = "T", default_value_t = FakeConfig::default().agent_token)]
    agent_token: String,
    /// The tenant code; a request naming another tenant gets 403 (default: any tenant).
    #[arg(long, value_name = "CODE")]
    tenant: Option<String>,
    /// Data to create before serving, in the order given (repeatable): `jobs=N` adds N
    /// finished jobs; `log_job=LINES` adds one finished job whose console log has LINES
    /// lines (its id is printed); `plugins=N` adds N plugins (`plugin-1` …), each with a
    /// release `1.0.0` whose actions are `train` and `inference`, ready to run.
    #[arg(long, value_name = "KIND=N", value_parser = parse_seed)]
    seed: Vec<Seed>,
    /// Delay every page of a list by this many milliseconds (a slow server, for measuring
    /// pages fetched ahead).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    page_delay_ms: u64,
    /// Print the start-up facts as one JSON line (backend_url, agent_url, control_url,
    /// access_token, agent_token, tenant, job_ids, log_job_ids, plugin_ids, release_ids)
    /// instead of readable text.
    #[arg(long)]
    json: bool,
}

/// Data created before serving.
#[derive(Debug, Clone, Copy)]
enum Seed {
    /// `jobs=N`: N finished jobs.
    Jobs(usize),
    /// `log_job=LINES`: one finished job with a console log of LINES lines.
    LogJob(usize),
    /// `plugins=N`: N plugins, each with a runnable release.
    Plugins(usize),
}

fn parse_seed(value: &str) -> Result<Seed, String> {
    let expected = "expected jobs=N, log_job=LINES or plugins=N";
    let (kind, count) = value.split_once('=').ok_or(expected)?;
    let count: usize = count
        .parse()
        .map_err(|_| format!("{count:?} is not a count; {expected}"))?;
    match kind {
        "jobs" => Ok(Seed::Jobs(count)),
        "log_job" => Ok(Seed::LogJob(count)),
        "plugins" => Ok(Seed::Plugins(count)),
        _ => Err(format!("unknown kind {kind:?}; {expected}")),
    }
}

/// The seed body of `n` plugins numbered from `first`, each with a release `1.0.0`.
fn plugins(first: usize, n: usize) -> serde_json::Value {
    let codes: Vec<String> = (first..first + n).map(|i| format!("plugin-{i}")).collect();
    let actions = serde_json::json!({"train": {"entrypoint": "plugin.train"},
                                     "inference": {"entrypoint": "plugin.inference"}});
    serde_json::json!({
        "plugins": codes.iter().map(|code| serde_json::json!({
            "code": code, "name": code, "category": "neural_net"
        })).collect::<Vec<_>>(),
        "releases": codes.iter().map(|code| serde_json::json!({
            "plugin": code, "version": "1.0.0", "config": {"actions": actions}
        })).collect::<Vec<_>>(),
    })
}

/// The integers of a JSON array.
fn ids(list: &serde_json::Value) -> Vec<i64> {
    list.as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let options = Options::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("synapse-fake: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(options))
}

async fn serve(options: Options) -> ExitCode {
    let config = FakeConfig {
        bind: options.bind,
        access_token: options.access_token,
        agent_token: options.agent_token,
        tenant: options.tenant,
        page_delay: std::time::Duration::from_millis(options.page_delay_ms),
        ..FakeConfig::default()
    };
    let fake = match FakeServer::start_with(config).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("synapse-fake: cannot listen on {}: {e}", options.bind);
            return ExitCode::FAILURE;
        }
    };
    let mut job_ids = Vec::new();
    let mut log_jobs = Vec::new();
    let mut plugin_ids = Vec::new();
    let mut release_ids = Vec::new();
    for seed in &options.seed {
        match *seed {
            Seed::Jobs(n) => job_ids.extend(fake.seed_jobs(n)),
            Seed::LogJob(lines) => log_jobs.push((fake.seed_log_job(lines, LOG_LINE_LEN), lines)),
            Seed::Plugins(n) => {
                let first = plugin_ids.len() + 1;
                match fake.seed(plugins(first, n)) {
                    Ok(created) => {
                        plugin_ids.extend(ids(&created["plugin_ids"]));
                        release_ids.extend(ids(&created["release_ids"]));
                    }
                    Err(errors) => {
                        eprintln!("synapse-fake: cannot seed plugins: {errors}");
                        return ExitCode::FAILURE;
                    }
                }
            }
        }
    }
    if options.json {
        let facts = serde_json::json!({
            "backend_url": fake.url(),
            "agent_url": fake.agent_url(),
            "access_token": fake.access_token(),
            "agent_token": fake.agent_token(),
            "control_url": fake.control_url(),
            "tenant": fake.tenant(),
            "job_ids": job_ids,
            "log_job_ids": log_jobs.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "plugin_ids": plugin_ids,
            "release_ids": release_ids,
        });
        println!("{facts}");
    } else {
        println!("synapse-fake listening");
        println!(
            "  backend: {}  (Synapse-Access-Token: Token {})",
            fake.url(),
            fake.access_token()
        );
        println!(
            "  agent:   {}  (Authorization: {})",
            fake.agent_url(),
            fake.agent_token()
        );
        println!("  control: {}  (no credentials)", fake.control_url());
        if let Some(tenant) = fake.tenant() {
            println!("  tenant:  {tenant}  (SYNAPSE-Tenant: Token {tenant})");
        }
        if !plugin_ids.is_empty() {
            println!(
                "  plugins: {} seeded (plugin-1 …), each with release 1.0.0",
                plugin_ids.len()
            );
        }
        if let (Some(first), Some(last)) = (job_ids.first(), job_ids.last()) {
            println!("  jobs:    {} seeded, {first} … {last}", job_ids.len());
        }
        for (id, lines) in &log_jobs {
            println!("  log job: {id}  ({lines} console lines)");
        }
        println!("press Ctrl-C to stop");
    }
    std::future::pending::<ExitCode>().await
}
