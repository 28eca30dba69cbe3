//! Models and ground truths.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    ChunkedUploadId, DataUnitId, GroundTruthDatasetVersionId, ModelId, PluginCode, ProjectId,
    RawJson, TenantId, Timestamp,
};

open_enum! {
    /// Split of a ground truth (`GroundTruthV2Detail.category`).
    pub enum GroundTruthCategory (exact) {
        /// Training split.
        Train = "train",
        /// Validation split.
        Validation = "validation",
        /// Test split.
        Test = "test",
    }
}

wire_struct! {
    /// A trained model (`GET models/{id}/`, items of `GET models/`): v2 and v1 keys.
    pub struct Model {
        /// Model id.
        pub id: Option<ModelId>,
        /// Name.
        pub name: Option<String>,
        /// Category.
        pub category: Option<String>,
        /// Whether the model is released.
        pub is_released: Option<bool>,
        /// Whether the model was uploaded from outside.
        pub is_external: Option<bool>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// Tenant id.
        pub tenant_id: Option<TenantId>,
        /// Neural-net (plugin) id.
        pub neural_net_id: Option<i64>,
        /// Dataset id.
        pub dataset_id: Option<i64>,
        /// Description.
        pub description: Option<String>,
        /// Free-form configuration.
        pub configuration: Option<RawJson>,
        /// v1: URL of the model file, as the server sent it (never downloaded).
        pub file: Option<String>,
    }
}

/// Body of `POST models/`, in the Python model's field order; `None` omitted, unknown keys
/// rejected when decoding (as the Python SDK rejects them).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelCreateRequest {
    /// Name (required).
    pub name: String,
    /// Plugin **code** (an integer id is rejected).
    pub plugin: Option<PluginCode>,
    /// Release version.
    pub version: Option<String>,
    /// Parent model id (fine-tuning).
    pub checkpoint: Option<ModelId>,
    /// Chunked-upload id of the model file (set by `create_model` when given a file).
    pub chunked_upload: Option<ChunkedUploadId>,
    /// Free-form configuration.
    pub configuration: Option<Map<String, Value>>,
    /// Description.
    pub description: Option<String>,
}

impl ModelCreateRequest {
    /// A request named `name` (everything else unset).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Sets the plugin code.
    pub fn plugin(mut self, plugin: PluginCode) -> Self {
        self.plugin = Some(plugin);
        self
    }

    /// Sets the release version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Sets the parent model.
    pub fn checkpoint(mut self, checkpoint: impl Into<ModelId>) -> Self {
        self.checkpoint = Some(checkpoint.into());
        self
    }

    /// Sets the configuration.
    pub fn configuration(mut self, configuration: Map<String, Value>) -> Self {
        self.configuration = Some(configuration);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

wire_struct! {
    /// A ground truth (items of `GET ground_truths/`).
    pub struct GroundTruth {
        /// Ground-truth id.
        pub id: Option<i64>,
        /// Dataset id.
        pub ground_truth_dataset_id: Option<i64>,
        /// Data unit id.
        pub data_unit_id: Option<DataUnitId>,
        /// Split.
        pub category: Option<GroundTruthCategory>,
        /// Project id.
        pub project_id: Option<ProjectId>,
        /// Annotation data.
        pub data: Option<RawJson>,
        /// Class names.
        pub classes: Option<Vec<String>>,
        /// v1: files keyed by name (`image_1`, `data_meta_1`, …), URLs untouched.
        pub files: Option<RawJson>,
    }
}

wire_struct! {
    /// A ground-truth event (items of `GET sdk/ground_truth_events/` and its `data/` and
    /// `files/` variants).
    pub struct GroundTruthEvent {
        /// Event id.
        pub id: Option<i64>,
        /// History row id.
        pub pgh_id: Option<i64>,
        /// Id of the tracked object.
        pub pgh_obj_id: Option<i64>,
        /// Event label.
        pub pgh_label: Option<String>,
        /// Data unit id.
        pub data_unit_id: Option<DataUnitId>,
        /// Dataset id.
        pub ground_truth_dataset_id: Option<i64>,
        /// Size of the data.
        pub data_size: Option<i64>,
        /// Digest of the data.
        pub data_digest: Option<String>,
        /// Content type of the data.
        pub data_content_type: Option<String>,
        /// Split (`fields=category`).
        pub category: Option<GroundTruthCategory>,
        /// v1: annotation data (`expand=data`, and the `data/` variant).
        pub data: Option<RawJson>,
        /// v1: files (object or array), URLs untouched.
        pub files: Option<RawJson>,
    }
}

wire_struct! {
    /// A ground-truth dataset version (`GET ground_truth_dataset_versions/{id}/`).
    pub struct GroundTruthDatasetVersion {
        /// Version id.
        pub id: Option<GroundTruthDatasetVersionId>,
        /// Version label (kept as sent: string or number).
        pub version: Option<RawJson>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// Dataset id.
        pub ground_truth_dataset_id: Option<i64>,
        /// Description.
        pub description: Option<String>,
        /// Whether the version is archived.
        pub is_archived: Option<bool>,
    }
}
