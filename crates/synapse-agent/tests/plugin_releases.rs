//! Plugin releases on the agent: the exact requests, decoding, error statuses, lookup
//! parsing, and no replay of runs.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{assert_sent, client, labelled_requests, not_found, obj, ok, retrying_client, status};
use futures_util::StreamExt;
use serde_json::json;
use synapse_agent::{
    Error, PluginReleaseId, PluginRun, ReleaseLookup, RunDebugPluginReleaseRequest,
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
    let list = c.list_plugin_releases().plugin("yolov8");
    let get_by_code = c.get_plugin_release("yolov8@1.0.0");
    let lookup: ReleaseLookup = "12".parse().unwrap();
    let get_by_id = c.get_plugin_release(&lookup);
    let create = c.create_plugin_release("yolov8", "1.0.1");
    let delete_by_code = c.delete_plugin_release("yolov8@1.0.0");
    let delete_by_id = c.delete_plugin_release(PluginReleaseId::from(12));
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("list_plugin_releases", list.request()),
        ("get_plugin_release by code@version", get_by_code.request()),
        ("get_plugin_release by id", get_by_id.request()),
        ("create_plugin_release", create.request()),
        (
            "delete_plugin_release by code@version",
            delete_by_code.request(),
        ),
        ("delete_plugin_release by id", delete_by_id.request()),
    ]);
    insta::assert_json_snapshot!(snaps);
    assert_eq!(mock.request_count(), 0);

    let page = list.await.unwrap();
    assert_eq!(page.total(), 1);
    assert_eq!(page.results[0].plugin_code(), Some("yolov8"));
    assert_eq!(
        page.results[0].extra.get("cached_at"),
        Some(&json!("2026-11-23T10:00:00Z"))
    );

    let r = get_by_code.await.unwrap();
    assert_eq!(r.version.as_deref(), Some("1.0.0"));
    let r = get_by_id.await.unwrap();
    assert_eq!(r.id, Some(PluginReleaseId::from(12)));

    let created = create.await.unwrap();
    assert_eq!(created.id.map(|i| i.get()), Some(13));

    delete_by_code.await.unwrap();
    delete_by_id.await.unwrap();
    assert_sent(&mock, &snaps);
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
    let mut all = client(&mock).list_plugin_releases().items();
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
        .list_plugin_releases()
        .plugin("yolov8")
        .items()
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

    let run = c
        .run_plugin_release("yolov8@1.0.0", "train")
        .params(obj(json!({"epochs": 10, "batch_size": 16})))
        .requirements(["ultralytics==8.2.0"])
        .job_id("550e8400-e29b-41d4-a716-446655440000")
        .language("en");
    // Only the action: no other key, no injected language.
    let run_timeouts = c
        .run_plugin_release("yolov8@1.0.0", "inference")
        .read_timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(7));
    // The legacy payload goes as is, whatever it holds.
    let data =
        json!({"action": "inference", "params": {"image": "s3://bucket/1.jpg"}, "custom": [1, 2]});
    let legacy = c.run_plugin_release_legacy("yolov8@1.0.0", data);
    let debug = c
        .run_debug_plugin_release("train")
        .params(obj(json!({"epochs": 1})))
        .plugin_path("/srv/plugins/yolov8")
        .config(obj(json!({"code": "yolov8", "version": "1.0.0"})))
        .modules(
            [(
                "plugin/train.py".to_owned(),
                "def train(p):\n    return p\n".to_owned(),
            )]
            .into(),
        )
        .requirements(["ultralytics==8.2.0"])
        .job_id("550e8400-e29b-41d4-a716-446655440000")
        .language("en");
    let debug_timeout = c
        .run_debug_plugin_release("test")
        .read_timeout(Duration::from_secs(300));
    let snaps = labelled_requests(vec![
        ("run_plugin_release (all fields)", run.request()),
        (
            "run_plugin_release_with (action only, 120 s read timeout)",
            run_timeouts.request(),
        ),
        ("run_plugin_release_legacy", legacy.request()),
        ("run_debug_plugin_release (all fields)", debug.request()),
        (
            "run_debug_plugin_release_with (action only)",
            debug_timeout.request(),
        ),
    ]);
    insta::assert_json_snapshot!(snaps);
    // The whole request at once is the same request.
    let mut whole = RunPluginReleaseRequest::new("train");
    whole.params = Some(obj(json!({"epochs": 10, "batch_size": 16})));
    whole.requirements = Some(vec!["ultralytics==8.2.0".into()]);
    whole.job_id = Some("550e8400-e29b-41d4-a716-446655440000".into());
    whole.language = Some("en".into());
    assert_eq!(
        c.run_plugin_release("yolov8@1.0.0", "ignored")
            .body(whole)
            .request()
            .unwrap()
            .snapshot(),
        snaps["run_plugin_release (all fields)"]
    );
    assert_eq!(
        c.run_debug_plugin_release("ignored")
            .body(RunDebugPluginReleaseRequest::new("test"))
            .request()
            .unwrap()
            .snapshot(),
        snaps["run_debug_plugin_release_with (action only)"]
    );
    assert_eq!(mock.request_count(), 0);

    let answer = run.await.unwrap();
    assert_eq!(
        answer.job_id(),
        Some("550e8400-e29b-41d4-a716-446655440000")
    );

    let answer = run_timeouts.await.unwrap();
    assert_eq!(answer.direct().unwrap()["result"][0], 0.9);
    let recorded = mock.requests();
    let last = recorded.last().unwrap();
    assert_eq!(
        last.read_timeout,
        synapse_transport::ReadTimeout::After(Duration::from_secs(120))
    );
    assert_eq!(last.connect_timeout, Some(Duration::from_secs(7)));

    let answer = legacy.await.unwrap();
    assert_eq!(answer, PluginRun::Direct(json!("direct text answer")));

    assert_eq!(debug.await.unwrap().job_id(), Some("raysubmit_1"));
    assert_eq!(debug_timeout.await.unwrap().job_id(), Some("raysubmit_2"));

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
    assert_sent(&mock, &snaps);
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
    assert_eq!(
        status(c.run_plugin_release("yolov8@1.0.0", "train").await),
        Some(503)
    );
    assert_eq!(mock.request_count(), 1);
    assert_eq!(
        status(c.run_plugin_release_legacy("yolov8@1.0.0", json!({})).await),
        Some(503)
    );
    assert_eq!(mock.request_count(), 2);
    assert_eq!(status(c.run_debug_plugin_release("x").await), Some(502));
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
        .run_plugin_release("yolov8@1.0.0", "train")
        .await
        .unwrap();
    assert_eq!(answer.job_id(), Some("raysubmit_1"));
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
            c.run_plugin_release(input, "train")
                .await
                .map(|_| ())
                .expect_err(input),
            c.run_plugin_release_legacy(input, json!({}))
                .await
                .map(|_| ())
                .expect_err(input),
            // Refused when the request value is built, too.
            c.get_plugin_release(input)
                .request()
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
        .run_plugin_release("yolov8@1.0.0", "")
        .await
        .expect_err("no action");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .run_plugin_release("yolov8@1.0.0", "train")
        .body(RunPluginReleaseRequest::default())
        .request()
        .expect_err("no action");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .run_plugin_release_legacy("yolov8@1.0.0", json!(["not", "an", "object"]))
        .await
        .expect_err("not an object");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c.run_debug_plugin_release("").await.expect_err("no action");
    assert!(matches!(err, Error::InvalidInput { .. }));
    let err = c
        .run_debug_plugin_release("train")
        .body(RunDebugPluginReleaseRequest::default())
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
        status(c.list_plugin_releases().await),
        status(c.list_plugin_releases().items().total().await),
        status(c.get_plugin_release(missing).await),
        status(c.create_plugin_release("yolov8", "").await),
        status(c.delete_plugin_release(missing).await),
        status(c.run_plugin_release(missing, "train").await),
        status(
            c.run_plugin_release_legacy(missing, json!({"action": "train"}))
                .await,
        ),
        status(c.run_debug_plugin_release("train").await),
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
