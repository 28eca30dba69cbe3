//! Chunked upload state and finalize bodies.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::{ChunkedUploadId, Timestamp};

/// drf-chunked-upload's integer status (`1` uploading, `2` complete); open.
///
/// Match the known variants; use [`ChunkedUploadStatus::as_i64`] for the rest. The SDK judges
/// completion by `completed_at`, not by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChunkedUploadStatus {
    /// `1`: chunks are being uploaded.
    Uploading,
    /// `2`: finalized.
    Complete,
    /// Any other integer, kept verbatim.
    Unknown(i64),
}

impl ChunkedUploadStatus {
    /// The wire integer.
    pub fn as_i64(&self) -> i64 {
        match self {
            Self::Uploading => 1,
            Self::Complete => 2,
            Self::Unknown(v) => *v,
        }
    }
}

impl From<i64> for ChunkedUploadStatus {
    fn from(v: i64) -> Self {
        match v {
            1 => Self::Uploading,
            2 => Self::Complete,
            other => Self::Unknown(other),
        }
    }
}

impl fmt::Display for ChunkedUploadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_i64(), f)
    }
}

impl Serialize for ChunkedUploadStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.as_i64())
    }
}

impl<'de> Deserialize<'de> for ChunkedUploadStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ChunkedUploadStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer status")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(v.into())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(Into::into)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }
        deserializer.deserialize_i64(V)
    }
}

impl schemars::JsonSchema for ChunkedUploadStatus {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ChunkedUploadStatus")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Open integer enum: 1 uploading, 2 complete; other integers are accepted.",
            "anyOf": [{ "type": "integer", "enum": [1, 2] }, { "type": "integer" }]
        })
    }
}

wire_struct! {
    /// State of a chunked upload (answer to each chunk PUT and to `GET chunked_upload/{id}/`).
    pub struct ChunkedUploadState {
        /// Upload id.
        pub id: Option<ChunkedUploadId>,
        /// Absolute URL of the next PUT / the finalize POST.
        pub url: Option<String>,
        /// Bytes stored so far (= start of the next chunk).
        pub offset: Option<u64>,
        /// File name.
        pub filename: Option<String>,
        /// URL of the stored (partial) file.
        pub file: Option<String>,
        /// Status (`1` uploading, `2` complete).
        pub status: Option<ChunkedUploadStatus>,
        /// Creation time.
        pub created_at: Option<Timestamp>,
        /// Finalize time (null until complete).
        pub completed_at: Option<Timestamp>,
    }
}

impl ChunkedUploadState {
    /// `true` when `completed_at` is non-empty (the SDK's completion test).
    pub fn is_complete(&self) -> bool {
        self.completed_at.as_ref().is_some_and(|t| !t.is_empty())
    }
}

/// Body of the finalize POST: `{"md5": "<32 lowercase hex>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChunkedUploadFinalizeRequest {
    /// MD5 of the whole file, lowercase hex.
    pub md5: String,
}

wire_struct! {
    /// Answer of the finalize POST.
    pub struct ChunkedUploadFinalizeResponse {
        /// Upload id.
        pub id: Option<ChunkedUploadId>,
        /// URL of the stored file.
        pub file: Option<String>,
        /// Checksum (hex).
        pub checksum: Option<String>,
        /// Size in bytes.
        pub size: Option<u64>,
        /// Finalize time.
        pub completed_at: Option<Timestamp>,
        /// Status.
        pub status: Option<ChunkedUploadStatus>,
    }
}

/// Where an interrupted chunked upload stands: everything needed to resume it, in this
/// process or another (it is serialisable). A failed upload carries one in its error; pass
/// it back as the upload's `resume` option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UploadCheckpoint {
    /// The server's upload id.
    pub id: ChunkedUploadId,
    /// Where the next chunk goes.
    pub url: String,
    /// The local file.
    pub path: std::path::PathBuf,
    /// Its size when the upload started.
    pub size: u64,
    /// Its modification time (Unix nanoseconds) when the upload started.
    pub mtime_unix_nanos: Option<u64>,
    /// Bytes the server has acknowledged.
    pub offset: u64,
}
