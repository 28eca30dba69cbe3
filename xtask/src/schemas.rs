//! Generation, writing and drift check of `schemas/` (see the crate docs).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

use schemars::JsonSchema;
use serde_json::Value;
use synapse_agent as a;
use synapse_models as m;

/// The output directory, relative to the workspace root.
pub const DIR: &str = "schemas";

/// File name (`Job.json`) → file contents.
pub type Generated = BTreeMap<String, String>;

/// The schema of `T` with its name (the file stem).
fn schema<T: JsonSchema>() -> (String, Value) {
    (
        T::schema_name().into_owned(),
        schemars::schema_for!(T).to_value(),
    )
}

macro_rules! schemas {
    ($($ty:ty),+ $(,)?) => {
        vec![$(schema::<$ty>()),+]
    };
}

/// Every published model of `synapse-agent`, as `(name, schema)`.
fn agent_models() -> Vec<(String, Value)> {
    schemas![
        // Response structs (unknown keys kept; the resource models with the Python defaults).
        a::AgentRuntimePolicy,
        a::BuildStatus,
        a::ClusterResourceSnapshot,
        a::ComposeConfig,
        a::ContainerBuildRef,
        a::FeasibilityResult,
        a::GpuDevice,
        a::GpuSummary,
        a::JobReference,
        a::NodeCounts,
        a::NodeResource,
        a::RayJob,
        a::ResourceCounter,
        a::SystemOperationResult,
        a::SystemStatus,
        // Other response shapes.
        a::PluginRun,
        a::RayTime,
        // Request bodies.
        a::CreateDockerContainerRequest,
        a::FeasibilityRequest,
        a::RuntimePolicyPatch,
        a::UpdateSystemRequest,
        // Open enums.
        a::BuildState,
        a::NodeState,
        a::OperationStatus,
        a::ResourceKind,
        a::SystemOperation,
    ]
}

/// Every published model of `synapse-models`, as `(name, schema)`.
fn models() -> Vec<(String, Value)> {
    schemas![
        // Response structs (every field optional, unknown keys kept).
        m::Agent,
        m::ChunkedUploadFinalizeResponse,
        m::ChunkedUploadState,
        m::UploadCheckpoint,
        m::ConsoleEntry,
        m::Job,
        m::JobError,
        m::JobLog,
        m::JobQueueState,
        m::Plugin,
        m::PluginRelease,
        m::PluginReleaseAuthor,
        m::PluginReleaseSummary,
        m::ServeApplication,
        m::Storage,
        m::StorageSession,
        m::TailEvent,
        // Annotation, HITL, data collection and ML responses.
        m::Assignment,
        m::DataCollection,
        m::DataUnit,
        m::FileSpecification,
        m::GroundTruth,
        m::GroundTruthDatasetVersion,
        m::GroundTruthEvent,
        m::Model,
        m::Project,
        m::Task,
        m::TaskTag,
        m::VerifyChecksumsResponse,
        m::DataFileResponse,
        m::PresignedUploadResponse,
        m::PresignedFileInfo,
        m::MultipartUploadInfo,
        m::MultipartPartInfo,
        m::ConfirmUploadResponse,
        m::ConfirmFileResult,
        // Their enums and request bodies.
        m::AnnotateAction,
        m::AssignmentLabelStatus,
        m::AssignmentReviewStatus,
        m::DataCollectionCategory,
        m::FileFunctionType,
        m::FileType,
        m::GroundTruthCategory,
        m::ProjectCategory,
        m::SetTagsAction,
        m::TaskDataSchema,
        m::TaskTagCategory,
        m::AnnotateRequest,
        m::DataUnitCreateRequest,
        m::ModelCreateRequest,
        m::SetTagsRequest,
        m::TaskCreateRequest,
        m::PresignedUploadRequest,
        m::PresignedFileRequest,
        m::ConfirmUploadRequest,
        m::ConfirmFileRequest,
        m::ConfirmMultipart,
        m::ConfirmPart,
        // Other response shapes.
        m::ConsoleLine,
        m::ConsoleLogs,
        m::ErrorBody,
        m::PluginRefOrObject,
        // The concrete pages the clients return (`Page<Value>` is left out, see the crate docs).
        m::Page<m::Job>,
        m::Page<m::PluginRelease>,
        m::Page<m::Task>,
        m::Page<m::TaskTag>,
        m::Page<m::Assignment>,
        m::Page<m::DataCollection>,
        m::Page<m::DataUnit>,
        m::Page<m::Model>,
        m::Page<m::GroundTruth>,
        m::Page<m::GroundTruthEvent>,
        m::Page<m::GroundTruthDatasetVersion>,
        m::Page<m::ServeApplication>,
        m::Page<m::Storage>,
        // The concrete relations (`Job.plugin_release`, `Job.agent`).
        m::Ref<m::PluginReleaseSummary>,
        m::Ref<Box<m::Agent>>,
        // Request bodies.
        m::ChunkedUploadFinalizeRequest,
        m::CreatePluginReleaseRequest,
        m::LogEntry,
        m::PluginCreate,
        m::PluginReleaseCreateRequest,
        m::PluginRunRequest,
        m::PluginUpdate,
        m::RunDebugPluginReleaseRequest,
        m::RunPluginReleaseRequest,
        m::ServeApplicationCreateRequest,
        m::StorageCreate,
        m::StorageSessionRequest,
        m::UpdateJobRequest,
        // Typed views of stored JSON.
        m::FileSystemConfig,
        m::GcsConfig,
        m::PluginAction,
        m::PluginConfig,
        m::PluginRequires,
        m::S3Config,
        m::SftpConfig,
        // Open enums.
        m::AgentStatus,
        m::AnnotationCategory,
        m::AnnotationTool,
        m::AnnotationType,
        m::ChunkedUploadStatus,
        m::ContainerKind,
        m::DataType,
        m::JobErrorType,
        m::JobQueueReason,
        m::JobStatus,
        m::LogLevel,
        m::PackageManager,
        m::PluginCategory,
        m::RunMethod,
        m::ServeApplicationStatus,
        m::SmartToolType,
        m::StorageCategory,
        m::StorageProvider,
        m::StoragePurpose,
        m::TailEventType,
        // Identifiers and scalar wrappers.
        m::AgentId,
        m::AgentToken,
        m::AssignmentId,
        m::ChunkedUploadId,
        m::DataCollectionId,
        m::DataFileId,
        m::DataUnitId,
        m::GroundTruthDatasetVersionId,
        m::IntOrString,
        m::JobId,
        m::ModelId,
        m::PluginCode,
        m::PluginId,
        m::PluginRef,
        m::PluginReleaseId,
        m::ProjectId,
        m::ReleaseLookup,
        m::SecretValue,
        m::ServeApplicationId,
        m::StorageId,
        m::TaskId,
        m::TaskTagId,
        m::TenantId,
        m::Timestamp,
        m::RawJson,
        m::UserId,
    ]
}

/// Generates every schema file in memory.
pub fn generate() -> Result<Generated, String> {
    let mut out = Generated::new();
    for (name, schema) in models().into_iter().chain(agent_models()) {
        let file = file_name(&name)?;
        if out.contains_key(&file) {
            return Err(format!("two models are both named {name:?}"));
        }
        let text = render(&schema).map_err(|e| format!("cannot render {name}: {e}"))?;
        out.insert(file, text);
    }
    Ok(out)
}

/// `<name>.json`, for names made of ASCII letters, digits and `_` only.
fn file_name(name: &str) -> Result<String, String> {
    let safe = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if safe {
        Ok(format!("{name}.json"))
    } else {
        Err(format!("schema name {name:?} is not a safe file name"))
    }
}

/// Canonical text: keys sorted recursively, 2-space indentation, trailing newline.
pub fn render(schema: &Value) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&sorted(schema))?;
    text.push('\n');
    Ok(text)
}

/// A copy with every object's keys in sorted order (also under `serde_json/preserve_order`).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A difference between the generated schemas and a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file exists with other contents.
    Differs(String),
    /// No such file.
    Missing(String),
    /// A file or directory no model produces.
    Extra(String),
}

impl Drift {
    fn name(&self) -> &str {
        match self {
            Self::Differs(n) | Self::Missing(n) | Self::Extra(n) => n,
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Differs(n) => write!(f, "{n}: differs from the generated schema"),
            Self::Missing(n) => write!(f, "{n}: missing"),
            Self::Extra(n) => write!(f, "{n}: extra (no model produces it)"),
        }
    }
}

/// An entry of the output directory.
struct Entry {
    name: String,
    is_dir: bool,
}

/// The entries of `dir` (none when it does not exist).
fn entries(dir: &Path) -> Result<Vec<Entry>, String> {
    let read = match fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot stat {}: {e}", entry.path().display()))?;
        out.push(Entry {
            name: entry.file_name().to_string_lossy().into_owned(),
            is_dir: kind.is_dir(),
        });
    }
    Ok(out)
}

/// Reads a file, `None` when it does not exist.
fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Every file of `dir` that differs from `expected`, is missing, or is extra; sorted by name.
pub fn compare(expected: &Generated, dir: &Path) -> Result<Vec<Drift>, String> {
    let mut drift = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in entries(dir)? {
        match expected.get(&entry.name) {
            Some(text) if !entry.is_dir => {
                seen.insert(entry.name.clone());
                let current = read_if_exists(&dir.join(&entry.name))?;
                if current.as_deref() != Some(text.as_bytes()) {
                    drift.push(Drift::Differs(entry.name));
                }
            }
            _ => drift.push(Drift::Extra(entry.name)),
        }
    }
    for name in expected.keys().filter(|n| !seen.contains(*n)) {
        drift.push(Drift::Missing(name.clone()));
    }
    drift.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(drift)
}

/// What [`write()`] changed.
#[derive(Debug, Default)]
pub struct WriteSummary {
    /// Files created or rewritten.
    pub written: Vec<String>,
    /// Extra files deleted.
    pub removed: Vec<String>,
}

/// Makes `dir` hold exactly `expected`: writes files whose bytes differ, deletes extra files.
/// An extra directory is an error (it is left alone).
pub fn write(expected: &Generated, dir: &Path) -> Result<WriteSummary, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let entries = entries(dir)?;
    // Refuse before changing anything.
    if let Some(sub) = entries.iter().find(|e| e.is_dir) {
        return Err(format!(
            "{} is a directory, not a generated schema; remove it",
            dir.join(&sub.name).display()
        ));
    }
    let mut summary = WriteSummary::default();
    for entry in entries {
        if expected.contains_key(&entry.name) {
            continue;
        }
        let path = dir.join(&entry.name);
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        summary.removed.push(entry.name);
    }
    for (name, text) in expected {
        let path = dir.join(name);
        if read_if_exists(&path)?.as_deref() == Some(text.as_bytes()) {
            continue;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        summary.written.push(name.clone());
    }
    summary.removed.sort();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn render_sorts_keys_recursively_and_ends_with_a_newline() {
        let text = render(&json!({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": null}})).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"c\": null,\n    \"d\": [\n      {\n        \"y\": 2,\n        \"z\": 1\n      }\n    ]\n  },\n  \"b\": 1\n}\n"
        );
    }

    #[test]
    fn generation_is_deterministic_and_titled_by_file_name() {
        let first = generate().unwrap();
        assert_eq!(first, generate().unwrap());
        for (file, text) in &first {
            let value: Value = serde_json::from_str(text).unwrap();
            let stem = file.strip_suffix(".json").unwrap();
            assert_eq!(value["title"], json!(stem), "{file}");
            assert_eq!(
                value["$schema"],
                json!("https://json-schema.org/draft/2020-12/schema"),
                "{file}"
            );
            assert_eq!(render(&value).unwrap(), *text, "{file} is not canonical");
        }
        assert!(first.contains_key("Page_for_Job.json"));
        assert!(first.contains_key("Ref_for_Agent.json"));
        assert!(first.contains_key("RayJob.json"));
        assert!(first.contains_key("AgentRuntimePolicy.json"));
    }

    #[test]
    fn rejects_unsafe_names() {
        assert!(file_name("Page_for_Job").is_ok());
        assert!(file_name("Page<Job>").is_err());
        assert!(file_name("../x").is_err());
        assert!(file_name("").is_err());
    }

    #[test]
    fn compare_and_write_report_every_kind_of_drift() {
        let dir = tempfile::tempdir().unwrap();
        let schemas = dir.path().join("schemas");
        let expected: Generated = [
            ("A.json".to_owned(), "{}\n".to_owned()),
            ("B.json".to_owned(), "[]\n".to_owned()),
            ("C.json".to_owned(), "1\n".to_owned()),
        ]
        .into_iter()
        .collect();

        // No directory: everything is missing.
        let drift = compare(&expected, &schemas).unwrap();
        assert_eq!(
            drift,
            ["A.json", "B.json", "C.json"].map(|n| Drift::Missing(n.to_owned()))
        );

        let summary = write(&expected, &schemas).unwrap();
        assert_eq!(summary.written.len(), 3);
        assert!(compare(&expected, &schemas).unwrap().is_empty());
        // Regenerating writes nothing.
        let summary = write(&expected, &schemas).unwrap();
        assert!(summary.written.is_empty() && summary.removed.is_empty());

        fs::write(schemas.join("A.json"), "{ }\n").unwrap();
        fs::remove_file(schemas.join("B.json")).unwrap();
        fs::write(schemas.join("Old.json"), "{}\n").unwrap();
        fs::create_dir(schemas.join("sub")).unwrap();
        let drift = compare(&expected, &schemas).unwrap();
        assert_eq!(
            drift,
            vec![
                Drift::Differs("A.json".to_owned()),
                Drift::Missing("B.json".to_owned()),
                Drift::Extra("Old.json".to_owned()),
                Drift::Extra("sub".to_owned()),
            ]
        );
        assert_eq!(
            drift[0].to_string(),
            "A.json: differs from the generated schema"
        );

        // An extra directory is refused; without it, write repairs everything.
        assert!(write(&expected, &schemas).unwrap_err().contains("sub"));
        fs::remove_dir(schemas.join("sub")).unwrap();
        let summary = write(&expected, &schemas).unwrap();
        assert_eq!(summary.written, vec!["A.json", "B.json"]);
        assert_eq!(summary.removed, vec!["Old.json"]);
        assert!(compare(&expected, &schemas).unwrap().is_empty());
    }

    #[test]
    fn committed_schemas_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let drift = compare(&generate().unwrap(), &root.join(DIR)).unwrap();
        assert!(
            drift.is_empty(),
            "schemas/ is out of date (run `cargo xtask schemas`): {drift:#?}"
        );
    }
}
