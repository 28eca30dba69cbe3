//! Projects: created, read back, listed across cursor pages, updated (a field cleared with an
//! explicit `null`), deleted, then a typed 404; their task tags and statistics.

use futures_util::TryStreamExt;
use serde_json::{Map, json};
use synapse_backend::models::v2::{
    AccessLevel, Caution, PatchedProjectV2CreateRequest, PatchedTaskTagV2PartialUpdateRequest,
    ProjectCategory, ProjectStatisticsV2, ProjectV2CreateRequest, TaskTagCategory,
    TaskTagV2CreateRequest,
};
use synapse_backend::models::{DataCollectionId, Nullable, ProjectId};
use synapse_transport::{ApiErrorKind, Body};

use crate::{assert_request_id, fields, start, v2_error};

/// A project body on the data collection every fake starts with.
pub fn project(title: &str) -> ProjectV2CreateRequest {
    ProjectV2CreateRequest {
        title: title.to_owned(),
        description: Some(format!("{title}, labelled")),
        category: ProjectCategory::Image,
        data_collection: Nullable::Value(DataCollectionId(1)),
        configuration: json!({"classes": ["car", "bus"]}),
        caution: None,
        access_level: Some(AccessLevel::Private),
        count_max_assignments_per_task: Some(2),
        can_discard: Some(true),
        enable_workforce: None,
        extra: Map::new(),
        wire_nulls: Default::default(),
    }
}

#[tokio::test]
async fn a_project_is_created_read_listed_updated_and_deleted() {
    let (_fake, _v1, client) = start().await;
    let created = client
        .projects()
        .create(project("Street scenes"))
        .await
        .expect("created");
    let create_id = assert_request_id(created.request_id());
    assert_eq!(created.status().as_u16(), 201);
    assert!(created.is_enveloped());
    let id = created.id;
    assert_eq!(created.title, "Street scenes");
    assert_eq!(created.description, "Street scenes, labelled");
    assert_eq!(created.category, ProjectCategory::Image);
    assert_eq!(created.category_display, "Image");
    assert_eq!(created.data_collection_id, Some(DataCollectionId(1)));
    assert_eq!(created.configuration, json!({"classes": ["car", "bus"]}));
    assert_eq!(created.access_level, AccessLevel::Private);
    assert_eq!(created.count_max_assignments_per_task, 2);
    assert!(created.can_discard && !created.is_archived);
    assert_eq!(created.task_count, 0);

    let read = client.projects().retrieve(id).await.expect("read");
    let read_id = assert_request_id(read.request_id());
    assert_ne!(read_id, create_id, "one request id per answer");
    assert_eq!(*read, *created);

    // Two projects exist from the start; four more make seven, streamed two a page.
    let mut ids = vec![id];
    for title in ["Highways", "Parking lots", "Crossings", "Tunnels"] {
        let p = client.projects().create(project(title)).await.expect("p");
        ids.push(p.id);
    }
    let mut stream = client.projects().list().per_page(2).items();
    let mut streamed = Vec::new();
    while let Some(p) = stream.try_next().await.expect("item") {
        streamed.push((p.id, p.title));
    }
    assert_eq!(stream.pages_fetched(), 4);
    assert_eq!(streamed.len(), 7);
    let ours: Vec<ProjectId> = streamed[2..].iter().map(|(id, _)| *id).collect();
    assert_eq!(ours, ids, "oldest first, each once");
    assert_eq!(streamed[2].1, "Street scenes");
    let first = client.projects().list().per_page(2).await.expect("page");
    assert_eq!(first.results.len(), 2);
    assert_eq!(first.per_page, Some(2));
    assert!(first.has_next() && first.previous_cursor.is_none());
    assert_request_id(first.request_id.as_deref());
    let filtered: Vec<_> = client
        .projects()
        .list()
        .category("video")
        .items()
        .try_collect()
        .await
        .expect("none");
    assert!(filtered.is_empty());

    // A partial update changes what it names; the rest stays.
    let patch = PatchedProjectV2CreateRequest {
        title: Some("Street scenes (night)".into()),
        can_discard: Some(false),
        caution: Some(Caution::SensitiveContent),
        ..Default::default()
    };
    let updated = client
        .projects()
        .partial_update(id)
        .body(patch)
        .await
        .expect("updated");
    assert_eq!(updated.title, "Street scenes (night)");
    assert!(!updated.can_discard);
    assert_eq!(updated.caution, Caution::SensitiveContent);
    assert_eq!(updated.description, "Street scenes, labelled");
    assert_eq!(updated.count_max_assignments_per_task, 2);
    let read = client.projects().retrieve(id).await.expect("read");
    assert_eq!(read.title, "Street scenes (night)");

    // An explicit `null` clears the relation (a field left `Absent` is not sent at all);
    // the project then reads back without a data collection, and a value sets it again.
    let clear = client
        .projects()
        .partial_update(id)
        .body(PatchedProjectV2CreateRequest {
            data_collection: Nullable::Null,
            ..Default::default()
        });
    let request = clear.request().expect("request");
    match &request.body {
        Body::Json(bytes) => assert_eq!(&bytes[..], br#"{"data_collection":null}"#),
        other => panic!("a JSON body, not {other:?}"),
    }
    let cleared = clear.await.expect("cleared");
    assert_eq!(cleared.data_collection_id, None);
    assert_eq!(
        cleared.title, "Street scenes (night)",
        "nothing else changed"
    );
    let set = client
        .projects()
        .partial_update(id)
        .body(PatchedProjectV2CreateRequest {
            data_collection: Nullable::Value(DataCollectionId(1)),
            ..Default::default()
        })
        .await
        .expect("set");
    assert_eq!(set.data_collection_id, Some(DataCollectionId(1)));

    let gone = client.projects().destroy(id).await.expect("deleted");
    assert_eq!(gone.status().as_u16(), 204);
    assert_request_id(gone.request_id());
    let missing = v2_error(
        client.projects().retrieve(id).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    assert!(!missing.message.is_empty());
    assert!(missing.details.is_empty());
    let listed: Vec<_> = client
        .projects()
        .list()
        .items()
        .map_ok(|p| p.id)
        .try_collect()
        .await
        .expect("list");
    assert_eq!(listed.len(), 6);
    assert!(!listed.contains(&id));
}

#[tokio::test]
async fn a_bad_project_names_every_bad_field() {
    let (_fake, _v1, client) = start().await;
    let mut bad = project("");
    bad.data_collection = Nullable::Value(DataCollectionId(999));
    bad.configuration = json!(["not", "an", "object"]);
    let body = v2_error(
        client.projects().create(bad).await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&body),
        ["title", "data_collection", "configuration"],
        "{body:?}"
    );
    assert_eq!(
        body.field_messages("data_collection"),
        ["Invalid pk \"999\" - object does not exist."]
    );
}

#[tokio::test]
async fn task_tags_of_a_project_and_its_statistics() {
    let (_fake, _v1, client) = start().await;
    let id = client
        .projects()
        .create(project("Tagged"))
        .await
        .expect("project")
        .id;
    let tags = client.projects().tags(id);
    let mut created = Vec::new();
    for (name, category) in [
        ("night", TaskTagCategory::Project),
        ("rain", TaskTagCategory::Project),
        ("to-export", TaskTagCategory::Export),
    ] {
        let tag = tags
            .create(TaskTagV2CreateRequest {
                name: name.into(),
                category,
                description: Some(format!("{name} frames")),
                meta: Some(json!({"color": "#123456"})),
                extra: Map::new(),
                wire_nulls: Default::default(),
            })
            .await
            .expect("tag");
        assert_request_id(tag.request_id());
        assert_eq!(tag.project_id, id);
        assert_eq!(tag.name, name);
        assert_eq!(tag.description, format!("{name} frames"));
        assert_eq!(tag.meta, json!({"color": "#123456"}));
        created.push(tag.id);
    }
    let all: Vec<_> = tags
        .list()
        .per_page(1)
        .items()
        .map_ok(|t| (t.id, t.name))
        .try_collect()
        .await
        .expect("tags");
    assert_eq!(
        all,
        [
            (created[0], "night".to_owned()),
            (created[1], "rain".to_owned()),
            (created[2], "to-export".to_owned())
        ]
    );
    let exports: Vec<_> = tags
        .list()
        .category("export")
        .items()
        .map_ok(|t| t.category)
        .try_collect()
        .await
        .expect("exports");
    assert_eq!(exports, [TaskTagCategory::Export]);

    let renamed = tags
        .partial_update(created[1])
        .body(PatchedTaskTagV2PartialUpdateRequest {
            name: Some("heavy rain".into()),
            ..Default::default()
        })
        .await
        .expect("renamed");
    assert_eq!(renamed.name, "heavy rain");
    assert_eq!(renamed.description, "rain frames");
    assert_eq!(renamed.category, TaskTagCategory::Project);
    let read = tags.retrieve(created[1]).await.expect("read");
    assert_eq!(read.name, "heavy rain");
    tags.destroy(created[0]).await.expect("deleted");
    v2_error(
        tags.retrieve(created[0]).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    // A tag of another project is not found through this one.
    v2_error(
        client
            .projects()
            .tags(ProjectId(1))
            .retrieve(created[1])
            .await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );

    let stats = client
        .projects()
        .statistics(id)
        .get("class")
        .await
        .expect("class statistics");
    assert_request_id(stats.request_id());
    match stats.into_inner() {
        ProjectStatisticsV2::Class(class) => {
            assert!(class.realtime && class.computed_at.is_some());
            let names: Vec<_> = class
                .results
                .iter()
                .map(|r| r.class_name.as_str())
                .collect();
            assert_eq!(names, ["car", "bus"]);
        }
        other => panic!("class statistics, not {other:?}"),
    }
    match client
        .projects()
        .statistics(id)
        .get("worker")
        .await
        .expect("worker")
        .into_inner()
    {
        ProjectStatisticsV2::Worker(worker) => {
            assert!(worker.results.labeler.is_empty() && worker.results.reviewer.is_empty());
        }
        other => panic!("worker statistics, not {other:?}"),
    }
    let bad = v2_error(
        client.projects().statistics(id).get("mood").await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&bad), ["kind"]);
}
