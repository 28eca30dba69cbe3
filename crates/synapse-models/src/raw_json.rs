//! [`RawJson`]: a free-form JSON value kept as its original text and parsed on demand.

use std::borrow::Cow;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::ModelError;

/// A free-form JSON value (a job's `params`, `progress_record`, `result`, …) kept as the
/// exact text the server sent. Decoding a page of jobs therefore builds no JSON tree for
/// these fields; read them with [`RawJson::to_value`] or [`RawJson::parse`] when needed.
/// Re-serialising writes the original text back, so nothing is lost.
///
/// ```
/// use synapse_models::RawJson;
/// let raw: RawJson = serde_json::from_str(r#"{"epochs": 10}"#)?;
/// assert_eq!(raw.to_value()["epochs"], 10);
/// assert_eq!(raw.as_str(), r#"{"epochs": 10}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The JSON text, exactly as received.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The value as a `serde_json::Value` (parsed now).
    pub fn to_value(&self) -> Value {
        // The text is valid JSON by construction; `Null` is unreachable.
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The value decoded into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ModelError> {
        serde_json::from_str(self.0.get()).map_err(|source| ModelError::View {
            what: "a free-form JSON field",
            source,
        })
    }

    /// True when the value is `null`.
    pub fn is_null(&self) -> bool {
        self.0.get().trim() == "null"
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> Self {
        // Serialising a `Value` cannot fail; fall back to `null` rather than panic.
        let text = serde_json::to_string(&value).unwrap_or_else(|_| "null".to_owned());
        match RawValue::from_string(text) {
            Ok(raw) => RawJson(raw),
            Err(_) => RawJson(RawValue::NULL.to_owned()),
        }
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl PartialEq for RawJson {
    /// Semantic equality: `{"a": 1}` equals `{"a":1}`.
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get() || self.to_value() == other.to_value()
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(RawJson)
    }
}

impl schemars::JsonSchema for RawJson {
    fn schema_name() -> Cow<'static, str> {
        "RawJson".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Any JSON value (free-form; kept as the text the server sent)."
        })
    }
}
