//! What every resource shares: the plain shape (bare bodies, linked pages) decoding as the
//! envelope does, credentials, and dry runs.

use futures_util::TryStreamExt;
use synapse_backend::models::ProjectId;
use synapse_fake::{FakeConfig, V2Shape};
use synapse_transport::ApiErrorKind;

use crate::projects::project;
use crate::{assert_request_id, start, start_with, v2_client, v2_error};

#[tokio::test]
async fn the_plain_shape_decodes_as_the_envelope_does() {
    let (_fake, _v1, client) = start_with(FakeConfig {
        v2_shape: V2Shape::Plain,
        ..FakeConfig::default()
    })
    .await;
    let created = client
        .projects()
        .create(project("Plain"))
        .await
        .expect("created");
    assert!(!created.is_enveloped());
    assert_eq!(created.status().as_u16(), 201);
    // Without an envelope, the request id comes from the `X-Request-ID` header.
    assert_request_id(created.request_id());
    assert_eq!(created.title, "Plain");
    let read = client.projects().retrieve(created.id).await.expect("read");
    assert_eq!(*read, *created);
    for title in ["Two", "Three"] {
        client.projects().create(project(title)).await.expect("p");
    }
    // Two seeded and three created, two a page, following the `next` links.
    let mut stream = client.projects().list().per_page(2).items();
    let mut titles = Vec::new();
    while let Some(p) = stream.try_next().await.expect("item") {
        titles.push(p.title);
    }
    assert_eq!(titles.len(), 5);
    assert_eq!(&titles[2..], ["Plain", "Two", "Three"]);
    assert_eq!(stream.pages_fetched(), 3);
    let missing = v2_error(
        client.projects().retrieve(ProjectId(999)).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    assert!(missing.details.is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_a_typed_401() {
    let (fake, _v1, _client) = start().await;
    let stranger = v2_client(&fake, "not-the-token");
    let body = v2_error(
        stranger.projects().list().await,
        401,
        ApiErrorKind::Unauthorized,
        "AUTHENTICATION_FAILED",
    );
    assert!(!body.message.is_empty());
    // The same client with the right token reads the same list.
    let right = v2_client(&fake, fake.access_token());
    assert_eq!(
        right.projects().list().await.expect("page").results.len(),
        2
    );
}

#[tokio::test]
async fn a_dry_run_changes_nothing() {
    let (_fake, _v1, client) = start().await;
    let check = client.projects().create(project("Checked")).dry_run();
    let request = check.request().expect("request");
    assert_eq!(request.full_url().query(), Some("dry_run=true"));
    assert!(request.is_idempotent(), "a validation may be replayed");
    let answer = check.await.expect("validated");
    assert_request_id(answer.request_id());
    assert!(answer.dry_run);
    assert_eq!(answer.action, "create");
    assert_eq!(answer.target, None, "a create has no target yet");
    let all: Vec<_> = client
        .projects()
        .list()
        .items()
        .try_collect()
        .await
        .expect("list");
    assert_eq!(all.len(), 2, "nothing created");
    // A dry run of a delete names its target and deletes nothing.
    let id = all[0].id;
    let answer = client
        .projects()
        .destroy(id)
        .dry_run()
        .await
        .expect("validated");
    assert_eq!((answer.dry_run, answer.action.as_str()), (true, "destroy"));
    assert_eq!(answer.target, Some(serde_json::json!(id.0)));
    let kept = client.projects().retrieve(id).await.expect("still there");
    assert_eq!(kept.title, all[0].title);
}
