//! Lossless timestamps.

use std::borrow::Cow;
use std::fmt;

use arrayvec::ArrayString;
use bytestring::ByteString;
use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;
use crate::shared::share;

/// A timestamp kept as the original wire string (lossless; decoding never fails on a string).
///
/// [`Timestamp::parse`] reads RFC 3339, also with a space instead of `T` and with a missing
/// offset (taken as UTC).
#[derive(Clone)]
pub struct Timestamp(Text);

/// The text of a timestamp: held inline when it fits (every RFC 3339 form up to microseconds
/// with an offset does), else a shared or owned buffer.
#[derive(Clone)]
enum Text {
    Inline(ArrayString<INLINE>),
    Heap(ByteString),
}

/// `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM` is 32 bytes.
const INLINE: usize = 32;

impl Text {
    fn new(s: &str) -> Self {
        match ArrayString::from(s) {
            Ok(inline) => Text::Inline(inline),
            Err(_) => Text::Heap(ByteString::from(s)),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Text::Inline(s) => s,
            Text::Heap(s) => s,
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        match ArrayString::from(s.as_str()) {
            Ok(inline) => Text::Inline(inline),
            Err(_) => Text::Heap(ByteString::from(s)),
        }
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Timestamp {}

impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// By text (as the wire strings compare).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Timestamp {
    /// Wraps a string as is.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into().into())
    }

    /// The current UTC time in the Python SDK's form `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
    pub fn now_utc() -> Self {
        Self::from_utc(Utc::now())
    }

    /// Formats a UTC time as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
    pub fn from_utc(t: DateTime<Utc>) -> Self {
        Self(t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string().into())
    }

    /// The original string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `true` when the string is empty.
    pub fn is_empty(&self) -> bool {
        self.as_str().is_empty()
    }

    /// Parses the string (RFC 3339; a space may replace `T`; no offset means UTC).
    pub fn parse(&self) -> Result<DateTime<FixedOffset>, ModelError> {
        let s = self.as_str().trim();
        let normalised: Cow<'_, str> = match s.as_bytes().get(10) {
            Some(b' ') => Cow::Owned(format!("{}T{}", &s[..10], &s[11..])),
            _ => Cow::Borrowed(s),
        };
        match DateTime::parse_from_rfc3339(&normalised) {
            Ok(t) => Ok(t),
            Err(rfc_err) => NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|naive| naive.and_utc().fixed_offset())
                .map_err(|_| ModelError::InvalidTimestamp {
                    value: self.as_str().to_owned(),
                    reason: rfc_err.to_string(),
                }),
        }
    }

    /// Parses and converts to UTC.
    pub fn parse_utc(&self) -> Result<DateTime<Utc>, ModelError> {
        self.parse().map(|t| t.with_timezone(&Utc))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Timestamp").field(&self.as_str()).finish()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(Self)
    }
}

/// Reads a timestamp's string: inline when short, else sharing the decode's source when the
/// text is lent from it ([`crate::shared`]).
struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text, E> {
        Ok(match ArrayString::from(v) {
            Ok(inline) => Text::Inline(inline),
            Err(_) => Text::Heap(share(v)),
        })
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text::new(v))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text::from(v))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Timestamp {
    fn from(v: String) -> Self {
        Self(v.into())
    }
}

impl From<&str> for Timestamp {
    fn from(v: &str) -> Self {
        Self(Text::new(v))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(v: DateTime<Utc>) -> Self {
        Self::from_utc(v)
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    fn from(v: DateTime<FixedOffset>) -> Self {
        Self(v.to_rfc3339_opts(SecondsFormat::AutoSi, false).into())
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_text_compare_by_text() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |t: &Timestamp| {
            let mut h = DefaultHasher::new();
            t.hash(&mut h);
            h.finish()
        };
        let fits = "2026-06-11T03:04:05.123456+09:00"; // 32 bytes: inline
        let over = "2026-06-11T03:04:05.1234567+09:00"; // 33 bytes: heap
        assert_eq!(fits.len(), INLINE);
        for text in [fits, over, "", "x"] {
            let built = Timestamp::new(text);
            let from_str = Timestamp::from(text);
            let decoded: Timestamp = serde_json::from_str(&format!("{text:?}")).expect("decodes");
            let heap = Timestamp(Text::Heap(ByteString::from(text)));
            for t in [&from_str, &decoded, &heap] {
                assert_eq!(t, &built);
                assert_eq!(t.as_str(), text);
                assert_eq!(hash(t), hash(&built));
                assert_eq!(
                    serde_json::to_string(t).expect("encodes"),
                    format!("{text:?}")
                );
            }
        }
        assert!(matches!(Timestamp::new(fits).0, Text::Inline(_)));
        assert!(matches!(Timestamp::new(over).0, Text::Heap(_)));
        // Ordered by text, whatever holds it.
        let heap_a = Timestamp(Text::Heap(ByteString::from("2026-01-01")));
        assert!(heap_a < Timestamp::new("2026-01-02"));
        assert!(Timestamp::new("2026-01-02") > heap_a);
    }

    #[test]
    fn parses_wire_forms() {
        for s in [
            "2026-05-08T09:55:00Z",
            "2021-05-18T17:12:50.318718Z",
            "2026-06-11T03:04:05.123456+00:00",
            "2026-06-11 03:04:05+09:00",
            "2026-11-16T10:00:00.123456",
            "2026-11-16 10:00:00",
        ] {
            assert!(Timestamp::from(s).parse().is_ok(), "{s}");
        }
        let t = Timestamp::from("2026-11-16T10:00:00")
            .parse()
            .expect("naive");
        assert_eq!(t.offset().local_minus_utc(), 0);
        assert!(Timestamp::from("yesterday").parse().is_err());
        assert!(Timestamp::from("").parse().is_err());
    }

    #[test]
    fn now_has_python_form() {
        let now = Timestamp::now_utc();
        let s = now.as_str();
        assert_eq!(s.len(), "2026-06-11T03:04:05.123456+00:00".len(), "{s}");
        assert!(s.ends_with("+00:00"));
        assert_eq!(&s[10..11], "T");
        assert!(now.parse().is_ok());
    }
}
