//! Temporary stand-in for `synapse_models::Page` (removed once the models crate has it).
#![allow(missing_docs)]
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Page<T> {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub previous: Option<String>,
    pub results: Vec<T>,
}
