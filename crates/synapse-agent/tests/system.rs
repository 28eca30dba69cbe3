//! System: compose configuration, status, readiness polling, update (with the `null` body)
//! and restart, with and without waiting.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{assert_sent, client, labelled_requests, ok, status};
use serde_json::json;
use synapse_agent::{
    DEFAULT_POLL_INTERVAL, Error, OperationStatus, SystemOperation, UpdateSystemRequest,
};
use synapse_transport::Method;
use synapse_transport::mock::{MockFailure, MockReply, MockResponse, MockTransport};
use tokio::time::Instant;

#[tokio::test]
async fn compose_status_update_restart() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"working_dir": "/opt/agent", "config_files": ["docker-compose.yml", "docker-compose.gpu.yml"], "is_gpu_mode": true, "project": "agent"})))
        .push(ok(json!({"in_progress": true, "operation": "update", "started_at": "2026-11-23T10:00:00Z", "api_tag": "v2", "worker_tag": null})))
        .push(ok(json!({"status": "success", "message": "updated", "pull_output": "pulled", "up_output": "up"})))
        .push(ok(json!({"status": "success", "message": "updated"})))
        .push(ok(json!({"status": "success", "message": "updated"})))
        .push(ok(json!({"status": "error", "message": "compose failed", "up_output": ""})));
    let c = client(&mock);
    let compose = c.get_compose_config();
    let system_status = c.get_system_status();
    let both = c.update_system().api_tag("v2").worker_tag("v2-gpu");
    let api_only = c.update_system().api_tag("v3");
    let no_tag = c.update_system();
    let restart = c.restart_system();
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("get_compose_config", compose.request()),
        ("get_system_status", system_status.request()),
        ("update_system (both tags)", both.request()),
        ("update_system (api tag only)", api_only.request()),
        ("update_system (no tag: null body)", no_tag.request()),
        ("restart_system", restart.request()),
    ]);
    insta::assert_json_snapshot!(snaps);
    // The whole request at once is the same request.
    let whole = UpdateSystemRequest {
        api_tag: Some("v2".into()),
        worker_tag: Some("v2-gpu".into()),
    };
    assert_eq!(
        c.update_system().body(whole).request().unwrap().snapshot(),
        snaps["update_system (both tags)"]
    );

    let config = compose.await.unwrap();
    assert_eq!(config.is_gpu_mode, Some(true));
    assert_eq!(config.config_files.as_deref().map(<[String]>::len), Some(2));
    assert_eq!(config.extra.get("project"), Some(&json!("agent")));
    let s = system_status.await.unwrap();
    assert!(s.is_in_progress());
    assert_eq!(s.operation, Some(SystemOperation::Update));
    assert_eq!(s.worker_tag, None);
    let r = both.await.unwrap();
    assert!(r.is_success());
    assert_eq!(r.pull_output.as_deref(), Some("pulled"));
    api_only.await.unwrap();
    no_tag.await.unwrap();
    let r = restart.await.unwrap();
    assert_eq!(r.status, Some(OperationStatus::Error));
    let requests = mock.requests();
    match &requests[4].body {
        synapse_transport::mock::RecordedBody::Json(v) => assert!(v.is_null(), "literal null"),
        other => panic!("{other:?}"),
    }
    assert_sent(&mock, &snaps);
}

#[tokio::test(start_paused = true)]
async fn wait_for_system_ready_polls_health_until_it_answers() {
    let mock = MockTransport::new();
    mock.route(Method::GET, "/health/", MockFailure::Refused)
        .route(Method::GET, "/health/", MockResponse::json(502, json!({})))
        .route(Method::GET, "/health/", ok(json!({"status": "ok"})));
    let c = client(&mock);
    let start = Instant::now();
    assert!(
        c.wait_for_system_ready()
            .timeout(Duration::from_secs(120))
            .poll_interval(Duration::from_secs(2))
            .await
    );
    assert_eq!(start.elapsed(), Duration::from_secs(4));
    assert_eq!(mock.request_count(), 3);

    // Never ready: false at the deadline; a hanging health check is cut off there.
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/health/", MockReply::Pending);
    let c = client(&mock);
    let start = Instant::now();
    assert!(
        !c.wait_for_system_ready()
            .timeout(Duration::from_secs(10))
            .poll_interval(Duration::from_secs(2))
            .await
    );
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/health/", MockResponse::json(503, json!({})));
    let c = client(&mock);
    let start = Instant::now();
    assert!(
        !c.wait_for_system_ready()
            .timeout(Duration::from_secs(5))
            .poll_interval(Duration::from_secs(2))
            .await
    );
    assert_eq!(mock.request_count(), 3, "at 0, 2 and 4 s");
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn update_and_wait_marks_the_result_ready() {
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/system/update/",
        ok(json!({"status": "success", "message": "updated", "pull_output": "p"})),
    );
    mock.route(Method::GET, "/health/", MockFailure::Refused)
        .route(Method::GET, "/health/", ok(json!({"status": "ok"})));
    let c = client(&mock);
    let start = Instant::now();
    let r = c
        .update_system_and_wait()
        .timeout(Duration::from_secs(120))
        .poll_interval(DEFAULT_POLL_INTERVAL)
        .await
        .unwrap();
    assert_eq!(r.message.as_deref(), Some("System updated and ready"));
    assert_eq!(r.pull_output.as_deref(), Some("p"));
    // 2 s pause, failed check, 2 s, ready.
    assert_eq!(start.elapsed(), Duration::from_secs(4));

    // An `error` answer is returned without waiting.
    let mock = MockTransport::new();
    mock.push(ok(json!({"status": "error", "message": "no compose"})));
    let r = client(&mock)
        .restart_system_and_wait()
        .timeout(Duration::from_secs(120))
        .poll_interval(DEFAULT_POLL_INTERVAL)
        .await
        .unwrap();
    assert_eq!(r.message.as_deref(), Some("no compose"));
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_means_started_but_http_errors_propagate() {
    // The agent restarts under the call: the answer is lost, the agent comes back.
    let mock = MockTransport::new();
    mock.route(Method::POST, "/system/restart/", MockFailure::Reset);
    mock.route(Method::GET, "/health/", ok(json!({"status": "ok"})));
    let r = client(&mock)
        .restart_system_and_wait()
        .timeout(Duration::from_secs(120))
        .poll_interval(DEFAULT_POLL_INTERVAL)
        .await
        .unwrap();
    assert_eq!(r.status, Some(OperationStatus::Success));
    assert_eq!(r.message.as_deref(), Some("System restarted and ready"));
    assert_eq!(mock.request_count(), 2, "never re-sent");

    // Lost, and the agent never comes back: the original error.
    let mock = MockTransport::new();
    mock.route(Method::POST, "/system/update/", MockFailure::ReadTimeout);
    mock.route_always(Method::GET, "/health/", MockFailure::Refused);
    let err = client(&mock)
        .update_system_and_wait()
        .timeout(Duration::from_secs(6))
        .poll_interval(DEFAULT_POLL_INTERVAL)
        .await
        .expect_err("never ready");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");

    // A 409 (already in progress) is returned at once, no waiting (Python waits and may
    // report a made-up success).
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/system/update/",
        MockResponse::json(409, json!({"status": "in_progress", "message": "busy"})),
    );
    mock.route_always(Method::GET, "/health/", ok(json!({})));
    let start = Instant::now();
    let err = client(&mock)
        .update_system_and_wait()
        .timeout(Duration::from_secs(120))
        .poll_interval(DEFAULT_POLL_INTERVAL)
        .await
        .expect_err("409");
    assert_eq!(err.status_code(), Some(409));
    assert_eq!(err.body_json().unwrap()["status"], "in_progress");
    assert_eq!(mock.request_count(), 1);
    assert_eq!(start.elapsed(), Duration::ZERO);

    // Never sent at all (refused): not "started" either.
    let mock = MockTransport::new();
    mock.route(Method::POST, "/system/restart/", MockFailure::Refused);
    let err = client(&mock)
        .restart_system_and_wait()
        .timeout(Duration::from_secs(120))
        .poll_interval(DEFAULT_POLL_INTERVAL)
        .await
        .expect_err("refused");
    assert!(err.is_connect());
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn update_and_restart_are_never_replayed() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/system/update/",
        MockResponse::json(503, json!({})),
    );
    mock.route_always(
        Method::POST,
        "/system/restart/",
        MockResponse::json(502, json!({})),
    );
    let c = common::retrying_client(&mock);
    assert_eq!(status(c.update_system().await), Some(503));
    assert_eq!(status(c.restart_system().await), Some(502));
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn every_operation_maps_an_error_status() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/system/compose-config/",
        MockResponse::json(500, json!({"detail": "no labels"})),
    );
    mock.route_always(
        Method::GET,
        "/system/status/",
        MockResponse::json(403, json!({"detail": "no"})),
    );
    mock.route_always(
        Method::POST,
        "/system/update/",
        MockResponse::json(409, json!({"status": "in_progress"})),
    );
    mock.route_always(
        Method::POST,
        "/system/restart/",
        MockResponse::json(500, json!({"status": "error"})),
    );
    let c = client(&mock);
    let got = vec![
        status(c.get_compose_config().await),
        status(c.get_system_status().await),
        status(c.update_system().await),
        status(c.restart_system().await),
    ];
    assert_eq!(got, [500, 403, 409, 500].map(Some).to_vec());
}

#[tokio::test(start_paused = true)]
async fn the_waits_default_to_the_python_timings() {
    // Never ready: false after the default 120 s, polling every 2 s.
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/health/", MockResponse::json(503, json!({})));
    let start = Instant::now();
    assert!(!client(&mock).wait_for_system_ready().await);
    assert_eq!(start.elapsed(), synapse_agent::DEFAULT_READY_TIMEOUT);
    assert_eq!(mock.request_count(), 60, "at 0, 2, …, 118 s");

    // Restarted and ready: one default pause, then the first health check answers.
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/system/restart/",
        ok(json!({"status": "success"})),
    );
    mock.route(Method::GET, "/health/", ok(json!({"status": "ok"})));
    let start = Instant::now();
    let r = client(&mock).restart_system_and_wait().await.unwrap();
    assert_eq!(r.message.as_deref(), Some("System restarted and ready"));
    assert_eq!(start.elapsed(), DEFAULT_POLL_INTERVAL);
}
