//! Who the command talks to, and as whom: the host, credentials and agent, resolved as the
//! Python command resolves them.
//!
//! Each value comes from the first place that has it: the command-line option (`--host`,
//! `--token`, `--tenant`), then the environment (`SYNAPSE_HOST`, `SYNAPSE_ACCESS_TOKEN`,
//! `SYNAPSE_PLUGIN_RUN_USER_TOKEN`, `SYNAPSE_PLUGIN_RUN_TENANT`), then the config file
//! (`host`, `access_token`, `user_token`, `tenant`); the host defaults to
//! `https://api.synapse.sh`. A user token (with its tenant) is sent as `Authorization:
//! Token …` and wins over an access token from the environment or the file, as in the
//! Python SDK; an access token given with `--token` wins over both. The agent is the
//! config file's `agent`, or `SYNAPSE_AGENT_URL` and `SYNAPSE_AGENT_TOKEN` when both are set.

use std::path::PathBuf;
use std::time::Duration;

use synapse_agent::{AgentClient, AgentClientBuilder};
use synapse_backend::{BackendClient, BackendClientBuilder, RetryPolicy};

use crate::config::{AgentEntry, ConfigFile, DEFAULT_HOST};
use crate::exit::CliError;
use crate::output::Out;

/// The options every command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Globals {
    /// Print JSON (one document on stdout) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The config file [default: ~/.synapse/config.json].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The Synapse API host (else SYNAPSE_HOST, the config file, or `https://api.synapse.sh`).
    #[arg(long, global = true, value_name = "URL")]
    pub host: Option<String>,
    /// An access token (else SYNAPSE_ACCESS_TOKEN or the config file); prefer `synapse
    /// login`, as options show in the process list.
    #[arg(
        long,
        short = 't',
        global = true,
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// The tenant code (else SYNAPSE_PLUGIN_RUN_TENANT or the config file).
    #[arg(long, global = true, value_name = "CODE")]
    pub tenant: Option<String>,
}

/// Where a credential came from (shown by `doctor`, never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line option.
    Option,
    /// An environment variable.
    Env,
    /// The config file.
    File,
    /// The built-in default.
    Default,
}

impl Source {
    /// A short description.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Option => "command line",
            Source::Env => "environment",
            Source::File => "config file",
            Source::Default => "default",
        }
    }
}

/// The backend credential in use.
#[derive(Clone)]
pub enum Credential {
    /// `Synapse-Access-Token`.
    Access(String),
    /// `Authorization: Token`.
    User(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Access(_) => f.write_str("Access(***)"),
            Credential::User(_) => f.write_str("User(***)"),
        }
    }
}

/// Everything a command needs: the output, the config file and the resolved settings.
#[derive(Debug)]
pub struct Ctx {
    /// How to print.
    pub out: Out,
    /// The config file as read.
    pub file: ConfigFile,
    /// The backend's base URL, and where it came from.
    pub host: (String, Source),
    /// The credential, and where it came from.
    pub credential: Option<(Credential, Source)>,
    /// The tenant code.
    pub tenant: Option<String>,
    /// The selected agent.
    pub agent: Option<AgentEntry>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Ctx {
    /// Reads the config file and resolves the settings.
    pub fn load(globals: &Globals) -> Result<Ctx, CliError> {
        let path = match &globals.config {
            Some(path) => path.clone(),
            None => ConfigFile::default_path()?,
        };
        let file = ConfigFile::load(&path)?;
        Ok(Self::resolve(globals, file))
    }

    /// Resolves the settings from options, the environment and `file`.
    pub fn resolve(globals: &Globals, file: ConfigFile) -> Ctx {
        let pick = |option: &Option<String>, var: &str, key: &str| {
            option
                .clone()
                .filter(|v| !v.is_empty())
                .map(|v| (v, Source::Option))
                .or_else(|| env(var).map(|v| (v, Source::Env)))
                .or_else(|| file.get(key).map(|v| (v.to_owned(), Source::File)))
        };
        let host = pick(&globals.host, "SYNAPSE_HOST", "host")
            .unwrap_or_else(|| (DEFAULT_HOST.to_owned(), Source::Default));
        let access = pick(&globals.token, "SYNAPSE_ACCESS_TOKEN", "access_token");
        let user = pick(&None, "SYNAPSE_PLUGIN_RUN_USER_TOKEN", "user_token");
        let credential = match (access, user) {
            (Some((token, Source::Option)), _) => Some((Credential::Access(token), Source::Option)),
            (_, Some((token, source))) => Some((Credential::User(token), source)),
            (Some((token, source)), None) => Some((Credential::Access(token), source)),
            (None, None) => None,
        };
        let tenant = pick(&globals.tenant, "SYNAPSE_PLUGIN_RUN_TENANT", "tenant").map(|t| t.0);
        let agent = match (env("SYNAPSE_AGENT_URL"), env("SYNAPSE_AGENT_TOKEN")) {
            (Some(url), Some(token)) => Some(AgentEntry {
                id: file.agent().map(|a| a.id).unwrap_or(0),
                name: None,
                url: Some(url),
                token: Some(token),
            }),
            _ => file.agent(),
        };
        Ctx {
            out: Out::detect(globals.json),
            file,
            host,
            credential,
            tenant,
            agent,
        }
    }

    /// A backend client; [`CliError::NotLoggedIn`] without a credential.
    pub fn backend(&self) -> Result<BackendClient, CliError> {
        Ok(self.backend_builder()?.build()?)
    }

    /// A backend client for a quick check (`doctor`): short timeouts, no retries.
    pub fn backend_probe(&self) -> Result<BackendClient, CliError> {
        Ok(self
            .backend_builder()?
            .connect_timeout(PROBE_CONNECT)
            .read_timeout(PROBE_READ)
            .retry_policy(RetryPolicy::never())
            .build()?)
    }

    fn backend_builder(&self) -> Result<BackendClientBuilder, CliError> {
        let (credential, _) = self.credential.as_ref().ok_or(CliError::NotLoggedIn)?;
        let mut builder = BackendClient::builder(self.host.0.clone()).without_env();
        builder = match credential {
            Credential::Access(token) => builder.access_token(token.clone()),
            Credential::User(token) => builder.authorization_token(token.clone()),
        };
        if let Some(tenant) = &self.tenant {
            builder = builder.tenant(tenant.clone());
        }
        Ok(builder)
    }

    /// A client of the selected agent; [`CliError::NoAgent`] when none is selected or it
    /// lacks a URL or token.
    pub fn agent(&self) -> Result<AgentClient, CliError> {
        Ok(self.agent_builder()?.build()?)
    }

    /// A client of the selected agent for a quick check: short timeouts, no retries.
    pub fn agent_probe(&self) -> Result<AgentClient, CliError> {
        Ok(self
            .agent_builder()?
            .connect_timeout(PROBE_CONNECT)
            .read_timeout(PROBE_READ)
            .retry_policy(RetryPolicy::never())
            .build()?)
    }

    fn agent_builder(&self) -> Result<AgentClientBuilder, CliError> {
        let agent = self.agent.as_ref().ok_or(CliError::NoAgent)?;
        let (Some(url), Some(token)) = (&agent.url, &agent.token) else {
            return Err(CliError::usage(format!(
                "agent {} has no URL or token in {}: run `synapse agent select` again",
                agent.id,
                self.file.path().display()
            )));
        };
        let mut builder = AgentClient::builder(url.clone(), token.clone());
        if let Some(tenant) = &self.tenant {
            builder = builder.tenant(tenant.clone());
        }
        Ok(builder)
    }
}

/// Connect timeout of a quick check.
const PROBE_CONNECT: Duration = Duration::from_secs(5);
/// Read timeout of a quick check.
const PROBE_READ: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_token_wins_and_a_file_user_token_beats_a_file_access_token() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"host": "http://file", "access_token": "a", "user_token": "u", "tenant": "t"}"#,
        )
        .expect("write");
        let file = ConfigFile::load(&path).expect("load");
        let ctx = Ctx::resolve(&Globals::default(), file.clone());
        assert!(
            matches!(ctx.credential, Some((Credential::User(ref u), Source::File)) if u == "u")
        );
        assert_eq!(ctx.host, ("http://file".to_owned(), Source::File));
        assert_eq!(ctx.tenant.as_deref(), Some("t"));
        let globals = Globals {
            token: Some("tok-secret-123".into()),
            host: Some("http://opt".into()),
            ..Globals::default()
        };
        let ctx = Ctx::resolve(&globals, file);
        assert!(
            matches!(ctx.credential, Some((Credential::Access(ref a), Source::Option)) if a == "tok-secret-123")
        );
        assert_eq!(ctx.host.1, Source::Option);
        assert!(!format!("{ctx:?}").contains("tok-secret"), "{ctx:?}");
    }
}
