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

    use schemars::Schema;
    use serde::de::{self, Deserializer, MapAccess, Visitor};
    use serde_json::Value;
    use serde_with::DeserializeAs;
    use serde_with::de::DeserializeAsWrap;

    pub use crate::wire_nulls::field_index;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use serde_with;

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

    /// The next map value, decoded as `T` through the `serde_with` adapter `A`.
    #[inline]
    pub fn next_value_as<'de, T, A, M>(map: &mut M) -> Result<T, M::Error>
    where
        M: MapAccess<'de>,
        A: DeserializeAs<'de, T>,
    {
        map.next_value::<DeserializeAsWrap<T, A>>()
            .map(DeserializeAsWrap::into_inner)
    }

    /// The type of an optional `wire_struct!` field (one without a default or `required`):
    /// `Option<T>` or [`Nullable<T>`](crate::Nullable).
    pub trait OptionalField {
        /// The value of an absent key.
        fn absent() -> Self;
        /// Whether the field is written.
        fn is_set(&self) -> bool;
        /// Whether a decoded value stands for a `null` the type cannot show (`Option`'s `None`),
        /// so that the `null` is recorded in `wire_nulls` for a faithful re-serialisation.
        fn null_lost(&self) -> bool;
    }

    impl<T> OptionalField for Option<T> {
        #[inline]
        fn absent() -> Self {
            None
        }
        #[inline]
        fn is_set(&self) -> bool {
            self.is_some()
        }
        #[inline]
        fn null_lost(&self) -> bool {
            self.is_none()
        }
    }

    impl<T> OptionalField for crate::Nullable<T> {
        #[inline]
        fn absent() -> Self {
            Self::Absent
        }
        #[inline]
        fn is_set(&self) -> bool {
            self.is_present()
        }
        #[inline]
        fn null_lost(&self) -> bool {
            false
        }
    }

    /// `true` when an optional field is written.
    #[inline]
    pub fn is_set<F: OptionalField>(value: &F) -> bool {
        value.is_set()
    }

    /// Sets `title` and `description` from doc-comment lines, as `schemars`' derive does
    /// (one leading space per line dropped, lines joined with `\n`, a leading `# Title` line
    /// becomes the title).
    pub fn describe(schema: &mut Schema, lines: &[&str]) {
        let mut doc = String::new();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                doc.push('\n');
            }
            doc.push_str(line.strip_prefix(' ').unwrap_or(line));
        }
        let doc = doc.trim_matches(|c: char| c.is_ascii_whitespace());
        let (title, description) = match doc.strip_prefix('#') {
            Some(_) => {
                let end = doc.find('\n').unwrap_or(doc.len());
                let title = doc[..end].trim_start_matches('#');
                (title, &doc[end..])
            }
            None => ("", doc),
        };
        for (key, text) in [("title", title), ("description", description)] {
            let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
            if !text.is_empty() {
                schema.insert(key.to_owned(), Value::String(text.to_owned()));
            }
        }
    }

    /// Records the wire value of a field's default in its schema (nothing when it does not
    /// serialise).
    pub fn set_default(schema: &mut Schema, value: Result<Value, serde_json::Error>) {
        if let Ok(value) = value {
            schema.insert("default".to_owned(), value);
        }
    }

    /// Adds a property to an object schema, listing it under `required` when `required`.
    pub fn insert_property(schema: &mut Schema, key: &str, required: bool, property: Schema) {
        let object = schema.ensure_object();
        if let Some(properties) = object
            .entry("properties")
            .or_insert_with(|| Value::Object(serde_json::Map::new()))
            .as_object_mut()
        {
            properties.insert(key.to_owned(), property.into());
        }
        if required
            && let Some(list) = object
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
        {
            list.push(Value::String(key.to_owned()));
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

/// Generates an open integer enum: known variants plus `Unknown(i64)`.
///
/// Syntax: `open_int_enum! { #[doc] pub enum Name { #[doc] Variant = 0, … } }`. Decoding never
/// fails on an integer (other integers become `Unknown`, written back verbatim); the JSON Schema
/// lists the known values and accepts any integer.
///
/// Exported (hidden from the docs) for the SDK's sibling crates; the expansion needs `serde`
/// and `schemars` in the using crate.
#[doc(hidden)]
#[macro_export]
macro_rules! open_int_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident {
            $( $(#[$vm:meta])* $var:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$m])*
        ///
        /// Open enum: match the known variants and read any other value with `as_i64()`.
        /// Unknown wire values decode to `Unknown` and are written back verbatim.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $var, )+
            /// A value this crate does not know, kept verbatim.
            Unknown(i64),
        }

        impl $name {
            /// Every known wire value, in declaration order.
            pub const KNOWN: &'static [i64] = &[$($wire),+];

            /// The wire integer.
            pub fn as_i64(&self) -> i64 {
                match self {
                    $( Self::$var => $wire, )+
                    Self::Unknown(value) => *value,
                }
            }

            /// Returns `true` for a value outside the known set.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                match value {
                    $( $wire => Self::$var, )+
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.as_i64(), f)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct EnumVisitor;
                impl ::serde::de::Visitor<'_> for EnumVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("an integer (", stringify!($name), ")"))
                    }
                    fn visit_i64<E: ::serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        Ok($name::from(v))
                    }
                    fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        i64::try_from(v)
                            .map($name::from)
                            .map_err(|_| E::invalid_value(::serde::de::Unexpected::Unsigned(v), &self))
                    }
                }
                deserializer.deserialize_i64(EnumVisitor)
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": concat!(
                        "Open enum ", stringify!($name),
                        ": one of the known values, or any other integer (unknown values are accepted and kept verbatim)."
                    ),
                    "anyOf": [
                        { "type": "integer", "enum": [ $($wire),+ ] },
                        { "type": "integer" }
                    ]
                })
            }
        }
    };
}

/// Generates an open tagged union: one variant per known value of a tag key, each holding the
/// struct that value selects, plus `Unknown(serde_json::Value)`.
///
/// Syntax: `open_union! { #[doc] pub enum Name (tag = "key") { #[doc] Variant = "value" => Type, … } }`.
/// Decoding reads the object, then decodes it as the type its tag selects (an error there is a
/// decode error); a missing, non-string or unknown tag, or a value that is not an object, gives
/// `Unknown` with the value verbatim. Encoding writes the variant's struct (which carries the tag
/// key itself) or the unknown value. The JSON Schema is an `anyOf` of the variants' schemas and
/// any value.
///
/// Exported (hidden from the docs) for the SDK's sibling crates; the expansion needs `serde`,
/// `serde_json` and `schemars` in the using crate.
#[doc(hidden)]
#[macro_export]
macro_rules! open_union {
    (
        $(#[$m:meta])*
        pub enum $name:ident (tag = $tag:literal) {
            $( $(#[$vm:meta])* $var:ident = $wire:literal => $ty:ty ),+ $(,)?
        }
    ) => {
        $(#[$m])*
        ///
        /// Open union: match the known variants; a value with another tag is kept verbatim in
        /// `Unknown`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $var($ty), )+
            /// A value whose tag this crate does not know, kept verbatim.
            Unknown($crate::macros::__private::serde_json::Value),
        }

        impl $name {
            /// The key whose value selects the variant.
            pub const TAG: &'static str = $tag;

            /// Every known tag value, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The tag value (for `Unknown`, the value's tag when it is a string).
            pub fn tag(&self) -> Option<&str> {
                match self {
                    $( Self::$var(_) => Some($wire), )+
                    Self::Unknown(value) => value.get($tag).and_then(|tag| tag.as_str()),
                }
            }

            /// Returns `true` for a value with an unknown tag.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$var(value) => ::serde::Serialize::serialize(value, serializer), )+
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use ::serde::de::Error as _;
                let value = <$crate::macros::__private::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get($tag).and_then(|tag| tag.as_str()).map(str::to_owned);
                match tag.as_deref() {
                    $(
                        Some($wire) => $crate::macros::__private::serde_json::from_value::<$ty>(value)
                            .map(Self::$var)
                            .map_err(D::Error::custom),
                    )+
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }
            fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let variants = vec![
                    $( generator.subschema_for::<$ty>().to_value(), )+
                    $crate::macros::__private::serde_json::Value::Bool(true),
                ];
                let mut schema = ::schemars::json_schema!({
                    "description": concat!(
                        "Open union ", stringify!($name), " (by the key `", $tag,
                        "`): one of the known variants, or any other value (kept verbatim)."
                    ),
                });
                schema.insert("anyOf".to_owned(), $crate::macros::__private::serde_json::Value::Array(variants));
                schema
            }
        }
    };
}

/// Generates a lossless response struct from a declaration that reads like the struct itself.
///
/// ```text
/// wire_struct! {
///     #[wire(manual_debug, no_default)]        // optional, see below
///     /// A job.
///     pub struct Job {
///         /// Job id: a plain optional field.
///         pub id: Option<JobId>,
///         /// Kind, under the wire key `type`.
///         #[wire(rename = "type")]
///         pub kind: Option<String>,
///         /// A lenient integer, decoded and encoded through a `serde_with` adapter.
///         #[wire(as = Option<LaxInt>)]
///         pub count: Option<i64>,
///         /// `3` when absent or `null`.
///         pub slots: i64 = 3,
///         /// Absent is a decode error.
///         #[wire(required)]
///         pub node_id: String,
///     }
/// }
/// ```
///
/// Each field is written with its real type, its doc comment and at most one
/// `#[wire(...)]` (after the doc comment) holding, in any order, `rename = "key"` (the wire key;
/// default: the field name), `as = Adapter` (a `serde_with` adapter for the field's type, as in
/// `#[serde_as(as = ...)]`, used for decoding, encoding and the schema), and `required`. The
/// field's kind follows from that and from an `= default` after the type:
///
/// - **optional** (`Option<T>`, no default): absent or `null` → `None`. An explicit `null` is
///   also recorded in `wire_nulls` (a bit per field, no allocation), so a re-serialisation
///   writes it back as `null`; an absent `None` is not written.
/// - **tri-state** ([`Nullable<T>`](crate::Nullable), no default): absent → `Absent` (not
///   written), `null` → `Null` (written as `null`), a value → `Value` (written). For request
///   bodies that must be able to clear a field.
/// - **defaulted** (`T = expr`): absent or `null` → `expr`; always written.
/// - **required** (`#[wire(required)]`, `T`): absent → a decode error (`null` is up to `T`);
///   always written.
/// - **required, nullable** (`#[wire(required)]`, `Option<T>`): absent → a decode error,
///   `null` → `None`; always written, `None` as `null` (present, possibly `null`).
///
/// Every other key is kept in `extra`, in input order. A duplicate known key is an error.
/// Serialisation writes the fields in declaration order (an unset optional one only as the
/// `null` it arrived as), then `extra` (skipping a key whose field is written). Decoding is a hand-written visitor (no
/// `#[serde(flatten)]`; keys are borrowed from the input when possible). Also generated:
/// `FIELDS` (the wire keys), `Clone`, `PartialEq`, `Debug` (not with `manual_debug`),
/// `Default` from the declared defaults (not with `no_default`; required fields take
/// `Default::default()`), and a `JsonSchema`: an object allowing unknown keys, optional and
/// defaulted fields nullable and not required (defaults shown), required fields listed.
///
/// Exported (hidden from the docs) for the SDK's sibling crates; the expansion needs
/// `serde_with` in the using crate only for the adapters it names.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_struct {
    // ---- Generation, from the normalised fields:
    // `{ [docs] field [type] [wire key] [adapter?] (optional | required | default expr) }`.
    (@emit [[$($derive:ident)*] [$($default_impl:ident)?] [$($doc:literal)*] $name:ident]
        $( { [$($fdoc:literal)*] $field:ident [$fty:ty] [$($key:tt)+] [$($as:ty)?] $kind:tt } )*
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, PartialEq $(, $derive)*)]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                pub $field: $fty,
            )*
            /// Keys this crate does not model, kept verbatim.
            pub extra: $crate::macros::__private::serde_json::Map<String, $crate::macros::__private::serde_json::Value>,
            /// The optional fields that arrived as an explicit `null`: still unset, they are
            /// written back as `null`.
            pub wire_nulls: $crate::WireNulls,
        }

        impl $name {
            /// Every wire key this struct models, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$($($key)+),*];

            /// Whether a known wire key is written from its field (its value, or the `null`
            /// it arrived as).
            fn known_is_set(&self, key: &str) -> bool {
                match key {
                    $( $($key)+ => $crate::wire_struct!(@is_written $kind self.$field, self.wire_nulls, $name, [$($key)+]), )*
                    _ => false,
                }
            }

            /// Whether the wire key `key` arrived as an explicit `null` (an optional field).
            pub fn was_null(&self, key: &str) -> bool {
                Self::FIELDS
                    .iter()
                    .position(|k| *k == key)
                    .is_some_and(|i| self.wire_nulls.has(i))
            }
        }

        const _: () = assert!(
            $name::FIELDS.len() <= 64,
            concat!(stringify!($name), " has more than 64 fields: WireNulls holds 64")
        );

        $crate::wire_struct!(@default [$($default_impl)?] $name { $( $field $kind ),* });

        impl $crate::macros::__private::serde::Serialize for $name {
            fn serialize<S: $crate::macros::__private::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use $crate::macros::__private::serde::ser::SerializeMap;
                let mut len = 0usize;
                $( if $crate::wire_struct!(@is_written $kind self.$field, self.wire_nulls, $name, [$($key)+]) { len += 1; } )*
                len += self.extra.keys().filter(|k| !self.known_is_set(k)).count();
                let mut map = serializer.serialize_map(Some(len))?;
                $( $crate::wire_struct!(@serialize map $kind [$($key)+] self.$field, [$fty] [$($as)?], self.wire_nulls, $name); )*
                for (key, value) in &self.extra {
                    if !self.known_is_set(key) {
                        map.serialize_entry(key, value)?;
                    }
                }
                map.end()
            }
        }

        impl<'de> $crate::macros::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::macros::__private::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct StructVisitor;
                impl<'de> $crate::macros::__private::serde::de::Visitor<'de> for StructVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: $crate::macros::__private::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        use $crate::macros::__private::serde::de::Error as _;
                        $( let mut $field: Option<$fty> = None; )*
                        let mut extra = $crate::macros::__private::serde_json::Map::new();
                        #[allow(unused_mut)] // a struct without optional fields never marks one
                        let mut wire_nulls = $crate::WireNulls::default();
                        while let Some($crate::macros::__private::WireKey(key)) = map.next_key()? {
                            match key.as_ref() {
                                $(
                                    $($key)+ => {
                                        if $field.is_some() {
                                            return Err(A::Error::duplicate_field($($key)+));
                                        }
                                        $crate::wire_struct!(@decode map wire_nulls $name [$($key)+] $field $kind [$fty] [$($as)?]);
                                    }
                                )*
                                _ => {
                                    let value: $crate::macros::__private::serde_json::Value = map.next_value()?;
                                    extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok($name {
                            $( $field: $crate::wire_struct!(@finish $field $kind [$($key)+]), )*
                            extra,
                            wire_nulls,
                        })
                    }
                }
                deserializer.deserialize_map(StructVisitor)
            }
        }

        impl $crate::macros::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }
            fn json_schema(generator: &mut $crate::macros::__private::schemars::SchemaGenerator) -> $crate::macros::__private::schemars::Schema {
                let mut schema = $crate::macros::__private::schemars::json_schema!({
                    "type": "object",
                    "additionalProperties": true,
                });
                $crate::macros::__private::describe(&mut schema, &[$($doc),*]);
                $(
                    let mut property = $crate::wire_struct!(@schema generator $kind [$fty] [$($as)?]);
                    $crate::macros::__private::describe(&mut property, &[$($fdoc),*]);
                    $crate::wire_struct!(@schema_default property $kind [$fty] [$($as)?]);
                    $crate::macros::__private::insert_property(
                        &mut schema,
                        $($key)+,
                        $crate::wire_struct!(@is_required $kind),
                        property,
                    );
                )*
                schema
            }
        }
    };

    // ---- Per-kind pieces of the generated code.
    (@is_set (optional) $value:expr) => { $crate::macros::__private::is_set(&$value) };
    (@is_set $kind:tt $value:expr) => { true };
    (@index $name:ident [$($key:tt)+]) => {
        const { $crate::macros::__private::field_index($name::FIELDS, $($key)+) }
    };
    (@is_written (optional) $value:expr, $nulls:expr, $name:ident, [$($key:tt)+]) => {
        $crate::macros::__private::is_set(&$value)
            || $nulls.has($crate::wire_struct!(@index $name [$($key)+]))
    };
    (@is_written $kind:tt $value:expr, $nulls:expr, $name:ident, [$($key:tt)+]) => { true };
    (@is_required (required)) => { true };
    (@is_required $kind:tt) => { false };

    (@default [] $name:ident { $($field:ident $kind:tt),* }) => {};
    (@default [Default] $name:ident { $($field:ident $kind:tt),* }) => {
        impl Default for $name {
            fn default() -> Self {
                Self {
                    $( $field: $crate::wire_struct!(@default_value $kind), )*
                    extra: $crate::macros::__private::serde_json::Map::new(),
                    wire_nulls: $crate::WireNulls::default(),
                }
            }
        }
    };
    (@default_value (optional)) => { $crate::macros::__private::OptionalField::absent() };
    (@default_value (required)) => { Default::default() };
    (@default_value (default $default:expr)) => { $default };

    (@next $map:ident [$fty:ty] []) => { $map.next_value::<$fty>() };
    (@next $map:ident [$fty:ty] [$as:ty]) => {
        $crate::macros::__private::next_value_as::<$fty, $as, _>(&mut $map)
    };

    (@decode $map:ident $nulls:ident $name:ident [$($key:tt)+] $slot:ident (optional) [$fty:ty] [$($as:ty)?]) => {
        let value: $fty = $crate::wire_struct!(@next $map [$fty] [$($as)?])?;
        if $crate::macros::__private::OptionalField::null_lost(&value) {
            $nulls.mark($crate::wire_struct!(@index $name [$($key)+]));
        }
        $slot = Some(value);
    };
    (@decode $map:ident $nulls:ident $name:ident [$($key:tt)+] $slot:ident (required) [$fty:ty] [$($as:ty)?]) => {
        $slot = Some($crate::wire_struct!(@next $map [$fty] [$($as)?])?);
    };
    (@decode $map:ident $nulls:ident $name:ident [$($key:tt)+] $slot:ident (default $default:expr) [$fty:ty] [$($as:ty)?]) => {
        let value = $crate::wire_struct!(@next $map [Option<$fty>] [$(Option<$as>)?])?;
        $slot = Some(value.unwrap_or_else(|| $default));
    };

    (@finish $slot:ident (optional) [$($key:tt)+]) => {
        $slot.unwrap_or_else($crate::macros::__private::OptionalField::absent)
    };
    (@finish $slot:ident (required) [$($key:tt)+]) => {
        match $slot {
            Some(value) => value,
            None => return Err(A::Error::missing_field($($key)+)),
        }
    };
    (@finish $slot:ident (default $default:expr) [$($key:tt)+]) => {
        $slot.unwrap_or_else(|| $default)
    };

    (@serialize $map:ident (optional) [$($key:tt)+] $value:expr, [$fty:ty] [], $nulls:expr, $name:ident) => {
        if $crate::macros::__private::is_set(&$value) {
            $map.serialize_entry($($key)+, &$value)?;
        } else if $nulls.has($crate::wire_struct!(@index $name [$($key)+])) {
            $map.serialize_entry($($key)+, &())?;
        }
    };
    (@serialize $map:ident (optional) [$($key:tt)+] $value:expr, [$fty:ty] [$as:ty], $nulls:expr, $name:ident) => {
        if $crate::macros::__private::is_set(&$value) {
            $map.serialize_entry(
                $($key)+,
                &$crate::macros::__private::serde_with::ser::SerializeAsWrap::<$fty, $as>::new(&$value),
            )?;
        } else if $nulls.has($crate::wire_struct!(@index $name [$($key)+])) {
            $map.serialize_entry($($key)+, &())?;
        }
    };
    (@serialize $map:ident $kind:tt [$($key:tt)+] $value:expr, [$fty:ty] [], $nulls:expr, $name:ident) => {
        $map.serialize_entry($($key)+, &$value)?;
    };
    (@serialize $map:ident $kind:tt [$($key:tt)+] $value:expr, [$fty:ty] [$as:ty], $nulls:expr, $name:ident) => {
        $map.serialize_entry(
            $($key)+,
            &$crate::macros::__private::serde_with::ser::SerializeAsWrap::<$fty, $as>::new(&$value),
        )?;
    };

    (@schema $generator:ident (default $default:expr) [$fty:ty] []) => {
        $generator.subschema_for::<Option<$fty>>()
    };
    (@schema $generator:ident (default $default:expr) [$fty:ty] [$as:ty]) => {
        $generator.subschema_for::<$crate::macros::__private::serde_with::Schema<Option<$fty>, Option<$as>>>()
    };
    (@schema $generator:ident $kind:tt [$fty:ty] []) => {
        $generator.subschema_for::<$fty>()
    };
    (@schema $generator:ident $kind:tt [$fty:ty] [$as:ty]) => {
        $generator.subschema_for::<$crate::macros::__private::serde_with::Schema<$fty, $as>>()
    };

    (@schema_default $schema:ident (default $default:expr) [$fty:ty] []) => {
        $crate::macros::__private::set_default(
            &mut $schema,
            $crate::macros::__private::serde_json::to_value::<$fty>($default),
        )
    };
    (@schema_default $schema:ident (default $default:expr) [$fty:ty] [$as:ty]) => {
        $crate::macros::__private::set_default(
            &mut $schema,
            $crate::macros::__private::serde_json::to_value(
                $crate::macros::__private::serde_with::ser::SerializeAsWrap::<$fty, $as>::new(&$default),
            ),
        )
    };
    (@schema_default $schema:ident $kind:tt [$fty:ty] [$($as:ty)?]) => {};

    // ---- Parsing: one field at a time, then its `#[wire(...)]` options.
    (@fields $head:tt [$($done:tt)*]) => {
        $crate::wire_struct!(@emit $head $($done)*);
    };
    (@fields $head:tt [$($done:tt)*]
        $(#[doc = $fdoc:literal])*
        $(#[wire $opts:tt])?
        pub $field:ident : $fty:ty $(= $default:expr)?
        $(, $($rest:tt)*)?
    ) => {
        $crate::wire_struct!(@opts $head [$($done)*] [$($($rest)*)?]
            { [$($fdoc)*] $field [$fty] [$($default)?] }
            [stringify!($field)] [] []
            $($opts)?
        );
    };
    (@opts $head:tt $done:tt $rest:tt $field:tt $key:tt $as:tt $required:tt
        (rename = $wire:literal $(, $($more:tt)*)?)
    ) => {
        $crate::wire_struct!(@opts $head $done $rest $field [$wire] $as $required ($($($more)*)?));
    };
    (@opts $head:tt $done:tt $rest:tt $field:tt $key:tt $as:tt $required:tt
        (as = $adapter:ty $(, $($more:tt)*)?)
    ) => {
        $crate::wire_struct!(@opts $head $done $rest $field $key [$adapter] $required ($($($more)*)?));
    };
    (@opts $head:tt $done:tt $rest:tt $field:tt $key:tt $as:tt $required:tt
        (required $(, $($more:tt)*)?)
    ) => {
        $crate::wire_struct!(@opts $head $done $rest $field $key $as [required] ($($($more)*)?));
    };
    (@opts $head:tt $done:tt $rest:tt $field:tt $key:tt $as:tt $required:tt ()) => {
        $crate::wire_struct!(@opts $head $done $rest $field $key $as $required);
    };
    (@opts $head:tt [$($done:tt)*] [$($rest:tt)*] { $docs:tt $field:ident $fty:tt [] } $key:tt $as:tt []) => {
        $crate::wire_struct!(@fields $head [$($done)* { $docs $field $fty $key $as (optional) }] $($rest)*);
    };
    (@opts $head:tt [$($done:tt)*] [$($rest:tt)*] { $docs:tt $field:ident $fty:tt [] } $key:tt $as:tt [required]) => {
        $crate::wire_struct!(@fields $head [$($done)* { $docs $field $fty $key $as (required) }] $($rest)*);
    };
    (@opts $head:tt [$($done:tt)*] [$($rest:tt)*] { $docs:tt $field:ident $fty:tt [$default:expr] } $key:tt $as:tt []) => {
        $crate::wire_struct!(@fields $head [$($done)* { $docs $field $fty $key $as (default $default) }] $($rest)*);
    };
    (@opts $head:tt $done:tt $rest:tt { $docs:tt $field:ident $fty:tt [$default:expr] } $key:tt $as:tt [required]) => {
        compile_error!(concat!("`", stringify!($field), "`: a required field has no default"));
    };
    (@opts $head:tt $done:tt $rest:tt { $docs:tt $field:ident $($x:tt)* } $key:tt $as:tt $required:tt ($($bad:tt)*)) => {
        compile_error!(concat!(
            "`", stringify!($field), "`: unknown #[wire] option `", stringify!($($bad)*),
            "` (expected `rename = \"key\"`, `as = Adapter`, `required`)"
        ));
    };

    // ---- Entry: the struct, with optional struct-level `#[wire(...)]` flags.
    (@struct $derive:tt $default_impl:tt
        $(#[doc = $doc:literal])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::wire_struct!(@fields [$derive $default_impl [$($doc)*] $name] [] $($body)*);
    };
    (#[wire(manual_debug, no_default)] $($rest:tt)+) => {
        $crate::wire_struct!(@struct [] [] $($rest)+);
    };
    (#[wire(manual_debug)] $($rest:tt)+) => {
        $crate::wire_struct!(@struct [] [Default] $($rest)+);
    };
    (#[wire(no_default)] $($rest:tt)+) => {
        $crate::wire_struct!(@struct [Debug] [] $($rest)+);
    };
    ($($rest:tt)+) => {
        $crate::wire_struct!(@struct [Debug] [Default] $($rest)+);
    };
}
