//! Containers: builds (status and waiting), Docker containers, container creation (JSON
//! and multipart) and records.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{client, labelled, not_found, obj, ok, retrying_client, status};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use synapse_agent::{
    BuildOutcome, BuildState, ContainerKind, CreateContainerRequest, CreateDockerContainerRequest,
    Error, PluginReleaseRef, ReleaseFields,
};
use synapse_transport::Method;
use synapse_transport::mock::{MockResponse, MockTransport, RecordedBody};
use tokio::time::Instant;

#[tokio::test]
async fn docker_containers() {
    let container = json!({"id": "3f2a9c", "name": "yolov8-1.0.0", "status": "running"});
    let mock = MockTransport::new();
    mock.push(ok(json!([container.clone()])))
        .push(ok(container.clone()))
        .push(MockResponse::json(201, container.clone()))
        .push(MockResponse::json(201, container.clone()))
        .push(MockResponse::empty(204))
        .push(ok(json!({"status": "exited"})))
        .push(ok(json!({"status": "running"})));
    let c = client(&mock);
    assert_eq!(c.list_docker_containers().await.unwrap().len(), 1);
    assert_eq!(
        c.get_docker_container("3f2a9c").await.unwrap()["status"],
        "running"
    );
    let mut req = CreateDockerContainerRequest::new("yolov8@1.0.0");
    req.params = Some(obj(json!({})));
    req.envs = Some([("A".to_owned(), "1".to_owned())].into());
    req.labels = Some(vec!["x".into()]);
    assert_eq!(
        c.create_docker_container(&req).await.unwrap()["id"],
        "3f2a9c"
    );
    let mut full = CreateDockerContainerRequest::new("yolov8@1.0.0");
    full.metadata = Some(obj(json!({"owner": "ml-team"})));
    c.create_docker_container(&full).await.unwrap();
    c.delete_docker_container("3f2a9c").await.unwrap();
    assert_eq!(
        c.stop_docker_container("3f2a9c").await.unwrap()["status"],
        "exited"
    );
    assert_eq!(
        c.start_docker_container("3f2a9c").await.unwrap()["status"],
        "running"
    );
    insta::assert_json_snapshot!(labelled(
        &mock,
        &[
            "list_docker_containers",
            "get_docker_container",
            "create_docker_container (params, envs, labels)",
            "create_docker_container (metadata)",
            "delete_docker_container",
            "stop_docker_container",
            "start_docker_container",
        ]
    ));
}

#[tokio::test]
async fn container_records() {
    let record = json!({"id": 7, "plugin_release": "yolov8@1.0.0", "status": "running", "endpoint": "http://10.0.0.5:7860"});
    let mock = MockTransport::new();
    mock.push(ok(json!({"count": 1, "next": null, "previous": null, "results": [record.clone()]})))
        .push(ok(json!({"count": 2, "next": "http://agent.test:8000/containers/?page=2&page_size=100", "results": [record.clone()]})))
        .push(ok(json!({"count": 2, "next": null, "results": [record.clone()]})))
        .push(ok(record.clone()))
        .push(ok(json!({"id": 7, "status": "stopped"})))
        .push(ok(record.clone()))
        .push(MockResponse::empty(204));
    let c = client(&mock);
    let page = c.list_containers(&[("status", "running")]).await.unwrap();
    assert_eq!(page.results[0]["endpoint"], "http://10.0.0.5:7860");
    let all: Vec<Value> = c.list_containers_all(&[]).try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(c.get_container(7).await.unwrap()["id"], 7);
    assert_eq!(
        c.update_container(7, Some("stopped")).await.unwrap()["status"],
        "stopped"
    );
    c.update_container(7, None).await.unwrap();
    c.delete_container(7).await.unwrap();
    insta::assert_json_snapshot!(labelled(
        &mock,
        &[
            "list_containers",
            "list_containers_all (page 1)",
            "list_containers_all (page 2)",
            "get_container",
            "update_container (status)",
            "update_container (no status: empty object)",
            "delete_container",
        ]
    ));
}

#[tokio::test]
async fn create_container_json_bodies() {
    let accepted = json!({"build_id": "b-1", "ws_url": "ws://agent.test:8000/builds/b-1/ws/",
                          "sse_url": "http://agent.test:8000/builds/b-1/sse/", "status_url": "http://agent.test:8000/builds/b-1/"});
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/containers/",
        MockResponse::json(202, accepted),
    );
    let c = client(&mock);
    // The observed full body.
    let mut full = CreateContainerRequest::new("yolov8@1.0.0");
    full.model = Some(3);
    full.params = Some(obj(json!({"a": 1})));
    full.metadata = obj(json!({"m": 1}));
    full.labels = vec!["l1".into(), "l2".into()];
    full.kind = Some(ContainerKind::CodeServer);
    full.backend_container_id = Some(0);
    let build = c.create_container(&full).await.unwrap();
    assert_eq!(
        build.build_id.map(|b| b.to_string()).as_deref(),
        Some("b-1")
    );
    assert!(build.sse_url.is_some());
    // Release fields (the Python release-object form).
    let fields =
        ReleaseFields::new("yolov8", "1.0.0").action("gradio", "plugin.gradio_interface.app");
    c.create_container(&CreateContainerRequest::new(fields))
        .await
        .unwrap();
    // A string without `@`; empty params are sent, empty collections are not.
    let mut bare = CreateContainerRequest::new("yolov8");
    bare.params = Some(obj(json!({})));
    bare.envs = Default::default();
    bare.kind = Some(ContainerKind::Unknown(String::new()));
    c.create_container(&bare).await.unwrap();
    // Split at the last `@`.
    c.create_container(&CreateContainerRequest::new(PluginReleaseRef::from(
        "team@yolo@2.0",
    )))
    .await
    .unwrap();
    insta::assert_json_snapshot!(labelled(
        &mock,
        &[
            "create_container (observed full body)",
            "create_container (release fields)",
            "create_container (no @, empty params)",
            "create_container (split at the last @)",
        ]
    ));
}

#[tokio::test]
async fn create_container_with_a_plugin_file_is_multipart() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("yolov8-1.0.0.zip");
    std::fs::write(&archive, b"PK\x03\x04 fake zip").unwrap();
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/containers/",
        MockResponse::json(202, json!({"build_id": "b-2"})),
    );
    let c = client(&mock);
    let mut req = CreateContainerRequest::new(ReleaseFields::new("yolov8", "1.0.0"));
    req.model = Some(3);
    req.params = Some(obj(json!({"a": 1, "nested": {"b": [1, 2]}})));
    req.envs = [("A".to_owned(), "1".to_owned())].into();
    req.labels = vec!["l1".into(), "l2".into()];
    req.backend_container_id = Some(0);
    req.plugin_file = Some(archive.clone());
    c.create_container(&req).await.unwrap();
    c.create_container(&CreateContainerRequest::from_file(&archive))
        .await
        .unwrap();
    let requests = mock.requests();
    for r in &requests {
        let RecordedBody::Multipart { raw, .. } = &r.body else {
            panic!("not multipart: {:?}", r.body);
        };
        let text = String::from_utf8_lossy(raw);
        assert!(
            !text.contains("Content-Type"),
            "no part has a content type: {text}"
        );
    }
    insta::assert_json_snapshot!(labelled(
        &mock,
        &[
            "create_container (multipart, release fields; null plugin dropped)",
            "create_container (multipart, file only)",
        ]
    ));
    // Neither a release nor a file, or a missing file: refused unsent.
    let err = c
        .create_container(&CreateContainerRequest::default())
        .await
        .expect_err("empty");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .create_container(&CreateContainerRequest::new(""))
        .await
        .expect_err("empty string");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .create_container(&CreateContainerRequest::from_file(
            dir.path().join("missing.zip"),
        ))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn wait_for_build_polls_until_the_build_ends() {
    let mock = MockTransport::new();
    mock.route(Method::GET, "/builds/b-1/", ok(json!({"status": "pending"})))
        .route(Method::GET, "/builds/b-1/", ok(json!({"status": "building", "progress": 50})))
        .route(
            Method::GET,
            "/builds/b-1/",
            ok(json!({"status": "completed", "result": {"id": 7, "status": "running", "endpoint": "http://10.0.0.5:7860"}})),
        );
    let c = client(&mock);
    let start = Instant::now();
    let outcome = c
        .wait_for_build("b-1", Duration::from_secs(300), Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        BuildOutcome::Completed(
            json!({"id": 7, "status": "running", "endpoint": "http://10.0.0.5:7860"})
        )
    );
    assert_eq!(start.elapsed(), Duration::from_secs(4));
    insta::assert_json_snapshot!(mock.requests()[0].snapshot());

    // Completed without a result: `{}`.
    let mock = MockTransport::new();
    mock.push(ok(json!({"status": "completed"})));
    let outcome = client(&mock)
        .wait_for_build("b-1", Duration::from_secs(300), Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(outcome, BuildOutcome::Completed(json!({})));

    // Failed and cancelled carry the status and its error.
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"status": "failed", "error": "gradio_interface.py missing"}),
    ))
    .push(ok(json!({"status": "cancelled"})));
    let c = client(&mock);
    let BuildOutcome::Failed(status) = c
        .wait_for_build("b-1", Duration::from_secs(300), Duration::from_secs(2))
        .await
        .unwrap()
    else {
        panic!("not failed")
    };
    assert_eq!(status.status, Some(BuildState::Failed));
    assert_eq!(status.error_message(), "gradio_interface.py missing");
    let BuildOutcome::Failed(status) = c
        .wait_for_build("b-1", Duration::from_secs(300), Duration::from_secs(2))
        .await
        .unwrap()
    else {
        panic!("not cancelled")
    };
    assert_eq!(status.error_message(), "Unknown error");

    // The deadline is checked before each poll.
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/builds/b-1/",
        ok(json!({"status": "building"})),
    );
    let start = Instant::now();
    let outcome = client(&mock)
        .wait_for_build("b-1", Duration::from_secs(5), Duration::from_secs(2))
        .await
        .unwrap();
    let BuildOutcome::TimedOut(Some(last)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(last.status, Some(BuildState::Unknown("building".into())));
    assert_eq!(mock.request_count(), 3, "polls at 0, 2 and 4 s");
    assert_eq!(start.elapsed(), Duration::from_secs(6));

    // An HTTP error while polling is the error of the call.
    let mock = MockTransport::new();
    mock.push(not_found());
    let err = client(&mock)
        .wait_for_build("b-9", Duration::from_secs(5), Duration::from_secs(2))
        .await
        .expect_err("404");
    assert_eq!(err.status_code(), Some(404));
}

#[tokio::test(start_paused = true)]
async fn create_container_and_wait() {
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/containers/",
        MockResponse::json(202, json!({"build_id": "b-1"})),
    );
    mock.route(
        Method::GET,
        "/builds/b-1/",
        ok(json!({"status": "building"})),
    )
    .route(
        Method::GET,
        "/builds/b-1/",
        ok(json!({"status": "completed", "result": {"id": 7}})),
    );
    let outcome = client(&mock)
        .create_container_and_wait(
            &CreateContainerRequest::new("yolov8@1.0.0"),
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(outcome, BuildOutcome::Completed(json!({"id": 7})));
    // An integer build id works too; a synchronous answer (no build id) is returned as is.
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/containers/",
        MockResponse::json(201, json!({"id": 7, "endpoint": "http://e"})),
    );
    let outcome = client(&mock)
        .create_container_and_wait(
            &CreateContainerRequest::new("yolov8@1.0.0"),
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        BuildOutcome::Completed(json!({"id": 7, "endpoint": "http://e"}))
    );
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/containers/",
        MockResponse::json(202, json!({"build_id": 42})),
    );
    mock.route(
        Method::GET,
        "/builds/42/",
        ok(json!({"status": "completed", "result": {"id": 8}})),
    );
    let outcome = client(&mock)
        .create_container_and_wait(
            &CreateContainerRequest::new("yolov8@1.0.0"),
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    assert_eq!(outcome, BuildOutcome::Completed(json!({"id": 8})));
}

#[tokio::test(start_paused = true)]
async fn builds_and_container_actions_are_never_replayed() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/containers/",
        MockResponse::json(503, json!({})),
    );
    mock.route_always(
        Method::POST,
        "/containers/docker/",
        MockResponse::json(502, json!({})),
    );
    mock.route_always(
        Method::POST,
        "/containers/docker/x/stop/",
        MockResponse::json(504, json!({})),
    );
    mock.route_always(
        Method::POST,
        "/containers/docker/x/start/",
        MockResponse::json(503, json!({})),
    );
    mock.route_always(
        Method::POST,
        "/jobs/x/stop/",
        MockResponse::json(503, json!({})),
    );
    let c = retrying_client(&mock);
    let got = vec![
        status(
            c.create_container(&CreateContainerRequest::new("a@1"))
                .await,
        ),
        status(
            c.create_docker_container(&CreateDockerContainerRequest::new("a@1"))
                .await,
        ),
        status(c.stop_docker_container("x").await),
        status(c.start_docker_container("x").await),
        status(c.stop_job("x").await),
    ];
    assert_eq!(got, [503, 502, 504, 503, 503].map(Some).to_vec());
    assert_eq!(mock.request_count(), 5);
}

#[tokio::test]
async fn every_operation_maps_an_error_status() {
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/builds/b/", not_found());
    mock.route_always(
        Method::GET,
        "/containers/docker/",
        MockResponse::json(500, json!({"detail": "docker down"})),
    );
    mock.route_always(Method::GET, "/containers/docker/x", not_found());
    mock.route_always(
        Method::POST,
        "/containers/docker/",
        MockResponse::json(400, json!({"plugin_release": ["required"]})),
    );
    mock.route_always(Method::DELETE, "/containers/docker/x", not_found());
    mock.route_always(
        Method::POST,
        "/containers/docker/x/stop/",
        MockResponse::json(409, json!({"detail": "not running"})),
    );
    mock.route_always(
        Method::POST,
        "/containers/docker/x/start/",
        MockResponse::json(409, json!({"detail": "running"})),
    );
    mock.route_always(
        Method::POST,
        "/containers/",
        MockResponse::json(422, json!({"detail": "bad"})),
    );
    mock.route_always(
        Method::GET,
        "/containers/",
        MockResponse::json(403, json!({"detail": "no"})),
    );
    mock.route_always(Method::GET, "/containers/9", not_found());
    mock.route_always(
        Method::PATCH,
        "/containers/9",
        MockResponse::json(400, json!({"status": ["invalid"]})),
    );
    mock.route_always(Method::DELETE, "/containers/9", not_found());
    let c = client(&mock);
    let got = vec![
        status(c.get_build_status("b").await),
        status(
            c.wait_for_build("b", Duration::from_secs(1), Duration::from_secs(1))
                .await,
        ),
        status(c.list_docker_containers().await),
        status(c.get_docker_container("x").await),
        status(
            c.create_docker_container(&CreateDockerContainerRequest::new("a@1"))
                .await,
        ),
        status(c.delete_docker_container("x").await),
        status(c.stop_docker_container("x").await),
        status(c.start_docker_container("x").await),
        status(
            c.create_container(&CreateContainerRequest::new("a@1"))
                .await,
        ),
        status(
            c.create_container_and_wait(
                &CreateContainerRequest::new("a@1"),
                Duration::from_secs(1),
            )
            .await,
        ),
        status(c.list_containers(&[]).await),
        status(c.list_containers_all(&[]).total().await),
        status(c.get_container(9).await),
        status(c.update_container(9, Some("x")).await),
        status(c.delete_container(9).await),
    ];
    assert_eq!(
        got,
        [
            404, 404, 500, 404, 400, 404, 409, 409, 422, 422, 403, 403, 404, 400, 404
        ]
        .map(Some)
        .to_vec()
    );
}
