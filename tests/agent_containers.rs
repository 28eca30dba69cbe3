//! `AgentClient` over real HTTP against the fake's container endpoints: records built
//! from a release (JSON) or a plugin archive (multipart), builds waited for, Docker
//! containers started, stopped and removed.

use std::time::Duration;

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use synapse_agent::{ApiErrorKind, BuildOutcome, BuildState, ContainerKind};
use synapse_e2e::{assert_not_found, short_jobs, start_agent};
use synapse_fake::Method;

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

#[tokio::test]
async fn a_container_from_a_release_is_built_listed_stopped_and_deleted() {
    let (fake, agent) = start_agent(short_jobs()).await;
    let build = agent
        .create_container()
        .plugin_release("yolov8@1.0.0")
        .params(object(json!({"a": 1})))
        .labels(["l1", "l2"])
        .kind(ContainerKind::CodeServer)
        .await
        .expect("create");
    let build_id = build.build_id.expect("build_id").to_string();
    assert!(
        build
            .status_url
            .expect("status_url")
            .ends_with(&format!("/agent/builds/{build_id}/"))
    );
    let status = agent.get_build_status(&build_id).await.expect("status");
    assert!(!status.status.expect("status").is_terminal());
    let before = fake.count(&Method::GET, "/agent/builds/");
    let outcome = agent
        .wait_for_build(&build_id)
        .poll_interval(Duration::from_millis(40))
        .await
        .expect("wait");
    assert!(fake.count(&Method::GET, "/agent/builds/") - before >= 3);
    let BuildOutcome::Completed(info) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(info["status"], "running");
    assert_eq!(info["plugin_release"], "yolov8@1.0.0");
    assert_eq!(info["kind"], "code_server");
    assert_eq!(info["labels"], json!(["l1", "l2"]));
    assert!(
        info["endpoint"]
            .as_str()
            .expect("endpoint")
            .starts_with("http://")
    );
    let id = info["id"].as_i64().expect("id");
    assert_eq!(agent.get_container(id).await.expect("get"), info);

    let running = agent
        .list_containers()
        .status("running")
        .await
        .expect("page");
    assert_eq!(running.count, Some(1));
    // Stopped through its record: the Docker container follows.
    let stopped = agent
        .update_container(id)
        .status("stopped")
        .await
        .expect("stop");
    assert_eq!(stopped["status"], "stopped");
    let docker_id = info["container_id"].as_str().expect("container_id");
    let docker = agent.get_docker_container(docker_id).await.expect("docker");
    assert_eq!(docker["status"], "exited");
    assert_eq!(
        agent.update_container(id).await.expect("no change")["status"],
        "stopped"
    );
    assert_eq!(
        agent
            .list_containers()
            .status("running")
            .await
            .expect("page")
            .count,
        Some(0)
    );
    let all: Vec<Value> = agent
        .list_containers()
        .items()
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 1);
    let err = agent
        .update_container(id)
        .status("paused")
        .await
        .expect_err("400");
    assert_eq!(
        err.body_json(),
        Some(&json!({"status": ["\"paused\" is not a valid choice."]}))
    );
    // Deleting the record removes its Docker container too.
    agent.delete_container(id).await.expect("delete");
    assert_not_found(agent.get_container(id).await.expect_err("gone"));
    assert_not_found(
        agent
            .get_docker_container(docker_id)
            .await
            .expect_err("gone"),
    );
    assert_not_found(agent.delete_container(id).await.expect_err("gone"));
}

#[tokio::test]
async fn a_container_from_a_plugin_archive_is_multipart() {
    let (_fake, agent) = start_agent(short_jobs()).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("yolov8-1.0.0.zip");
    std::fs::write(&path, b"PK\x03\x04 fake zip").expect("write");
    let outcome = agent
        .create_container_and_wait()
        .plugin_file(&path)
        .envs([("A".to_owned(), "1".to_owned())].into())
        .labels(["x"])
        .model(3)
        .poll_interval(Duration::from_millis(40))
        .await
        .expect("create and wait");
    let BuildOutcome::Completed(info) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        info["plugin_file"],
        json!({"name": "yolov8-1.0.0.zip", "size": 13})
    );
    assert_eq!(info["envs"], json!({"A": "1"}));
    assert_eq!(info["labels"], json!(["x"]));
    assert_eq!(info["model"], 3);
    assert_eq!(info["status"], "running");
}

#[tokio::test]
async fn docker_containers_start_stop_and_delete() {
    let (_fake, agent) = start_agent(short_jobs()).await;
    assert!(
        agent
            .list_docker_containers()
            .await
            .expect("list")
            .is_empty()
    );
    let created = agent
        .create_docker_container("yolov8@1.0.0")
        .envs([("A".to_owned(), "1".to_owned())].into())
        .labels(["x"])
        .await
        .expect("create");
    assert_eq!(created["status"], "running");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(
        agent.list_docker_containers().await.expect("list"),
        std::slice::from_ref(&created)
    );
    let stopped = agent.stop_docker_container(&id).await.expect("stop");
    assert_eq!(stopped["status"], "exited");
    assert_eq!(
        agent.get_docker_container(&id).await.expect("get")["status"],
        "exited"
    );
    agent.start_docker_container(&id).await.expect("start");
    assert_eq!(
        agent.get_docker_container(&id).await.expect("get")["status"],
        "running"
    );
    agent.delete_docker_container(&id).await.expect("delete");
    assert!(
        agent
            .list_docker_containers()
            .await
            .expect("list")
            .is_empty()
    );
    assert_not_found(agent.get_docker_container(&id).await.expect_err("gone"));
    assert_not_found(agent.stop_docker_container(&id).await.expect_err("gone"));
    let err = agent
        .create_docker_container("yolov8@9.9.9")
        .await
        .expect_err("unknown release");
    assert_eq!(
        err.body_json(),
        Some(&json!({"plugin_release": ["Plugin release yolov8@9.9.9 not found."]}))
    );
}

#[tokio::test]
async fn failed_builds_and_unknown_ids_are_typed() {
    let (_fake, agent) = start_agent(short_jobs()).await;
    let err = agent
        .create_container()
        .plugin_release("yolov8@9.9.9")
        .labels(["x"])
        .await
        .expect_err("unknown release");
    let api = err.api().expect("api");
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(
        api.body_json(),
        Some(&json!({"plugin_release": ["Plugin release yolov8@9.9.9 not found."]}))
    );
    let outcome = agent
        .create_container_and_wait()
        .plugin_release("yolov8@1.0.0")
        .params(object(json!({"fail": true})))
        .poll_interval(Duration::from_millis(40))
        .await
        .expect("wait");
    let BuildOutcome::Failed(status) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(status.status, Some(BuildState::Failed));
    assert!(status.error_message().contains("Build failed"));
    assert_eq!(
        agent
            .list_containers()
            .status("failed")
            .await
            .expect("page")
            .count,
        Some(1)
    );
    assert_not_found(
        agent
            .get_build_status("no-such-build")
            .await
            .expect_err("404"),
    );
    assert_not_found(agent.get_container(999).await.expect_err("404"));
}
