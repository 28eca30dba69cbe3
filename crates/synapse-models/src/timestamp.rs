//! Lossless timestamps.

use std::borrow::Cow;
use std::fmt;

use bytestring::ByteString;
use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;
use crate::shared::SharedStr;

/// A timestamp kept as the original wire string (lossless; decoding never fails on a string).
///
/// [`Timestamp::parse`] reads RFC 3339, also with a space instead of `T` and with a missing
/// offset (taken as UTC).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(ByteString);

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
        &self.0
    }

    /// `true` when the string is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses the string (RFC 3339; a space may replace `T`; no offset means UTC).
    pub fn parse(&self) -> Result<DateTime<FixedOffset>, ModelError> {
        let s = self.0.trim();
        let normalised: Cow<'_, str> = match s.as_bytes().get(10) {
            Some(b' ') => Cow::Owned(format!("{}T{}", &s[..10], &s[11..])),
            _ => Cow::Borrowed(s),
        };
        match DateTime::parse_from_rfc3339(&normalised) {
            Ok(t) => Ok(t),
            Err(rfc_err) => NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|naive| naive.and_utc().fixed_offset())
                .map_err(|_| ModelError::InvalidTimestamp {
                    value: self.0.to_string(),
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
        f.debug_tuple("Timestamp").field(&&*self.0).finish()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        SharedStr::read(deserializer).map(Self)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Timestamp {
    fn from(v: String) -> Self {
        Self(v.into())
    }
}

impl From<&str> for Timestamp {
    fn from(v: &str) -> Self {
        Self(v.into())
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
