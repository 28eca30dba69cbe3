//! System management: compose configuration, operation status, update and restart.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use synapse_models::{Timestamp, open_enum, wire_struct};

open_enum! {
    /// The system operation in progress.
    pub enum SystemOperation (ignore_case) {
        /// Pulling images and recreating the containers.
        Update = "update",
        /// Recreating the containers with the current images.
        Restart = "restart",
    }
}

open_enum! {
    /// Outcome of an update or restart.
    pub enum OperationStatus (ignore_case) {
        /// Done.
        Success = "success",
        /// Failed.
        Error = "error",
        /// Another operation is running (the agent answers 409).
        InProgress = "in_progress",
    }
}

wire_struct! {
    /// `GET system/compose-config/`: the Docker Compose set-up the agent detected.
    pub struct ComposeConfig {
        /// Host directory holding the compose files.
        pub working_dir: Option<String>,
        /// Compose files in use.
        pub config_files: Option<Vec<String>>,
        /// Whether GPU mode was detected.
        pub is_gpu_mode: Option<bool>,
    }
}

wire_struct! {
    /// `GET system/status/`: whether an update or restart is running.
    pub struct SystemStatus {
        /// Whether an operation is running.
        pub in_progress: Option<bool>,
        /// The running operation, if any.
        pub operation: Option<SystemOperation>,
        /// When it started.
        pub started_at: Option<Timestamp>,
        /// Target API image tag of a running update.
        pub api_tag: Option<String>,
        /// Target worker image tag of a running update.
        pub worker_tag: Option<String>,
    }
}

impl SystemStatus {
    /// `in_progress`, `false` when absent.
    pub fn is_in_progress(&self) -> bool {
        self.in_progress.unwrap_or(false)
    }
}

wire_struct! {
    /// Answer of `POST system/update/` and `POST system/restart/`.
    pub struct SystemOperationResult {
        /// `success`, `error` or `in_progress`.
        pub status: Option<OperationStatus>,
        /// Human-readable message.
        pub message: Option<String>,
        /// Output of `docker compose pull` (update only).
        pub pull_output: Option<String>,
        /// Output of `docker compose up`.
        pub up_output: Option<String>,
    }
}

impl SystemOperationResult {
    /// `true` when `status` is `success`.
    pub fn is_success(&self) -> bool {
        self.status == Some(OperationStatus::Success)
    }
}

/// Body of `POST system/update/`: the image tags to pull (the agent defaults to `latest`,
/// and `latest-gpu` for the worker in GPU mode). Only the tags given are sent; with neither,
/// the body is the JSON literal `null`, as the Python SDK sends it.
///
/// ```
/// use synapse_agent::UpdateSystemRequest;
/// assert_eq!(serde_json::to_string(&UpdateSystemRequest::default())?, "null");
/// let req = UpdateSystemRequest { api_tag: Some("v2".into()), worker_tag: None };
/// assert_eq!(serde_json::to_string(&req)?, r#"{"api_tag":"v2"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateSystemRequest {
    /// Tag of the API image.
    pub api_tag: Option<String>,
    /// Tag of the worker image.
    pub worker_tag: Option<String>,
}

impl Serialize for UpdateSystemRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.api_tag.is_none() && self.worker_tag.is_none() {
            return serializer.serialize_none();
        }
        let len = usize::from(self.api_tag.is_some()) + usize::from(self.worker_tag.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        if let Some(tag) = &self.api_tag {
            map.serialize_entry("api_tag", tag)?;
        }
        if let Some(tag) = &self.worker_tag {
            map.serialize_entry("worker_tag", tag)?;
        }
        map.end()
    }
}

impl JsonSchema for UpdateSystemRequest {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("UpdateSystemRequest")
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed("synapse_agent::UpdateSystemRequest")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Body of `POST system/update/`: the image tags given, or `null` when neither is.",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "api_tag": {"description": "Tag of the API image.", "type": "string"},
                        "worker_tag": {"description": "Tag of the worker image.", "type": "string"}
                    },
                    "additionalProperties": false,
                    "minProperties": 1
                },
                {"type": "null"}
            ]
        })
    }
}
