//! Data collections: created with their file specifications, read back, listed across cursor
//! pages, updated, their groups, a file uploaded through a presigned URL and finalized,
//! deleted, then a typed 404; a bad collection naming every bad field.

use futures_util::TryStreamExt;
use serde_json::{Map, json};
use sha1::{Digest, Sha1};
use synapse_backend::models::v2::{
    AccessLevel, ConfirmUploadFileRequest, ConfirmUploadRequestRequest, DataCollectionCategory,
    DataCollectionFileSpecificationFileType, DataCollectionFileSpecificationV2Request,
    DataCollectionV2CreateRequest, DataGroupV2CreateRequest, PatchedDataCollectionV2UpdateRequest,
    PresignedUploadFileRequestRequest, PresignedUploadRequestRequest,
};
use synapse_backend::models::{DataCollectionId, Nullable};
use synapse_transport::ApiErrorKind;

use crate::{assert_request_id, fields, start, v2_error};

/// A file specification named `name` of `file_type`.
fn spec(
    name: &str,
    file_type: DataCollectionFileSpecificationFileType,
    primary: bool,
) -> DataCollectionFileSpecificationV2Request {
    DataCollectionFileSpecificationV2Request {
        name: name.to_owned(),
        description: Some(format!("{name} of a frame")),
        file_type,
        configuration: None,
        is_sequential: None,
        is_required: Some(primary),
        is_primary: Some(primary),
        function_type: None,
        index: None,
        extra: Map::new(),
        wire_nulls: Default::default(),
    }
}

/// An image collection with an image and a data file per unit.
fn collection(name: &str) -> DataCollectionV2CreateRequest {
    DataCollectionV2CreateRequest {
        name: name.to_owned(),
        description: Some(format!("{name}, raw")),
        category: DataCollectionCategory::Image,
        meta: Some(json!({"source": "dashcam"})),
        caution: None,
        access_level: Some(AccessLevel::Private),
        file_specifications: vec![
            spec(
                "image_1",
                DataCollectionFileSpecificationFileType::Image,
                true,
            ),
            spec(
                "meta_1",
                DataCollectionFileSpecificationFileType::Data,
                false,
            ),
        ],
        extra: Map::new(),
        wire_nulls: Default::default(),
    }
}

/// The lowercase hex SHA-1 of `data` (the checksum the fake's storage verifies).
fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_data_collection_is_created_read_listed_updated_and_deleted() {
    let (_fake, _v1, client) = start().await;
    let created = client
        .data_collections()
        .create(collection("Dashcam frames"))
        .await
        .expect("created");
    let create_id = assert_request_id(created.request_id());
    assert_eq!(created.status().as_u16(), 201);
    let id = created.id;
    assert_ne!(id, DataCollectionId(1), "a new collection");
    assert_eq!(created.name, "Dashcam frames");
    assert_eq!(created.description, "Dashcam frames, raw");
    assert_eq!(created.category, DataCollectionCategory::Image);
    assert_eq!(created.category_display, "Image");
    assert_eq!(created.meta, json!({"source": "dashcam"}));
    assert_eq!(created.access_level, AccessLevel::Private);
    assert!(!created.is_archived);
    assert_eq!(created.count_projects, 0);
    let specs: Vec<_> = created
        .file_specifications
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.file_type.clone(),
                s.file_type_display.as_str(),
                s.is_primary,
            )
        })
        .collect();
    assert_eq!(
        specs,
        [
            (
                "image_1",
                DataCollectionFileSpecificationFileType::Image,
                "Image",
                Some(true)
            ),
            (
                "meta_1",
                DataCollectionFileSpecificationFileType::Data,
                "Data",
                Some(false)
            ),
        ]
    );
    let spec_ids: Vec<i64> = created.file_specifications.iter().map(|s| s.id).collect();

    let read = client.data_collections().retrieve(id).await.expect("read");
    assert_ne!(assert_request_id(read.request_id()), create_id);
    assert_eq!(*read, *created);

    // The fake starts with one collection; five of ours make six, streamed two a page.
    let mut ids = vec![id];
    for name in ["Lidar sweeps", "Audio notes", "Receipts", "Street signs"] {
        let c = client
            .data_collections()
            .create(collection(name))
            .await
            .expect("collection");
        ids.push(c.id);
    }
    let mut stream = client.data_collections().list().per_page(2).items();
    let mut streamed = Vec::new();
    while let Some(c) = stream.try_next().await.expect("item") {
        streamed.push((c.id, c.name, c.count_projects));
    }
    assert_eq!(stream.pages_fetched(), 3);
    assert_eq!(streamed.len(), 6);
    assert_eq!(streamed[0].0, DataCollectionId(1));
    let ours: Vec<DataCollectionId> = streamed[1..].iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ours, ids, "oldest first, each once");
    assert_eq!(
        (streamed[1].1.as_str(), streamed[1].2),
        ("Dashcam frames", 0)
    );
    let first = client
        .data_collections()
        .list()
        .per_page(2)
        .await
        .expect("page");
    assert_eq!(first.results.len(), 2);
    assert!(first.has_next() && first.previous_cursor.is_none());
    let videos: Vec<_> = client
        .data_collections()
        .list()
        .category("video")
        .items()
        .try_collect()
        .await
        .expect("none");
    assert!(videos.is_empty());

    // A partial update changes what it names; the rest (and the specifications) stay.
    let updated = client
        .data_collections()
        .partial_update(id)
        .body(PatchedDataCollectionV2UpdateRequest {
            name: Some("Dashcam frames (night)".into()),
            access_level: Some(AccessLevel::Public),
            ..Default::default()
        })
        .await
        .expect("updated");
    assert_request_id(updated.request_id());
    assert_eq!(updated.name, "Dashcam frames (night)");
    assert_eq!(updated.access_level, AccessLevel::Public);
    assert_eq!(updated.description, "Dashcam frames, raw");
    assert_eq!(updated.category, DataCollectionCategory::Image);
    assert_eq!(
        updated
            .file_specifications
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>(),
        spec_ids
    );
    let read = client.data_collections().retrieve(id).await.expect("read");
    assert_eq!(*read, *updated);

    let gone = client
        .data_collections()
        .destroy(id)
        .await
        .expect("deleted");
    assert_eq!(gone.status().as_u16(), 204);
    assert_request_id(gone.request_id());
    let missing = v2_error(
        client.data_collections().retrieve(id).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    assert!(!missing.message.is_empty() && missing.details.is_empty());
    let left: Vec<_> = client
        .data_collections()
        .list()
        .items()
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .expect("list");
    assert_eq!(left.len(), 5);
    assert!(!left.contains(&id));
    v2_error(
        client.data_collections().groups(id).list().await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn groups_of_a_data_collection() {
    let (_fake, _v1, client) = start().await;
    let id = client
        .data_collections()
        .create(collection("Grouped"))
        .await
        .expect("collection")
        .id;
    let groups = client.data_collections().groups(id);
    let mut created = Vec::new();
    for name in ["left camera", "right camera", "rear camera"] {
        let group = groups
            .create(DataGroupV2CreateRequest {
                name: name.into(),
                extra: Map::new(),
                wire_nulls: Default::default(),
            })
            .await
            .expect("group");
        assert_request_id(group.request_id());
        assert_eq!(group.status().as_u16(), 201);
        assert_eq!(group.data_collection_id, id);
        assert_eq!(group.name, name);
        created.push(group.id);
    }
    let twice = v2_error(
        groups
            .create(DataGroupV2CreateRequest {
                name: "left camera".into(),
                extra: Map::new(),
                wire_nulls: Default::default(),
            })
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        twice.field_messages("name"),
        ["The data collection already has a group named \"left camera\"."]
    );

    let mut stream = groups.list().per_page(2).items();
    let mut all = Vec::new();
    while let Some(g) = stream.try_next().await.expect("group") {
        all.push((g.id, g.name));
    }
    assert_eq!(stream.pages_fetched(), 2);
    assert_eq!(
        all,
        [
            (created[0], "left camera".to_owned()),
            (created[1], "right camera".to_owned()),
            (created[2], "rear camera".to_owned()),
        ]
    );
    let read = groups.retrieve(created[1]).await.expect("read");
    assert_eq!(
        (read.id, read.data_collection_id, read.name.as_str()),
        (created[1], id, "right camera")
    );
    // A group is found only through its own collection.
    v2_error(
        client
            .data_collections()
            .groups(DataCollectionId(1))
            .retrieve(created[1])
            .await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );

    let gone = groups.destroy(created[0]).await.expect("deleted");
    assert_eq!(gone.status().as_u16(), 204);
    v2_error(
        groups.retrieve(created[0]).await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
    let left: Vec<i64> = groups
        .list()
        .items()
        .map_ok(|g| g.id)
        .try_collect()
        .await
        .expect("groups");
    assert_eq!(left, created[1..]);
}

#[tokio::test]
async fn a_file_is_uploaded_through_a_presigned_url_and_finalized() {
    let (_fake, _v1, client) = start().await;
    let id = client
        .data_collections()
        .create(collection("Uploads"))
        .await
        .expect("collection")
        .id;
    let bytes = b"\xff\xd8\xff\xe0 a small jpeg frame".to_vec();
    let size = i64::try_from(bytes.len()).expect("size");
    let reserved = client
        .data_collections()
        .upload_urls(
            id,
            PresignedUploadRequestRequest {
                files: vec![PresignedUploadFileRequestRequest {
                    filename: "Frame_0001.JPG".into(),
                    size,
                    content_type: Some("image/jpeg".into()),
                    extra: Map::new(),
                    wire_nulls: Default::default(),
                }],
                expiration: 600,
                extra: Map::new(),
                wire_nulls: Default::default(),
            },
        )
        .await
        .expect("upload urls");
    assert_request_id(reserved.request_id());
    assert_eq!(reserved.files.len(), 1);
    let file = &reserved.files[0];
    assert_eq!(file.filename, "Frame_0001.JPG");
    assert!(
        file.file_key.starts_with("tenants/1/files/") && file.file_key.ends_with(".jpg"),
        "{}",
        file.file_key
    );
    assert!(file.multipart.is_none(), "a small file is one PUT");
    let url = file.presigned_url.clone().expect("a presigned URL");

    // The bytes go to storage without any Synapse credentials.
    let put = reqwest::Client::new()
        .put(&url)
        .body(bytes.clone())
        .send()
        .await
        .expect("PUT");
    assert_eq!(put.status().as_u16(), 200);

    let confirm = |checksum: String| ConfirmUploadRequestRequest {
        files: vec![ConfirmUploadFileRequest {
            file_key: file.file_key.clone(),
            checksum,
            size,
            multipart: Nullable::Absent,
            extra: Map::new(),
            wire_nulls: Default::default(),
        }],
        extra: Map::new(),
        wire_nulls: Default::default(),
    };
    let finalized = client
        .data_collections()
        .finalize_upload(id, confirm(sha1_hex(&bytes)))
        .await
        .expect("finalized");
    assert_request_id(finalized.request_id());
    assert_eq!(
        (finalized.created_count, finalized.failed_count),
        (1, 0),
        "{finalized:?}"
    );
    let result = &finalized.results[0];
    assert_eq!(result.file_key, file.file_key);
    assert_eq!(result.checksum, sha1_hex(&bytes));
    assert!(result.success && result.created && result.error.is_none());
    let data_file = result.data_file_id.expect("a data file");
    // Content-addressed: the same file again is the same data file, not a new one.
    let again = client
        .data_collections()
        .finalize_upload(id, confirm(sha1_hex(&bytes)))
        .await
        .expect("again");
    assert_eq!(again.results[0].data_file_id, Some(data_file));
    assert!(again.results[0].success && !again.results[0].created);

    // A wrong checksum fails that file (the call itself answers 200).
    let reserved = client
        .data_collections()
        .upload_urls(
            id,
            PresignedUploadRequestRequest {
                files: vec![PresignedUploadFileRequestRequest {
                    filename: "notes.txt".into(),
                    size: 5,
                    content_type: None,
                    extra: Map::new(),
                    wire_nulls: Default::default(),
                }],
                expiration: 3600,
                extra: Map::new(),
                wire_nulls: Default::default(),
            },
        )
        .await
        .expect("upload urls");
    let other = &reserved.files[0];
    let put = reqwest::Client::new()
        .put(other.presigned_url.as_deref().expect("url"))
        .body(&b"hello"[..])
        .send()
        .await
        .expect("PUT");
    assert_eq!(put.status().as_u16(), 200);
    let wrong = client
        .data_collections()
        .finalize_upload(
            id,
            ConfirmUploadRequestRequest {
                files: vec![ConfirmUploadFileRequest {
                    file_key: other.file_key.clone(),
                    checksum: sha1_hex(b"olleh"),
                    size: 5,
                    multipart: Nullable::Absent,
                    extra: Map::new(),
                    wire_nulls: Default::default(),
                }],
                extra: Map::new(),
                wire_nulls: Default::default(),
            },
        )
        .await
        .expect("answered");
    assert_eq!((wrong.created_count, wrong.failed_count), (0, 1));
    let failed = &wrong.results[0];
    assert!(!failed.success && failed.data_file_id.is_none());
    assert_eq!(
        failed.error.as_deref(),
        Some(
            format!(
                "Checksum mismatch: the stored content's SHA-1 is {}.",
                sha1_hex(b"hello")
            )
            .as_str()
        )
    );

    // Bad reservations name every bad field; an unknown collection is a 404.
    let bad = v2_error(
        client
            .data_collections()
            .upload_urls(
                id,
                PresignedUploadRequestRequest {
                    files: vec![PresignedUploadFileRequestRequest {
                        filename: "x.bin".into(),
                        size: 0,
                        content_type: None,
                        extra: Map::new(),
                        wire_nulls: Default::default(),
                    }],
                    expiration: 30,
                    extra: Map::new(),
                    wire_nulls: Default::default(),
                },
            )
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&bad), ["expiration", "files[0].size"], "{bad:?}");
    v2_error(
        client
            .data_collections()
            .upload_urls(DataCollectionId(999), reserved_like("a.txt"))
            .await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
}

/// A valid one-file reservation.
fn reserved_like(filename: &str) -> PresignedUploadRequestRequest {
    PresignedUploadRequestRequest {
        files: vec![PresignedUploadFileRequestRequest {
            filename: filename.into(),
            size: 1,
            content_type: None,
            extra: Map::new(),
            wire_nulls: Default::default(),
        }],
        expiration: 3600,
        extra: Map::new(),
        wire_nulls: Default::default(),
    }
}

#[tokio::test]
async fn a_bad_data_collection_names_every_bad_field() {
    let (_fake, _v1, client) = start().await;
    let mut bad = collection("");
    bad.meta = Some(json!(["not", "an", "object"]));
    bad.file_specifications = vec![
        spec(
            "frame",
            DataCollectionFileSpecificationFileType::Image,
            true,
        ),
        spec(
            "frame",
            DataCollectionFileSpecificationFileType::Data,
            false,
        ),
    ];
    let body = v2_error(
        client.data_collections().create(bad).await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&body),
        ["name", "meta", "file_specifications[1].name"],
        "{body:?}"
    );
    assert_eq!(
        body.field_messages("file_specifications[1].name"),
        ["The name \"frame\" is used twice."]
    );
    // Nothing was created.
    let all: Vec<_> = client
        .data_collections()
        .list()
        .items()
        .try_collect()
        .await
        .expect("list");
    assert_eq!(all.len(), 1);
    // A patch is checked the same way.
    let patch = v2_error(
        client
            .data_collections()
            .partial_update(DataCollectionId(1))
            .body(PatchedDataCollectionV2UpdateRequest {
                name: Some(String::new()),
                meta: Some(json!(7)),
                ..Default::default()
            })
            .await,
        400,
        ApiErrorKind::BadRequest,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&patch), ["name", "meta"]);
    v2_error(
        client
            .data_collections()
            .partial_update(DataCollectionId(999))
            .body(PatchedDataCollectionV2UpdateRequest::default())
            .await,
        404,
        ApiErrorKind::NotFound,
        "NOT_FOUND",
    );
}
