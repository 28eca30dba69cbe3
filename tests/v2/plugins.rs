//! Plugins and their releases: a plugin created from JSON (its first release bootstrapped), a
//! code in use a 409, updated, listed; releases uploaded as multipart archives with the
//! client's SHA-256, read, listed by plugin, released, refused deletion while a job runs on
//! them, deleted, then typed 404s.

use std::time::Duration;

use futures_util::TryStreamExt;
use serde_json::{Map, json};
use synapse_backend::models::v2::{
    JobStatus, PatchedPluginV2UpdateRequest, PluginCategory, PluginReleaseV2CreateRequest,
    PluginSource, PluginV2CreateRequest,
};
use synapse_backend::models::{Nullable, PluginId, PluginReleaseId};
use synapse_fake::FakeConfig;
use synapse_transport::ApiErrorKind;

use crate::jobs::run_train;
use crate::{assert_request_id, fields, start, start_with, v2_error};

/// A JSON plugin body (no archive: the first release is scaffolded at `0.1.0`).
fn plugin(code: &str, name: &str) -> PluginV2CreateRequest {
    PluginV2CreateRequest {
        code: code.to_owned(),
        name: name.to_owned(),
        category: PluginCategory::NeuralNet,
        description: Some(format!("{name} for street scenes")),
        source: PluginSource::Scaffold,
        version: "0.1.0".to_owned(),
        data_type: Nullable::Absent,
        tasks: Some(vec!["object_detection".to_owned()]),
        annotation_category: Nullable::Absent,
        annotation_type: Nullable::Absent,
        smart_tool_type: Nullable::Absent,
        supported_data_types: None,
        readme: None,
        debug: false,
        meta: None,
        extra: Map::new(),
        wire_nulls: Default::default(),
    }
}

/// A release's fields (the archive is the call's argument; the client computes `sha256`).
fn release(plugin: PluginId, version: &str) -> PluginReleaseV2CreateRequest {
    PluginReleaseV2CreateRequest {
        plugin,
        version: version.to_owned(),
        sha256: None,
        extra: Map::new(),
        wire_nulls: Default::default(),
    }
}

#[tokio::test]
async fn a_plugin_is_created_updated_and_listed() {
    let (_fake, _v1, client) = start().await;
    let created = client
        .plugins()
        .create(plugin("detector", "Detector"))
        .await
        .expect("created");
    assert_request_id(created.request_id());
    assert_eq!(created.status().as_u16(), 201);
    let id = created.id;
    assert_eq!(created.code, "detector");
    assert_eq!(created.name, "Detector");
    assert_eq!(created.category, PluginCategory::NeuralNet);
    assert_eq!(created.description, "Detector for street scenes");
    assert!(created.is_active && !created.system_only && !created.is_public);
    let bootstrap = created.release.clone().expect("the first release");
    assert_eq!(
        (bootstrap.version.as_str(), bootstrap.is_released),
        ("0.1.0", false)
    );

    // A code in use is a conflict, typed, naming the field.
    let twice = v2_error(
        client
            .plugins()
            .create(plugin("detector", "Another detector"))
            .await,
        409,
        ApiErrorKind::Conflict,
        "CONFLICT",
    );
    assert_eq!(fields(&twice), ["code"]);
    assert_eq!(
        twice.message,
        "A plugin with the code \"detector\" already exists."
    );

    let updated = client
        .plugins()
        .partial_update(id)
        .body(PatchedPluginV2UpdateRequest {
            name: Some("Detector v2".into()),
            description: Some(String::new()),
            ..Default::default()
        })
        .await
        .expect("updated");
    assert_request_id(updated.request_id());
    assert_eq!(updated.name, "Detector v2");
    assert_eq!(updated.description, "");
    let read = client.plugins().retrieve(id).await.expect("read");
    assert_eq!(*read, *updated);
    assert_eq!(
        (read.code.as_str(), read.category.clone()),
        ("detector", PluginCategory::NeuralNet),
        "the identity stays"
    );

    let mut ids = vec![id];
    for (code, category) in [("exporter", "export"), ("segmenter", "neural_net")] {
        let mut body = plugin(code, code);
        body.category = serde_json::from_value(json!(category)).expect("category");
        ids.push(client.plugins().create(body).await.expect("plugin").id);
    }
    let mut stream = client.plugins().list().per_page(2).items();
    let mut listed = Vec::new();
    while let Some(p) = stream.try_next().await.expect("plugin") {
        listed.push((p.id, p.code));
    }
    assert_eq!(stream.pages_fetched(), 2);
    assert_eq!(
        listed,
        [
            (ids[0], "detector".to_owned()),
            (ids[1], "exporter".to_owned()),
            (ids[2], "segmenter".to_owned()),
        ]
    );
    let nets: Vec<PluginId> = client
        .plugins()
        .list()
        .category("neural_net")
        .items()
        .map_ok(|p| p.id)
        .try_collect()
        .await
        .expect("neural nets");
    assert_eq!(nets, [ids[0], ids[2]]);

    v2_error(
        client.plugins().retrieve(PluginId(999_999)).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    let bad = v2_error(
        client
            .plugins()
            .partial_update(id)
            .body(PatchedPluginV2UpdateRequest {
                name: Some(String::new()),
                ..Default::default()
            })
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&bad), ["name"]);
}

#[tokio::test]
async fn releases_are_uploaded_released_and_deleted_unless_in_use() {
    let (_fake, v1, client) = start_with(FakeConfig {
        job_duration: Duration::from_secs(30),
        ..FakeConfig::default()
    })
    .await;
    let created = client
        .plugins()
        .create(plugin("trainer", "Trainer"))
        .await
        .expect("plugin");
    let plugin_id = created.id;
    let bootstrap = PluginReleaseId(created.release.clone().expect("release").id);
    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("trainer-1.0.0.zip");
    std::fs::write(&archive, b"PK\x03\x04 the trainer's archive").expect("archive");

    let made = client
        .plugin_releases()
        .create(&archive, release(plugin_id, "1.0.0"))
        .await
        .expect("release");
    assert_request_id(made.request_id());
    assert_eq!(made.status().as_u16(), 201);
    let id = made.id;
    assert_eq!(
        (made.plugin_id, made.version.as_str()),
        (plugin_id, "1.0.0")
    );
    assert_eq!(
        (
            made.plugin.id,
            made.plugin.code.as_str(),
            made.plugin.name.as_str()
        ),
        (plugin_id, "trainer", "Trainer")
    );
    assert_eq!(made.author_id, made.author.id);
    assert!(!made.is_released && !made.debug);
    let read = client.plugin_releases().retrieve(id).await.expect("read");
    assert_eq!(*read, *made);

    // The same version again is a conflict.
    let twice = v2_error(
        client
            .plugin_releases()
            .create(&archive, release(plugin_id, "1.0.0"))
            .await,
        409,
        ApiErrorKind::Conflict,
        "CONFLICT",
    );
    assert_eq!(fields(&twice), ["version"]);

    let listed: Vec<_> = client
        .plugin_releases()
        .list()
        .plugin(plugin_id)
        .per_page(1)
        .items()
        .map_ok(|r| (r.id, r.version, r.is_released))
        .try_collect()
        .await
        .expect("releases");
    assert_eq!(
        listed,
        [
            (bootstrap, "0.1.0".to_owned(), false),
            (id, "1.0.0".to_owned(), false)
        ]
    );

    // Released: locked, and again is the same answer.
    let released = client
        .plugin_releases()
        .release(id)
        .await
        .expect("released");
    assert_request_id(released.request_id());
    assert!(released.is_released);
    assert_eq!(released.version, "1.0.0");
    let again = client.plugin_releases().release(id).await.expect("again");
    assert!(again.is_released);
    assert!(
        client
            .plugin_releases()
            .retrieve(id)
            .await
            .expect("read")
            .is_released
    );

    // A running job uses the newest release: it cannot go until the job ends.
    let job = run_train(&v1, plugin_id).await;
    let in_use = v2_error(
        client.plugin_releases().destroy(id).await,
        409,
        ApiErrorKind::Conflict,
        "CONFLICT",
    );
    assert_eq!(
        in_use.message,
        "The release is in use: 1 job(s) running on it."
    );
    let stopped = client.jobs().stop(job).await.expect("stopped");
    assert_eq!(stopped.status, JobStatus::Stopped);
    let gone = client.plugin_releases().destroy(id).await.expect("deleted");
    assert_eq!(gone.status().as_u16(), 204);
    assert_request_id(gone.request_id());
    v2_error(
        client.plugin_releases().retrieve(id).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    v2_error(
        client.plugin_releases().release(id).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    let left: Vec<PluginReleaseId> = client
        .plugin_releases()
        .list()
        .plugin(plugin_id)
        .items()
        .map_ok(|r| r.id)
        .try_collect()
        .await
        .expect("releases");
    assert_eq!(left, [bootstrap]);

    // A release of an unknown plugin names the field.
    let bad = v2_error(
        client
            .plugin_releases()
            .create(&archive, release(PluginId(999_999), "1.0.0"))
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        bad.field_messages("plugin"),
        ["Invalid pk \"999999\" - object does not exist."]
    );
}
