//! Bulk (presigned) upload bodies.

use serde::{Deserialize, Serialize};

use crate::{DataFileId, Timestamp};

/// One file of a [`PresignedUploadRequest`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PresignedFileRequest {
    /// File name (the basename of the local path).
    pub filename: String,
    /// Size in bytes (≥ 1).
    pub size: u64,
    /// MIME type guessed from the extension; omitted when unknown (the Python SDK sends
    /// `null`, which the v2 schema rejects).
    pub content_type: Option<String>,
}

/// Body of `POST data_files/presigned_upload/upload/`: `{"files": […], "expiration": N}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PresignedUploadRequest {
    /// The files to reserve, in order (the answer is matched by position).
    pub files: Vec<PresignedFileRequest>,
    /// URL lifetime in seconds (default 3600, 60–86400).
    pub expiration: u64,
}

wire_struct! {
    /// Answer of `POST data_files/presigned_upload/upload/`.
    pub struct PresignedUploadResponse {
        /// One entry per requested file, in request order.
        pub files: Option<Vec<PresignedFileInfo>>,
        /// When the URLs expire.
        pub expires_at: Option<Timestamp>,
    }
}

wire_struct! {
    /// Where one file goes: exactly one of `presigned_url` / `multipart` is set.
    pub struct PresignedFileInfo {
        /// File name.
        pub filename: Option<String>,
        /// Storage key, used to confirm the upload.
        pub file_key: Option<String>,
        /// Presigned URL of a single PUT.
        pub presigned_url: Option<String>,
        /// Multipart upload (large files).
        pub multipart: Option<MultipartUploadInfo>,
    }
}

wire_struct! {
    /// A server-chosen multipart upload.
    pub struct MultipartUploadInfo {
        /// Provider upload id.
        pub upload_id: Option<String>,
        /// Bytes per part (the last part may be shorter).
        pub part_size: Option<u64>,
        /// The parts, each with its presigned URL.
        pub parts: Option<Vec<MultipartPartInfo>>,
    }
}

wire_struct! {
    /// One part of a [`MultipartUploadInfo`].
    pub struct MultipartPartInfo {
        /// 1-based part number.
        pub part_number: Option<u32>,
        /// Presigned URL of this part's PUT.
        pub presigned_url: Option<String>,
    }
}

/// Body of `POST data_files/presigned_upload/confirm_upload/`: `{"files": […]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfirmUploadRequest {
    /// The uploaded files.
    pub files: Vec<ConfirmFileRequest>,
}

/// One uploaded file of a [`ConfirmUploadRequest`].
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfirmFileRequest {
    /// Storage key from the reservation.
    pub file_key: String,
    /// SHA-1 of the file, lowercase hex (the v2 schema calls it MD5; the wire follows the SDK).
    pub checksum: String,
    /// Size in bytes.
    pub size: u64,
    /// Multipart completion, for multipart uploads only.
    pub multipart: Option<ConfirmMultipart>,
}

/// Multipart completion of a [`ConfirmFileRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfirmMultipart {
    /// Provider upload id.
    pub upload_id: String,
    /// Uploaded parts in part order.
    pub parts: Vec<ConfirmPart>,
}

/// One uploaded part: its number and the storage's `ETag` verbatim (quotes kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfirmPart {
    /// 1-based part number.
    pub part_number: u32,
    /// `ETag` header of the part PUT, verbatim.
    pub etag: String,
}

wire_struct! {
    /// Answer of `POST data_files/presigned_upload/confirm_upload/`.
    pub struct ConfirmUploadResponse {
        /// One result per confirmed file.
        pub results: Option<Vec<ConfirmFileResult>>,
        /// Files created.
        pub created_count: Option<u64>,
        /// Files that failed.
        pub failed_count: Option<u64>,
    }
}

wire_struct! {
    /// The server's verdict on one confirmed file.
    pub struct ConfirmFileResult {
        /// Storage key.
        pub file_key: Option<String>,
        /// Checksum as sent.
        pub checksum: Option<String>,
        /// The created (or existing) data file.
        pub data_file_id: Option<DataFileId>,
        /// Whether the file was registered.
        pub success: Option<bool>,
        /// Error message when it was not.
        pub error: Option<String>,
        /// v2: whether the data file is new (vs an existing one with the same content).
        pub created: Option<bool>,
    }
}
