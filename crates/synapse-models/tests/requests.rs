//! Request bodies serialise exactly as the Python SDK sends them.
#![allow(clippy::unwrap_used)]

use serde_json::{Map, Value, json};
use synapse_models::*;

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn plugin_run_request_observed_body() {
    let req = PluginRunRequest {
        agent: Some(AgentId(1)),
        action: Some("deployment".into()),
        params: Some(obj(json!({"num_cpus": 8}))),
        ..PluginRunRequest::default()
    };
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"agent":1,"action":"deployment","params":{"num_cpus":8},"language":"ko"}"#
    );
    let built = PluginRunRequest::new("deployment")
        .with_agent(AgentId(1))
        .with_params(obj(json!({"num_cpus": 8})));
    assert_eq!(built, req);
}

#[test]
fn plugin_run_request_defaults_and_order() {
    assert_eq!(
        serde_json::to_string(&PluginRunRequest::default()).unwrap(),
        r#"{"language":"ko"}"#
    );
    let req = PluginRunRequest {
        agent: Some(AgentId(2)),
        action: Some("train".into()),
        params: Some(Map::new()),
        storage_id: Some(StorageId(3)),
        job_id: Some(JobId::from(456)),
        debug: Some(true),
        version: Some("1.0.1".into()),
        language: "en".into(),
    };
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"agent":2,"action":"train","params":{},"storage_id":3,"job_id":456,"debug":true,"version":"1.0.1","language":"en"}"#
    );
    let uuid = PluginRunRequest {
        job_id: Some(JobId::from("550e8400-e29b-41d4-a716-446655440000")),
        ..PluginRunRequest::default()
    };
    assert_eq!(
        serde_json::to_value(&uuid).unwrap(),
        json!({"job_id": "550e8400-e29b-41d4-a716-446655440000", "language": "ko"})
    );
}

#[test]
fn plugin_release_create_request() {
    let req = PluginReleaseCreateRequest::new(PluginCode::new("yolov8").unwrap(), "1.0.1");
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"plugin":"yolov8","version":"1.0.1","debug":false}"#
    );
    let full = PluginReleaseCreateRequest {
        config: Some(obj(
            json!({"actions": {"train": {"entrypoint": "plugin.train"}}}),
        )),
        requirements: Some(vec!["ultralytics==8.2.0".into(), "torch>=2.2".into()]),
        debug: true,
        ..req
    };
    assert_eq!(
        serde_json::to_string(&full).unwrap(),
        r#"{"plugin":"yolov8","version":"1.0.1","config":{"actions":{"train":{"entrypoint":"plugin.train"}}},"requirements":["ultralytics==8.2.0","torch>=2.2"],"debug":true}"#
    );
}

#[test]
fn update_job_request_observed_body() {
    let req = UpdateJobRequest::new()
        .meta(obj(json!({"queue": {"position": 0}})))
        .metrics_record(obj(json!({"loss": 0.25})))
        .progress_record(obj(json!({"step": 5, "total": 100})))
        .status(JobStatus::Running);
    req.validate().unwrap();
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"status":"RUNNING","progress_record":{"step":5,"total":100},"metrics_record":{"loss":0.25},"meta":{"queue":{"position":0}}}"#
    );
    assert_eq!(
        serde_json::to_string(&UpdateJobRequest::new()).unwrap(),
        "{}"
    );
    // An alias read from a caller's JSON is written canonically.
    let read: UpdateJobRequest = serde_json::from_value(json!({"status": "completed"})).unwrap();
    assert_eq!(
        serde_json::to_string(&read).unwrap(),
        r#"{"status":"SUCCEEDED"}"#
    );
}

#[test]
fn update_job_request_validation() {
    let unknown = UpdateJobRequest::new().status(JobStatus::from("ARCHIVED"));
    let err = unknown.validate().unwrap_err();
    assert!(
        matches!(
            err,
            ModelError::InvalidField {
                field: "status",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("ARCHIVED"));

    let bad_result = UpdateJobRequest::new().result(json!("done"));
    assert!(matches!(
        bad_result.validate(),
        Err(ModelError::InvalidField {
            field: "result",
            ..
        })
    ));
    UpdateJobRequest::new()
        .result(json!({"error": "boom"}))
        .validate()
        .unwrap();
    UpdateJobRequest::new()
        .result(json!([1, "two"]))
        .validate()
        .unwrap();

    let bad_logs = UpdateJobRequest::new().console_logs(json!(["line"]));
    assert!(matches!(
        bad_logs.validate(),
        Err(ModelError::InvalidField {
            field: "console_logs",
            ..
        })
    ));
    assert!(
        UpdateJobRequest::new()
            .console_logs(json!("x"))
            .validate()
            .is_err()
    );
    UpdateJobRequest::new()
        .console_logs(json!([{"message": "a"}]))
        .validate()
        .unwrap();
    UpdateJobRequest::new()
        .console_logs(json!({"logs": []}))
        .validate()
        .unwrap();
}

#[test]
fn serve_application_create_request() {
    let req = ServeApplicationCreateRequest {
        job: IntOrString::Int(123),
        status: Some(ServeApplicationStatus::from("PENDING")),
        data: Some(obj(json!({"route_prefix": "/yolov8", "num_replicas": 1}))),
    };
    let text = serde_json::to_string(&req).unwrap();
    assert!(
        text.starts_with(r#"{"job":123,"status":"PENDING","data":{"#),
        "{text}"
    );
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"job": 123, "status": "PENDING", "data": {"route_prefix": "/yolov8", "num_replicas": 1}})
    );
    assert_eq!(
        serde_json::to_string(&ServeApplicationCreateRequest::new("abc")).unwrap(),
        r#"{"job":"abc"}"#
    );
}

#[test]
fn agent_requests() {
    let run = RunPluginReleaseRequest {
        action: "train".into(),
        params: Some(obj(json!({"epochs": 10}))),
        requirements: Some(vec!["ultralytics==8.2.0".into()]),
        job_id: Some("550e8400-e29b-41d4-a716-446655440000".into()),
        language: Some("en".into()),
    };
    assert_eq!(
        serde_json::to_string(&run).unwrap(),
        r#"{"action":"train","params":{"epochs":10},"requirements":["ultralytics==8.2.0"],"job_id":"550e8400-e29b-41d4-a716-446655440000","language":"en"}"#
    );
    assert_eq!(
        serde_json::to_string(&RunPluginReleaseRequest::new("train")).unwrap(),
        r#"{"action":"train"}"#
    );
    let debug = RunDebugPluginReleaseRequest {
        plugin_path: Some("/plugins/yolov8".into()),
        modules: Some([("plugin/train.py".to_owned(), "print(1)".to_owned())].into()),
        ..RunDebugPluginReleaseRequest::new("train")
    };
    assert_eq!(
        serde_json::to_string(&debug).unwrap(),
        r#"{"action":"train","plugin_path":"/plugins/yolov8","modules":{"plugin/train.py":"print(1)"}}"#
    );
    let create = CreatePluginReleaseRequest {
        plugin: "yolov8".into(),
        version: "1.0.0".into(),
    };
    assert_eq!(
        serde_json::to_string(&create).unwrap(),
        r#"{"plugin":"yolov8","version":"1.0.0"}"#
    );
}

#[test]
fn small_requests() {
    assert_eq!(
        serde_json::to_string(&StorageSessionRequest::default()).unwrap(),
        r#"{"purpose":"read"}"#
    );
    let write = StorageSessionRequest {
        purpose: StoragePurpose::Write,
    };
    assert_eq!(
        serde_json::to_string(&write).unwrap(),
        r#"{"purpose":"write"}"#
    );
    let fin = ChunkedUploadFinalizeRequest {
        md5: "9e107d9d372bb6826bd81d3542a419d6".into(),
    };
    assert_eq!(
        serde_json::to_string(&fin).unwrap(),
        r#"{"md5":"9e107d9d372bb6826bd81d3542a419d6"}"#
    );
}

#[test]
fn pass_through_requests_keep_extra() {
    let mut create = PluginCreate {
        name: Some("YOLO v8".into()),
        code: Some(PluginCode::new("yolov8").unwrap()),
        category: Some(PluginCategory::NeuralNet),
        description: Some("detector".into()),
        ..PluginCreate::default()
    };
    create.extra.insert("readme".into(), json!("hi"));
    assert_eq!(
        serde_json::to_string(&create).unwrap(),
        r#"{"name":"YOLO v8","code":"yolov8","category":"neural_net","description":"detector","readme":"hi"}"#
    );
    let update = PluginUpdate {
        description: Some("new".into()),
        is_active: Some(true),
        ..PluginUpdate::default()
    };
    assert_eq!(
        serde_json::to_string(&update).unwrap(),
        r#"{"description":"new","is_active":true}"#
    );

    let entry = LogEntry {
        event: Some("metric".into()),
        data: Some(json!({"loss": 0.25})),
        datetime: Some(Timestamp::from("2026-06-11T03:04:05.123456+00:00")),
        job: Some(JobId::from("550e8400-e29b-41d4-a716-446655440000")),
        level: Some(LogLevel::Info),
        ..LogEntry::default()
    };
    assert_eq!(
        serde_json::to_string(&entry).unwrap(),
        r#"{"level":"info","event":"metric","data":{"loss":0.25},"datetime":"2026-06-11T03:04:05.123456+00:00","job":"550e8400-e29b-41d4-a716-446655440000"}"#
    );
    let seed: LogEntry = serde_json::from_value(json!({
        "message": "Training complete", "level": "INFO", "context": {"job": 123}, "custom": 1
    }))
    .unwrap();
    assert_eq!(seed.level, Some(LogLevel::Info));
    assert_eq!(
        serde_json::to_value(&seed).unwrap(),
        json!({"message": "Training complete", "level": "info", "context": {"job": 123}, "custom": 1})
    );

    let storage = StorageCreate {
        name: Some("Main".into()),
        provider: Some(StorageProvider::Minio),
        category: Some(StorageCategory::External),
        configuration: Some(SecretValue::new(
            json!({"bucket_name": "b", "secret_key": "s3cr3t"}),
        )),
        ..StorageCreate::default()
    };
    assert_eq!(
        serde_json::to_value(&storage).unwrap(),
        json!({"name": "Main", "provider": "minio", "category": "external", "configuration": {"bucket_name": "b", "secret_key": "s3cr3t"}})
    );
    assert!(!format!("{storage:?}").contains("s3cr3t"));
}
