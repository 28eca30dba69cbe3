//! The committed JSON Schemas of `schemas/` (written by `cargo xtask schemas`; `cargo xtask
//! schemas --check` proves they are current):
//!
//! - every public model has one, and each compiles as draft 2020-12 (`boon`);
//! - every model fixture of `tests/fixtures/*.json` (and parts of them) validates against its
//!   model's schema, also after a decode → encode round trip, and deliberately wrong payloads
//!   fail — both the schema and the decoder reject them;
//! - open enums list their wire values, optional fields are not required, kept-unknown-field
//!   maps show as `additionalProperties`;
//! - `Job`, `Plugin`, `PluginRelease` and `Storage` agree with the platform's OpenAPI
//!   components (`tests/fixtures/openapi/`) in field names and JSON types, except the
//!   disagreements listed in [`TOLERATED`], each with its reason. For every property of a
//!   component (and of the components it `$ref`s, and array items) the Rust schema must have a
//!   property of that name with the same JSON types (`null` aside; `integer` counts as a
//!   `number`), accept `null` where the component is `nullable`, and list every `enum` value
//!   the component lists. At the top level, Rust-only properties are reported too. Not
//!   compared: `required` (response structs are all-optional by design),
//!   `format`, `pattern`, `readOnly`, titles and descriptions.
#![allow(clippy::unwrap_used)]

#[path = "support/schemas.rs"]
mod support;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use serde_json::{Value, json};
use support::{
    Committed, Decodes, Reencode, decodes, manifest_dir, public_names_in, read_json, reencode,
};
use synapse_models::*;

// ---------------------------------------------------------------------------------------------
// The committed schemas
// ---------------------------------------------------------------------------------------------

static COMMITTED: LazyLock<Committed> = LazyLock::new(Committed::load);

#[track_caller]
fn assert_valid(name: &str, instance: &Value, what: &str) {
    COMMITTED.assert_valid(name, instance, what);
}

/// The public names of the crate root (`pub use` items of `src/lib.rs`).
fn public_names() -> BTreeSet<String> {
    public_names_in("src/lib.rs")
}

/// The public models of `synapse-agent`, whose schemas share `schemas/` (its own tests check
/// that each has one).
fn agent_names() -> BTreeSet<String> {
    public_names_in("../synapse-agent/src/models/mod.rs")
}

#[test]
fn every_public_model_has_a_committed_schema() {
    // Rust errors, not wire shapes; the opaque payload of an open enum's unknown value,
    // whose text each enum's own schema describes; and the tri-state field wrapper, whose
    // schema is its value's, nullable, inlined in each struct's schema; and the record of a
    // struct's explicit nulls, which is not on the wire as a key of its own.
    const NOT_MODELS: [&str; 5] = [
        "ModelError",
        "ReleaseLookupError",
        "UnknownValue",
        "Nullable",
        "WireNulls",
    ];
    // Generic: published for their concrete uses as `<Name>_for_<T>`.
    const GENERIC: [&str; 2] = ["Page", "Ref"];

    let public = public_names();
    assert!(public.contains("Job") && public.contains("StorageSessionRequest"));
    let agent = agent_names();
    assert!(agent.contains("RayJob") && !agent.contains("Job"));
    let files: BTreeSet<&String> = COMMITTED.values.keys().collect();
    for name in &public {
        if NOT_MODELS.contains(&name.as_str()) {
            continue;
        }
        if GENERIC.contains(&name.as_str()) {
            let prefix = format!("{name}_for_");
            assert!(
                files.iter().any(|f| f.starts_with(&prefix)),
                "no schemas/{prefix}*.json"
            );
        } else {
            assert!(files.contains(name), "no schemas/{name}.json for `{name}`");
        }
    }
    for file in files {
        let base = match file.split_once("_for_") {
            Some((generic, item)) => {
                assert!(GENERIC.contains(&generic), "{file}");
                item
            }
            None => file.as_str(),
        };
        assert!(
            public.contains(base) || agent.contains(base),
            "schemas/{file}.json names no public type"
        );
        assert_eq!(
            COMMITTED.schema(file)["title"],
            json!(file),
            "title of {file}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures validate; wrong payloads fail
// ---------------------------------------------------------------------------------------------

/// Fixture file (without `.json`) → model schema, and the model's decode → encode.
const FIXTURES: &[(&str, &str, Reencode)] = &[
    ("agent", "Agent", reencode::<Agent>),
    (
        "chunked_upload_finalize_response",
        "ChunkedUploadFinalizeResponse",
        reencode::<ChunkedUploadFinalizeResponse>,
    ),
    (
        "chunked_upload_state",
        "ChunkedUploadState",
        reencode::<ChunkedUploadState>,
    ),
    ("console_logs_lines", "ConsoleLogs", reencode::<ConsoleLogs>),
    (
        "console_logs_results",
        "ConsoleLogs",
        reencode::<ConsoleLogs>,
    ),
    ("console_logs_v2", "ConsoleLogs", reencode::<ConsoleLogs>),
    ("error_chunked_offset", "ErrorBody", reencode::<ErrorBody>),
    ("error_detail", "ErrorBody", reencode::<ErrorBody>),
    ("error_fastapi", "ErrorBody", reencode::<ErrorBody>),
    ("error_field_errors", "ErrorBody", reencode::<ErrorBody>),
    ("error_gpu_unavailable", "ErrorBody", reencode::<ErrorBody>),
    ("error_v2_envelope", "ErrorBody", reencode::<ErrorBody>),
    ("job_log", "JobLog", reencode::<JobLog>),
    ("job_v1_list_item", "Job", reencode::<Job>),
    ("job_v2_detail", "Job", reencode::<Job>),
    ("page_job", "Page_for_Job", reencode::<Page<Job>>),
    ("plugin", "Plugin", reencode::<Plugin>),
    (
        "plugin_release_agent",
        "PluginRelease",
        reencode::<PluginRelease>,
    ),
    (
        "plugin_release_expanded",
        "PluginRelease",
        reencode::<PluginRelease>,
    ),
    (
        "plugin_release_v1",
        "PluginRelease",
        reencode::<PluginRelease>,
    ),
    (
        "serve_application",
        "ServeApplication",
        reencode::<ServeApplication>,
    ),
    ("storage", "Storage", reencode::<Storage>),
    (
        "storage_session",
        "StorageSession",
        reencode::<StorageSession>,
    ),
    ("tail_event", "TailEvent", reencode::<TailEvent>),
];

/// Parts of fixtures (JSON pointer) → the schema of the model they are.
const PARTS: &[(&str, &str, &str)] = &[
    ("agent", "/id", "AgentId"),
    ("agent", "/status", "AgentStatus"),
    ("agent", "/token", "AgentToken"),
    ("chunked_upload_state", "/id", "ChunkedUploadId"),
    ("chunked_upload_state", "/status", "ChunkedUploadStatus"),
    ("console_logs_lines", "/0", "ConsoleLine"),
    ("console_logs_results", "/results/1", "ConsoleLine"),
    ("console_logs_results", "/results/1", "ConsoleEntry"),
    ("job_log", "/datetime", "Timestamp"),
    ("job_log", "/level", "LogLevel"),
    ("job_v1_list_item", "/agent", "Agent"),
    ("job_v1_list_item", "/agent", "Ref_for_Agent"),
    ("job_v1_list_item", "/id", "JobId"),
    (
        "job_v1_list_item",
        "/plugin_release",
        "Ref_for_PluginReleaseSummary",
    ),
    ("job_v2_detail", "/error", "JobError"),
    ("job_v2_detail", "/error/error_type", "JobErrorType"),
    ("job_v2_detail", "/id", "JobId"),
    ("job_v2_detail", "/plugin_release", "PluginReleaseSummary"),
    (
        "job_v2_detail",
        "/plugin_release",
        "Ref_for_PluginReleaseSummary",
    ),
    ("job_v2_detail", "/queue", "JobQueueState"),
    ("job_v2_detail", "/queue/reason", "JobQueueReason"),
    ("job_v2_detail", "/status", "JobStatus"),
    ("page_job", "/results/0", "Job"),
    ("plugin", "/category", "PluginCategory"),
    ("plugin", "/code", "PluginCode"),
    ("plugin", "/id", "PluginId"),
    ("plugin", "/tenant_id", "TenantId"),
    ("plugin_release_agent", "/config", "PluginConfig"),
    ("plugin_release_agent", "/plugin", "PluginRefOrObject"),
    ("plugin_release_expanded", "/author", "PluginReleaseAuthor"),
    ("plugin_release_expanded", "/author/id", "UserId"),
    ("plugin_release_expanded", "/config", "PluginConfig"),
    (
        "plugin_release_expanded",
        "/config/actions/train",
        "PluginAction",
    ),
    ("plugin_release_expanded", "/id", "PluginReleaseId"),
    ("plugin_release_expanded", "/plugin", "Plugin"),
    ("plugin_release_expanded", "/plugin", "PluginRefOrObject"),
    ("plugin_release_v1", "/config", "PluginConfig"),
    ("serve_application", "/id", "ServeApplicationId"),
    ("serve_application", "/job", "IntOrString"),
    ("serve_application", "/status", "ServeApplicationStatus"),
    ("storage", "/category", "StorageCategory"),
    ("storage", "/configuration", "S3Config"),
    ("storage", "/configuration", "SecretValue"),
    ("storage", "/id", "StorageId"),
    ("storage", "/provider", "StorageProvider"),
    ("storage_session", "/configuration", "S3Config"),
    ("storage_session", "/expires_at", "Timestamp"),
    ("tail_event", "/type", "TailEventType"),
];

#[test]
fn every_fixture_validates_against_its_model_schema() {
    COMMITTED.check_fixtures(FIXTURES, PARTS);
}

#[test]
fn realistic_edge_payloads_validate() {
    let cases = [
        // Unknown enum value, unknown keys, explicit nulls: all decode, so all validate.
        (
            "Job",
            json!({"id": "j1", "status": "ARCHIVED", "surprise": {"a": [1, 2]}, "completed": null, "queue": null}),
        ),
        ("Job", json!({"id": 17, "status": "completed"})),
        ("Job", json!({})),
        (
            "Storage",
            json!({"id": 1, "provider": "backblaze", "category": "EXTERNAL", "configuration": {}}),
        ),
        // A bare array is a page too.
        ("Page_for_Storage", json!([{"id": 1}, {"id": 2}])),
        (
            "Page_for_Job",
            json!({"results": [], "next": null, "previous": null}),
        ),
        ("ConsoleLogs", json!({"logs": [], "request_id": "r1"})),
        ("ChunkedUploadStatus", json!(7)),
        ("PluginRef", json!("yolov8")),
        ("PluginRef", json!(42)),
        ("ReleaseLookup", json!("yolov8@1.0.0")),
        ("ReleaseLookup", json!("118")),
        (
            "RunPluginReleaseRequest",
            serde_json::to_value(RunPluginReleaseRequest::new("train")).unwrap(),
        ),
        (
            "PluginRunRequest",
            serde_json::to_value(PluginRunRequest::new("deployment").with_agent(1)).unwrap(),
        ),
        (
            "UpdateJobRequest",
            serde_json::to_value(UpdateJobRequest::new().status(JobStatus::Running)).unwrap(),
        ),
        (
            "StorageSessionRequest",
            serde_json::to_value(StorageSessionRequest::default()).unwrap(),
        ),
    ];
    for (model, value) in cases {
        assert_valid(model, &value, &value.to_string());
    }
}

#[test]
fn wrong_payloads_fail_the_schema_and_the_decoder() {
    let cases: [(&str, Value, Decodes); 17] = [
        ("Job", json!({"status": 3}), decodes::<Job>),
        ("Job", json!({"id": true}), decodes::<Job>),
        ("Job", json!({"action": 3}), decodes::<Job>),
        ("Job", json!({"queue": {"position": "2"}}), decodes::<Job>),
        ("Job", json!({"is_active": "yes"}), decodes::<Job>),
        ("Job", json!([]), decodes::<Job>),
        ("Storage", json!({"is_default": "yes"}), decodes::<Storage>),
        ("Storage", json!({"id": "3"}), decodes::<Storage>),
        (
            "Page_for_Job",
            json!({"count": 1, "next": null}),
            decodes::<Page<Job>>,
        ),
        (
            "Page_for_Job",
            json!({"results": [{"status": 1}]}),
            decodes::<Page<Job>>,
        ),
        (
            "PluginRelease",
            json!({"available_actions": "train"}),
            decodes::<PluginRelease>,
        ),
        (
            "ChunkedUploadState",
            json!({"status": "2"}),
            decodes::<ChunkedUploadState>,
        ),
        ("TailEvent", json!({"type": 5}), decodes::<TailEvent>),
        (
            "RunPluginReleaseRequest",
            json!({"params": {}}),
            decodes::<RunPluginReleaseRequest>,
        ),
        ("ConsoleLogs", json!({"lines": []}), decodes::<ConsoleLogs>),
        ("ReleaseLookup", json!("abc"), decodes::<ReleaseLookup>),
        ("JobStatus", json!(null), decodes::<JobStatus>),
    ];
    for (model, value, decodes) in cases {
        assert!(
            COMMITTED.validate(model, &value).is_err(),
            "schemas/{model}.json accepts {value}"
        );
        assert!(!decodes(&value), "{model} decodes {value}");
    }
}

// ---------------------------------------------------------------------------------------------
// Schema properties
// ---------------------------------------------------------------------------------------------

#[test]
fn open_enums_list_their_wire_values_and_accept_other_strings() {
    let enums: [(&str, &[&str]); 19] = [
        ("AgentStatus", AgentStatus::KNOWN),
        ("AnnotationCategory", AnnotationCategory::KNOWN),
        ("AnnotationTool", AnnotationTool::KNOWN),
        ("AnnotationType", AnnotationType::KNOWN),
        ("ContainerKind", ContainerKind::KNOWN),
        ("DataType", DataType::KNOWN),
        ("JobErrorType", JobErrorType::KNOWN),
        ("JobQueueReason", JobQueueReason::KNOWN),
        ("JobStatus", JobStatus::KNOWN),
        ("LogLevel", LogLevel::KNOWN),
        ("PackageManager", PackageManager::KNOWN),
        ("PluginCategory", PluginCategory::KNOWN),
        ("RunMethod", RunMethod::KNOWN),
        ("ServeApplicationStatus", ServeApplicationStatus::KNOWN),
        ("SmartToolType", SmartToolType::KNOWN),
        ("StorageCategory", StorageCategory::KNOWN),
        ("StorageProvider", StorageProvider::KNOWN),
        ("StoragePurpose", StoragePurpose::KNOWN),
        ("TailEventType", TailEventType::KNOWN),
    ];
    for (name, known) in enums {
        let schema = COMMITTED.schema(name);
        assert_eq!(
            schema["anyOf"],
            json!([{"type": "string", "enum": known}, {"type": "string"}]),
            "{name}"
        );
        let description = schema["description"].as_str().unwrap();
        assert!(
            description.contains("unknown values are accepted"),
            "{name}: {description}"
        );
        for value in known {
            assert_valid(name, &json!(value), name);
        }
        assert_valid(name, &json!("SOMETHING_NEW"), name);
        assert!(COMMITTED.validate(name, &json!(1)).is_err(), "{name}");
    }
    assert_eq!(JobStatus::KNOWN.len(), 5);

    let status = COMMITTED.schema("ChunkedUploadStatus");
    assert_eq!(
        status["anyOf"],
        json!([{"type": "integer", "enum": [1, 2]}, {"type": "integer"}])
    );
    assert!(
        COMMITTED
            .validate("ChunkedUploadStatus", &json!("1"))
            .is_err()
    );
}

#[test]
fn response_structs_have_optional_nullable_fields_and_keep_unknown_keys() {
    let structs: [(&str, &[&str]); 16] = [
        ("Agent", Agent::FIELDS),
        (
            "ChunkedUploadFinalizeResponse",
            ChunkedUploadFinalizeResponse::FIELDS,
        ),
        ("ChunkedUploadState", ChunkedUploadState::FIELDS),
        ("ConsoleEntry", ConsoleEntry::FIELDS),
        ("Job", Job::FIELDS),
        ("JobError", JobError::FIELDS),
        ("JobLog", JobLog::FIELDS),
        ("JobQueueState", JobQueueState::FIELDS),
        ("Plugin", Plugin::FIELDS),
        ("PluginRelease", PluginRelease::FIELDS),
        ("PluginReleaseAuthor", PluginReleaseAuthor::FIELDS),
        ("PluginReleaseSummary", PluginReleaseSummary::FIELDS),
        ("ServeApplication", ServeApplication::FIELDS),
        ("Storage", Storage::FIELDS),
        ("StorageSession", StorageSession::FIELDS),
        ("TailEvent", TailEvent::FIELDS),
    ];
    for (name, fields) in structs {
        let schema = COMMITTED.schema(name);
        assert_eq!(schema["type"], json!("object"), "{name}");
        assert_eq!(schema["additionalProperties"], json!(true), "{name}");
        assert!(schema.get("required").is_none(), "{name} requires fields");
        let properties: BTreeSet<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let fields: BTreeSet<&str> = fields.iter().copied().collect();
        assert_eq!(properties, fields, "{name}: properties vs wire keys");
        assert!(!properties.contains("extra"), "{name}");
        for field in fields {
            assert_valid(
                name,
                &json!({ field: null }),
                &format!("{name}.{field} = null"),
            );
        }
        assert_valid(name, &json!({}), &format!("empty {name}"));
        assert_valid(
            name,
            &json!({"x_unknown": [1, {"a": null}]}),
            &format!("{name} with an unknown key"),
        );
    }

    // Pass-through request bodies and config views keep unknown keys too.
    for name in [
        "LogEntry",
        "PluginAction",
        "PluginConfig",
        "PluginCreate",
        "PluginUpdate",
        "StorageCreate",
    ] {
        let schema = COMMITTED.schema(name);
        assert_eq!(schema["additionalProperties"], json!(true), "{name}");
        assert!(schema.get("required").is_none(), "{name} requires fields");
        assert!(schema["properties"].get("extra").is_none(), "{name}");
        assert_valid(name, &json!({"x_unknown": 1}), name);
    }

    // Request bodies and typed views require exactly the fields without a default.
    let required: [(&str, &[&str]); 14] = [
        ("ChunkedUploadFinalizeRequest", &["md5"]),
        ("CreatePluginReleaseRequest", &["plugin", "version"]),
        ("FileSystemConfig", &["location"]),
        ("GcsConfig", &["bucket_name", "credentials"]),
        ("PluginReleaseCreateRequest", &["plugin", "version"]),
        ("PluginRequires", &[]),
        ("PluginRunRequest", &[]),
        ("RunDebugPluginReleaseRequest", &["action"]),
        ("RunPluginReleaseRequest", &["action"]),
        ("S3Config", &["bucket_name", "access_key", "secret_key"]),
        ("ServeApplicationCreateRequest", &["job"]),
        ("SftpConfig", &["host", "username"]),
        ("StorageSessionRequest", &[]),
        ("UpdateJobRequest", &[]),
    ];
    for (name, fields) in required {
        let schema = COMMITTED.schema(name);
        let actual: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        let expected: BTreeSet<&str> = fields.iter().copied().collect();
        assert_eq!(actual, expected, "required fields of {name}");
    }

    let timestamp = COMMITTED.schema("Timestamp");
    assert_eq!(timestamp["type"], json!("string"));
    assert_eq!(timestamp["format"], json!("date-time"));
}

// ---------------------------------------------------------------------------------------------
// Agreement with the platform's OpenAPI components
// ---------------------------------------------------------------------------------------------

/// How a Rust schema and an OpenAPI component disagree at one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The component has the field; the Rust schema has no property of that name.
    MissingInRust,
    /// The Rust schema has the field; the component does not (top level only).
    OnlyInRust,
    /// The JSON types differ (ignoring `null`; `integer` is a `number`).
    TypeDiffers,
    /// The component allows `null`; the Rust schema does not.
    NotNullable,
    /// The component lists enum values the Rust schema does not.
    EnumValuesMissing,
}

/// Disagreements the comparison accepts: field path, kind, reason.
const TOLERATED: &[(&str, Kind, &str)] = &[
    (
        "Job.id",
        Kind::TypeDiffers,
        "v2 sends UUID strings, older servers and the Python SDK integers (models.md §0.3, §6); \
         `JobId` accepts both and keeps the form it read",
    ),
    (
        "Job.plugin_release",
        Kind::TypeDiffers,
        "v1 sends the release id (integer) unless expanded, v2 the embedded object (§0.4, §6); \
         `Ref<PluginReleaseSummary>` takes both",
    ),
    (
        "PluginRelease.plugin",
        Kind::TypeDiffers,
        "v1 sends the plugin id, the agent's cached releases the plugin code, v2 the embedded \
         object (§3.5, §6); `PluginRefOrObject` takes all three",
    ),
    (
        "Storage.configuration",
        Kind::TypeDiffers,
        "`SecretValue` keeps any JSON value raw (redacted in Debug; typed views through \
         `configuration_as`), where §3.1 says object",
    ),
    (
        "Job.agent",
        Kind::OnlyInRust,
        "v1 only: agent id or embedded agent, shown by the SDK's CLI (§3.8)",
    ),
    (
        "Job.started",
        Kind::OnlyInRust,
        "v1 only: read by the SDK's CLI; v2 has created/modified/completed (§3.8, §6)",
    ),
    (
        "Job.finished",
        Kind::OnlyInRust,
        "v1 only: read by the SDK's CLI; v2 has created/modified/completed (§3.8, §6)",
    ),
    (
        "Job.console_logs",
        Kind::OnlyInRust,
        "v1 only: patchable through `UpdateJobRequest`, not in v2 (§6)",
    ),
    (
        "Job.logs",
        Kind::OnlyInRust,
        "v1 only: present with `?expand=logs` (seed 001, §3.8)",
    ),
    (
        "Plugin.release",
        Kind::OnlyInRust,
        "the bootstrapped first release of the create response (`PluginV2CreateResponse`, §3.4), \
         not part of the detail",
    ),
    (
        "Plugin.manifest",
        Kind::OnlyInRust,
        "v1 only: on the plugin embedded in a release fetched with `expand=plugin` (§3.4)",
    ),
    (
        "PluginRelease.requirements",
        Kind::OnlyInRust,
        "v1 only: sent on create and, per the SDK docstring, returned (§3.5, §6)",
    ),
];

/// The result of a comparison: what disagrees, and every field path compared.
#[derive(Debug, Default)]
struct Comparison {
    findings: Vec<Finding>,
    compared: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    path: String,
    kind: Kind,
    detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.path, self.kind, self.detail)
    }
}

type Types = BTreeSet<&'static str>;

const JSON_TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

fn any_type() -> Types {
    JSON_TYPES.into_iter().collect()
}

fn json_type(name: &str) -> &'static str {
    JSON_TYPES
        .into_iter()
        .find(|t| *t == name)
        .unwrap_or_else(|| panic!("unknown JSON type {name:?}"))
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The `type` keyword (a string or an array), if any.
fn type_keyword(schema: &Value) -> Option<Types> {
    match schema.get("type")? {
        Value::String(t) => Some([json_type(t)].into()),
        Value::Array(ts) => Some(ts.iter().map(|t| json_type(t.as_str().unwrap())).collect()),
        other => panic!("bad type keyword {other}"),
    }
}

/// Types without `null`, with `integer` added wherever `number` is (every integer is a number).
fn comparable(types: &Types) -> Types {
    let mut out: Types = types.iter().copied().filter(|t| *t != "null").collect();
    if out.contains("number") {
        out.insert("integer");
    }
    out
}

/// A committed (schemars) schema, resolving `#/$defs/…` within its root.
struct RustSide<'a> {
    root: &'a Value,
}

impl<'a> RustSide<'a> {
    fn deref(&self, mut schema: &'a Value) -> &'a Value {
        while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("ref {r}"));
            schema = self
                .root
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling {r}"));
        }
        schema
    }

    fn branches(schema: &'a Value) -> Option<&'a Vec<Value>> {
        schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
    }

    fn types(&self, schema: &'a Value) -> Types {
        let schema = self.deref(schema);
        match schema {
            Value::Bool(true) => return any_type(),
            Value::Bool(false) => return Types::new(),
            _ => {}
        }
        if let Some(branches) = Self::branches(schema) {
            return branches.iter().flat_map(|b| self.types(b)).collect();
        }
        if let Some(types) = type_keyword(schema) {
            return types;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values.iter().map(type_of).collect();
        }
        any_type()
    }

    /// The union of all `enum` lists, `None` when there is none.
    fn enum_values(&self, schema: &'a Value) -> Option<BTreeSet<String>> {
        let schema = self.deref(schema);
        let mut out: Option<BTreeSet<String>> = None;
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            out.get_or_insert_default()
                .extend(values.iter().map(Value::to_string));
        }
        for branch in Self::branches(schema).into_iter().flatten() {
            if let Some(values) = self.enum_values(branch) {
                out.get_or_insert_default().extend(values);
            }
        }
        out
    }

    /// Object schemas with `properties` among the alternatives.
    fn objects(&self, schema: &'a Value) -> Vec<&'a Value> {
        let schema = self.deref(schema);
        if schema.get("properties").is_some() {
            return vec![schema];
        }
        Self::branches(schema)
            .into_iter()
            .flatten()
            .flat_map(|b| self.objects(b))
            .collect()
    }

    /// The `items` schema of an array alternative.
    fn items(&self, schema: &'a Value) -> Option<&'a Value> {
        let schema = self.deref(schema);
        if let Some(items) = schema.get("items") {
            return Some(items);
        }
        Self::branches(schema)
            .into_iter()
            .flatten()
            .find_map(|b| self.items(b))
    }
}

/// The OpenAPI excerpts: `#/components/schemas/<Name>` is `tests/fixtures/openapi/<Name>.json`.
struct OpenapiSide;

impl OpenapiSide {
    fn component(name: &str) -> Value {
        read_json(&manifest_dir().join(format!("tests/fixtures/openapi/{name}.json")))
    }

    /// Follows `$ref` and a single-element `allOf` (how OpenAPI 3.0 wraps a `$ref`).
    fn deref(schema: &Value) -> Value {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("ref {r}"));
            return Self::deref(&Self::component(name));
        }
        match schema.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => Self::deref(&all[0]),
            Some(all) => panic!("allOf with {} elements", all.len()),
            None => schema.clone(),
        }
    }

    fn nullable(schema: &Value) -> bool {
        schema.get("nullable") == Some(&json!(true))
    }

    fn types(schema: &Value) -> Types {
        let resolved = Self::deref(schema);
        let mut types = if let Some(types) = type_keyword(&resolved) {
            types
        } else if resolved.get("properties").is_some() {
            ["object"].into()
        } else if let Some(values) = resolved.get("enum").and_then(Value::as_array) {
            values.iter().map(type_of).collect()
        } else {
            any_type()
        };
        if Self::nullable(schema) || Self::nullable(&resolved) {
            types.insert("null");
        }
        types
    }

    fn enum_values(schema: &Value) -> Option<BTreeSet<String>> {
        let resolved = Self::deref(schema);
        let values = resolved.get("enum")?.as_array()?;
        Some(values.iter().map(Value::to_string).collect())
    }

    fn object(schema: &Value) -> Option<Value> {
        let resolved = Self::deref(schema);
        resolved.get("properties").is_some().then_some(resolved)
    }

    fn items(schema: &Value) -> Option<Value> {
        Self::deref(schema).get("items").cloned()
    }
}

fn fmt_types(types: &Types) -> String {
    if comparable(types) == comparable(&any_type()) {
        return "any".to_owned();
    }
    types.iter().copied().collect::<Vec<_>>().join("|")
}

/// Compares the properties of an OpenAPI object with a Rust object schema. Rust-only fields
/// are reported at the top level only: nested Rust types are shared by several v2 shapes
/// (e.g. `Plugin` is both the detail and the embedded plugin).
fn compare_object(
    path: &str,
    v2: &Value,
    rust: &RustSide<'_>,
    rust_object: &Value,
    top: bool,
    out: &mut Comparison,
) {
    let v2_props = v2["properties"].as_object().unwrap();
    let rust_props = rust_object["properties"].as_object().unwrap();
    for (name, v2_prop) in v2_props {
        let field = format!("{path}.{name}");
        match rust_props.get(name) {
            None => out.findings.push(Finding {
                path: field,
                kind: Kind::MissingInRust,
                detail: format!("spec type {}", fmt_types(&OpenapiSide::types(v2_prop))),
            }),
            Some(rust_prop) => compare_value(&field, v2_prop, rust, rust_prop, out),
        }
    }
    if top {
        for name in rust_props.keys().filter(|n| !v2_props.contains_key(*n)) {
            out.findings.push(Finding {
                path: format!("{path}.{name}"),
                kind: Kind::OnlyInRust,
                detail: format!("Rust type {}", fmt_types(&rust.types(&rust_props[name]))),
            });
        }
    }
}

fn compare_value(
    path: &str,
    v2: &Value,
    rust: &RustSide<'_>,
    rust_schema: &Value,
    out: &mut Comparison,
) {
    out.compared.push(path.to_owned());
    let v2_types = OpenapiSide::types(v2);
    let rust_types = rust.types(rust_schema);
    if comparable(&v2_types) != comparable(&rust_types) {
        out.findings.push(Finding {
            path: path.to_owned(),
            kind: Kind::TypeDiffers,
            detail: format!(
                "spec {}, Rust {}",
                fmt_types(&v2_types),
                fmt_types(&rust_types)
            ),
        });
    }
    if v2_types.contains("null") && !rust_types.contains("null") {
        out.findings.push(Finding {
            path: path.to_owned(),
            kind: Kind::NotNullable,
            detail: format!("Rust {}", fmt_types(&rust_types)),
        });
    }
    if let (Some(v2_values), Some(rust_values)) =
        (OpenapiSide::enum_values(v2), rust.enum_values(rust_schema))
    {
        let missing: Vec<&String> = v2_values.difference(&rust_values).collect();
        if !missing.is_empty() {
            out.findings.push(Finding {
                path: path.to_owned(),
                kind: Kind::EnumValuesMissing,
                detail: format!("{missing:?}"),
            });
        }
    }
    if let (Some(v2_items), Some(rust_items)) = (OpenapiSide::items(v2), rust.items(rust_schema)) {
        compare_value(&format!("{path}[]"), &v2_items, rust, rust_items, out);
    }
    if let Some(v2_object) = OpenapiSide::object(v2) {
        match rust.objects(rust_schema).as_slice() {
            [rust_object] => compare_object(path, &v2_object, rust, rust_object, false, out),
            [] => {} // a free-form Rust value: the type check above reported it if it matters
            more => panic!("{path}: {} Rust object alternatives", more.len()),
        }
    }
}

#[test]
fn job_plugin_release_and_storage_agree_with_the_openapi_components() {
    let pairs = [
        ("Job", "JobV2Detail"),
        ("Plugin", "PluginV2Detail"),
        ("PluginRelease", "PluginReleaseV2Detail"),
        // No v2 schema for storages: the models.md §3.1 table, encoded the same way.
        ("Storage", "Storage_models_md_3_1"),
    ];
    let mut comparison = Comparison::default();
    for (model, component) in pairs {
        let root = COMMITTED.schema(model);
        let rust = RustSide { root };
        let v2 = OpenapiSide::component(component);
        assert_eq!(v2["type"], json!("object"), "{component}");
        compare_object(model, &v2, &rust, root, true, &mut comparison);
    }
    // Nested components and array items are compared too.
    for path in [
        "Job.queue.position",
        "Job.queue.blockers[]",
        "Job.error.error_type",
        "Job.plugin_release.plugin_id",
        "PluginRelease.plugin.category",
        "PluginRelease.author.email",
        "PluginRelease.available_actions[]",
        "Storage.is_default",
    ] {
        assert!(
            comparison.compared.iter().any(|p| p == path),
            "{path} not compared"
        );
    }
    let mut findings = comparison.findings;
    findings.sort();

    let mut report = format!(
        "{} fields compared; tolerated disagreements:\n",
        comparison.compared.len()
    );
    let mut unexpected = Vec::new();
    for finding in &findings {
        match TOLERATED
            .iter()
            .find(|(path, kind, _)| *path == finding.path && *kind == finding.kind)
        {
            Some((_, _, reason)) => report.push_str(&format!("  {finding}\n    ({reason})\n")),
            None => unexpected.push(finding.to_string()),
        }
    }
    println!("{report}");
    assert!(
        unexpected.is_empty(),
        "disagreements with the OpenAPI components that are not tolerated:\n  {}",
        unexpected.join("\n  ")
    );
    let stale: Vec<&str> = TOLERATED
        .iter()
        .filter(|(path, kind, _)| !findings.iter().any(|f| f.path == *path && f.kind == *kind))
        .map(|(path, ..)| *path)
        .collect();
    assert!(
        stale.is_empty(),
        "tolerated disagreements that no longer occur (remove them): {stale:?}"
    );
}

#[test]
fn the_comparison_catches_disagreements() {
    // A Rust schema that drops a field, changes a type, is not nullable and misses an enum
    // value: each is reported.
    let rust_root = json!({
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "status": {"anyOf": [{"type": "string", "enum": ["PENDING"]}, {"type": "string"}]},
            "completed": {"type": "string"},
            "queue": {"anyOf": [{"$ref": "#/$defs/Q"}, {"type": "null"}]},
            "extra_field": {"type": "boolean"}
        },
        "$defs": {"Q": {"type": "object", "properties": {"position": {"type": "string"}}}}
    });
    let v2 = json!({
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["PENDING", "FAILED"]},
            "completed": {"type": "string", "nullable": true},
            "queue": {"allOf": [{"$ref": "#/components/schemas/JobQueueState"}], "nullable": true},
            "action": {"type": "string"}
        }
    });
    let mut comparison = Comparison::default();
    compare_object(
        "X",
        &v2,
        &RustSide { root: &rust_root },
        &rust_root,
        true,
        &mut comparison,
    );
    let mut findings = comparison.findings;
    findings.sort();
    let got: Vec<(&str, Kind)> = findings.iter().map(|f| (f.path.as_str(), f.kind)).collect();
    assert_eq!(
        got,
        vec![
            ("X.action", Kind::MissingInRust),
            ("X.completed", Kind::NotNullable),
            ("X.extra_field", Kind::OnlyInRust),
            ("X.id", Kind::TypeDiffers),
            ("X.queue.blockers", Kind::MissingInRust),
            ("X.queue.position", Kind::TypeDiffers),
            ("X.queue.position", Kind::NotNullable),
            ("X.queue.reason", Kind::MissingInRust),
            ("X.queue.updated_at", Kind::MissingInRust),
            ("X.status", Kind::EnumValuesMissing),
        ],
        "{findings:#?}"
    );
}
