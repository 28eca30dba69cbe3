//! Open enums, identifiers, secrets, pages, lossless structs and JSON Schemas.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use synapse_models::*;

#[test]
fn unknown_enum_values_and_fields_round_trip() {
    let input = json!({"id": "j1", "status": "ARCHIVED", "surprise": {"a": [1, 2]}});
    let job: Job = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(job.status, Some(JobStatus::from("ARCHIVED")));
    assert_eq!(job.status.as_ref().unwrap().as_str(), "ARCHIVED");
    assert_eq!(serde_json::to_value(&job).unwrap(), input);

    let input = json!({"id": 1, "name": "B2", "category": "external", "provider": "backblaze", "configuration": {}});
    let storage: Storage = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(storage.provider, Some(StorageProvider::from("backblaze")));
    assert_eq!(serde_json::to_value(&storage).unwrap(), input);
}

#[test]
fn aliases_reserialise_canonically() {
    let job: Job = serde_json::from_value(json!({"status": "completed"})).unwrap();
    assert_eq!(job.status, Some(JobStatus::Succeeded));
    assert_eq!(
        serde_json::to_value(&job).unwrap(),
        json!({"status": "SUCCEEDED"})
    );
    for (alias, expected) in [
        ("queued", JobStatus::Pending),
        ("Queued", JobStatus::Pending),
        ("pending", JobStatus::Pending),
        ("running", JobStatus::Running),
        ("Stopped", JobStatus::Stopped),
        ("succeeded", JobStatus::Succeeded),
        ("COMPLETED", JobStatus::Succeeded),
        ("failed", JobStatus::Failed),
    ] {
        assert_eq!(JobStatus::from(alias), expected, "{alias}");
    }

    let storage: Storage =
        serde_json::from_value(json!({"provider": "AMAZON_S3", "category": "INTERNAL"})).unwrap();
    assert_eq!(storage.provider, Some(StorageProvider::AmazonS3));
    assert_eq!(storage.category, Some(StorageCategory::Internal));
    assert_eq!(
        serde_json::to_value(&storage).unwrap(),
        json!({"provider": "amazon_s3", "category": "internal"})
    );
    assert_eq!(LogLevel::from("INFO"), LogLevel::Info);
    assert_eq!(LogLevel::from("Warning").as_str(), "warning");
    // Exact-match enums keep other spellings verbatim.
    assert_eq!(PluginCategory::from("NEURAL_NET").as_str(), "NEURAL_NET");
    assert!(PluginCategory::from("data_processing").is_unknown());
    assert_eq!(
        AnnotationTool::from("annotationGroup"),
        AnnotationTool::AnnotationGroup
    );
    assert_eq!(AnnotationTool::BoundingBox3d.as_str(), "3d_bounding_box");
}

#[test]
fn enum_helpers() {
    assert!(JobStatus::Failed.is_terminal());
    assert!(JobStatus::Stopped.is_terminal());
    assert!(!JobStatus::Running.is_terminal());
    assert!(!JobStatus::from("ARCHIVED").is_terminal());
    assert_eq!(JobStatus::Succeeded.to_string(), "SUCCEEDED");
    assert_eq!("running".parse::<JobStatus>(), Ok(JobStatus::Running));
    assert_eq!(JobStatus::KNOWN.len(), 5);

    assert_eq!(StorageProvider::AmazonS3.registry_key(), Some("s3"));
    assert_eq!(StorageProvider::Minio.registry_key(), Some("s3"));
    assert_eq!(StorageProvider::FileSystem.registry_key(), Some("local"));
    assert_eq!(StorageProvider::Gcp.registry_key(), Some("gcs"));
    assert_eq!(StorageProvider::Azure.registry_key(), None);
    assert!(StorageProvider::Azure.supports_presigned_upload());
    assert!(StorageProvider::from("s3").supports_presigned_upload());
    assert!(!StorageProvider::Sftp.supports_presigned_upload());

    assert!(AgentStatus::from("CONNECTED").is_connected());
    assert!(ServeApplicationStatus::Unhealthy.is_failed());
    assert!(!ServeApplicationStatus::Deploying.is_failed());
    assert_eq!(LogLevel::default(), LogLevel::Info);
    assert_eq!(RunMethod::default(), RunMethod::Task);
    assert_eq!(ChunkedUploadStatus::from(7).as_i64(), 7);
    assert_eq!(
        serde_json::to_value(ChunkedUploadStatus::from(9)).unwrap(),
        json!(9)
    );
    assert_eq!(JobErrorType::UnknownError.as_str(), "unknown");
}

#[test]
fn ids_and_int_or_string() {
    let id: ProjectId = serde_json::from_value(json!(17)).unwrap();
    assert_eq!(id, ProjectId(17));
    assert_eq!(id.get(), 17);
    assert_eq!(id.to_string(), "17");
    assert_eq!(serde_json::to_value(id).unwrap(), json!(17));
    assert!(serde_json::from_value::<ProjectId>(json!("17")).is_err());

    let int: JobId = serde_json::from_value(json!(42)).unwrap();
    let text: JobId = serde_json::from_value(json!("42")).unwrap();
    assert_ne!(int, text);
    assert_eq!(serde_json::to_value(&int).unwrap(), json!(42));
    assert_eq!(serde_json::to_value(&text).unwrap(), json!("42"));
    assert_eq!(int.to_string(), "42");
    assert_eq!(ChunkedUploadId::from("f64ebd67").to_string(), "f64ebd67");
    assert!(serde_json::from_value::<IntOrString>(json!(1.5)).is_err());

    assert!(PluginCode::new("yolov8").is_ok());
    assert!(PluginCode::new("my_plugin-2").is_ok());
    assert!(matches!(
        PluginCode::new("bad code"),
        Err(ModelError::InvalidPluginCode(_))
    ));
    assert!(PluginCode::new("").is_err());
    assert!(PluginCode::new("a/b").is_err());
    // Decoding accepts any string.
    let lax: PluginCode = serde_json::from_value(json!("team/yolo v8")).unwrap();
    assert_eq!(lax.as_str(), "team/yolo v8");

    assert_eq!(PluginRef::from(12).to_string(), "12");
    assert_eq!(
        PluginRef::from(PluginCode::new("yolov8").unwrap()).to_string(),
        "yolov8"
    );
    assert_eq!(
        serde_json::to_value(PluginRef::from(12)).unwrap(),
        json!(12)
    );
}

#[test]
fn release_lookup() {
    let by_code: ReleaseLookup = "yolov8@1.0.0".parse().unwrap();
    assert_eq!(by_code.as_str(), "yolov8@1.0.0");
    assert_eq!(by_code.code_version(), Some(("yolov8", "1.0.0")));
    assert_eq!(by_code.id(), None);
    let by_id: ReleaseLookup = "123".parse().unwrap();
    assert_eq!(by_id.id(), Some(123));
    assert_eq!(ReleaseLookup::from_id(123), by_id);
    assert_eq!(
        ReleaseLookup::from_code_version("yolov8", "1.0.0").unwrap(),
        by_code
    );
    assert_eq!(
        serde_json::to_value(&by_code).unwrap(),
        json!("yolov8@1.0.0")
    );

    assert_eq!("".parse::<ReleaseLookup>(), Err(ReleaseLookupError::Empty));
    assert!(matches!(
        "@1.0".parse::<ReleaseLookup>(),
        Err(ReleaseLookupError::EmptyCode(_))
    ));
    assert!(matches!(
        "yolov8@".parse::<ReleaseLookup>(),
        Err(ReleaseLookupError::EmptyVersion(_))
    ));
    assert!(matches!(
        "a@b@c".parse::<ReleaseLookup>(),
        Err(ReleaseLookupError::ExtraAt(_))
    ));
    assert!(matches!(
        "abc".parse::<ReleaseLookup>(),
        Err(ReleaseLookupError::NotNumeric(_))
    ));
    assert!(ReleaseLookup::from_code_version("", "1").is_err());
    let err: ModelError = "abc".parse::<ReleaseLookup>().unwrap_err().into();
    assert!(err.to_string().contains("abc"));
    assert!(serde_json::from_value::<ReleaseLookup>(json!("a@b@c")).is_err());
}

const SECRET_KEY: &str = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "3f2a9c1b7e4d5a6f8b0c1d2e3f4a5b6c7d8e9f0a";

#[test]
fn secrets_never_printed() {
    let storage: Storage = serde_json::from_value(json!({
        "id": 3, "provider": "amazon_s3",
        "configuration": {"bucket_name": "b", "access_key": "AKIAEXAMPLEACCESS01", "secret_key": SECRET_KEY}
    }))
    .unwrap();
    let debug = format!("{storage:?} {storage:#?}");
    assert!(!debug.contains(SECRET_KEY), "{debug}");
    assert!(!debug.contains("AKIAEXAMPLEACCESS01"));
    let config = storage.configuration.as_ref().unwrap();
    assert!(!format!("{config:?} {config}").contains(SECRET_KEY));
    assert_eq!(config.expose()["secret_key"], json!(SECRET_KEY));
    let s3: S3Config = storage.configuration_as().unwrap();
    assert!(!format!("{s3:?}").contains(SECRET_KEY));
    let sftp: SftpConfig =
        serde_json::from_value(json!({"host": "h", "username": "u", "password": "hunter2"}))
            .unwrap();
    assert!(!format!("{sftp:?}").contains("hunter2"));
    assert_eq!(sftp.port, 22);
    assert_eq!(sftp.root_path, "/");

    let token = AgentToken::new(TOKEN);
    assert_eq!(format!("{token}"), "***");
    assert!(!format!("{token:?}").contains(TOKEN));
    assert_eq!(token.expose(), TOKEN);
    assert_eq!(serde_json::to_value(&token).unwrap(), json!(TOKEN));

    let agent: Agent = serde_json::from_value(json!({
        "id": 1, "name": "a", "token": TOKEN,
        "node_install_script": format!("curl https://h/agents/{TOKEN}/node_install_script | sh")
    }))
    .unwrap();
    let debug = format!("{agent:?} {agent:#?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert_eq!(agent.effective_token().unwrap().expose(), TOKEN);

    let session: StorageSession = serde_json::from_value(json!({"provider": "gcp", "configuration": {"credentials": {"private_key": SECRET_KEY}, "bucket_name": "b"}})).unwrap();
    assert!(!format!("{session:?}").contains(SECRET_KEY));
    let gcs: GcsConfig = session.configuration_as().unwrap();
    assert!(!format!("{gcs:?}").contains(SECRET_KEY));
}

#[test]
fn pages() {
    let bare: Page<Storage> = serde_json::from_slice(br#"[{"id": 1}, {"id": 2}]"#).unwrap();
    assert_eq!(bare.count, Some(2));
    assert_eq!(bare.next, None);
    assert_eq!(bare.previous, None);
    assert!(bare.extra.is_empty());
    assert_eq!(bare.results[1].id, Some(StorageId(2)));

    let err = serde_json::from_slice::<Page<Job>>(br#"{"count": 0, "next": null}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `results`"), "{err}");

    let page: Page<Value> =
        serde_json::from_slice(br#"{"results": [1, "x"], "links": {"self": "/a"}}"#).unwrap();
    assert_eq!(page.count, None);
    assert_eq!(page.total(), 0);
    assert!(!page.has_next());
    assert_eq!(page.extra["links"], json!({"self": "/a"}));
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        json!({"next": null, "previous": null, "results": [1, "x"], "links": {"self": "/a"}})
    );
    assert!(serde_json::from_slice::<Page<Job>>(br#"{"results": [], "results": []}"#).is_err());
    assert!(serde_json::from_slice::<Page<Job>>(b"3").is_err());
    let mapped = page.map(|v| v.to_string());
    assert_eq!(mapped.results, vec!["1".to_owned(), "\"x\"".to_owned()]);
}

#[test]
fn wire_struct_semantics() {
    // null and absent both decode to None; the null is remembered so it round-trips.
    let job: Job = serde_json::from_value(json!({"completed": null})).unwrap();
    assert_eq!(job.completed, None);
    assert_eq!(
        serde_json::to_value(&job).unwrap(),
        json!({"completed": null})
    );
    let absent: Job = serde_json::from_value(json!({})).unwrap();
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));

    // Setting a field after reading a null writes the value, once.
    let mut job = job;
    job.completed = Some(Timestamp::from("2026-06-11T04:10:00Z"));
    assert_eq!(
        serde_json::to_string(&job).unwrap(),
        r#"{"completed":"2026-06-11T04:10:00Z"}"#
    );

    // Known fields first (declaration order), then extra keys.
    let mut plugin = Plugin {
        id: Some(PluginId(1)),
        code: Some(PluginCode::new("x").unwrap()),
        ..Plugin::default()
    };
    plugin.extra.insert("zzz".into(), json!(1));
    assert_eq!(
        serde_json::to_string(&plugin).unwrap(),
        r#"{"id":1,"code":"x","zzz":1}"#
    );

    let dup = serde_json::from_str::<Job>(r#"{"id": 1, "id": 2}"#).unwrap_err();
    assert!(dup.to_string().contains("duplicate field `id`"), "{dup}");
    assert!(serde_json::from_str::<Job>("[1]").is_err());
    assert!(serde_json::from_str::<Job>(r#"{"id": true}"#).is_err());

    // Escaped keys (not borrowable) still match.
    let escaped: Job = serde_json::from_str(r#"{"st\u0061tus": "FAILED"}"#).unwrap();
    assert_eq!(escaped.status, Some(JobStatus::Failed));

    // Timestamps keep any string verbatim.
    let odd: JobLog = serde_json::from_value(json!({"datetime": "not a date"})).unwrap();
    assert_eq!(odd.datetime.as_ref().unwrap().as_str(), "not a date");
    assert!(odd.datetime.unwrap().parse().is_err());
}

#[test]
fn schemas() {
    let schema = serde_json::to_value(schemars::schema_for!(JobStatus)).unwrap();
    let known = schema.pointer("/anyOf/0/enum").unwrap();
    assert_eq!(
        known,
        &json!(["PENDING", "RUNNING", "STOPPED", "SUCCEEDED", "FAILED"])
    );
    assert_eq!(schema.pointer("/anyOf/1"), Some(&json!({"type": "string"})));
    assert!(
        schema["description"]
            .as_str()
            .unwrap()
            .contains("unknown values are accepted")
    );

    let job = serde_json::to_value(schemars::schema_for!(Job)).unwrap();
    assert_eq!(job["type"], json!("object"));
    assert!(job.get("required").is_none(), "{job:#}");
    assert_eq!(job.get("additionalProperties"), Some(&json!(true)));
    let props = job["properties"].as_object().unwrap();
    assert!(props.contains_key("status"));
    assert!(props.contains_key("plugin_release"));
    assert!(!props.contains_key("extra"));
    assert!(!props.contains_key("event_type"));

    let tail = serde_json::to_value(schemars::schema_for!(TailEvent)).unwrap();
    assert!(tail["properties"].as_object().unwrap().contains_key("type"));

    let page = serde_json::to_value(schemars::schema_for!(Page<Job>)).unwrap();
    assert_eq!(page.pointer("/anyOf/0/required"), Some(&json!(["results"])));

    let ts = serde_json::to_value(schemars::schema_for!(Timestamp)).unwrap();
    assert_eq!(ts["format"], json!("date-time"));
    let id = serde_json::to_value(schemars::schema_for!(AgentId)).unwrap();
    assert_eq!(id["type"], json!("integer"));

    // Every public model has a schema.
    let _ = (
        schemars::schema_for!(Storage),
        schemars::schema_for!(StorageSession),
        schemars::schema_for!(Agent),
        schemars::schema_for!(PluginRelease),
        schemars::schema_for!(PluginConfig),
        schemars::schema_for!(ConsoleLogs),
        schemars::schema_for!(ChunkedUploadState),
        schemars::schema_for!(ChunkedUploadFinalizeResponse),
        schemars::schema_for!(ServeApplication),
        schemars::schema_for!(ErrorBody),
        schemars::schema_for!(PluginRunRequest),
        schemars::schema_for!(UpdateJobRequest),
        schemars::schema_for!(ReleaseLookup),
        schemars::schema_for!(LogEntry),
        schemars::schema_for!(RunDebugPluginReleaseRequest),
    );
}

#[test]
fn storage_session_request_defaults_to_read_and_plugin_ref_from_str() {
    let req: synapse_models::StorageSessionRequest = serde_json::from_str("{}").unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        serde_json::json!({"purpose": "read"})
    );
    assert_eq!(
        synapse_models::PluginRef::from("yolov8").to_string(),
        "yolov8"
    );
}

#[test]
fn relations_keep_any_shape_the_server_renders() {
    use synapse_models::{Job, PluginRefOrObject, PluginRelease, Ref};
    let body = serde_json::json!({
        "id": "j1",
        "status": "RUNNING",
        "plugin_release": "plugin-13@1.3.2",
        "agent": {"id": "not-an-int", "name": 7},
    });
    let job: Job = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        job.plugin_release,
        Some(Ref::Other(serde_json::json!("plugin-13@1.3.2")))
    );
    assert!(matches!(job.agent, Some(Ref::Other(_))));
    assert_eq!(job.release_id(), None);
    assert_eq!(
        serde_json::to_value(&job).unwrap(),
        body,
        "written back unchanged"
    );
    // Ids and objects still decode as before.
    let job: Job = serde_json::from_value(serde_json::json!({
        "plugin_release": {"id": 5, "version": "1.0.0"}, "agent": 3
    }))
    .unwrap();
    assert_eq!(job.release_id().map(|r| r.0), Some(5));
    assert_eq!(job.agent.as_ref().and_then(Ref::id), Some(3));
    // An integer too large for an id is kept too.
    let r: Ref<Job> = serde_json::from_str("18446744073709551615").unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), "18446744073709551615");
    let release: PluginRelease =
        serde_json::from_value(serde_json::json!({"plugin": [1, 2]})).unwrap();
    assert_eq!(
        release.plugin,
        Some(PluginRefOrObject::Other(serde_json::json!([1, 2])))
    );
}

#[test]
fn unknown_enum_values_are_opaque_and_round_trip() {
    let status: JobStatus = serde_json::from_value(json!("ARCHIVED")).unwrap();
    assert!(status.is_unknown());
    // The payload is read, never built: `as_str`, `Display`, `Debug`.
    let JobStatus::Unknown(value) = &status else {
        panic!("{status:?} is known");
    };
    assert_eq!(value.as_str(), "ARCHIVED");
    assert_eq!(value.to_string(), "ARCHIVED");
    assert_eq!(format!("{value:?}"), r#"UnknownValue("ARCHIVED")"#);
    assert_eq!(
        format!("{status:?}"),
        r#"Unknown(UnknownValue("ARCHIVED"))"#
    );
    // Values come from decoding, `From<&str>`, `From<String>` and `FromStr`, all equal.
    let parsed: JobStatus = "ARCHIVED".parse().unwrap();
    let from_string = JobStatus::from(String::from("ARCHIVED"));
    assert_eq!(status, parsed);
    assert_eq!(status, from_string);
    assert_eq!(status.clone(), JobStatus::from("ARCHIVED"));
    assert_ne!(status, JobStatus::from("archived"));
    let set: std::collections::HashSet<JobStatus> = [status.clone(), parsed].into();
    assert_eq!(set.len(), 1);
    // Written back verbatim; the enum's `as_str` is the wire text.
    assert_eq!(status.as_str(), "ARCHIVED");
    assert_eq!(serde_json::to_value(&status).unwrap(), json!("ARCHIVED"));
    // A known value never decodes to `Unknown`, whatever alias it arrives as.
    assert_eq!(JobStatus::from("completed"), JobStatus::Succeeded);
    assert!(!JobStatus::from("completed").is_unknown());
}

mod declared {
    //! A response struct declared here with every kind of field the macro knows.
    use serde_with::{DisplayFromStr, PickFirst, Same};
    use synapse_models::{JobStatus, wire_struct};

    wire_struct! {
        /// A sample.
        pub struct Sample {
            /// Plain optional field.
            pub status: Option<JobStatus>,
            /// Under another wire key.
            #[wire(rename = "type")]
            pub kind: Option<String>,
            /// Through an adapter: a number or a numeric string.
            #[wire(as = Option<PickFirst<(Same, DisplayFromStr)>>)]
            pub count: Option<u32>,
            /// Defaulted, through an adapter.
            #[wire(as = PickFirst<(Same, DisplayFromStr)>)]
            pub slots: u32 = 3,
            /// Defaulted.
            pub tags: Vec<String> = vec!["a".to_owned()],
            /// Required, renamed, through an adapter (options in any order).
            #[wire(as = PickFirst<(Same, DisplayFromStr)>, required, rename = "node")]
            pub node_id: u64,
        }
    }
}

#[test]
fn wire_struct_field_kinds() {
    use declared::Sample;
    assert_eq!(
        Sample::FIELDS,
        ["status", "type", "count", "slots", "tags", "node"]
    );
    // Absent: optional → None, defaulted → the default; a required field must be there.
    let s: Sample = serde_json::from_value(json!({"node": 7})).unwrap();
    assert_eq!(
        (s.status.clone(), s.kind.clone(), s.count),
        (None, None, None)
    );
    assert_eq!(
        (s.slots, s.tags.clone(), s.node_id),
        (3, vec!["a".to_owned()], 7)
    );
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"slots": 3, "tags": ["a"], "node": 7})
    );
    let missing = serde_json::from_value::<Sample>(json!({"slots": 1})).unwrap_err();
    assert!(
        missing.to_string().contains("missing field `node`"),
        "{missing}"
    );
    assert!(serde_json::from_value::<Sample>(json!({"node": null})).is_err());

    // Adapters decode the lenient forms and encode the canonical one.
    let s: Sample = serde_json::from_value(
        json!({"type": "x", "count": "12", "slots": "4", "node": "9", "status": "RUNNING"}),
    )
    .unwrap();
    assert_eq!(
        (s.kind.as_deref(), s.count, s.slots, s.node_id),
        (Some("x"), Some(12), 4, 9)
    );
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        r#"{"status":"RUNNING","type":"x","count":12,"slots":4,"tags":["a"],"node":9}"#
    );
    assert!(serde_json::from_value::<Sample>(json!({"node": 1, "count": "many"})).is_err());

    // `null`: optional → None and kept for the round trip; defaulted → the default.
    let input = json!({"count": null, "slots": null, "tags": null, "node": 1, "later": true});
    let s: Sample = serde_json::from_value(input).unwrap();
    assert_eq!((s.count, s.slots, s.tags.len()), (None, 3, 1));
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"slots": 3, "tags": ["a"], "node": 1, "count": null, "later": true})
    );

    // A duplicate key is an error, whatever the field kind.
    for dup in [
        r#"{"node": 1, "node": 2}"#,
        r#"{"node": 1, "slots": 1, "slots": 2}"#,
    ] {
        let err = serde_json::from_str::<Sample>(dup).unwrap_err();
        assert!(err.to_string().contains("duplicate field"), "{err}");
    }

    // `Default` takes the declared defaults.
    let d = Sample::default();
    assert_eq!(
        (d.slots, d.tags.as_slice(), d.node_id, d.count),
        (3, &["a".to_owned()][..], 0, None)
    );

    // The schema: only required fields are required; defaults are shown; adapters widen the
    // accepted types; unknown keys are allowed.
    let schema = serde_json::to_value(schemars::schema_for!(Sample)).unwrap();
    assert_eq!(schema["required"], json!(["node"]));
    assert_eq!(schema["additionalProperties"], json!(true));
    assert_eq!(schema["description"], json!("A sample."));
    assert_eq!(schema["properties"]["slots"]["default"], json!(3));
    assert_eq!(schema["properties"]["tags"]["default"], json!(["a"]));
    assert_eq!(
        schema["properties"]["type"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        schema["properties"]["node"]["description"],
        json!("Required, renamed, through an adapter (options in any order).")
    );
    assert!(schema["properties"]["count"].to_string().contains("string"));
}

mod declared_v2_kinds {
    //! The kinds the v2 models add: tri-state and required-nullable fields, integer enums,
    //! tagged unions.
    use synapse_models::{Nullable, open_int_enum, open_union, wire_struct};

    wire_struct! {
        #[wire(no_default)]
        /// A body with a tri-state field and a required, nullable one.
        pub struct Body {
            /// Absent, null or a value.
            pub note: Nullable<String>,
            /// Present, possibly null.
            #[wire(required)]
            pub closed_at: Option<String>,
        }
    }

    open_int_enum! {
        /// A level.
        pub enum Level {
            /// `0`.
            Low = 0,
            /// `1`.
            High = 1,
        }
    }

    wire_struct! {
        #[wire(no_default)]
        /// The `a` shape.
        pub struct ShapeA {
            /// Tag.
            #[wire(required)]
            pub kind: String,
            /// Payload.
            #[wire(required)]
            pub size: i64,
        }
    }

    open_union! {
        /// A shape.
        pub enum Shape (tag = "kind") {
            /// `a`.
            A = "a" => ShapeA,
        }
    }
}

#[test]
fn wire_struct_tri_state_and_required_nullable_fields() {
    use declared_v2_kinds::Body;
    use synapse_models::Nullable;
    // Absent tri-state: not written; a required nullable field is always written.
    let b: Body = serde_json::from_value(json!({"closed_at": null})).unwrap();
    assert_eq!(
        (b.note.clone(), b.closed_at.clone()),
        (Nullable::Absent, None)
    );
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        json!({"closed_at": null})
    );
    assert!(b.extra.is_empty());
    // `null` and a value.
    let b: Body = serde_json::from_value(json!({"note": null, "closed_at": "t"})).unwrap();
    assert_eq!(b.note, Nullable::Null);
    assert!(
        b.extra.is_empty(),
        "a tri-state null is held by the field, not `extra`"
    );
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        json!({"note": null, "closed_at": "t"})
    );
    let b = Body {
        note: Nullable::Value("x".to_owned()),
        closed_at: None,
        extra: Default::default(),
        wire_nulls: Default::default(),
    };
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        json!({"note": "x", "closed_at": null})
    );
    // Absent required nullable: an error.
    let err = serde_json::from_value::<Body>(json!({"note": "x"})).unwrap_err();
    assert!(
        err.to_string().contains("missing field `closed_at`"),
        "{err}"
    );
    // Schema: the tri-state is nullable and not required; the other is nullable and required.
    let schema = serde_json::to_value(schemars::schema_for!(Body)).unwrap();
    assert_eq!(schema["required"], json!(["closed_at"]));
    assert_eq!(
        schema["properties"]["note"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        schema["properties"]["closed_at"]["type"],
        json!(["string", "null"])
    );
}

#[test]
fn open_int_enum_keeps_unknown_integers() {
    use declared_v2_kinds::Level;
    assert_eq!(
        serde_json::from_value::<Level>(json!(1)).unwrap(),
        Level::High
    );
    let other: Level = serde_json::from_value(json!(7)).unwrap();
    assert_eq!(
        (other, other.is_unknown(), other.as_i64()),
        (Level::Unknown(7), true, 7)
    );
    assert_eq!(serde_json::to_value(other).unwrap(), json!(7));
    assert_eq!(Level::KNOWN, &[0, 1]);
    assert_eq!(Level::Low.to_string(), "0");
    assert!(serde_json::from_value::<Level>(json!("1")).is_err());
    let schema = serde_json::to_value(schemars::schema_for!(Level)).unwrap();
    assert_eq!(schema["anyOf"][0]["enum"], json!([0, 1]));
}

#[test]
fn open_union_selects_by_tag_and_keeps_the_rest() {
    use declared_v2_kinds::Shape;
    let a: Shape = serde_json::from_value(json!({"kind": "a", "size": 2})).unwrap();
    assert!(matches!(&a, Shape::A(s) if s.size == 2), "{a:?}");
    assert_eq!((a.tag(), a.is_unknown()), (Some("a"), false));
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        json!({"kind": "a", "size": 2})
    );
    for other in [
        json!({"kind": "b"}),
        json!({"size": 1}),
        json!([1]),
        json!({"kind": 3}),
    ] {
        let decoded: Shape = serde_json::from_value(other.clone()).unwrap();
        assert_eq!(decoded, Shape::Unknown(other.clone()));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), other);
    }
    let err = serde_json::from_value::<Shape>(json!({"kind": "a"})).unwrap_err();
    assert!(err.to_string().contains("missing field `size`"), "{err}");
    assert_eq!(Shape::KNOWN, ["a"]);
}

#[test]
fn an_explicit_null_is_a_bit_that_is_written_back_in_place() {
    // A null, an absent key and an unknown key: the null is recorded without an `extra`
    // entry and written back as `null` at its field's place; the unknown key follows.
    let input = json!({"status": "RUNNING", "agent": null, "future": 1});
    let job: Job = serde_json::from_value(input.clone()).unwrap();
    assert_eq!(job.agent, None);
    assert!(job.was_null("agent"));
    assert!(!job.was_null("error"), "absent is not null");
    assert!(!job.was_null("status"), "a set field is not null");
    assert_eq!(job.wire_nulls.len(), 1);
    assert_eq!(job.extra.len(), 1, "only the unknown key: {:?}", job.extra);
    assert_eq!(serde_json::to_value(&job).unwrap(), input);
    let text = serde_json::to_string(&job).unwrap();
    assert_eq!(text, r#"{"status":"RUNNING","agent":null,"future":1}"#);

    // Setting the field writes its value; clearing the record omits the unset field.
    let mut set = job.clone();
    set.agent = Some(synapse_models::Ref::Id(3));
    assert_eq!(serde_json::to_value(&set).unwrap()["agent"], 3);
    let mut cleared = job.clone();
    cleared.wire_nulls.clear();
    assert_eq!(
        serde_json::to_value(&cleared).unwrap(),
        json!({"status": "RUNNING", "future": 1})
    );
    assert!(Job::default().wire_nulls.is_empty());
}
