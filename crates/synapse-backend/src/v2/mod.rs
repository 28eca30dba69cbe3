//! The Synapse backend v2 API (`/v2/…`): [`BackendV2Client`] and its operations, generated
//! from the platform's OpenAPI document (enable the `v2` feature).
//!
//! Every operation of the document is a method of a resource handle, named as the Python
//! SDK names it: `client.projects().list()`, `client.tasks().retrieve(id)`,
//! `client.projects().tags(project_id).create(body)`. The method returns a builder: set
//! what the call needs, then await it. The builder also gives the exact request without
//! any IO (`.request()`) and per-call options (`.read_timeout()`, `.retry()`,
//! `.idempotent()`, a raw `.query(k, v)`).
//!
//! This example runs as written: a scripted platform ([`mock`](crate::mock)) answers in place
//! of a real host.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
//! #     .block_on(async {
//! use futures_util::TryStreamExt;
//! use serde_json::json;
//! use synapse_backend::mock::{MockResponse, MockTransport};
//! use synapse_backend::v2::BackendV2Client;
//! use synapse_backend::{Method, RetryPolicy};
//!
//! let platform = MockTransport::new();
//! let project = json!({"id": 1, "title": "Street scenes", "category": "image",
//!     "category_display": "Image", "created": "2026-01-15T09:00:00Z", "is_archived": false,
//!     "task_count": 12});
//! platform.route_always(Method::GET, "/v2/projects/", MockResponse::json(200, json!({
//!     "data": [project], "meta": {"request_id": "req_1", "pagination": {"next_cursor": null}},
//! })));
//! let client = BackendV2Client::builder("https://api.synapse.sh")
//!     .access_token("syn_token")
//!     .tenant("acme")
//!     .without_env()
//!     .transport(platform.clone())
//!     .retry_policy(RetryPolicy::never())
//!     .build()?;
//!
//! let first = client.projects().list().category("image").per_page(50).await?;
//! assert_eq!(first.request_id.as_deref(), Some("req_1"));
//! let all: Vec<_> = client.projects().list().items().try_collect().await?;
//! assert_eq!(all[0].title, "Street scenes");
//! # Ok::<(), synapse_backend::Error>(()) }).expect("example");
//! ```
//!
//! Answers are [`V2Response<T>`] (the value, its `meta` and request id; it dereferences to
//! the value), [`CursorPage<T>`] for a list's page, [`NoContent`] when the server sends no
//! body, [`DryRunAnswer`] for a call sent as a dry run (`.dry_run()`, a [`DryRun`]), and event
//! streams for the three streaming operations. The models are
//! [`synapse_models::v2`].
//!
//! Besides the document's operations, two calls the Python SDK makes on paths the document
//! does not describe are written by hand: [`Containers::report_health`](generated::containers::Containers::report_health)
//! and [`AsyncJobs::stream_progress`](generated::async_jobs::AsyncJobs::stream_progress).

mod access;
mod client;
mod dry_run;
pub mod generated;
mod login;
mod multipart;
mod python_only;
pub mod streams;
mod support;

pub use self::access::{AccessRead, CheckPermission};
pub use self::client::{BackendV2Client, BackendV2ClientBuilder};
pub use self::dry_run::{DryRun, DryRunAnswer};
pub use self::generated::*;
pub use self::login::{AuthLogin, LoginResponse};
pub use self::python_only::{AsyncJobsStreamProgress, ContainersReportHealth};
pub use self::support::MAX_BULK_IDS;
pub use synapse_transport::v2::{
    Credentials, CursorPage, CursorPages, CursorStream, Meta, NoContent, SseOptions, SseStream,
    V2Response,
};
