//! HITL over real HTTP: the assignments the fake creates with tasks, listed by project (a
//! page, every page streamed with its count, the `data` and `files` variants), read, moved
//! along by the task's annotation, tagged and untagged; and the fake's answers to bad
//! requests (404, 400 naming every bad field).

use futures_util::TryStreamExt;
use serde_json::json;
use synapse_backend::ApiErrorKind;
use synapse_backend::models::{AssignmentLabelStatus, Ref, SetTagsAction, SetTagsRequest};
use synapse_e2e::{api_error, create_tasks, start, upload_units};
use synapse_transport::Method;

#[tokio::test]
async fn assignments_are_listed_read_moved_by_annotation_and_tagged() {
    let (fake, client) = start().await;
    let units = upload_units(&client, 5).await;
    let tasks = create_tasks(&client, 1, &units).await;

    // A page of two; then every page streamed, its count known after page 1.
    let page = client
        .list_assignments()
        .project(1)
        .page_size(2)
        .await
        .expect("page");
    assert_eq!(page.total(), 5);
    assert_eq!(page.results.len(), 2);
    let before = fake.count(&Method::GET, "/sdk/assignments/?");
    let mut stream = client.list_assignments().project(1).page_size(2).items();
    assert_eq!(stream.total().await.expect("count"), 5);
    let all: Vec<_> = stream.try_collect().await.expect("every assignment");
    assert_eq!(fake.count(&Method::GET, "/sdk/assignments/?") - before, 3);
    let of_tasks: Vec<i64> = all
        .iter()
        .map(|a| a.task.as_ref().and_then(Ref::id).expect("task id"))
        .collect();
    assert_eq!(of_tasks, tasks, "one assignment per task, in order");
    assert!(
        all.iter()
            .all(|a| a.status_label == Some(AssignmentLabelStatus::StandBy))
    );
    assert_eq!(
        client
            .list_assignments()
            .project(2)
            .await
            .expect("page")
            .total(),
        0
    );

    // One assignment; the task's annotation moves it on.
    let first = all[0].id.map(i64::from).expect("id");
    let second = all[1].id.map(i64::from).expect("id");
    let read = client.get_assignment(first).await.expect("assignment");
    assert_eq!(read.task.as_ref().and_then(Ref::id), Some(tasks[0]));
    assert_eq!(read.tags, Some(vec![]));
    client
        .annotate_task_data(tasks[0], json!({"action": "submit", "data": {"k": 1}}))
        .await
        .expect("submitted");
    client
        .annotate_task_data(tasks[1], json!({"action": "save", "data": {"k": 2}}))
        .await
        .expect("saved");
    let read = client.get_assignment(first).await.expect("assignment");
    assert_eq!(read.status_label, Some(AssignmentLabelStatus::Completed));
    assert_eq!(read.data.map(|d| d.to_value()), Some(json!({"k": 1})));
    let read = client.get_assignment(second).await.expect("assignment");
    assert_eq!(read.status_label, Some(AssignmentLabelStatus::InProgress));
    let done = client
        .list_assignments()
        .project(1)
        .query("status_label", "completed")
        .await
        .expect("page");
    assert_eq!(done.total(), 1);
    assert_eq!(done.results[0].id.map(i64::from), Some(first));

    // Tags: add to two, read back, filter, remove from one.
    let tags = client.list_task_tags().project(1).await.expect("tags");
    let night = tags.results[1].id.map(i64::from).expect("tag id");
    client
        .set_tags_assignments(SetTagsRequest::new([first, second], [night]))
        .project(1)
        .await
        .expect("tagged");
    let read = client.get_assignment(first).await.expect("assignment");
    assert_eq!(read.tags, Some(vec![night]));
    let tagged = client
        .list_assignments()
        .query("tags", night.to_string())
        .await
        .expect("page");
    assert_eq!(tagged.total(), 2);
    client
        .set_tags_assignments(SetTagsRequest::new([first], [night]))
        .action(SetTagsAction::Remove)
        .await
        .expect("untagged");
    assert_eq!(
        client.get_assignment(first).await.expect("one").tags,
        Some(vec![])
    );
    assert_eq!(
        client.get_assignment(second).await.expect("two").tags,
        Some(vec![night])
    );

    // The `data` and `files` variants.
    let data: Vec<_> = client
        .list_assignments_data()
        .project(1)
        .page_size(2)
        .items()
        .try_collect()
        .await
        .expect("every assignment");
    assert_eq!(data.len(), 5);
    assert_eq!(
        data[0].data.as_ref().map(|d| d.to_value()),
        Some(json!({"k": 1}))
    );
    let files = client
        .list_assignments_files()
        .project(1)
        .await
        .expect("page");
    let listed = files.results[0].files.as_ref().expect("files").to_value();
    assert_eq!(listed[0]["name"], "image_1");
    assert_eq!(listed[0]["is_primary"], true);
    assert!(
        listed[0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http"))
    );
}

#[tokio::test]
async fn unknown_assignments_are_404_and_bad_tags_name_every_bad_field() {
    let (_fake, client) = start().await;
    assert_eq!(
        api_error(client.get_assignment(999).await, ApiErrorKind::NotFound),
        json!({"detail": "Not found."})
    );
    let units = upload_units(&client, 1).await;
    let tasks = create_tasks(&client, 1, &units).await;
    let page = client.list_assignments().await.expect("page");
    let assignment = page.results[0].id.map(i64::from).expect("id");
    assert_eq!(
        page.results[0].task.as_ref().and_then(Ref::id),
        Some(tasks[0])
    );
    assert_eq!(
        api_error(
            client
                .set_tags_assignments(SetTagsRequest::new([assignment, 999], [998]))
                .await,
            ApiErrorKind::BadRequest
        ),
        json!({
            "ids": ["Invalid pk \"999\" - object does not exist."],
            "tags": ["Invalid pk \"998\" - object does not exist."],
        })
    );
    let foreign = client
        .list_task_tags()
        .project(2)
        .await
        .expect("tags")
        .results[0]
        .id
        .map(i64::from)
        .expect("id");
    let body = api_error(
        client
            .set_tags_assignments(SetTagsRequest::new([assignment], [foreign]))
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
                .list_assignments()
                .query("status_label", "lost")
                .await,
            ApiErrorKind::BadRequest
        ),
        json!({"status_label": ["Select a valid choice. lost is not one of the available choices."]})
    );
    assert_eq!(
        api_error(
            client.list_assignments().query("project", "one").await,
            ApiErrorKind::BadRequest
        ),
        json!({"project": ["Enter a number."]})
    );
    assert_eq!(
        client.get_assignment(assignment).await.expect("one").tags,
        Some(vec![]),
        "nothing applied"
    );
}
