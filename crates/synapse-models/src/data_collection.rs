//! Data collections, data units and data-file checksums.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{DataCollectionId, DataUnitId, ModelError, RawJson, TenantId, Timestamp};

open_enum! {
    /// Category of a data collection (`DataCollectionV2Detail.category`).
    pub enum DataCollectionCategory (exact) {
        /// Images.
        Image = "image",
        /// Videos.
        Video = "video",
        /// Audio.
        Audio = "audio",
        /// Text.
        Text = "text",
        /// Point clouds.
        Pcd = "pcd",
        /// Other data.
        Data = "data",
    }
}

open_enum! {
    /// Type of the files of a file specification (`file_type`).
    pub enum FileType (exact) {
        /// Audio.
        Audio = "audio",
        /// Other data.
        Data = "data",
        /// Images.
        Image = "image",
        /// Point clouds.
        Pcd = "pcd",
        /// Text.
        Text = "text",
        /// Videos.
        Video = "video",
    }
}

open_enum! {
    /// Role of a file specification in a data unit (`function_type`).
    pub enum FileFunctionType (exact) {
        /// The main file.
        Main = "main",
        /// A secondary file.
        Sub = "sub",
        /// A metadata file.
        Meta = "meta",
        /// No role (the empty string).
        Unset = "",
    }
}

wire_struct! {
    /// A data collection (`GET data_collections/{id}/?expand=file_specifications`, items of
    /// `GET data_collections/`).
    pub struct DataCollection {
        /// Collection id.
        pub id: Option<DataCollectionId>,
        /// Tenant id.
        pub tenant_id: Option<TenantId>,
        /// Name.
        pub name: Option<String>,
        /// Description.
        pub description: Option<String>,
        /// Category.
        pub category: Option<DataCollectionCategory>,
        /// Human-readable category.
        pub category_display: Option<String>,
        /// Free-form metadata.
        pub meta: Option<RawJson>,
        /// Caution (`sensitive_content`, or `""`).
        pub caution: Option<String>,
        /// Access level (`public`, `partially_public`, `private`).
        pub access_level: Option<String>,
        /// Whether the collection is archived.
        pub is_archived: Option<bool>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// Number of projects using the collection.
        pub count_projects: Option<i64>,
        /// File specifications (`expand=file_specifications`); their `name`s are the keys of a
        /// unit's `files`.
        pub file_specifications: Option<Vec<FileSpecification>>,
    }
}

wire_struct! {
    /// One file specification of a data collection.
    pub struct FileSpecification {
        /// Specification id.
        pub id: Option<i64>,
        /// Name (≤ 50 characters), the key in a unit's `files`.
        pub name: Option<String>,
        /// Description.
        pub description: Option<String>,
        /// File type.
        pub file_type: Option<FileType>,
        /// Human-readable file type.
        pub file_type_display: Option<String>,
        /// Free-form configuration.
        pub configuration: Option<RawJson>,
        /// Whether the files form a sequence.
        pub is_sequential: Option<bool>,
        /// Whether every unit must have this file.
        pub is_required: Option<bool>,
        /// Whether this is the primary file.
        pub is_primary: Option<bool>,
        /// Role of the file.
        pub function_type: Option<FileFunctionType>,
        /// Display order.
        pub index: Option<i64>,
    }
}

wire_struct! {
    /// A data unit (`GET data_units/{id}/`, items of `GET data_units/`): v2 and v1 keys.
    pub struct DataUnit {
        /// Unit id.
        pub id: Option<DataUnitId>,
        /// Collection id (v2).
        pub data_collection_id: Option<DataCollectionId>,
        /// Collection id (v1).
        pub data_collection: Option<DataCollectionId>,
        /// Data-group id.
        pub group_id: Option<i64>,
        /// Checksum.
        pub checksum: Option<String>,
        /// Free-form metadata.
        pub meta: Option<RawJson>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// Files keyed by file-specification name (URLs returned as the server sent them).
        pub files: Option<RawJson>,
    }
}

wire_struct! {
    /// Answer of `POST data_files/verify_checksums/`.
    pub struct VerifyChecksumsResponse {
        /// The checksums the server already stores.
        pub existing_checksums: Option<Vec<String>>,
    }
}

/// One data unit to create (`POST data_units/`), in the Python model's field order.
///
/// The client checks any body against this shape with
/// [`DataUnitCreateRequest::validate_json`] and then sends the caller's JSON unchanged, as the
/// Python SDK does.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataUnitCreateRequest {
    /// Collection id.
    pub data_collection: DataCollectionId,
    /// File-specification name → `{"checksum": <data-file checksum>, "path": <string>}`.
    pub files: Map<String, Value>,
    /// Free-form metadata.
    pub meta: Option<Map<String, Value>>,
    /// Data-group names, outermost first; the unit joins the last one.
    pub groups: Option<Vec<String>>,
}

impl DataUnitCreateRequest {
    /// A unit of `data_collection` with no files yet.
    pub fn new(data_collection: impl Into<DataCollectionId>) -> Self {
        Self {
            data_collection: data_collection.into(),
            files: Map::new(),
            meta: None,
            groups: None,
        }
    }

    /// Adds the file uploaded under `spec_name` (its data-file checksum and path).
    pub fn file(
        mut self,
        spec_name: impl Into<String>,
        checksum: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        let mut file = Map::new();
        file.insert("checksum".to_owned(), Value::String(checksum.into()));
        file.insert("path".to_owned(), Value::String(path.into()));
        self.files.insert(spec_name.into(), Value::Object(file));
        self
    }

    /// Sets `meta`.
    pub fn meta(mut self, meta: Map<String, Value>) -> Self {
        self.meta = Some(meta);
        self
    }

    /// Sets `groups` (outermost first).
    pub fn groups(mut self, groups: Vec<String>) -> Self {
        self.groups = Some(groups);
        self
    }

    /// Checks a `POST data_units/` body as the Python SDK does: one object or an array of
    /// objects, each with an integer `data_collection` (lax: `"5"`, `5.0`, `true` accepted),
    /// an object `files` whose values are objects, `meta` an object or null, `groups` an
    /// array of strings or null, and no other key. An empty object is not checked.
    pub fn validate_json(body: &Value) -> Result<(), ModelError> {
        match body {
            Value::Array(items) => items.iter().try_for_each(Self::validate_item),
            item => Self::validate_item(item),
        }
    }

    fn validate_item(item: &Value) -> Result<(), ModelError> {
        let invalid = |field: &'static str, reason: &str| ModelError::InvalidField {
            field,
            reason: reason.to_owned(),
        };
        let Value::Object(map) = item else {
            return Err(invalid("data", "each data unit must be a JSON object"));
        };
        if map.is_empty() {
            return Ok(());
        }
        if let Some(key) = map
            .keys()
            .find(|k| !matches!(k.as_str(), "data_collection" | "files" | "meta" | "groups"))
        {
            return Err(ModelError::InvalidField {
                field: "data",
                reason: format!("unknown key {key:?}"),
            });
        }
        let lax_int = match map.get("data_collection") {
            Some(Value::Number(n)) => {
                n.is_i64()
                    || n.as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
            }
            Some(Value::Bool(_)) => true,
            Some(Value::String(s)) => s.trim().parse::<i64>().is_ok(),
            _ => false,
        };
        if !lax_int {
            return Err(invalid("data_collection", "required, an integer"));
        }
        match map.get("files") {
            Some(Value::Object(files)) if files.values().all(Value::is_object) => {}
            _ => {
                return Err(invalid(
                    "files",
                    "required, an object of file-specification name → object",
                ));
            }
        }
        if !matches!(map.get("meta"), None | Some(Value::Null | Value::Object(_))) {
            return Err(invalid("meta", "must be an object or null"));
        }
        match map.get("groups") {
            None | Some(Value::Null) => {}
            Some(Value::Array(groups)) if groups.iter().all(Value::is_string) => {}
            Some(_) => return Err(invalid("groups", "must be an array of strings or null")),
        }
        Ok(())
    }
}
