//! Containers: builds (status and waiting), Docker containers, container creation (JSON
//! and multipart) and records.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{assert_sent, client, labelled_requests, not_found, obj, ok, retrying_client, status};
use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use synapse_agent::{
    BuildOutcome, BuildState, ContainerKind, CreateContainerRequest, CreateDockerContainerRequest,
    DEFAULT_BUILD_TIMEOUT, Error, PluginReleaseRef, ReleaseFields,
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
    let list = c.list_docker_containers();
    let get = c.get_docker_container("3f2a9c");
    let create = c
        .create_docker_container("yolov8@1.0.0")
        .params(obj(json!({})))
        .envs([("A".to_owned(), "1".to_owned())].into())
        .labels(["x"]);
    let create_metadata = c
        .create_docker_container("yolov8@1.0.0")
        .metadata(obj(json!({"owner": "ml-team"})));
    let delete = c.delete_docker_container("3f2a9c");
    let stop = c.stop_docker_container("3f2a9c");
    let start = c.start_docker_container("3f2a9c");
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("list_docker_containers", list.request()),
        ("get_docker_container", get.request()),
        (
            "create_docker_container (params, envs, labels)",
            create.request(),
        ),
        (
            "create_docker_container (metadata)",
            create_metadata.request(),
        ),
        ("delete_docker_container", delete.request()),
        ("stop_docker_container", stop.request()),
        ("start_docker_container", start.request()),
    ]);
    insta::assert_json_snapshot!(snaps);
    // The whole request at once is the same request.
    let mut whole = CreateDockerContainerRequest::new("yolov8@1.0.0");
    whole.params = Some(obj(json!({})));
    whole.envs = Some([("A".to_owned(), "1".to_owned())].into());
    whole.labels = Some(vec!["x".into()]);
    assert_eq!(
        c.create_docker_container("other@0")
            .body(whole)
            .request()
            .unwrap()
            .snapshot(),
        snaps["create_docker_container (params, envs, labels)"]
    );

    assert_eq!(list.await.unwrap().len(), 1);
    assert_eq!(get.await.unwrap()["status"], "running");
    assert_eq!(create.await.unwrap()["id"], "3f2a9c");
    create_metadata.await.unwrap();
    delete.await.unwrap();
    assert_eq!(stop.await.unwrap()["status"], "exited");
    assert_eq!(start.await.unwrap()["status"], "running");
    assert_sent(&mock, &snaps);
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
    let list = c.list_containers().status("running");
    // `.items()` sends the client's page size (100) on page 1, as this request value does.
    let first_page = c.list_containers().page_size(100);
    let get = c.get_container(7);
    let update = c.update_container(7).status("stopped");
    let update_nothing = c.update_container(7);
    let delete = c.delete_container(7);
    let values = [
        list.request(),
        first_page.request(),
        get.request(),
        update.request(),
        update_nothing.request(),
        delete.request(),
    ];

    let page = list.await.unwrap();
    assert_eq!(page.results[0]["endpoint"], "http://10.0.0.5:7860");
    let all: Vec<Value> = c.list_containers().items().try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(get.await.unwrap()["id"], 7);
    assert_eq!(update.await.unwrap()["status"], "stopped");
    update_nothing.await.unwrap();
    delete.await.unwrap();
    // Page 2 is the server's `next` link, so its request is the one the mock received; every
    // other request is its value, built without IO.
    let page_two = mock.requests()[2].snapshot();
    let [list, first_page, get, update, update_nothing, delete] = values;
    let mut snaps = labelled_requests(vec![
        ("list_containers", list),
        ("list_containers_all (page 1)", first_page),
    ]);
    snaps
        .as_object_mut()
        .unwrap()
        .insert("list_containers_all (page 2)".to_owned(), page_two);
    let rest = labelled_requests(vec![
        ("get_container", get),
        ("update_container (status)", update),
        ("update_container (no status: empty object)", update_nothing),
        ("delete_container", delete),
    ]);
    snaps
        .as_object_mut()
        .unwrap()
        .extend(rest.as_object().unwrap().clone());
    insta::assert_json_snapshot!(snaps);
    assert_sent(&mock, &snaps);
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
    let full = c
        .create_container()
        .plugin_release("yolov8@1.0.0")
        .model(3)
        .params(obj(json!({"a": 1})))
        .metadata(obj(json!({"m": 1})))
        .labels(["l1", "l2"])
        .kind(ContainerKind::CodeServer)
        .backend_container_id(0);
    // Release fields (the Python release-object form).
    let fields =
        ReleaseFields::new("yolov8", "1.0.0").action("gradio", "plugin.gradio_interface.app");
    let by_fields = c.create_container().plugin_release(fields);
    // A string without `@`; empty params are sent, empty collections are not.
    let bare = c
        .create_container()
        .plugin_release("yolov8")
        .params(obj(json!({})))
        .envs(Default::default())
        .kind(ContainerKind::from(""));
    // Split at the last `@`.
    let split = c
        .create_container()
        .plugin_release(PluginReleaseRef::from("team@yolo@2.0"));
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("create_container (observed full body)", full.request()),
        ("create_container (release fields)", by_fields.request()),
        ("create_container (no @, empty params)", bare.request()),
        ("create_container (split at the last @)", split.request()),
    ]);
    insta::assert_json_snapshot!(snaps);
    // The whole request at once is the same request.
    let mut whole = CreateContainerRequest::new("yolov8@1.0.0");
    whole.model = Some(3);
    whole.params = Some(obj(json!({"a": 1})));
    whole.metadata = obj(json!({"m": 1}));
    whole.labels = vec!["l1".into(), "l2".into()];
    whole.kind = Some(ContainerKind::CodeServer);
    whole.backend_container_id = Some(0);
    assert_eq!(
        c.create_container()
            .body(whole)
            .request()
            .unwrap()
            .snapshot(),
        snaps["create_container (observed full body)"]
    );

    let build = full.await.unwrap();
    assert_eq!(
        build.build_id.map(|b| b.to_string()).as_deref(),
        Some("b-1")
    );
    assert!(build.sse_url.is_some());
    by_fields.await.unwrap();
    bare.await.unwrap();
    split.await.unwrap();
    assert_sent(&mock, &snaps);
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
    let with_fields = c
        .create_container()
        .plugin_release(ReleaseFields::new("yolov8", "1.0.0"))
        .model(3)
        .params(obj(json!({"a": 1, "nested": {"b": [1, 2]}})))
        .envs([("A".to_owned(), "1".to_owned())].into())
        .labels(["l1", "l2"])
        .backend_container_id(0)
        .plugin_file(&archive);
    let file_only = c.create_container().plugin_file(&archive);
    // The request values, without IO, are exactly what the mock then receives (the
    // boundary masked, the archive read from disk).
    let snaps = labelled_requests(vec![
        (
            "create_container (multipart, release fields; null plugin dropped)",
            with_fields.request(),
        ),
        (
            "create_container (multipart, file only)",
            file_only.request(),
        ),
    ]);
    insta::assert_json_snapshot!(snaps);
    assert_eq!(
        c.create_container()
            .body(CreateContainerRequest::from_file(&archive))
            .request()
            .unwrap()
            .snapshot(),
        snaps["create_container (multipart, file only)"]
    );
    with_fields.await.unwrap();
    file_only.await.unwrap();
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
    assert_sent(&mock, &snaps);
    // Neither a release nor a file, or a missing file: refused unsent.
    let err = c.create_container().await.expect_err("empty");
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert!(matches!(
        c.create_container().request(),
        Err(Error::InvalidInput { .. })
    ));
    let err = c
        .create_container()
        .plugin_release("")
        .await
        .expect_err("empty string");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .create_container()
        .plugin_file(dir.path().join("missing.zip"))
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
    // The poll's request value, without IO, is exactly what the mock then receives.
    let snap = c.get_build_status("b-1").request().unwrap().snapshot();
    insta::assert_json_snapshot!(snap);
    let start = Instant::now();
    let outcome = c
        .wait_for_build("b-1")
        .timeout(Duration::from_secs(300))
        .poll_interval(Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        BuildOutcome::Completed(
            json!({"id": 7, "status": "running", "endpoint": "http://10.0.0.5:7860"})
        )
    );
    assert_eq!(start.elapsed(), Duration::from_secs(4));
    assert!(mock.requests().iter().all(|r| r.snapshot() == snap));

    // Completed without a result: `{}`.
    let mock = MockTransport::new();
    mock.push(ok(json!({"status": "completed"})));
    let outcome = client(&mock).wait_for_build("b-1").await.unwrap();
    assert_eq!(outcome, BuildOutcome::Completed(json!({})));

    // Failed and cancelled carry the status and its error.
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"status": "failed", "error": "gradio_interface.py missing"}),
    ))
    .push(ok(json!({"status": "cancelled"})));
    let c = client(&mock);
    let BuildOutcome::Failed(status) = c
        .wait_for_build("b-1")
        .timeout(Duration::from_secs(300))
        .poll_interval(Duration::from_secs(2))
        .await
        .unwrap()
    else {
        panic!("not failed")
    };
    assert_eq!(status.status, Some(BuildState::Failed));
    assert_eq!(status.error_message(), "gradio_interface.py missing");
    let BuildOutcome::Failed(status) = c
        .wait_for_build("b-1")
        .timeout(Duration::from_secs(300))
        .poll_interval(Duration::from_secs(2))
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
        .wait_for_build("b-1")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_secs(2))
        .await
        .unwrap();
    let BuildOutcome::TimedOut(Some(last)) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(last.status, Some(BuildState::from("building")));
    assert_eq!(mock.request_count(), 3, "polls at 0, 2 and 4 s");
    assert_eq!(start.elapsed(), Duration::from_secs(6));

    // An HTTP error while polling is the error of the call.
    let mock = MockTransport::new();
    mock.push(not_found());
    let err = client(&mock)
        .wait_for_build("b-9")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_secs(2))
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
        .create_container_and_wait()
        .plugin_release("yolov8@1.0.0")
        .timeout(Duration::from_secs(300))
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
        .create_container_and_wait()
        .plugin_release("yolov8@1.0.0")
        .timeout(Duration::from_secs(300))
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
        .create_container_and_wait()
        .plugin_release("yolov8@1.0.0")
        .timeout(Duration::from_secs(300))
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
        status(c.create_container().plugin_release("a@1").await),
        status(c.create_docker_container("a@1").await),
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
            c.wait_for_build("b")
                .timeout(Duration::from_secs(1))
                .poll_interval(Duration::from_secs(1))
                .await,
        ),
        status(c.list_docker_containers().await),
        status(c.get_docker_container("x").await),
        status(c.create_docker_container("a@1").await),
        status(c.delete_docker_container("x").await),
        status(c.stop_docker_container("x").await),
        status(c.start_docker_container("x").await),
        status(c.create_container().plugin_release("a@1").await),
        status(
            c.create_container_and_wait()
                .plugin_release("a@1")
                .timeout(Duration::from_secs(1))
                .await,
        ),
        status(c.list_containers().await),
        status(c.list_containers().items().total().await),
        status(c.get_container(9).await),
        status(c.update_container(9).status("x").await),
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

#[tokio::test(start_paused = true)]
async fn create_container_and_wait_takes_every_field_and_the_default_timings() {
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/containers/",
        MockResponse::json(202, json!({"build_id": "b-1"})),
    );
    mock.route_always(
        Method::GET,
        "/builds/b-1/",
        ok(json!({"status": "building"})),
    );
    let c = client(&mock);
    let start = Instant::now();
    let outcome = c
        .create_container_and_wait()
        .plugin_release("yolov8@1.0.0")
        .model(3)
        .params(Map::new())
        .labels(["l1"])
        .await
        .unwrap();
    assert!(
        matches!(outcome, BuildOutcome::TimedOut(Some(_))),
        "{outcome:?}"
    );
    // Polls every 2 s until past the 300 s deadline (checked before each poll).
    assert_eq!(mock.request_count(), 1 + 151);
    assert_eq!(
        start.elapsed(),
        DEFAULT_BUILD_TIMEOUT + Duration::from_secs(2)
    );
    // The POST is exactly create_container's with the same fields.
    let expected = c
        .create_container()
        .plugin_release("yolov8@1.0.0")
        .model(3)
        .params(Map::new())
        .labels(["l1"])
        .request()
        .unwrap()
        .snapshot();
    assert_eq!(mock.requests()[0].snapshot(), expected);
}
