//! Related-object fields: an integer id or the embedded object (models.md §0.4).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::Plugin;

/// A v1 relation: the related object's integer id, or the object itself (with `?expand=`).
#[derive(Debug, Clone, PartialEq)]
pub enum Ref<T> {
    /// The related object's id.
    Id(i64),
    /// The embedded object.
    Object(T),
}

impl<T> Ref<T> {
    /// The id, when only the id was sent.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Id(id) => Some(*id),
            Self::Object(_) => None,
        }
    }

    /// The embedded object, when expanded.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Id(_) => None,
            Self::Object(o) => Some(o),
        }
    }
}

impl<T: Serialize> Serialize for Ref<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => serializer.serialize_i64(*id),
            Self::Object(o) => o.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ref<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ref<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer id or an object")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ref<T>, E> {
                Ok(Ref::Id(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ref<T>, E> {
                i64::try_from(v)
                    .map(Ref::Id)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Ref<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Ref::Object)
            }
        }
        deserializer.deserialize_any(V(PhantomData))
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
            "description": "The related object's integer id, or the embedded object.",
            "anyOf": [{ "type": "integer", "format": "int64" }, object]
        })
    }
}

/// `PluginRelease.plugin`: an id (v1), a plugin code (agent), or the embedded plugin.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginRefOrObject {
    /// The plugin id.
    Id(i64),
    /// The plugin code.
    Code(String),
    /// The embedded plugin (`?expand=plugin`, v2 detail).
    Object(Box<Plugin>),
}

impl PluginRefOrObject {
    /// The plugin id, from `Id` or from the embedded object.
    pub fn id(&self) -> Option<i64> {
        match self {
            Self::Id(id) => Some(*id),
            Self::Code(_) => None,
            Self::Object(p) => p.id.map(|id| id.get()),
        }
    }

    /// The plugin code, from `Code` or from the embedded object.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Code(c) => Some(c),
            Self::Object(p) => p.code.as_ref().map(|c| c.as_str()),
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
        }
    }
}

impl<'de> Deserialize<'de> for PluginRefOrObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PluginRefOrObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a plugin id, a plugin code or a plugin object")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(PluginRefOrObject::Id(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(PluginRefOrObject::Id)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PluginRefOrObject::Code(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(PluginRefOrObject::Code(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Plugin::deserialize(MapAccessDeserializer::new(map))
                    .map(|p| PluginRefOrObject::Object(Box::new(p)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl schemars::JsonSchema for PluginRefOrObject {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("PluginRefOrObject")
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let object = generator.subschema_for::<Plugin>();
        schemars::json_schema!({
            "description": "A plugin id (integer), a plugin code (string) or the embedded plugin.",
            "anyOf": [{ "type": "integer", "format": "int64" }, { "type": "string" }, object]
        })
    }
}
