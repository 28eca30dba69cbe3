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
        id: ModelId => "id",
        /// Name.
        name: String => "name",
        /// Category.
        category: String => "category",
        /// Whether the model is released.
        is_released: bool => "is_released",
        /// Whether the model was uploaded from outside.
        is_external: bool => "is_external",
        /// Creation time.
        created: Timestamp => "created",
        /// Tenant id.
        tenant_id: TenantId => "tenant_id",
        /// Neural-net (plugin) id.
        neural_net_id: i64 => "neural_net_id",
        /// Dataset id.
        dataset_id: i64 => "dataset_id",
        /// Description.
        description: String => "description",
        /// Free-form configuration.
        configuration: RawJson => "configuration",
        /// v1: URL of the model file, as the server sent it (never downloaded).
        file: String => "file",
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
        id: i64 => "id",
        /// Dataset id.
        ground_truth_dataset_id: i64 => "ground_truth_dataset_id",
        /// Data unit id.
        data_unit_id: DataUnitId => "data_unit_id",
        /// Split.
        category: GroundTruthCategory => "category",
        /// Project id.
        project_id: ProjectId => "project_id",
        /// Annotation data.
        data: RawJson => "data",
        /// Class names.
        classes: Vec<String> => "classes",
        /// v1: files keyed by name (`image_1`, `data_meta_1`, …), URLs untouched.
        files: RawJson => "files",
    }
}

wire_struct! {
    /// A ground-truth event (items of `GET sdk/ground_truth_events/` and its `data/` and
    /// `files/` variants).
    pub struct GroundTruthEvent {
        /// Event id.
        id: i64 => "id",
        /// History row id.
        pgh_id: i64 => "pgh_id",
        /// Id of the tracked object.
        pgh_obj_id: i64 => "pgh_obj_id",
        /// Event label.
        pgh_label: String => "pgh_label",
        /// Data unit id.
        data_unit_id: DataUnitId => "data_unit_id",
        /// Dataset id.
        ground_truth_dataset_id: i64 => "ground_truth_dataset_id",
        /// Size of the data.
        data_size: i64 => "data_size",
        /// Digest of the data.
        data_digest: String => "data_digest",
        /// Content type of the data.
        data_content_type: String => "data_content_type",
        /// Split (`fields=category`).
        category: GroundTruthCategory => "category",
        /// v1: annotation data (`expand=data`, and the `data/` variant).
        data: RawJson => "data",
        /// v1: files (object or array), URLs untouched.
        files: RawJson => "files",
    }
}

wire_struct! {
    /// A ground-truth dataset version (`GET ground_truth_dataset_versions/{id}/`).
    pub struct GroundTruthDatasetVersion {
        /// Version id.
        id: GroundTruthDatasetVersionId => "id",
        /// Version label (kept as sent: string or number).
        version: RawJson => "version",
        /// Creation time.
        created: Timestamp => "created",
        /// Dataset id.
        ground_truth_dataset_id: i64 => "ground_truth_dataset_id",
        /// Description.
        description: String => "description",
        /// Whether the version is archived.
        is_archived: bool => "is_archived",
    }
}
