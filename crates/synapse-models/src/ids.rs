//! Identifier newtypes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::ModelError;

macro_rules! int_id {
    ($( $(#[$m:meta])* $name:ident ),+ $(,)?) => {$(
        $(#[$m])*
        ///
        /// Serialised as a bare JSON integer; `Display` gives the path segment.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw integer.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )+};
}

int_id! {
    /// Backend agent row id.
    AgentId,
    /// Plugin primary key.
    PluginId,
    /// Plugin release primary key.
    PluginReleaseId,
    /// Storage id.
    StorageId,
    /// Project id.
    ProjectId,
    /// Task id.
    TaskId,
    /// Task tag id.
    TaskTagId,
    /// Data collection id.
    DataCollectionId,
    /// Data unit id.
    DataUnitId,
    /// Data file id.
    DataFileId,
    /// Assignment id.
    AssignmentId,
    /// Model id.
    ModelId,
    /// Serve application id.
    ServeApplicationId,
    /// Ground-truth dataset version id.
    GroundTruthDatasetVersionId,
    /// User id.
    UserId,
    /// Tenant id.
    TenantId,
}

/// A JSON integer or string, written back in the form it was read (an int stays an int).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// A JSON integer.
    Int(i64),
    /// A JSON string.
    Str(String),
}

impl IntOrString {
    /// The integer, when this is `Int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(v) => Some(*v),
            Self::Str(_) => None,
        }
    }

    /// The string, when this is `Str`.
    pub fn as_string(&self) -> Option<&str> {
        match self {
            Self::Int(_) => None,
            Self::Str(s) => Some(s),
        }
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(v) => fmt::Display::fmt(v, f),
            Self::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for IntOrString {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<&str> for IntOrString {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}

impl From<String> for IntOrString {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(v) => serializer.serialize_i64(*v),
            Self::Str(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IntOrString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
                Ok(IntOrString::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
                i64::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
                Ok(IntOrString::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IntOrString, E> {
                Ok(IntOrString::Str(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl schemars::JsonSchema for IntOrString {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("IntOrString")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An integer or a string, kept in the form it was read.",
            "anyOf": [{ "type": "integer", "format": "int64" }, { "type": "string" }]
        })
    }
}

macro_rules! int_or_string_id {
    ($( $(#[$m:meta])* $name:ident ),+ $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub IntOrString);

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(IntOrString::Int(v))
            }
        }

        impl From<&str> for $name {
            fn from(v: &str) -> Self {
                Self(IntOrString::Str(v.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(v: String) -> Self {
                Self(IntOrString::Str(v))
            }
        }

        impl From<IntOrString> for $name {
            fn from(v: IntOrString) -> Self {
                Self(v)
            }
        }

        impl From<&$name> for $name {
            fn from(v: &$name) -> Self {
                v.clone()
            }
        }

        impl From<&String> for $name {
            fn from(v: &String) -> Self {
                Self(IntOrString::Str(v.clone()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )+};
}

int_or_string_id! {
    /// Job id: a UUID string (v2) or an integer (older servers), kept in the form read.
    JobId,
    /// Chunked-upload id: a UUID string or an integer, kept in the form read.
    ChunkedUploadId,
}

/// Plugin code (slug, e.g. `yolov8`). [`PluginCode::new`] validates `^[-a-zA-Z0-9_]+$`;
/// decoding accepts any string.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct PluginCode(String);

impl PluginCode {
    /// Validates `^[-a-zA-Z0-9_]+$` and wraps the code.
    pub fn new(code: impl Into<String>) -> Result<Self, ModelError> {
        let code = code.into();
        let valid = !code.is_empty()
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(code))
        } else {
            Err(ModelError::InvalidPluginCode(code))
        }
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unwraps the string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PluginCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PluginCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for PluginCode {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for PluginCode {
    type Error = ModelError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<String> for PluginCode {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

/// A plugin addressed by id or by code (`run_plugin` accepts either in the path).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PluginRef {
    /// By primary key.
    Id(PluginId),
    /// By code.
    Code(PluginCode),
}

impl fmt::Display for PluginRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => fmt::Display::fmt(id, f),
            Self::Code(code) => fmt::Display::fmt(code, f),
        }
    }
}

impl From<PluginId> for PluginRef {
    fn from(v: PluginId) -> Self {
        Self::Id(v)
    }
}

impl From<i64> for PluginRef {
    fn from(v: i64) -> Self {
        Self::Id(PluginId(v))
    }
}

impl From<&str> for PluginRef {
    /// A code, unchecked: it only travels as an (encoded) path segment. Use
    /// [`PluginCode::new`] to validate one.
    fn from(v: &str) -> Self {
        Self::Code(PluginCode(v.to_owned()))
    }
}

impl From<PluginCode> for PluginRef {
    fn from(v: PluginCode) -> Self {
        Self::Code(v)
    }
}

impl Serialize for PluginRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => serializer.serialize_i64(id.0),
            Self::Code(code) => serializer.serialize_str(code.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for PluginRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match IntOrString::deserialize(deserializer)? {
            IntOrString::Int(v) => Self::Id(PluginId(v)),
            IntOrString::Str(s) => Self::Code(PluginCode(s)),
        })
    }
}

impl schemars::JsonSchema for PluginRef {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("PluginRef")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A plugin id (integer) or plugin code (string).",
            "anyOf": [{ "type": "integer", "format": "int64" }, { "type": "string", "pattern": "^[-a-zA-Z0-9_]+$" }]
        })
    }
}
