//! The `synapse-fake` program, started as a child process and used over real HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::Value;

const PROGRAM: &str = env!("CARGO_BIN_EXE_synapse-fake");

/// The running program; killed and reaped when dropped, also when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the program with `args`; its stdout lines arrive on the receiver.
fn start(args: &[&str]) -> (Running, Receiver<String>) {
    let mut running = Running(
        Command::new(PROGRAM)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the program starts"),
    );
    let stdout = running.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (running, rx)
}

/// The next stdout line (at most 60 s away: creating jobs and starting on a busy machine).
fn next_line(lines: &Receiver<String>) -> String {
    lines
        .recv_timeout(Duration::from_secs(60))
        .expect("a start-up line within 60 s")
}

async fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.header("Synapse-Access-Token", format!("Token {token}"));
    }
    let resp = request.send().await.expect("request");
    let status = resp.status().as_u16();
    let body = resp.bytes().await.expect("body");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

#[tokio::test]
async fn json_start_up_line_and_seeded_jobs_over_http() {
    let (_running, lines) = start(&[
        "--bind",
        "127.0.0.1:0",
        "--json",
        "--seed",
        "jobs=5",
        "--seed",
        "log_job=50",
        "--seed",
        "plugins=2",
    ]);
    let facts: Value = serde_json::from_str(&next_line(&lines)).expect("one JSON line");
    let url = facts["backend_url"].as_str().expect("backend_url");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    assert!(!url.ends_with(":0/"), "the real port: {url}");
    assert_eq!(facts["agent_url"], format!("{url}agent/").as_str());
    assert_eq!(facts["access_token"], "fake-access-token");
    assert_eq!(facts["agent_token"], "fake-agent-token");
    assert_eq!(facts["tenant"], Value::Null);
    assert_eq!(facts["control_url"], format!("{url}_fake/").as_str());
    assert_eq!(facts["plugin_ids"].as_array().map(Vec::len), Some(2));
    assert_eq!(facts["release_ids"].as_array().map(Vec::len), Some(2));
    let job_ids: Vec<&str> = facts["job_ids"]
        .as_array()
        .expect("job_ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(job_ids.len(), 5);
    let log_job = facts["log_job_ids"][0].as_str().expect("log_job_ids[0]");
    let token = facts["access_token"].as_str();

    let (status, _) = get(&format!("{url}jobs/"), None).await;
    assert_eq!(status, 401, "the token is required");
    let (status, page) = get(&format!("{url}jobs/?page_size=100"), token).await;
    assert_eq!(status, 200);
    assert_eq!(page["count"], 6);
    let listed: Vec<&str> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|j| j["id"].as_str())
        .collect();
    let mut seeded = job_ids.clone();
    seeded.push(log_job);
    assert_eq!(listed, seeded);

    let (status, console) = get(&format!("{url}jobs/{log_job}/console_logs/"), token).await;
    assert_eq!(status, 200);
    let lines = console.as_array().expect("an array of lines");
    assert_eq!(lines.len(), 50);
    assert!(
        lines[49]
            .as_str()
            .is_some_and(|l| l.contains("line 00000049"))
    );

    // The seeded plugins can be run on their release 1.0.0.
    let resp = reqwest::Client::new()
        .post(format!("{url}plugins/plugin-2/run/"))
        .header("Synapse-Access-Token", "Token fake-access-token")
        .header("Content-Type", "application/json")
        .body(r#"{"action": "train"}"#)
        .send()
        .await
        .expect("run");
    assert_eq!(resp.status().as_u16(), 201);
}

#[test]
fn readable_start_up_lines() {
    let (_running, lines) = start(&[
        "--seed",
        "log_job=3",
        "--tenant",
        "acme",
        "--seed",
        "plugins=2",
    ]);
    let printed: Vec<String> = (0..8).map(|_| next_line(&lines)).collect();
    assert_eq!(printed[0], "synapse-fake listening");
    assert!(
        printed[1].starts_with("  backend: http://127.0.0.1:"),
        "{printed:?}"
    );
    assert!(printed[1].ends_with("/  (Synapse-Access-Token: Token fake-access-token)"));
    assert!(
        printed[2].starts_with("  agent:   http://127.0.0.1:"),
        "{printed:?}"
    );
    assert!(printed[2].ends_with("/agent/  (Authorization: fake-agent-token)"));
    assert!(
        printed[3].starts_with("  control: http://127.0.0.1:")
            && printed[3].ends_with("/_fake/  (no credentials)"),
        "{printed:?}"
    );
    assert_eq!(printed[4], "  tenant:  acme  (SYNAPSE-Tenant: Token acme)");
    assert_eq!(
        printed[5],
        "  plugins: 2 seeded (plugin-1 …), each with release 1.0.0"
    );
    assert_eq!(
        printed[6],
        "  log job: 00000000-0000-4000-8000-000000000001  (3 console lines)"
    );
    assert_eq!(printed[7], "press Ctrl-C to stop");
}

#[test]
fn help_exits_0_and_names_the_options() {
    let out = Command::new(PROGRAM)
        .arg("--help")
        .output()
        .expect("the program runs");
    assert!(out.status.success(), "{:?}", out.status);
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--bind",
        "--access-token",
        "--agent-token",
        "--tenant",
        "--seed",
        "plugins=N",
        "--json",
        "--version",
    ] {
        assert!(help.contains(option), "{option} in {help}");
    }
}

#[test]
fn invalid_options_are_refused_without_a_panic() {
    for args in [
        &["--bind", "nowhere"][..],
        &["--seed", "jobs=many"],
        &["--seed", "users=3"],
        &["--no-such-option"],
    ] {
        let out = Command::new(PROGRAM)
            .args(args)
            .output()
            .expect("the program runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error:") && !err.contains("panicked"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn page_delay_slows_every_list_page_and_nothing_else() {
    let (_running, lines) = start(&["--json", "--page-delay-ms", "300", "--seed", "jobs=2"]);
    let facts: Value = serde_json::from_str(&next_line(&lines)).expect("one JSON line");
    let url = facts["backend_url"].as_str().expect("backend_url");
    let token = facts["access_token"].as_str();
    let job = facts["job_ids"][0].as_str().expect("a job");
    let started = std::time::Instant::now();
    let (status, _) = get(&format!("{url}jobs/"), token).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let (status, _) = get(&format!("{url}jobs/{job}/"), token).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}
