//! A local plugin directory: its `config.yaml` (or `synapse.yaml`), read and checked.
//!
//! The config is YAML; the keys read here are `code` (required), `name`, `version`,
//! `category`, `description` and `actions` (a mapping of action name to `entrypoint`,
//! `method`, `description`, …). Every key is kept in [`PluginDir::config`], which is what a
//! release carries as its `config`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::exit::CliError;

/// The config file names looked for, in order.
pub const CONFIG_NAMES: [&str; 2] = ["config.yaml", "synapse.yaml"];

/// One action of a plugin.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionInfo {
    /// Its name (the key under `actions`).
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `entrypoint`.
    pub entrypoint: Option<String>,
    /// `method` (`job`, `task`, `serve`).
    pub method: Option<String>,
}

/// What a check of the config found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Validation {
    /// Problems that stop a publish.
    pub errors: Vec<String>,
    /// Problems worth fixing.
    pub warnings: Vec<String>,
}

impl Validation {
    /// No errors.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A plugin directory and its parsed config.
#[derive(Debug, Clone)]
pub struct PluginDir {
    root: PathBuf,
    config_file: PathBuf,
    config: Map<String, Value>,
}

impl PluginDir {
    /// Opens the plugin at `path` (a directory holding `config.yaml` or `synapse.yaml`, or
    /// the config file itself); an error names what is missing or malformed.
    pub fn open(path: &Path) -> Result<PluginDir, CliError> {
        let (root, config_file) = if path.is_file() {
            let root = path.parent().unwrap_or(Path::new(".")).to_owned();
            (root, path.to_owned())
        } else if path.is_dir() {
            let found = CONFIG_NAMES
                .iter()
                .map(|name| path.join(name))
                .find(|candidate| candidate.is_file())
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "{}: no config.yaml or synapse.yaml (is this a plugin directory?)",
                        path.display()
                    ))
                })?;
            (path.to_owned(), found)
        } else {
            return Err(CliError::usage(format!(
                "{}: no such directory",
                path.display()
            )));
        };
        let text = std::fs::read_to_string(&config_file).map_err(|e| {
            CliError::usage(format!("{}: cannot be read: {e}", config_file.display()))
        })?;
        let value: Value = serde_yaml_ng::from_str(&text).map_err(|e| {
            CliError::usage(format!("{}: not valid YAML: {e}", config_file.display()))
        })?;
        let config = match value {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => {
                return Err(CliError::usage(format!(
                    "{}: must be a YAML mapping",
                    config_file.display()
                )));
            }
        };
        Ok(PluginDir {
            root,
            config_file,
            config,
        })
    }

    /// The plugin's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The config file read.
    pub fn config_file(&self) -> &Path {
        &self.config_file
    }

    /// The whole config, as JSON.
    pub fn config(&self) -> &Map<String, Value> {
        &self.config
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.config
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `code`.
    pub fn code(&self) -> Option<&str> {
        self.text("code")
    }

    /// `name`.
    pub fn name(&self) -> Option<&str> {
        self.text("name")
    }

    /// `version`.
    pub fn version(&self) -> Option<&str> {
        self.text("version")
    }

    /// `category`.
    pub fn category(&self) -> Option<&str> {
        self.text("category")
    }

    /// The actions, in the config's order.
    pub fn actions(&self) -> Vec<ActionInfo> {
        let Some(actions) = self.config.get("actions").and_then(Value::as_object) else {
            return Vec::new();
        };
        actions
            .iter()
            .map(|(name, spec)| {
                let text = |k: &str| spec.get(k).and_then(Value::as_str).map(str::to_owned);
                ActionInfo {
                    name: name.clone(),
                    description: text("description"),
                    entrypoint: text("entrypoint"),
                    method: text("method"),
                }
            })
            .collect()
    }

    /// Checks the config as the Python tools do: `code` and at least one action are
    /// required; `name` and `version` are recommended; each action needs an `entrypoint`.
    pub fn validate(&self) -> Validation {
        let mut v = Validation::default();
        if self.config.is_empty() {
            v.errors
                .push(format!("{} is empty", self.config_file.display()));
            return v;
        }
        if self.code().is_none() {
            v.errors.push("Missing required field: 'code'".to_owned());
        }
        if self.name().is_none() {
            v.warnings
                .push("Missing recommended field: 'name'".to_owned());
        }
        if self.version().is_none() {
            v.warnings
                .push("Missing recommended field: 'version'".to_owned());
        }
        let actions = self.actions();
        if actions.is_empty() {
            v.errors.push("No actions defined".to_owned());
        }
        for action in &actions {
            if action.entrypoint.is_none() {
                v.errors.push(format!(
                    "Action '{}' config error: no entrypoint",
                    action.name
                ));
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_is_read_and_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config.yaml"),
            "code: hello\nname: Hello\nversion: 1.2.0\nactions:\n  train:\n    entrypoint: plugin.train:Train\n    method: job\n  test:\n    description: no entrypoint\n",
        )
        .expect("write");
        let plugin = PluginDir::open(dir.path()).expect("open");
        assert_eq!(
            (plugin.code(), plugin.version()),
            (Some("hello"), Some("1.2.0"))
        );
        let names: Vec<_> = plugin.actions().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["train", "test"]);
        let check = plugin.validate();
        assert_eq!(check.errors, ["Action 'test' config error: no entrypoint"]);
        assert!(check.warnings.is_empty());
    }

    #[test]
    fn a_directory_without_config_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = PluginDir::open(dir.path()).expect_err("no config");
        assert!(
            err.to_string().contains("no config.yaml or synapse.yaml"),
            "{err}"
        );
    }
}
