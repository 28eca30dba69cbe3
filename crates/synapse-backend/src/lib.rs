//! `BackendClient`: the Synapse backend v1 API — agents, plugins, plugin releases, jobs,
//! console logs, logs, serve applications, storages, the chunked upload, and the annotation
//! (projects, tasks, task tags), HITL (assignments), data-collection (collections, data
//! units, checksums) and ML (models, ground truths) domains.
//!
//! Built on [`synapse_transport`] (HTTP, retries, pagination, errors) and
//! [`synapse_models`] (typed models). Requests match the official Python SDK on the wire,
//! except where this SDK is deliberately safer; each such method says so.

mod agents;
pub mod annotation;
pub mod bulk_upload;
pub mod chunked_upload;
mod client;
pub mod content_guard;
mod data_collection;
mod data_files;
pub mod downloads;
mod files;
mod hitl;
mod jobs;
mod logs;
mod ml;
mod plugin_releases;
mod plugins;
mod query;
mod serve_applications;
mod storages;

pub use crate::bulk_upload::{
    BulkUploadError, BulkUploadItem, BulkUploadOptions, BulkUploadOutcome, BulkUploadReport,
    BulkUploadStage, BulkUploadStrategy, PresignedPutResult,
};
pub use crate::chunked_upload::{
    ChunkedUpload, ChunkedUploadOptions, DEFAULT_CHUNK_SIZE, UploadCheckpoint,
};
pub use crate::client::{BackendClient, BackendClientBuilder, DEFAULT_HOST};
pub use crate::data_files::{
    CHUNKED_THRESHOLD, CollectionProgressFn, CollectionUploadReport, DataFileOptions,
    DataUnitFileRef, DataUnitPayload, DataUnitUpload, ItemReport, UnitBatchReport,
    UploadCollectionOptions, UploadMode,
};
pub use crate::downloads::DownloadOptions;
pub use crate::jobs::{
    GetJob, ListJobConsoleLogs, ListJobs, TailEvents, TailJobConsoleLogs, UpdateJob,
};
pub use crate::plugin_releases::ReleaseArchive;
pub use crate::query::Query;
pub(crate) use crate::query::query;
pub use synapse_models as models;
pub use synapse_transport::{Error, RetryPolicy};
pub use synapse_transport::{LineMode, LineOptions, PageStream};

// The operations of the annotation, HITL, data-collection and ML domains.
pub use crate::annotation::{
    AnnotateTask, AnnotateTaskData, AnnotateTaskDataBatch, CreateTasks, GetProject, GetTask,
    GetTaskTag, ListTaskTags, ListTasks, ListTasksData, ListTasksFiles, SetTagsTasks,
};
pub use crate::data_collection::{
    CreateDataUnits, GetDataCollection, GetDataUnit, ListDataCollections, ListDataUnits,
    VerifyDataFilesChecksums,
};
pub use crate::hitl::{
    GetAssignment, ListAssignments, ListAssignmentsData, ListAssignmentsFiles, SetTagsAssignments,
};
pub use crate::ml::{
    CreateModel, CreateModelWithFile, GetGroundTruthVersion, GetModel, ListGroundTruthEvents,
    ListGroundTruthEventsData, ListGroundTruthEventsFiles, ListGroundTruthVersions,
    ListGroundTruths, ListModels,
};
