//! An embedded fake Synapse backend and agent for tests and demos: real HTTP on 127.0.0.1
//! and an ephemeral port, in-memory state, started from Rust in one call.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = synapse_fake::FakeServer::start().await?;
//! println!("backend at {}, agent at {}", fake.url(), fake.agent_url());
//! // BackendClient::builder(fake.url()).access_token(fake.access_token())...
//! # Ok(()) }
//! ```
//!
//! What it serves: the backend v1 integration endpoints (agents, plugins, plugin releases,
//! jobs with console logs and a live tail, logs, serve applications, storages), the
//! chunked upload, and data collections with their data files and data units (one image
//! collection to start with), plus the agent's health and plugin-release endpoints under
//! `/agent/`.
//! Behaviour follows Django REST Framework: page-number pagination with absolute `next` /
//! `previous` links, 404 with `{"detail": …}`, 400 with field errors, 401 without a token,
//! 403 for a wrong tenant. Faults can be injected per request ([`Fault`]).

// Handlers return the error *response* itself as `Err`, sent at once; boxing it would only add
// noise to every call site of a test server.
#![allow(clippy::result_large_err)]

mod agent;
mod backend;
mod data_collections;
mod faults;
mod jobs;
mod multipart;
mod respond;
mod server;
mod state;
mod time;
mod uploads;

pub use crate::faults::{Fault, FaultAction};
pub use crate::server::{FakeConfig, FakeServer, RecordedCall};
/// The HTTP method type of [`Fault::method`] and [`RecordedCall`].
pub use http::Method;
