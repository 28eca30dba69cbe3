//! An embedded fake Synapse backend and agent for tests and demos: real HTTP on 127.0.0.1
//! and an ephemeral port (or any address, [`FakeConfig::bind`]), in-memory state, started from
//! Rust in one call — or as the `synapse-fake` program (`synapse-fake --help`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = synapse_fake::FakeServer::start().await?;
//! println!("backend at {}, agent at {}", fake.url(), fake.agent_url());
//! // BackendClient::builder(fake.url()).access_token(fake.access_token())...
//! # Ok(()) }
//! ```
//!
//! Behaviour follows Django REST Framework: page-number pagination (`page`, `page_size`) with
//! absolute `next` / `previous` links, 404 with `{"detail": …}`, 400 with field errors, 401
//! without a token, 403 for a wrong tenant. Jobs move from `PENDING` through `RUNNING` to
//! `SUCCEEDED` (or `FAILED` when run with `"fail": true`) and write console lines as they go.
//! Faults can be injected per request ([`Fault`]); they apply before anything below.
//!
//! # Routes
//!
//! The backend, at [`FakeServer::url`], with `Synapse-Access-Token: Token <access token>` (or
//! `Authorization: Token …`, or the agent token in `SYNAPSE-Agent`):
//!
//! | method | path | |
//! |---|---|---|
//! | `GET` | `agents/` | agents (`status`); two exist from the start |
//! | `POST` | `agents/{token}/connect/` | connects the agent with this token |
//! | `POST` | `plugins/` | creates a plugin (`code`, `name`, `category`) |
//! | `GET` | `plugins/{id}/` | a plugin |
//! | `PUT` | `plugins/{id}/` | updates a plugin (its `id` and `code` stay) |
//! | `POST` | `plugins/{plugin}/run/` | runs an action of the plugin (id or code) on its latest release or the given `version`: starts a job |
//! | `GET` | `plugin_releases/` | releases (`plugin`, `ordering=-created`, `expand=plugin`) |
//! | `POST` | `plugin_releases/` | creates a release: JSON, or multipart with the archive as `file` |
//! | `GET` | `plugin_releases/{lookup}/` | a release by id or `code@version` (`expand=plugin`) |
//! | `GET` | `jobs/` | jobs (`status`, in any case and the documentation's words; `plugin_release`) |
//! | `GET` | `jobs/{id}/` | a job |
//! | `PATCH` | `jobs/{id}/` | updates a job's `status`, `progress_record`, `metrics_record`, `console_logs`, `result`, `meta` |
//! | `GET` | `jobs/{id}/console_logs/` | the console lines written so far, as an array |
//! | `GET` | `jobs/{id}/tail_console_logs/` | the live tail: server-sent events (`connected`, `log`, `complete`) until the job ends |
//! | `POST` | `logs/` | creates log entries (one, or a list) |
//! | `GET` | `serve_applications/` | serve applications (`status`) |
//! | `POST` | `serve_applications/` | creates a serve application |
//! | `GET` | `storages/` | storages (`category`, `with_configuration`); one exists from the start |
//! | `POST` | `storages/` | creates a storage |
//! | `GET` | `storages/{id}/` | a storage (`with_configuration`) |
//! | `PUT` | `chunked_upload/` | the first chunk of a chunked upload (multipart `file`, `Content-Range`) |
//! | `PUT` | `chunked_upload/{id}/` | the next chunk |
//! | `GET` | `chunked_upload/{id}/` | the upload's state |
//! | `POST` | `chunked_upload/{id}/` | completes the upload, checking its `md5` |
//! | `GET` | `data_collections/` | data collections; one image collection exists from the start (`expand=file_specifications`) |
//! | `GET` | `data_collections/{id}/` | a data collection (`expand=file_specifications`) |
//! | `POST` | `data_files/` | creates a data file: multipart `file`, or `{"chunked_upload": id}` of a finished upload; the same content gives the same data file |
//! | `POST` | `data_files/verify_checksums/` | which of the given checksums the server knows |
//! | `GET` | `data_units/` | data units (`data_collection`) |
//! | `POST` | `data_units/` | creates one data unit or a list (all or nothing) |
//! | `GET` | `data_units/{id}/` | a data unit (`expand=files`) |
//! | `PUT` | `bench/raw_upload/` | not a platform route: the body's `size` and `md5`, for the benchmarks' plain upload |
//!
//! Every backend path ends in `/`. Without a trailing slash it answers as Django's
//! `APPEND_SLASH` does: when the path with a `/` appended is a route above (for any method),
//! `301 Moved Permanently` with `Location` set to that path, query kept (`GET /jobs?page=2` →
//! `Location: /jobs/?page=2`), whatever the request's method and before any credential check;
//! otherwise the answer to any unknown path: 404 `{"detail": "Not found."}` (401 first
//! without a valid token).
//!
//! The agent, under `agent/` ([`FakeServer::agent_url`]), with the bare agent token in
//! `Authorization`:
//!
//! | method | path | |
//! |---|---|---|
//! | `GET` | `agent/health/` | `{"status": "ok"}` |
//! | `GET` | `agent/plugin_releases/` | the releases cached on the agent (`plugin`) |
//! | `POST` | `agent/plugin_releases/` | caches a release of the fake backend (`plugin`, `version`) |
//! | `POST` | `agent/plugin_releases/run_debug/` | a debug run: starts a job |
//! | `GET` | `agent/plugin_releases/{lookup}` | a cached release by id or `code@version` |
//! | `DELETE` | `agent/plugin_releases/{lookup}` | removes a cached release |
//! | `POST` | `agent/plugin_releases/{lookup}/run/` | runs an action of a cached release: starts a job |
//! | `GET` | `agent/jobs/` | every job as Ray reports it, as an array |
//! | `GET` | `agent/jobs/{id}/` | a job as Ray reports it |
//! | `GET` | `agent/jobs/{id}/logs/` | the console so far, as one string |
//! | `GET` | `agent/jobs/{id}/logs/stream/` | the live tail: each console line as one server-sent event |
//!
//! The agent has no redirect: each path is served exactly as listed, trailing slash or not
//! (as the agent API spells it), and any other spelling is 404.

// Handlers return the error *response* itself as `Err`, sent at once; boxing it would only add
// noise to every call site of a test server.
#![allow(clippy::result_large_err)]

mod agent;
mod backend;
mod control;
mod data_collections;
mod faults;
mod jobs;
mod multipart;
mod respond;
mod routes;
mod server;
mod state;
mod time;
mod uploads;

pub use crate::faults::{Fault, FaultAction};
pub use crate::server::{FakeConfig, FakeServer, RecordedCall, TailLogShape};
/// The HTTP method type of [`Fault::method`] and [`RecordedCall`].
pub use http::Method;
