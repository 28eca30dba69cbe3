//! Console logs and tail events.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::macros::__private::WireKey;
use crate::{JobId, LogLevel, TailEventType, Timestamp};

/// Answer of `GET jobs/{id}/console_logs/`, in any of its shapes; re-serialises in the
/// shape it was read.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleLogs {
    /// v1: a bare array of lines.
    Lines(Vec<ConsoleLine>),
    /// v2: `{"logs": [...]}` (other keys in `extra`).
    Logs {
        /// The lines.
        logs: Vec<ConsoleLine>,
        /// Other keys.
        extra: Map<String, Value>,
    },
    /// `{"results": [...]}` (other keys in `extra`).
    Results {
        /// The lines.
        results: Vec<ConsoleLine>,
        /// Other keys.
        extra: Map<String, Value>,
    },
}

impl ConsoleLogs {
    /// The lines, whatever the shape.
    pub fn entries(&self) -> &[ConsoleLine] {
        match self {
            Self::Lines(lines) => lines,
            Self::Logs { logs, .. } => logs,
            Self::Results { results, .. } => results,
        }
    }

    /// The text of every line.
    pub fn lines(&self) -> Vec<String> {
        self.entries()
            .iter()
            .map(|l| l.text().into_owned())
            .collect()
    }
}

impl Serialize for ConsoleLogs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (key, lines, extra) = match self {
            Self::Lines(lines) => return lines.serialize(serializer),
            Self::Logs { logs, extra } => ("logs", logs, extra),
            Self::Results { results, extra } => ("results", results, extra),
        };
        let extra = extra.iter().filter(|(k, _)| k.as_str() != key);
        let mut map = serializer.serialize_map(Some(1 + extra.clone().count()))?;
        map.serialize_entry(key, lines)?;
        for (k, v) in extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ConsoleLogs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConsoleLogs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of log lines, or an object with `logs` or `results`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ConsoleLogs, A::Error> {
                let mut lines = Vec::new();
                while let Some(line) = seq.next_element()? {
                    lines.push(line);
                }
                Ok(ConsoleLogs::Lines(lines))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConsoleLogs, A::Error> {
                let mut logs: Option<Vec<ConsoleLine>> = None;
                let mut results: Option<Vec<ConsoleLine>> = None;
                let mut extra = Map::new();
                while let Some(WireKey(key)) = map.next_key()? {
                    match key.as_ref() {
                        "logs" if logs.is_none() => logs = Some(map.next_value()?),
                        "results" if results.is_none() => results = Some(map.next_value()?),
                        "logs" => return Err(de::Error::duplicate_field("logs")),
                        "results" => return Err(de::Error::duplicate_field("results")),
                        _ => {
                            let value = map.next_value()?;
                            extra.insert(key.into_owned(), value);
                        }
                    }
                }
                match (logs, results) {
                    (Some(logs), results) => {
                        if let Some(results) = results {
                            let value = serde_json::to_value(results).map_err(de::Error::custom)?;
                            extra.insert("results".to_owned(), value);
                        }
                        Ok(ConsoleLogs::Logs { logs, extra })
                    }
                    (None, Some(results)) => Ok(ConsoleLogs::Results { results, extra }),
                    (None, None) => Err(de::Error::missing_field("logs")),
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl schemars::JsonSchema for ConsoleLogs {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ConsoleLogs")
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let line = generator.subschema_for::<ConsoleLine>();
        schemars::json_schema!({
            "description": "Console logs: a bare array of lines (v1), `{\"logs\": [...]}` (v2) or `{\"results\": [...]}`.",
            "anyOf": [
                { "type": "array", "items": line.clone() },
                { "type": "object", "properties": { "logs": { "type": "array", "items": line.clone() } }, "required": ["logs"] },
                { "type": "object", "properties": { "results": { "type": "array", "items": line } }, "required": ["results"] }
            ]
        })
    }
}

/// One console line: plain text, or an object (`timestamp`, `level`, `message`/`log`).
#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleLine {
    /// A text line.
    Text(String),
    /// A structured line.
    Entry(ConsoleEntry),
}

impl ConsoleLine {
    /// The line's text: the string, or the entry's `message`, else `log`, else empty.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Self::Text(s) => Cow::Borrowed(s),
            Self::Entry(e) => Cow::Borrowed(
                e.message
                    .as_deref()
                    .or(e.log.as_deref())
                    .unwrap_or_default(),
            ),
        }
    }
}

impl Serialize for ConsoleLine {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(s) => serializer.serialize_str(s),
            Self::Entry(e) => e.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ConsoleLine {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConsoleLine;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a log line string or object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ConsoleLine, E> {
                Ok(ConsoleLine::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ConsoleLine, E> {
                Ok(ConsoleLine::Text(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ConsoleLine, A::Error> {
                ConsoleEntry::deserialize(MapAccessDeserializer::new(map)).map(ConsoleLine::Entry)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl schemars::JsonSchema for ConsoleLine {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ConsoleLine")
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let entry = generator.subschema_for::<ConsoleEntry>();
        schemars::json_schema!({
            "description": "A console line: text, or an object with `timestamp`, `level`, `message`/`log`.",
            "anyOf": [{ "type": "string" }, entry]
        })
    }
}

wire_struct! {
    /// A structured console line.
    pub struct ConsoleEntry {
        /// When it was logged.
        pub timestamp: Option<Timestamp>,
        /// Level.
        pub level: Option<LogLevel>,
        /// Text.
        pub message: Option<String>,
        /// Text (alternative key).
        pub log: Option<String>,
    }
}

wire_struct! {
    /// One server-sent event of `tail_console_logs` (`data: {json}` line).
    pub struct TailEvent {
        /// `connected`, `log`, `complete`, `error`.
        #[wire(rename = "type")]
        pub event_type: Option<TailEventType>,
        /// Job id (`connected`).
        pub job_id: Option<JobId>,
        /// Log payload (`log`): text, possibly itself `data: {...}`, or an object.
        pub data: Option<Value>,
        /// Message (`log`, `complete`, `error`).
        pub message: Option<String>,
    }
}

impl TailEvent {
    /// The log text: `message`, else a string `data` (unwrapping a nested
    /// `data: {"message": …}`), else `data.message`.
    pub fn text(&self) -> Option<String> {
        if let Some(m) = &self.message {
            return Some(m.clone());
        }
        match self.data.as_ref()? {
            Value::String(s) => {
                let nested = s
                    .strip_prefix("data:")
                    .and_then(|rest| serde_json::from_str::<Value>(rest.trim()).ok());
                match nested
                    .as_ref()
                    .and_then(|v| v.get("message"))
                    .and_then(Value::as_str)
                {
                    Some(m) => Some(m.to_owned()),
                    None => Some(s.clone()),
                }
            }
            other => other
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}
