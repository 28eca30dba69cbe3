//! The real binary against the embedded fake: settings, jobs, serve applications, models
//! and the exit codes.

mod support;

use support::{Env, code, json_out, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_written_config_logs_the_binary_in() {
    let env = Env::start().await;
    let ids = env.fake.seed_jobs(3);
    env.write_python_config();
    let output = env.run(&["job", "list", "--json"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let jobs = json_out(&output);
    assert_eq!(jobs.as_array().map(Vec::len), Some(3), "{jobs}");
    for id in ids {
        assert!(
            jobs.as_array()
                .expect("array")
                .iter()
                .any(|j| j["id"] == id.as_str()),
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credentials_is_exit_code_3() {
    let env = Env::start().await;
    let output = env.run(&["job", "list"]).await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("synapse login"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_from_stdin_writes_a_private_file_and_keeps_every_other_key() {
    let env = Env::start().await;
    env.write_config(&serde_json::json!({
        "agent": {"id": 9, "name": "kept"},
        "default_environment": "prod",
        "environments": {"prod": {"backend_url": "https://x", "access_token": "envtok"}},
        "something_else": [1, 2],
    }));
    let host = env.fake.url();
    let token = env.fake.access_token().to_owned();
    let output = env
        .run_with(
            &["login", "--host", &host, "--token-stdin", "--verify"],
            Some(&format!("{token}\n")),
        )
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let all = format!("{}{}", support::stdout(&output), stderr(&output));
    assert!(!all.contains(&token), "{all}");
    let config = env.read_config();
    assert_eq!(config["host"], host.as_str());
    assert_eq!(config["access_token"], token.as_str());
    assert_eq!(config["agent"]["name"], "kept");
    assert_eq!(config["environments"]["prod"]["access_token"], "envtok");
    assert_eq!(config["something_else"], serde_json::json!([1, 2]));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.config_path())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // --verify with a token the platform refuses saves nothing.
    let output = env
        .run_with(
            &["login", "--host", &host, "--token-stdin", "--verify"],
            Some("wrong\n"),
        )
        .await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert_eq!(env.read_config()["access_token"], token.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_config_names_file_and_key_and_is_never_overwritten() {
    let env = Env::start().await;
    let broken = r#"{"host": "http://h", "agent": {"id": "seven"}}"#;
    std::fs::create_dir_all(env.config_path().parent().expect("dir")).expect("mkdir");
    std::fs::write(env.config_path(), broken).expect("write");
    for args in [
        &["job", "list"][..],
        &["login", "--token-stdin"][..],
        &["agent", "clear"][..],
    ] {
        let output = env.run_with(args, Some("tok\n")).await;
        assert_eq!(code(&output), 7, "{args:?}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(
            err.contains(&env.config_path().display().to_string()),
            "{err}"
        );
        assert!(err.contains("`agent.id`"), "{err}");
        assert_eq!(
            std::fs::read_to_string(env.config_path()).expect("read"),
            broken
        );
    }
    // doctor reports it as a failed check rather than stopping.
    let output = env.run(&["doctor", "--json"]).await;
    assert_eq!(code(&output), 1);
    let report = json_out(&output);
    assert_eq!(report["checks"][0]["status"], "fail", "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_not_found_auth_and_network_apart() {
    let env = Env::start().await;
    env.write_python_config();
    let output = env.run(&["job", "get", "no-such-job"]).await;
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let output = env.run(&["--token", "bad", "job", "list"]).await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    // A closed port: bind, note the port, drop the listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let host = format!("http://127.0.0.1:{port}/");
    let output = env.run(&["--host", &host, "job", "list"]).await;
    assert_eq!(code(&output), 6, "{}", stderr(&output));
    let output = env.run(&["job", "list", "--limit", "x"]).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    // --json errors are JSON on stderr with the exit code.
    let output = env.run(&["--json", "job", "get", "no-such-job"]).await;
    let err: serde_json::Value = serde_json::from_slice(&output.stderr).expect("json error");
    assert_eq!(err["exit_code"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_get_logs_and_stop() {
    let env = Env::start().await;
    env.write_python_config();
    let job = env.fake.seed_log_job(25, 20);
    let output = env.run(&["--json", "job", "get", &job]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["id"], job.as_str());
    let output = env.run(&["--json", "job", "logs", &job]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        json_out(&output)["lines"].as_array().map(Vec::len),
        Some(25)
    );
    let output = env.run(&["job", "logs", &job]).await;
    assert_eq!(support::stdout(&output).lines().count(), 25);
    let running = env.fake.seed_jobs(1).remove(0);
    let output = env.run(&["--json", "job", "stop", &running]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["status"], "STOPPED");
    let calls = env.fake.calls();
    assert!(
        calls.iter().any(|c| c.method == synapse_fake::Method::PATCH
            && c.path_and_query == format!("/jobs/{running}/")),
        "{calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_passes_against_the_fake_and_names_a_bad_token() {
    let env = Env::start().await;
    env.write_python_config();
    let output = env.run(&["doctor", "--json"]).await;
    let report = json_out(&output);
    assert_eq!(code(&output), 0, "{report}");
    let status = |name: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].clone())
    };
    // The file was written with mode 0644: a warning with its fix, not a failure.
    assert_eq!(
        status("config permissions"),
        Some("warn".into()),
        "{report}"
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    let output = env.run(&["doctor", "--json"]).await;
    let report = json_out(&output);
    let status = |name: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].clone())
    };
    for name in [
        "config file",
        "config permissions",
        "credentials",
        "connectivity",
        "token",
        "agent",
        "agent reachable",
    ] {
        assert_eq!(status(name), Some("ok".into()), "{name}: {report}");
    }
    let output = env.run(&["--token", "wrong", "doctor"]).await;
    assert_eq!(code(&output), 1);
    let text = support::stdout(&output);
    assert!(
        text.lines()
            .any(|l| l.starts_with("fail") && l.contains("token")),
        "{text}"
    );
    assert!(
        text.contains("fix: get a new token and run `synapse login`"),
        "{text}"
    );
    assert!(!text.contains("wrong"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_select_show_and_clear_keep_the_python_format() {
    let env = Env::start().await;
    env.write_python_config();
    let output = env.run(&["--json", "agent", "list"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let listed = json_out(&output);
    assert_eq!(
        listed["agents"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
    assert!(
        !support::stdout(&output).contains("0123456789abcdef"),
        "a token was printed"
    );
    let output = env.run(&["--json", "agent", "select", "2"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let config = env.read_config();
    assert_eq!(config["agent"]["id"], 2);
    assert_eq!(config["agent"]["name"], "cpu-node-1");
    assert_eq!(
        config["agent"]["token"],
        "89abcdef0123456789abcdef0123456789abcdef"
    );
    let output = env.run(&["agent", "select", "99"]).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("agent 99 is not in this workspace"),
        "{}",
        stderr(&output)
    );
    let output = env.run(&["--json", "agent", "clear"]).await;
    assert_eq!(json_out(&output)["cleared"], true);
    assert!(env.read_config().get("agent").is_none());
    let output = env.run(&["agent", "show"]).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_and_serve_applications_list_as_json() {
    let env = Env::start().await;
    env.write_python_config();
    let output = env.run(&["--json", "model", "list"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(json_out(&output).is_array());
    let output = env.run(&["--json", "serve", "list"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(json_out(&output).is_array());
    let output = env.run(&["model", "get", "424242"]).await;
    assert_eq!(code(&output), 4, "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serve_application_is_read_and_deleted_on_the_agent() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("config.yaml"),
        "code: echo\nname: Echo\nversion: 2.0.0\nactions:\n  infer:\n    entrypoint: plugin.serve:App\n    method: serve\n",
    )
    .expect("config");
    let path = dir.path().to_str().expect("path");
    let output = env.run(&["plugin", "publish", "--path", path]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    synapse_agent::AgentClient::builder(env.fake.agent_url(), env.fake.agent_token())
        .build()
        .expect("agent")
        .create_plugin_release("echo", "2.0.0")
        .await
        .expect("cache the release on the agent");
    let output = env
        .run(&["plugin", "run", "infer", "-p", "echo@2.0.0", "--agent"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));

    let output = env.run(&["--json", "serve", "get", "echo@2.0.0"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["name"], "echo@2.0.0");
    let output = env.run(&["--json", "serve", "delete", "echo@2.0.0"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["deleted"], "echo@2.0.0");
    let output = env.run(&["serve", "get", "echo@2.0.0"]).await;
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    // Without a selected agent, the agent commands say how to select one.
    env.run(&["agent", "clear"]).await;
    let output = env.run(&["serve", "get", "echo@2.0.0"]).await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("synapse agent select"),
        "{}",
        stderr(&output)
    );
}
