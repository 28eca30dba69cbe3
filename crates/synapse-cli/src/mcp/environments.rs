//! The MCP server's environments: named backends (and their selected agents) kept in the
//! config file under `environments`, the active one, and the clients built from it.
//!
//! The file is read again for every tool call, so a change made meanwhile (`synapse login`,
//! another server) is seen, and each write reads it just before changing it, keeping every
//! other key. The active environment is the one chosen with `switch_environment` for the
//! life of the server, else the file's `default_environment`.
//!
//! When the file holds no `environments` but the command line is logged in (an access token
//! from `--token`, `SYNAPSE_ACCESS_TOKEN` or the file's `access_token`), the server offers
//! one implicit environment named `default`, built from those settings: the host, the token,
//! the tenant and the selected `agent`. So `synapse login` (and `synapse agent select`) alone
//! make the server usable. Selecting or clearing its agent writes the file's `agent`, as
//! `synapse agent select` does.

use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{Value, json};
use synapse_agent::AgentClient;
use synapse_backend::BackendClient;

use crate::config::{AgentEntry, ConfigFile, Environment};
use crate::context::{Credential, Ctx, Globals};
use crate::mcp::reply::ToolError;

/// The name of the implicit environment built from the command line's login.
pub const IMPLICIT: &str = "default";

/// One environment and its name.
#[derive(Debug, Clone)]
pub struct Named {
    /// Its name.
    pub name: String,
    /// Its settings.
    pub env: Environment,
    /// True for the implicit environment of the command line's login.
    pub implicit: bool,
}

impl Named {
    /// The environment as the Python server shows it: tokens as `"***"` (or null).
    pub fn to_json(&self) -> Value {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| "***");
        json!({
            "name": self.name,
            "backend_url": self.env.backend_url,
            "tenant": self.env.tenant,
            "agent_id": self.env.agent_id,
            "agent_name": self.env.agent_name,
            "agent_url": self.env.agent_url,
            "plugin_paths": self.env.plugin_paths,
            "has_backend": self.env.has_backend(),
            "has_agent": self.env.has_agent(),
            "access_token": hidden(&self.env.access_token),
            "agent_token": hidden(&self.env.agent_token),
        })
    }

    /// A backend client, or a tool error when the environment has no backend URL or token.
    pub fn backend(&self) -> Result<BackendClient, ToolError> {
        let (Some(url), Some(token)) = (&self.env.backend_url, &self.env.access_token) else {
            return Err(ToolError::new(format!(
                "No backend configured for environment \"{}\": use add_environment() with backend_url and access_token.",
                self.name
            )));
        };
        let mut builder = BackendClient::builder(url.clone())
            .without_env()
            .access_token(token.clone());
        if let Some(tenant) = &self.env.tenant {
            builder = builder.tenant(tenant.clone());
        }
        Ok(builder.build()?)
    }

    /// A client of the environment's agent, or a tool error when it has none.
    pub fn agent(&self) -> Result<AgentClient, ToolError> {
        let (Some(url), Some(token)) = (&self.env.agent_url, &self.env.agent_token) else {
            return Err(ToolError::new(format!(
                "No agent configured for environment \"{}\": use list_agents() and select_agent().",
                self.name
            )));
        };
        let mut builder = AgentClient::builder(url.clone(), token.clone());
        if let Some(tenant) = &self.env.tenant {
            builder = builder.tenant(tenant.clone());
        }
        Ok(builder.build()?)
    }
}

/// The environments as read from the file at one moment.
#[derive(Debug)]
pub struct Snapshot {
    /// The file as read.
    pub file: ConfigFile,
    /// Every environment, in the file's order (or the implicit one).
    pub environments: Vec<Named>,
    /// The active environment's name, if one is active.
    pub active: Option<String>,
}

impl Snapshot {
    /// The names of the environments.
    pub fn names(&self) -> Vec<String> {
        self.environments.iter().map(|e| e.name.clone()).collect()
    }

    /// One environment by name.
    pub fn get(&self, name: &str) -> Option<&Named> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The active environment, or a tool error saying how to choose one.
    pub fn active(&self) -> Result<&Named, ToolError> {
        self.active
            .as_deref()
            .and_then(|name| self.get(name))
            .ok_or_else(|| {
                ToolError::new(if self.environments.is_empty() {
                    "No environment configured: run `synapse login` or `synapse mcp init`, or use add_environment()."
                        .to_owned()
                } else {
                    format!(
                        "No environment is active: use switch_environment() (environments: {}).",
                        self.names().join(", ")
                    )
                })
            })
    }

    /// Every secret the file and the login hold (to mask them in answers).
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = ["access_token", "user_token"]
            .iter()
            .filter_map(|k| self.file.get(k).map(str::to_owned))
            .collect();
        if let Some(agent) = self.file.agent() {
            secrets.extend(agent.token);
        }
        for named in &self.environments {
            secrets.extend(named.env.access_token.clone());
            secrets.extend(named.env.agent_token.clone());
        }
        for (_, env) in self.file.environments() {
            secrets.extend(env.access_token);
            secrets.extend(env.agent_token);
        }
        secrets.sort();
        secrets.dedup();
        secrets
    }
}

/// The server's state: where the config file is, the command line's options, and the
/// environment chosen with `switch_environment`.
#[derive(Debug)]
pub struct Session {
    path: PathBuf,
    globals: Globals,
    chosen: Mutex<Option<String>>,
}

impl Session {
    /// A session on the config file the options name (or the default one).
    pub fn new(globals: &Globals) -> Result<Session, crate::exit::CliError> {
        let path = match &globals.config {
            Some(path) => path.clone(),
            None => ConfigFile::default_path()?,
        };
        Ok(Session {
            path,
            globals: globals.clone(),
            chosen: Mutex::new(None),
        })
    }

    /// The config file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The environment chosen with `switch_environment`, if any.
    pub fn chosen(&self) -> Option<String> {
        self.chosen.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Chooses the active environment for the rest of the session.
    pub fn choose(&self, name: Option<String>) {
        if let Ok(mut chosen) = self.chosen.lock() {
            *chosen = name;
        }
    }

    /// Reads the file and works out the environments and the active one.
    pub fn snapshot(&self) -> Result<Snapshot, ToolError> {
        let file = ConfigFile::load(&self.path)?;
        let mut environments: Vec<Named> = file
            .environments()
            .into_iter()
            .map(|(name, env)| Named {
                name,
                env,
                implicit: false,
            })
            .collect();
        if environments.is_empty()
            && let Some(env) = implicit_environment(&self.globals, &file)
        {
            environments.push(Named {
                name: IMPLICIT.to_owned(),
                env,
                implicit: true,
            });
        }
        let exists = |name: &str| environments.iter().any(|e| e.name == name);
        let active = self
            .chosen()
            .filter(|name| exists(name))
            .or_else(|| {
                file.get("default_environment")
                    .filter(|name| exists(name))
                    .map(str::to_owned)
            })
            .or_else(|| {
                environments
                    .first()
                    .filter(|e| e.implicit)
                    .map(|e| e.name.clone())
            });
        Ok(Snapshot {
            file,
            environments,
            active,
        })
    }

    /// Sets the agent of environment `name` (`None` clears it): reads the file again, changes
    /// only that, and saves it. The implicit environment's agent is the file's `agent`.
    pub fn write_agent(&self, name: &str, agent: Option<AgentEntry>) -> Result<(), ToolError> {
        let snapshot = self.snapshot()?;
        let named = snapshot
            .get(name)
            .ok_or_else(|| ToolError::new(format!("Environment \"{name}\" not found")))?;
        let mut file = snapshot.file.clone();
        if named.implicit {
            match &agent {
                Some(agent) => file.set_agent(agent),
                None => {
                    file.clear_agent();
                }
            }
        } else {
            let mut env = file.environment(name).unwrap_or_default();
            env.agent_id = agent.as_ref().map(|a| a.id);
            env.agent_name = agent.as_ref().and_then(|a| a.name.clone());
            env.agent_url = agent.as_ref().and_then(|a| a.url.clone());
            env.agent_token = agent.as_ref().and_then(|a| a.token.clone());
            file.set_environment(name, &env);
        }
        file.save()?;
        Ok(())
    }

    /// Adds or updates environment `name` (values not given are kept), makes it the file's
    /// default when asked or when there is none; returns it.
    pub fn write_environment(
        &self,
        name: &str,
        backend_url: Option<String>,
        access_token: Option<String>,
        tenant: Option<String>,
        set_as_default: bool,
    ) -> Result<Named, ToolError> {
        let mut file = ConfigFile::load(&self.path)?;
        let mut env = file.environment(name).unwrap_or_default();
        let keep =
            |given: Option<String>, old: Option<String>| given.filter(|v| !v.is_empty()).or(old);
        env.backend_url = keep(backend_url, env.backend_url.take());
        env.access_token = keep(access_token, env.access_token.take());
        env.tenant = keep(tenant, env.tenant.take());
        file.set_environment(name, &env);
        let has_default = file
            .get("default_environment")
            .is_some_and(|d| file.environment(d).is_some());
        if set_as_default || !has_default {
            file.set("default_environment", name);
        }
        file.save()?;
        Ok(Named {
            name: name.to_owned(),
            env,
            implicit: false,
        })
    }
}

/// The implicit environment of the command line's login, when it has an access token.
fn implicit_environment(globals: &Globals, file: &ConfigFile) -> Option<Environment> {
    let ctx = Ctx::resolve(globals, file.clone());
    let Some((Credential::Access(token), _)) = ctx.credential else {
        return None;
    };
    let agent = ctx.agent;
    Some(Environment {
        backend_url: Some(ctx.host.0),
        access_token: Some(token),
        tenant: ctx.tenant,
        agent_id: agent.as_ref().map(|a| a.id),
        agent_name: agent.as_ref().and_then(|a| a.name.clone()),
        agent_url: agent.as_ref().and_then(|a| a.url.clone()),
        agent_token: agent.and_then(|a| a.token),
        plugin_paths: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(dir: &std::path::Path, text: &str) -> Session {
        let path = dir.join("config.json");
        std::fs::write(&path, text).expect("write");
        Session::new(&Globals {
            config: Some(path),
            ..Globals::default()
        })
        .expect("session")
    }

    #[test]
    fn a_login_alone_gives_an_implicit_default_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = session(
            dir.path(),
            r#"{"host": "http://h", "access_token": "tok-secret", "agent": {"id": 4, "url": "http://a", "token": "agt-secret"}}"#,
        );
        let snap = s.snapshot().expect("snapshot");
        let active = snap.active().expect("active");
        assert_eq!(active.name, "default");
        assert!(active.implicit && active.env.has_backend() && active.env.has_agent());
        let shown = active.to_json().to_string();
        assert!(!shown.contains("secret"), "{shown}");
        s.write_agent("default", None).expect("clear");
        let back: Value =
            serde_json::from_str(&std::fs::read_to_string(s.path()).expect("read")).expect("json");
        assert!(back.get("agent").is_none(), "{back}");
        assert_eq!(back["access_token"], "tok-secret");
    }

    #[test]
    fn adding_an_environment_keeps_other_keys_and_sets_the_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = session(
            dir.path(),
            r#"{"host": "http://h", "github": {"org": "x"}}"#,
        );
        s.write_environment(
            "prod",
            Some("http://p".into()),
            Some("t-123456".into()),
            None,
            false,
        )
        .expect("add");
        s.write_environment("prod", None, None, Some("acme".into()), false)
            .expect("update");
        let snap = s.snapshot().expect("snapshot");
        let prod = snap.active().expect("active");
        assert_eq!(prod.name, "prod");
        assert_eq!(prod.env.access_token.as_deref(), Some("t-123456"));
        assert_eq!(prod.env.tenant.as_deref(), Some("acme"));
        assert_eq!(snap.file.get("host"), Some("http://h"));
        assert!(snap.secrets().contains(&"t-123456".to_owned()));
    }
}
