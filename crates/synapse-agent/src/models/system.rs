//! System management: compose configuration, operation status, update and restart.

use synapse_models::open_enum;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use synapse_models::Timestamp;

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

/// `GET system/compose-config/`: the Docker Compose set-up the agent detected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ComposeConfig {
    /// Host directory holding the compose files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Compose files in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_files: Option<Vec<String>>,
    /// Whether GPU mode was detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_gpu_mode: Option<bool>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET system/status/`: whether an update or restart is running.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemStatus {
    /// Whether an operation is running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<bool>,
    /// The running operation, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<SystemOperation>,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// Target API image tag of a running update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_tag: Option<String>,
    /// Target worker image tag of a running update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_tag: Option<String>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SystemStatus {
    /// `in_progress`, `false` when absent.
    pub fn is_in_progress(&self) -> bool {
        self.in_progress.unwrap_or(false)
    }
}

/// Answer of `POST system/update/` and `POST system/restart/`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemOperationResult {
    /// `success`, `error` or `in_progress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationStatus>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Output of `docker compose pull` (update only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_output: Option<String>,
    /// Output of `docker compose up`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_output: Option<String>,
    /// Keys this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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
