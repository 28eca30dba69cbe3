//! What the command-line tests share: an embedded fake, a private HOME, and the real
//! `synapse` binary run against them.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use serde_json::{Value, json};
use synapse_fake::FakeServer;

/// A fake platform and a HOME of its own.
pub struct Env {
    /// The fake (backend and agent).
    pub fake: FakeServer,
    /// The HOME the binary sees.
    pub home: tempfile::TempDir,
}

impl Env {
    /// Starts a fake; HOME is empty (not logged in).
    pub async fn start() -> Env {
        Env {
            fake: FakeServer::start().await.expect("fake"),
            home: tempfile::tempdir().expect("home"),
        }
    }

    /// `~/.synapse/config.json` under the private HOME.
    pub fn config_path(&self) -> PathBuf {
        self.home.path().join(".synapse").join("config.json")
    }

    /// Writes the config file as the Python command writes it (`json.dumps(indent=2)`):
    /// logged in to the fake, with the fake's agent selected.
    pub fn write_python_config(&self) {
        let config = json!({
            "host": self.fake.url(),
            "access_token": self.fake.access_token(),
            "agent": {"id": 1, "name": "gpu-node-1", "url": self.fake.agent_url(), "token": self.fake.agent_token()},
        });
        self.write_config(&config);
    }

    /// Writes `value` as the config file.
    pub fn write_config(&self, value: &Value) {
        let path = self.config_path();
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    }

    /// The config file as JSON.
    pub fn read_config(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.config_path()).expect("read"))
            .expect("json")
    }

    /// Removes every fault armed on the fake (through its control plane).
    pub async fn clear_faults(&self) {
        reqwest::Client::new()
            .delete(format!("{}faults", self.fake.control_url()))
            .send()
            .await
            .expect("clear faults")
            .error_for_status()
            .expect("cleared");
    }

    /// Slows every chunked-upload PUT by `ms` milliseconds (so a test can act mid-upload).
    pub fn slow_chunk_puts(&self, ms: u64) {
        self.fake.inject(
            synapse_fake::Fault::new(
                synapse_fake::FaultAction::Delay(std::time::Duration::from_millis(ms)),
                1000,
            )
            .method(synapse_fake::Method::PUT)
            .path("/chunked_upload/"),
        );
    }

    /// The binary, with this HOME, no SYNAPSE_* variables and no terminal.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("synapse"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SYNAPSE_") {
                cmd.env_remove(&key);
            }
        }
        cmd.env("HOME", self.home.path())
            .env_remove("NO_COLOR")
            .env("COLUMNS", "120");
        cmd
    }

    /// Runs the binary with `args` (off the async runtime, so the fake keeps serving).
    pub async fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, None).await
    }

    /// Runs the binary with `args` and `stdin`.
    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command();
        cmd.args(args);
        let stdin = stdin.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            use std::process::Stdio;
            cmd.stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
            let mut child = cmd.spawn().expect("spawn synapse");
            if let Some(text) = stdin {
                let mut pipe = child.stdin.take().expect("stdin");
                // The program may exit before reading it (a broken pipe is its business).
                let _ = pipe.write_all(text.as_bytes());
            }
            child.wait_with_output().expect("wait")
        })
        .await
        .expect("join")
    }
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// stdout parsed as one JSON document (`--json`).
pub fn json_out(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}

/// The exit code, asserting the process was not killed by a signal.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited with a code")
}
