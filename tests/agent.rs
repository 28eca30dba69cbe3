//! `AgentClient` over real HTTP against the fake's agent endpoints.

use futures_util::{StreamExt, TryStreamExt};
use synapse_agent::{AgentClient, JobStatus, TailJobLogs, TailProtocol};
use synapse_backend::models::{PluginCode, PluginReleaseCreateRequest};
use synapse_e2e::{create_plugin, fast_retries, run_action, short_jobs, start, start_agent};
use synapse_fake::{FakeConfig, FakeServer, Fault};
use synapse_transport::{ApiErrorKind, Error, Method};

/// A backend plugin with release 1.0.0, and an agent client for the same fake.
async fn setup() -> (FakeServer, AgentClient) {
    let (fake, backend) = start().await;
    create_plugin(&backend, "yolov8", "YOLO").await;
    backend
        .create_plugin_release(PluginReleaseCreateRequest::new(
            PluginCode::new("yolov8").expect("code"),
            "1.0.0",
        ))
        .await
        .expect("release");
    let agent = AgentClient::builder(fake.agent_url(), fake.agent_token())
        .retry_policy(fast_retries())
        .build()
        .expect("agent");
    (fake, agent)
}

#[tokio::test]
async fn cache_run_follow_and_delete_a_release_on_the_agent() {
    let (fake, agent) = setup().await;
    assert_eq!(agent.health_check().await.expect("health")["status"], "ok");
    let cached = agent
        .create_plugin_release("yolov8", "1.0.0")
        .await
        .expect("cache");
    assert_eq!(cached.version.as_deref(), Some("1.0.0"));
    // Listing: one page, and every page as a stream.
    let page = agent
        .list_plugin_releases()
        .plugin("yolov8")
        .await
        .expect("page");
    assert_eq!(page.results.len(), 1);
    let all: Vec<_> = agent
        .list_plugin_releases()
        .items()
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 1);
    // The lookup path has no trailing slash; the fake answers 404 on the slashed form.
    let got = agent.get_plugin_release("yolov8@1.0.0").await.expect("get");
    assert_eq!(got.id, cached.id);
    assert_eq!(
        fake.count(&Method::GET, "/agent/plugin_releases/yolov8@1.0.0"),
        1
    );

    let job_id = run_action(&agent, "train", serde_json::json!({"epochs": 3})).await;
    let lines = tail_lines(agent.tail_job_logs(&job_id)).await.expect("log");
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert!(lines[0].contains("Plugin started"));
    assert_eq!(
        agent.get_job(&job_id).await.expect("job").status,
        Some(JobStatus::Succeeded)
    );
    assert!(
        agent
            .get_job_logs(&job_id)
            .await
            .expect("logs")
            .contains("Action complete")
    );

    agent
        .delete_plugin_release("yolov8@1.0.0")
        .await
        .expect("delete");
    let err = agent
        .get_plugin_release("yolov8@1.0.0")
        .await
        .expect_err("gone");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn malformed_lookups_fail_before_any_request() {
    let (fake, agent) = setup().await;
    let before = fake.calls().len();
    for bad in ["", "@1.0", "yolov8@", "a@b@c", "not-a-lookup"] {
        let err = agent.get_plugin_release(bad).await.expect_err(bad);
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
    }
    assert_eq!(fake.calls().len(), before);
}

#[tokio::test]
async fn a_wrong_agent_token_and_an_uncached_release_are_typed_errors() {
    let (fake, agent) = setup().await;
    let stranger = AgentClient::new(fake.agent_url(), "not-the-token").expect("client");
    let err = stranger.health_check().await.expect_err("401");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::Unauthorized);
    assert!(!format!("{err} {err:?}").contains("not-the-token"));
    let err = agent
        .run_plugin_release("yolov8@9.9.9", "train")
        .await
        .expect_err("not cached");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn a_503_on_an_agent_run_is_not_replayed() {
    let (fake, agent) = setup().await;
    agent
        .create_plugin_release("yolov8", "1.0.0")
        .await
        .expect("cache");
    fake.inject(Fault::status(503, 1).path("/run/"));
    let err = agent
        .run_plugin_release("yolov8@1.0.0", "train")
        .await
        .expect_err("503");
    assert_eq!(err.status_code(), Some(503));
    assert_eq!(
        fake.count(&Method::POST, "/agent/plugin_releases/yolov8@1.0.0/run/"),
        1
    );
    // A GET through the same client is retried past a 503 burst.
    fake.inject(Fault::status(503, 2).path("/agent/health/"));
    agent.health_check().await.expect("retried");
    let mut stream = agent.list_plugin_releases().items();
    assert!(stream.next().await.is_some());
}

/// Every line a tail of a job's log yields, until it ends.
async fn tail_lines(tail: TailJobLogs) -> Result<Vec<String>, Error> {
    tail.messages().try_collect().await
}

/// The job's whole console, once it has ended, line by line.
async fn console(agent: &AgentClient, job_id: &str) -> Vec<String> {
    agent
        .get_job_logs(job_id)
        .await
        .expect("logs")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_auto_tail_uses_the_websocket_and_yields_every_line_in_order() {
    let (fake, agent) = start_agent(short_jobs()).await;
    let job_id = run_action(&agent, "train", serde_json::json!({"epochs": 3})).await;
    let lines = tail_lines(agent.tail_job_logs(&job_id)).await.expect("log");
    // The client does not say which protocol it used; the fake's log does: one handshake on
    // `logs/` and no HTTP stream.
    let logs_path = format!("/agent/jobs/{job_id}/logs/");
    assert_eq!(fake.count(&Method::GET, &logs_path), 1);
    assert_eq!(
        fake.count(&Method::GET, &format!("{logs_path}stream/")),
        0,
        "{:?}",
        fake.calls()
    );
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(lines, console(&agent, &job_id).await);
    assert!(lines[0].contains("Plugin started: action=train"));
    assert!(lines[5].contains("Action complete"));
    // The WebSocket alone gives the same lines (the job has ended: all at once, then close).
    let again = tail_lines(agent.websocket_tail_job_logs(&job_id))
        .await
        .expect("websocket");
    assert_eq!(again, lines);
}

#[tokio::test]
async fn without_the_websocket_the_auto_tail_falls_back_to_the_http_stream() {
    let (fake, agent) = start_agent(FakeConfig {
        agent_websocket: false,
        ..short_jobs()
    })
    .await;
    let job_id = run_action(&agent, "train", serde_json::json!({})).await;
    let lines = tail_lines(agent.tail_job_logs(&job_id)).await.expect("log");
    assert_eq!(lines, console(&agent, &job_id).await);
    assert_eq!(lines.len(), 6);
    let stream_path = format!("/agent/jobs/{job_id}/logs/stream/");
    assert_eq!(fake.count(&Method::GET, &stream_path), 1);
    // Only the WebSocket: the agent answers the handshake with the plain log, an error.
    let err = tail_lines(agent.websocket_tail_job_logs(&job_id))
        .await
        .expect_err("no WebSocket");
    assert_eq!(err.status_code(), Some(200), "{err:?}");
    // Only HTTP: the same lines.
    let http = tail_lines(agent.stream_tail_job_logs(&job_id))
        .await
        .expect("http");
    assert_eq!(http, lines);
}

#[tokio::test]
async fn a_failed_handshake_falls_back_and_unknown_jobs_are_404() {
    let (fake, agent) = start_agent(short_jobs()).await;
    let job_id = run_action(&agent, "train", serde_json::json!({})).await;
    // A 503 on the handshake only: the tail starts over on the HTTP stream.
    fake.inject(
        Fault::status(503, 1)
            .method(Method::GET)
            .path(format!("/jobs/{job_id}/logs/")),
    );
    let lines = tail_lines(agent.tail_job_logs(&job_id)).await.expect("log");
    assert_eq!(lines.len(), 6);
    assert_eq!(
        fake.count(&Method::GET, &format!("/agent/jobs/{job_id}/logs/stream/")),
        1
    );
    for protocol in [TailProtocol::WebSocket, TailProtocol::Http] {
        let err = tail_lines(agent.tail_job_logs("raysubmit_unknown").protocol(protocol))
            .await
            .expect_err("unknown job");
        assert!(err.is_not_found(), "{protocol:?}: {err:?}");
        assert_eq!(
            err.api().expect("api").body_json(),
            Some(&serde_json::json!({"detail": "Not found."}))
        );
    }
}

#[tokio::test]
async fn the_http_stream_sends_events_only_no_comments() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (fake, agent) = start_agent(short_jobs()).await;
    let job_id = run_action(&agent, "train", serde_json::json!({})).await;
    let mut sock = tokio::net::TcpStream::connect(fake.addr())
        .await
        .expect("connect");
    let head = format!(
        "GET /agent/jobs/{job_id}/logs/stream/ HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        fake.addr(),
        fake.agent_token()
    );
    sock.write_all(head.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8(raw).expect("utf-8");
    let (_, body) = text.split_once("\r\n\r\n").expect("head");
    // Chunked framing aside, every SSE line is a `data: ` event: a line-based client (the
    // Python SDK's) yields any other line as a log line.
    let events: Vec<serde_json::Value> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).expect("JSON event"))
        .collect();
    assert!(!body.lines().any(|l| l.starts_with(':')), "{body}");
    assert_eq!(events.len(), 7, "{body}");
    assert!(events[..6].iter().all(|e| e["type"] == "log"));
    assert_eq!(events[6]["type"], "complete");
}
