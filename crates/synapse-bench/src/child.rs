//! The fake as a process of its own (`synapse-fake --json`), pinned to another core than the
//! bench when the machine has two, so that the server's work and the client's are measured
//! apart: the bench's lines then count the client's cost only.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::Res;

/// The core the fake runs on, and the one the bench runs on.
const FAKE_CORE: usize = 0;
const BENCH_CORE: usize = 1;

/// A running `synapse-fake` process; killed and reaped when dropped.
pub struct ChildFake {
    child: Child,
    /// Its backend URL.
    pub url: String,
    /// Its access token.
    pub token: String,
    /// The ids of the jobs `--seed jobs=N` created.
    pub job_ids: Vec<String>,
    /// The ids of the jobs `--seed log_job=LINES` created.
    pub log_job_ids: Vec<String>,
    /// How it was pinned (`taskset`, `sched_setaffinity` or not at all).
    pub pinning: &'static str,
}

impl Drop for ChildFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when there are two cores to split between the fake and the bench: read once,
/// before this process pins itself (after that, it sees only its own core).
fn two_cores() -> bool {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) >= 2
}

/// Pins this process (every thread it starts from now on) to the bench's core, when the
/// machine has two; returns whether it did.
pub fn pin_self() -> bool {
    if !two_cores() {
        return false;
    }
    let mut set = rustix::thread::CpuSet::new();
    set.set(BENCH_CORE);
    rustix::thread::sched_setaffinity(None, &set).is_ok()
}

/// `synapse-fake` beside this program (`cargo build --release -p synapse-fake` puts it
/// there), or `$SYNAPSE_FAKE`.
fn program() -> Res<PathBuf> {
    if let Some(path) = std::env::var_os("SYNAPSE_FAKE") {
        return Ok(PathBuf::from(path));
    }
    let me = std::env::current_exe()?;
    let beside = me.with_file_name("synapse-fake");
    if beside.is_file() {
        return Ok(beside);
    }
    Err(format!(
        "{} not found: build it (cargo build --release -p synapse-fake), set SYNAPSE_FAKE, \
         or pass --in-process",
        beside.display()
    )
    .into())
}

fn taskset() -> bool {
    Command::new("taskset")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl ChildFake {
    /// Starts `synapse-fake --json` with `args` (seeds, page delay) on the fake's core and
    /// waits for its start-up line.
    pub fn start(args: &[String]) -> Res<ChildFake> {
        let program = program()?;
        let (mut command, pinning) = if two_cores() && taskset() {
            let mut c = Command::new("taskset");
            c.arg("-c").arg(FAKE_CORE.to_string()).arg(&program);
            (c, "taskset")
        } else {
            (Command::new(&program), "none")
        };
        command
            .args(["--bind", "127.0.0.1:0", "--json"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let mut child = command.spawn()?;
        let mut pinning = pinning;
        if pinning == "none" && two_cores() {
            let mut set = rustix::thread::CpuSet::new();
            set.set(FAKE_CORE);
            let pid = rustix::process::Pid::from_raw(child.id() as i32);
            if pid.is_some_and(|pid| rustix::thread::sched_setaffinity(Some(pid), &set).is_ok()) {
                pinning = "sched_setaffinity";
            }
        }
        let stdout = child.stdout.take().ok_or("the fake has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let facts: Value = match serde_json::from_str(&line) {
            Ok(facts) => facts,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the fake's start-up line is not JSON ({e}): {line:?}").into());
            }
        };
        Ok(ChildFake {
            url: facts["backend_url"].as_str().unwrap_or_default().to_owned(),
            token: facts["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            job_ids: strings(&facts["job_ids"]),
            log_job_ids: strings(&facts["log_job_ids"]),
            pinning,
            child,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}
