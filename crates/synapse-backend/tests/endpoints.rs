//! Every integration operation: the exact request (insta snapshot: method, URL, headers
//! with tokens redacted, body) and the decoding of its answer, including an error status.
#![allow(clippy::field_reassign_with_default)]

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use synapse_backend::models::{
    AgentStatus, JobId, JobStatus, LogEntry, LogLevel, PluginCode, PluginCreate, PluginId,
    PluginRef, PluginReleaseCreateRequest, PluginReleaseId, PluginUpdate,
    ServeApplicationCreateRequest, StorageCategory, StorageCreate, StorageId, TailEventType,
};
use synapse_backend::{BackendClient, Error, ReleaseArchive};
use synapse_transport::mock::{MockChunk, MockResponse, MockTransport};
use synapse_transport::{ApiErrorKind, Method, RetryPolicy};

fn client(mock: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("acc-secret")
        .tenant("acme")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

fn obj(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().expect("a JSON object")
}

fn ok(body: Value) -> MockResponse {
    MockResponse::json(200, body)
}

/// The only request the mock received, as a snapshot value.
fn only_request(mock: &MockTransport) -> Value {
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests[0].snapshot()
}

fn job_json(id: &str, status: &str) -> Value {
    json!({"id": id, "status": status, "action": "train", "is_active": true,
           "created": "2026-11-23T10:00:00Z", "completed": null, "queue": null, "error": null})
}

#[tokio::test]
async fn list_agents_follows_pages_and_accepts_a_bare_array() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"count": 2, "next": "https://synapse.test/agents/?page=2&status=connected",
        "results": [{"id": 1, "name": "gpu-1", "url": "http://10.0.0.5:8000", "status": "connected",
                     "token": null, "node_install_script": "curl https://synapse.test/agents/0123456789abcdef0123456789abcdef01234567/node_install_script | sh"}]})))
        .push(ok(json!([{"id": 2, "name": "cpu-1", "status": "disconnected", "region": "kr"}])));
    let list = client(&mock).list_agents().status(AgentStatus::Connected);
    let first = list.request().expect("request").snapshot();
    let agents: Vec<_> = list.items().try_collect().await.expect("agents");
    assert_eq!(agents.len(), 2);
    assert!(agents[0].is_connected());
    assert_eq!(
        agents[0]
            .effective_token()
            .map(|t| t.expose().to_owned())
            .as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(agents[1].extra.get("region"), Some(&json!("kr")));
    // The walk sends no page_size, as the Python SDK's list_agents.
    assert_eq!(mock.requests()[0].snapshot(), first);
    insta::assert_json_snapshot!(first);
}

#[tokio::test]
async fn health_check_agent_posts_an_empty_json_request_and_redacts_the_token() {
    let token = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";
    let mock = MockTransport::new();
    mock.push(ok(json!({"status": "ok"})));
    let call = client(&mock).health_check_agent(token);
    let request = call.request().expect("request").snapshot();
    let v = call.await.expect("ok");
    assert_eq!(v, json!({"status": "ok"}));
    assert_eq!(only_request(&mock), request);
    insta::assert_json_snapshot!(request);
    let mock = MockTransport::new();
    mock.push(MockResponse::json(404, json!({"detail": "Not found."})));
    let err = client(&mock)
        .health_check_agent(token)
        .await
        .expect_err("404");
    assert!(err.to_string().contains("agents/***/connect/"), "{err}");
    assert!(!format!("{err} {err:?}").contains(token));
}

#[tokio::test]
async fn plugins_get_create_update() {
    let plugin = json!({"id": 42, "code": "yolov8", "name": "YOLO v8", "category": "neural_net",
                        "is_active": true, "created": "2026-11-23T10:00:00Z", "owner_team": "vision"});
    let mock = MockTransport::new();
    mock.push(ok(plugin.clone()))
        .push(MockResponse::json(201, plugin.clone()))
        .push(ok(plugin.clone()));
    let c = client(&mock);
    let mut create = PluginCreate::default();
    create.name = Some("YOLO v8".into());
    create.code = Some(PluginCode::new("yolov8").expect("code"));
    create.category = Some("neural_net".into());
    create.description = Some("Object detection".into());
    let mut update = PluginUpdate::default();
    update.description = Some("Updated".into());
    update.extra.insert("is_active".into(), json!(true));
    let get = c.get_plugin(42);
    let create = c.create_plugin(create);
    let update = c.update_plugin(42, update);
    let snaps: Vec<Value> = [get.request(), create.request(), update.request()]
        .into_iter()
        .map(|r| r.expect("request").snapshot())
        .collect();
    let p = get.await.expect("get");
    assert_eq!(p.extra.get("owner_team"), Some(&json!("vision")));
    create.await.expect("create");
    update.await.expect("update");
    let sent: Vec<Value> = mock.requests().iter().map(|r| r.snapshot()).collect();
    assert_eq!(sent, snaps);
    insta::assert_json_snapshot!(snaps);
    let mock = MockTransport::new();
    mock.push(MockResponse::json(404, json!({"detail": "Not found."})));
    let err = client(&mock).get_plugin(7).await.expect_err("404");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::NotFound);
}

#[tokio::test]
async fn run_plugin_injects_language_and_is_never_replayed() {
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"job_id": "550e8400-e29b-41d4-a716-446655440000"}),
    ));
    let call = client(&mock)
        .run_plugin(PluginCode::new("yolov8").expect("code"))
        .agent(1)
        .action("deployment")
        .params(obj(json!({"num_cpus": 8})));
    let request = call.request().expect("request").snapshot();
    let run = call.await.expect("run");
    assert_eq!(
        run.job_id(),
        Some(&JobId::from("550e8400-e29b-41d4-a716-446655440000"))
    );
    assert_eq!(only_request(&mock), request);
    insta::assert_json_snapshot!(request);
    // A 503 on a run is returned, not re-sent, even with the default retry policy.
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        503,
        json!({"error_type": "gpu_unavailable", "message": "busy"}),
    ))
    .push(ok(json!({})));
    let c = BackendClient::builder("https://synapse.test/")
        .without_env()
        .transport(mock.clone())
        .build()
        .expect("client");
    let err = c
        .run_plugin(PluginRef::Id(PluginId::from(3)))
        .action("deployment")
        .await
        .expect_err("503");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::GpuUnavailable);
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn plugin_releases_get_lookup_list() {
    let release = json!({"id": 9, "plugin": 42, "version": "1.0.0", "config": {"actions": {"train": {"entrypoint": "plugin.train"}}}});
    let mock = MockTransport::new();
    mock.push(ok(release.clone()))
        .push(ok(release.clone()))
        .push(ok(release.clone()))
        .push(ok(
            json!({"count": 1, "next": null, "results": [release.clone()]}),
        ));
    let c = client(&mock);
    c.get_plugin_release(PluginReleaseId::from(9))
        .expand("plugin")
        .await
        .expect("get");
    let r = c
        .get_plugin_release_by_lookup("team/yolo v8@1.0.0")
        .await
        .expect("lookup");
    assert_eq!(r.version.as_deref(), Some("1.0.0"));
    c.get_plugin_release_by_lookup("yolov8@1.0.0")
        .expand(None)
        .query("fields", "id,version")
        .await
        .expect("lookup");
    let all: Vec<_> = c
        .list_plugin_releases(PluginCode::new("yolov8").expect("code"))
        .ordering("-created")
        .items()
        .try_collect()
        .await
        .expect("list");
    assert_eq!(all.len(), 1);
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    insta::assert_json_snapshot!(urls, @r#"
    [
      "https://synapse.test/plugin_releases/9/?expand=plugin",
      "https://synapse.test/plugin_releases/team%2Fyolo%20v8@1.0.0/?expand=plugin",
      "https://synapse.test/plugin_releases/yolov8@1.0.0/?fields=id%2Cversion",
      "https://synapse.test/plugin_releases/?plugin=yolov8&ordering=-created"
    ]
    "#);
}

#[tokio::test]
async fn create_plugin_release_json_and_multipart() {
    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("yolov8-1.0.0.zip");
    std::fs::write(&archive, b"PK\x03\x04 fake zip").expect("write");
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        201,
        json!({"id": 10, "plugin": 42, "version": "1.0.1"}),
    ))
    .push(MockResponse::json(
        201,
        json!({"id": 11, "plugin": 42, "version": "1.0.0"}),
    ));
    let c = client(&mock);
    let plain = PluginReleaseCreateRequest::new(PluginCode::new("yolov8").expect("code"), "1.0.1");
    let mut full =
        PluginReleaseCreateRequest::new(PluginCode::new("yolov8").expect("code"), "1.0.0");
    full.config = json!({"actions": {"train": {"entrypoint": "plugin.train"}}})
        .as_object()
        .cloned();
    full.requirements = Some(vec!["ultralytics==8.2.0".into(), "torch>=2.2".into()]);
    let json_call = c.create_plugin_release(plain.clone());
    let multipart_call = c
        .create_plugin_release(full.clone())
        .archive(archive.as_path());
    let snaps: Vec<Value> = [json_call.request(), multipart_call.request()]
        .into_iter()
        .map(|r| r.expect("request").snapshot())
        .collect();
    json_call.await.expect("json");
    multipart_call.await.expect("multipart");
    let sent: Vec<Value> = mock.requests().iter().map(|r| r.snapshot()).collect();
    assert_eq!(sent, snaps);
    insta::assert_json_snapshot!(snaps);
    // A missing archive fails before sending.
    let err = c
        .create_plugin_release(full)
        .archive(dir.path().join("missing.zip"))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert_eq!(mock.request_count(), 2);
    // From a reader of known length: the same parts, streamed once.
    mock.push(MockResponse::json(201, json!({"id": 12})));
    let bytes = b"PK\x03\x04 fake zip".to_vec();
    let len = bytes.len() as u64;
    let reader = std::io::Cursor::new(bytes);
    c.create_plugin_release(plain)
        .archive(ReleaseArchive::reader("yolov8-1.0.1.zip", len, reader))
        .await
        .expect("reader");
    match &mock.requests()[2].body {
        synapse_transport::mock::RecordedBody::Multipart { parts, .. } => {
            let file = parts.last().expect("file part");
            assert_eq!(file.filename.as_deref(), Some("yolov8-1.0.1.zip"));
            assert_eq!(&file.data[..], b"PK\x03\x04 fake zip");
        }
        other => panic!("not multipart: {other:?}"),
    }
}

#[tokio::test]
async fn create_plugin_release_reports_the_archive_bytes_and_sends_the_same_body() {
    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("yolov8-1.0.0.zip");
    std::fs::write(&archive, vec![9u8; 700_000]).expect("write");
    let mock = MockTransport::new();
    mock.push(MockResponse::json(201, json!({"id": 10})))
        .push(MockResponse::json(201, json!({"id": 11})));
    let c = client(&mock);
    let request =
        PluginReleaseCreateRequest::new(PluginCode::new("yolov8").expect("code"), "1.0.0");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    c.create_plugin_release(request.clone())
        .archive(archive.as_path())
        .await
        .expect("plain");
    c.create_plugin_release(request)
        .archive(archive.as_path())
        .progress(move |sent, total| log.lock().expect("lock").push((sent, total)))
        .await
        .expect("with progress");
    let sent = mock.requests();
    let (plain, counted) = (sent[0].snapshot(), sent[1].snapshot());
    let boundary = |v: &Value| v["headers"]["content-type"].as_str().map(str::to_owned);
    let strip = |v: &Value, b: Option<String>| {
        v.to_string()
            .replace(b.as_deref().unwrap_or("-"), "BOUNDARY")
    };
    assert_eq!(
        strip(&plain, boundary(&plain)),
        strip(&counted, boundary(&counted))
    );
    let seen = seen.lock().expect("lock").clone();
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(seen.last(), Some(&(700_000, 700_000)));
}

#[tokio::test]
async fn jobs_get_list_update() {
    let id = JobId::from("550e8400-e29b-41d4-a716-446655440000");
    let mock = MockTransport::new();
    mock.push(ok(job_json("550e8400-e29b-41d4-a716-446655440000", "RUNNING")))
        .push(ok(json!({"count": 1, "next": null, "previous": null, "results": [job_json("j1", "completed")]})))
        .push(ok(job_json("550e8400-e29b-41d4-a716-446655440000", "RUNNING")));
    let c = client(&mock);
    let get = c.get_job(id.clone()).expand("logs");
    let list = c.list_jobs().query("status", "running").page_size(10);
    let update = c
        .update_job(id.clone())
        .status(JobStatus::Running)
        .progress_record(obj(json!({"step": 5, "total": 100})))
        .metrics_record(obj(json!({"loss": 0.25})))
        .meta(obj(json!({"queue": {"position": 0}})));
    // The request values, without IO, are exactly what the mock then receives.
    let snaps: Vec<Value> = [get.request(), list.request(), update.request()]
        .into_iter()
        .map(|r| r.expect("request").snapshot())
        .collect();
    insta::assert_json_snapshot!(snaps);
    assert_eq!(mock.request_count(), 0);
    let job = get.await.expect("get");
    assert_eq!(job.status, Some(JobStatus::Running));
    let page = list.await.expect("list");
    assert_eq!(page.results[0].status, Some(JobStatus::Succeeded));
    update.await.expect("update");
    let sent: Vec<Value> = mock.requests().iter().map(|r| r.snapshot()).collect();
    assert_eq!(sent, snaps);
    // An invalid update is refused before sending.
    let bad = c.update_job(id).result(json!("a bare string"));
    assert!(matches!(bad.request(), Err(Error::InvalidInput { .. })));
    assert!(matches!(bad.await, Err(Error::InvalidInput { .. })));
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn list_jobs_items_stream_every_page_with_the_count() {
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"count": 3, "next": "https://synapse.test/jobs/?page=2&page_size=100",
                        "results": [job_json("a", "PENDING"), job_json("b", "RUNNING")]}),
    ))
    .push(ok(
        json!({"count": 3, "next": null, "results": [job_json("c", "FAILED")]}),
    ));
    let mut jobs = client(&mock).list_jobs().items();
    assert_eq!(jobs.total().await.expect("count"), 3);
    let statuses: Vec<JobStatus> = jobs
        .map(|j| j.expect("job").status.expect("status"))
        .collect()
        .await;
    assert_eq!(
        statuses,
        vec![JobStatus::Pending, JobStatus::Running, JobStatus::Failed]
    );
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "https://synapse.test/jobs/?page_size=100"
    );
}

#[tokio::test]
async fn console_logs_in_every_shape() {
    let id = 7;
    let mock = MockTransport::new();
    mock.push(ok(json!([
        "2024-01-15 10:00:01 [INFO] Plugin started",
        "epoch 1"
    ])))
    .push(ok(json!({"logs": ["a", "b"]})))
    .push(MockResponse::json(403, json!({"detail": "wrong tenant"})));
    let c = client(&mock);
    assert_eq!(
        c.list_job_console_logs(id)
            .await
            .expect("array")
            .lines()
            .len(),
        2
    );
    assert_eq!(
        c.list_job_console_logs(id).await.expect("object").lines(),
        vec!["a", "b"]
    );
    let err = c.list_job_console_logs(id).await.expect_err("403");
    assert_eq!(err.status_code(), Some(403));
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "https://synapse.test/jobs/7/console_logs/"
    );
}

#[tokio::test(start_paused = true)]
async fn tail_yields_lines_before_the_body_ends_and_reports_a_drop() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![
            MockChunk::Data("data: {\"type\": \"connected\"}\n\nepoch 1\n".into()),
            MockChunk::Delay(std::time::Duration::from_millis(50)),
            MockChunk::Data("epoch 2\n".into()),
            MockChunk::Drop,
        ],
    ));
    let c = BackendClient::builder("https://synapse.test/")
        .without_env()
        .url_host("internal")
        .transport(mock.clone())
        .build()
        .expect("client");
    let start = tokio::time::Instant::now();
    let mut lines = c.tail_job_console_logs(5).lines();
    assert_eq!(mock.request_count(), 0, "lazy until polled");
    let first = lines.next().await.expect("line").expect("ok");
    assert_eq!(first, "data: {\"type\": \"connected\"}");
    assert_eq!(lines.next().await.expect("line").expect("ok"), "");
    assert_eq!(lines.next().await.expect("line").expect("ok"), "epoch 1");
    // Those lines arrived while the body was still open: the 50 ms pause has not elapsed.
    assert_eq!(start.elapsed(), std::time::Duration::ZERO);
    assert_eq!(lines.next().await.expect("line").expect("ok"), "epoch 2");
    assert!(matches!(
        lines.next().await,
        Some(Err(Error::ResponseIncomplete { .. }))
    ));
    assert!(lines.next().await.is_none());
    let r = &mock.requests()[0];
    assert_eq!(
        r.url.as_str(),
        "https://synapse.test/jobs/5/tail_console_logs/?url_host=internal"
    );
    assert_eq!(r.read_timeout, synapse_transport::ReadTimeout::Never);
    // A status error is the first item, typed.
    let mock = MockTransport::new();
    mock.push(MockResponse::json(429, json!({"detail": "slow down"})).header("retry-after", "3"));
    let mut lines = client(&mock).tail_job_console_logs(5).lines();
    let err = lines.next().await.expect("item").expect_err("429");
    assert_eq!(
        err.api().expect("api").retry_after,
        Some(std::time::Duration::from_secs(3))
    );
    assert!(lines.next().await.is_none());
}

#[tokio::test]
async fn create_logs_one_object_or_an_array_and_files_as_data_uris() {
    let dir = tempfile::tempdir().expect("tmp");
    let png = dir.path().join("result.png");
    std::fs::write(&png, b"\x89PNG\r\n").expect("write");
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/logs/",
        MockResponse::json(201, json!({"ok": true})),
    );
    let c = client(&mock);
    let mut with_file = LogEntry::default();
    with_file.message = Some("Training complete".into());
    with_file.level = Some(LogLevel::Info);
    with_file.context = Some(obj(json!({"job": 123})));
    with_file.file = Some(png.to_string_lossy().into_owned());
    let answers = c.create_logs([with_file.clone()]).await.expect("one");
    assert_eq!(answers, vec![json!({"ok": true})]);
    assert_eq!(
        with_file.file.as_deref(),
        Some(png.to_str().expect("utf8")),
        "input not mutated"
    );
    let mut a = LogEntry::default();
    a.message = Some("epoch 1".into());
    a.level = Some(LogLevel::Info);
    let mut b = LogEntry::default();
    b.message = Some("epoch 2".into());
    b.level = Some(LogLevel::Warning);
    c.create_logs([a.clone(), b]).await.expect("two");
    // Two file-bearing entries go in two requests.
    let answers = c
        .create_logs([with_file.clone(), a, with_file.clone()])
        .await
        .expect("split");
    assert_eq!(answers.len(), 2);
    let snaps: Vec<Value> = mock.requests().iter().map(|r| r.snapshot()).collect();
    insta::assert_json_snapshot!(snaps);
    assert!(matches!(
        c.create_logs([]).await,
        Err(Error::InvalidInput { .. })
    ));
    let mut odd = LogEntry::default();
    odd.file = Some(
        dir.path()
            .join("weights.unknownext")
            .to_string_lossy()
            .into_owned(),
    );
    assert!(matches!(
        c.create_logs([odd]).await,
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test]
async fn serve_applications_create_and_list() {
    let app =
        json!({"id": 3, "status": "RUNNING", "job": 123, "data": {"route_prefix": "/yolov8"}});
    let mock = MockTransport::new();
    mock.push(MockResponse::json(201, app.clone()))
        .push(ok(json!({"count": 1, "next": null, "results": [app.clone()]})))
        .push(ok(json!({"count": 2, "next": "https://synapse.test/serve_applications/?page=2&page_size=100&plugin=yolov8",
                        "results": [app.clone()]})))
        .push(ok(json!({"count": 2, "next": null, "results": [app.clone()]})));
    let c = client(&mock);
    let mut req =
        ServeApplicationCreateRequest::new(synapse_backend::models::IntOrString::from(123i64));
    req.status = Some("PENDING".into());
    req.data = Some(obj(json!({"route_prefix": "/yolov8", "num_replicas": 1})));
    let create = c.create_serve_application(req);
    let list = c.list_serve_applications().plugin("yolov8");
    let snaps: Vec<Value> = [create.request(), list.request()]
        .into_iter()
        .map(|r| r.expect("request").snapshot())
        .collect();
    let created = create.await.expect("create");
    assert_eq!(created.id.map(|i| i.get()), Some(3));
    let page = list.await.expect("page");
    assert_eq!(page.results.len(), 1);
    let sent: Vec<Value> = mock.requests().iter().map(|r| r.snapshot()).collect();
    assert_eq!(sent, snaps);
    let all: Vec<_> = c
        .list_serve_applications()
        .plugin("yolov8")
        .items()
        .collect()
        .await;
    assert_eq!(all.len(), 2);
    let snaps: Vec<Value> = mock.requests().iter().map(|r| r.snapshot()).collect();
    insta::assert_json_snapshot!(snaps);
}

#[tokio::test]
async fn storages_get_list_create() {
    let storage = json!({"id": 3, "name": "Main S3", "category": "internal", "provider": "amazon_s3",
                         "configuration": {"bucket_name": "b", "access_key": "AKIA-SECRET", "secret_key": "SECRET-KEY"},
                         "is_default": true, "created_by": 5});
    let mock = MockTransport::new();
    mock.push(ok(storage.clone()))
        .push(ok(json!([storage.clone()])))
        .push(MockResponse::json(201, storage.clone()))
        .push(MockResponse::json(
            400,
            json!({"provider": ["\"nope\" is not a valid choice."]}),
        ));
    let c = client(&mock);
    let get = c.get_storage(StorageId::from(3));
    let list = c.list_storages().category(StorageCategory::Internal);
    let mut snaps: Vec<Value> = [get.request(), list.request()]
        .into_iter()
        .map(|r| r.expect("request").snapshot())
        .collect();
    let s = get.await.expect("get");
    assert!(
        !format!("{s:?}").contains("SECRET"),
        "configuration is redacted in Debug"
    );
    assert_eq!(s.extra.get("created_by"), Some(&json!(5)));
    let page = list.await.expect("list");
    assert_eq!(page.results.len(), 1);
    let mut create = StorageCreate::default();
    create.name = Some("My Storage".into());
    create.provider = Some("amazon_s3".into());
    create.category = Some("internal".into());
    create.configuration = Some(synapse_backend::models::SecretValue::new(
        json!({"bucket_name": "b"}),
    ));
    let create_call = c.create_storage(create.clone());
    snaps.push(create_call.request().expect("request").snapshot());
    create_call.await.expect("create");
    let err = c.create_storage(create).await.expect_err("400");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::BadRequest);
    let sent: Vec<Value> = mock.requests()[..3].iter().map(|r| r.snapshot()).collect();
    assert_eq!(sent, snaps);
    insta::assert_json_snapshot!(snaps);
}

#[tokio::test]
async fn every_operation_maps_an_error_status_to_a_typed_error() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/agents/",
        MockResponse::json(401, json!({"detail": "Invalid token."})),
    );
    mock.route_always(
        Method::GET,
        "/plugin_releases/9/",
        MockResponse::json(404, json!({"detail": "Not found."})),
    );
    mock.route_always(
        Method::GET,
        "/plugin_releases/yolov8@9.9.9/",
        MockResponse::json(404, json!({"detail": "Not found."})),
    );
    mock.route_always(
        Method::GET,
        "/plugin_releases/",
        MockResponse::json(403, json!({"detail": "wrong tenant"})),
    );
    mock.route_always(
        Method::POST,
        "/plugin_releases/",
        MockResponse::json(400, json!({"version": ["This field is required."]})),
    );
    mock.route_always(
        Method::PUT,
        "/plugins/1/",
        MockResponse::json(400, json!({"name": ["too long"]})),
    );
    mock.route_always(
        Method::POST,
        "/plugins/",
        MockResponse::json(400, json!({"code": ["exists"]})),
    );
    mock.route_always(
        Method::GET,
        "/jobs/1/",
        MockResponse::json(404, json!({"detail": "Not found."})),
    );
    mock.route_always(
        Method::GET,
        "/jobs/",
        MockResponse::json(500, json!({"detail": "boom"})),
    );
    mock.route_always(
        Method::PATCH,
        "/jobs/1/",
        MockResponse::json(
            400,
            json!({"error": {"code": "INVALID_TRANSITION", "message": "no"}}),
        ),
    );
    mock.route_always(
        Method::POST,
        "/logs/",
        MockResponse::json(413, json!({"detail": "too large"})),
    );
    mock.route_always(
        Method::POST,
        "/serve_applications/",
        MockResponse::json(400, json!({"job": ["required"]})),
    );
    mock.route_always(
        Method::GET,
        "/serve_applications/",
        MockResponse::json(502, json!({})),
    );
    mock.route_always(
        Method::GET,
        "/storages/",
        MockResponse::json(403, json!({"detail": "no"})),
    );
    mock.route_always(
        Method::GET,
        "/storages/3/",
        MockResponse::json(404, json!({"detail": "Not found."})),
    );
    let c = client(&mock);
    let code = PluginCode::new("yolov8").expect("code");
    let id = JobId::from(1);
    let mut entry = LogEntry::default();
    entry.message = Some("m".into());
    let statuses: Vec<Option<u16>> = vec![
        c.list_agents()
            .await
            .map(|_| ())
            .err()
            .and_then(|e| e.status_code()),
        c.get_plugin_release(PluginReleaseId::from(9))
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.get_plugin_release_by_lookup("yolov8@9.9.9")
            .expand(None)
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.list_plugin_releases(code.clone())
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.create_plugin_release(PluginReleaseCreateRequest::new(code.clone(), "1"))
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.update_plugin(PluginId::from(1), PluginUpdate::default())
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.create_plugin(PluginCreate::default())
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.get_job(id.clone())
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.list_jobs().await.err().and_then(|e| e.status_code()),
        c.update_job(id.clone())
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.create_logs([entry])
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.create_serve_application(ServeApplicationCreateRequest::new(
            synapse_backend::models::IntOrString::from(1i64),
        ))
        .await
        .err()
        .and_then(|e| e.status_code()),
        c.list_serve_applications()
            .await
            .err()
            .and_then(|e| e.status_code()),
        c.list_storages().await.err().and_then(|e| e.status_code()),
        c.get_storage(StorageId::from(3))
            .await
            .err()
            .and_then(|e| e.status_code()),
    ];
    assert_eq!(
        statuses,
        [
            401, 404, 404, 403, 400, 400, 400, 404, 500, 400, 413, 400, 502, 403, 404
        ]
        .into_iter()
        .map(Some)
        .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_relation_in_an_unexpected_shape_never_fails_the_response() {
    let mock = MockTransport::new();
    let job = json!({"id": "j1", "status": "RUNNING", "plugin_release": "plugin-13@1.3.2"});
    mock.push(ok(job.clone())).push(ok(json!({
        "count": 2, "next": null, "previous": null,
        "results": [job, {"id": "j2", "status": "SUCCEEDED", "plugin_release": 13}],
    })));
    let c = client(&mock);
    let one = c.get_job("j1").await.expect("decodes");
    assert_eq!(
        one.plugin_release.as_ref().and_then(|r| r.other()),
        Some(&json!("plugin-13@1.3.2"))
    );
    let page = c.list_jobs().await.expect("the whole page decodes");
    assert_eq!(page.results.len(), 2);
    assert_eq!(page.results[1].release_id().map(|r| r.0), Some(13));
}

#[tokio::test]
async fn a_release_config_travels_as_the_text_python_json_dumps_writes() {
    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("p.zip");
    std::fs::write(&archive, b"PK").expect("write");
    let mock = MockTransport::new();
    mock.push(MockResponse::json(201, json!({"id": 1})));
    let mut request =
        PluginReleaseCreateRequest::new(PluginCode::new("yolov8").expect("code"), "1.0.0");
    request.config = json!({"name": "Détection — v2", "lr": 1e-5, "z": 1, "a": [true, null]})
        .as_object()
        .cloned();
    client(&mock)
        .create_plugin_release(request)
        .archive(archive.as_path())
        .await
        .expect("sent");
    match &mock.requests()[0].body {
        synapse_transport::mock::RecordedBody::Multipart { parts, .. } => {
            let config = parts.iter().find(|p| p.name == "config").expect("config");
            // What CPython's json.dumps prints for the same dict.
            assert_eq!(
                std::str::from_utf8(&config.data).expect("ascii"),
                r#"{"name": "D\u00e9tection \u2014 v2", "lr": 1e-05, "z": 1, "a": [true, null]}"#
            );
        }
        other => panic!("not multipart: {other:?}"),
    }
}

#[tokio::test]
async fn tail_events_are_decoded_and_end_on_complete() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![MockChunk::Data(
            concat!(
                "data: {\"type\": \"connected\", \"job_id\": \"j1\"}\n\n",
                ": heartbeat\n\n",
                "data: {\"type\": \"log\", \"data\": \"data: {\\\"type\\\": \\\"log\\\", \\\"message\\\": \\\"epoch 1\\\"}\"}\n\n",
                "data: {\"type\": \"log\", \"data\": \"epoch 2\"}\n\n",
                "plain text line\n",
                "data: {\"type\": \"complete\", \"message\": \"done\"}\n\n",
                "data: {\"type\": \"log\", \"data\": \"after the end\"}\n\n",
            )
            .into(),
        )],
    ));
    let events: Vec<_> = client(&mock)
        .tail_job_console_logs("j1")
        .events()
        .map(|e| e.expect("event"))
        .collect()
        .await;
    let shown: Vec<(Option<TailEventType>, Option<String>)> = events
        .iter()
        .map(|e| (e.event_type.clone(), e.text()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (Some(TailEventType::Connected), None),
            (Some(TailEventType::Log), Some("epoch 1".to_owned())),
            (Some(TailEventType::Log), Some("epoch 2".to_owned())),
            (Some(TailEventType::Log), Some("plain text line".to_owned())),
            (Some(TailEventType::Complete), Some("done".to_owned())),
        ]
    );
}

#[tokio::test]
async fn a_tail_error_event_ends_the_stream_with_an_error() {
    let mock = MockTransport::new();
    mock.push(MockResponse::bytes(
        200,
        "data: {\"type\": \"log\", \"data\": \"x\"}\n\ndata: {\"type\": \"error\", \"message\": \"Job not found\"}\n\ndata: {\"type\": \"log\", \"data\": \"y\"}\n\n",
    ));
    let items: Vec<_> = client(&mock)
        .tail_job_console_logs(9)
        .events()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().expect("log").text().as_deref(), Some("x"));
    let err = items[1].as_ref().expect_err("error event");
    assert_eq!(err.status_code(), Some(500));
    assert!(err.to_string().contains("Job not found"), "{err}");
}
