//! Credential wrappers whose `Debug` and `Display` never print the secret.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// An agent token (40 lowercase hex in practice): a credential.
///
/// `Debug` and `Display` print `***`; use [`AgentToken::expose`] to read it. Serialised as
/// the plain string.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct AgentToken(String);

impl AgentToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The secret token text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when the token is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for AgentToken {
    fn from(v: String) -> Self {
        Self(v)
    }
}

impl From<&str> for AgentToken {
    fn from(v: &str) -> Self {
        Self(v.to_owned())
    }
}

impl fmt::Debug for AgentToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AgentToken(***)")
    }
}

impl fmt::Display for AgentToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A JSON value holding credentials (e.g. a storage `configuration`).
///
/// `Debug` and `Display` print `***`; use [`SecretValue::expose`] or a typed view.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct SecretValue(serde_json::Value);

impl SecretValue {
    /// Wraps a value.
    pub fn new(value: serde_json::Value) -> Self {
        Self(value)
    }

    /// The secret JSON value.
    pub fn expose(&self) -> &serde_json::Value {
        &self.0
    }

    /// Unwraps the secret JSON value.
    pub fn into_inner(self) -> serde_json::Value {
        self.0
    }

    /// Decodes the value into a typed view (e.g. [`crate::S3Config`]).
    pub fn expose_as<T: DeserializeOwned>(&self) -> Result<T, ModelError> {
        T::deserialize(&self.0).map_err(|source| ModelError::View {
            what: std::any::type_name::<T>(),
            source,
        })
    }
}

impl From<serde_json::Value> for SecretValue {
    fn from(v: serde_json::Value) -> Self {
        Self(v)
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(***)")
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
