//! Plugin releases (seed 003): the exact requests, decoding, error statuses, lookup
//! parsing, and no replay of runs.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{client, labelled, not_found, obj, ok, retrying_client, status};
use futures_util::StreamExt;
use serde_json::json;
use synapse_agent::{
    Error, PluginReleaseId, ReleaseLookup, RunDebugPluginReleaseRequest, RunOptions,
    RunPluginReleaseRequest,
};
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{Method, ReadTimeout};

fn release(id: i64, version: &str) -> serde_json::Value {
    json!({"id": id, "plugin": "yolov8", "version": version,
           "config": {"actions": {"train": {"entrypoint": "plugin.train"}}}, "cached_at": "2026-11-23T10:00:00Z"})
}

#[tokio::test]
async fn list_get_create_delete() {
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"count": 1, "next": null, "previous": null, "results": [release(12, "1.0.0")]}),
    ))
    .push(ok(release(12, "1.0.0")))
    .push(ok(release(12, "1.0.0")))
    .push(MockResponse::json(201, release(13, "1.0.1")))
    .push(MockResponse::empty(204))
    .push(MockResponse::empty(204));
    let c = client(&mock);
    let page = c
        .list_plugin_releases(&[("plugin", "yolov8")])
        .await
        .unwrap();
    assert_eq!(page.total(), 1);
    assert_eq!(page.results[0].plugin_code(), Some("yolov8"));
    assert_eq!(
        page.results[0].extra.get("cached_at"),
        Some(&json!("2026-11-23T10:00:00Z"))
    );

    let r = c.get_plugin_release("yolov8@1.0.0").await.unwrap();
    assert_eq!(r.version.as_deref(), Some("1.0.0"));
    let lookup: ReleaseLookup = "12".parse().unwrap();
    let r = c.get_plugin_release(&lookup).await.unwrap();
    assert_eq!(r.id, Some(PluginReleaseId::from(12)));

    let created = c.create_plugin_release("yolov8", "1.0.1").await.unwrap();
    assert_eq!(created.id.map(|i| i.get()), Some(13));

    c.delete_plugin_release("yolov8@1.0.0").await.unwrap();
    c.delete_plugin_release(PluginReleaseId::from(12))
        .await
        .unwrap();

    insta::assert_json_snapshot!(labelled(
        &mock,
        &[
            "list_plugin_releases",
            "get_plugin_release by code@version",
            "get_plugin_release by id",
            "create_plugin_release",
            "delete_plugin_release by code@version",
            "delete_plugin_release by id",
        ]
    ));
}

#[tokio::test]
async fn list_all_streams_every_page_with_the_count() {
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"count": 3, "next": "http://agent.test:8000/plugin_releases/?page=2&page_size=100",
                        "results": [release(1, "1.0.0"), release(2, "1.0.1")]}),
    ))
    .push(ok(
        json!({"count": 3, "next": null, "results": [release(3, "1.0.2")]}),
    ));
    let mut all = client(&mock).list_plugin_releases_all(&[]);
    assert_eq!(mock.request_count(), 0, "lazy until polled");
    assert_eq!(all.total().await.unwrap(), 3);
    let versions: Vec<String> = all.map(|r| r.unwrap().version.unwrap()).collect().await;
    assert_eq!(versions, ["1.0.0", "1.0.1", "1.0.2"]);
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(
        urls,
        [
            "http://agent.test:8000/plugin_releases/?page_size=100",
            "http://agent.test:8000/plugin_releases/?page=2&page_size=100"
        ]
    );
    // A `next` link on another host is refused, credentials never leave.
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"count": 2, "next": "http://evil.test/plugin_releases/?page=2",
                        "results": [release(1, "1.0.0")]}),
    ));
    let items: Vec<_> = client(&mock)
        .list_plugin_releases_all(&[("plugin", "yolov8")])
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(matches!(items[1], Err(Error::Pagination(_))));
    assert_eq!(mock.request_count(), 1);
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "http://agent.test:8000/plugin_releases/?plugin=yolov8&page_size=100"
    );
}

#[tokio::test]
async fn run_typed_legacy_and_debug() {
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"job_id": "550e8400-e29b-41d4-a716-446655440000"}),
    ))
    .push(ok(json!({"result": [0.9, 0.1]})))
    .push(ok(json!("direct text answer")))
    .push(ok(json!({"job_id": "raysubmit_1"})))
    .push(ok(json!({"job_id": "raysubmit_2"})));
    let c = client(&mock);

    let mut run = RunPluginReleaseRequest::new("train");
    run.params = Some(obj(json!({"epochs": 10, "batch_size": 16})));
    run.requirements = Some(vec!["ultralytics==8.2.0".into()]);
    run.job_id = Some("550e8400-e29b-41d4-a716-446655440000".into());
    run.language = Some("en".into());
    let answer = c.run_plugin_release("yolov8@1.0.0", &run).await.unwrap();
    assert_eq!(answer["job_id"], "550e8400-e29b-41d4-a716-446655440000");

    // Only the action: no other key, no injected language.
    let answer = c
        .run_plugin_release_with(
            "yolov8@1.0.0",
            &RunPluginReleaseRequest::new("inference"),
            RunOptions::new()
                .read_timeout(Duration::from_secs(120))
                .connect_timeout(Duration::from_secs(7)),
        )
        .await
        .unwrap();
    assert_eq!(answer["result"][0], 0.9);
    let recorded = mock.requests();
    let last = recorded.last().unwrap();
    assert_eq!(
        last.read_timeout,
        synapse_transport::ReadTimeout::After(Duration::from_secs(120))
    );
    assert_eq!(last.connect_timeout, Some(Duration::from_secs(7)));

    // The legacy payload goes as is, whatever it holds.
    let data =
        json!({"action": "inference", "params": {"image": "s3://bucket/1.jpg"}, "custom": [1, 2]});
    let answer = c
        .run_plugin_release_legacy("yolov8@1.0.0", &data)
        .await
        .unwrap();
    assert_eq!(answer, json!("direct text answer"));

    let mut debug = RunDebugPluginReleaseRequest::new("train");
    debug.params = Some(obj(json!({"epochs": 1})));
    debug.plugin_path = Some("/srv/plugins/yolov8".into());
    debug.config = Some(obj(json!({"code": "yolov8", "version": "1.0.0"})));
    debug.modules = Some(
        [(
            "plugin/train.py".to_owned(),
            "def train(p):\n    return p\n".to_owned(),
        )]
        .into(),
    );
    debug.requirements = Some(vec!["ultralytics==8.2.0".into()]);
    debug.job_id = Some("550e8400-e29b-41d4-a716-446655440000".into());
    debug.language = Some("en".into());
    c.run_debug_plugin_release(&debug).await.unwrap();
    c.run_debug_plugin_release_with(
        &RunDebugPluginReleaseRequest::new("test"),
        RunOptions::new().read_timeout(Duration::from_secs(300)),
    )
    .await
    .unwrap();

    let requests = mock.requests();
    let timeouts: Vec<ReadTimeout> = requests.iter().map(|r| r.read_timeout).collect();
    assert_eq!(
        timeouts,
        [
            ReadTimeout::Default,
            ReadTimeout::After(Duration::from_secs(120)),
            ReadTimeout::Default,
            ReadTimeout::Default,
            ReadTimeout::After(Duration::from_secs(300)),
        ]
    );
    assert!(requests.iter().all(|r| r.idempotent.is_none()));
    insta::assert_json_snapshot!(labelled(
        &mock,
        &[
            "run_plugin_release (all fields)",
            "run_plugin_release_with (action only, 120 s read timeout)",
            "run_plugin_release_legacy",
            "run_debug_plugin_release (all fields)",
            "run_debug_plugin_release_with (action only)",
        ]
    ));
}

#[tokio::test]
async fn runs_and_creates_are_never_replayed_after_they_may_have_arrived() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/plugin_releases/yolov8@1.0.0/run/",
        MockResponse::json(
            503,
            json!({"error_type": "gpu_unavailable", "message": "busy"}),
        ),
    );
    mock.route_always(
        Method::POST,
        "/plugin_releases/run_debug/",
        MockResponse::json(502, json!({})),
    );
    mock.route_always(Method::POST, "/plugin_releases/", MockFailure::ReadTimeout);
    let c = retrying_client(&mock);
    let run = RunPluginReleaseRequest::new("train");
    assert_eq!(
        status(c.run_plugin_release("yolov8@1.0.0", &run).await),
        Some(503)
    );
    assert_eq!(mock.request_count(), 1);
    assert_eq!(
        status(
            c.run_plugin_release_legacy("yolov8@1.0.0", &json!({}))
                .await
        ),
        Some(503)
    );
    assert_eq!(mock.request_count(), 2);
    assert_eq!(
        status(
            c.run_debug_plugin_release(&RunDebugPluginReleaseRequest::new("x"))
                .await
        ),
        Some(502)
    );
    assert_eq!(mock.request_count(), 3);
    let err = c
        .create_plugin_release("yolov8", "1.0.0")
        .await
        .expect_err("lost");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_run_that_never_left_the_client_is_retried() {
    let mock = MockTransport::new();
    mock.push(MockFailure::Refused)
        .push(ok(json!({"job_id": "raysubmit_1"})));
    let answer = retrying_client(&mock)
        .run_plugin_release("yolov8@1.0.0", &RunPluginReleaseRequest::new("train"))
        .await
        .unwrap();
    assert_eq!(answer["job_id"], "raysubmit_1");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn lookups_are_parsed_before_anything_is_sent() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/plugin_releases/yolov8@1.0.0",
        ok(release(1, "1.0.0")),
    );
    mock.route_always(
        Method::GET,
        "/plugin_releases/123",
        ok(release(123, "2.0.0")),
    );
    let c = client(&mock);
    // Valid: code@version and a numeric id, sent as one unchanged path segment.
    assert_eq!(
        c.get_plugin_release("yolov8@1.0.0")
            .await
            .unwrap()
            .version
            .as_deref(),
        Some("1.0.0")
    );
    assert_eq!(
        c.get_plugin_release("123")
            .await
            .unwrap()
            .version
            .as_deref(),
        Some("2.0.0")
    );
    assert_eq!(
        c.get_plugin_release(ReleaseLookup::from_code_version("yolov8", "1.0.0").unwrap())
            .await
            .unwrap()
            .id,
        Some(PluginReleaseId::from(1))
    );
    assert_eq!(mock.request_count(), 3);
    // Malformed: each is InvalidInput naming the problem, and nothing is sent.
    let cases = [
        ("", "empty"),
        ("@1.0", "empty plugin code"),
        ("yolov8@", "empty version"),
        ("a@b@c", "more than one `@`"),
        ("yolov8", "neither"),
    ];
    for (input, expected) in cases {
        for err in [
            c.get_plugin_release(input)
                .await
                .map(|_| ())
                .expect_err(input),
            c.delete_plugin_release(input).await.expect_err(input),
            c.run_plugin_release(input, &RunPluginReleaseRequest::new("train"))
                .await
                .map(|_| ())
                .expect_err(input),
            c.run_plugin_release_legacy(input, &json!({}))
                .await
                .map(|_| ())
                .expect_err(input),
        ] {
            assert!(
                matches!(err, Error::InvalidInput { .. }),
                "{input:?}: {err:?}"
            );
            assert!(err.to_string().contains(expected), "{input:?}: {err}");
        }
    }
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn invalid_run_requests_are_refused_unsent() {
    let mock = MockTransport::new();
    let c = client(&mock);
    let err = c
        .run_plugin_release("yolov8@1.0.0", &RunPluginReleaseRequest::default())
        .await
        .expect_err("no action");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .run_plugin_release_legacy("yolov8@1.0.0", &json!(["not", "an", "object"]))
        .await
        .expect_err("not an object");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .run_debug_plugin_release(&RunDebugPluginReleaseRequest::default())
        .await
        .expect_err("no action");
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn every_operation_maps_an_error_status() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/plugin_releases/",
        MockResponse::json(403, json!({"detail": "wrong tenant"})),
    );
    mock.route_always(Method::GET, "/plugin_releases/yolov8@9.9.9", not_found());
    mock.route_always(
        Method::POST,
        "/plugin_releases/",
        MockResponse::json(400, json!({"version": ["This field is required."]})),
    );
    mock.route_always(Method::DELETE, "/plugin_releases/yolov8@9.9.9", not_found());
    mock.route_always(
        Method::POST,
        "/plugin_releases/yolov8@9.9.9/run/",
        MockResponse::json(422, json!({"detail": [{"loc": ["body", "action"], "msg": "field required", "type": "missing"}]})),
    );
    mock.route_always(
        Method::POST,
        "/plugin_releases/run_debug/",
        MockResponse::json(500, json!({"detail": "boom"})),
    );
    let c = client(&mock);
    let missing = "yolov8@9.9.9";
    let got = vec![
        status(c.list_plugin_releases(&[]).await),
        status(c.list_plugin_releases_all(&[]).total().await),
        status(c.get_plugin_release(missing).await),
        status(c.create_plugin_release("yolov8", "").await),
        status(c.delete_plugin_release(missing).await),
        status(
            c.run_plugin_release(missing, &RunPluginReleaseRequest::new("train"))
                .await,
        ),
        status(
            c.run_plugin_release_legacy(missing, &json!({"action": "train"}))
                .await,
        ),
        status(
            c.run_debug_plugin_release(&RunDebugPluginReleaseRequest::new("train"))
                .await,
        ),
    ];
    assert_eq!(
        got,
        [403, 403, 404, 400, 404, 422, 422, 500].map(Some).to_vec()
    );
    // A body that is not a release is a decode error naming the field.
    let mock = MockTransport::new();
    mock.push(ok(json!({"id": "not-a-number"})));
    let err = client(&mock)
        .get_plugin_release("1")
        .await
        .expect_err("decode");
    match err {
        Error::Decode(d) => assert_eq!(d.path, "id"),
        other => panic!("{other:?}"),
    }
}
