//! Tasks: created one at a time and in bulk from data units, listed by project across pages,
//! annotated and read back, fetched in bulk (idempotent, order kept) with their data
//! presigned, deleted.

use futures_util::TryStreamExt;
use serde_json::{Map, json};
use synapse_backend::models::v2::{
    TaskAction, TaskSchema, TaskV2AnnotateRequestRequest, TaskV2BulkCreateRequest,
    TaskV2CreateRequest,
};
use synapse_backend::models::{DataUnitId, Nullable, TaskId};
use synapse_transport::ApiErrorKind;

use crate::projects::project;
use crate::{assert_request_id, fields, start, v2_error};

#[tokio::test]
async fn tasks_are_created_listed_annotated_fetched_and_deleted() {
    let (_fake, v1, client) = start().await;
    let units = synapse_e2e::upload_units(&v1, 5).await;
    let project = client
        .projects()
        .create(project("Annotated"))
        .await
        .expect("project")
        .id;

    let first = client
        .tasks()
        .create(TaskV2CreateRequest {
            project,
            data_unit: DataUnitId(units[0]),
            workshop: Nullable::Absent,
            meta: Some(json!({"priority": "high"})),
            extra: Map::new(),
            wire_nulls: Default::default(),
        })
        .await
        .expect("task");
    assert_request_id(first.request_id());
    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(first.project_id, project);
    assert_eq!(first.data_unit_id, DataUnitId(units[0]));
    assert_eq!(first.workshop_id, None);
    assert_eq!(first.meta, json!({"priority": "high"}));
    assert!(!first.has_data && first.data.is_null() && !first.is_discarded);

    // The first unit has its task already: skipped, the four others created.
    let bulk = client
        .tasks()
        .bulk_create(TaskV2BulkCreateRequest {
            project,
            data_unit_ids: units.clone(),
            extra: Map::new(),
            wire_nulls: Default::default(),
        })
        .await
        .expect("bulk");
    assert_eq!((bulk.created_count, bulk.skipped_count), (4, 1));
    let again = client
        .tasks()
        .bulk_create(TaskV2BulkCreateRequest {
            project,
            data_unit_ids: units.clone(),
            extra: Map::new(),
            wire_nulls: Default::default(),
        })
        .await
        .expect("bulk again");
    assert_eq!((again.created_count, again.skipped_count), (0, 5));

    let mut stream = client.tasks().list().project(project).per_page(2).items();
    let mut listed = Vec::new();
    while let Some(task) = stream.try_next().await.expect("task") {
        assert_eq!(task.project_id, project);
        listed.push((task.id, task.data_unit_id));
    }
    assert_eq!(stream.pages_fetched(), 3);
    let listed_units: Vec<i64> = listed.iter().map(|(_, u)| u.0).collect();
    assert_eq!(listed_units, units, "one task per unit, oldest first");
    assert_eq!(listed[0].0, first.id);
    let read = client.tasks().retrieve(listed[3].0).await.expect("task");
    assert_eq!(read.data_unit_id, DataUnitId(units[3]));
    assert_eq!(read.schema, TaskSchema::DmSchemaV1);

    let annotation = json!({"bounding_box": [{"id": "a1", "classification": {"class": "car"},
        "data": {"x": 10, "y": 20, "width": 30, "height": 40}}]});
    let answer = client
        .tasks()
        .annotate_task_data(first.id)
        .body(TaskV2AnnotateRequestRequest {
            action: Some(TaskAction::Submit),
            data: Some(annotation.clone()),
            extra: Map::new(),
            wire_nulls: Default::default(),
        })
        .await
        .expect("annotated");
    assert_request_id(answer.request_id());
    let read = client.tasks().retrieve(first.id).await.expect("task");
    assert_eq!(read.data, annotation);
    assert!(read.has_data);
    let with_data: Vec<TaskId> = client
        .tasks()
        .list()
        .project(project)
        .has_data(true)
        .items()
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .expect("with data");
    assert_eq!(with_data, [first.id]);

    // A bulk fetch keeps the order asked, drops unknown ids, and is the same when repeated.
    let ids = [listed[2].0, first.id, TaskId(999_999)];
    let fetch = || client.tasks().bulk_fetch(ids).response_mode("presigned");
    let fetched = fetch().await.expect("fetched");
    assert_request_id(fetched.request_id());
    let order: Vec<TaskId> = fetched.iter().map(|t| t.id).collect();
    assert_eq!(order, [listed[2].0, first.id]);
    let repeated: Vec<TaskId> = fetch().await.expect("again").iter().map(|t| t.id).collect();
    assert_eq!(repeated, order);
    // The data behind the presigned URL is the annotation, read without credentials.
    let url = fetched[1].data.as_str().expect("a presigned URL");
    let bytes = reqwest::get(url)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(body, annotation);
    assert_eq!(fetched[1].files_manifest.len(), 1, "{:?}", fetched[1]);
    // Inline, the data is the annotation itself (an object, though the document says string).
    let inline = client
        .tasks()
        .bulk_fetch([first.id, listed[2].0])
        .response_mode("inline")
        .await
        .expect("fetched inline");
    assert_request_id(inline.request_id());
    let order: Vec<TaskId> = inline.iter().map(|t| t.id).collect();
    assert_eq!(order, [first.id, listed[2].0]);
    assert_eq!(inline[0].data, annotation);
    assert_eq!(inline[0].files_manifest, fetched[1].files_manifest);

    client.tasks().destroy(listed[4].0).await.expect("deleted");
    v2_error(
        client.tasks().retrieve(listed[4].0).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    let left = client.projects().retrieve(project).await.expect("project");
    assert_eq!(left.task_count, 4);

    // A unit of another collection, or unknown, is named in a 400.
    let bad = v2_error(
        client
            .tasks()
            .bulk_create(TaskV2BulkCreateRequest {
                project,
                data_unit_ids: vec![999_999],
                extra: Map::new(),
                wire_nulls: Default::default(),
            })
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&bad), ["data_unit_ids"], "{bad:?}");
}
