//! Request context, responses and DRF-style pagination.

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{Map, Value, json};

/// Response body type of the fake.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;
/// A response.
pub(crate) type Resp = Response<Body>;

/// What a handler sees of a request.
pub(crate) struct Ctx {
    pub method: Method,
    /// Path segments without empty ones (`/jobs/7/` → `["jobs", "7"]`).
    pub segments: Vec<String>,
    /// The raw path.
    pub path: String,
    /// Whether the path ends with `/`.
    pub slash: bool,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `http://host:port` as the client addressed it.
    pub origin: String,
}

impl Ctx {
    /// The first value of a query parameter.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, or a 400 in DRF's words.
    pub fn json(&self) -> Result<Value, Resp> {
        serde_json::from_slice(&self.body)
            .map_err(|e| detail(400, &format!("JSON parse error - {e}")))
    }

    /// An absolute URL on this server.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }
}

/// A body from bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A JSON response.
pub(crate) fn json_resp(status: u16, value: &Value) -> Resp {
    let mut resp = Response::new(full(value.to_string()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// A response whose body is JSON text already.
pub(crate) fn json_text(status: u16, text: String) -> Resp {
    json_bytes(status, Bytes::from(text))
}

/// A response whose body is JSON bytes already.
pub(crate) fn json_bytes(status: u16, body: Bytes) -> Resp {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// `{"detail": message}`.
pub(crate) fn detail(status: u16, message: &str) -> Resp {
    json_resp(status, &json!({ "detail": message }))
}

/// DRF field errors: `{"field": ["message"]}`.
pub(crate) fn field_error(field: &str, message: &str) -> Resp {
    json_resp(400, &json!({ field: [message] }))
}

/// 404 `{"detail": "Not found."}`.
pub(crate) fn not_found() -> Resp {
    detail(404, "Not found.")
}

/// 204 with no body.
pub(crate) fn no_content() -> Resp {
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A page link: the request's query with `page` replaced, keys sorted (as DRF's links read).
fn page_link(ctx: &Ctx, page: usize) -> String {
    let mut pairs: Vec<(String, String)> = ctx
        .query
        .iter()
        .filter(|(k, _)| k != "page")
        .cloned()
        .collect();
    pairs.push(("page".to_owned(), page.to_string()));
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{}{}?{}", ctx.origin, ctx.path, query.join("&"))
}

/// The slice of a listing one page request covers.
pub(crate) struct Window {
    pub start: usize,
    pub end: usize,
    pub count: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
}

/// Page-number pagination over `total` items: `page` (default 1) and `page_size` (default
/// `default_size`, at most 1000); a page past the end is 404 `Invalid page.`.
pub(crate) fn window(ctx: &Ctx, total: usize, default_size: usize) -> Result<Window, Resp> {
    let size = match ctx.q("page_size") {
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n.min(1000),
            _ => default_size,
        },
        None => default_size,
    };
    let page = match ctx.q("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => return Err(detail(404, "Invalid page.")),
    };
    let last = total.div_ceil(size).max(1);
    if page > last {
        return Err(detail(404, "Invalid page."));
    }
    let start = (page - 1) * size;
    Ok(Window {
        start,
        end: (start + size).min(total),
        count: total,
        next: (page < last).then(|| page_link(ctx, page + 1)),
        previous: (page > 1).then(|| page_link(ctx, page - 1)),
    })
}

/// A page of `items` (only the page's items are rendered).
pub(crate) fn paginate<T>(
    ctx: &Ctx,
    items: Vec<T>,
    default_size: usize,
    render: impl Fn(T) -> Value,
) -> Resp {
    let w = match window(ctx, items.len(), default_size) {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    let results: Vec<Value> = items
        .into_iter()
        .skip(w.start)
        .take(w.end - w.start)
        .map(render)
        .collect();
    json_resp(
        200,
        &json!({"count": w.count, "next": w.next, "previous": w.previous, "results": results}),
    )
}

/// Decodes `%XX` escapes of a path segment (invalid escapes stay as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON object body checked as a DRF serializer checks it: every bad field is collected,
/// and the answer names all of them at once; undeclared keys are dropped.
pub(crate) struct Form {
    body: Map<String, Value>,
    errors: Map<String, Value>,
}

impl Form {
    /// The request's body as an object, or DRF's 400 for anything else.
    pub fn new(ctx: &Ctx) -> Result<Form, Resp> {
        let value = if ctx.body.is_empty() {
            Value::Object(Map::new())
        } else {
            ctx.json()?
        };
        Form::from_value(value)
    }

    /// `value` as an object, or DRF's 400 for anything else.
    pub fn from_value(value: Value) -> Result<Form, Resp> {
        match value {
            Value::Object(body) => Ok(Form {
                body,
                errors: Map::new(),
            }),
            other => Err(json_resp(
                400,
                &json!({"non_field_errors": [format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(&other)
                )]}),
            )),
        }
    }

    /// Records `message` against `field` (a field may collect several).
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        let list = self
            .errors
            .entry(field.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            list.push(Value::String(message.into()));
        }
    }

    /// Records a nested error value against `field` (a list of per-item error objects, as
    /// DRF reports a nested list serializer), replacing what it held.
    pub fn nested(&mut self, field: &str, errors: Value) {
        self.errors.insert(field.to_owned(), errors);
    }

    /// The field's value, if present and not null.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.body.get(field).filter(|v| !v.is_null())
    }

    /// A required field: records "This field is required." (or "may not be null") when it
    /// is missing.
    pub fn require(&mut self, field: &str) -> Option<Value> {
        match self.body.get(field) {
            None => {
                self.error(field, "This field is required.");
                None
            }
            Some(Value::Null) => {
                self.error(field, "This field may not be null.");
                None
            }
            Some(v) => Some(v.clone()),
        }
    }

    /// A required non-blank string.
    pub fn require_str(&mut self, field: &str) -> Option<String> {
        let value = self.require(field)?;
        self.string(field, value)
    }

    /// An optional string (absent or null: `None`).
    pub fn optional_str(&mut self, field: &str) -> Option<String> {
        let value = self.get(field)?.clone();
        self.string(field, value)
    }

    fn string(&mut self, field: &str, value: Value) -> Option<String> {
        match value {
            Value::String(s) if s.is_empty() => {
                self.error(field, "This field may not be blank.");
                None
            }
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(field, "Not a valid string.");
                None
            }
        }
    }

    /// A required integer (a numeric string counts, as DRF coerces it).
    pub fn require_int(&mut self, field: &str) -> Option<i64> {
        let value = self.require(field)?;
        self.int(field, &value)
    }

    /// An optional integer (absent or null: `None`), at least `min`.
    pub fn optional_int(&mut self, field: &str, min: i64) -> Option<i64> {
        let value = self.get(field)?.clone();
        let n = self.int(field, &value)?;
        if n < min {
            self.error(
                field,
                format!("Ensure this value is greater than or equal to {min}."),
            );
            return None;
        }
        Some(n)
    }

    fn int(&mut self, field: &str, value: &Value) -> Option<i64> {
        let n = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if n.is_none() {
            self.error(field, "A valid integer is required.");
        }
        n
    }

    /// A required string that must be one of `choices`.
    pub fn require_choice(&mut self, field: &str, choices: &[&str]) -> Option<String> {
        let value = self.require_str(field)?;
        self.choice(field, value, choices)
    }

    /// An optional string that must be one of `choices` when given.
    pub fn optional_choice(&mut self, field: &str, choices: &[&str]) -> Option<String> {
        let value = self.optional_str(field)?;
        self.choice(field, value, choices)
    }

    fn choice(&mut self, field: &str, value: String, choices: &[&str]) -> Option<String> {
        if choices.contains(&value.as_str()) {
            Some(value)
        } else {
            self.error(field, format!("\"{value}\" is not a valid choice."));
            None
        }
    }

    /// The declared fields of the body (undeclared keys dropped), or 400 naming every bad
    /// field.
    pub fn finish(self, declared: &[&str]) -> Result<Map<String, Value>, Resp> {
        self.checked(declared)
            .map_err(|errors| json_resp(400, &Value::Object(errors)))
    }

    /// The declared fields, or every recorded error (for a nested serializer's errors).
    pub fn checked(self, declared: &[&str]) -> Result<Map<String, Value>, Map<String, Value>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(self
            .body
            .into_iter()
            .filter(|(k, _)| declared.contains(&k.as_str()))
            .collect())
    }
}

/// Which of a table's three SDK lists a request reads: `sdk/<rows>/`, `sdk/<rows>/data/` or
/// `sdk/<rows>/files/` (tasks, assignments, ground-truth events).
#[derive(Clone, Copy)]
pub(crate) enum ListView {
    /// `sdk/<rows>/`: the row itself.
    Full,
    /// `sdk/<rows>/data/`: `{id, data}`.
    Data,
    /// `sdk/<rows>/files/`: the row's files.
    Files,
}

/// The names of a list of non-empty strings (a body's `tags`, `groups`, …); `None` when
/// `value` is anything else (the caller names the field in its error).
pub(crate) fn non_empty_names(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|n| n.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
        .collect()
}

/// Python's name of a JSON value's type, as DRF's messages print it.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_names_every_bad_field_and_drops_undeclared_keys() {
        let mut form = Form::from_value(json!({"name": "", "count": "x", "kind": "z", "extra": 1}))
            .expect("an object");
        form.require_str("name");
        form.require_int("count");
        form.require_choice("kind", &["a", "b"]);
        form.require("missing");
        let errors = form.checked(&["name"]).expect_err("invalid");
        assert_eq!(
            Value::Object(errors),
            json!({
                "name": ["This field may not be blank."],
                "count": ["A valid integer is required."],
                "kind": ["\"z\" is not a valid choice."],
                "missing": ["This field is required."],
            })
        );

        let mut form =
            Form::from_value(json!({"name": "n", "count": "3", "extra": 1})).expect("an object");
        assert_eq!(form.require_int("count"), Some(3));
        assert_eq!(
            Value::Object(form.checked(&["name", "count"]).expect("valid")),
            json!({"name": "n", "count": "3"})
        );
        assert!(Form::from_value(json!([1])).is_err());
    }
}
