//! Every fixture decodes, re-serialises to the same JSON, and matches its snapshot.
#![allow(clippy::unwrap_used)]

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use synapse_models::*;

/// JSON snapshot with sorted keys (stable even if serde_json's `preserve_order` is enabled).
macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ sort_maps => true }, {
            insta::assert_json_snapshot!($name, $value);
        })
    };
}

fn load(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes the fixture from bytes, checks that re-serialising reproduces it (unless
/// `expected` is given, for alias normalisation) and returns the typed value.
fn roundtrip<T: DeserializeOwned + Serialize>(name: &str, expected: Option<Value>) -> (T, Value) {
    let bytes = load(name);
    let typed: T = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let input: Value = serde_json::from_slice(&bytes).unwrap();
    let output = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        output,
        expected.unwrap_or(input),
        "{name} did not round-trip"
    );
    (typed, output)
}

#[test]
fn storage() {
    let (s, out) = roundtrip::<Storage>("storage", None);
    snap!("storage", out);
    assert_eq!(s.id, Some(StorageId(3)));
    assert_eq!(s.category, Some(StorageCategory::Internal));
    assert_eq!(s.provider, Some(StorageProvider::AmazonS3));
    assert!(s.is_default());
    assert_eq!(s.extra.get("tenant"), Some(&json!(12)));
    let s3: S3Config = s.configuration_as().unwrap();
    assert_eq!(s3.bucket_name, "synapse-main");
    assert_eq!(s3.region_name, "ap-northeast-2");
    assert_eq!(s3.endpoint_url, None);
    assert!(s.configuration_as::<FileSystemConfig>().is_err());
}

#[test]
fn storage_session() {
    let (s, out) = roundtrip::<StorageSession>("storage_session", None);
    snap!("storage_session", out);
    assert!(s.is_supported_contract());
    assert!(s.expires_at.unwrap().parse().is_ok());
}

#[test]
fn agent() {
    let (a, out) = roundtrip::<Agent>("agent", None);
    snap!("agent", out);
    assert!(a.is_connected());
    assert_eq!(
        a.effective_token().unwrap().expose(),
        "3f2a9c1b7e4d5a6f8b0c1d2e3f4a5b6c7d8e9f0a"
    );
}

#[test]
fn plugin() {
    let (p, out) = roundtrip::<Plugin>("plugin", None);
    snap!("plugin", out);
    assert_eq!(p.code.as_ref().map(PluginCode::as_str), Some("yolov8"));
    assert_eq!(p.category, Some(PluginCategory::NeuralNet));
    assert_eq!(p.extra.get("author"), Some(&json!("ml-team")));
}

#[test]
fn plugin_release_v1_int_plugin() {
    let (r, out) = roundtrip::<PluginRelease>("plugin_release_v1", None);
    snap!("plugin_release_v1", out);
    assert_eq!(r.plugin, Some(PluginRefOrObject::Id(42)));
    let config = r.config_typed().unwrap();
    assert_eq!(config.category, PluginCategory::NeuralNet);
    assert_eq!(config.data_type, Some(DataType::Image));
    assert_eq!(config.package_manager, PackageManager::Pip);
    assert_eq!(config.readme, "README.md");
    assert_eq!(config.actions["train"].method, RunMethod::Job);
    assert_eq!(config.actions["deployment"].method, RunMethod::Serve);
    let batch = config.actions["deployment"]
        .serve_options
        .as_ref()
        .and_then(|o| o.pointer("/batch/max_batch_size"));
    assert_eq!(batch, Some(&json!(8)));
    assert_eq!(r.extra.get("changelog"), Some(&json!("Faster NMS")));
}

#[test]
fn plugin_release_expanded_plugin() {
    let (r, out) = roundtrip::<PluginRelease>("plugin_release_expanded", None);
    snap!("plugin_release_expanded", out);
    let plugin = r
        .plugin
        .as_ref()
        .and_then(PluginRefOrObject::object)
        .unwrap();
    assert_eq!(plugin.id, Some(PluginId(42)));
    assert!(plugin.manifest.is_some());
    assert_eq!(r.plugin_code(), Some("yolov8"));
    assert_eq!(
        r.author.as_ref().unwrap().email.as_deref(),
        Some("ml@example.com")
    );
    // `installation_schema: null` is kept as an explicit null (a bit, not an `extra` entry).
    assert_eq!(r.installation_schema, None);
    assert!(r.was_null("installation_schema"));
    assert!(!r.extra.contains_key("installation_schema"));
    let config = r.config_typed().unwrap();
    assert_eq!(config.actions["train"].method, RunMethod::Task);
    assert_eq!(config.version, "0.1.0");
}

#[test]
fn plugin_release_agent_code() {
    let (r, out) = roundtrip::<PluginRelease>("plugin_release_agent", None);
    snap!("plugin_release_agent", out);
    assert_eq!(r.plugin, Some(PluginRefOrObject::Code("yolov8".into())));
    assert_eq!(r.plugin_code(), Some("yolov8"));
}

#[test]
fn job_v2_detail() {
    let (j, out) = roundtrip::<Job>("job_v2_detail", None);
    snap!("job_v2_detail", out);
    assert_eq!(
        j.id,
        Some(JobId::from("550e8400-e29b-41d4-a716-446655440000"))
    );
    assert_eq!(j.status, Some(JobStatus::Pending));
    assert!(!j.is_terminal());
    assert_eq!(j.progress_percent(), Some(24.0));
    let queue = j.queue.as_ref().unwrap();
    assert_eq!(queue.position, Some(2));
    assert_eq!(queue.reason, Some(JobQueueReason::GpuUnavailable));
    let error = j.error.as_ref().unwrap();
    assert_eq!(error.error_type, Some(JobErrorType::ResourceUnavailable));
    assert_eq!(j.release_id(), Some(PluginReleaseId(118)));
    assert!(matches!(j.plugin_release, Some(Ref::Object(_))));
    assert_eq!(j.completed, None);
    assert_eq!(j.result, None);
}

#[test]
fn job_v1_list_item_normalises_status() {
    let mut expected: Value = serde_json::from_slice(&load("job_v1_list_item")).unwrap();
    expected["status"] = json!("RUNNING");
    let (j, out) = roundtrip::<Job>("job_v1_list_item", Some(expected));
    snap!("job_v1_list_item", out);
    assert_eq!(j.id, Some(JobId::from(1234)));
    assert_eq!(j.id.as_ref().unwrap().to_string(), "1234");
    assert_eq!(j.status, Some(JobStatus::Running));
    assert_eq!(j.plugin_release, Some(Ref::Id(118)));
    assert_eq!(j.release_id(), Some(PluginReleaseId(118)));
    let agent = j.agent.as_ref().and_then(Ref::object).unwrap();
    assert_eq!(agent.name.as_deref(), Some("gpu-node-01"));
    assert_eq!(j.extra.get("user"), Some(&json!(5)));
}

#[test]
fn page_of_jobs() {
    let (p, out) = roundtrip::<Page<Job>>("page_job", None);
    snap!("page_job", out);
    assert_eq!(p.total(), 3);
    assert!(p.has_next());
    assert_eq!(p.results.len(), 2);
    assert_eq!(p.results[0].status, Some(JobStatus::Succeeded));
    assert!(p.results.iter().all(Job::is_terminal));
    assert_eq!(
        p.results[1].error.as_ref().unwrap().error_type,
        Some(JobErrorType::ExecutionError)
    );
}

#[test]
fn console_logs_shapes() {
    let (lines, out) = roundtrip::<ConsoleLogs>("console_logs_lines", None);
    snap!("console_logs_lines", out);
    assert!(matches!(lines, ConsoleLogs::Lines(_)));
    assert_eq!(lines.lines().len(), 3);
    assert_eq!(
        lines.lines()[0],
        "2024-01-15 10:00:01 [INFO] Plugin started"
    );

    let (v2, out) = roundtrip::<ConsoleLogs>("console_logs_v2", None);
    snap!("console_logs_v2", out);
    assert!(matches!(v2, ConsoleLogs::Logs { .. }));
    assert_eq!(v2.lines()[1], "2024-01-15 10:00:02 [INFO] Epoch 1/10");

    let (results, out) = roundtrip::<ConsoleLogs>("console_logs_results", None);
    snap!("console_logs_results", out);
    assert_eq!(
        results.lines(),
        vec!["Plugin started", "CUDA out of memory"]
    );
    let ConsoleLine::Entry(entry) = &results.entries()[1] else {
        panic!("expected an object line");
    };
    assert_eq!(entry.level, Some(LogLevel::Error));
    assert_eq!(entry.extra.get("source"), Some(&json!("stderr")));
}

#[test]
fn tail_event() {
    let (e, out) = roundtrip::<TailEvent>("tail_event", None);
    snap!("tail_event", out);
    assert_eq!(e.event_type, Some(TailEventType::Log));
    assert_eq!(
        e.text().as_deref(),
        Some("2024-01-15 10:00:02 [INFO] Epoch 1/10")
    );
    let nested: TailEvent = serde_json::from_value(
        json!({"type": "log", "data": "data: {\"type\": \"log\", \"message\": \"epoch 2\"}"}),
    )
    .unwrap();
    assert_eq!(nested.text().as_deref(), Some("epoch 2"));
}

#[test]
fn job_log() {
    let (l, out) = roundtrip::<JobLog>("job_log", None);
    snap!("job_log", out);
    assert_eq!(l.level, Some(LogLevel::Info));
    assert!(l.datetime.unwrap().parse().is_ok());
}

#[test]
fn serve_application() {
    let (s, out) = roundtrip::<ServeApplication>("serve_application", None);
    snap!("serve_application", out);
    assert!(s.status.as_ref().unwrap().is_ready());
    assert_eq!(
        s.job,
        Some(IntOrString::Str(
            "550e8400-e29b-41d4-a716-446655440000".into()
        ))
    );
}

#[test]
fn chunked_upload_state() {
    let (s, out) = roundtrip::<ChunkedUploadState>("chunked_upload_state", None);
    snap!("chunked_upload_state", out);
    assert_eq!(s.offset, Some(104_857_600));
    assert_eq!(s.status, Some(ChunkedUploadStatus::Uploading));
    assert!(!s.is_complete());
    assert_eq!(s.extra.get("user"), Some(&json!(5)));
}

#[test]
fn chunked_upload_finalize_response() {
    let (s, out) =
        roundtrip::<ChunkedUploadFinalizeResponse>("chunked_upload_finalize_response", None);
    snap!("chunked_upload_finalize_response", out);
    assert_eq!(s.status, Some(ChunkedUploadStatus::Complete));
    assert_eq!(s.size, Some(157_286_400));
}

#[test]
fn error_bodies() {
    let (b, out) = roundtrip::<ErrorBody>("error_detail", None);
    snap!("error_detail", out);
    assert_eq!(b.detail().as_deref(), Some("Not found."));
    assert!(b.field_errors().is_empty());

    let (b, out) = roundtrip::<ErrorBody>("error_field_errors", None);
    snap!("error_field_errors", out);
    let mut fields = b.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            (
                "plugin".to_owned(),
                vec![
                    "Object with code=yolov9 does not exist.".to_owned(),
                    "Invalid plugin.".to_owned()
                ]
            ),
            (
                "version".to_owned(),
                vec!["This field is required.".to_owned()]
            ),
        ]
    );
    assert_eq!(b.detail(), None);

    let (b, out) = roundtrip::<ErrorBody>("error_fastapi", None);
    snap!("error_fastapi", out);
    assert_eq!(
        b.detail().as_deref(),
        Some("body.threshold: Input should be a valid number, unable to parse string as a number")
    );
    assert_eq!(b.field_errors()[0].0, "body.threshold");

    let (b, out) = roundtrip::<ErrorBody>("error_gpu_unavailable", None);
    snap!("error_gpu_unavailable", out);
    assert_eq!(b.error_type(), Some("gpu_unavailable"));
    assert_eq!(
        b.detail().as_deref(),
        Some("GPU utilization 97% exceeds threshold 90%")
    );

    let (b, out) = roundtrip::<ErrorBody>("error_chunked_offset", None);
    snap!("error_chunked_offset", out);
    assert_eq!(b.offset(), Some(104_857_600));
    assert_eq!(b.detail().as_deref(), Some("Offsets do not match"));
    let newer = ErrorBody::new(
        json!({"detail": "Offsets do not match", "expected_offset": 5, "provided_offset": 9}),
    );
    assert_eq!(newer.offset(), Some(5));

    let (b, out) = roundtrip::<ErrorBody>("error_v2_envelope", None);
    snap!("error_v2_envelope", out);
    assert_eq!(b.code(), Some("VALIDATION_ERROR"));
    assert_eq!(b.detail().as_deref(), Some("Invalid input."));
    assert_eq!(
        b.field_errors(),
        vec![(
            "status".to_owned(),
            vec!["Invalid transition from SUCCEEDED to RUNNING.".to_owned()]
        )]
    );

    let text = ErrorBody::from_bytes(b"<html>502 Bad Gateway</html>");
    assert_eq!(
        text.detail().as_deref(),
        Some("<html>502 Bad Gateway</html>")
    );
    assert_eq!(
        ErrorBody::new(json!({"code": "expired"})).code(),
        Some("expired")
    );
}
