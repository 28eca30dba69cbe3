//! `BackendClient`: the Synapse backend v1 API — agents, plugins, plugin releases, jobs,
//! console logs, logs, serve applications, storages and the chunked upload.
//!
//! Built on [`synapse_transport`] (HTTP, retries, pagination, errors) and
//! [`synapse_models`] (typed models). Requests match the official Python SDK on the wire,
//! except where this SDK is deliberately safer; each such method says so.

mod client;

pub use crate::client::{BackendClient, BackendClientBuilder, DEFAULT_HOST};
pub use synapse_models as models;
pub use synapse_transport::{Error, RetryPolicy};
