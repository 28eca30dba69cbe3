//! The agent models' JSON Schemas in `schemas/` (written by `cargo xtask schemas`, which
//! `--check`s that they are current), checked like the backend models' ones:
//!
//! - every public agent model that is a wire shape has one, and each compiles as draft
//!   2020-12 (`boon`);
//! - every sample response of `tests/fixtures/*.json` (and parts of them) validates against
//!   its model's schema, also after a decode → encode round trip;
//! - payloads the decoder accepts only leniently (integral floats, numeric strings, `null`s)
//!   validate, and payloads both reject fail the schema and the decoder;
//! - required fields are listed, defaults shown, unknown keys allowed.
#![allow(clippy::unwrap_used)]

#[path = "../../synapse-models/tests/support/schemas.rs"]
mod support;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::{Value, json};
use support::{Committed, Decodes, Reencode, decodes, public_names_in, reencode};
use synapse_agent::*;

static COMMITTED: LazyLock<Committed> = LazyLock::new(Committed::load);

#[track_caller]
fn assert_valid(name: &str, instance: &Value, what: &str) {
    COMMITTED.assert_valid(name, instance, what);
}

/// The public models of this crate (the `pub use` items of `src/models/mod.rs`).
fn agent_models() -> BTreeSet<String> {
    public_names_in("src/models/mod.rs")
}

#[test]
fn every_agent_wire_model_has_a_committed_schema() {
    // Rust-side values, not wire shapes: a wait's outcome, builder inputs, and the
    // multipart-or-JSON body that is assembled field by field.
    const NOT_WIRE: [&str; 4] = [
        "BuildOutcome",
        "CreateContainerRequest",
        "PluginReleaseRef",
        "ReleaseFields",
    ];
    let names = agent_models();
    assert!(names.contains("RayJob") && names.contains("UpdateSystemRequest"));
    for name in &names {
        if NOT_WIRE.contains(&name.as_str()) {
            continue;
        }
        assert_eq!(
            COMMITTED.schema(name)["title"],
            json!(name),
            "title of {name}"
        );
    }
}

/// Fixture file (without `.json`) → model schema, and the model's decode → encode.
const FIXTURES: &[(&str, &str, Reencode)] = &[
    (
        "build_status_completed",
        "BuildStatus",
        reencode::<BuildStatus>,
    ),
    (
        "build_status_failed",
        "BuildStatus",
        reencode::<BuildStatus>,
    ),
    (
        "cluster_snapshot",
        "ClusterResourceSnapshot",
        reencode::<ClusterResourceSnapshot>,
    ),
    ("compose_config", "ComposeConfig", reencode::<ComposeConfig>),
    (
        "container_build_ref",
        "ContainerBuildRef",
        reencode::<ContainerBuildRef>,
    ),
    (
        "feasibility_result",
        "FeasibilityResult",
        reencode::<FeasibilityResult>,
    ),
    (
        "plugin_run_started",
        "JobReference",
        reencode::<JobReference>,
    ),
    ("plugin_run_started", "PluginRun", reencode::<PluginRun>),
    ("ray_job", "RayJob", reencode::<RayJob>),
    (
        "runtime_policy",
        "AgentRuntimePolicy",
        reencode::<AgentRuntimePolicy>,
    ),
    (
        "system_operation_result",
        "SystemOperationResult",
        reencode::<SystemOperationResult>,
    ),
    ("system_status", "SystemStatus", reencode::<SystemStatus>),
];

/// Parts of fixtures (JSON pointer) → the schema of the model they are.
const PARTS: &[(&str, &str, &str)] = &[
    ("build_status_completed", "/status", "BuildState"),
    ("cluster_snapshot", "/cpu", "ResourceCounter"),
    ("cluster_snapshot", "/gpu", "GpuSummary"),
    ("cluster_snapshot", "/node_counts", "NodeCounts"),
    ("cluster_snapshot", "/nodes/0", "NodeResource"),
    ("cluster_snapshot", "/nodes/0/gpus/0", "GpuDevice"),
    ("cluster_snapshot", "/nodes/0/state", "NodeState"),
    ("cluster_snapshot", "/nodes/1", "NodeResource"),
    ("cluster_snapshot", "/nodes/2", "NodeResource"),
    ("ray_job", "/end_time", "RayTime"),
    ("ray_job", "/start_time", "RayTime"),
    ("ray_job", "/status", "JobStatus"),
    ("system_operation_result", "/status", "OperationStatus"),
    ("system_status", "/operation", "SystemOperation"),
];

#[test]
fn every_fixture_validates_against_its_model_schema() {
    COMMITTED.check_fixtures(FIXTURES, PARTS);
}

#[test]
fn lenient_payloads_validate_and_wrong_ones_fail_both() {
    let lenient: [(&str, Value, Decodes); 7] = [
        (
            "AgentRuntimePolicy",
            json!({"max_concurrent_jobs": 4.0, "cpu_max_utilization_percent": "75"}),
            decodes::<AgentRuntimePolicy>,
        ),
        (
            "AgentRuntimePolicy",
            json!({"max_concurrent_jobs": null, "gatekeeping_enabled": null}),
            decodes::<AgentRuntimePolicy>,
        ),
        (
            "GpuDevice",
            json!({"index": "0", "memory_used": 1.0, "name": null}),
            decodes::<GpuDevice>,
        ),
        (
            "RayJob",
            json!({"driver_exit_code": 1.0, "entrypoint_memory": "1024", "end_time": null}),
            decodes::<RayJob>,
        ),
        ("RayTime", json!(1795428000000.0), decodes::<RayTime>),
        (
            "BuildStatus",
            json!({"status": "building"}),
            decodes::<BuildStatus>,
        ),
        (
            "FeasibilityResult",
            json!({"allowed": true, "reasons": null}),
            decodes::<FeasibilityResult>,
        ),
    ];
    for (model, value, decodes) in lenient {
        assert!(decodes(&value), "{model} does not decode {value}");
        assert_valid(model, &value, &value.to_string());
    }

    let wrong: [(&str, Value, Decodes); 9] = [
        (
            "ClusterResourceSnapshot",
            json!({"stale": true}),
            decodes::<ClusterResourceSnapshot>,
        ),
        (
            "ClusterResourceSnapshot",
            json!({"collected_at": null}),
            decodes::<ClusterResourceSnapshot>,
        ),
        (
            "ClusterResourceSnapshot",
            json!({"collected_at": "x", "running_jobs": 1.5}),
            decodes::<ClusterResourceSnapshot>,
        ),
        (
            "NodeResource",
            json!({"state": "ALIVE"}),
            decodes::<NodeResource>,
        ),
        ("GpuDevice", json!({"name": "A100"}), decodes::<GpuDevice>),
        (
            "AgentRuntimePolicy",
            json!({"max_concurrent_jobs": 4.5}),
            decodes::<AgentRuntimePolicy>,
        ),
        (
            "FeasibilityResult",
            json!({"reasons": []}),
            decodes::<FeasibilityResult>,
        ),
        ("RayJob", json!("raysubmit_1"), decodes::<RayJob>),
        (
            "SystemStatus",
            json!({"in_progress": "yes"}),
            decodes::<SystemStatus>,
        ),
    ];
    for (model, value, decodes) in wrong {
        assert!(!decodes(&value), "{model} decodes {value}");
        assert!(
            COMMITTED.validate(model, &value).is_err(),
            "schemas/{model}.json accepts {value}"
        );
    }
}

#[test]
fn schemas_list_required_fields_and_show_defaults() {
    let policy = &COMMITTED.schema("AgentRuntimePolicy");
    assert_eq!(policy.get("required"), None);
    assert_eq!(policy["additionalProperties"], json!(true));
    assert_eq!(
        policy["properties"]["max_concurrent_jobs"]["default"],
        json!(3)
    );
    assert_eq!(
        policy["properties"]["gatekeeping_enabled"]["default"],
        json!(true)
    );
    assert_eq!(
        policy["properties"]["resource_cache_ttl_seconds"]["default"],
        json!(5.0)
    );
    let snapshot = &COMMITTED.schema("ClusterResourceSnapshot");
    assert_eq!(snapshot["required"], json!(["collected_at"]));
    assert_eq!(
        snapshot["properties"]["cpu"]["default"],
        json!({"total": 0.0, "used": 0.0, "available": 0.0})
    );
    assert_eq!(COMMITTED.schema("GpuDevice")["required"], json!(["index"]));
    assert_eq!(
        COMMITTED.schema("NodeResource")["required"],
        json!(["node_id"])
    );
    assert_eq!(
        COMMITTED.schema("FeasibilityResult")["required"],
        json!(["allowed"])
    );
    assert_eq!(COMMITTED.schema("RayJob").get("required"), None);
    // The update body is an object of tags, or `null`.
    assert!(
        COMMITTED
            .validate("UpdateSystemRequest", &Value::Null)
            .is_ok()
    );
    let body = serde_json::to_value(UpdateSystemRequest {
        api_tag: Some("v2".into()),
        worker_tag: None,
    })
    .unwrap();
    assert_valid("UpdateSystemRequest", &body, "an update body");
    assert!(
        COMMITTED
            .validate("UpdateSystemRequest", &json!({"api_tag": 2}))
            .is_err()
    );
    let feasibility =
        serde_json::to_value(FeasibilityRequest::new(ResourceKind::Job, 1.0)).unwrap();
    assert_valid("FeasibilityRequest", &feasibility, "a feasibility body");
}
