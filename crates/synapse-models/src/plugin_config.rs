//! Typed view of a release `config`, with the SDK's defaults.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    AnnotationCategory, AnnotationTool, AnnotationType, DataType, PackageManager, PluginCategory,
    RunMethod, SmartToolType,
};

fn default_version() -> String {
    "0.1.0".to_owned()
}
fn default_category() -> PluginCategory {
    PluginCategory::Custom
}
fn default_readme() -> String {
    "README.md".to_owned()
}
fn default_wheels_dir() -> String {
    "wheels".to_owned()
}

/// A plugin's `config.yaml` as stored in a release `config`. A read-only view: missing keys
/// take the Python SDK's defaults; unknown keys are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginConfig {
    /// Plugin name (required by the SDK).
    #[serde(default)]
    pub name: Option<String>,
    /// Plugin code (required by the SDK).
    #[serde(default)]
    pub code: Option<String>,
    /// Version (default `0.1.0`).
    #[serde(default = "default_version")]
    pub version: String,
    /// Variant.
    #[serde(default)]
    pub variant: Option<String>,
    /// Category (default `custom`).
    #[serde(default = "default_category")]
    pub category: PluginCategory,
    /// Description (default empty).
    #[serde(default)]
    pub description: String,
    /// README path (default `README.md`).
    #[serde(default = "default_readme")]
    pub readme: String,
    /// Package manager (default `pip`).
    #[serde(default)]
    pub package_manager: PackageManager,
    /// Extra package-manager options.
    #[serde(default)]
    pub package_manager_options: Vec<String>,
    /// Wheels directory (default `wheels`).
    #[serde(default = "default_wheels_dir")]
    pub wheels_dir: String,
    /// Environment variables.
    #[serde(default)]
    pub env: Map<String, Value>,
    /// Ray runtime environment.
    #[serde(default)]
    pub runtime_env: Map<String, Value>,
    /// Data type (required for `neural_net`).
    #[serde(default)]
    pub data_type: Option<DataType>,
    /// Tasks (`<data_type>.<task>`).
    #[serde(default)]
    pub tasks: Vec<String>,
    /// Supported data types (read alias `supported_data_type`).
    #[serde(default, alias = "supported_data_type")]
    pub supported_data_types: Vec<DataType>,
    /// Annotation category → supported tools.
    #[serde(default)]
    pub supported_annotation_tools: BTreeMap<String, Vec<AnnotationTool>>,
    /// Annotation category.
    #[serde(default)]
    pub annotation_category: Option<AnnotationCategory>,
    /// Annotation type.
    #[serde(default)]
    pub annotation_type: Option<AnnotationType>,
    /// Smart tool type.
    #[serde(default)]
    pub smart_tool: Option<SmartToolType>,
    /// Version requirements (`sdk`, `python`, `cuda`).
    #[serde(default)]
    pub requires: Option<PluginRequires>,
    /// Plugin code → version specifier.
    #[serde(default)]
    pub dependencies: BTreeMap<String, String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Action name → action.
    #[serde(default)]
    pub actions: BTreeMap<String, PluginAction>,
    /// Unknown keys, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for PluginConfig {
    fn default() -> Self {
        Self {
            name: None,
            code: None,
            version: default_version(),
            variant: None,
            category: default_category(),
            description: String::new(),
            readme: default_readme(),
            package_manager: PackageManager::default(),
            package_manager_options: Vec::new(),
            wheels_dir: default_wheels_dir(),
            env: Map::new(),
            runtime_env: Map::new(),
            data_type: None,
            tasks: Vec::new(),
            supported_data_types: Vec::new(),
            supported_annotation_tools: BTreeMap::new(),
            annotation_category: None,
            annotation_type: None,
            smart_tool: None,
            requires: None,
            dependencies: BTreeMap::new(),
            tags: Vec::new(),
            actions: BTreeMap::new(),
            extra: Map::new(),
        }
    }
}

/// `requires` of a plugin config.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginRequires {
    /// SDK version specifier.
    #[serde(default)]
    pub sdk: Option<String>,
    /// Python version specifier.
    #[serde(default)]
    pub python: Option<String>,
    /// CUDA version specifier.
    #[serde(default)]
    pub cuda: Option<String>,
}

/// One action of a plugin config.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PluginAction {
    /// Action name (usually the map key).
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Python entrypoint (`plugin.train`).
    #[serde(default)]
    pub entrypoint: Option<String>,
    /// How the action runs (default `task`).
    #[serde(default)]
    pub method: RunMethod,
    /// Input type.
    #[serde(default)]
    pub input_type: Option<String>,
    /// Output type.
    #[serde(default)]
    pub output_type: Option<String>,
    /// Ray Serve options (e.g. `batch.max_batch_size`).
    #[serde(default)]
    pub serve_options: Option<Value>,
    /// Unknown keys, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
