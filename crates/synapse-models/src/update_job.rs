//! Body of `PATCH jobs/{id}/`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{JobStatus, ModelError};

/// Body of `PATCH jobs/{id}/`, in wire order; every field optional, `None` omitted (a field
/// cannot be cleared). Call [`UpdateJobRequest::validate`] before sending.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UpdateJobRequest {
    /// New status (one of the five known values).
    pub status: Option<JobStatus>,
    /// Progress record (replaces the stored one).
    pub progress_record: Option<Map<String, Value>>,
    /// Metrics record (replaces the stored one).
    pub metrics_record: Option<Map<String, Value>>,
    /// Console logs: an object or an array of objects.
    pub console_logs: Option<Value>,
    /// Result: an object or an array.
    pub result: Option<Value>,
    /// Free-form metadata (the agent's queue writes `meta.queue`).
    pub meta: Option<Map<String, Value>>,
}

impl UpdateJobRequest {
    /// An empty update.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `status`.
    pub fn status(mut self, status: JobStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets `progress_record`.
    pub fn progress_record(mut self, record: Map<String, Value>) -> Self {
        self.progress_record = Some(record);
        self
    }

    /// Sets `metrics_record`.
    pub fn metrics_record(mut self, record: Map<String, Value>) -> Self {
        self.metrics_record = Some(record);
        self
    }

    /// Sets `console_logs` (an object or an array of objects).
    pub fn console_logs(mut self, logs: Value) -> Self {
        self.console_logs = Some(logs);
        self
    }

    /// Sets `result` (an object or an array).
    pub fn result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }

    /// Sets `meta`.
    pub fn meta(mut self, meta: Map<String, Value>) -> Self {
        self.meta = Some(meta);
        self
    }

    /// Checks what the Python SDK checks before sending: a known `status`, a `result` that is
    /// an object or array, `console_logs` an object or an array of objects.
    pub fn validate(&self) -> Result<(), ModelError> {
        if let Some(JobStatus::Unknown(value)) = &self.status {
            return Err(ModelError::InvalidField {
                field: "status",
                reason: format!(
                    "{:?} is not one of PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED",
                    value.as_str()
                ),
            });
        }
        if self
            .result
            .as_ref()
            .is_some_and(|r| !(r.is_object() || r.is_array()))
        {
            return Err(ModelError::InvalidField {
                field: "result",
                reason: "must be a JSON object or array".to_owned(),
            });
        }
        if let Some(logs) = &self.console_logs {
            let ok = match logs {
                Value::Object(_) => true,
                Value::Array(items) => items.iter().all(Value::is_object),
                _ => false,
            };
            if !ok {
                return Err(ModelError::InvalidField {
                    field: "console_logs",
                    reason: "must be a JSON object or an array of objects".to_owned(),
                });
            }
        }
        Ok(())
    }
}
