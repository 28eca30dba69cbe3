//! [`RawJson`]: a free-form JSON value kept as its original text and parsed on demand.

use std::borrow::Cow;
use std::fmt;

use std::sync::OnceLock;

use bytestring::ByteString;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::ModelError;
use crate::shared::SharedStr;

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
pub struct RawJson(ByteString);

impl RawJson {
    /// The JSON text, exactly as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a `serde_json::Value` (parsed now).
    pub fn to_value(&self) -> Value {
        // The text is valid JSON by construction; `Null` is unreachable.
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The value decoded into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ModelError> {
        serde_json::from_str(&self.0).map_err(|source| ModelError::View {
            what: "a free-form JSON field",
            source,
        })
    }

    /// True when the value is `null`.
    pub fn is_null(&self) -> bool {
        self.0.trim() == "null"
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> Self {
        // Serialising a `Value` cannot fail; fall back to `null` rather than panic.
        RawJson(
            serde_json::to_string(&value)
                .unwrap_or_else(|_| "null".to_owned())
                .into(),
        )
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq for RawJson {
    /// Semantic equality: `{"a": 1}` equals `{"a":1}`.
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.to_value() == other.to_value()
    }
}

// serde_json passes raw JSON text through its serializers and deserializers as a one-field
// struct / map under a private marker name (the protocol behind `serde_json::value::RawValue`).
// `RawJson` speaks the same protocol, so serde_json writes its text verbatim and lends the
// text it reads, which `SharedStr` then shares with the response body. The marker is learnt
// from serde_json itself, once, by asking `RawValue` which name it requests.

/// The marker name serde_json uses for raw JSON text.
fn raw_marker() -> &'static str {
    static MARKER: OnceLock<&'static str> = OnceLock::new();
    MARKER.get_or_init(|| {
        let mut probe = MarkerProbe(None);
        let _ = <&RawValue>::deserialize(&mut probe);
        probe.0.unwrap_or("$serde_json::private::RawValue")
    })
}

/// A deserializer that records the name `RawValue` asks for, and fails.
struct MarkerProbe(Option<&'static str>);

impl<'de> Deserializer<'de> for &mut MarkerProbe {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("probe"))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = Some(name);
        Err(de::Error::custom("probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let marker = raw_marker();
        let mut s = serializer.serialize_struct(marker, 1)?;
        s.serialize_field(marker, self.as_str())?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(raw_marker(), RawVisitor)
    }
}

/// Reads serde_json's raw-text map: one entry, the marker, then the text.
struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawJson, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_none() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        map.next_value_seed(SharedStr).map(RawJson)
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
