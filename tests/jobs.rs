//! The backend core's shapes over real HTTP: both shapes of the tail's `log` events, the job
//! filters, an atomic PATCH, a duplicate release, and undeclared keys dropped.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use synapse_backend::models::{
    AgentId, JobStatus, LogEntry, LogLevel, PluginCode, PluginRef, PluginReleaseCreateRequest,
    TailEventType,
};
use synapse_backend::{BackendClient, Error};
use synapse_e2e::{create_plugin, start, start_with};
use synapse_fake::{FakeConfig, FakeServer, TailLogShape};
use synapse_transport::ApiErrorKind;

/// Creates plugin `code` with a release `1.0.0` that has a `train` action.
async fn plugin_with_release(client: &BackendClient, code: &str) {
    create_plugin(client, code, &code.to_uppercase()).await;
    let mut release =
        PluginReleaseCreateRequest::new(PluginCode::new(code).expect("code"), "1.0.0");
    release.config = json!({"actions": {"train": {"entrypoint": "plugin.train"}}})
        .as_object()
        .cloned();
    client
        .create_plugin_release(release)
        .await
        .expect("release");
}

/// The fake's `status` error for `err`, with its JSON body.
fn bad_request(err: &Error) -> Value {
    let api = err.api().unwrap_or_else(|| panic!("an API error: {err:?}"));
    assert_eq!(api.kind, ApiErrorKind::BadRequest, "{err}");
    match &api.body {
        synapse_transport::ApiBody::Json(v) => v.clone(),
        other => panic!("a JSON body: {other:?}"),
    }
}

/// Sends `body` to `path` as another client would (plain HTTP with the access token, not
/// the SDK); the status and the JSON body of the answer.
async fn send_raw(
    fake: &FakeServer,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .request(method, format!("{}{path}", fake.url()))
        .header(
            "Synapse-Access-Token",
            format!("Token {}", fake.access_token()),
        )
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    let body = serde_json::from_slice(&resp.bytes().await.expect("body")).expect("JSON");
    (status, body)
}

/// Runs a job, tails it with `.events()` and returns the log texts, the raw `data:` lines of
/// its `log` events, and the console lines read afterwards.
async fn tail_once(shape: TailLogShape) -> (Vec<String>, Vec<Value>, Vec<String>) {
    let (_fake, client): (FakeServer, BackendClient) = start_with(FakeConfig {
        job_duration: Duration::from_millis(300),
        log_lines: 6,
        tail_log_shape: shape,
        ..FakeConfig::default()
    })
    .await;
    plugin_with_release(&client, "tailed").await;
    let run = client
        .run_plugin(PluginCode::new("tailed").expect("code"))
        .action("train")
        .await
        .expect("run");
    let job_id = run.job_id().cloned().expect("job");
    let mut texts = Vec::new();
    let mut events = client.tail_job_console_logs(&job_id).events();
    while let Some(event) = events.next().await {
        let event = event.expect("event");
        if event.event_type == Some(TailEventType::Log) {
            assert_eq!(event.message, None, "a log event carries data, not message");
            texts.push(event.text().expect("a text"));
        }
    }
    // The raw stream of the now finished job: the log events as the wire has them.
    let raw: Vec<Value> = client
        .tail_job_console_logs(&job_id)
        .lines()
        .try_collect::<Vec<String>>()
        .await
        .expect("lines")
        .iter()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter(|v| v["type"] == "log")
        .collect();
    let console = client
        .list_job_console_logs(&job_id)
        .await
        .expect("console")
        .lines();
    (texts, raw, console)
}

#[tokio::test]
async fn both_tail_log_shapes_give_the_sdk_the_same_lines() {
    let (plain, plain_raw, console) = tail_once(TailLogShape::Plain).await;
    assert_eq!(plain.len(), 6, "{plain:?}");
    assert!(
        plain[0].contains("Plugin started: action=train"),
        "{plain:?}"
    );
    // Timestamps differ between the two runs; the text after them does not.
    let strip = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.get(20..).unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        strip(&plain),
        strip(&console),
        "the tail yields the console lines"
    );
    assert_eq!(plain_raw.len(), 6);
    for event in &plain_raw {
        assert!(
            event["data"].is_string() && event.get("message").is_none(),
            "{event}"
        );
        assert!(
            !event["data"]
                .as_str()
                .unwrap_or_default()
                .starts_with("data:")
        );
    }

    let (nested, nested_raw, _) = tail_once(TailLogShape::Nested).await;
    assert_eq!(strip(&nested), strip(&plain));
    for event in &nested_raw {
        let data = event["data"].as_str().expect("data is text");
        let inner: Value =
            serde_json::from_str(data.strip_prefix("data: ").expect("a nested event"))
                .expect("JSON");
        assert_eq!(inner["type"], "log");
        assert!(inner["message"].is_string(), "{inner}");
    }
}

#[tokio::test]
async fn job_filters_are_applied_and_a_bad_value_is_named() {
    let (fake, client) = start().await;
    plugin_with_release(&client, "alpha").await;
    plugin_with_release(&client, "beta").await;
    let before = "2000-01-01T00:00:00Z";
    for (code, agent) in [
        ("alpha", Some(1)),
        ("alpha", None),
        ("beta", Some(1)),
        ("beta", Some(2)),
    ] {
        let mut run = client
            .run_plugin(PluginCode::new(code).expect("code"))
            .action("train");
        if let Some(agent) = agent {
            run = run.agent(AgentId::from(agent));
        }
        run.await.expect("run");
    }
    fake.seed_jobs(3);
    let count = |list: synapse_backend::ListJobs| async move {
        list.items()
            .try_collect::<Vec<_>>()
            .await
            .expect("listed")
            .len()
    };
    assert_eq!(count(client.list_jobs()).await, 7);
    let alpha = PluginRef::Code(PluginCode::new("alpha").expect("code"));
    assert_eq!(count(client.list_jobs().plugin(alpha)).await, 2);
    assert_eq!(count(client.list_jobs().agent(AgentId::from(1))).await, 2);
    assert_eq!(count(client.list_jobs().agent(AgentId::from(2))).await, 1);
    let unknown = PluginRef::Code(PluginCode::new("gamma").expect("code"));
    assert_eq!(count(client.list_jobs().plugin(unknown)).await, 0);
    assert_eq!(
        count(client.list_jobs().query("created_after", before)).await,
        7
    );
    assert_eq!(
        count(
            client
                .list_jobs()
                .query("created_after", "2999-01-01T00:00:00+09:00")
        )
        .await,
        0
    );
    assert_eq!(
        count(client.list_jobs().query("action", "inference")).await,
        1
    );
    let newest = client
        .list_jobs()
        .ordering("-created")
        .page_size(1)
        .await
        .expect("page");
    let oldest = client.list_jobs().page_size(1).await.expect("page");
    assert_ne!(newest.results[0].id, oldest.results[0].id);

    let err = client
        .list_jobs()
        .query("agent", "gpu-node-1")
        .query("created_after", "yesterday")
        .await
        .expect_err("bad filters");
    assert_eq!(
        bad_request(&err),
        json!({"agent": ["Enter a number."], "created_after": ["Enter a valid date/time."]})
    );
}

#[tokio::test]
async fn a_rejected_patch_changes_nothing_and_names_every_bad_field() {
    let (fake, client) = start().await;
    let id = fake.seed_jobs(1).remove(0);
    let job = client
        .update_job(id.as_str())
        .status(JobStatus::Running)
        .meta(
            json!({"queue": {"position": 2}})
                .as_object()
                .cloned()
                .expect("map"),
        )
        .await
        .expect("patched");
    assert_eq!(job.status, Some(JobStatus::Running));

    // Another client sends a PATCH the SDK would refuse to send: two bad fields, one good
    // status and an undeclared key.
    let (status, body) = send_raw(
        &fake,
        reqwest::Method::PATCH,
        &format!("jobs/{id}/"),
        json!({"status": "FAILED", "result": "text", "progress_record": 5, "meta": {"x": 1},
               "owner": "me"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"result": ["Expected an object or a list."],
               "progress_record": ["Expected a dictionary of items."]})
    );
    let job = client.get_job(id.as_str()).await.expect("job");
    assert_eq!(
        job.status,
        Some(JobStatus::Running),
        "the status did not change"
    );
    assert_eq!(
        job.meta.map(|m| m.to_value()),
        Some(json!({"queue": {"position": 2}}))
    );

    // A lowercase status is not one of the choices.
    let (_, body) = send_raw(
        &fake,
        reqwest::Method::PATCH,
        &format!("jobs/{id}/"),
        json!({"status": "running", "owner": "me"}),
    )
    .await;
    assert_eq!(
        body,
        json!({"status": ["\"running\" is not a valid choice."]})
    );

    // A good PATCH with an undeclared key: stored without it.
    let (status, _) = send_raw(
        &fake,
        reqwest::Method::PATCH,
        &format!("jobs/{id}/"),
        json!({"status": "SUCCEEDED", "owner": "me"}),
    )
    .await;
    assert_eq!(status, 200);
    let job = client.get_job(id.as_str()).await.expect("job");
    assert_eq!(job.status, Some(JobStatus::Succeeded));
    assert!(!job.extra.contains_key("owner"), "{:?}", job.extra);
}

#[tokio::test]
async fn a_duplicate_release_says_it_already_exists() {
    let (fake, client) = start().await;
    plugin_with_release(&client, "dup").await;
    let again = PluginReleaseCreateRequest::new(PluginCode::new("dup").expect("code"), "1.0.0");
    let err = client
        .create_plugin_release(again)
        .await
        .expect_err("duplicate");
    let body = bad_request(&err);
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(
        body,
        json!({"non_field_errors": ["Plugin release with this Plugin and Version already exists."]})
    );
    // Missing fields are named together.
    let (_, body) = send_raw(
        &fake,
        reqwest::Method::POST,
        "plugin_releases/",
        json!({"config": [1], "debug": "yes"}),
    )
    .await;
    assert_eq!(
        body,
        json!({"plugin": ["This field is required."], "version": ["This field is required."],
               "config": ["Expected a dictionary of items."], "debug": ["Must be a valid boolean."]})
    );
}

#[tokio::test]
async fn log_entries_keep_their_declared_fields_only() {
    let (_fake, client) = start().await;
    let mut entry = LogEntry::message("epoch 1", LogLevel::Info);
    entry.extra.insert("bogus".into(), json!(true));
    let created = client
        .create_logs([entry, LogEntry::message("epoch 2", LogLevel::Warning)])
        .send()
        .await
        .expect("created");
    let created: Vec<&Value> = created
        .iter()
        .flat_map(|v| {
            v.as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_else(|| vec![v])
        })
        .collect();
    assert_eq!(created.len(), 2, "{created:?}");
    assert_eq!(created[0]["message"], "epoch 1");
    assert_eq!(created[1]["level"], "warning");
    assert!(created[0].get("bogus").is_none(), "{}", created[0]);
}
