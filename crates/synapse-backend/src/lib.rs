//! `BackendClient`: the Synapse backend v1 API — agents, plugins, plugin releases, jobs,
//! console logs, logs, serve applications, storages, the chunked upload, and the annotation
//! (projects, tasks, task tags), HITL (assignments), data-collection (collections, data
//! units, checksums) and ML (models, ground truths) domains.
//!
//! Every operation is a method named as in the product documentation that returns a
//! builder: set what the call needs, then await it. The same builder gives the exact request
//! it would send, without any IO (`.request()`), and per-call options (`.read_timeout()`,
//! `.retry()`, `.idempotent()`, a raw `.query(k, v)`). A list awaits to its first page;
//! `.items()` and `.pages()` walk every page as a lazy stream.
//!
//! ```no_run
//! # async fn demo() -> Result<(), synapse_backend::Error> {
//! use futures_util::StreamExt;
//! use synapse_backend::BackendClient;
//! use synapse_backend::models::JobStatus;
//!
//! let client = BackendClient::builder("https://api.synapse.sh").tenant("acme").build()?;
//! let job = client.get_job("550e8400-e29b-41d4-a716-446655440000").await?;
//!
//! let list = client.list_jobs().status(JobStatus::Running);
//! println!("{}", list.request()?.full_url()); // …/jobs/?status=RUNNING, nothing sent
//! let mut running = list.items();
//! while let Some(job) = running.next().await {
//!     println!("{:?}", job?.id);
//! }
//! # Ok(()) }
//! ```
//!
//! # Examples
//!
//! Runnable programs against the embedded fake server (`synapse-fake`), one per domain, in
//! this crate's `examples/` directory; each prints what it does and fails if a result is
//! not as expected:
//!
//! | command | what it shows |
//! |---|---|
//! | `cargo run -p synapse-backend --example quickstart` | the whole plugin workflow, on the backend then on an agent |
//! | `cargo run -p synapse-backend --example jobs_and_logs` | runs, following a job, listing and filtering jobs, console logs (whole and live), writing logs |
//! | `cargo run -p synapse-backend --example plugin_release_and_run` | a plugin, a release from an archive, looking it up, running it |
//! | `cargo run -p synapse-backend --example chunked_upload` | a chunked upload with progress, an interrupted upload resumed from its checkpoint |
//! | `cargo run -p synapse-backend --example data_collection_upload` | files uploaded into a data collection as data units, the units listed |
//! | `cargo run -p synapse-backend --example agent_run` | an agent: health, caching and running a release, its live log |
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
mod operations;
mod plugin_releases;
mod plugins;
mod serve_applications;
mod storage_hosts;
mod storages;

pub use crate::agents::{HealthCheckAgent, ListAgents};
pub use crate::bulk_upload::{
    BulkUploadError, BulkUploadItem, BulkUploadOptions, BulkUploadOutcome, BulkUploadReport,
    BulkUploadStage, BulkUploadStrategy, ConfirmPresignedUpload, GetDefaultStorage,
    PresignedPutResult, RequestPresignedUpload, UploadFileToPresignedUrl, UploadFilesBulk,
};
pub use crate::chunked_upload::{
    ChunkedUpload, ChunkedUploadOptions, CreateChunkedUpload, DEFAULT_CHUNK_SIZE, GetChunkedUpload,
    UploadCheckpoint,
};
pub use crate::client::{BackendClient, BackendClientBuilder, DEFAULT_HOST};
pub use crate::data_files::{
    CHUNKED_THRESHOLD, CollectionProgressFn, CollectionUploadReport, CreateDataFile,
    DataFileOptions, DataUnitFileRef, DataUnitPayload, DataUnitUpload, ItemReport, UnitBatchReport,
    UploadCollectionOptions, UploadDataCollection, UploadDataFile, UploadMode,
};
pub use crate::downloads::DownloadOptions;
pub use crate::jobs::{
    GetJob, ListJobConsoleLogs, ListJobs, TailEvents, TailJobConsoleLogs, UpdateJob,
};
pub use crate::logs::CreateLogs;
pub use crate::plugin_releases::{
    CreatePluginRelease, GetPluginRelease, GetPluginReleaseByLookup, ListPluginReleases,
    ReleaseArchive,
};
pub use crate::plugins::{CreatePlugin, GetPlugin, PluginRun, RunPlugin, UpdatePlugin};
pub use crate::serve_applications::{CreateServeApplication, ListServeApplications};
pub use crate::storages::{CreateStorage, GetStorage, ListStorages};
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
