//! Typed models of the Synapse v1 wire.
//!
//! Rules:
//! - **Open enums** ([`JobStatus`], [`StorageProvider`], …): one variant per documented wire
//!   value plus `Unknown(`[`UnknownValue`]`)`, an opaque payload read with `as_str()`;
//!   decoding never fails on a string; read-only aliases normalise to the canonical spelling
//!   on write.
//! - **Response structs** ([`Job`], [`Storage`], …): every field `Option<T>`, unknown keys kept
//!   in `extra`, explicit `null`s recorded in `wire_nulls` ([`WireNulls`], a bit per field, read
//!   with `was_null(key)`), so read → modify → write loses nothing. Declared with one macro that reads
//!   like the struct and generates a hand-written visitor (no `#[serde(flatten)]`), the
//!   serialiser and the JSON Schema.
//! - **Request structs** ([`PluginRunRequest`], [`UpdateJobRequest`], …): fields in wire
//!   order, `None` omitted, the Python SDK's defaults always written.
//! - **Secrets** ([`AgentToken`], [`SecretValue`]) print `***` in `Debug`/`Display`.

#[macro_use]
#[doc(hidden)]
pub mod macros;

#[cfg(feature = "v2")]
pub mod v2;

mod agent;
mod agent_requests;
mod annotation;
mod bulk_upload;
mod chunked_upload;
mod console_logs;
mod enums;
mod error;
mod error_body;
mod ids;
mod job;
mod logs;
mod nullable;
mod page;
mod plugin;
mod plugin_config;
mod plugin_enums;
mod plugin_release;
mod raw_json;
mod refs;
mod release_lookup;
mod secret;
mod serve;
pub mod shared;
mod storage;
mod timestamp;
mod update_job;
mod wire_nulls;

pub use agent::Agent;
pub use agent_requests::{
    CreatePluginReleaseRequest, RunDebugPluginReleaseRequest, RunPluginReleaseRequest,
};
pub use annotation::{
    AnnotateAction, AnnotateRequest, Assignment, AssignmentLabelStatus, AssignmentReviewStatus,
    Project, ProjectCategory, SetTagsAction, SetTagsRequest, Task, TaskCreateRequest,
    TaskDataSchema, TaskTag, TaskTagCategory,
};
pub use bulk_upload::{
    ConfirmFileRequest, ConfirmFileResult, ConfirmMultipart, ConfirmPart, ConfirmUploadRequest,
    ConfirmUploadResponse, MultipartPartInfo, MultipartUploadInfo, PresignedFileInfo,
    PresignedFileRequest, PresignedUploadRequest, PresignedUploadResponse,
};
pub use chunked_upload::{
    ChunkedUploadFinalizeRequest, ChunkedUploadFinalizeResponse, ChunkedUploadState,
    ChunkedUploadStatus, UploadCheckpoint,
};
pub use console_logs::{ConsoleEntry, ConsoleLine, ConsoleLogs, TailEvent};
pub use enums::{
    AgentStatus, JobErrorType, JobQueueReason, JobStatus, LogLevel, PluginCategory, RunMethod,
    ServeApplicationStatus, StorageCategory, StorageProvider, StoragePurpose, TailEventType,
};
pub use error::ModelError;
pub use error_body::ErrorBody;
pub use ids::{
    AgentId, AssignmentId, ChunkedUploadId, DataCollectionId, DataFileId, DataUnitId,
    GroundTruthDatasetVersionId, IntOrString, JobId, ModelId, PluginCode, PluginId, PluginRef,
    PluginReleaseId, ProjectId, ServeApplicationId, StorageId, TaskId, TaskTagId, TenantId, UserId,
};
pub use job::{Job, JobError, JobQueueState};
pub use logs::{JobLog, LogEntry};
pub use macros::UnknownValue;
pub use nullable::Nullable;
pub use page::Page;
pub use plugin::{Plugin, PluginCreate, PluginRunRequest, PluginUpdate};
pub use plugin_config::{PluginAction, PluginConfig, PluginRequires};
pub use plugin_enums::{
    AnnotationCategory, AnnotationTool, AnnotationType, ContainerKind, DataType, PackageManager,
    SmartToolType,
};
pub use plugin_release::{
    PluginRelease, PluginReleaseAuthor, PluginReleaseCreateRequest, PluginReleaseSummary,
};
pub use raw_json::RawJson;
pub use refs::{PluginRefOrObject, Ref};
pub use release_lookup::{ReleaseLookup, ReleaseLookupError};
pub use secret::{AgentToken, SecretValue};
pub use serve::{ServeApplication, ServeApplicationCreateRequest};
pub use storage::{
    FileSystemConfig, GcsConfig, S3Config, SftpConfig, Storage, StorageCreate, StorageSession,
    StorageSessionRequest,
};
pub use timestamp::Timestamp;
pub use update_job::UpdateJobRequest;
pub use wire_nulls::WireNulls;

mod data_collection;
mod data_file;
mod ml;
pub use data_collection::{
    DataCollection, DataCollectionCategory, DataUnit, DataUnitCreateRequest, FileFunctionType,
    FileSpecification, FileType, VerifyChecksumsResponse,
};
pub use data_file::DataFileResponse;
pub use ml::{
    GroundTruth, GroundTruthCategory, GroundTruthDatasetVersion, GroundTruthEvent, Model,
    ModelCreateRequest,
};
