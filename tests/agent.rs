//! `AgentClient` over real HTTP against the fake's agent endpoints.

use futures_util::{StreamExt, TryStreamExt};
use synapse_agent::{AgentClient, JobStatus};
use synapse_backend::models::{PluginCode, PluginCreate, PluginReleaseCreateRequest};
use synapse_e2e::{fast_retries, start};
use synapse_fake::{FakeServer, Fault};
use synapse_transport::{ApiErrorKind, Error, Method};

/// A backend plugin with release 1.0.0, and an agent client for the same fake.
async fn setup() -> (FakeServer, AgentClient) {
    let (fake, backend) = start().await;
    backend
        .create_plugin(PluginCreate {
            name: Some("YOLO".into()),
            code: Some(PluginCode::new("yolov8").expect("code")),
            category: Some("neural_net".into()),
            ..Default::default()
        })
        .await
        .expect("plugin");
    backend
        .create_plugin_release(PluginReleaseCreateRequest::new(
            PluginCode::new("yolov8").expect("code"),
            "1.0.0",
        ))
        .await
        .expect("release");
    let agent = AgentClient::builder(fake.agent_url(), fake.agent_token())
        .retry_policy(fast_retries())
        .build()
        .expect("agent");
    (fake, agent)
}

#[tokio::test]
async fn cache_run_follow_and_delete_a_release_on_the_agent() {
    let (fake, agent) = setup().await;
    assert_eq!(agent.health_check().await.expect("health")["status"], "ok");
    let cached = agent
        .create_plugin_release("yolov8", "1.0.0")
        .await
        .expect("cache");
    assert_eq!(cached.version.as_deref(), Some("1.0.0"));
    // Listing: one page, and every page as a stream.
    let page = agent
        .list_plugin_releases()
        .plugin("yolov8")
        .await
        .expect("page");
    assert_eq!(page.results.len(), 1);
    let all: Vec<_> = agent
        .list_plugin_releases()
        .items()
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 1);
    // The lookup path has no trailing slash; the fake answers 404 on the slashed form.
    let got = agent.get_plugin_release("yolov8@1.0.0").await.expect("get");
    assert_eq!(got.id, cached.id);
    assert_eq!(
        fake.count(&Method::GET, "/agent/plugin_releases/yolov8@1.0.0"),
        1
    );

    let params = serde_json::json!({"epochs": 3});
    let answer = agent
        .run_plugin_release("yolov8@1.0.0", "train")
        .params(params.as_object().cloned().expect("object"))
        .await
        .expect("run");
    let job_id = answer.job_id().expect("job_id").to_owned();
    let lines: Vec<String> = agent
        .tail_job_logs(&job_id)
        .messages()
        .try_collect()
        .await
        .expect("log");
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert!(lines[0].contains("Plugin started"));
    assert_eq!(
        agent.get_job(&job_id).await.expect("job").status,
        Some(JobStatus::Succeeded)
    );
    assert!(
        agent
            .get_job_logs(&job_id)
            .await
            .expect("logs")
            .contains("Action complete")
    );

    agent
        .delete_plugin_release("yolov8@1.0.0")
        .await
        .expect("delete");
    let err = agent
        .get_plugin_release("yolov8@1.0.0")
        .await
        .expect_err("gone");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn malformed_lookups_fail_before_any_request() {
    let (fake, agent) = setup().await;
    let before = fake.calls().len();
    for bad in ["", "@1.0", "yolov8@", "a@b@c", "not-a-lookup"] {
        let err = agent.get_plugin_release(bad).await.expect_err(bad);
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
    }
    assert_eq!(fake.calls().len(), before);
}

#[tokio::test]
async fn a_wrong_agent_token_and_an_uncached_release_are_typed_errors() {
    let (fake, agent) = setup().await;
    let stranger = AgentClient::new(fake.agent_url(), "not-the-token").expect("client");
    let err = stranger.health_check().await.expect_err("401");
    assert_eq!(err.api().expect("api").kind, ApiErrorKind::Unauthorized);
    assert!(!format!("{err} {err:?}").contains("not-the-token"));
    let err = agent
        .run_plugin_release("yolov8@9.9.9", "train")
        .await
        .expect_err("not cached");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn a_503_on_an_agent_run_is_not_replayed() {
    let (fake, agent) = setup().await;
    agent
        .create_plugin_release("yolov8", "1.0.0")
        .await
        .expect("cache");
    fake.inject(Fault::status(503, 1).path("/run/"));
    let err = agent
        .run_plugin_release("yolov8@1.0.0", "train")
        .await
        .expect_err("503");
    assert_eq!(err.status_code(), Some(503));
    assert_eq!(
        fake.count(&Method::POST, "/agent/plugin_releases/yolov8@1.0.0/run/"),
        1
    );
    // A GET through the same client is retried past a 503 burst.
    fake.inject(Fault::status(503, 2).path("/agent/health/"));
    agent.health_check().await.expect("retried");
    let mut stream = agent.list_plugin_releases().items();
    assert!(stream.next().await.is_some());
}
