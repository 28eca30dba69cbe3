//! `AgentClient` over real HTTP against the fake's Ray endpoints: stopping a job, nodes,
//! tasks, GPU status and Ray Serve applications.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use synapse_agent::JobStatus;
use synapse_e2e::{assert_not_found, run_action, short_jobs, start_agent};
use synapse_fake::FakeConfig;

#[tokio::test]
async fn stopping_a_running_job_ends_it_and_its_tail() {
    let (_fake, agent) = start_agent(FakeConfig {
        job_duration: Duration::from_secs(20),
        log_lines: 40,
        ..FakeConfig::default()
    })
    .await;
    let job_id = run_action(&agent, "train", json!({})).await;
    let mut tail = agent.tail_job_logs(&job_id).messages();
    let first = tail.next().await.expect("a line").expect("ok");
    assert!(first.contains("Plugin started"), "{first}");
    let status = agent.get_job(&job_id).await.expect("job").status;
    assert!(
        matches!(status, Some(JobStatus::Pending | JobStatus::Running)),
        "{status:?}"
    );
    let answer = agent.stop_job(&job_id).await.expect("stop");
    assert_eq!(answer["stopped"], true);
    assert_eq!(answer["status"], "STOPPED");
    // The tail ends (cleanly, long before the job's 20 s) with the stop line last.
    let rest: Vec<String> = tokio::time::timeout(Duration::from_secs(5), tail.try_collect())
        .await
        .expect("the tail ends")
        .expect("no error");
    assert!(rest.len() < 39, "{rest:?}");
    assert!(
        rest.last()
            .expect("a last line")
            .contains("Job stopped by user")
    );
    let job = agent.get_job(&job_id).await.expect("job");
    assert_eq!(job.status, Some(JobStatus::Stopped));
    let log = agent.get_job_logs(&job_id).await.expect("log");
    assert_eq!(log.lines().count(), rest.len() + 1);
    // Stopping it again changes nothing; an unknown job is a 404.
    let again = agent.stop_job(&job_id).await.expect("stop again");
    assert_eq!(again["stopped"], false);
    assert_not_found(agent.stop_job("raysubmit_unknown").await.expect_err("404"));
}

#[tokio::test]
async fn nodes_tasks_and_gpu_status() {
    let (_fake, agent) = start_agent(FakeConfig {
        job_duration: Duration::from_secs(20),
        ..short_jobs()
    })
    .await;
    let nodes = agent.list_nodes().await.expect("nodes");
    assert_eq!(nodes.len(), 2);
    assert_eq!(
        nodes.iter().filter(|n| n["is_head_node"] == true).count(),
        1
    );
    let worker = nodes
        .iter()
        .find(|n| n["is_head_node"] == false)
        .expect("worker");
    assert_eq!(worker["resources_total"]["GPU"], 2.0);
    let id = worker["node_id"].as_str().expect("node_id");
    assert_eq!(&agent.get_node(id).await.expect("node"), worker);
    assert_not_found(agent.get_node("no-such-node").await.expect_err("404"));

    let gpu = agent.get_gpu_status().await.expect("gpu");
    assert_eq!(
        (gpu["total_gpus"].as_i64(), gpu["available_gpus"].as_i64()),
        (Some(2), Some(2))
    );
    assert!(agent.list_tasks().await.expect("tasks").is_empty());
    // A running job that asked for a GPU holds one, and has a running driver task.
    let job_id = run_action(&agent, "train", json!({"num_gpus": 1})).await;
    let gpu = agent.get_gpu_status().await.expect("gpu");
    assert_eq!(gpu["available_gpus"], 1);
    let tasks = agent.list_tasks().await.expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["name"], "plugin.train");
    let task_id = tasks[0]["task_id"].as_str().expect("task_id");
    agent.stop_job(&job_id).await.expect("stop");
    let task = agent.get_task(task_id).await.expect("task");
    assert_eq!(task["state"], "FAILED");
    assert_eq!(task["error_type"], "TASK_CANCELLED");
    assert_eq!(
        agent.get_gpu_status().await.expect("gpu")["available_gpus"],
        2
    );
    assert_not_found(agent.get_task("ffff").await.expect_err("404"));
}

#[tokio::test]
async fn a_serve_action_deploys_an_application_that_can_be_deleted() {
    let (_fake, agent) = start_agent(short_jobs()).await;
    assert!(
        agent
            .list_serve_applications()
            .await
            .expect("apps")
            .is_empty()
    );
    run_action(&agent, "inference", json!({"num_replicas": 2})).await;
    let apps = agent.list_serve_applications().await.expect("apps");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["name"], "yolov8@1.0.0");
    assert_eq!(apps[0]["status"], "DEPLOYING");
    // Deploying, then running: polled as the SDK's callers do.
    let mut status = Value::Null;
    for _ in 0..50 {
        status = agent
            .get_serve_application("yolov8@1.0.0")
            .await
            .expect("app")["status"]
            .clone();
        if status == "RUNNING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "RUNNING");
    // A job action deploys nothing.
    run_action(&agent, "train", json!({})).await;
    assert_eq!(
        agent.list_serve_applications().await.expect("apps").len(),
        1
    );
    agent
        .delete_serve_application("yolov8@1.0.0")
        .await
        .expect("delete");
    assert!(
        agent
            .list_serve_applications()
            .await
            .expect("apps")
            .is_empty()
    );
    assert_not_found(
        agent
            .get_serve_application("yolov8@1.0.0")
            .await
            .expect_err("gone"),
    );
    assert_not_found(
        agent
            .delete_serve_application("yolov8@1.0.0")
            .await
            .expect_err("gone"),
    );
}
