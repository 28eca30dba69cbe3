//! The agent models on their own: open enums, kept unknown fields, request bodies.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use synapse_agent::{
    AgentRuntimePolicy, BuildState, BuildStatus, ClusterResourceSnapshot, FeasibilityRequest,
    NodeState, OperationStatus, ReleaseFields, ResourceKind, SystemOperationResult,
    UpdateSystemRequest,
};

#[test]
fn open_enums_keep_unknown_values_and_accept_other_cases() {
    let states: Vec<BuildState> =
        serde_json::from_value(json!(["completed", "FAILED", "Cancelled", "building"])).unwrap();
    assert_eq!(
        states,
        [
            BuildState::Completed,
            BuildState::Failed,
            BuildState::Cancelled,
            BuildState::Unknown("building".into())
        ]
    );
    assert!(states[..3].iter().all(BuildState::is_terminal));
    assert!(!states[3].is_terminal());
    // Canonical spelling on write; unknown values verbatim.
    assert_eq!(
        serde_json::to_value(&states).unwrap(),
        json!(["completed", "failed", "cancelled", "building"])
    );
    assert_eq!(NodeState::from("alive"), NodeState::Alive);
    assert_eq!(NodeState::default().as_str(), "ALIVE");
    assert_eq!(ResourceKind::from("task"), ResourceKind::Task);
    assert_eq!(ResourceKind::KNOWN, ["job", "serve", "container", "task"]);
    assert_eq!(
        OperationStatus::from("in_progress").to_string(),
        "in_progress"
    );
}

#[test]
fn response_structs_round_trip_with_their_unknown_fields() {
    let input = json!({"status": "success", "message": "ok", "up_output": "x", "duration_s": 12.5});
    let r: SystemOperationResult = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(r.status, Some(OperationStatus::Success));
    assert_eq!(serde_json::to_value(&r).unwrap(), input);
    let b: BuildStatus =
        serde_json::from_value(json!({"status": "failed", "error": {"code": 1}})).unwrap();
    assert_eq!(b.error_message(), r#"{"code":1}"#);
    let snapshot: ClusterResourceSnapshot =
        serde_json::from_value(json!({"collected_at": "2026-11-23T10:00:00Z", "zone": "kr"}))
            .unwrap();
    let back = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(back["zone"], "kr");
    assert_eq!(
        back["cpu"],
        json!({"total": 0.0, "used": 0.0, "available": 0.0})
    );
    let policy: AgentRuntimePolicy = serde_json::from_value(json!({})).unwrap();
    assert_eq!(policy, AgentRuntimePolicy::default());
    assert_eq!(policy.max_concurrent_serve_replicas, 16);
    assert_eq!(policy.resource_cache_ttl_seconds, 5.0);
    let lax: AgentRuntimePolicy = serde_json::from_value(
        json!({"max_concurrent_jobs": 4.0, "cpu_max_utilization_percent": "75"}),
    )
    .unwrap();
    assert_eq!(
        (lax.max_concurrent_jobs, lax.cpu_max_utilization_percent),
        (4, 75.0)
    );
    assert!(
        serde_json::from_value::<AgentRuntimePolicy>(json!({"max_concurrent_jobs": 4.5})).is_err()
    );
    assert!(
        serde_json::from_value::<AgentRuntimePolicy>(json!({"max_concurrent_jobs": "many"}))
            .is_err()
    );
}

#[test]
fn request_bodies() {
    assert_eq!(
        serde_json::to_string(&FeasibilityRequest::new(ResourceKind::Container, 2.0)).unwrap(),
        r#"{"kind":"container","num_cpus":2.0,"num_gpus":0.0,"memory_bytes":null,"replicas":1,"metadata":{}}"#
    );
    assert_eq!(
        serde_json::to_string(&UpdateSystemRequest::default()).unwrap(),
        "null"
    );
    let worker = UpdateSystemRequest {
        api_tag: None,
        worker_tag: Some("latest-gpu".into()),
    };
    assert_eq!(
        serde_json::to_string(&worker).unwrap(),
        r#"{"worker_tag":"latest-gpu"}"#
    );
    // Entrypoints: the last dotted part is dropped, dots become slashes.
    let cases = [
        ("plugin.gradio_interface.app", "plugin/gradio_interface.py"),
        ("plugin.main", "plugin.py"),
        ("main", "main.py"),
    ];
    for (dotted, file) in cases {
        let f = ReleaseFields::new("c", "1").action("a", dotted);
        assert_eq!(f.entrypoint.as_deref(), Some(file), "{dotted}");
    }
}
