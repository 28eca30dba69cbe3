//! Serve applications.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{IntOrString, ServeApplicationId, ServeApplicationStatus};

wire_struct! {
    /// A serve application (`GET serve_applications/…`).
    pub struct ServeApplication {
        /// Id.
        pub id: Option<ServeApplicationId>,
        /// Status.
        pub status: Option<ServeApplicationStatus>,
        /// The job that deployed it (id as int or string).
        pub job: Option<IntOrString>,
        /// The agent's Ray serve-application object.
        pub data: Option<Value>,
    }
}

/// Body of `POST serve_applications/`, in wire order; `None` fields are omitted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServeApplicationCreateRequest {
    /// The job (int or string, kept as given).
    pub job: IntOrString,
    /// Status.
    pub status: Option<ServeApplicationStatus>,
    /// The agent's Ray serve-application object.
    pub data: Option<Map<String, Value>>,
}

impl ServeApplicationCreateRequest {
    /// A request for `job` without status or data.
    pub fn new(job: impl Into<IntOrString>) -> Self {
        Self {
            job: job.into(),
            status: None,
            data: None,
        }
    }
}
