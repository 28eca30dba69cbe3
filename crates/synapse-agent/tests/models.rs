//! The agent models on their own: open enums, kept unknown fields, request bodies.
#![allow(clippy::unwrap_used)]

mod common;

use common::fixture;
use serde_json::json;
use synapse_agent::{
    AgentRuntimePolicy, BuildState, BuildStatus, ClusterResourceSnapshot, FeasibilityRequest,
    JobReference, JobStatus, NodeState, OperationStatus, PluginRun, RayJob, RayTime, ReleaseFields,
    ResourceKind, SystemOperationResult, SystemStatus, UpdateSystemRequest,
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
            BuildState::from("building")
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

#[test]
fn ray_jobs_decode_every_field_and_keep_the_rest() {
    let wire = fixture("ray_job");
    let job: RayJob = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(job.id(), Some("raysubmit_abc123"));
    assert_eq!(job.job_type.as_deref(), Some("SUBMISSION"));
    assert_eq!(job.status, Some(JobStatus::Succeeded));
    assert!(job.is_terminal());
    assert_eq!(job.start_time, Some(RayTime::Millis(1_795_428_000_000)));
    assert_eq!(
        job.end_time.and_then(|t| t.as_millis()),
        Some(1_795_428_060_000)
    );
    assert_eq!(job.error_type, None);
    assert_eq!(job.driver_exit_code, Some(0));
    assert_eq!(job.entrypoint_num_cpus, Some(1.0));
    assert_eq!(job.entrypoint_memory, Some(1024));
    assert_eq!(job.metadata.unwrap()["action"], "train");
    assert_eq!(job.extra.get("future_field"), Some(&json!([1])));
    // Text times (the fake's form), and an empty record.
    let job: RayJob = serde_json::from_value(
        json!({"job_id": "j", "start_time": "2026-11-23T10:00:00Z", "end_time": null}),
    )
    .unwrap();
    assert_eq!(job.id(), Some("j"));
    assert_eq!(
        job.start_time
            .as_ref()
            .and_then(RayTime::as_timestamp)
            .map(|t| t.as_str()),
        Some("2026-11-23T10:00:00Z")
    );
    assert_eq!(job.end_time, None);
    assert!(!job.is_terminal());
    assert_eq!(
        serde_json::from_value::<RayJob>(json!({})).unwrap(),
        RayJob::default()
    );
    // A record that is not an object is a decode error.
    assert!(serde_json::from_value::<RayJob>(json!("raysubmit_1")).is_err());
}

#[test]
fn plugin_runs_are_a_started_job_or_a_direct_answer() {
    let job =
        PluginRun::from_value(json!({"job_id": "raysubmit_1", "status": "PENDING", "queued": 2}));
    assert_eq!(job.job_id(), Some("raysubmit_1"));
    let reference = job.job().unwrap();
    assert_eq!(reference.status, Some(JobStatus::Pending));
    assert_eq!(reference.extra.get("queued"), Some(&json!(2)));
    assert_eq!(job.direct(), None);
    assert_eq!(
        job.clone().into_value(),
        json!({"job_id": "raysubmit_1", "status": "PENDING", "queued": 2})
    );
    let by_submission: PluginRun =
        serde_json::from_value(json!({"submission_id": "raysubmit_2"})).unwrap();
    assert_eq!(by_submission.job_id(), Some("raysubmit_2"));
    // Anything else is the action's result, verbatim.
    for direct in [
        json!({"result": [0.9, 0.1]}),
        json!({"job_id": 7}),
        json!({"job_id": "x", "status": 3}),
        json!("direct text answer"),
        json!([1, 2]),
        json!(null),
    ] {
        let answer: PluginRun = serde_json::from_value(direct.clone()).unwrap();
        assert_eq!(answer, PluginRun::Direct(direct.clone()), "{direct}");
        assert_eq!(answer.job_id(), None);
        assert_eq!(serde_json::to_value(&answer).unwrap(), direct);
    }
    assert_eq!(
        PluginRun::Started(JobReference {
            job_id: Some("a".into()),
            ..JobReference::default()
        })
        .into_value(),
        json!({"job_id": "a"})
    );
}

#[test]
fn agent_structs_follow_the_response_struct_rules() {
    // A duplicate key is an error, in an optional field as in a defaulted one.
    let dup = serde_json::from_str::<RayJob>(r#"{"job_id": "a", "job_id": "b"}"#).unwrap_err();
    assert!(
        dup.to_string().contains("duplicate field `job_id`"),
        "{dup}"
    );
    let dup = serde_json::from_str::<AgentRuntimePolicy>(
        r#"{"max_concurrent_jobs": 1, "max_concurrent_jobs": 2}"#,
    )
    .unwrap_err();
    assert!(dup.to_string().contains("duplicate field"), "{dup}");

    // An explicit `null` of an optional field decodes to `None` and survives a round trip.
    let input = json!({"job_id": "j", "error_type": null, "end_time": null, "later": 1});
    let job: RayJob = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(
        (job.error_type.as_deref(), job.end_time.as_ref()),
        (None, None)
    );
    assert_eq!(serde_json::to_value(&job).unwrap(), input);

    // Lenient numbers go through the `serde_with` adapters: integral floats and numeric
    // strings in, plain numbers out.
    let job: RayJob = serde_json::from_value(
        json!({"driver_exit_code": 3.0, "entrypoint_memory": "2048", "entrypoint_num_gpus": "0.5"}),
    )
    .unwrap();
    assert_eq!(
        (
            job.driver_exit_code,
            job.entrypoint_memory,
            job.entrypoint_num_gpus
        ),
        (Some(3), Some(2048), Some(0.5))
    );
    assert_eq!(
        serde_json::to_string(&job).unwrap(),
        r#"{"driver_exit_code":3,"entrypoint_num_gpus":0.5,"entrypoint_memory":2048}"#
    );
    for bad in [
        json!({"driver_exit_code": 3.5}),
        json!({"driver_exit_code": "three"}),
        json!({"driver_exit_code": 1e300}),
        json!({"driver_exit_code": u64::MAX}),
        json!({"driver_exit_code": true}),
        json!({"entrypoint_num_cpus": "lots"}),
    ] {
        assert!(
            serde_json::from_value::<RayJob>(bad.clone()).is_err(),
            "{bad}"
        );
    }

    // `null` in a defaulted field takes the default, which is what is written back.
    let policy: AgentRuntimePolicy = serde_json::from_value(
        json!({"max_concurrent_jobs": null, "gatekeeping_enabled": null, "knob": 1}),
    )
    .unwrap();
    assert_eq!(
        (policy.max_concurrent_jobs, policy.gatekeeping_enabled),
        (3, true)
    );
    let back = serde_json::to_value(&policy).unwrap();
    assert_eq!(
        (&back["max_concurrent_jobs"], &back["knob"]),
        (&json!(3), &json!(1))
    );
    assert_eq!(
        SystemStatus::FIELDS,
        [
            "in_progress",
            "operation",
            "started_at",
            "api_tag",
            "worker_tag"
        ]
    );
    assert_eq!(RayJob::FIELDS[0], "type");

    // Unknown enum values are opaque: read with `as_str()`.
    let status: BuildStatus = serde_json::from_value(json!({"status": "building"})).unwrap();
    let state = status.status.unwrap();
    assert!(state.is_unknown() && !state.is_terminal());
    assert_eq!(state.as_str(), "building");
    match &state {
        BuildState::Unknown(value) => assert_eq!(value.to_string(), "building"),
        other => panic!("{other:?} is known"),
    }
}
