//! Data files: the answer of `POST data_files/`.

use crate::{DataFileId, Timestamp};

wire_struct! {
    /// A data file (`POST data_files/`): v1 keys (`size`, `created_at`) and the v2 spellings
    /// (`file_size`, `created`), all optional; read them with [`DataFileResponse::file_size`]
    /// and [`DataFileResponse::created`]. Unknown keys are kept in `extra`.
    ///
    /// ```
    /// use synapse_models::DataFileResponse;
    /// let f: DataFileResponse =
    ///     serde_json::from_str(r#"{"id": 7, "checksum": "abc", "file_size": 5, "storage_id": 2}"#)?;
    /// assert_eq!(f.file_size(), Some(5));
    /// assert_eq!(f.extra["storage_id"], 2);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub struct DataFileResponse {
        /// Data file id (required by the Python SDK).
        pub id: Option<DataFileId>,
        /// Stored file URL (absent after a chunked upload).
        pub file: Option<String>,
        /// Checksum of the content (required by the Python SDK); goes into a data unit's
        /// `files`.
        pub checksum: Option<String>,
        /// Size in bytes (v1 spelling).
        pub size: Option<u64>,
        /// Size in bytes (v2 spelling).
        #[wire(rename = "file_size")]
        pub file_size_v2: Option<u64>,
        /// Creation time (v1 spelling).
        pub created_at: Option<Timestamp>,
        /// Creation time (v2 spelling).
        #[wire(rename = "created")]
        pub created_v2: Option<Timestamp>,
        /// Last modification time.
        pub updated_at: Option<Timestamp>,
    }
}

impl DataFileResponse {
    /// The size in bytes, from `size` or else `file_size`.
    pub fn file_size(&self) -> Option<u64> {
        self.size.or(self.file_size_v2)
    }

    /// The creation time, from `created_at` or else `created`.
    pub fn created(&self) -> Option<&Timestamp> {
        self.created_at.as_ref().or(self.created_v2.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_v1_and_v2_spellings_and_keeps_unknown_keys() {
        let v1: DataFileResponse = serde_json::from_str(
            r#"{"id": 1, "file": null, "checksum": "c", "size": 5, "created_at": "2026-11-23T10:00:00Z"}"#,
        )
        .expect("v1");
        assert_eq!(v1.id, Some(DataFileId::from(1)));
        assert_eq!(v1.file_size(), Some(5));
        assert_eq!(
            v1.created().map(|t| t.as_str()),
            Some("2026-11-23T10:00:00Z")
        );
        let v2: DataFileResponse = serde_json::from_str(
            r#"{"id": 2, "checksum": "d", "file_size": 9, "created": "2026-11-23T10:00:00Z", "meta": {}}"#,
        )
        .expect("v2");
        assert_eq!(v2.file_size(), Some(9));
        assert!(v2.created().is_some());
        assert_eq!(
            serde_json::to_value(&v2).expect("encode"),
            serde_json::json!({"id": 2, "checksum": "d", "file_size": 9, "created": "2026-11-23T10:00:00Z", "meta": {}})
        );
    }
}
