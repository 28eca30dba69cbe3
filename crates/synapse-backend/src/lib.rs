//! `BackendClient`: the Synapse backend v1 API — agents, plugins, plugin releases, jobs,
//! console logs, logs, serve applications, storages, uploads, and the annotation, HITL,
//! data-collection and ML domains.
//!
//! Every operation is a method named as in the product documentation that returns a
//! builder: set what the call needs, then await it. The same builder gives the exact request
//! it would send, without any IO (`.request()`), and per-call options (`.read_timeout()`,
//! `.retry()`, `.idempotent()`, a raw `.query(k, v)`). A list awaits to its first page;
//! `.items()` and `.pages()` walk every page as a lazy stream.
//!
//! This example runs as written: a scripted platform ([`mock`]) answers in place of a real
//! host. Against the platform, drop the `.transport(…)` and `.retry_policy(…)` lines.
//!
//! ```
//! # fn main() -> Result<(), synapse_backend::Error> {
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
//! #     .block_on(async {
//! use futures_util::StreamExt;
//! use serde_json::json;
//! use synapse_backend::mock::{MockResponse, MockTransport};
//! use synapse_backend::models::JobStatus;
//! use synapse_backend::{BackendClient, Method, RetryPolicy};
//!
//! let platform = MockTransport::new();
//! platform.route(Method::GET, "/jobs/", MockResponse::json(200, json!({
//!     "count": 2, "next": null, "previous": null,
//!     "results": [{"id": "a1", "status": "RUNNING"}, {"id": "b2", "status": "RUNNING"}],
//! })));
//! let client = BackendClient::builder("https://api.synapse.sh")
//!     .access_token("my-token")
//!     .tenant("acme")
//!     .transport(platform.clone())
//!     .retry_policy(RetryPolicy::never()) // tests: no backoff sleeps
//!     .build()?;
//!
//! let running = client.list_jobs().status(JobStatus::Running);
//! let request = running.request()?; // the exact request; nothing sent
//! assert_eq!(request.full_url().as_str(), "https://api.synapse.sh/jobs/?status=RUNNING");
//! let mut jobs = running.items(); // every page, lazily
//! let mut ids = Vec::new();
//! while let Some(job) = jobs.next().await {
//!     ids.extend(job?.id.map(|id| id.to_string()));
//! }
//! assert_eq!(ids, ["a1", "b2"]);
//! assert_eq!(platform.requests()[0].header("synapse-tenant"), Some("Token acme"));
//! # Ok(()) })
//! # }
//! ```
//!
//! | domain | methods |
//! |---|---|
//! | agents | [`list_agents`](BackendClient::list_agents), [`health_check_agent`](BackendClient::health_check_agent) |
//! | plugins | [`get_plugin`](BackendClient::get_plugin), [`create_plugin`](BackendClient::create_plugin), [`update_plugin`](BackendClient::update_plugin), [`run_plugin`](BackendClient::run_plugin) |
//! | plugin releases | [`get_plugin_release`](BackendClient::get_plugin_release), [`get_plugin_release_by_lookup`](BackendClient::get_plugin_release_by_lookup), [`list_plugin_releases`](BackendClient::list_plugin_releases), [`create_plugin_release`](BackendClient::create_plugin_release) |
//! | jobs and console logs | [`get_job`](BackendClient::get_job), [`list_jobs`](BackendClient::list_jobs), [`update_job`](BackendClient::update_job), [`list_job_console_logs`](BackendClient::list_job_console_logs), [`tail_job_console_logs`](BackendClient::tail_job_console_logs) |
//! | logs | [`create_logs`](BackendClient::create_logs) |
//! | serve applications | [`create_serve_application`](BackendClient::create_serve_application), [`list_serve_applications`](BackendClient::list_serve_applications) |
//! | storages | [`get_storage`](BackendClient::get_storage), [`list_storages`](BackendClient::list_storages), [`create_storage`](BackendClient::create_storage) |
//! | chunked upload | [`create_chunked_upload`](BackendClient::create_chunked_upload), [`get_chunked_upload`](BackendClient::get_chunked_upload) |
//! | bulk upload (presigned) | [`get_default_storage`](BackendClient::get_default_storage), [`request_presigned_upload`](BackendClient::request_presigned_upload), [`upload_file_to_presigned_url`](BackendClient::upload_file_to_presigned_url), [`confirm_presigned_upload`](BackendClient::confirm_presigned_upload), [`upload_files_bulk`](BackendClient::upload_files_bulk) |
//! | data files | [`create_data_file`](BackendClient::create_data_file), [`upload_data_file`](BackendClient::upload_data_file), [`upload_data_collection`](BackendClient::upload_data_collection) |
//! | downloads | [`download_files`](BackendClient::download_files), [`localize_files`](BackendClient::localize_files) |
//! | annotation (projects, tasks, tags) | [`get_project`](BackendClient::get_project), [`get_task`](BackendClient::get_task), [`list_tasks`](BackendClient::list_tasks), [`list_tasks_data`](BackendClient::list_tasks_data), [`list_tasks_files`](BackendClient::list_tasks_files), [`create_tasks`](BackendClient::create_tasks), [`annotate_task`](BackendClient::annotate_task), [`annotate_task_data`](BackendClient::annotate_task_data), [`annotate_task_data_batch`](BackendClient::annotate_task_data_batch), [`get_task_tag`](BackendClient::get_task_tag), [`list_task_tags`](BackendClient::list_task_tags), [`set_tags_tasks`](BackendClient::set_tags_tasks) |
//! | HITL (assignments) | [`get_assignment`](BackendClient::get_assignment), [`list_assignments`](BackendClient::list_assignments), [`list_assignments_data`](BackendClient::list_assignments_data), [`list_assignments_files`](BackendClient::list_assignments_files), [`set_tags_assignments`](BackendClient::set_tags_assignments) |
//! | data collections | [`list_data_collections`](BackendClient::list_data_collections), [`list_data_collection`](BackendClient::list_data_collection), [`get_data_collection`](BackendClient::get_data_collection), [`get_data_unit`](BackendClient::get_data_unit), [`list_data_units`](BackendClient::list_data_units), [`create_data_units`](BackendClient::create_data_units), [`verify_data_files_checksums`](BackendClient::verify_data_files_checksums) |
//! | ML (models, ground truths) | [`list_models`](BackendClient::list_models), [`get_model`](BackendClient::get_model), [`create_model`](BackendClient::create_model), [`list_ground_truth_events`](BackendClient::list_ground_truth_events), [`list_ground_truth_events_data`](BackendClient::list_ground_truth_events_data), [`list_ground_truth_events_files`](BackendClient::list_ground_truth_events_files), [`list_ground_truths`](BackendClient::list_ground_truths), [`get_ground_truth_version`](BackendClient::get_ground_truth_version), [`list_ground_truth_versions`](BackendClient::list_ground_truth_versions) |
//!
//! Construction: [`BackendClient::builder`] (every setting), [`BackendClient::new`] (a base
//! URL, credentials from the environment) and [`BackendClient::from_env`] (the Python SDK's
//! lookup of host and token). Everything a service's signatures and tests need is
//! re-exported here (errors and their kinds, [`HttpConfig`], [`RetryPolicy`], [`EnvSource`]
//! / [`MapEnv`], [`Method`], the [`mock`] transport), so one dependency on this crate is
//! enough.
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
//! [`synapse_models`] (typed models, also as [`models`]). Requests match the official Python
//! SDK on the wire, except where this SDK is deliberately safer; each such method says so.

// `client` first: rustdoc lists `BackendClient`'s constructors before its operations.
mod client;

mod agents;
pub mod annotation;
pub mod bulk_upload;
pub mod chunked_upload;
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
#[cfg(feature = "v2")]
pub mod v2;

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
pub use synapse_transport::mock;
pub use synapse_transport::{
    ApiBody, ApiError, ApiErrorKind, ConnectKind, EnvSource, Error, GiveUp, HttpConfig, LineMode,
    LineOptions, MapEnv, Method, PageStream, ProcessEnv, Request, Response, RetryPolicy,
    StatusCode, TimeoutKind, Transport, Url,
};

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
