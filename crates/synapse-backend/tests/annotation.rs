//! Annotation and HITL operations: the exact request (insta snapshot of the request value:
//! method, URL, headers with tokens redacted, body; the mock then receives exactly that) and
//! the decoding of each answer, including error statuses.

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_backend::annotation::AnnotateItem;
use synapse_backend::models::{
    AnnotateAction, AnnotateRequest, AssignmentLabelStatus, AssignmentReviewStatus,
    ProjectCategory, Ref, SetTagsAction, SetTagsRequest, TaskCreateRequest, TaskDataSchema,
    TaskTagCategory,
};
use synapse_backend::{BackendClient, Error};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::{ApiErrorKind, Method, Operation, RetryPolicy};

fn client(mock: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/")
        .without_env()
        .access_token("acc-secret")
        .tenant("acme")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

fn ok(body: Value) -> MockResponse {
    MockResponse::json(200, body)
}

fn snaps(mock: &MockTransport) -> Vec<Value> {
    mock.requests().iter().map(|r| r.snapshot()).collect()
}

/// The snapshot of a call's request value, built without IO.
fn snap<O: Operation>(call: &O) -> Value {
    synapse_transport::operation::request(call)
        .expect("request")
        .snapshot()
}

fn urls(mock: &MockTransport) -> Vec<String> {
    mock.requests().iter().map(|r| r.url.to_string()).collect()
}

fn task_json(id: i64) -> Value {
    json!({"id": id, "project": 1, "data_unit": 500, "schema": "dm_schema_v1",
           "data": {"objects": []}, "meta": null, "is_discarded": false,
           "created": "2026-11-23T10:00:00Z", "priority": 3})
}

fn assignment_json(id: i64) -> Value {
    json!({"id": id, "task": 2, "user": 9, "status_label": "in_progress",
           "status_review": "rejected", "is_confirmed": false, "tags": [10, 20],
           "data": null, "files": [{"url": "https://cdn.test/a.jpg?sig=x", "is_primary": true}],
           "workflow": "v3"})
}

fn assert_api(err: Error, kind: ApiErrorKind) {
    assert_eq!(err.api().expect("api error").kind, kind, "{err}");
}

#[tokio::test]
async fn get_project_decodes_and_maps_404() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"id": 1, "title": "Cats", "category": "image",
                        "data_collection": 7, "configuration": {"classes": ["cat"]},
                        "count_max_assignments_per_task": 0, "task_count": 12,
                        "access_level": "private", "labels_version": 4})))
        .push(ok(json!({"id": 2, "category": "hologram",
                        "data_collection": {"id": 7, "name": "raw"}})))
        .push(MockResponse::json(404, json!({"detail": "Not found."})));
    let c = client(&mock);
    let (one, two, three) = (c.get_project(1), c.get_project(2), c.get_project(3));
    let values = vec![snap(&one), snap(&two), snap(&three)];
    insta::assert_json_snapshot!(values);
    assert_eq!(mock.request_count(), 0);
    let p = one.await.expect("project");
    assert_eq!(p.title.as_deref(), Some("Cats"));
    assert_eq!(p.category, Some(ProjectCategory::Image));
    assert_eq!(p.data_collection.as_ref().and_then(Ref::id), Some(7));
    assert_eq!(p.task_count, Some(12));
    assert_eq!(
        p.configuration.expect("configuration").to_value()["classes"][0],
        "cat"
    );
    assert_eq!(p.extra.get("labels_version"), Some(&json!(4)));
    let p = two.await.expect("expanded");
    assert_eq!(p.category.as_ref().map(|c| c.as_str()), Some("hologram"));
    assert!(
        p.data_collection
            .as_ref()
            .and_then(Ref::object)
            .is_some_and(|o| o["name"] == "raw")
    );
    assert_api(three.await.expect_err("404"), ApiErrorKind::NotFound);
    assert_eq!(snaps(&mock), values);
}

#[tokio::test]
async fn get_task_with_query_and_expanded_data_unit() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"id": 2, "data": {"objects": [1]},
                        "data_unit": {"id": 500, "files": {"image": {"url": "https://cdn.test/x.jpg"}}}})))
        .push(MockResponse::json(403, json!({"detail": "Forbidden"})));
    let c = client(&mock);
    let get = c.get_task(2).fields(["id", "data"]).expand("data_unit");
    let bare = c.get_task(2);
    let values = vec![snap(&get), snap(&bare)];
    insta::assert_json_snapshot!(values);
    let task = get.await.expect("task");
    assert_eq!(task.id, Some(2.into()));
    let unit = task.data_unit.as_ref().and_then(Ref::object).expect("unit");
    // URLs are returned untouched: nothing is downloaded.
    assert_eq!(unit["files"]["image"]["url"], "https://cdn.test/x.jpg");
    assert_api(bare.await.expect_err("403"), ApiErrorKind::Forbidden);
    assert_eq!(snaps(&mock), values);
}

#[tokio::test]
async fn annotate_task_data_passes_the_body_through_with_optional_schema() {
    let mock = MockTransport::new();
    mock.push(ok(task_json(3)))
        .push(MockResponse::empty(204))
        .push(MockResponse::json(
            400,
            json!({"data": ["Invalid DM schema."]}),
        ));
    let c = client(&mock);
    let raw = c
        .annotate_task_data(3, json!({"a": 1}))
        .schema(TaskDataSchema::Any);
    let typed = AnnotateRequest::submit(json!({"objects": [{"class": "cat"}]}));
    let typed = c.annotate_task(3, typed.clone());
    let save = c
        .annotate_task(4, AnnotateRequest::save(Value::Null))
        .schema(TaskDataSchema::DmSchemaV1);
    let values = vec![snap(&raw), snap(&typed), snap(&save)];
    insta::assert_json_snapshot!(values);
    let v = raw.await.expect("annotate");
    assert_eq!(v["id"], 3);
    let v = typed.await.expect("typed annotate");
    assert_eq!(v, Value::Null);
    let err = save.await.expect_err("400");
    assert_eq!(err.status_code(), Some(400));
    assert_eq!(snaps(&mock), values);
}

#[test]
fn annotate_request_wire_shape() {
    let req = AnnotateRequest::default();
    assert_eq!(req.action, AnnotateAction::Submit);
    assert_eq!(
        serde_json::to_string(&AnnotateRequest::save(json!({"k": 1}))).expect("json"),
        r#"{"action":"save","data":{"k":1}}"#
    );
}

#[tokio::test]
async fn annotate_task_data_batch_keeps_every_result_in_input_order() {
    let mock = MockTransport::new();
    mock.route(
        Method::PUT,
        "/tasks/1/annotate_task_data/",
        ok(json!({"id": 1})),
    )
    .route(
        Method::PUT,
        "/tasks/2/annotate_task_data/",
        MockResponse::json(500, json!({"detail": "boom"})),
    )
    .route(
        Method::PUT,
        "/tasks/3/annotate_task_data/?schema=any",
        ok(json!({"id": 3})),
    )
    .route(
        Method::PUT,
        "/tasks/1/annotate_task_data/",
        ok(json!({"id": 1, "again": true})),
    );
    let items = vec![
        AnnotateItem::new(1, json!({"action": "submit", "data": {}})),
        AnnotateItem::new(2, json!({"action": "submit", "data": {}})),
        AnnotateItem::new(3, json!({"action": "save", "data": null})).schema(TaskDataSchema::Any),
        AnnotateItem::new(1, json!({"action": "submit", "data": {"v": 2}})),
    ];
    let out = client(&mock).annotate_task_data_batch(items).await;
    let ids: Vec<i64> = out.iter().map(|o| o.task_id.get()).collect();
    assert_eq!(ids, vec![1, 2, 3, 1]);
    assert!(out[0].is_success() && out[2].is_success() && out[3].is_success());
    assert!(!out[1].is_success());
    let msg = out[1].error_message().expect("error text");
    assert!(msg.contains("<redacted-url>"), "{msg}");
    assert!(!msg.contains("synapse.test"), "{msg}");
    assert_eq!(out[0].error_message(), None);
    assert_eq!(mock.request_count(), 4);
    let mut sent: Vec<Value> = snaps(&mock);
    sent.sort_by_key(|s| s.to_string());
    insta::assert_json_snapshot!(sent);
}

#[tokio::test]
async fn annotate_task_data_batch_bounded_and_empty() {
    let mock = MockTransport::new();
    let c = client(&mock);
    assert!(c.annotate_task_data_batch(vec![]).await.is_empty());
    assert_eq!(mock.request_count(), 0);
    mock.push(ok(json!({"id": 5})))
        .push(MockResponse::json(404, json!({"detail": "Not found."})));
    let out = c
        .annotate_task_data_batch(vec![
            AnnotateItem::new(5, json!({})),
            AnnotateItem::new(6, json!({})),
        ])
        .max_concurrency(1)
        .await;
    assert_eq!(out[0].result.as_ref().expect("ok")["id"], 5);
    assert_api(
        out.into_iter()
            .nth(1)
            .expect("second")
            .result
            .expect_err("404"),
        ApiErrorKind::NotFound,
    );
    assert_eq!(
        urls(&mock),
        vec![
            "https://synapse.test/tasks/5/annotate_task_data/",
            "https://synapse.test/tasks/6/annotate_task_data/"
        ]
    );
}

#[tokio::test]
async fn task_tags_get_and_one_page() {
    let tag = json!({"id": 10, "project": 1, "name": "blurry", "category": "project",
                     "description": "", "meta": {"color": "red"}});
    let mock = MockTransport::new();
    mock.push(ok(tag.clone()))
        .push(ok(
            json!({"count": 1, "next": "https://synapse.test/task_tags/?page=2", "results": [tag]}),
        ))
        .push(MockResponse::json(401, json!({"detail": "Invalid token."})));
    let c = client(&mock);
    let (get, list, unauthorized) = (
        c.get_task_tag(10),
        c.list_task_tags().project(1),
        c.list_task_tags(),
    );
    let values = vec![snap(&get), snap(&list), snap(&unauthorized)];
    insta::assert_json_snapshot!(values);
    let t = get.await.expect("tag");
    assert_eq!(t.category, Some(TaskTagCategory::Project));
    assert_eq!(t.name.as_deref(), Some("blurry"));
    let page = list.await.expect("page");
    assert_eq!(page.total(), 1);
    assert_eq!(page.results[0].id, Some(10.into()));
    assert_api(
        unauthorized.await.expect_err("401"),
        ApiErrorKind::Unauthorized,
    );
    assert_eq!(snaps(&mock), values);
}

#[tokio::test]
async fn list_tasks_one_page_of_each_list() {
    let mock = MockTransport::new();
    mock.push(ok(
        json!({"count": 2, "next": null, "results": [task_json(1), task_json(2)]}),
    ))
    .push(ok(
        json!({"count": 1, "next": null, "results": [{"id": 1, "data": {"objects": []}}]}),
    ))
    .push(ok(json!({"count": 1, "next": null, "results": [
        {"id": 1, "files": [{"url": "https://cdn.test/1.jpg?X-Amz-Signature=s", "is_primary": true}]}]})))
    .push(MockResponse::json(500, json!({"detail": "oops"})));
    let c = client(&mock);
    let (tasks, data, files, failing) = (
        c.list_tasks().project(1),
        c.list_tasks_data().project(1),
        c.list_tasks_files().project(1),
        c.list_tasks(),
    );
    let values = vec![snap(&tasks), snap(&data), snap(&files), snap(&failing)];
    insta::assert_json_snapshot!(values);
    let page = tasks.await.expect("tasks");
    assert_eq!(page.results.len(), 2);
    assert_eq!(page.results[0].schema, Some(TaskDataSchema::DmSchemaV1));
    assert_eq!(page.results[0].extra.get("priority"), Some(&json!(3)));
    let page = data.await.expect("data");
    assert_eq!(
        page.results[0].data.as_ref().expect("data").to_value(),
        json!({"objects": []})
    );
    let page = files.await.expect("files");
    // URLs untouched (Python's url_conversion is a no-op here; this SDK never downloads).
    assert_eq!(
        page.results[0].files.as_ref().expect("files").to_value()[0]["url"],
        "https://cdn.test/1.jpg?X-Amz-Signature=s"
    );
    assert_eq!(failing.await.expect_err("500").status_code(), Some(500));
    assert_eq!(snaps(&mock), values);
}

#[tokio::test]
async fn list_tasks_all_variants_inject_page_size_and_follow_next() {
    let mock = MockTransport::new();
    for base in ["sdk/tasks/", "sdk/tasks/data/", "sdk/tasks/files/"] {
        mock.push(ok(json!({"count": 3,
            "next": format!("https://synapse.test/{base}?page=2&page_size=100&project=1"),
            "results": [task_json(1), task_json(2)]})))
            .push(ok(
                json!({"count": 3, "next": null, "results": [task_json(3)]}),
            ));
    }
    let c = client(&mock);
    let mut all = c.list_tasks().project(1).items();
    assert_eq!(all.total().await.expect("count"), 3);
    let ids: Vec<i64> = all
        .map(|t| t.expect("task").id.expect("id").get())
        .collect()
        .await;
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(c.list_tasks_data().project(1).items().count().await, 3);
    assert_eq!(c.list_tasks_files().project(1).items().count().await, 3);
    // A failing page ends the stream with the error.
    mock.push(MockResponse::json(503, json!({"detail": "unavailable"})));
    let first = c.list_tasks().items().next().await.expect("an item");
    assert_eq!(first.expect_err("503").status_code(), Some(503));
    insta::assert_json_snapshot!(urls(&mock));
}

#[tokio::test]
async fn create_tasks_typed_body_never_replayed() {
    let req = TaskCreateRequest::new(1, [json!({"data_unit": 5})]).expect("request");
    assert_eq!(
        serde_json::to_string(&req).expect("json"),
        r#"{"project":1,"data":[{"data_unit":5}]}"#
    );
    assert!(TaskCreateRequest::new(1, [json!(5)]).is_err());
    // Python rejects unknown keys (e.g. the documented `data_unit` at top level).
    assert!(
        serde_json::from_value::<TaskCreateRequest>(
            json!({"project": 1, "data": [], "data_unit": 5})
        )
        .is_err()
    );
    let mock = MockTransport::new();
    mock.push(MockResponse::json(201, json!([{"id": 11, "data_unit": 5}])));
    let create = client(&mock).create_tasks(req.clone());
    let values = vec![snap(&create)];
    insta::assert_json_snapshot!(values);
    let v = create.await.expect("create");
    assert_eq!(v[0]["id"], 11);
    assert_eq!(snaps(&mock), values);
    // A 503 is returned, not re-sent, even with the default retry policy.
    let mock = MockTransport::new();
    mock.push(MockResponse::json(503, json!({"detail": "unavailable"})))
        .push(ok(json!({})));
    let c = BackendClient::builder("https://synapse.test/")
        .without_env()
        .transport(mock.clone())
        .build()
        .expect("client");
    assert_eq!(
        c.create_tasks(req.clone())
            .await
            .expect_err("503")
            .status_code(),
        Some(503)
    );
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn set_tags_tasks_and_assignments_always_send_action() {
    let add = SetTagsRequest::new([1, 2], [10]);
    assert_eq!(
        serde_json::to_string(&add).expect("json"),
        r#"{"ids":[1,2],"tags":[10],"action":"add"}"#
    );
    // The documented keys `task_ids`/`tag_ids` are rejected, as in Python.
    assert!(
        serde_json::from_value::<SetTagsRequest>(json!({"task_ids": [1], "tag_ids": [2]})).is_err()
    );
    let parsed: SetTagsRequest =
        serde_json::from_value(json!({"ids": [1], "tags": [2]})).expect("default action");
    assert_eq!(parsed.action, SetTagsAction::Add);
    let mock = MockTransport::new();
    mock.push(ok(json!({"updated": 2})))
        .push(MockResponse::empty(204))
        .push(MockResponse::json(
            400,
            json!({"tags": ["Invalid pk \"99\"."]}),
        ));
    let c = client(&mock);
    let tasks = c.set_tags_tasks(add.clone()).project(1);
    let remove = SetTagsRequest::new([1], [2]).action(SetTagsAction::Remove);
    let assignments = c.set_tags_assignments(remove.clone());
    let invalid = c.set_tags_assignments(SetTagsRequest::new([1], [99]));
    let values = vec![snap(&tasks), snap(&assignments), snap(&invalid)];
    insta::assert_json_snapshot!(values);
    let v = tasks.await.expect("tasks");
    assert_eq!(v["updated"], 2);
    assert_eq!(assignments.await.expect("assignments"), Value::Null);
    let err = invalid.await.expect_err("400");
    assert_eq!(err.status_code(), Some(400));
    assert_eq!(snaps(&mock), values);
}

#[tokio::test]
async fn get_assignment_decodes_and_maps_404() {
    let mock = MockTransport::new();
    mock.push(ok(assignment_json(5)))
        .push(MockResponse::json(404, json!({"detail": "Not found."})));
    let c = client(&mock);
    let (found, missing) = (c.get_assignment(5), c.get_assignment(6));
    let values = vec![snap(&found), snap(&missing)];
    insta::assert_json_snapshot!(values);
    let a = found.await.expect("assignment");
    assert_eq!(a.status_label, Some(AssignmentLabelStatus::InProgress));
    assert_eq!(a.status_review, Some(AssignmentReviewStatus::Rejected));
    assert_eq!(a.tags, Some(vec![10, 20]));
    assert_eq!(a.task.as_ref().and_then(Ref::id), Some(2));
    assert_eq!(
        a.files.as_ref().expect("files").to_value()[0]["url"],
        "https://cdn.test/a.jpg?sig=x"
    );
    assert_eq!(a.extra.get("workflow"), Some(&json!("v3")));
    // Lossless: the re-serialised object equals the input.
    assert_eq!(serde_json::to_value(&a).expect("json"), assignment_json(5));
    assert_api(missing.await.expect_err("404"), ApiErrorKind::NotFound);
    assert_eq!(snaps(&mock), values);
}

#[tokio::test]
async fn list_assignments_pages_and_streams() {
    let mock = MockTransport::new();
    for _ in 0..3 {
        mock.push(ok(
            json!({"count": 1, "next": null, "results": [assignment_json(1)]}),
        ));
    }
    for base in [
        "sdk/assignments/",
        "sdk/assignments/data/",
        "sdk/assignments/files/",
    ] {
        mock.push(ok(json!({"count": 2,
            "next": format!("https://synapse.test/{base}?page=2&project=1&page_size=100"),
            "results": [assignment_json(1)]})))
            .push(ok(
                json!({"count": 2, "next": null, "results": [assignment_json(2)]}),
            ));
    }
    mock.push(MockResponse::json(403, json!({"detail": "Forbidden"})));
    let c = client(&mock);
    let first = c.list_assignments().project(1);
    // Full request shape of one list call, from its request value.
    let request = snap(&first);
    insta::assert_json_snapshot!("list_assignments_request", request);
    let p = first.await.expect("page");
    assert_eq!(p.results[0].id, Some(1.into()));
    c.list_assignments_data().project(1).await.expect("data");
    c.list_assignments_files().project(1).await.expect("files");
    let mut all = c.list_assignments().project(1).items();
    assert_eq!(all.total().await.expect("count"), 2);
    let ids: Vec<i64> = all
        .map(|a| a.expect("assignment").id.expect("id").get())
        .collect()
        .await;
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(
        c.list_assignments_data().project(1).items().count().await,
        2
    );
    assert_eq!(
        c.list_assignments_files().project(1).items().count().await,
        2
    );
    assert_api(
        c.list_assignments().await.expect_err("403"),
        ApiErrorKind::Forbidden,
    );
    insta::assert_json_snapshot!(urls(&mock));
    // The mock received exactly the request value.
    assert_eq!(mock.requests()[0].snapshot(), request);
}

#[test]
fn typed_setters_build_the_documented_requests() {
    let mock = MockTransport::new();
    let c = client(&mock);
    let url = |request: Value| request["url"].as_str().expect("url").to_owned();
    assert_eq!(
        url(snap(
            &c.get_task(2)
                .fields(["id", "data", "data_unit"])
                .expand("data_unit")
        )),
        "https://synapse.test/tasks/2/?fields=id%2Cdata%2Cdata_unit&expand=data_unit"
    );
    assert_eq!(
        url(snap(&c.list_tasks().project(1).page(2).page_size(10))),
        "https://synapse.test/sdk/tasks/?project=1&page=2&page_size=10"
    );
    assert_eq!(
        url(snap(&c.list_task_tags().project(1))),
        "https://synapse.test/task_tags/?project=1"
    );
    assert_eq!(
        url(snap(
            &c.list_assignments_files().project(3).query("status", "x")
        )),
        "https://synapse.test/sdk/assignments/files/?project=3&status=x"
    );
    let empty = TaskCreateRequest::new(1, []).expect("request");
    let item = json!({"data_unit": 5})
        .as_object()
        .cloned()
        .expect("object");
    assert_eq!(
        snap(&c.create_tasks(empty.clone()).project(2).task(item))["body"]["json"],
        json!({"project": 2, "data": [{"data_unit": 5}]})
    );
    let tags = c
        .set_tags_assignments(SetTagsRequest::default())
        .ids([1, 2])
        .tags([3])
        .action(SetTagsAction::Remove)
        .project(4);
    let tags = snap(&tags);
    assert_eq!(
        tags["url"],
        "https://synapse.test/assignments/set_tags/?project=4"
    );
    assert_eq!(
        tags["body"]["json"],
        json!({"ids": [1, 2], "tags": [3], "action": "remove"})
    );
    let annotate = c
        .annotate_task(7, AnnotateRequest::default())
        .action(AnnotateAction::Save)
        .data(json!({"k": 1}))
        .schema(TaskDataSchema::Any);
    let annotate = snap(&annotate);
    assert_eq!(annotate["method"], "PUT");
    assert_eq!(
        annotate["url"],
        "https://synapse.test/tasks/7/annotate_task_data/?schema=any"
    );
    assert_eq!(
        annotate["body"]["json"],
        json!({"action": "save", "data": {"k": 1}})
    );
    // Request values are built without any IO.
    assert_eq!(mock.request_count(), 0);
}
