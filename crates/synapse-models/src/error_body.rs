//! Error bodies of the v1 backend, the agent and v2.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An error response body, kept raw, with accessors for every documented shape: DRF
/// `detail`, DRF field errors, FastAPI validation lists, `error_type` bodies, chunked-upload
/// offsets and the v2 `{"error": {code, message, details}}` envelope.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorBody(pub Value);

impl ErrorBody {
    /// Wraps a decoded JSON body.
    pub fn new(value: Value) -> Self {
        Self(value)
    }

    /// A non-JSON body (text or a reason phrase), kept as a JSON string.
    pub fn from_text(text: impl Into<String>) -> Self {
        Self(Value::String(text.into()))
    }

    /// Decodes raw bytes: JSON when they parse, else the (lossy UTF-8) text.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes)
            .map(Self)
            .unwrap_or_else(|_| Self::from_text(String::from_utf8_lossy(bytes).into_owned()))
    }

    /// The raw body.
    pub fn raw(&self) -> &Value {
        &self.0
    }

    /// A human-readable message: `detail` (a string, or a FastAPI list formatted as
    /// `loc: msg; …`), else `message`, else the v2 `error.message`, else a text body.
    pub fn detail(&self) -> Option<String> {
        match &self.0 {
            Value::String(s) => Some(s.clone()),
            Value::Object(obj) => match obj.get("detail") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(items)) => Some(format_fastapi(items)),
                Some(other) if !other.is_null() => Some(other.to_string()),
                _ => obj
                    .get("message")
                    .and_then(Value::as_str)
                    .or_else(|| self.0.pointer("/error/message").and_then(Value::as_str))
                    .map(str::to_owned),
            },
            _ => None,
        }
    }

    /// The top-level `error_type` (e.g. `gpu_unavailable`).
    pub fn error_type(&self) -> Option<&str> {
        self.0.get("error_type").and_then(Value::as_str)
    }

    /// The machine-readable code: the v2 envelope's `error.code`, else a top-level `code`.
    pub fn code(&self) -> Option<&str> {
        self.0
            .pointer("/error/code")
            .and_then(Value::as_str)
            .or_else(|| self.0.get("code").and_then(Value::as_str))
    }

    /// The server's upload offset of a chunked-upload error (`offset` or `expected_offset`).
    pub fn offset(&self) -> Option<u64> {
        self.0
            .get("offset")
            .and_then(Value::as_u64)
            .or_else(|| self.0.get("expected_offset").and_then(Value::as_u64))
    }

    /// Per-field messages: DRF `{"field": ["msg", …]}` (string values too, `detail` excluded),
    /// the v2 envelope's `error.details` (`[{field, message}]`), and FastAPI `detail` items
    /// (field = `loc` joined by `.`).
    pub fn field_errors(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        let mut push =
            |field: String, message: String| match out.iter_mut().find(|(f, _)| *f == field) {
                Some((_, messages)) => messages.push(message),
                None => out.push((field, vec![message])),
            };
        let Value::Object(obj) = &self.0 else {
            return Vec::new();
        };
        if let Some(Value::Array(details)) = self.0.pointer("/error/details") {
            for d in details {
                let field = d.get("field").and_then(Value::as_str).unwrap_or("");
                if let Some(msg) = d.get("message").and_then(Value::as_str) {
                    push(field.to_owned(), msg.to_owned());
                }
            }
            return out;
        }
        if let Some(Value::Array(items)) = obj.get("detail") {
            for item in items {
                if let Some(msg) = item.get("msg").and_then(Value::as_str) {
                    push(loc_path(item), msg.to_owned());
                }
            }
            return out;
        }
        for (key, value) in obj {
            if key == "detail" {
                continue;
            }
            match value {
                Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
                    for item in items.iter().filter_map(Value::as_str) {
                        push(key.clone(), item.to_owned());
                    }
                }
                _ => {}
            }
        }
        out
    }
}

fn loc_path(item: &Value) -> String {
    match item.get("loc") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("."),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn format_fastapi(items: &[Value]) -> String {
    items
        .iter()
        .map(|item| {
            let msg = item
                .get("msg")
                .and_then(Value::as_str)
                .map(Cow::Borrowed)
                .unwrap_or_else(|| Cow::Owned(item.to_string()));
            let loc = loc_path(item);
            if loc.is_empty() {
                msg.into_owned()
            } else {
                format!("{loc}: {msg}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.detail() {
            Some(d) => f.write_str(&d),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<Value> for ErrorBody {
    fn from(v: Value) -> Self {
        Self(v)
    }
}

impl schemars::JsonSchema for ErrorBody {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorBody")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An error body: DRF `{detail}` or field errors, FastAPI `{detail: [...]}`, `{error_type, message}`, the v2 `{error: {code, message, details}}` envelope, or text."
        })
    }
}
