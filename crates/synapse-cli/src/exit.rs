//! The command's errors and the exit code each one gives.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the work ran and failed: a job ended FAILED or STOPPED, a `doctor` check failed, or the platform refused the request (400, 409, 429) |
//! | 2 | usage: bad arguments or input (clap's own errors use 2 too) |
//! | 3 | authentication: no credentials, or the platform answered 401 or 403 |
//! | 4 | not found: the platform answered 404 |
//! | 5 | server: a 5xx, or an answer that could not be read |
//! | 6 | network: no connection, a timeout, a dropped connection |
//! | 7 | configuration: the config file is malformed or cannot be written |
//! | 130 | interrupted (Ctrl-C); an upload leaves its checkpoint |

use std::path::Path;

use synapse_backend::{ApiErrorKind, Error as SdkError};

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: the work ran and failed, or the platform refused the request.
pub const FAILED: u8 = 1;
/// Exit code: bad arguments or input.
pub const USAGE: u8 = 2;
/// Exit code: no credentials, 401 or 403.
pub const AUTH: u8 = 3;
/// Exit code: 404.
pub const NOT_FOUND: u8 = 4;
/// Exit code: 5xx or an unreadable answer.
pub const SERVER: u8 = 5;
/// Exit code: connection, timeout, dropped connection.
pub const NETWORK: u8 = 6;
/// Exit code: the config file.
pub const CONFIG: u8 = 7;
/// Exit code: Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Bad arguments or input.
    #[error("{0}")]
    Usage(String),
    /// No credential is configured.
    #[error("not logged in: run `synapse login`, or set SYNAPSE_ACCESS_TOKEN")]
    NotLoggedIn,
    /// No agent is selected.
    #[error("no agent selected: run `synapse agent select`")]
    NoAgent,
    /// The config file is malformed or cannot be written.
    #[error("config file {path}{}: {message}", key.as_ref().map(|k| format!(": `{k}`")).unwrap_or_default())]
    Config {
        /// The file.
        path: String,
        /// The key at fault, dotted (`agent.id`), when one is.
        key: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The SDK's error (the platform's answer, the network, a local file).
    #[error(transparent)]
    Sdk(#[from] SdkError),
    /// The work ran and failed (a job's final status, a failed check).
    #[error("{0}")]
    Failed(String),
    /// Stopped by Ctrl-C.
    #[error("{0}")]
    Interrupted(String),
}

impl CliError {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(message.into())
    }

    /// A config-file error.
    pub fn config(path: &Path, key: Option<String>, message: impl Into<String>) -> Self {
        CliError::Config {
            path: path.display().to_string(),
            key,
            message: message.into(),
        }
    }

    /// The process exit code for this error (see the module docs).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => USAGE,
            CliError::NotLoggedIn => AUTH,
            CliError::NoAgent => USAGE,
            CliError::Config { .. } => CONFIG,
            CliError::Sdk(e) => sdk_exit_code(e),
            CliError::Failed(_) => FAILED,
            CliError::Interrupted(_) => INTERRUPTED,
        }
    }
}

/// The exit code of an SDK error.
pub fn sdk_exit_code(error: &SdkError) -> u8 {
    if let Some(api) = error.api() {
        return match api.kind {
            ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden => AUTH,
            ApiErrorKind::NotFound => NOT_FOUND,
            ApiErrorKind::Server | ApiErrorKind::GpuUnavailable => SERVER,
            _ => FAILED,
        };
    }
    match error {
        SdkError::RetriesExhausted { last, .. } => sdk_exit_code(last),
        SdkError::UploadInterrupted { source, .. } => sdk_exit_code(source),
        SdkError::InvalidInput { .. } | SdkError::Io { .. } | SdkError::Configuration { .. } => {
            USAGE
        }
        e if e.is_timeout() || e.is_connect() => NETWORK,
        SdkError::ResponseIncomplete { .. } | SdkError::Transport { .. } => NETWORK,
        _ => SERVER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_its_own_code() {
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert_eq!(CliError::NotLoggedIn.exit_code(), 3);
        assert_eq!(CliError::config(Path::new("c"), None, "m").exit_code(), 7);
        assert_eq!(CliError::Failed("f".into()).exit_code(), 1);
        assert_eq!(CliError::Interrupted("i".into()).exit_code(), 130);
        assert_eq!(
            CliError::from(SdkError::invalid_input("bad")).exit_code(),
            2
        );
    }
}
