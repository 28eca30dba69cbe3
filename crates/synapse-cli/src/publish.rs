//! Publishing a plugin release — one procedure for `synapse plugin publish` and the MCP
//! `publish_plugin` tool: package the plugin into a temporary directory, send the release
//! with its archive, and when the backend does not know the plugin yet, create it from its
//! config and send the release again.

use std::sync::Arc;

use serde_json::Value;
use synapse_backend::BackendClient;
use synapse_backend::models::{
    PluginCategory, PluginCode, PluginCreate, PluginRelease, PluginReleaseCreateRequest,
};

use crate::exit::CliError;
use crate::package::{self, Archive};
use crate::plugin_dir::PluginDir;

/// Told `(archive bytes sent, archive size)` as the release uploads.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A release ready to send: its request and its archive (in a temporary directory that
/// lives as long as this value).
#[derive(Debug)]
pub struct Publication {
    /// The plugin's code.
    pub code: String,
    /// The version published.
    pub version: String,
    /// The release request: plugin, version, the whole config, requirements, debug.
    pub request: PluginReleaseCreateRequest,
    /// The archive.
    pub archive: Archive,
    _dir: tempfile::TempDir,
}

impl Publication {
    /// Packages `plugin` (already checked) for release `version` (else the config's): the
    /// config sent is the whole config with that version, the requirements the non-empty,
    /// non-comment lines of `requirements.txt`.
    pub fn prepare(
        plugin: &PluginDir,
        version: Option<String>,
        debug: bool,
    ) -> Result<Publication, CliError> {
        let code = plugin
            .code()
            .ok_or_else(|| CliError::usage("Missing required field: 'code'"))?
            .to_owned();
        let version = version
            .filter(|v| !v.is_empty())
            .or_else(|| plugin.version().map(str::to_owned))
            .ok_or_else(|| {
                CliError::usage("no version: set `version` in the plugin config or pass one")
            })?;
        let mut config = plugin.config().clone();
        config.insert("version".into(), Value::String(version.clone()));
        let mut request = PluginReleaseCreateRequest::new(plugin_code(&code)?, version.clone());
        request.config = Some(config);
        request.requirements = requirements(plugin)?;
        request.debug = debug;
        let dir = tempfile::tempdir()
            .map_err(|e| CliError::usage(format!("cannot create a temporary directory: {e}")))?;
        let archive = package::build(plugin, &dir.path().join(format!("{code}-{version}.zip")))?;
        Ok(Publication {
            code,
            version,
            request,
            archive,
            _dir: dir,
        })
    }

    /// Sends the release; when the backend answers that the plugin does not exist,
    /// `on_create` is told, the plugin is created from `plugin`'s config and the release is
    /// sent again.
    pub async fn send(
        &self,
        client: &BackendClient,
        plugin: &PluginDir,
        progress: Option<Progress>,
        on_create: impl FnOnce(&str),
    ) -> Result<PluginRelease, CliError> {
        let attempt = || {
            let mut call = client
                .create_plugin_release(self.request.clone())
                .archive(self.archive.path.as_path());
            if let Some(progress) = progress.clone() {
                call = call.progress(move |sent, total| progress(sent, total));
            }
            call
        };
        match attempt().await {
            Err(e) if plugin_missing(&e) => {
                on_create(&self.code);
                create_plugin(client, plugin, &self.code).await?;
                Ok(attempt().await?)
            }
            other => Ok(other?),
        }
    }
}

/// A plugin code, checked.
pub fn plugin_code(code: &str) -> Result<PluginCode, CliError> {
    PluginCode::new(code).map_err(|e| CliError::usage(format!("plugin code {code:?}: {e}")))
}

/// The requirements of `requirements.txt` in the plugin's root: its non-empty lines that
/// are not comments; `None` without the file.
fn requirements(plugin: &PluginDir) -> Result<Option<Vec<String>>, CliError> {
    let path = plugin.root().join("requirements.txt");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CliError::usage(format!(
                "{}: cannot be read: {e}",
                path.display()
            )));
        }
    };
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    Ok((!lines.is_empty()).then_some(lines))
}

/// True when the backend refused a release because its plugin does not exist.
fn plugin_missing(error: &synapse_backend::Error) -> bool {
    error.status_code() == Some(400)
        && error
            .body_json()
            .and_then(|b| b.get("plugin"))
            .is_some_and(|p| p.to_string().contains("does not exist"))
}

/// Creates the plugin from its config: code, name (else the code), category (else
/// `custom`, the Python SDK's default) and description.
async fn create_plugin(
    client: &BackendClient,
    plugin: &PluginDir,
    code: &str,
) -> Result<(), CliError> {
    let description = plugin
        .config()
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let create = PluginCreate {
        name: Some(plugin.name().unwrap_or(code).to_owned()),
        code: Some(plugin_code(code)?),
        category: Some(PluginCategory::from(plugin.category().unwrap_or("custom"))),
        description,
        ..Default::default()
    };
    client.create_plugin(create).await?;
    Ok(())
}
