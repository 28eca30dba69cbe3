//! Uploads: plugin-release archives (multipart) and the chunked-upload protocol
//! (drf-chunked-upload's requests, answers and errors).

use std::time::SystemTime;

use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use crate::multipart::{Event, FormPart, StreamParser, parse};
use crate::respond::{Ctx, Form, Resp, detail, json_resp, not_found};
use crate::routes::Streamed;
use crate::server::Shared;
use crate::state::{State, Upload};
use crate::time::rfc3339;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(parts: &[FormPart], name: &str) -> Option<String> {
    parts
        .iter()
        .find(|p| p.name == name && p.filename.is_none())
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
}

/// `POST plugin_releases/`: JSON `{plugin, version, config?, requirements?, debug}` or the
/// same fields as multipart parts plus a `file` archive (its size and MD5 are recorded).
pub(crate) fn create_release(shared: &Shared, ctx: &Ctx) -> Resp {
    let content_type = ctx.header("content-type").unwrap_or_default().to_owned();
    let (form, archive) = if content_type.starts_with("multipart/form-data") {
        let Some(parts) = parse(&content_type, &ctx.body) else {
            return detail(400, "Multipart form parse error.");
        };
        let mut fields = Map::new();
        for name in ["plugin", "version"] {
            if let Some(value) = text(&parts, name) {
                fields.insert(name.to_owned(), json!(value));
            }
        }
        let config = text(&parts, "config").map(|c| serde_json::from_str::<Value>(&c));
        if let Some(Ok(config)) = &config {
            fields.insert("config".to_owned(), config.clone());
        }
        let requirements: Vec<Value> = parts
            .iter()
            .filter(|p| p.name == "requirements")
            .map(|p| json!(String::from_utf8_lossy(&p.data)))
            .collect();
        if !requirements.is_empty() {
            fields.insert("requirements".to_owned(), json!(requirements));
        }
        if let Some(debug) = text(&parts, "debug") {
            let value = match debug.as_str() {
                "True" | "true" | "1" => json!(true),
                "False" | "false" | "0" => json!(false),
                _ => json!(debug),
            };
            fields.insert("debug".to_owned(), value);
        }
        let archive = parts.iter().find(|p| p.name == "file").map(|p| {
            json!({"filename": p.filename, "size": p.data.len(), "md5": hex(&Md5::digest(&p.data))})
        });
        let Ok(mut form) = Form::from_value(Value::Object(fields)) else {
            return detail(400, "Multipart form parse error.");
        };
        if matches!(config, Some(Err(_))) {
            form.error("config", "Value must be valid JSON.");
        }
        (form, archive)
    } else {
        match Form::new(ctx) {
            Ok(form) => (form, None),
            Err(resp) => return resp,
        }
    };
    let mut state = shared.state();
    match release_form(&state, form, &[], &[]) {
        Ok(body) => json_resp(201, &insert_release(&mut state, body, archive)),
        Err(errors) => json_resp(400, &Value::Object(errors)),
    }
}

/// The fields of a release create body.
const RELEASE_FIELDS: [&str; 5] = ["plugin", "version", "config", "requirements", "debug"];

/// A release create body checked: `plugin` (the code of a stored plugin or of one in
/// `pending_plugins`) and `version` required, `config` an object, `requirements` a list of
/// strings, `debug` a boolean, and no other release of the plugin with this version (stored
/// or in `pending`). Its declared fields, or every error.
pub(crate) fn release_form(
    state: &State,
    mut form: Form,
    pending_plugins: &[String],
    pending: &[(String, String)],
) -> Result<Map<String, Value>, Map<String, Value>> {
    let plugin = form.require_str("plugin");
    if let Some(code) = &plugin
        && state.plugin_by_ref(code).is_none()
        && !pending_plugins.contains(code)
    {
        form.error("plugin", format!("Object with code={code} does not exist."));
    }
    let version = form.require_str("version");
    if form.get("config").is_some_and(|c| !c.is_object()) {
        form.error("config", "Expected a dictionary of items.");
    }
    if form
        .get("requirements")
        .is_some_and(|r| r.as_array().is_none_or(|a| !a.iter().all(Value::is_string)))
    {
        form.error("requirements", "Expected a list of strings.");
    }
    if form.get("debug").is_some_and(|d| !d.is_boolean()) {
        form.error("debug", "Must be a valid boolean.");
    }
    if let (Some(code), Some(version)) = (plugin, version)
        && (state
            .release_by_lookup(&format!("{code}@{version}"))
            .is_some()
            || pending.contains(&(code.clone(), version.clone())))
    {
        form.error(
            "non_field_errors",
            "Plugin release with this Plugin and Version already exists.",
        );
    }
    form.checked(&RELEASE_FIELDS)
}

/// Stores a checked release body (with its archive's facts, if uploaded); returns the release.
pub(crate) fn insert_release(
    state: &mut State,
    body: Map<String, Value>,
    archive: Option<Value>,
) -> Value {
    let code = body
        .get("plugin")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let plugin_id = state.plugin_by_ref(code).map(|(id, _)| id).unwrap_or(0);
    let id = state.id();
    let config = body.get("config").cloned().unwrap_or(Value::Null);
    let actions: Vec<Value> = config["actions"]
        .as_object()
        .map(|a| a.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    let release = json!({
        "id": id, "plugin": plugin_id, "plugin_id": plugin_id, "version": body.get("version"),
        "config": config, "requirements": body.get("requirements").cloned().unwrap_or(json!([])),
        "debug": body.get("debug").cloned().unwrap_or(json!(false)),
        "available_actions": actions, "is_released": true, "archive": archive,
        "created": rfc3339(SystemTime::now()),
    });
    state.releases.insert(id, release.clone());
    release
}

fn upload_json(ctx: &Ctx, u: &Upload) -> Value {
    let url = ctx.absolute(&format!("/chunked_upload/{}/", u.id));
    json!({
        "id": u.id, "url": url, "file": ctx.absolute(&format!("/media/chunked_uploads/{}.part", u.id)),
        "filename": u.filename, "offset": u.offset, "created_at": rfc3339(u.created_at),
        "status": if u.completed.is_some() { 2 } else { 1 },
        "completed_at": u.completed.as_ref().map(|(t, _)| rfc3339(*t)),
    })
}

/// Parses `bytes a-b/total`.
fn content_range(value: &str) -> Option<(u64, u64, u64)> {
    let rest = value.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?, total.parse().ok()?))
}

/// `POST chunked_upload/{id}/` with `{"md5": …}`: verifies and completes the upload.
pub(crate) fn finalize(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let body = ctx.json().unwrap_or(Value::Null);
    let Some(md5) = body.get("md5").and_then(Value::as_str) else {
        return detail(400, "Checksum of type 'md5' is required");
    };
    let mut state = shared.state();
    let Some(upload) = state.uploads.get_mut(id) else {
        return not_found();
    };
    if upload.completed.is_some() {
        return detail(400, "Upload has already been marked as \"complete\"");
    }
    let actual = hex(&upload.hasher.clone().finalize());
    if !actual.eq_ignore_ascii_case(md5) {
        return detail(400, "checksum does not match");
    }
    upload.completed = Some((SystemTime::now(), actual.clone()));
    let mut v = upload_json(ctx, upload);
    v["checksum"] = json!(actual);
    v["size"] = json!(upload.offset);
    json_resp(200, &v)
}

/// `GET chunked_upload/{id}/`.
pub(crate) fn get_upload(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    match shared.state().uploads.get(id) {
        Some(u) => json_resp(200, &upload_json(ctx, u)),
        None => not_found(),
    }
}

/// `PUT` bodies that stream: chunk uploads (`chunked_upload/`, `chunked_upload/{id}/`, `id`
/// empty for a new upload) and the benchmark's raw upload (`bench/raw_upload/`), hashed frame
/// by frame.
pub(crate) async fn streamed(
    shared: &Shared,
    ctx: &Ctx,
    kind: Streamed,
    id: &str,
    body: hyper::body::Incoming,
) -> Resp {
    match kind {
        Streamed::RawUpload => raw_upload(body).await,
        Streamed::Chunk => put_chunk(shared, ctx, (!id.is_empty()).then_some(id), body).await,
    }
}

/// `PUT bench/raw_upload/`: the body's size and MD5.
async fn raw_upload(mut body: hyper::body::Incoming) -> Resp {
    use http_body_util::BodyExt;
    let mut hasher = Md5::new();
    let mut size = 0u64;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return detail(400, "The upload was cut short.");
        };
        if let Some(data) = frame.data_ref() {
            hasher.update(data);
            size += data.len() as u64;
        }
    }
    json_resp(200, &json!({"size": size, "md5": hex(&hasher.finalize())}))
}

/// `PUT chunked_upload/` (a new upload) or `chunked_upload/{id}/`: one multipart chunk.
async fn put_chunk(
    shared: &Shared,
    ctx: &Ctx,
    id: Option<&str>,
    mut body: hyper::body::Incoming,
) -> Resp {
    use http_body_util::BodyExt;

    let Some((start, end, total)) = ctx.header("content-range").and_then(content_range) else {
        return detail(400, "Error in request headers");
    };
    // Where the upload stands now (a new upload starts at 0).
    let (mut hasher, offset, keep) = match id {
        None => (Md5::new(), 0, total <= crate::object_store::KEPT_BYTES),
        Some(id) => {
            let state = shared.state();
            let Some(u) = state.uploads.get(id) else {
                return not_found();
            };
            if u.completed.is_some() {
                return detail(400, "Upload has already been marked as \"complete\"");
            }
            (u.hasher.clone(), u.offset, u.content.is_some())
        }
    };
    let mut kept = Vec::new();
    if start != offset {
        return json_resp(
            400,
            &json!({"detail": "Offsets do not match", "offset": offset}),
        );
    }
    let Some(mut parser) = StreamParser::new(ctx.header("content-type").unwrap_or_default()) else {
        return detail(400, "No chunk file was submitted");
    };
    let mut current = String::new();
    let mut filename = String::new();
    let mut size = 0u64;
    let mut saw_file = false;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return detail(400, "The chunk was cut short.");
        };
        let Some(data) = frame.data_ref() else {
            continue;
        };
        let ok = parser.feed(data, &mut |e| match e {
            Event::Part { name, .. } => {
                saw_file |= name == "file";
                current = name;
            }
            Event::Data(d) if current == "file" => {
                hasher.update(&d);
                size += d.len() as u64;
                if keep {
                    kept.extend_from_slice(&d);
                }
            }
            Event::Data(d) if current == "filename" => {
                filename.push_str(&String::from_utf8_lossy(&d));
            }
            Event::Data(_) => {}
        });
        if ok.is_none() {
            return detail(400, "Multipart form parse error.");
        }
    }
    if !parser.is_done() || !saw_file {
        return detail(400, "No chunk file was submitted");
    }
    if end < start || size != end - start + 1 {
        return detail(
            400,
            &format!(
                "File size doesn't match headers: file size is {size} but {} reported",
                end.saturating_sub(start) + 1
            ),
        );
    }
    if end >= total {
        return detail(
            400,
            &format!("End of chunk exceeds reported total ({total} bytes)"),
        );
    }
    let mut state = shared.state();
    let id = match id {
        Some(id) => id.to_owned(),
        None => {
            let id = state.uuid();
            state.uploads.insert(
                id.clone(),
                Upload {
                    id: id.clone(),
                    filename: if filename.is_empty() {
                        "file".to_owned()
                    } else {
                        filename
                    },
                    offset: 0,
                    total,
                    hasher: Md5::new(),
                    created_at: SystemTime::now(),
                    completed: None,
                    content: keep.then(Vec::new),
                },
            );
            id
        }
    };
    let Some(upload) = state.uploads.get_mut(&id) else {
        return not_found();
    };
    if upload.offset != offset {
        return json_resp(
            400,
            &json!({"detail": "Offsets do not match", "offset": upload.offset}),
        );
    }
    upload.hasher = hasher;
    upload.offset = offset + size;
    if let Some(content) = &mut upload.content {
        content.extend_from_slice(&kept);
    }
    upload.total = total;
    json_resp(200, &upload_json(ctx, upload))
}
