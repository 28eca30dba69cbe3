//! The crate's error type.

use crate::release_lookup::ReleaseLookupError;

/// Errors raised by constructors, validators and typed views of this crate.
///
/// Decoding a response never produces these: wire types accept any string for open
/// enums and keep unknown keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A plugin code does not match `^[-a-zA-Z0-9_]+$`.
    #[error("invalid plugin code {0:?}: expected only ASCII letters, digits, `-` and `_`")]
    InvalidPluginCode(String),
    /// A release lookup string is malformed.
    #[error(transparent)]
    InvalidReleaseLookup(#[from] ReleaseLookupError),
    /// A timestamp string is not RFC 3339 (nor one of the accepted relaxed forms).
    #[error("invalid timestamp {value:?}: {reason}")]
    InvalidTimestamp {
        /// The string that failed to parse.
        value: String,
        /// Why parsing failed.
        reason: String,
    },
    /// A request field holds a value the server (or the Python SDK) would reject.
    #[error("invalid `{field}`: {reason}")]
    InvalidField {
        /// Wire name of the field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A typed view could not be decoded from the stored JSON.
    #[error("cannot decode {what}: {source}")]
    View {
        /// Which view was requested.
        what: &'static str,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
}
