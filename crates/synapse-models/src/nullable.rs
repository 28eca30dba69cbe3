//! [`Nullable`]: a field that is absent, explicitly `null`, or set.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A request field that can be left out, sent as an explicit `null`, or sent with a value.
///
/// `Option<T>` has two states, so a body built from it cannot tell "leave this field alone"
/// from "clear this field". In a `wire_struct!` struct a `Nullable<T>` field is not written
/// when [`Absent`](Nullable::Absent), is written as `null` when [`Null`](Nullable::Null), and
/// is written with its value when [`Value`](Nullable::Value); decoding maps an absent key to
/// `Absent`, `null` to `Null` and anything else to `Value`.
///
/// ```
/// use synapse_models::Nullable;
///
/// let keep: Nullable<String> = Nullable::Absent;
/// let clear: Nullable<String> = Nullable::Null;
/// let set = Nullable::from("new text".to_owned());
/// assert!(!keep.is_present());
/// assert!(clear.is_present() && clear.is_null());
/// assert_eq!(set.as_value().map(String::as_str), Some("new text"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not sent: the key is left out of the body.
    #[default]
    Absent,
    /// Sent as JSON `null`.
    Null,
    /// Sent with this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// `true` unless [`Absent`](Nullable::Absent) (the key is written).
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }

    /// `true` for [`Null`](Nullable::Null).
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The value, when [`Value`](Nullable::Value).
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, when [`Value`](Nullable::Value), by value.
    pub fn into_value(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    /// `Value(v)` as `v`; `Absent` and `Null` as `null` (a struct skips `Absent` fields).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` as `Null`, anything else as `Value` (an absent key never reaches this).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Self::Value(value),
            None => Self::Null,
        })
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        Option::<T>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Option::<T>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn decodes_null_and_values() {
        let null: Nullable<u8> = serde_json::from_str("null").unwrap();
        assert_eq!(null, Nullable::Null);
        let set: Nullable<u8> = serde_json::from_str("7").unwrap();
        assert_eq!(set, Nullable::Value(7));
        assert!(serde_json::from_str::<Nullable<u8>>("\"x\"").is_err());
    }

    #[test]
    fn encodes_null_and_values() {
        assert_eq!(
            serde_json::to_string(&Nullable::<u8>::Null).unwrap(),
            "null"
        );
        assert_eq!(serde_json::to_string(&Nullable::Value(7u8)).unwrap(), "7");
        assert_eq!(Nullable::<u8>::default(), Nullable::Absent);
    }
}
