//! `synapse mcp serve` spoken to over its stdin/stdout (newline-delimited JSON-RPC) against
//! the embedded fake, and `synapse mcp init`.

mod support;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Env, code, stderr, stdout};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// How long any one answer may take before the test fails.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The 25 tools of the Python server.
const TOOLS: [&str; 25] = [
    "switch_environment",
    "list_environments",
    "get_current_environment",
    "add_environment",
    "list_agents",
    "select_agent",
    "clear_agent",
    "list_plugin_releases",
    "get_plugin_release",
    "discover_local_plugin",
    "get_action_config",
    "validate_plugin_config",
    "publish_plugin",
    "run_plugin",
    "run_debug_plugin",
    "run_local_plugin",
    "list_jobs",
    "get_job",
    "get_job_logs",
    "stop_job",
    "list_serve_applications",
    "get_serve_application",
    "delete_serve_application",
    "list_models",
    "get_model",
];

/// A running `synapse mcp serve` and everything it printed on stdout.
struct Mcp {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    next_id: i64,
    transcript: String,
}

/// A tool's answer.
struct Answer {
    is_error: bool,
    text: String,
}

impl Answer {
    /// The text as JSON (a successful tool's document).
    fn json(&self) -> Value {
        assert!(!self.is_error, "tool error: {}", self.text);
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

impl Mcp {
    /// Starts the server with the env's HOME and `vars`, and initializes the session.
    async fn start(env: &Env, vars: &[(&str, &str)]) -> (Mcp, Value) {
        let mut cmd = tokio::process::Command::from(env.command());
        cmd.args(["mcp", "serve"])
            .envs(vars.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("spawn synapse mcp serve");
        let stdin = child.stdin.take().expect("stdin");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut mcp = Mcp {
            child,
            stdin,
            lines,
            next_id: 0,
            transcript: String::new(),
        };
        let init = mcp
            .request(
                "initialize",
                json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
            )
            .await;
        mcp.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        (mcp, init)
    }

    async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("write to the server");
        self.stdin.flush().await.expect("flush");
    }

    /// Sends a request; its result (a JSON-RPC error fails the test).
    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let line = tokio::time::timeout(ANSWER_TIMEOUT, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within {ANSWER_TIMEOUT:?}"))
                .expect("read stdout")
                .unwrap_or_else(|| panic!("the server closed stdout before answering {method}"));
            self.transcript.push_str(&line);
            self.transcript.push('\n');
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout holds a line that is not JSON ({e}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            if message["id"] == id {
                assert!(message.get("error").is_none(), "protocol error: {line}");
                return message["result"].clone();
            }
        }
    }

    /// Calls a tool.
    async fn call(&mut self, name: &str, arguments: Value) -> Answer {
        let result = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        let content = result["content"].as_array().expect("content");
        assert_eq!(content.len(), 1, "{result}");
        assert_eq!(content[0]["type"], "text", "{result}");
        Answer {
            is_error: result["isError"] == true,
            text: content[0]["text"].as_str().expect("text").to_owned(),
        }
    }

    /// Closes stdin and waits for the server to end; its exit code.
    async fn close(mut self) -> i32 {
        drop(self.stdin);
        let status = tokio::time::timeout(ANSWER_TIMEOUT, self.child.wait())
            .await
            .expect("the server ends when stdin closes")
            .expect("wait");
        status.code().expect("exit code")
    }
}

/// A config with one environment `fake` on the fake's backend (no agent), the default, and
/// a key of another tool.
fn backend_config(env: &Env) -> Value {
    json!({
        "github": {"org": "acme"},
        "default_environment": "fake",
        "environments": {"fake": {"backend_url": env.fake.url(), "access_token": env.fake.access_token()}},
    })
}

/// Runs a seeded plugin `n` times on agent 1 through the backend; the jobs' ids.
async fn run_on_agent_1(env: &Env, n: usize) -> Vec<String> {
    env.fake
        .seed(json!({
            "plugins": [{"code": "counter", "name": "Counter", "category": "custom"}],
            "releases": [{"plugin": "counter", "version": "1.0.0"}],
        }))
        .expect("seed");
    let backend = synapse_backend::BackendClient::builder(env.fake.url())
        .without_env()
        .access_token(env.fake.access_token())
        .build()
        .expect("backend client");
    let mut ids = Vec::new();
    for _ in 0..n {
        let job = backend
            .run_plugin("counter")
            .action("count")
            .agent(1)
            .await
            .expect("run on agent 1");
        ids.push(job.job_id().expect("a job started").to_string());
    }
    ids
}

/// Asserts no secret of the fake is in `text`.
fn assert_no_secret(env: &Env, text: &str) {
    assert!(
        !text.contains(env.fake.access_token()),
        "access token leaked"
    );
    assert!(!text.contains(env.fake.agent_token()), "agent token leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_lists_the_25_tools_and_lists_jobs_after_an_agent_is_selected() {
    let env = Env::start().await;
    // Jobs of no agent, and two run on agent 1 (the only ones list_jobs must show).
    let others = env.fake.seed_jobs(3);
    let ids = run_on_agent_1(&env, 2).await;
    env.write_config(&backend_config(&env));
    let (mut mcp, init) = Mcp::start(&env, &[]).await;
    assert_eq!(init["serverInfo"]["name"], "synapse", "{init}");
    assert!(init["capabilities"]["tools"].is_object(), "{init}");

    let tools = mcp.request("tools/list", json!({})).await;
    let tools = tools["tools"].as_array().expect("tools");
    let names: BTreeSet<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, TOOLS.into_iter().collect::<BTreeSet<_>>());
    let list_jobs = tools
        .iter()
        .find(|t| t["name"] == "list_jobs")
        .expect("list_jobs");
    let properties: BTreeSet<&str> = list_jobs["inputSchema"]["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(properties, BTreeSet::from(["limit", "status"]));
    assert!(
        tools
            .iter()
            .all(|t| t["description"].as_str().is_some_and(|d| d.len() > 10)),
        "every tool is described"
    );

    let before = mcp.call("list_jobs", json!({})).await;
    assert!(before.is_error);
    assert!(before.text.contains("select_agent"), "{}", before.text);

    let selected = mcp
        .call("select_agent", json!({"agent_id": 1}))
        .await
        .json();
    assert_eq!(selected["agent"]["id"], 1, "{selected}");
    assert_eq!(selected["agent"]["name"], "gpu-node-1", "{selected}");
    let saved = env.read_config();
    assert_eq!(saved["environments"]["fake"]["agent_id"], 1, "{saved}");
    assert!(saved["environments"]["fake"]["agent_token"].is_string());
    assert_eq!(saved["github"]["org"], "acme", "other keys are kept");

    let jobs = mcp.call("list_jobs", json!({"limit": 1})).await.json();
    assert_eq!(jobs["success"], true);
    assert_eq!(jobs["count"], 1, "{jobs}");
    let all = mcp.call("list_jobs", json!({})).await.json();
    let listed: BTreeSet<&str> = all["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .filter_map(|j| j["id"].as_str())
        .collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect());
    let agent_queries = env
        .fake
        .calls()
        .iter()
        .filter(|c| c.path_and_query.starts_with("/jobs/?") && c.path_and_query.contains("agent=1"))
        .count();
    assert_eq!(agent_queries, 2, "list_jobs filters on the selected agent");

    let one = mcp
        .call("get_job", json!({"job_id": others[0]}))
        .await
        .json();
    assert_eq!(one["job"]["id"], others[0].as_str());

    let env_list = mcp.call("list_environments", json!({})).await.json();
    assert_eq!(env_list["active_environment"], "fake");
    assert_eq!(env_list["environments"][0]["access_token"], "***");
    assert_eq!(env_list["environments"][0]["agent_token"], "***");
    assert_eq!(env_list["environments"][0]["has_agent"], true);

    assert_no_secret(&env, &mcp.transcript);
    assert_eq!(mcp.close().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_tool_is_a_tool_error_and_the_server_keeps_serving() {
    let env = Env::start().await;
    env.write_config(&backend_config(&env));
    let (mut mcp, _) = Mcp::start(&env, &[("SYNAPSE_PYTHON", "/nonexistent/python3")]).await;

    let missing = mcp
        .call(
            "get_job",
            json!({"job_id": "00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert!(missing.is_error, "{}", missing.text);
    assert!(missing.text.contains("404"), "{}", missing.text);
    assert!(missing.text.contains("Not found"), "{}", missing.text);

    let no_env = mcp
        .call("switch_environment", json!({"name": "prod"}))
        .await;
    assert!(no_env.is_error);
    assert!(
        no_env.text.contains("environments: fake"),
        "{}",
        no_env.text
    );

    let no_agent = mcp
        .call("run_plugin", json!({"plugin": "a@1", "action": "train"}))
        .await;
    assert!(no_agent.is_error);
    assert!(
        no_agent.text.contains("No agent configured"),
        "{}",
        no_agent.text
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().display().to_string();
    let mode = mcp
        .call(
            "run_local_plugin",
            json!({"path": path, "action": "train", "mode": "cluster"}),
        )
        .await;
    assert!(mode.is_error);
    assert_eq!(mode.text, "Invalid mode: cluster. Use local, task, or job.");
    let no_python = mcp
        .call("run_local_plugin", json!({"path": path, "action": "train"}))
        .await;
    assert!(no_python.is_error);
    assert!(
        no_python.text.contains("Python was not found"),
        "{}",
        no_python.text
    );
    let no_path = mcp
        .call(
            "discover_local_plugin",
            json!({"path": "/nonexistent/plugin"}),
        )
        .await;
    assert!(no_path.is_error);
    assert!(
        no_path.text.starts_with("Path not found"),
        "{}",
        no_path.text
    );

    // Still serving.
    let current = mcp.call("get_current_environment", json!({})).await.json();
    assert_eq!(current["active"], true);
    assert_eq!(current["backend_status"], "connected");
    assert_eq!(current["agent_status"], "not_configured");
    assert_eq!(current["environment"]["access_token"], "***");
    assert_no_secret(&env, &mcp.transcript);
    assert_eq!(mcp.close().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_plugin_runs_a_release_cached_on_the_agent() {
    let env = Env::start().await;
    env.fake
        .seed(json!({
            "plugins": [{"code": "hello", "name": "Hello", "category": "custom"}],
            "releases": [{"plugin": "hello", "version": "1.0.0", "config": {"actions": {"train": {"entrypoint": "plugin.train:Train"}}}}],
        }))
        .expect("seed");
    let agent = synapse_agent::AgentClient::builder(env.fake.agent_url(), env.fake.agent_token())
        .build()
        .expect("agent client");
    agent
        .create_plugin_release("hello", "1.0.0")
        .await
        .expect("cache the release on the agent");
    let mut config = backend_config(&env);
    config["environments"]["fake"]["agent_id"] = json!(1);
    config["environments"]["fake"]["agent_url"] = json!(env.fake.agent_url());
    config["environments"]["fake"]["agent_token"] = json!(env.fake.agent_token());
    env.write_config(&config);
    let (mut mcp, _) = Mcp::start(&env, &[]).await;

    let release = mcp
        .call("get_plugin_release", json!({"lookup": "hello:1.0.0"}))
        .await
        .json();
    assert_eq!(release["release"]["version"], "1.0.0", "{release}");

    let run = mcp
        .call(
            "run_plugin",
            json!({"plugin": "hello@1.0.0", "action": "train", "params": {"epochs": 2}}),
        )
        .await
        .json();
    assert_eq!(run["success"], true);
    let job_id = run["result"]["job_id"].as_str().expect("job id").to_owned();
    assert_eq!(
        env.fake.count(
            &synapse_fake::Method::POST,
            "/agent/plugin_releases/hello@1.0.0/run/"
        ),
        1,
        "the agent was asked to run the release"
    );
    let job = mcp.call("get_job", json!({"job_id": job_id})).await.json();
    assert_eq!(job["job"]["params"], json!({"epochs": 2}), "{job}");

    let not_cached = mcp
        .call(
            "run_plugin",
            json!({"plugin": "hello@9.9.9", "action": "train"}),
        )
        .await;
    assert!(not_cached.is_error);
    assert!(
        not_cached.text.contains("not cached"),
        "{}",
        not_cached.text
    );

    let plugin_dir = tempfile::tempdir().expect("plugin dir");
    let debug = mcp
        .call(
            "run_debug_plugin",
            json!({"path": plugin_dir.path().display().to_string(), "action": "train"}),
        )
        .await
        .json();
    assert!(debug["result"]["job_id"].is_string(), "{debug}");
    assert_eq!(
        env.fake.count(
            &synapse_fake::Method::POST,
            "/agent/plugin_releases/run_debug/"
        ),
        1
    );

    let releases = mcp.call("list_plugin_releases", json!({})).await.json();
    assert_eq!(releases["total"], 1, "{releases}");
    assert_no_secret(&env, &mcp.transcript);
    assert_eq!(mcp.close().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_plugin_packages_the_directory_and_creates_the_release() {
    let env = Env::start().await;
    env.write_config(&backend_config(&env));
    let plugin = tempfile::tempdir().expect("plugin dir");
    std::fs::write(
        plugin.path().join("config.yaml"),
        "code: greeter\nname: Greeter\nversion: 0.1.0\ncategory: custom\nactions:\n  greet:\n    entrypoint: plugin.greet:Greet\n    method: job\n",
    )
    .expect("config");
    std::fs::create_dir(plugin.path().join("plugin")).expect("mkdir");
    std::fs::write(plugin.path().join("plugin/greet.py"), "class Greet: pass\n").expect("py");
    let path = plugin.path().display().to_string();
    let (mut mcp, _) = Mcp::start(&env, &[]).await;

    let found = mcp
        .call("discover_local_plugin", json!({"path": path}))
        .await
        .json();
    assert_eq!(found["plugin_config"]["code"], "greeter");
    assert_eq!(
        found["actions"],
        json!([{"name": "greet", "description": null, "method": "job"}])
    );
    let valid = mcp
        .call("validate_plugin_config", json!({"path": path}))
        .await
        .json();
    assert_eq!(
        (valid["valid"].clone(), valid["errors"].clone()),
        (json!(true), json!([]))
    );
    let action = mcp
        .call(
            "get_action_config",
            json!({"path": path, "action": "greet"}),
        )
        .await
        .json();
    assert_eq!(action["config"]["entrypoint"], "plugin.greet:Greet");
    assert_eq!(action["params_schema"], Value::Null);

    let published = mcp
        .call("publish_plugin", json!({"path": path, "version": "0.2.0"}))
        .await
        .json();
    assert_eq!(published["release"]["version"], "0.2.0", "{published}");
    assert_eq!(
        published["message"],
        "Plugin \"greeter\" version 0.2.0 published"
    );
    let uploads = env
        .fake
        .calls()
        .iter()
        .filter(|c| {
            c.method == synapse_fake::Method::POST && c.path_and_query == "/plugin_releases/"
        })
        .count();
    assert_eq!(
        uploads, 2,
        "the release was sent again once the plugin was created"
    );
    assert_eq!(env.fake.count(&synapse_fake::Method::POST, "/plugins/"), 1);
    let again = mcp
        .call("publish_plugin", json!({"path": path, "version": "0.2.0"}))
        .await;
    assert!(again.is_error);
    assert!(again.text.contains("already exists"), "{}", again.text);
    assert_eq!(mcp.close().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_alone_gives_the_server_a_default_environment() {
    let env = Env::start().await;
    env.write_python_config();
    let (mut mcp, _) = Mcp::start(&env, &[]).await;
    let list = mcp.call("list_environments", json!({})).await.json();
    assert_eq!(list["active_environment"], "default");
    let default = &list["environments"][0];
    assert_eq!(default["backend_url"], env.fake.url().as_str());
    assert_eq!(default["access_token"], "***");
    assert_eq!(
        (default["agent_id"].clone(), default["has_agent"].clone()),
        (json!(1), json!(true))
    );
    let agents = mcp.call("list_agents", json!({})).await.json();
    assert_eq!(agents["current_agent_id"], 1);
    assert_eq!(agents["agents"].as_array().map(Vec::len), Some(2));
    let cleared = mcp.call("clear_agent", json!({})).await.json();
    assert_eq!(cleared["success"], true);
    let saved = env.read_config();
    assert!(saved.get("agent").is_none(), "{saved}");
    assert_eq!(saved["access_token"], env.fake.access_token());
    assert!(saved.get("environments").is_none(), "{saved}");

    let added = mcp
        .call("add_environment", json!({"name": "staging", "backend_url": env.fake.url(), "access_token": env.fake.access_token()}))
        .await
        .json();
    assert_eq!(added["environment"]["access_token"], "***");
    let saved = env.read_config();
    assert_eq!(saved["default_environment"], "staging");
    assert_eq!(saved["host"], env.fake.url().as_str(), "the login is kept");
    assert_no_secret(&env, &mcp.transcript);
    assert_eq!(mcp.close().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_init_writes_the_login_and_refuses_to_overwrite_without_force() {
    let env = Env::start().await;
    let mut config = json!({"host": env.fake.url(), "access_token": env.fake.access_token(), "github": {"org": "acme"}});
    env.write_config(&config);

    let refused = env.run(&["mcp", "init"]).await;
    assert_eq!(code(&refused), 0, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("already exists"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(env.read_config(), config, "the file is untouched");

    let output = env.run(&["mcp", "init", "--force"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed = format!("{}{}", stdout(&output), stderr(&output));
    assert_no_secret(&env, &printed);
    assert!(
        printed.contains("claude mcp add synapse -- synapse mcp serve"),
        "{printed}"
    );
    assert!(printed.contains("\"command\": \"synapse\""), "{printed}");
    config["default_environment"] = json!("default");
    config["environments"] = json!({"default": {"backend_url": env.fake.url(), "access_token": env.fake.access_token()}});
    assert_eq!(env.read_config(), config);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.config_path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let fresh = Env::start().await;
    let output = fresh.run(&["mcp", "init", "--json"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        (answer["created"].clone(), answer["from_login"].clone()),
        (json!(true), json!(false))
    );
    let saved = fresh.read_config();
    assert_eq!(
        saved["environments"]["default"],
        json!({"backend_url": "https://api.synapse.sh"})
    );
}

/// Writes an executable shell script standing in for Python.
#[cfg(unix)]
fn fake_python(dir: &std::path::Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.display().to_string()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_local_plugin_reads_the_python_runners_answer_and_stops_a_slow_run() {
    let env = Env::start().await;
    let bin = tempfile::tempdir().expect("bin dir");
    let plugin = tempfile::tempdir().expect("plugin dir");
    let path = plugin.path().display().to_string();
    // The arguments arrive on stdin; what the plugin prints is ignored; the marked line is
    // the answer.
    let answering = fake_python(
        bin.path(),
        "answering",
        r#"read -r args; echo "plugin noise"; echo "@@synapse-result@@{\"ok\": {\"args\": $args}}""#,
    );
    let (mut mcp, _) = Mcp::start(&env, &[("SYNAPSE_PYTHON", answering.as_str())]).await;
    let run = mcp
        .call(
            "run_local_plugin",
            json!({"path": path, "action": "train", "params": {"epochs": 1}, "mode": "task"}),
        )
        .await
        .json();
    assert_eq!(run["mode"], "task");
    let args = &run["result"]["args"];
    assert_eq!(args["action"], "train", "{run}");
    assert_eq!(args["params"], json!({"epochs": 1}));
    assert_eq!(args["mode"], "task");
    assert_eq!(mcp.close().await, 0);

    let missing = fake_python(
        bin.path(),
        "missing",
        r#"cat >/dev/null; echo '@@synapse-result@@{"missing": "synapse_sdk is not installed"}'; exit 3"#,
    );
    let (mut mcp, _) = Mcp::start(&env, &[("SYNAPSE_PYTHON", missing.as_str())]).await;
    let answer = mcp
        .call("run_local_plugin", json!({"path": path, "action": "train"}))
        .await;
    assert!(answer.is_error);
    assert_eq!(answer.text, "synapse_sdk is not installed");
    assert_eq!(mcp.close().await, 0);

    let slow = fake_python(bin.path(), "slow", "exec sleep 30");
    let (mut mcp, _) = Mcp::start(
        &env,
        &[
            ("SYNAPSE_PYTHON", slow.as_str()),
            ("SYNAPSE_LOCAL_RUN_TIMEOUT", "1"),
        ],
    )
    .await;
    let started = std::time::Instant::now();
    let answer = mcp
        .call("run_local_plugin", json!({"path": path, "action": "train"}))
        .await;
    assert!(answer.is_error);
    assert!(
        answer.text.contains("did not finish within 1 s"),
        "{}",
        answer.text
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(mcp.close().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_logs_models_and_serve_applications_answer_the_python_shapes() {
    let env = Env::start().await;
    let log_job = env.fake.seed_log_job(5, 60);
    env.write_config(&backend_config(&env));
    let (mut mcp, _) = Mcp::start(&env, &[]).await;

    let logs = mcp
        .call("get_job_logs", json!({"job_id": log_job, "lines": 2}))
        .await
        .json();
    assert_eq!(logs["job_id"], log_job.as_str());
    let text = logs["logs"].as_str().expect("logs");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("line 00000004"), "the last lines: {text}");

    let models = mcp.call("list_models", json!({"limit": 5})).await.json();
    let count = models["models"]["count"].as_u64().expect("count");
    let first = &models["models"]["results"][0];
    assert!(count >= 1, "{models}");
    let id = first["id"].as_i64().expect("model id");
    let model = mcp.call("get_model", json!({"model_id": id})).await.json();
    assert_eq!(model["model"]["id"], id);
    let past = mcp
        .call("list_models", json!({"offset": count}))
        .await
        .json();
    assert_eq!(past["models"]["results"], json!([]));

    let apps = mcp.call("list_serve_applications", json!({})).await.json();
    assert_eq!(apps["success"], true);
    assert!(apps["applications"].is_array(), "{apps}");
    let no_agent = mcp
        .call("get_serve_application", json!({"name": "x@1"}))
        .await;
    assert!(no_agent.is_error);
    assert_eq!(mcp.close().await, 0);
}
