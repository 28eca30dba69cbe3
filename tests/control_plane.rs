//! The `synapse-fake` program driven from outside, as a script or another language would: its
//! `--json` start-up line, then faults, seeds and the tenant switched over its HTTP control
//! plane (`/_fake/`), while the real SDK client talks to it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use synapse_backend::{BackendClient, Error};
use synapse_e2e::fast_retries;
use synapse_transport::ApiErrorKind;

/// The program, built by cargo for this test run (the test package cannot name another
/// package's binary), copied so that a concurrent build cannot replace it while it runs.
fn program() -> PathBuf {
    static PROGRAM: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = PROGRAM.get_or_init(|| {
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let mut build = Command::new(cargo);
        build
            .args(["build", "-p", "synapse-fake", "--bin", "synapse-fake"])
            .args(["--message-format=json", "--quiet"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(Stdio::inherit());
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        let output = build.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo build of synapse-fake failed"
        );
        let built = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
            .find(|p| p.file_stem().is_some_and(|s| s == "synapse-fake"))
            .expect("cargo names the synapse-fake executable");
        let dir = tempfile::tempdir().expect("tmp");
        let copy = dir.path().join(built.file_name().expect("a file name"));
        std::fs::copy(&built, &copy).expect("copy the program");
        (dir, copy)
    });
    path.clone()
}

/// The running program; killed and reaped when dropped, also when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the program with `--json` and `args`; returns it with its start-up facts.
fn start(args: &[&str]) -> (Running, Value) {
    let mut child = Running(
        Command::new(program())
            .arg("--json")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the program starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("a start-up line within 60 s");
    (child, serde_json::from_str(&line).expect("one JSON line"))
}

/// A text field of the start-up facts.
fn fact<'a>(facts: &'a Value, key: &str) -> &'a str {
    facts[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {facts}"))
}

/// An SDK client for the program, with `tenant` if given.
fn client(facts: &Value, tenant: Option<&str>) -> BackendClient {
    let mut builder = BackendClient::builder(fact(facts, "backend_url"))
        .without_env()
        .access_token(fact(facts, "access_token"))
        .retry_policy(fast_retries());
    if let Some(tenant) = tenant {
        builder = builder.tenant(tenant);
    }
    builder.build().expect("client")
}

/// Sends a control request with plain HTTP; returns the status and the JSON body (`null` when
/// empty).
async fn control(facts: &Value, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}{path}", fact(facts, "control_url"));
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let resp = request.send().await.expect("control request");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON body")
    };
    (status, body)
}

#[tokio::test]
async fn faults_armed_over_http_are_retried_or_typed_and_counted() {
    let (_running, facts) = start(&["--seed", "jobs=3"]);
    let control_url = fact(&facts, "control_url");
    assert_eq!(
        control_url,
        format!("{}_fake/", fact(&facts, "backend_url"))
    );
    // The control plane repeats the start-up facts, without credentials.
    let (status, repeated) = control(&facts, "GET", "", None).await;
    assert_eq!(status, 200);
    for key in [
        "backend_url",
        "agent_url",
        "control_url",
        "access_token",
        "agent_token",
        "tenant",
    ] {
        assert_eq!(repeated[key], facts[key], "{key}");
    }
    let job_id = facts["job_ids"][0].as_str().expect("a job id").to_owned();
    let sdk = client(&facts, None);

    // Two 503s with Retry-After on the job's GET: the SDK waits, retries and succeeds.
    let (status, stored) = control(
        &facts,
        "POST",
        "faults",
        Some(
            json!({"action": "status", "method": "GET", "path": format!("/jobs/{job_id}/"),
                    "times": 2, "status": 503, "retry_after": "1"}),
        ),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(stored["times"], 2);
    assert_eq!(stored["body"], json!({"detail": "injected 503"}));
    let started = std::time::Instant::now();
    let job = sdk
        .get_job(job_id.as_str())
        .await
        .expect("retried to success");
    assert_eq!(job.id.map(|i| i.to_string()), Some(job_id.clone()));
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "Retry-After: 1 honoured twice: {:?}",
        started.elapsed()
    );
    let (_, faults) = control(&facts, "GET", "faults", None).await;
    assert_eq!(faults, json!([]), "both uses consumed");

    // A truncated body on every attempt: a typed error once the retries are spent.
    let (status, _) = control(
        &facts,
        "POST",
        "faults",
        Some(json!({"action": "truncate", "path": "/jobs/", "times": 10})),
    )
    .await;
    assert_eq!(status, 201);
    let err = sdk.get_job(job_id.as_str()).await.expect_err("truncated");
    assert!(
        matches!(
            err,
            Error::ResponseIncomplete { .. } | Error::RetriesExhausted { .. }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable(), "{err:?}");
    let (_, faults) = control(&facts, "GET", "faults", None).await;
    let left = faults[0]["times"].as_u64().expect("times left");
    assert!(left < 10, "the attempts used the fault: {faults}");
    let attempts = 10 - left;
    assert_eq!(control(&facts, "DELETE", "faults", None).await.0, 204);
    sdk.get_job(job_id.as_str()).await.expect("disarmed");

    // Every request the SDK sent is in the log and counted under its route; the control
    // requests are in neither.
    let (_, calls) = control(&facts, "GET", "calls", None).await;
    let calls = calls.as_array().expect("a list").clone();
    assert_eq!(calls.len() as u64, 3 + attempts + 1, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c == &json!({"method": "GET", "path": format!("/jobs/{job_id}/")}))
    );
    let (_, counters) = control(&facts, "GET", "counters", None).await;
    assert_eq!(counters, json!({"GET /jobs/{id}/": 3 + attempts + 1}));
    assert_eq!(control(&facts, "DELETE", "calls", None).await.0, 204);
    assert_eq!(control(&facts, "GET", "counters", None).await.1, json!({}));
}

#[tokio::test]
async fn seeded_over_http_and_listed_exactly_by_the_sdk() {
    let (_running, facts) = start(&[]);
    let (status, created) = control(
        &facts,
        "POST",
        "seed",
        Some(json!({
            "jobs": 230,
            "log_job": 40,
            "plugins": [{"code": "seeded", "name": "Seeded", "category": "neural_net", "bogus": 1}],
            "releases": [{"plugin": "seeded", "version": "2.0.0",
                          "config": {"actions": {"train": {"entrypoint": "plugin.train"}}}}],
            "projects": [{"title": "Seeded signs", "data_collection": 1, "tags": ["dim"]}],
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["job_ids"].as_array().map(Vec::len), Some(230));
    assert_eq!(created["log_job_ids"].as_array().map(Vec::len), Some(1));
    assert_eq!(created["project_ids"].as_array().map(Vec::len), Some(1));
    let sdk = client(&facts, None);

    // The seeded project is what the SDK reads, with its task tag.
    let project_id = created["project_ids"][0].as_i64().expect("project id");
    let project = sdk.get_project(project_id).await.expect("project");
    assert_eq!(project.title.as_deref(), Some("Seeded signs"));
    let tags: Vec<String> = sdk
        .list_task_tags()
        .project(project_id)
        .items()
        .map_ok(|tag| tag.name.unwrap_or_default())
        .try_collect()
        .await
        .expect("tags");
    assert_eq!(tags, ["dim"]);

    // 231 jobs over three pages of 100, each once, in order.
    let listed: Vec<String> = sdk
        .list_jobs()
        .page_size(100)
        .items()
        .map_ok(|job| job.id.map(|i| i.to_string()).unwrap_or_default())
        .try_collect()
        .await
        .expect("all pages");
    let mut seeded: Vec<String> = serde_json::from_value(created["job_ids"].clone()).expect("ids");
    seeded.extend(
        serde_json::from_value::<Vec<String>>(created["log_job_ids"].clone()).expect("ids"),
    );
    assert_eq!(listed, seeded);
    let log_job = seeded.last().expect("the log job").clone();
    let lines = sdk
        .list_job_console_logs(log_job.as_str())
        .await
        .expect("console");
    assert_eq!(lines.lines().len(), 40);

    // The seeded release is what the SDK reads; the undeclared plugin key was dropped.
    let release = sdk
        .get_plugin_release_by_lookup("seeded@2.0.0")
        .await
        .expect("release");
    assert_eq!(
        release.id.map(|i| i.to_string()),
        created["release_ids"][0].as_i64().map(|i| i.to_string())
    );
    let plugin = release
        .plugin
        .as_ref()
        .and_then(|p| p.object())
        .expect("expanded");
    assert!(!plugin.extra.contains_key("bogus"), "{:?}", plugin.extra);

    // A bad seed names every bad field and creates nothing.
    let (status, errors) = control(
        &facts,
        "POST",
        "seed",
        Some(json!({"jobs": -1, "plugins": [{"code": "seeded", "name": "", "category": "neural_net"}],
                    "releases": [{"plugin": "nope", "version": "1"}], "projects": [{"name": "p"}]})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        errors,
        json!({
            "jobs": ["Ensure this value is greater than or equal to 0."],
            "projects": [{"title": ["This field is required."],
                          "data_collection": ["This field is required."]}],
            "plugins": [{"code": ["plugin with this code already exists."],
                         "name": ["This field may not be blank."]}],
            "releases": [{"plugin": ["Object with code=nope does not exist."]}],
        })
    );
    let page = sdk.list_jobs().await.expect("page");
    assert_eq!(page.count, Some(231), "nothing was created");
}

#[tokio::test]
async fn the_tenant_switched_on_over_http_is_a_typed_403_for_the_sdk() {
    let (_running, facts) = start(&["--seed", "jobs=2"]);
    assert_eq!(facts["tenant"], Value::Null);
    let sdk = client(&facts, Some("other"));
    assert_eq!(sdk.list_jobs().await.expect("any tenant").count, Some(2));

    let (status, body) = control(&facts, "PUT", "tenant", Some(json!({"tenant": "acme"}))).await;
    assert_eq!((status, body), (200, json!({"tenant": "acme"})));
    let err = sdk.list_jobs().await.expect_err("another tenant");
    let api = err.api().expect("an API error");
    assert_eq!(api.kind, ApiErrorKind::Forbidden);
    assert_eq!(
        api.error_body().detail(),
        Some("You do not have permission to perform this action.".to_owned())
    );
    let acme = client(&facts, Some("acme"));
    assert_eq!(acme.list_jobs().await.expect("the tenant").count, Some(2));
    assert_eq!(control(&facts, "GET", "", None).await.1["tenant"], "acme");

    // Back to any tenant; a bad body names the field.
    let (status, body) = control(&facts, "PUT", "tenant", Some(json!({"tenant": 5.5}))).await;
    assert_eq!(
        status, 200,
        "a number is taken as text, as DRF's CharField does: {body}"
    );
    let (status, body) = control(&facts, "PUT", "tenant", Some(json!({}))).await;
    assert_eq!(
        (status, body),
        (400, json!({"tenant": ["This field is required."]}))
    );
    let (status, _) = control(&facts, "PUT", "tenant", Some(json!({"tenant": null}))).await;
    assert_eq!(status, 200);
    sdk.list_jobs().await.expect("any tenant again");
}
