//! Jobs: a job a v1 plugin run starts, read through v2, its console tailed live until it
//! ends, reported, stopped; log entries written one at a time and in a batch, then listed
//! and read as job logs.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};
use synapse_backend::BackendClient;
use synapse_backend::models::v2::{
    JobLogLevel, JobLogV2BulkCreateRequest, JobLogV2BulkItemRequest, JobLogV2CreateRequest,
    JobStatus, PatchedJobV2PartialUpdateRequest,
};
use synapse_backend::models::{
    JobId, PluginCode, PluginCreate, PluginId, PluginReleaseCreateRequest, Timestamp,
};
use synapse_fake::FakeConfig;
use synapse_transport::ApiErrorKind;

use crate::{assert_request_id, fields, start, start_with, v2_error};

/// Creates the plugin `code` with a runnable release `1.0.0` through v1: the plugin's id.
pub async fn runnable_plugin(v1: &BackendClient, code: &str) -> PluginId {
    let plugin = v1
        .create_plugin(PluginCreate {
            name: Some("Trainer".into()),
            code: Some(PluginCode::new(code).expect("code")),
            category: Some("neural_net".into()),
            ..Default::default()
        })
        .await
        .expect("plugin");
    let mut release =
        PluginReleaseCreateRequest::new(PluginCode::new(code).expect("code"), "1.0.0");
    release.config = json!({"actions": {"train": {"entrypoint": "plugin.train"}}})
        .as_object()
        .cloned();
    v1.create_plugin_release(release).await.expect("release");
    plugin.id.expect("plugin id")
}

/// Runs the plugin's `train` action through v1 with `{"epochs": 3}`: the job's id.
pub async fn run_train(v1: &BackendClient, plugin: PluginId) -> JobId {
    let params = json!({"epochs": 3}).as_object().cloned().expect("object");
    let run = v1
        .run_plugin(plugin)
        .action("train")
        .params(params)
        .await
        .expect("run");
    run.job_id().cloned().expect("a job")
}

/// The `type` and the line of each console event, as the tail sends them.
fn event_kind(data: &str) -> (String, Value) {
    let value: Value = serde_json::from_str(data).expect("JSON event data");
    let kind = value["type"].as_str().expect("type").to_owned();
    (kind, value)
}

#[tokio::test]
async fn a_v1_run_is_a_v2_job_tailed_until_it_ends() {
    let (_fake, v1, client) = start().await;
    let plugin = runnable_plugin(&v1, "trainer").await;
    let id = run_train(&v1, plugin).await;

    let job = client.jobs().retrieve(id.clone()).await.expect("job");
    assert_request_id(job.request_id());
    assert_eq!(job.id, id);
    assert_eq!(job.action, "train");
    assert_eq!(job.params["epochs"], 3);
    assert_eq!(job.plugin_release.version, "1.0.0");
    assert_eq!(job.plugin_release_id, job.plugin_release.id);

    // The tail streams every console line while the job runs, and ends with it.
    let mut events = client.jobs().tail_console_logs(id.clone()).events();
    let mut kinds = Vec::new();
    let mut lines = Vec::new();
    while let Some(event) = events.next().await {
        let (kind, value) = event_kind(&event.expect("event").data);
        if kind == "log" {
            lines.push(value["data"].as_str().expect("line").to_owned());
        }
        kinds.push(kind);
    }
    assert_eq!(kinds.first().map(String::as_str), Some("connected"));
    assert_eq!(kinds.last().map(String::as_str), Some("complete"));
    assert_eq!(lines.len(), 6, "{lines:?}");
    let console = client
        .jobs()
        .console_logs(id.clone())
        .await
        .expect("console");
    assert_eq!(console.logs, lines);

    let done = client.jobs().retrieve(id.clone()).await.expect("job");
    assert_eq!(done.status, JobStatus::Succeeded);
    assert!(!done.is_active && done.completed.is_some());
    let listed: Vec<JobId> = client
        .jobs()
        .list()
        .action("train")
        .items()
        .map_ok(|j| j.id)
        .try_collect()
        .await
        .expect("jobs");
    assert_eq!(listed, std::slice::from_ref(&id));
    // An ended job cannot be stopped.
    v2_error(
        client.jobs().stop(id).await,
        409,
        ApiErrorKind::Conflict,
        "INVALID_STATE",
    );
}

#[tokio::test]
async fn a_running_job_is_reported_stopped_and_logged() {
    let (_fake, v1, client) = start_with(FakeConfig {
        job_duration: Duration::from_secs(30),
        ..FakeConfig::default()
    })
    .await;
    let plugin = runnable_plugin(&v1, "trainer").await;
    let id = run_train(&v1, plugin).await;

    let reported = client
        .jobs()
        .partial_update(id.clone())
        .body(PatchedJobV2PartialUpdateRequest {
            status: Some(JobStatus::Running),
            progress_record: Some(json!({"overall": 50})),
            ..Default::default()
        })
        .await
        .expect("reported");
    assert_eq!(reported.status, JobStatus::Running);
    assert_eq!(reported.progress_record["overall"], 50);
    let backwards = v2_error(
        client
            .jobs()
            .partial_update(id.clone())
            .body(PatchedJobV2PartialUpdateRequest {
                status: Some(JobStatus::Pending),
                ..Default::default()
            })
            .await,
        400,
        ApiErrorKind::BadRequest,
        "INVALID_TRANSITION",
    );
    assert!(!backwards.message.is_empty());

    // Log entries: one, then a batch; all or nothing.
    let at = Timestamp::new("2026-03-01T10:00:00Z");
    let one = client
        .jobs()
        .create_log(
            id.clone(),
            JobLogV2CreateRequest {
                event: "metric".into(),
                step: "train".into(),
                level: JobLogLevel::Info,
                data: json!({"loss": 0.5}),
                datetime: at.clone(),
                extra: Map::new(),
                wire_nulls: Default::default(),
            },
        )
        .await
        .expect("log");
    assert_request_id(one.request_id());
    assert_eq!(one.job_id, id);
    assert_eq!((one.event.as_str(), one.step.as_str()), ("metric", "train"));
    assert_eq!(one.data, json!({"loss": 0.5}));
    let item = |event: &str, level: JobLogLevel, n: i64| JobLogV2BulkItemRequest {
        event: event.into(),
        step: String::new(),
        level,
        data: json!({"n": n}),
        datetime: at.clone(),
        extra: Map::new(),
        wire_nulls: Default::default(),
    };
    let batch = client
        .jobs()
        .create_logs_bulk(
            id.clone(),
            JobLogV2BulkCreateRequest {
                logs: vec![
                    item("metric", JobLogLevel::Info, 1),
                    item("metric", JobLogLevel::Info, 2),
                    item("disk", JobLogLevel::Warning, 3),
                ],
                extra: Map::new(),
                wire_nulls: Default::default(),
            },
        )
        .await
        .expect("batch");
    assert_eq!(batch.len(), 3);
    assert_eq!(batch[2].level, JobLogLevel::Warning);
    let bad = v2_error(
        client
            .jobs()
            .create_logs_bulk(
                id.clone(),
                JobLogV2BulkCreateRequest {
                    logs: vec![
                        item("metric", JobLogLevel::Info, 4),
                        item("", JobLogLevel::Info, 5),
                    ],
                    extra: Map::new(),
                    wire_nulls: Default::default(),
                },
            )
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&bad), ["logs[1].event"]);

    let mut entries = client
        .job_logs()
        .list()
        .job(id.to_string())
        .per_page(2)
        .items();
    let mut seen = Vec::new();
    while let Some(entry) = entries.try_next().await.expect("entry") {
        assert_eq!(entry.job_id, id);
        seen.push((entry.id, entry.event));
    }
    assert_eq!(entries.pages_fetched(), 2);
    let events: Vec<&str> = seen.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(
        events,
        ["metric", "metric", "metric", "disk"],
        "nothing of the bad batch"
    );
    let warnings: Vec<_> = client
        .job_logs()
        .list()
        .level("warning")
        .items()
        .try_collect()
        .await
        .expect("warnings");
    assert_eq!(warnings.len(), 1);
    let warning = client
        .job_logs()
        .retrieve(warnings[0].id)
        .await
        .expect("entry");
    assert_eq!(warning.data, json!({"n": 3}));
    v2_error(
        client.job_logs().retrieve(999_999).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );

    // The user stops it: STOPPED, and the console says so.
    let stopped = client.jobs().stop(id.clone()).await.expect("stopped");
    assert_request_id(stopped.request_id());
    assert_eq!(stopped.status, JobStatus::Stopped);
    assert!(!stopped.is_active);
    let console = client
        .jobs()
        .console_logs(id.clone())
        .await
        .expect("console");
    assert!(
        console
            .logs
            .last()
            .is_some_and(|l| l.ends_with("Job stopped by user")),
        "{:?}",
        console.logs
    );
    let events: Vec<String> = client
        .jobs()
        .tail_console_logs(id)
        .events()
        .map(|e| event_kind(&e.expect("event").data).0)
        .collect()
        .await;
    assert_eq!(events.last().map(String::as_str), Some("complete"));
}
