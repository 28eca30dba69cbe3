//! Log entries sent to `POST logs/` and job logs read back.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{JobId, LogLevel, Timestamp};

/// One entry of `POST logs/` (pass-through): the union of the plain log shape (`message`,
/// `level`, `context`, `file`) and the SDK job logger's (`event`, `data`, `datetime`, `job`,
/// `step`), all optional, plus `extra` sent as given.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogEntry {
    /// Message text.
    pub message: Option<String>,
    /// Level.
    pub level: Option<LogLevel>,
    /// Free-form context.
    pub context: Option<Map<String, Value>>,
    /// A `data:<mime>;base64,…` URI.
    pub file: Option<String>,
    /// Event name (job logger).
    pub event: Option<String>,
    /// Event data (job logger).
    pub data: Option<Value>,
    /// When it happened (`…+00:00` form, see [`Timestamp::now_utc`]).
    pub datetime: Option<Timestamp>,
    /// Job id (job logger).
    pub job: Option<JobId>,
    /// Step name (job logger).
    pub step: Option<String>,
    /// Further keys, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl LogEntry {
    /// A `{message, level}` entry.
    pub fn message(message: impl Into<String>, level: LogLevel) -> Self {
        Self {
            message: Some(message.into()),
            level: Some(level),
            ..Self::default()
        }
    }
}

wire_struct! {
    /// A stored job log (v2 `JobLogV2Detail`).
    pub struct JobLog {
        /// Log id.
        pub id: Option<i64>,
        /// Job id.
        pub job_id: Option<JobId>,
        /// Event name.
        pub event: Option<String>,
        /// Step name.
        pub step: Option<String>,
        /// Level.
        pub level: Option<LogLevel>,
        /// Event data.
        pub data: Option<Value>,
        /// Attached file URL.
        pub file: Option<String>,
        /// When it happened.
        pub datetime: Option<Timestamp>,
        /// When it was stored.
        pub created: Option<Timestamp>,
    }
}
