//! Annotation over real HTTP: a seeded project read; tasks created from uploaded data units,
//! listed by project (a page, and every page streamed), read with their data unit expanded,
//! tagged, annotated (with and without `schema`, and in a batch) and read back; task tags;
//! and the fake's answers to bad requests (404, 400 naming every bad field).

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use synapse_backend::ApiErrorKind;
use synapse_backend::annotation::AnnotateItem;
use synapse_backend::models::{
    AnnotateRequest, ProjectCategory, Ref, SetTagsAction, SetTagsRequest, TaskCreateRequest,
    TaskDataSchema, TaskTagCategory,
};
use synapse_e2e::{api_error, create_tasks, start, upload_units};
use synapse_transport::Method;

#[tokio::test]
async fn created_tasks_are_listed_read_with_their_unit_tagged_and_annotated() {
    let (fake, client) = start().await;
    let project = client.get_project(1).await.expect("project");
    assert_eq!(project.id.map(i64::from), Some(1));
    assert_eq!(project.category, Some(ProjectCategory::Image));
    assert_eq!(project.data_collection.as_ref().and_then(Ref::id), Some(1));
    assert_eq!(project.task_count, Some(0));

    let units = upload_units(&client, 5).await;
    let tasks = create_tasks(&client, 1, &units).await;
    assert_eq!(
        client.get_project(1).await.expect("project").task_count,
        Some(5)
    );

    // One page of two, then every page streamed with a small page size.
    let page = client
        .list_tasks()
        .project(1)
        .page_size(2)
        .await
        .expect("page");
    assert_eq!(page.total(), 5);
    assert_eq!(page.results.len(), 2);
    assert!(page.next.is_some());
    let before = fake.count(&Method::GET, "/sdk/tasks/?");
    let mut stream = client.list_tasks().project(1).page_size(2).items();
    assert_eq!(stream.total().await.expect("count"), 5);
    let streamed: Vec<i64> = stream
        .map_ok(|t| t.id.map(i64::from).expect("id"))
        .try_collect()
        .await
        .expect("every task");
    assert_eq!(streamed, tasks);
    assert_eq!(
        fake.count(&Method::GET, "/sdk/tasks/?") - before,
        3,
        "3 pages"
    );
    let other = client.list_tasks().project(2).await.expect("page");
    assert_eq!(other.total(), 0, "the other project has none");

    // One task, only some fields, its data unit embedded with its files.
    let task = client
        .get_task(tasks[0])
        .fields(["id", "data", "data_unit"])
        .expand("data_unit")
        .await
        .expect("task");
    assert_eq!(task.id.map(i64::from), Some(tasks[0]));
    assert!(task.project.is_none(), "not among the fields asked");
    let Some(Ref::Object(unit)) = &task.data_unit else {
        panic!("data_unit embedded: {:?}", task.data_unit);
    };
    assert_eq!(unit["id"], units[0]);
    let image = &unit["files"]["image_1"];
    assert_eq!(image["is_primary"], true);
    assert!(image["url"].as_str().is_some_and(|u| u.ends_with(".jpg")));
    let plain = client.get_task(tasks[0]).await.expect("task");
    assert_eq!(plain.data_unit.as_ref().and_then(Ref::id), Some(units[0]));

    // Task tags of the project; tag two tasks, read the tags back, filter by tag, remove one.
    let tags = client.list_task_tags().project(1).await.expect("tags");
    assert_eq!(tags.total(), 3);
    let blurry = tags.results[0].id.map(i64::from).expect("tag id");
    let tag = client.get_task_tag(blurry).await.expect("tag");
    assert_eq!(tag.name.as_deref(), Some("blurry"));
    assert_eq!(tag.category, Some(TaskTagCategory::Project));
    assert_eq!(tag.project.as_ref().and_then(Ref::id), Some(1));
    client
        .set_tags_tasks(SetTagsRequest::new([tasks[0], tasks[1]], [blurry]))
        .project(1)
        .await
        .expect("tagged");
    let read = client.get_task(tasks[0]).await.expect("task");
    assert_eq!(read.extra["tags"], json!([blurry]));
    let tagged = client
        .list_tasks()
        .project(1)
        .query("tags", blurry.to_string())
        .await
        .expect("page");
    assert_eq!(tagged.total(), 2);
    client
        .set_tags_tasks(SetTagsRequest::new([tasks[1]], [blurry]).action(SetTagsAction::Remove))
        .await
        .expect("untagged");
    let read = client.get_task(tasks[1]).await.expect("task");
    assert_eq!(read.extra["tags"], json!([]));

    // Annotate: the task's own schema (DM schema v1), then `any` with a non-object.
    let objects = json!({"objects": [{"class": "car", "bbox": [1, 2, 3, 4]}]});
    let answer = client
        .annotate_task(tasks[0], AnnotateRequest::submit(objects.clone()))
        .await
        .expect("annotated");
    assert_eq!(answer["data"], objects);
    let read = client.get_task(tasks[0]).await.expect("task");
    assert_eq!(read.data.map(|d| d.to_value()), Some(objects.clone()));
    assert_eq!(read.has_data, Some(true));
    assert_eq!(read.schema, Some(TaskDataSchema::DmSchemaV1));
    client
        .annotate_task_data(tasks[1], json!({"action": "save", "data": ["a", "b"]}))
        .schema(TaskDataSchema::Any)
        .await
        .expect("annotated with schema=any");
    let read = client.get_task(tasks[1]).await.expect("task");
    assert_eq!(read.data.map(|d| d.to_value()), Some(json!(["a", "b"])));
    assert_eq!(read.schema, Some(TaskDataSchema::Any));

    // The `data` and `files` lists show the same tasks.
    let data = client
        .list_tasks_data()
        .project(1)
        .page_size(2)
        .await
        .expect("page");
    assert_eq!(data.total(), 5);
    assert_eq!(
        data.results[0].data.as_ref().map(|d| d.to_value()),
        Some(objects)
    );
    let files: Vec<_> = client
        .list_tasks_files()
        .project(1)
        .page_size(2)
        .items()
        .try_collect()
        .await
        .expect("every task");
    assert_eq!(files.len(), 5);
    let listed = files[0].files.as_ref().expect("files").to_value();
    assert_eq!(listed[0]["name"], "image_1");
    assert_eq!(listed[0]["url"], image["url"]);
}

#[tokio::test]
async fn a_batch_annotates_each_item_in_order_and_reports_a_missing_task_as_404() {
    let (_fake, client) = start().await;
    let units = upload_units(&client, 2).await;
    let tasks = create_tasks(&client, 1, &units).await;
    let outcomes = client
        .annotate_task_data_batch([
            AnnotateItem::new(tasks[0], json!({"action": "submit", "data": {"n": 0}})),
            AnnotateItem::new(999, json!({"action": "submit", "data": {}})),
            AnnotateItem::new(tasks[1], json!({"action": "save", "data": "free text"}))
                .schema(TaskDataSchema::Any),
        ])
        .max_concurrency(2)
        .await;
    let ids: Vec<i64> = outcomes.iter().map(|o| o.task_id.get()).collect();
    assert_eq!(ids, [tasks[0], 999, tasks[1]]);
    assert!(outcomes[0].is_success() && outcomes[2].is_success());
    let err = outcomes[1].result.as_ref().expect_err("no task 999");
    assert_eq!(err.api().map(|a| a.kind), Some(ApiErrorKind::NotFound));
    assert_eq!(err.body_json(), Some(&json!({"detail": "Not found."})));
    let message = outcomes[1].error_message().expect("message");
    assert!(!message.contains("http://"), "{message}");

    let first = client.get_task(tasks[0]).await.expect("task");
    assert_eq!(first.data.map(|d| d.to_value()), Some(json!({"n": 0})));
    let second = client.get_task(tasks[1]).await.expect("task");
    assert_eq!(second.data.map(|d| d.to_value()), Some(json!("free text")));
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_requests_name_every_bad_field() {
    let (_fake, client) = start().await;
    let not_found = json!({"detail": "Not found."});
    assert_eq!(
        api_error(client.get_project(999).await, ApiErrorKind::NotFound),
        not_found
    );
    assert_eq!(
        api_error(client.get_task(999).await, ApiErrorKind::NotFound),
        not_found
    );
    assert_eq!(
        api_error(client.get_task_tag(999).await, ApiErrorKind::NotFound),
        not_found
    );
    assert_eq!(
        api_error(
            client
                .annotate_task_data(999, json!({"action": "submit", "data": {}}))
                .await,
            ApiErrorKind::NotFound
        ),
        not_found
    );

    // A bad create: every bad field named (one error object per item), nothing created.
    let request = TaskCreateRequest::new(
        999,
        [
            json!({"data_unit": 999}),
            json!({"meta": 1}),
            json!({"data_unit": "x"}),
        ],
    )
    .expect("request");
    assert_eq!(
        api_error(client.create_tasks(request).await, ApiErrorKind::BadRequest),
        json!({
            "project": ["Invalid pk \"999\" - object does not exist."],
            "data": [
                {"data_unit": ["Invalid pk \"999\" - object does not exist."]},
                {"data_unit": ["This field is required."],
                 "meta": ["Expected a dictionary of items but got type \"int\"."]},
                {"data_unit": ["Incorrect type. Expected pk value, received str."]},
            ],
        })
    );
    let units = upload_units(&client, 1).await;
    let request =
        TaskCreateRequest::new(1, [json!({"data_unit": units[0]}), json!({})]).expect("request");
    let body = api_error(client.create_tasks(request).await, ApiErrorKind::BadRequest);
    assert_eq!(
        body,
        json!({"data": [{}, {"data_unit": ["This field is required."]}]})
    );
    let request = TaskCreateRequest::new(1, Vec::<Value>::new()).expect("request");
    assert_eq!(
        api_error(client.create_tasks(request).await, ApiErrorKind::BadRequest),
        json!({"data": ["This list may not be empty."]})
    );
    assert_eq!(
        client.list_tasks().await.expect("page").total(),
        0,
        "all or nothing"
    );

    // Tags: an unknown task and an unknown tag, both named; a tag of another project.
    let tasks = create_tasks(&client, 1, &units).await;
    assert_eq!(
        api_error(
            client
                .set_tags_tasks(SetTagsRequest::new([tasks[0], 999], [998]))
                .await,
            ApiErrorKind::BadRequest
        ),
        json!({
            "ids": ["Invalid pk \"999\" - object does not exist."],
            "tags": ["Invalid pk \"998\" - object does not exist."],
        })
    );
    let other = client.list_task_tags().project(2).await.expect("tags");
    let foreign = other.results[0].id.map(i64::from).expect("id");
    let body = api_error(
        client
            .set_tags_tasks(SetTagsRequest::new([tasks[0]], [foreign]))
            .await,
        ApiErrorKind::BadRequest,
    );
    assert!(
        body["tags"][0]
            .as_str()
            .is_some_and(|m| m.contains("project 2")),
        "{body}"
    );
    assert_eq!(
        api_error(
            client
                .set_tags_tasks(SetTagsRequest::new([tasks[0]], []))
                .project(2)
                .await,
            ApiErrorKind::BadRequest
        ),
        json!({"ids": [format!("Invalid pk \"{}\" - object does not exist.", tasks[0])]}),
        "not a task of project 2"
    );

    // Annotate: an unknown schema, and DM schema v1 data that is not an object.
    assert_eq!(
        api_error(
            client
                .annotate_task_data(tasks[0], json!({"action": "submit", "data": {}}))
                .query("schema", "dm_schema_v9")
                .await,
            ApiErrorKind::BadRequest
        ),
        json!({"schema": ["\"dm_schema_v9\" is not a valid choice."]})
    );
    assert_eq!(
        api_error(
            client
                .annotate_task_data(tasks[0], json!({"action": "publish", "data": [1]}))
                .await,
            ApiErrorKind::BadRequest
        ),
        json!({
            "action": ["\"publish\" is not a valid choice."],
            "data": ["Invalid DM schema v1 data: expected a dictionary, got list."],
        })
    );
    let read = client.get_task(tasks[0]).await.expect("task");
    assert_eq!(read.has_data, Some(false), "nothing stored");
}

#[tokio::test]
async fn the_files_lists_can_key_files_by_specification_name() {
    let (_fake, client) = synapse_e2e::start_with(synapse_fake::FakeConfig {
        files_by_name: true,
        ..synapse_fake::FakeConfig::default()
    })
    .await;
    let units = upload_units(&client, 1).await;
    create_tasks(&client, 1, &units).await;
    let page = client.list_tasks_files().project(1).await.expect("page");
    let files = page.results[0].files.as_ref().expect("files").to_value();
    assert_eq!(files["image_1"]["is_primary"], true, "{files}");
    assert!(
        files["image_1"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(".jpg"))
    );
    let page = client
        .list_assignments_files()
        .project(1)
        .await
        .expect("page");
    let files = page.results[0].files.as_ref().expect("files").to_value();
    assert!(
        files["image_1"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(".jpg"))
    );
}
