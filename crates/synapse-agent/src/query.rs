//! Caller query parameters (shared with the transport).

pub use synapse_transport::Query;
pub(crate) use synapse_transport::owned_query as query;
