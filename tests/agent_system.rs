//! `AgentClient` over real HTTP against the fake's system endpoints: compose
//! configuration, status, update and restart (the agent unavailable while they run).

use std::time::Duration;

use serde_json::json;
use synapse_agent::{OperationStatus, SystemOperation};
use synapse_e2e::{short_jobs, start_agent};
use synapse_fake::Method;

#[tokio::test]
async fn update_and_restart_change_the_status_and_wait_for_readiness() {
    let (fake, agent) = start_agent(short_jobs()).await;
    let compose = agent.get_compose_config().await.expect("compose");
    assert_eq!(compose.working_dir.as_deref(), Some("/opt/synapse-agent"));
    assert_eq!(compose.config_files.as_ref().map(Vec::len), Some(2));
    assert_eq!(compose.is_gpu_mode, Some(true));
    let idle = agent.get_system_status().await.expect("status");
    assert!(!idle.is_in_progress());
    assert_eq!(idle.operation, None);
    assert_eq!(idle.started_at, None);
    assert_eq!(
        (idle.api_tag.as_deref(), idle.worker_tag.as_deref()),
        (Some("latest"), Some("latest-gpu"))
    );

    let result = agent
        .update_system()
        .api_tag("v2")
        .worker_tag("v2-gpu")
        .await
        .expect("update");
    assert_eq!(result.status, Some(OperationStatus::Success));
    assert!(
        result
            .pull_output
            .expect("pull output")
            .contains("agent-api:v2")
    );
    let busy = agent.get_system_status().await.expect("status");
    assert!(busy.is_in_progress());
    assert_eq!(busy.operation, Some(SystemOperation::Update));
    assert!(busy.started_at.is_some());
    assert_eq!(busy.api_tag.as_deref(), Some("v2"));
    assert_eq!(busy.worker_tag.as_deref(), Some("v2-gpu"));
    // A second operation while one runs: 409, not retried.
    let err = agent.restart_system().await.expect_err("409");
    assert_eq!(err.status_code(), Some(409));
    assert_eq!(
        err.body_json(),
        Some(&json!({"detail": "A system update is already in progress."}))
    );
    assert_eq!(fake.count(&Method::POST, "/agent/system/restart/"), 1);
    // The agent answers health checks again once its containers are recreated.
    assert!(
        agent
            .wait_for_system_ready()
            .timeout(Duration::from_secs(5))
            .poll_interval(Duration::from_millis(50))
            .await
    );
    assert!(
        !agent
            .get_system_status()
            .await
            .expect("status")
            .is_in_progress()
    );

    let restarted = agent
        .restart_system_and_wait()
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(50))
        .await
        .expect("restart");
    assert_eq!(
        restarted.message.as_deref(),
        Some("System restarted and ready")
    );
    assert!(restarted.up_output.is_some());
    // No tag: the literal `null` body, the default tags.
    agent
        .update_system_and_wait()
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(50))
        .await
        .expect("update to the defaults");
    let status = agent.get_system_status().await.expect("status");
    assert_eq!(
        (status.api_tag.as_deref(), status.worker_tag.as_deref()),
        (Some("latest"), Some("latest-gpu"))
    );
}
