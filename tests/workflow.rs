//! The whole plugin workflow, pagination and auth over real HTTP against the fake.

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use synapse_backend::models::{
    JobStatus, PluginCode, PluginCreate, PluginReleaseCreateRequest, TailEventType,
};
use synapse_backend::{BackendClient, ChunkedUploadOptions, Error, ReleaseArchive};
use synapse_e2e::{md5_hex, start, start_with};
use synapse_fake::FakeConfig;
use synapse_transport::ApiErrorKind;

#[tokio::test]
async fn the_whole_plugin_workflow() {
    let (fake, client) = start().await;
    let plugin = client
        .create_plugin(PluginCreate {
            name: Some("YOLO v8".into()),
            code: Some(PluginCode::new("yolov8").expect("code")),
            category: Some("neural_net".into()),
            ..Default::default()
        })
        .await
        .expect("plugin");
    let plugin_id = plugin.id.expect("id");

    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("yolov8-1.0.0.zip");
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(&archive, &bytes).expect("write");
    let mut req =
        PluginReleaseCreateRequest::new(PluginCode::new("yolov8").expect("code"), "1.0.0");
    req.config = json!({"actions": {"train": {"entrypoint": "plugin.train"}}})
        .as_object()
        .cloned();
    let release = client
        .create_plugin_release(req)
        .archive(ReleaseArchive::path(&archive))
        .await
        .expect("release");
    // The archive arrived whole: the fake recorded its size and md5.
    assert_eq!(release.extra["archive"]["size"], json!(bytes.len()));
    assert_eq!(release.extra["archive"]["md5"], json!(md5_hex(&bytes)));
    let by_lookup = client
        .get_plugin_release_by_lookup("yolov8@1.0.0")
        .await
        .expect("lookup");
    assert_eq!(
        by_lookup
            .plugin
            .as_ref()
            .and_then(|p| p.object())
            .and_then(|p| p.code.clone()),
        Some(PluginCode::new("yolov8").expect("code"))
    );

    let run = client
        .run_plugin(plugin_id)
        .action("train")
        .await
        .expect("run");
    let job_id = run.job_id().cloned().expect("a job was started");

    // Tail while the job runs: log events arrive, then `complete` ends the stream.
    let mut events = client.tail_job_console_logs(&job_id).events();
    let mut logs = Vec::new();
    let mut completed = false;
    while let Some(event) = events.next().await {
        let event = event.expect("event");
        match event.event_type {
            Some(TailEventType::Log) => logs.push(event.text().unwrap_or_default()),
            Some(TailEventType::Complete) => completed = true,
            _ => {}
        }
    }
    assert!(completed);
    assert_eq!(logs.len(), 6, "{logs:?}");
    assert!(logs[0].contains("Plugin started"));

    let job = client.get_job(&job_id).await.expect("job");
    assert_eq!(job.status, Some(JobStatus::Succeeded));
    assert_eq!(job.progress_percent(), Some(100.0));
    let console = client
        .list_job_console_logs(&job_id)
        .await
        .expect("console");
    assert_eq!(console.lines(), logs);

    let updated = client
        .update_job(&job_id)
        .status(JobStatus::Stopped)
        .await
        .expect("update");
    assert_eq!(updated.status, Some(JobStatus::Stopped));
    assert_eq!(fake.runs(), 1);
}

#[tokio::test]
async fn pagination_across_many_pages() {
    let (fake, client) = start().await;
    let ids = fake.seed_jobs(250);
    let mut jobs = client.list_jobs().items();
    assert_eq!(jobs.total().await.expect("count"), 250);
    let got: Vec<String> = jobs
        .map(|j| j.expect("job").id.expect("id").to_string())
        .collect()
        .await;
    assert_eq!(got, ids, "every job once, in order");
    assert_eq!(fake.count(&synapse_transport::Method::GET, "/jobs/"), 3);
    // One page, as the Python SDK's list_jobs.
    let page = client
        .list_jobs()
        .page_size(10)
        .query("page", 25)
        .await
        .expect("page");
    assert_eq!(page.results.len(), 10);
    assert!(page.next.is_none());
    // A page past the end is a typed 404.
    let err = client
        .list_jobs()
        .query("page", 99)
        .await
        .expect_err("past the end");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn a_chunked_upload_round_trips_its_md5() {
    let (fake, client) = start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("weights.bin");
    let data: Vec<u8> = (0..700_000u32).map(|i| (i * 13 % 256) as u8).collect();
    std::fs::write(&path, &data).expect("write");
    let upload = client
        .create_chunked_upload(&path)
        .options(ChunkedUploadOptions::default().chunk_size(256 * 1024))
        .await
        .expect("upload");
    assert_eq!(upload.md5, md5_hex(&data));
    assert_eq!(
        fake.upload_md5(&upload.id.to_string()),
        Some(md5_hex(&data))
    );
    assert_eq!(upload.response.size, Some(700_000));
}

#[tokio::test]
async fn missing_or_wrong_credentials_and_tenants_are_typed_errors() {
    let (fake, _) = start_with(FakeConfig {
        tenant: Some("acme".into()),
        ..FakeConfig::default()
    })
    .await;
    let anonymous = BackendClient::builder(fake.url())
        .without_env()
        .build()
        .expect("client");
    let err = anonymous.list_jobs().await.expect_err("401");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::Unauthorized);
    let wrong = BackendClient::builder(fake.url())
        .without_env()
        .access_token("not-the-token")
        .build()
        .expect("client");
    assert_eq!(
        wrong.list_jobs().await.expect_err("401").status_code(),
        Some(401)
    );
    let other_tenant = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .tenant("globex")
        .build()
        .expect("client");
    let err = other_tenant.list_jobs().await.expect_err("403");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::Forbidden);
    assert!(!err.to_string().contains(fake.access_token()));
    let right = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .tenant("acme")
        .build()
        .expect("client");
    let storages: Vec<_> = right
        .list_storages()
        .items()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(storages.len(), 1);
}

#[tokio::test]
async fn validation_errors_come_back_as_field_errors_naming_every_bad_field() {
    let (_fake, client) = start().await;
    let err = client
        .create_plugin(PluginCreate {
            name: Some("No code".into()),
            ..Default::default()
        })
        .await
        .expect_err("400");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::BadRequest);
    assert_eq!(
        err.body_json(),
        Some(&json!({
            "code": ["This field is required."],
            "category": ["This field is required."],
        }))
    );
    let err = client.get_job("missing").await.expect_err("404");
    assert!(matches!(err, Error::Api(_)));
    assert_eq!(
        err.api().expect("api").detail(),
        json!({"detail": "Not found."})
    );
}

#[tokio::test]
async fn agents_and_storages_read_the_same_as_a_page_or_a_bare_array() {
    let mut seen = Vec::new();
    for bare_array_lists in [false, true] {
        let (fake, client) = start_with(FakeConfig {
            bare_array_lists,
            page_size: 1,
            ..FakeConfig::default()
        })
        .await;
        let agents: Vec<String> = client
            .list_agents()
            .items()
            .map_ok(|a| a.name.unwrap_or_default())
            .try_collect()
            .await
            .expect("agents");
        let storages: Vec<String> = client
            .list_storages()
            .items()
            .map_ok(|s| s.name.unwrap_or_default())
            .try_collect()
            .await
            .expect("storages");
        let default = client
            .get_default_storage()
            .await
            .expect("default storage")
            .and_then(|s| s.name);
        // A page of one item each: the page walk needs two agent pages; the bare array one.
        let agent_requests = fake.count(&synapse_fake::Method::GET, "/agents/");
        seen.push((agents, storages, default, agent_requests));
    }
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        seen,
        [
            (
                names(&["gpu-node-1", "cpu-node-1"]),
                names(&["Main S3"]),
                Some("Main S3".to_owned()),
                2
            ),
            (
                names(&["gpu-node-1", "cpu-node-1"]),
                names(&["Main S3"]),
                Some("Main S3".to_owned()),
                1
            ),
        ]
    );
}
