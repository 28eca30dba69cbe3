//! The v2 client against the fake over real HTTP: the multipart uploads the document requires
//! (`POST /v2/plugin-releases/` refuses JSON with a 415).

use serde_json::json;
use synapse_backend::models::PluginId;
use synapse_backend::models::v2::{
    PluginCategory, PluginReleaseV2CreateRequest, PluginV2CreateRequest,
};
use synapse_backend::v2::BackendV2Client;
use synapse_backend::{ApiErrorKind, Error, RetryPolicy};
use synapse_fake::FakeServer;

fn client(fake: &FakeServer) -> BackendV2Client {
    BackendV2Client::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

/// A plugin created from JSON (no file), for the releases to belong to.
async fn plugin(client: &BackendV2Client, code: &str) -> PluginId {
    let body: PluginV2CreateRequest = serde_json::from_value(json!({
        "code": code, "name": code.to_uppercase(), "category": "neural_net", "version": "0.1.0",
    }))
    .expect("body");
    assert_eq!(body.category, PluginCategory::NeuralNet);
    client.plugins().create(body).await.expect("plugin").id
}

/// A release's fields (the archive is the call's argument).
fn release_body(
    plugin: PluginId,
    version: &str,
    sha256: Option<String>,
) -> PluginReleaseV2CreateRequest {
    PluginReleaseV2CreateRequest {
        plugin,
        version: version.to_owned(),
        sha256,
        extra: serde_json::Map::new(),
        wire_nulls: Default::default(),
    }
}

#[tokio::test]
async fn a_release_uploads_its_archive_as_multipart_with_the_computed_sha256() {
    let fake = FakeServer::start().await.expect("fake");
    let client = client(&fake);
    let plugin = plugin(&client, "yolo").await;
    let dir = tempfile::tempdir().expect("tmp");
    let archive = dir.path().join("yolo-1.0.0.zip");
    std::fs::write(&archive, b"PK\x03\x04 a plugin archive").expect("archive");

    // No `sha256`: the client computes it, and the fake checks it against the archive.
    let body = release_body(plugin, "1.0.0", None);
    let release = client
        .plugin_releases()
        .create(&archive, body)
        .await
        .expect("release");
    assert_eq!(
        (release.plugin_id, release.version.as_str()),
        (plugin, "1.0.0")
    );

    // A wrong digest given by the caller is sent as given, and refused.
    let body = release_body(plugin, "2.0.0", Some("0".repeat(64)));
    let err = client
        .plugin_releases()
        .create(&archive, body)
        .await
        .expect_err("wrong digest");
    match err {
        Error::Api(api) => {
            assert_eq!(
                (api.status.as_u16(), api.kind),
                (400, ApiErrorKind::BadRequest)
            );
        }
        other => panic!("not an API error: {other:?}"),
    }

    // A missing archive fails before anything is sent.
    let before = fake.calls().len();
    let err = client
        .plugin_releases()
        .create(
            dir.path().join("missing.zip"),
            release_body(plugin, "3.0.0", None),
        )
        .await
        .expect_err("missing archive");
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert_eq!(fake.calls().len(), before);
}
