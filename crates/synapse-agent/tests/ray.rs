//! Ray: jobs, logs and the live tail, nodes, tasks, Serve applications, GPU status.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{assert_sent, client, labelled_requests, not_found, ok, retrying_client, status};
use futures_util::StreamExt;
use serde_json::json;
use synapse_agent::{Error, JobStatus, ServeApplicationStatus};
use synapse_transport::mock::{MockChunk, MockResponse, MockTransport};
use synapse_transport::{Method, ReadTimeout, TimeoutKind};

#[tokio::test]
async fn jobs_nodes_tasks_serve_and_gpu() {
    let job = json!({"submission_id": "raysubmit_abc123", "status": "RUNNING", "entrypoint": "python main.py"});
    let mock = MockTransport::new();
    mock.push(ok(json!([job.clone()])))
        .push(ok(job.clone()))
        .push(ok(json!("line 1\nline 2\n")))
        .push(MockResponse::bytes(200, "plain text log\n"))
        .push(ok(json!({"status": "stopped"})))
        .push(ok(json!({"gpus": [{"index": 0, "utilization": 12.5}]})))
        .push(ok(json!([{"node_id": "n1", "state": "ALIVE"}])))
        .push(ok(json!({"node_id": "n1", "state": "ALIVE"})))
        .push(ok(json!([{"task_id": "t1"}])))
        .push(ok(json!({"task_id": "t1", "state": "FINISHED"})))
        .push(ok(json!([{"name": "yolov8@1.0.0", "status": "RUNNING"}])))
        .push(ok(
            json!({"name": "yolov8@1.0.0", "status": "DEPLOY_FAILED"}),
        ))
        .push(MockResponse::empty(204));
    let c = client(&mock);
    let list_jobs = c.list_jobs();
    let get_job = c.get_job("raysubmit_abc123");
    let get_job_logs = c.get_job_logs("raysubmit_abc123");
    let list_job_logs = c.list_job_logs("raysubmit_abc123");
    let stop_job = c.stop_job("raysubmit_abc123");
    let get_gpu_status = c.get_gpu_status();
    let list_nodes = c.list_nodes();
    let get_node = c.get_node("n1");
    let list_tasks = c.list_tasks();
    let get_task = c.get_task("t1");
    let list_serve_applications = c.list_serve_applications();
    let get_serve_application = c.get_serve_application("yolov8@1.0.0");
    let delete_serve_application = c.delete_serve_application("yolov8@1.0.0");
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("list_jobs", list_jobs.request()),
        ("get_job", get_job.request()),
        ("get_job_logs", get_job_logs.request()),
        ("list_job_logs", list_job_logs.request()),
        ("stop_job", stop_job.request()),
        ("get_gpu_status", get_gpu_status.request()),
        ("list_nodes", list_nodes.request()),
        ("get_node", get_node.request()),
        ("list_tasks", list_tasks.request()),
        ("get_task", get_task.request()),
        ("list_serve_applications", list_serve_applications.request()),
        ("get_serve_application", get_serve_application.request()),
        (
            "delete_serve_application",
            delete_serve_application.request(),
        ),
    ]);
    insta::assert_json_snapshot!(snaps);
    assert_eq!(mock.request_count(), 0);

    let jobs = list_jobs.await.unwrap();
    assert_eq!(jobs[0].submission_id.as_deref(), Some("raysubmit_abc123"));
    let job = get_job.await.unwrap();
    assert_eq!(job.status, Some(JobStatus::Running));
    assert_eq!(job.entrypoint.as_deref(), Some("python main.py"));
    assert_eq!(job.id(), Some("raysubmit_abc123"));
    assert_eq!(get_job_logs.await.unwrap(), "line 1\nline 2\n");
    assert_eq!(list_job_logs.await.unwrap(), "plain text log\n");
    assert_eq!(stop_job.await.unwrap()["status"], "stopped");
    assert_eq!(get_gpu_status.await.unwrap()["gpus"][0]["index"], 0);
    assert_eq!(list_nodes.await.unwrap().len(), 1);
    assert_eq!(get_node.await.unwrap()["state"], "ALIVE");
    assert_eq!(list_tasks.await.unwrap().len(), 1);
    assert_eq!(get_task.await.unwrap()["state"], "FINISHED");
    assert_eq!(
        list_serve_applications.await.unwrap()[0]["status"],
        "RUNNING"
    );
    let app = get_serve_application.await.unwrap();
    assert_eq!(
        app["status"].as_str().map(ServeApplicationStatus::from),
        Some(ServeApplicationStatus::DeployFailed)
    );
    delete_serve_application.await.unwrap();
    assert_sent(&mock, &snaps);
}

#[tokio::test]
async fn every_operation_maps_an_error_status() {
    let mock = MockTransport::new();
    for path in [
        "/jobs/",
        "/nodes/",
        "/tasks/",
        "/serve_applications/",
        "/gpu_status/",
    ] {
        mock.route_always(
            Method::GET,
            path,
            MockResponse::json(500, json!({"detail": "ray is down"})),
        );
    }
    for path in [
        "/jobs/x/",
        "/jobs/x/logs/",
        "/nodes/x/",
        "/tasks/x/",
        "/serve_applications/x/",
    ] {
        mock.route_always(Method::GET, path, not_found());
    }
    mock.route_always(
        Method::POST,
        "/jobs/x/stop/",
        MockResponse::json(409, json!({"detail": "already stopped"})),
    );
    mock.route_always(Method::DELETE, "/serve_applications/x/", not_found());
    let c = client(&mock);
    let got = vec![
        status(c.list_jobs().await),
        status(c.get_job("x").await),
        status(c.get_job_logs("x").await),
        status(c.list_job_logs("x").await),
        status(c.stop_job("x").await),
        status(c.get_gpu_status().await),
        status(c.list_nodes().await),
        status(c.get_node("x").await),
        status(c.list_tasks().await),
        status(c.get_task("x").await),
        status(c.list_serve_applications().await),
        status(c.get_serve_application("x").await),
        status(c.delete_serve_application("x").await),
    ];
    assert_eq!(
        got,
        [
            500, 404, 404, 404, 409, 500, 500, 404, 500, 404, 500, 404, 404
        ]
        .map(Some)
        .to_vec()
    );
    // A list that is not an array is a decode error; so is a job that is not an object.
    let mock = MockTransport::new();
    mock.push(ok(json!({"count": 0, "results": []})))
        .push(ok(json!("raysubmit_1")));
    assert!(matches!(
        client(&mock).list_jobs().await,
        Err(Error::Decode(_))
    ));
    assert!(matches!(
        client(&mock).get_job("raysubmit_1").await,
        Err(Error::Decode(_))
    ));
}

#[tokio::test]
async fn path_parameters_are_one_encoded_segment() {
    let mock = MockTransport::new();
    mock.push(ok(json!({}))).push(ok(json!({})));
    let c = client(&mock);
    c.get_serve_application("team/app v2@1.0").await.unwrap();
    c.get_job("../admin?x=1#y").await.unwrap();
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(
        urls,
        [
            "http://agent.test:8000/serve_applications/team%2Fapp%20v2@1.0/",
            "http://agent.test:8000/jobs/..%2Fadmin%3Fx=1%23y/"
        ]
    );
}

fn sse_body() -> Vec<MockChunk> {
    vec![
        MockChunk::Data("event: log\ndata: {\"type\": \"connected\"}\n\n: keepalive\n".into()),
        MockChunk::Data("data: {\"type\": \"log\", \"message\": \"epoch 1\"}\n\n".into()),
        MockChunk::Delay(Duration::from_millis(50)),
        MockChunk::Data("data:{\"type\":\"log\",\"message\":\"epoch 2\"}\n\nplain line\n".into()),
        MockChunk::Data("data: {\"type\": \"complete\"}\n\n".into()),
        MockChunk::Data("data: {\"type\": \"log\", \"message\": \"never seen\"}\n\n".into()),
    ]
}

#[tokio::test(start_paused = true)]
async fn the_tail_yields_messages_before_the_body_ends() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(200, sse_body()).header("content-type", "text/event-stream"));
    let c = client(&mock);
    let start = tokio::time::Instant::now();
    let tail = c.stream_tail_job_logs("raysubmit_abc123");
    // The request value, without IO, is exactly what the mock then receives.
    let snap = tail.request().unwrap().snapshot();
    insta::assert_json_snapshot!(snap);
    let mut log = tail.messages();
    assert_eq!(mock.request_count(), 0, "lazy until polled");
    assert_eq!(log.next().await.unwrap().unwrap(), "epoch 1");
    // Yielded while the body was still open: the 50 ms pause has not elapsed.
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(log.next().await.unwrap().unwrap(), "epoch 2");
    assert_eq!(log.next().await.unwrap().unwrap(), "plain line");
    // `complete` ends the stream cleanly; what follows is not read.
    assert!(log.next().await.is_none());
    assert!(log.next().await.is_none());
    let r = &mock.requests()[0];
    assert_eq!(r.read_timeout, ReadTimeout::After(Duration::from_secs(30)));
    assert_eq!(r.snapshot(), snap);
}

#[tokio::test(start_paused = true)]
async fn tail_job_logs_uses_the_http_stream() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(200, sse_body()));
    let lines: Vec<String> = client(&mock)
        .tail_job_logs("raysubmit_abc123")
        .messages()
        .map(|l| l.unwrap())
        .collect()
        .await;
    assert_eq!(lines, ["epoch 1", "epoch 2", "plain line"]);
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "http://agent.test:8000/jobs/raysubmit_abc123/logs/stream/"
    );
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_an_error_not_an_end() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![
            MockChunk::Data("data: {\"type\": \"log\", \"message\": \"epoch 1\"}\n\n".into()),
            MockChunk::Data("data: {\"type\": \"log\", \"mess".into()),
            MockChunk::Drop,
        ],
    ));
    let mut log = client(&mock)
        .stream_tail_job_logs("raysubmit_abc123")
        .messages();
    assert_eq!(log.next().await.unwrap().unwrap(), "epoch 1");
    let err = log.next().await.unwrap().expect_err("dropped");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
    assert!(log.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_silent_agent_hits_the_idle_timeout() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![
            MockChunk::Data("data: {\"type\": \"log\", \"message\": \"epoch 1\"}\n\n".into()),
            MockChunk::Delay(Duration::from_secs(3600)),
            MockChunk::Data("data: {\"type\": \"complete\"}\n\n".into()),
        ],
    ));
    let start = tokio::time::Instant::now();
    let mut log = client(&mock)
        .stream_tail_job_logs("raysubmit_abc123")
        .idle_timeout(Some(Duration::from_secs(5)))
        .messages();
    assert_eq!(log.next().await.unwrap().unwrap(), "epoch 1");
    let err = log.next().await.unwrap().expect_err("idle");
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Idle,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert_eq!(
        mock.requests()[0].read_timeout,
        ReadTimeout::After(Duration::from_secs(5))
    );

    // Without an idle timeout there is no read timeout either: the stream waits.
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![
            MockChunk::Delay(Duration::from_secs(3600)),
            MockChunk::Data("late\n".into()),
        ],
    ));
    let mut log = client(&mock)
        .stream_tail_job_logs("raysubmit_abc123")
        .idle_timeout(None)
        .messages();
    assert_eq!(log.next().await.unwrap().unwrap(), "late");
    assert_eq!(mock.requests()[0].read_timeout, ReadTimeout::Never);
}

#[tokio::test]
async fn an_error_event_ends_the_tail_with_a_500() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![MockChunk::Data(
            "data: {\"type\": \"log\", \"message\": \"starting\"}\n\ndata: {\"type\": \"error\", \"message\": \"Job raysubmit_x not found\"}\n\n".into(),
        )],
    ));
    let items: Vec<_> = client(&mock)
        .stream_tail_job_logs("raysubmit_x")
        .messages()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap(), "starting");
    let err = items[1].as_ref().expect_err("error event");
    assert_eq!(err.status_code(), Some(500));
    assert_eq!(
        err.body_json(),
        Some(&json!({"type": "error", "message": "Job raysubmit_x not found"}))
    );
}

#[tokio::test]
async fn http_errors_keep_their_status_and_bad_input_is_refused_unsent() {
    let mock = MockTransport::new();
    mock.push(not_found());
    let mut log = client(&mock).stream_tail_job_logs("raysubmit_x").messages();
    let err = log.next().await.unwrap().expect_err("404");
    assert_eq!(err.status_code(), Some(404));
    assert!(log.next().await.is_none());

    let mock = MockTransport::new();
    let c = client(&mock);
    let long = "a".repeat(101);
    for bad in ["", "../etc", "job id", "raysubmit_é", long.as_str()] {
        let tail = c.stream_tail_job_logs(bad);
        assert!(matches!(tail.request(), Err(Error::InvalidInput { .. })));
        let mut log = tail.messages();
        let err = log.next().await.unwrap().expect_err(bad);
        assert!(
            matches!(err, Error::InvalidInput { .. }),
            "{bad:?}: {err:?}"
        );
        assert!(log.next().await.is_none());
    }
    let err = c
        .tail_job_logs("ok")
        .idle_timeout(Some(Duration::ZERO))
        .messages()
        .next()
        .await
        .unwrap()
        .expect_err("zero");
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_tail_request_is_retried_before_any_data() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(503, json!({"detail": "starting"})))
        .push(MockResponse::chunked(200, sse_body()));
    let lines: Vec<_> = retrying_client(&mock)
        .stream_tail_job_logs("raysubmit_abc123")
        .messages()
        .collect()
        .await;
    assert_eq!(lines.len(), 3);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn the_tail_limits_are_set_on_the_call() {
    let body = || {
        MockResponse::chunked(
            200,
            vec![MockChunk::Data("abc\nabcdefgh\nxyz\nmore\n".into())],
        )
    };
    let mock = MockTransport::new();
    mock.push(body()).push(body()).push(body());
    let c = client(&mock);
    // Too many messages: the stream fails with a 429-like limit error, then ends.
    let items: Vec<_> = c
        .tail_job_logs("raysubmit_1")
        .max_messages(Some(2))
        .messages()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    let err = items[2].as_ref().expect_err("limit");
    assert!(matches!(err, Error::StreamLimit { .. }), "{err:?}");
    assert_eq!(err.status_code(), Some(429));
    // Oversized messages are skipped (but counted against the byte limit).
    let items: Vec<String> = c
        .tail_job_logs("raysubmit_1")
        .max_message_chars(Some(3))
        .messages()
        .map(|m| m.unwrap())
        .collect()
        .await;
    assert_eq!(items, ["abc", "xyz"]);
    // The byte limit counts every message: "abc" + "abcdefgh" is over 10 bytes.
    let items: Vec<_> = c
        .tail_job_logs("raysubmit_1")
        .max_message_chars(None)
        .max_bytes(Some(10))
        .messages()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_deref().ok(), Some("abc"));
    assert!(matches!(items[1], Err(Error::StreamLimit { .. })));
    // A line longer than `max_line_bytes` without its terminator yet comes in pieces.
    mock.push(MockResponse::chunked(
        200,
        vec![
            MockChunk::Data("abcdefgh".into()),
            MockChunk::Data("ij\n".into()),
        ],
    ));
    let items: Vec<String> = c
        .tail_job_logs("raysubmit_1")
        .max_line_bytes(4)
        .messages()
        .map(|m| m.unwrap())
        .collect()
        .await;
    assert_eq!(items, ["abcd", "efgh", "ij"]);
    assert_eq!(mock.request_count(), 4);
}
