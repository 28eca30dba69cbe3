//! Generation, writing and drift check of `schemas/` (see the crate docs).

use schemars::JsonSchema;
use serde_json::Value;
use synapse_agent as a;
use synapse_models as m;

/// The output directory, relative to the workspace root.
pub const DIR: &str = "schemas";

use crate::owned_dir::Generated;

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
    fn committed_schemas_are_current() {
        use std::path::Path;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let drift = crate::owned_dir::compare(&generate().unwrap(), &root.join(DIR)).unwrap();
        assert!(
            drift.is_empty(),
            "schemas/ is out of date (run `cargo xtask schemas`): {drift:#?}"
        );
    }
}
