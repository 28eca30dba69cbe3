//! Related-object fields: an integer id or the embedded object.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::Plugin;

/// A v1 relation: the related object's integer id, the object itself (with `?expand=`), or
/// whatever else the server rendered there, kept as it came.
///
/// A server that renders a relation in another shape (a `"plugin-13@1.3.2"` string, an
/// object that does not fit `T`) never costs the caller the rest of the response: the value
/// lands in [`Ref::Other`] and is written back unchanged.
///
/// ```
/// use synapse_models::{PluginReleaseSummary, Ref};
/// let r: Ref<PluginReleaseSummary> = serde_json::from_str(r#""plugin-13@1.3.2""#)?;
/// assert_eq!(r, Ref::Other(serde_json::json!("plugin-13@1.3.2")));
/// assert_eq!(serde_json::to_string(&r)?, r#""plugin-13@1.3.2""#);
/// let r: Ref<PluginReleaseSummary> = serde_json::from_str("13")?;
/// assert_eq!(r.id(), Some(13));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Ref<T> {
    /// The related object's id.
    Id(i64),
    /// The embedded object.
    Object(T),
    /// Any other value the server sent (a string, an object of another shape, …), kept.
    Other(Value),
}

impl<T> Ref<T> {
    /// The id, when only the id was sent.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Id(id) => Some(*id),
            Self::Object(_) | Self::Other(_) => None,
        }
    }

    /// The embedded object, when expanded.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Object(o) => Some(o),
            Self::Id(_) | Self::Other(_) => None,
        }
    }

    /// The value, when the server sent neither an id nor an object of the expected shape.
    pub fn other(&self) -> Option<&Value> {
        match self {
            Self::Other(v) => Some(v),
            Self::Id(_) | Self::Object(_) => None,
        }
    }
}

impl<T: Serialize> Serialize for Ref<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => serializer.serialize_i64(*id),
            Self::Object(o) => o.serialize(serializer),
            Self::Other(v) => v.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Ref<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Relation::deserialize(deserializer)? {
            Relation::Id(id) => Ref::Id(id),
            Relation::Value(value @ Value::Object(_)) => match T::deserialize(&value) {
                Ok(object) => Ref::Object(object),
                Err(_) => Ref::Other(value),
            },
            Relation::Value(value) => Ref::Other(value),
        })
    }
}

/// What a relation field holds on the wire: an `i64` id, or any other JSON value.
enum Relation {
    Id(i64),
    Value(Value),
}

impl<'de> Deserialize<'de> for Relation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Integers that fit an id are ids; everything else is kept as a value.
        Ok(match Value::deserialize(deserializer)? {
            Value::Number(n) => match n.as_i64() {
                Some(id) => Relation::Id(id),
                None => Relation::Value(Value::Number(n)),
            },
            other => Relation::Value(other),
        })
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Ref<T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("Ref_for_{}", T::schema_name()))
    }
    fn schema_id() -> Cow<'static, str> {
        Cow::Owned(format!("synapse_models::Ref<{}>", T::schema_id()))
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let object = generator.subschema_for::<T>();
        schemars::json_schema!({
            "description": "The related object's integer id, the embedded object, or any other value the server renders there (kept as is).",
            "anyOf": [{ "type": "integer", "format": "int64" }, object, {}]
        })
    }
}

/// `PluginRelease.plugin`: an id (v1), a plugin code (agent), the embedded plugin, or any
/// other value the server rendered there, kept as it came.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginRefOrObject {
    /// The plugin id.
    Id(i64),
    /// The plugin code.
    Code(String),
    /// The embedded plugin (`?expand=plugin`, v2 detail).
    Object(Box<Plugin>),
    /// Any other value (an object that is not a plugin, an array, …), kept.
    Other(Value),
}

impl PluginRefOrObject {
    /// The plugin id, from `Id` or from the embedded object.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Id(id) => Some(*id),
            Self::Object(p) => p.id.map(|id| id.get()),
            Self::Code(_) | Self::Other(_) => None,
        }
    }

    /// The plugin code, from `Code` or from the embedded object.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Code(c) => Some(c),
            Self::Object(p) => p.code.as_ref().map(|c| c.as_str()),
            Self::Id(_) | Self::Other(_) => None,
        }
    }

    /// The embedded plugin, when expanded.
    pub fn object(&self) -> Option<&Plugin> {
        match self {
            Self::Object(p) => Some(p),
            _ => None,
        }
    }
}

impl Serialize for PluginRefOrObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => serializer.serialize_i64(*id),
            Self::Code(c) => serializer.serialize_str(c),
            Self::Object(p) => p.serialize(serializer),
            Self::Other(v) => v.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PluginRefOrObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Relation::deserialize(deserializer)? {
            Relation::Id(id) => PluginRefOrObject::Id(id),
            Relation::Value(Value::String(code)) => PluginRefOrObject::Code(code),
            Relation::Value(value @ Value::Object(_)) => match Plugin::deserialize(&value) {
                Ok(plugin) => PluginRefOrObject::Object(Box::new(plugin)),
                Err(_) => PluginRefOrObject::Other(value),
            },
            Relation::Value(value) => PluginRefOrObject::Other(value),
        })
    }
}

impl schemars::JsonSchema for PluginRefOrObject {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("PluginRefOrObject")
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let object = generator.subschema_for::<Plugin>();
        schemars::json_schema!({
            "description": "A plugin id (integer), a plugin code (string), the embedded plugin, or any other value the server renders there (kept as is).",
            "anyOf": [{ "type": "integer", "format": "int64" }, { "type": "string" }, object, {}]
        })
    }
}
