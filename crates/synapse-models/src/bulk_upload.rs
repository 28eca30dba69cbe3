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
        files: Vec<PresignedFileInfo> => "files",
        /// When the URLs expire.
        expires_at: Timestamp => "expires_at",
    }
}

wire_struct! {
    /// Where one file goes: exactly one of `presigned_url` / `multipart` is set.
    pub struct PresignedFileInfo {
        /// File name.
        filename: String => "filename",
        /// Storage key, used to confirm the upload.
        file_key: String => "file_key",
        /// Presigned URL of a single PUT.
        presigned_url: String => "presigned_url",
        /// Multipart upload (large files).
        multipart: MultipartUploadInfo => "multipart",
    }
}

wire_struct! {
    /// A server-chosen multipart upload.
    pub struct MultipartUploadInfo {
        /// Provider upload id.
        upload_id: String => "upload_id",
        /// Bytes per part (the last part may be shorter).
        part_size: u64 => "part_size",
        /// The parts, each with its presigned URL.
        parts: Vec<MultipartPartInfo> => "parts",
    }
}

wire_struct! {
    /// One part of a [`MultipartUploadInfo`].
    pub struct MultipartPartInfo {
        /// 1-based part number.
        part_number: u32 => "part_number",
        /// Presigned URL of this part's PUT.
        presigned_url: String => "presigned_url",
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
        results: Vec<ConfirmFileResult> => "results",
        /// Files created.
        created_count: u64 => "created_count",
        /// Files that failed.
        failed_count: u64 => "failed_count",
    }
}

wire_struct! {
    /// The server's verdict on one confirmed file.
    pub struct ConfirmFileResult {
        /// Storage key.
        file_key: String => "file_key",
        /// Checksum as sent.
        checksum: String => "checksum",
        /// The created (or existing) data file.
        data_file_id: DataFileId => "data_file_id",
        /// Whether the file was registered.
        success: bool => "success",
        /// Error message when it was not.
        error: String => "error",
        /// v2: whether the data file is new (vs an existing one with the same content).
        created: bool => "created",
    }
}
