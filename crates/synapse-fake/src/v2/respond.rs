//! How the v2 API answers: the `{data, meta}` envelope (or the bare shape,
//! [`FakeConfig::v2_shape`](crate::FakeConfig::v2_shape)), a request id on every answer (in
//! `meta.request_id` and the `X-Request-ID` header), cursor pages, and the v2 error body
//! `{"error": {"code", "message", "details"}, "meta": {"request_id"}}`.

use std::sync::atomic::Ordering;

use base64::Engine;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::multipart::{FormPart, parse};
use crate::respond::{Ctx, Form, Resp, full, json_resp, type_name};
use crate::server::{Shared, V2Shape};

/// The response header that carries the request id.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// Items per cursor page when the request gives no `per_page` (the platform's examples
/// show 50).
pub(crate) const DEFAULT_PER_PAGE: usize = 50;

/// A new request id: `req_` and twelve hex digits, unique per fake.
pub(crate) fn request_id(shared: &Shared) -> String {
    let n = shared.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
    format!("req_{n:012x}")
}

/// `resp` with the request id header set.
fn with_id(mut resp: Resp, id: &str) -> Resp {
    if let Ok(value) = HeaderValue::from_str(id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    resp
}

/// A successful answer carrying `data`: enveloped, or bare in the plain shape.
pub(crate) fn ok(shared: &Shared, status: u16, data: Value) -> Resp {
    let id = request_id(shared);
    let body = match shared.config.v2_shape {
        V2Shape::Plain => data,
        _ => json!({"data": data, "meta": {"request_id": id}}),
    };
    with_id(json_resp(status, &body), &id)
}

/// 201 with the created object.
pub(crate) fn created(shared: &Shared, data: Value) -> Resp {
    ok(shared, 201, data)
}

/// An answer without a body (204 after a delete; the body-less 200 and 201 of some
/// actions), with its request id in the header.
pub(crate) fn empty(shared: &Shared, status: u16) -> Resp {
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    with_id(resp, &request_id(shared))
}

/// Stamps a streamed answer (server-sent events) with a request id.
pub(crate) fn stamped(shared: &Shared, resp: Resp) -> Resp {
    with_id(resp, &request_id(shared))
}

/// The v2 error body with `status`.
pub(crate) fn error(
    shared: &Shared,
    status: u16,
    code: &str,
    message: &str,
    details: Option<Vec<Value>>,
) -> Resp {
    let id = request_id(shared);
    let body = json!({
        "error": {"code": code, "message": message, "details": details},
        "meta": {"request_id": id},
    });
    with_id(json_resp(status, &body), &id)
}

/// 404 `NOT_FOUND`.
pub(crate) fn not_found(shared: &Shared) -> Resp {
    error(shared, 404, "NOT_FOUND", "Not found.", None)
}

/// 409 `CONFLICT`, naming the field whose value conflicts.
pub(crate) fn conflict(shared: &Shared, field: &str, message: &str) -> Resp {
    error(
        shared,
        409,
        "CONFLICT",
        message,
        Some(vec![json!({"field": field, "message": message})]),
    )
}

/// 400 `VALIDATION_ERROR` from DRF-style field errors (`{"field": ["message"], "list":
/// [{}, {"sub": ["message"]}]}`): one detail per message, each naming its field
/// (`list[1].sub` for a nested one); the message names every bad top-level field.
pub(crate) fn invalid(shared: &Shared, errors: &Map<String, Value>) -> Resp {
    let mut details = Vec::new();
    for (field, value) in errors {
        flatten(field, value, &mut details);
    }
    let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
    let message = format!("Invalid input: {}.", fields.join(", "));
    error(shared, 400, "VALIDATION_ERROR", &message, Some(details))
}

/// 400 `VALIDATION_ERROR` naming one field.
pub(crate) fn invalid_field(shared: &Shared, field: &str, message: &str) -> Resp {
    let mut errors = Map::new();
    errors.insert(field.to_owned(), json!([message]));
    invalid(shared, &errors)
}

/// Appends one `{field, message}` per message of a DRF error value.
fn flatten(path: &str, value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::String(message) => out.push(json!({"field": path, "message": message})),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(message) => {
                        out.push(json!({"field": path, "message": message}));
                    }
                    Value::Object(map) => {
                        for (key, value) in map {
                            flatten(&format!("{path}[{i}].{key}"), value, out);
                        }
                    }
                    other => flatten(&format!("{path}[{i}]"), other, out),
                }
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                flatten(&format!("{path}.{key}"), value, out);
            }
        }
        _ => {}
    }
}

/// The request's JSON body as an object (an empty body is `{}`), or a 400 for a body that
/// is not a JSON object.
pub(crate) fn json_object(shared: &Shared, ctx: &Ctx) -> Result<Map<String, Value>, Resp> {
    if ctx.body.is_empty() {
        return Ok(Map::new());
    }
    let value: Value = serde_json::from_slice(&ctx.body).map_err(|e| {
        error(
            shared,
            400,
            "VALIDATION_ERROR",
            &format!("JSON parse error - {e}"),
            None,
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(invalid_field(
            shared,
            "non_field_errors",
            &format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(&other)
            ),
        )),
    }
}

/// The request's JSON body as a [`Form`], or a 400 for a body that is not a JSON object.
pub(crate) fn form(shared: &Shared, ctx: &Ctx) -> Result<Form, Resp> {
    json_object(shared, ctx).and_then(|body| into_form(shared, body))
}

/// An object as a [`Form`].
pub(crate) fn into_form(shared: &Shared, body: Map<String, Value>) -> Result<Form, Resp> {
    Form::from_value(Value::Object(body))
        .map_err(|_| error(shared, 400, "VALIDATION_ERROR", "Expected an object.", None))
}

/// The request's body as an object whatever its content type (JSON, URL-encoded or
/// multipart form data, whose values are text: see [`coerce`]), with the multipart body's
/// file parts.
pub(crate) fn body_with_files(
    shared: &Shared,
    ctx: &Ctx,
) -> Result<(Map<String, Value>, Vec<FormPart>), Resp> {
    let content_type = ctx.header("content-type").unwrap_or_default().to_owned();
    if content_type.starts_with("multipart/form-data") {
        let parts = parse(&content_type, &ctx.body).ok_or_else(|| {
            error(
                shared,
                400,
                "VALIDATION_ERROR",
                "Multipart form parse error.",
                None,
            )
        })?;
        let mut fields = Map::new();
        let mut files = Vec::new();
        for part in parts {
            if part.filename.is_some() {
                files.push(part);
            } else {
                let text = String::from_utf8_lossy(&part.data).into_owned();
                fields.insert(part.name, Value::String(text));
            }
        }
        Ok((fields, files))
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let fields = url::form_urlencoded::parse(&ctx.body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Ok((fields, Vec::new()))
    } else {
        json_object(shared, ctx).map(|body| (body, Vec::new()))
    }
}

/// Form values read as the fields' types, as Django REST Framework's fields read text: each
/// of `flags` from `true`/`false` (any case) or `1`/`0`, each of `structured` (lists and
/// objects) from its JSON text. Values of other types are left for the checks to name.
pub(crate) fn coerce(body: &mut Map<String, Value>, flags: &[&str], structured: &[&str]) {
    for (key, value) in body.iter_mut() {
        let Value::String(text) = value else {
            continue;
        };
        if flags.contains(&key.as_str()) {
            match text.to_ascii_lowercase().as_str() {
                "true" | "1" => *value = Value::Bool(true),
                "false" | "0" => *value = Value::Bool(false),
                _ => {}
            }
        } else if structured.contains(&key.as_str())
            && let Ok(parsed @ (Value::Array(_) | Value::Object(_))) =
                serde_json::from_str::<Value>(text)
        {
            *value = parsed;
        }
    }
}

/// The form's declared fields, or a 400 naming every bad field.
pub(crate) fn finish(
    shared: &Shared,
    form: Form,
    declared: &[&str],
) -> Result<Map<String, Value>, Resp> {
    form.checked(declared).map_err(|e| invalid(shared, &e))
}

/// An optional boolean field: records DRF's error for any other value.
pub(crate) fn optional_bool(form: &mut Form, field: &str) -> Option<bool> {
    let value = form.get(field)?.clone();
    match value {
        Value::Bool(b) => Some(b),
        _ => {
            form.error(field, "Must be a valid boolean.");
            None
        }
    }
}

/// An optional object field (a JSON object): records DRF's error for any other value.
pub(crate) fn optional_object(form: &mut Form, field: &str) -> Option<Value> {
    let value = form.get(field)?.clone();
    if value.is_object() {
        Some(value)
    } else {
        form.error(
            field,
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(&value)
            ),
        );
        None
    }
}

/// An optional string of at most `max` characters (blank allowed when `blank`).
pub(crate) fn optional_text(
    form: &mut Form,
    field: &str,
    max: usize,
    blank: bool,
) -> Option<String> {
    if blank && form.get(field).and_then(Value::as_str) == Some("") {
        return Some(String::new());
    }
    let text = form.optional_str(field)?;
    if text.chars().count() > max {
        form.error(
            field,
            format!("Ensure this field has no more than {max} characters."),
        );
        return None;
    }
    Some(text)
}

/// Requires each of `fields` (for a create or a full update).
pub(crate) fn require_all(form: &mut Form, fields: &[&str]) {
    for field in fields {
        if form.get(field).is_none() {
            form.require(field);
        }
    }
}

/// An integer path value (anything else matches no row).
pub(crate) fn int_id(value: &str) -> Option<i64> {
    value.parse().ok()
}

/// The two values of a two-parameter path (`7/12`).
pub(crate) fn pair(value: &str) -> Option<(&str, &str)> {
    value.split_once('/')
}

/// Query parameters checked as django-filter checks them: every bad one is named in one
/// 400.
pub(crate) struct Query<'a> {
    ctx: &'a Ctx,
    errors: Map<String, Value>,
}

impl<'a> Query<'a> {
    /// Starts checking `ctx`'s query.
    pub fn new(ctx: &'a Ctx) -> Self {
        Query {
            ctx,
            errors: Map::new(),
        }
    }

    fn bad(&mut self, key: &str, message: String) {
        self.errors.insert(key.to_owned(), json!([message]));
    }

    /// A text filter.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.ctx.q(key)
    }

    /// An integer filter.
    pub fn int(&mut self, key: &str) -> Option<i64> {
        let value = self.ctx.q(key)?;
        match value.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.bad(key, "Enter a number.".to_owned());
                None
            }
        }
    }

    /// A boolean filter: `true`/`false` in any case, or `1`/`0`.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let value = self.ctx.q(key)?;
        match value.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.bad(key, format!("\"{value}\" is not a valid boolean."));
                None
            }
        }
    }

    /// A filter whose value must be one of `choices`.
    pub fn choice(&mut self, key: &str, choices: &[&str]) -> Option<&'a str> {
        let value = self.ctx.q(key)?;
        if choices.contains(&value) {
            Some(value)
        } else {
            self.bad(
                key,
                format!("Select a valid choice. {value} is not one of the available choices."),
            );
            None
        }
    }

    /// `Ok` when every filter was good, else a 400 naming every bad one.
    pub fn finish(self, shared: &Shared) -> Result<(), Resp> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(invalid(shared, &self.errors))
        }
    }
}

/// Whether the request only validates (`?dry_run=true`), or a 400 for a value that is not
/// a boolean.
pub(crate) fn dry_run(shared: &Shared, ctx: &Ctx) -> Result<bool, Resp> {
    let mut query = Query::new(ctx);
    let value = query.boolean("dry_run");
    query.finish(shared)?;
    Ok(value.unwrap_or(false))
}

/// The answer to a request that passed validation under `?dry_run=true`: nothing changed.
pub(crate) fn dry_run_answer(shared: &Shared, action: &str, target: Value) -> Resp {
    ok(
        shared,
        200,
        json!({"dry_run": true, "action": action, "target": target}),
    )
}

/// A cursor token: `p=<key>` (items after the key) or `r=1&p=<key>` (the page before it),
/// base64-encoded, as Django REST Framework's cursor pagination spells them.
fn encode_cursor(reverse: bool, key: i64) -> String {
    let raw = if reverse {
        format!("r=1&p={key}")
    } else {
        format!("p={key}")
    };
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// A cursor token decoded: `(reverse, key)`.
fn decode_cursor(token: &str) -> Option<(bool, i64)> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let mut reverse = false;
    let mut key = None;
    for pair in raw.split('&') {
        match pair.split_once('=')? {
            ("r", "1") => reverse = true,
            ("r", "0") => {}
            ("p", p) => key = Some(p.parse().ok()?),
            _ => return None,
        }
    }
    Some((reverse, key?))
}

/// The request's URL with `cursor` set to `token` (other parameters kept, in order).
fn cursor_link(ctx: &Ctx, token: &str) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    let mut replaced = false;
    for (k, v) in &ctx.query {
        if k == "cursor" {
            if !replaced {
                url.append_pair("cursor", token);
                replaced = true;
            }
        } else {
            url.append_pair(k, v);
        }
    }
    if !replaced {
        url.append_pair("cursor", token);
    }
    format!("{}{}?{}", ctx.origin, ctx.path, url.finish())
}

/// One cursor page of `items` (ordered by their integer key, ascending): `per_page` (default
/// [`DEFAULT_PER_PAGE`]) items after the request's `cursor`, with the cursors of the next and
/// previous pages when there are such pages. A cursor that does not decode is a 404
/// (`Invalid cursor`), as Django REST Framework answers.
pub(crate) fn page<T>(
    shared: &Shared,
    ctx: &Ctx,
    items: Vec<(i64, T)>,
    render: impl Fn(T) -> Value,
) -> Resp {
    let per_page = ctx
        .q("per_page")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_PER_PAGE);
    let position = match ctx.q("cursor") {
        None => None,
        Some(token) => match decode_cursor(token) {
            Some(position) => Some(position),
            None => return error(shared, 404, "NOT_FOUND", "Invalid cursor", None),
        },
    };
    let keys: Vec<i64> = items.iter().map(|(k, _)| *k).collect();
    // The range of `items` this page covers.
    let (start, end) = match position {
        None => (0, per_page.min(keys.len())),
        Some((false, after)) => {
            let start = keys.partition_point(|k| *k <= after);
            (start, (start + per_page).min(keys.len()))
        }
        Some((true, before)) => {
            let end = keys.partition_point(|k| *k < before);
            (end.saturating_sub(per_page), end)
        }
    };
    // The next page starts after this page's last item (after the key just before the
    // first item, for an empty page before it); the previous one ends before this page's
    // first item (before the key just after the last item, for an empty page after it).
    let next = match end.checked_sub(1).and_then(|last| keys.get(last)) {
        _ if end >= keys.len() => None,
        Some(last) => Some(encode_cursor(false, *last)),
        None => keys.first().map(|first| encode_cursor(false, first - 1)),
    };
    let previous = match keys.get(start) {
        _ if start == 0 => None,
        Some(first) => Some(encode_cursor(true, *first)),
        None => keys.last().map(|last| encode_cursor(true, last + 1)),
    };
    let results: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|(_, item)| render(item))
        .collect();
    let id = request_id(shared);
    let body = match shared.config.v2_shape {
        V2Shape::Plain => json!({
            "next": next.as_deref().map(|t| cursor_link(ctx, t)),
            "previous": previous.as_deref().map(|t| cursor_link(ctx, t)),
            "results": results,
        }),
        _ => json!({
            "data": results,
            "meta": {"request_id": id, "pagination": {
                "next_cursor": next, "previous_cursor": previous, "per_page": per_page,
            }},
        }),
    };
    with_id(json_resp(200, &body), &id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_read_as_drf_spells_them() {
        assert_eq!(encode_cursor(false, 2), "cD0y");
        assert_eq!(decode_cursor("cD0y"), Some((false, 2)));
        assert_eq!(decode_cursor(&encode_cursor(true, 41)), Some((true, 41)));
        for bad in ["", "!!", "cD14", "eD0y"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn drf_errors_flatten_to_one_detail_per_message() {
        let mut out = Vec::new();
        flatten(
            "files",
            &json!([{}, {"size": ["too small", "not a number"]}]),
            &mut out,
        );
        flatten("title", &json!(["This field is required."]), &mut out);
        assert_eq!(
            out,
            vec![
                json!({"field": "files[1].size", "message": "too small"}),
                json!({"field": "files[1].size", "message": "not a number"}),
                json!({"field": "title", "message": "This field is required."}),
            ]
        );
    }
}
