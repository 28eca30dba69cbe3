//! `AgentClient` over real HTTP against the fake's resource endpoints: the cluster
//! snapshot and its cache, the feasibility dry run, the runtime policy.

use std::time::Duration;

use serde_json::json;
use synapse_agent::{ApiErrorKind, ResourceKind};
use synapse_e2e::{short_jobs, start_agent};
use synapse_fake::FakeConfig;

#[tokio::test]
async fn the_cluster_snapshot_is_cached_unless_asked_fresh() {
    let (fake, agent) = start_agent(short_jobs()).await;
    let first = agent.get_cluster_resources().await.expect("snapshot");
    assert_eq!(first.nodes.len(), 2);
    assert_eq!(first.node_counts.total, 2);
    assert_eq!(first.node_counts.alive, 2);
    assert_eq!(first.cpu.total, 24.0);
    assert_eq!(first.gpu.total_gpus, 2);
    assert_eq!(first.gpu.available_gpus, 2);
    assert_eq!(first.running_jobs, 0);
    let worker = first
        .nodes
        .iter()
        .find(|n| !n.is_head_node)
        .expect("worker");
    assert_eq!(worker.gpus.len(), 2);
    assert_eq!(worker.gpus[0].memory_total, 40_960);
    // Within the TTL (5 s) the cached snapshot comes back; `use_cache=false` collects anew.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let cached = agent
        .get_cluster_resources()
        .use_cache(true)
        .await
        .expect("cached");
    assert_eq!(cached.collected_at, first.collected_at);
    let fresh = agent
        .get_cluster_resources()
        .use_cache(false)
        .await
        .expect("fresh");
    assert!(fresh.collected_at > first.collected_at);
    assert_eq!(
        fake.count(
            &synapse_fake::Method::GET,
            "/agent/resources/cluster/?use_cache=false"
        ),
        1
    );
}

#[tokio::test]
async fn feasibility_follows_free_resources_and_the_policy() {
    let (_fake, agent) = start_agent(FakeConfig {
        job_duration: Duration::from_secs(20),
        ..short_jobs()
    })
    .await;
    let fits = agent
        .check_feasibility(ResourceKind::Job, 2.0)
        .memory_bytes(1 << 30)
        .await
        .expect("feasibility");
    assert!(fits.allowed, "{fits:?}");
    assert!(fits.reasons.is_empty());
    let too_big = agent
        .check_feasibility(ResourceKind::Serve, 16.0)
        .num_gpus(1.0)
        .replicas(3)
        .await
        .expect("feasibility");
    assert!(!too_big.allowed);
    assert_eq!(too_big.reasons, ["insufficient_cpu", "insufficient_gpu"]);
    assert_eq!(too_big.messages.len(), 2);
    // One running job against a limit of one.
    agent
        .update_runtime_policy(&json!({"max_concurrent_jobs": 1}))
        .await
        .expect("policy");
    agent
        .run_plugin_release("yolov8@1.0.0", "train")
        .await
        .expect("run");
    let full = agent
        .check_feasibility(ResourceKind::Job, 1.0)
        .await
        .expect("feasibility");
    assert_eq!(full.reasons, ["max_concurrent_jobs"]);
    // Gatekeeping off: everything is allowed.
    agent
        .update_runtime_policy(&json!({"gatekeeping_enabled": false}))
        .await
        .expect("policy");
    assert!(too_big_allowed(&agent).await);
    // An unknown kind is a field error.
    let err = agent
        .check_feasibility(ResourceKind::from("gpu_pool"), 1.0)
        .await
        .expect_err("400");
    let api = err.api().expect("api");
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(
        api.body_json(),
        Some(&json!({"kind": ["\"gpu_pool\" is not a valid choice."]}))
    );
}

async fn too_big_allowed(agent: &synapse_agent::AgentClient) -> bool {
    agent
        .check_feasibility(ResourceKind::Serve, 16.0)
        .num_gpus(1.0)
        .replicas(3)
        .await
        .expect("feasibility")
        .allowed
}

#[tokio::test]
async fn the_policy_is_read_updated_and_read_back() {
    let (_fake, agent) = start_agent(short_jobs()).await;
    let policy = agent.get_runtime_policy().await.expect("policy");
    assert_eq!(policy.max_concurrent_jobs, 3);
    assert_eq!(policy.max_concurrent_serve_replicas, 16);
    assert!(policy.gatekeeping_enabled);
    assert_eq!(policy.resource_cache_ttl_seconds, 5.0);
    // An unknown key is ignored, as an agent of this version does.
    let updated = agent
        .update_gatekeeping_policy(&json!({
            "max_concurrent_jobs": 5, "memory_max_utilization_percent": 85.0, "future_knob": "on"
        }))
        .await
        .expect("update");
    assert_eq!(updated["max_concurrent_jobs"], 5);
    assert!(updated.get("future_knob").is_none());
    let raw = agent.get_gatekeeping_policy().await.expect("raw");
    assert_eq!(raw, updated);
    let typed = agent.get_runtime_policy().await.expect("typed");
    assert_eq!(typed.max_concurrent_jobs, 5);
    assert_eq!(typed.memory_max_utilization_percent, 85.0);
    assert_eq!(typed.cpu_max_utilization_percent, 90.0);
    // Every bad value is named at once, and nothing changes.
    let err = agent
        .update_runtime_policy(&json!({
            "max_concurrent_jobs": -1, "cpu_max_utilization_percent": 150, "gatekeeping_enabled": false
        }))
        .await
        .expect_err("400");
    let body = err.body_json().expect("body").clone();
    assert_eq!(err.status_code(), Some(400));
    let mut fields: Vec<&String> = body.as_object().expect("fields").keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["cpu_max_utilization_percent", "max_concurrent_jobs"]
    );
    assert_eq!(agent.get_gatekeeping_policy().await.expect("raw"), raw);
}
