//! v1 page-number pages.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::macros::__private::WireKey;

/// A Django REST Framework page: `{"count", "next", "previous", "results"}` plus unknown keys.
///
/// Also decodes a bare JSON array (as `count = len`, no links). `results` is required in the
/// object form. Serialises in the object form (`next`/`previous` always written, `count` when
/// known).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Total number of items across all pages, when the server sends it.
    pub count: Option<u64>,
    /// Absolute URL of the next page.
    pub next: Option<String>,
    /// Absolute URL of the previous page.
    pub previous: Option<String>,
    /// The items of this page.
    pub results: Vec<T>,
    /// Unknown keys of the page object, kept verbatim.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            count: None,
            next: None,
            previous: None,
            results: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }
}

impl<T> Page<T> {
    /// A single page holding `results` (count = its length, no links).
    pub fn from_results(results: Vec<T>) -> Self {
        Self {
            count: Some(results.len() as u64),
            results,
            ..Self::default()
        }
    }

    /// The total count, or 0 when absent (as the Python SDK does).
    pub fn total(&self) -> u64 {
        self.count.unwrap_or(0)
    }

    /// `true` when the server announced a next page.
    pub fn has_next(&self) -> bool {
        self.next.as_deref().is_some_and(|n| !n.is_empty())
    }

    /// Converts the items, keeping the page metadata.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            count: self.count,
            next: self.next,
            previous: self.previous,
            results: self.results.into_iter().map(f).collect(),
            extra: self.extra,
        }
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.results.into_iter()
    }
}

impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const KNOWN: [&str; 4] = ["count", "next", "previous", "results"];
        let extra = self
            .extra
            .iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()));
        let len = 3 + usize::from(self.count.is_some()) + extra.clone().count();
        let mut map = serializer.serialize_map(Some(len))?;
        if let Some(count) = self.count {
            map.serialize_entry("count", &count)?;
        }
        map.serialize_entry("next", &self.next)?;
        map.serialize_entry("previous", &self.previous)?;
        map.serialize_entry("results", &self.results)?;
        for (k, v) in extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a page object with `results`, or a JSON array")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page<T>, A::Error> {
                let mut results = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element()? {
                    results.push(item);
                }
                Ok(Page::from_results(results))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
                let mut count: Option<Option<u64>> = None;
                let mut next: Option<Option<String>> = None;
                let mut previous: Option<Option<String>> = None;
                let mut results: Option<Vec<T>> = None;
                let mut extra = serde_json::Map::new();
                while let Some(WireKey(key)) = map.next_key()? {
                    match key.as_ref() {
                        "count" => {
                            if count.is_some() {
                                return Err(de::Error::duplicate_field("count"));
                            }
                            count = Some(map.next_value()?);
                        }
                        "next" => {
                            if next.is_some() {
                                return Err(de::Error::duplicate_field("next"));
                            }
                            next = Some(map.next_value()?);
                        }
                        "previous" => {
                            if previous.is_some() {
                                return Err(de::Error::duplicate_field("previous"));
                            }
                            previous = Some(map.next_value()?);
                        }
                        "results" => {
                            if results.is_some() {
                                return Err(de::Error::duplicate_field("results"));
                            }
                            results = Some(map.next_value()?);
                        }
                        _ => {
                            let value = map.next_value()?;
                            extra.insert(key.into_owned(), value);
                        }
                    }
                }
                let results = results.ok_or_else(|| de::Error::missing_field("results"))?;
                Ok(Page {
                    count: count.flatten(),
                    next: next.flatten(),
                    previous: previous.flatten(),
                    results,
                    extra,
                })
            }
        }

        deserializer.deserialize_any(PageVisitor(PhantomData))
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Page<T> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("Page_for_{}", T::schema_name()))
    }
    fn schema_id() -> Cow<'static, str> {
        Cow::Owned(format!("synapse_models::Page<{}>", T::schema_id()))
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let item = generator.subschema_for::<T>();
        schemars::json_schema!({
            "description": "A v1 page (`count`/`next`/`previous`/`results`), or a bare array of items.",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "count": { "type": ["integer", "null"], "minimum": 0 },
                        "next": { "type": ["string", "null"] },
                        "previous": { "type": ["string", "null"] },
                        "results": { "type": "array", "items": item.clone() }
                    },
                    "required": ["results"],
                    "additionalProperties": true
                },
                { "type": "array", "items": item }
            ]
        })
    }
}
