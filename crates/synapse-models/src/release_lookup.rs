//! `ReleaseLookup`: `<code>@<version>` or a numeric release id as text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// Why a release lookup string is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseLookupError {
    /// The string is empty.
    #[error("release lookup is empty")]
    Empty,
    /// Nothing before the `@` (e.g. `@1.0`).
    #[error("release lookup {0:?} has an empty plugin code before `@`")]
    EmptyCode(String),
    /// Nothing after the `@` (e.g. `abc@`).
    #[error("release lookup {0:?} has an empty version after `@`")]
    EmptyVersion(String),
    /// More than one `@` (e.g. `a@b@c`).
    #[error("release lookup {0:?} has more than one `@`")]
    ExtraAt(String),
    /// No `@` and not a numeric id (e.g. `abc`).
    #[error("release lookup {0:?} is neither `<code>@<version>` nor a numeric id")]
    NotNumeric(String),
}

/// A plugin release lookup: `"<code>@<version>"` (e.g. `yolov8@1.0.0`) or a numeric id as
/// text. Serialised as the string; sent raw (percent-encoded) in agent/backend paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReleaseLookup(String);

impl ReleaseLookup {
    /// `"<code>@<version>"`; both parts must be non-empty and free of `@`.
    pub fn from_code_version(
        code: impl AsRef<str>,
        version: impl AsRef<str>,
    ) -> Result<Self, ReleaseLookupError> {
        format!("{}@{}", code.as_ref(), version.as_ref()).parse()
    }

    /// A numeric release id.
    pub fn from_id(id: i64) -> Self {
        Self(id.to_string())
    }

    /// The lookup string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `(code, version)` pair, when this is a `code@version` lookup.
    pub fn code_version(&self) -> Option<(&str, &str)> {
        self.0.split_once('@')
    }

    /// The id, when this is a numeric lookup.
    pub fn id(&self) -> Option<i64> {
        if self.0.contains('@') {
            None
        } else {
            self.0.parse().ok()
        }
    }
}

impl FromStr for ReleaseLookup {
    type Err = ReleaseLookupError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(ReleaseLookupError::Empty);
        }
        match s.split_once('@') {
            Some((code, version)) => {
                if version.contains('@') {
                    Err(ReleaseLookupError::ExtraAt(s.to_owned()))
                } else if code.is_empty() {
                    Err(ReleaseLookupError::EmptyCode(s.to_owned()))
                } else if version.is_empty() {
                    Err(ReleaseLookupError::EmptyVersion(s.to_owned()))
                } else {
                    Ok(Self(s.to_owned()))
                }
            }
            None if s.bytes().all(|b| b.is_ascii_digit()) => Ok(Self(s.to_owned())),
            None => Err(ReleaseLookupError::NotNumeric(s.to_owned())),
        }
    }
}

impl TryFrom<&str> for ReleaseLookup {
    type Error = ReleaseLookupError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<crate::PluginReleaseId> for ReleaseLookup {
    fn from(id: crate::PluginReleaseId) -> Self {
        Self::from_id(id.get())
    }
}

impl fmt::Display for ReleaseLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ReleaseLookup {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ReleaseLookup {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for ReleaseLookup {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ReleaseLookup")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`<code>@<version>` or a numeric release id as text.",
            "type": "string",
            "pattern": "^([^@]+@[^@]+|[0-9]+)$"
        })
    }
}
