//! Declarative macros generating open enums and lossless response structs, and the opaque
//! [`UnknownValue`] their unknown enum values carry.

use std::fmt;

/// A wire value an open enum does not know (the payload of its `Unknown` variant).
///
/// Opaque on purpose: it cannot be built by hand, so code cannot match a particular unknown
/// value — a match that would silently stop matching once a later version of the SDK learns
/// that value and decodes it to a named variant. Read the text with [`UnknownValue::as_str`]
/// (or the enum's own `as_str()`); build enum values from text with the enum's
/// `From<&str>` / `FromStr`.
///
/// ```
/// use synapse_models::JobStatus;
/// let status = JobStatus::from("ARCHIVED");
/// match &status {
///     JobStatus::Running => println!("running"),
///     JobStatus::Unknown(value) => assert_eq!(value.as_str(), "ARCHIVED"),
///     other => println!("{other}"),
/// }
/// assert_eq!(status.as_str(), "ARCHIVED");
/// ```
///
/// There is no public constructor:
///
/// ```compile_fail
/// let value = synapse_models::UnknownValue(String::from("ARCHIVED"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The wire text, verbatim.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnknownValue").field(&self.0).finish()
    }
}

/// Private helpers used by the macros' expansions (not a public API).
#[doc(hidden)]
pub mod __private {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::{self, Deserializer, Visitor};

    /// The payload of an unknown open-enum value (only the expansion of `open_enum!` builds one).
    pub fn unknown_value(value: String) -> super::UnknownValue {
        super::UnknownValue(value)
    }

    /// A map key borrowed from the input when possible (no allocation for known keys).
    pub struct WireKey<'de>(pub Cow<'de, str>);

    impl<'de> serde::Deserialize<'de> for WireKey<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = WireKey<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string key")
                }
                fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                    Ok(WireKey(Cow::Borrowed(v)))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    Ok(WireKey(Cow::Owned(v.to_owned())))
                }
                fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                    Ok(WireKey(Cow::Owned(v)))
                }
            }
            deserializer.deserialize_str(KeyVisitor)
        }
    }
}

/// Generates an open string enum: known variants plus `Unknown(UnknownValue)`.
///
/// Syntax: `open_enum! { #[doc] pub enum Name (exact|ignore_case[, Default]) { #[doc] Variant = "wire" | "alias", … } }`
/// (with `Default`, mark one variant `#[default]`).
/// `ignore_case` matches the wire values and aliases case-insensitively on read.
///
/// Exported (hidden from the docs) for the SDK's sibling crates; the expansion needs `serde`
/// and `schemars` in the using crate.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident ($mode:ident $(, $default:ident)?) {
            $( $(#[$vm:meta])* $var:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$m])*
        ///
        /// Open enum: match the known variants and read any other value with `as_str()`.
        /// Unknown wire values decode to `Unknown`, whose payload is opaque (an
        /// `UnknownValue`), and are written back verbatim. Do not match particular unknown
        /// values: a later version may know them as a variant.
        #[derive(Debug, Clone, PartialEq, Eq, Hash $(, $default)?)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $var, )+
            /// A value this crate does not know, kept verbatim; read it with `as_str()`.
            Unknown($crate::UnknownValue),
        }

        impl $name {
            /// Every known wire value, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The exact wire spelling (for `Unknown`, the stored string).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$var => $wire, )+
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Resolves a wire string: exact spelling, then read-only aliases, else `None`.
            fn resolve(s: &str) -> Option<Self> {
                match s {
                    $( $wire => return Some(Self::$var), )+
                    _ => {}
                }
                let ignore_case = $crate::open_enum!(@ci $mode);
                let eq = |a: &str, b: &str| if ignore_case { a.eq_ignore_ascii_case(b) } else { a == b };
                $(
                    if (ignore_case && eq(s, $wire)) $(|| eq(s, $alias))* {
                        return Some(Self::$var);
                    }
                )+
                None
            }

            /// Returns `true` for a value outside the known set.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::resolve(s)
                    .unwrap_or_else(|| Self::Unknown($crate::macros::__private::unknown_value(s.to_owned())))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match Self::resolve(&s) {
                    Some(known) => known,
                    None => Self::Unknown($crate::macros::__private::unknown_value(s)),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct EnumVisitor;
                impl<'de> ::serde::de::Visitor<'de> for EnumVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                }
                deserializer.deserialize_str(EnumVisitor)
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!("synapse_models::", stringify!($name)))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": concat!(
                        "Open enum ", stringify!($name),
                        ": one of the known values, or any other string (unknown values are accepted and kept verbatim)."
                    ),
                    "anyOf": [
                        { "type": "string", "enum": [ $($wire),+ ] },
                        { "type": "string" }
                    ]
                })
            }
        }
    };
    (@ci ignore_case) => { true };
    (@ci exact) => { false };
}

/// Generates a lossless response struct: every field `Option<T>`, plus `extra`.
///
/// Known keys decode with `next_value::<Option<T>>()`; unknown keys go to `extra`; an explicit
/// `null` for a known key leaves the field `None` and records `null` in `extra`, so a
/// re-serialisation reproduces the input. Serialisation writes the set fields in declaration
/// order, then `extra` (skipping an `extra` key whose field is set). A duplicate known key is
/// an error. No `#[serde(flatten)]` is involved in decoding.
macro_rules! wire_struct {
    (
        @impl [$($derive:path),*]
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Default, ::schemars::JsonSchema $(, $derive)*)]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(rename = $wire, default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )+
            /// Keys this crate does not model (and explicit `null`s of known keys), kept verbatim.
            #[serde(flatten)]
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
        }

        impl $name {
            /// Every wire key this struct models, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$($wire),+];

            /// Whether a known wire key currently has a value.
            fn known_is_set(&self, key: &str) -> bool {
                match key {
                    $( $wire => self.$field.is_some(), )+
                    _ => false,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut len = 0usize;
                $( if self.$field.is_some() { len += 1; } )+
                len += self.extra.keys().filter(|k| !self.known_is_set(k)).count();
                let mut map = serializer.serialize_map(Some(len))?;
                $(
                    if let Some(value) = &self.$field {
                        map.serialize_entry($wire, value)?;
                    }
                )+
                for (key, value) in &self.extra {
                    if !self.known_is_set(key) {
                        map.serialize_entry(key, value)?;
                    }
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct StructVisitor;
                impl<'de> ::serde::de::Visitor<'de> for StructVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        #[derive(Default)]
                        struct Seen { $( $field: bool, )+ }
                        let mut out = $name::default();
                        let mut seen = Seen::default();
                        while let Some($crate::macros::__private::WireKey(key)) = map.next_key()? {
                            match key.as_ref() {
                                $(
                                    $wire => {
                                        if seen.$field {
                                            return Err(<A::Error as ::serde::de::Error>::duplicate_field($wire));
                                        }
                                        seen.$field = true;
                                        out.$field = map.next_value::<Option<$ty>>()?;
                                        if out.$field.is_none() {
                                            out.extra.insert(key.into_owned(), ::serde_json::Value::Null);
                                        }
                                    }
                                )+
                                _ => {
                                    let value: ::serde_json::Value = map.next_value()?;
                                    out.extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(StructVisitor)
            }
        }
    };
    (
        #[wire(manual_debug)]
        $($rest:tt)+
    ) => {
        wire_struct!(@impl [] $($rest)+);
    };
    (
        $($rest:tt)+
    ) => {
        wire_struct!(@impl [Debug] $($rest)+);
    };
}
