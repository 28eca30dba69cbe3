//! `~/.synapse/config.json`: the file the Python `synapse` command writes, read and written
//! here in the same format.
//!
//! One JSON object. The command line's keys are `host`, `access_token`, `user_token` and
//! `tenant` (strings), and `agent` (`{"id": 3, "name": …, "url": …, "token": …}`, the
//! selected agent). The MCP server's are `default_environment` (a string) and
//! `environments` (`{"prod": {"backend_url": …, "access_token": …, "tenant": …, "agent_id":
//! 3, "agent_name": …, "agent_url": …, "agent_token": …, "plugin_paths": […]}}`). Every other
//! key is kept as it was when the file is written back.
//!
//! The file is checked when it is read: a value of the wrong type is an error naming the
//! file and the key, and such a file is never written over (see [`ConfigFile::replace_broken`]).
//! Writes go to a temporary file in the same directory, created with mode 0600, which then
//! replaces the file in one rename.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::exit::CliError;

/// The command line's default host, as in the Python SDK.
pub const DEFAULT_HOST: &str = "https://api.synapse.sh";

/// The selected agent (`agent` in the file).
#[derive(Clone, PartialEq, Eq)]
pub struct AgentEntry {
    /// Its id on the backend.
    pub id: i64,
    /// Its name.
    pub name: Option<String>,
    /// Its base URL.
    pub url: Option<String>,
    /// Its token (a secret).
    pub token: Option<String>,
}

impl std::fmt::Debug for AgentEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentEntry")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// One MCP environment (`environments.<name>` in the file).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// The backend's base URL.
    pub backend_url: Option<String>,
    /// The backend access token (a secret).
    pub access_token: Option<String>,
    /// The tenant code.
    pub tenant: Option<String>,
    /// The selected agent's id.
    pub agent_id: Option<i64>,
    /// The selected agent's name.
    pub agent_name: Option<String>,
    /// The selected agent's URL.
    pub agent_url: Option<String>,
    /// The selected agent's token (a secret).
    pub agent_token: Option<String>,
    /// Local plugin directories.
    pub plugin_paths: Vec<String>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Environment")
            .field("backend_url", &self.backend_url)
            .field("access_token", &hidden(&self.access_token))
            .field("tenant", &self.tenant)
            .field("agent_id", &self.agent_id)
            .field("agent_name", &self.agent_name)
            .field("agent_url", &self.agent_url)
            .field("agent_token", &hidden(&self.agent_token))
            .field("plugin_paths", &self.plugin_paths)
            .finish()
    }
}

impl Environment {
    /// A backend URL and an access token are both set.
    pub fn has_backend(&self) -> bool {
        self.backend_url.is_some() && self.access_token.is_some()
    }

    /// An agent URL and token are both set.
    pub fn has_agent(&self) -> bool {
        self.agent_url.is_some() && self.agent_token.is_some()
    }
}

/// The config file, read and checked; every key it holds is kept.
#[derive(Clone)]
pub struct ConfigFile {
    path: PathBuf,
    doc: Map<String, Value>,
    exists: bool,
}

impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("exists", &self.exists)
            .field("keys", &self.doc.keys().collect::<Vec<_>>())
            .finish()
    }
}

const STRING_KEYS: [&str; 5] = [
    "host",
    "access_token",
    "user_token",
    "tenant",
    "default_environment",
];
const AGENT_STRINGS: [&str; 3] = ["name", "url", "token"];
const ENV_STRINGS: [&str; 6] = [
    "backend_url",
    "access_token",
    "tenant",
    "agent_name",
    "agent_url",
    "agent_token",
];

impl ConfigFile {
    /// `$HOME/.synapse/config.json`.
    pub fn default_path() -> Result<PathBuf, CliError> {
        std::env::home_dir()
            .filter(|home| !home.as_os_str().is_empty())
            .map(|home| home.join(".synapse").join("config.json"))
            .ok_or_else(|| CliError::usage("no home directory (set HOME, or pass --config PATH)"))
    }

    /// Reads and checks the file at `path`; a missing file reads as empty.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConfigFile {
                    path: path.to_owned(),
                    doc: Map::new(),
                    exists: false,
                });
            }
            Err(e) => return Err(CliError::config(path, None, format!("cannot be read: {e}"))),
        };
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            CliError::config(
                path,
                None,
                format!(
                    "is not valid JSON (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let doc = match value {
            Value::Object(map) => map,
            // Python's readers treat an empty document (`null`) as `{}`.
            Value::Null => Map::new(),
            other => {
                return Err(CliError::config(
                    path,
                    None,
                    format!("holds {}, not a JSON object", kind(&other)),
                ));
            }
        };
        check(path, &doc)?;
        Ok(ConfigFile {
            path: path.to_owned(),
            doc,
            exists: true,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the file was there when read.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// A top-level string (`host`, `access_token`, `user_token`, `tenant`,
    /// `default_environment`); an empty string reads as absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.doc
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// Sets a top-level string.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.doc.insert(key.to_owned(), Value::String(value.into()));
    }

    /// The selected agent, if any (`agent` with an `id`).
    pub fn agent(&self) -> Option<AgentEntry> {
        let agent = self.doc.get("agent")?.as_object()?;
        let text = |k: &str| {
            agent
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Some(AgentEntry {
            id: agent.get("id")?.as_i64()?,
            name: text("name"),
            url: text("url"),
            token: text("token"),
        })
    }

    /// Selects an agent (replaces `agent`, writing only the fields that are set, as the
    /// Python command does).
    pub fn set_agent(&mut self, agent: &AgentEntry) {
        let mut entry = Map::new();
        entry.insert("id".into(), Value::from(agent.id));
        for (key, value) in [
            ("name", &agent.name),
            ("url", &agent.url),
            ("token", &agent.token),
        ] {
            if let Some(v) = value {
                entry.insert(key.into(), Value::String(v.clone()));
            }
        }
        self.doc.insert("agent".into(), Value::Object(entry));
    }

    /// Forgets the selected agent; true if there was one.
    pub fn clear_agent(&mut self) -> bool {
        self.doc.remove("agent").is_some()
    }

    /// The MCP environments, in the file's order.
    pub fn environments(&self) -> Vec<(String, Environment)> {
        let Some(envs) = self.doc.get("environments").and_then(Value::as_object) else {
            return Vec::new();
        };
        envs.iter()
            .map(|(name, value)| (name.clone(), environment(value)))
            .collect()
    }

    /// One MCP environment by name.
    pub fn environment(&self, name: &str) -> Option<Environment> {
        self.doc
            .get("environments")
            .and_then(Value::as_object)
            .and_then(|envs| envs.get(name))
            .map(environment)
    }

    /// Adds or replaces an MCP environment; unknown keys already under its name are kept.
    pub fn set_environment(&mut self, name: &str, env: &Environment) {
        let envs = self
            .doc
            .entry("environments")
            .or_insert_with(|| Value::Object(Map::new()));
        if !envs.is_object() {
            *envs = Value::Object(Map::new());
        }
        let Some(envs) = envs.as_object_mut() else {
            return;
        };
        let entry = envs
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Some(entry) = entry.as_object_mut() else {
            return;
        };
        let strings = [
            ("backend_url", &env.backend_url),
            ("access_token", &env.access_token),
            ("tenant", &env.tenant),
            ("agent_name", &env.agent_name),
            ("agent_url", &env.agent_url),
            ("agent_token", &env.agent_token),
        ];
        for (key, value) in strings {
            match value {
                Some(v) => entry.insert(key.into(), Value::String(v.clone())),
                None => entry.remove(key),
            };
        }
        match env.agent_id {
            Some(id) => entry.insert("agent_id".into(), Value::from(id)),
            None => entry.remove("agent_id"),
        };
        if env.plugin_paths.is_empty() {
            entry.remove("plugin_paths");
        } else {
            let paths = env
                .plugin_paths
                .iter()
                .cloned()
                .map(Value::String)
                .collect();
            entry.insert("plugin_paths".into(), Value::Array(paths));
        }
    }

    /// Writes the file atomically and privately (see [`write_private`]).
    pub fn save(&self) -> Result<(), CliError> {
        let mut text = serde_json::to_string_pretty(&self.doc)
            .map_err(|e| CliError::config(&self.path, None, format!("cannot be encoded: {e}")))?;
        text.push('\n');
        write_private(&self.path, text.as_bytes())
            .map_err(|e| CliError::config(&self.path, None, format!("cannot be written: {e}")))
    }

    /// Replaces a file that failed its check with an empty one, after copying it to
    /// `<file>.bak`; the caller asks first. Returns the backup's path.
    pub fn replace_broken(path: &Path) -> Result<(ConfigFile, PathBuf), CliError> {
        let mut backup = path.as_os_str().to_owned();
        backup.push(".bak");
        let backup = PathBuf::from(backup);
        std::fs::copy(path, &backup).map_err(|e| {
            CliError::config(
                path,
                None,
                format!("cannot be backed up to {}: {e}", backup.display()),
            )
        })?;
        let file = ConfigFile {
            path: path.to_owned(),
            doc: Map::new(),
            exists: true,
        };
        Ok((file, backup))
    }
}

/// Writes `bytes` to `path` so that no reader ever sees a partial file and no one else can
/// read it: a temporary file (mode 0600) in the same directory, synced, then renamed over
/// `path`. The directory is created (mode 0700) when missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(".synapse.")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn environment(value: &Value) -> Environment {
    let text = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Environment {
        backend_url: text("backend_url"),
        access_token: text("access_token"),
        tenant: text("tenant"),
        agent_id: value.get("agent_id").and_then(Value::as_i64),
        agent_name: text("agent_name"),
        agent_url: text("agent_url"),
        agent_token: text("agent_token"),
        plugin_paths: value
            .get("plugin_paths")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The JSON type of a value, for messages (never the value: it may be a secret).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks the type of every key this program reads; names the first wrong one.
fn check(path: &Path, doc: &Map<String, Value>) -> Result<(), CliError> {
    let wrong = |key: String, want: &str, got: &Value| {
        Err(CliError::config(
            path,
            Some(key),
            format!("must be {want}, not {}", kind(got)),
        ))
    };
    let string_or_null = |v: &Value| v.is_string() || v.is_null();
    for key in STRING_KEYS {
        if let Some(v) = doc.get(key).filter(|v| !string_or_null(v)) {
            return wrong(key.to_owned(), "a string", v);
        }
    }
    match doc.get("agent") {
        None | Some(Value::Null) => {}
        Some(Value::Object(agent)) => {
            match agent.get("id") {
                Some(v) if v.as_i64().is_some() => {}
                Some(v) => return wrong("agent.id".into(), "an integer", v),
                None => {
                    return Err(CliError::config(
                        path,
                        Some("agent.id".into()),
                        "is missing",
                    ));
                }
            }
            for key in AGENT_STRINGS {
                if let Some(v) = agent.get(key).filter(|v| !string_or_null(v)) {
                    return wrong(format!("agent.{key}"), "a string", v);
                }
            }
        }
        Some(other) => return wrong("agent".into(), "an object", other),
    }
    match doc.get("environments") {
        None | Some(Value::Null) => {}
        Some(Value::Object(envs)) => {
            for (name, env) in envs {
                let env = match env {
                    Value::Null => continue,
                    Value::Object(env) => env,
                    other => return wrong(format!("environments.{name}"), "an object", other),
                };
                for key in ENV_STRINGS {
                    if let Some(v) = env.get(key).filter(|v| !string_or_null(v)) {
                        return wrong(format!("environments.{name}.{key}"), "a string", v);
                    }
                }
                if let Some(v) = env
                    .get("agent_id")
                    .filter(|v| !v.is_null() && v.as_i64().is_none())
                {
                    return wrong(format!("environments.{name}.agent_id"), "an integer", v);
                }
                match env.get("plugin_paths") {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(items)) => {
                        if let Some(v) = items.iter().find(|v| !v.is_string()) {
                            return wrong(
                                format!("environments.{name}.plugin_paths"),
                                "an array of strings",
                                v,
                            );
                        }
                    }
                    Some(other) => {
                        return wrong(
                            format!("environments.{name}.plugin_paths"),
                            "an array of strings",
                            other,
                        );
                    }
                }
            }
        }
        Some(other) => return wrong("environments".into(), "an object", other),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("config.json");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn a_python_written_file_reads_and_writes_back_every_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = r#"{
  "host": "https://api.example.com",
  "access_token": "tok",
  "agent": {"id": 7, "name": "gpu-1", "url": "http://10.0.0.5:8000", "token": "agt"},
  "default_environment": "prod",
  "environments": {"prod": {"backend_url": "https://api.example.com", "access_token": "tok", "plugin_paths": ["/p"], "future": 1}},
  "github": {"org": "acme"}
}"#;
        let path = write(dir.path(), text);
        let mut file = ConfigFile::load(&path).expect("load");
        assert_eq!(file.get("host"), Some("https://api.example.com"));
        let agent = file.agent().expect("agent");
        assert_eq!(
            (agent.id, agent.url.as_deref()),
            (7, Some("http://10.0.0.5:8000"))
        );
        assert!(!format!("{agent:?}").contains("agt"));
        let (name, env) = &file.environments()[0];
        assert_eq!(
            (name.as_str(), env.plugin_paths.as_slice()),
            ("prod", &["/p".to_owned()][..])
        );
        file.set("access_token", "new");
        file.save().expect("save");
        let back: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(back["access_token"], "new");
        assert_eq!(back["github"]["org"], "acme");
        assert_eq!(back["environments"]["prod"]["future"], 1);
        assert_eq!(back["agent"]["token"], "agt");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_wrong_type_is_named_by_file_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases = [
            (r#"{"host": 3}"#, "host"),
            (r#"{"agent": {"name": "x"}}"#, "agent.id"),
            (r#"{"agent": {"id": "7"}}"#, "agent.id"),
            (
                r#"{"environments": {"prod": {"agent_id": "x"}}}"#,
                "environments.prod.agent_id",
            ),
            (r#"{"environments": []}"#, "environments"),
        ];
        for (text, key) in cases {
            let path = write(dir.path(), text);
            let err = ConfigFile::load(&path).expect_err(text);
            let message = err.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(&format!("`{key}`")), "{message}");
        }
        let path = write(dir.path(), "{\"host\": ");
        let message = ConfigFile::load(&path).expect_err("broken").to_string();
        assert!(message.contains("is not valid JSON (line 1"), "{message}");
    }

    #[test]
    fn a_secret_value_of_the_wrong_type_is_never_echoed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write(dir.path(), r#"{"access_token": ["s3cr3t"]}"#);
        let message = ConfigFile::load(&path).expect_err("array").to_string();
        assert!(!message.contains("s3cr3t"), "{message}");
    }
}
