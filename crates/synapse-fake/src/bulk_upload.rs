//! Bulk (presigned) upload: files reserved in the object store, sent straight to it through
//! presigned URLs (`/_storage/…`, see the object store), then confirmed as data files.
//!
//! - `POST data_files/presigned_upload/upload/` `{"files": [{filename, size, content_type}],
//!   "expiration": N}`: one entry per file, in order, each with its storage `file_key` and
//!   either a `presigned_url` or, for a file larger than
//!   [`FakeConfig::presigned_part_size`](crate::FakeConfig::presigned_part_size), a
//!   `multipart` upload (`upload_id`, `part_size`, one presigned URL per part);
//! - `POST data_files/presigned_upload/confirm_upload/` `{"files": [{file_key, checksum,
//!   size, multipart?}]}`: each file is checked against what storage holds (it must have
//!   been reserved and stored; its size and SHA-1 must match; a multipart upload is
//!   completed from its listed parts and `ETag`s) and registered as a data file under its
//!   checksum. Every file gets a result (`success`, `error`, `data_file_id`, `created`);
//!   a file that fails does not stop the others.
//!
//! A malformed body is a 400 naming every bad field, nested as DRF nests list items
//! (`{"files": [{}, {"size": ["…"]}]}`).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use http::Method;
use serde_json::{Map, Value, json};

use crate::object_store::presigned_url;
use crate::respond::{Ctx, Form, Resp, json_resp, type_name};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::time::rfc3339;

/// The bulk upload routes.
pub(crate) const ROUTES: &[Route] = &[
    answer(
        Method::POST,
        "data_files/presigned_upload/upload/",
        |s, c, _| reserve(s, c),
    ),
    answer(
        Method::POST,
        "data_files/presigned_upload/confirm_upload/",
        |s, c, _| confirm(s, c),
    ),
];

/// How long the data files' own (read) URLs stay valid.
const READ_URL_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Reserved storage keys.
#[derive(Default)]
pub(crate) struct BulkState {
    /// Reservations by storage key.
    reservations: BTreeMap<String, Reservation>,
}

/// One reserved file.
struct Reservation {
    /// The multipart upload id, for a multipart reservation.
    upload_id: Option<String>,
    /// The data file it was confirmed as.
    data_file: Option<i64>,
}

/// A list field of the body, each item an object checked by `check`: the items' declared
/// fields, or the field's errors (DRF's shapes: a message list, or one error object per
/// item with `{}` for a valid one).
fn list_of(
    body: &Map<String, Value>,
    field: &str,
    check: impl Fn(&mut Form) -> Map<String, Value>,
    declared: &[&str],
) -> Result<Vec<Map<String, Value>>, Value> {
    let items = match body.get(field) {
        None => return Err(json!(["This field is required."])),
        Some(Value::Null) => return Err(json!(["This field may not be null."])),
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(json!(["This list may not be empty."]));
        }
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(json!([format!(
                "Expected a list of items but got type \"{}\".",
                type_name(other)
            )]));
        }
    };
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        let checked = match Form::from_value(item.clone()) {
            Ok(mut form) => {
                let nested = check(&mut form);
                match form.checked(declared) {
                    Ok(fields) if nested.is_empty() => Ok(fields),
                    Ok(_) => Err(Value::Object(nested)),
                    Err(mut errors) => {
                        errors.extend(nested);
                        Err(Value::Object(errors))
                    }
                }
            }
            Err(_) => Err(json!({"non_field_errors": [format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(item)
            )]})),
        };
        match checked {
            Ok(fields) => {
                ok.push(fields);
                errors.push(json!({}));
            }
            Err(e) => errors.push(e),
        }
    }
    if ok.len() == items.len() {
        Ok(ok)
    } else {
        Err(Value::Array(errors))
    }
}

/// A required integer of at least `min` (DRF's `min_value`).
fn require_at_least(form: &mut Form, field: &str, min: i64) -> Option<i64> {
    let n = form.require_int(field)?;
    if n < min {
        form.error(
            field,
            format!("Ensure this value is greater than or equal to {min}."),
        );
        return None;
    }
    Some(n)
}

/// `POST data_files/presigned_upload/upload/`.
fn reserve(shared: &Shared, ctx: &Ctx) -> Resp {
    let raw = match form_and_body(ctx) {
        Ok((_, raw)) => raw,
        Err(resp) => return resp,
    };
    match reservation(raw) {
        Ok(r) => json_resp(201, &reserve_checked(shared, ctx, r)),
        Err(errors) => json_resp(400, &Value::Object(errors)),
    }
}

/// A reservation request checked: its expiration (`expiration`, 60 to 86400 seconds,
/// default 3600) and its `files`, or the errors naming every bad field.
pub(crate) fn reservation(body: Map<String, Value>) -> Result<ReserveRequest, Map<String, Value>> {
    let files = check_reserved(&body);
    let mut form = Form::from_value(Value::Object(body)).map_err(|_| Map::new())?;
    let expiration = match form.get("expiration").cloned() {
        None => Some(3600),
        Some(_) => match form.require_int("expiration") {
            Some(n) if n < 60 => {
                form.error(
                    "expiration",
                    "Ensure this value is greater than or equal to 60.",
                );
                None
            }
            Some(n) if n > 86_400 => {
                form.error(
                    "expiration",
                    "Ensure this value is less than or equal to 86400.",
                );
                None
            }
            n => n,
        },
    };
    match (form.checked(&["expiration"]), files) {
        (Ok(_), Ok(files)) => Ok(ReserveRequest {
            expiration: Duration::from_secs(expiration.unwrap_or(3600).unsigned_abs()),
            files,
        }),
        (result, files) => {
            let mut errors = result.err().unwrap_or_default();
            if let Err(e) = files {
                errors.insert("files".into(), e);
            }
            Err(errors)
        }
    }
}

/// A checked reservation request.
pub(crate) struct ReserveRequest {
    /// How long the presigned URLs stay valid.
    expiration: Duration,
    /// The files to reserve (`filename`, `size`, `content_type`).
    files: Vec<Map<String, Value>>,
}

/// Reserves a checked request's files in storage: the answer `{"files": [...],
/// "expires_at"}`, one entry per file, in order.
pub(crate) fn reserve_checked(shared: &Shared, ctx: &Ctx, request: ReserveRequest) -> Value {
    let ReserveRequest { expiration, files } = request;
    let part_size = shared.config.presigned_part_size.max(1);
    let mut state = shared.state();
    let mut entries = Vec::new();
    for file in files {
        let filename = file
            .get("filename")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let size = file
            .get("size")
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
            .unwrap_or(0);
        let uuid = state.uuid();
        let ext = filename
            .rsplit_once('.')
            .map(|(_, e)| format!(".{}", e.to_ascii_lowercase()))
            .unwrap_or_default();
        let hash = uuid.replace('-', "");
        let key = format!(
            "tenants/1/files/{}/{}/{uuid}{ext}",
            &hash[hash.len() - 4..hash.len() - 2],
            &hash[hash.len() - 2..]
        );
        let mut entry = json!({"filename": filename, "file_key": key, "presigned_url": null, "multipart": null});
        let upload_id = if size > part_size {
            let upload_id = state.objects.create_multipart(&key);
            let parts: Vec<Value> = (1..=size.div_ceil(part_size))
                .map(|n| {
                    let n = n.to_string();
                    json!({"part_number": n.parse::<u64>().unwrap_or(0), "presigned_url": presigned_url(
                        ctx, &Method::PUT, &key, expiration, &[("partNumber", &n), ("uploadId", &upload_id)])})
                })
                .collect();
            entry["multipart"] =
                json!({"upload_id": upload_id, "part_size": part_size, "parts": parts});
            Some(upload_id)
        } else {
            entry["presigned_url"] = json!(presigned_url(ctx, &Method::PUT, &key, expiration, &[]));
            None
        };
        state.bulk.reservations.insert(
            key,
            Reservation {
                upload_id,
                data_file: None,
            },
        );
        entries.push(entry);
    }
    json!({"files": entries, "expires_at": rfc3339(SystemTime::now() + expiration)})
}

/// The `files` of a reservation request: `filename`, `size` ≥ 1, `content_type` (a
/// non-blank string, or null).
fn check_reserved(body: &Map<String, Value>) -> Result<Vec<Map<String, Value>>, Value> {
    list_of(
        body,
        "files",
        |form| {
            form.require_str("filename");
            require_at_least(form, "size", 1);
            form.optional_str("content_type");
            Map::new()
        },
        &["filename", "size", "content_type"],
    )
}

/// The `files` of a confirmation: `file_key`, `checksum`, `size` ≥ 1 and, for a multipart
/// upload, `multipart` `{upload_id, parts: [{part_number, etag}]}`.
pub(crate) fn check_confirmed(body: &Map<String, Value>) -> Result<Vec<Map<String, Value>>, Value> {
    list_of(
        body,
        "files",
        |form| {
            form.require_str("file_key");
            form.require_str("checksum");
            require_at_least(form, "size", 1);
            let mut nested = Map::new();
            if let Some(multipart) = form.get("multipart").cloned()
                && let Err(e) = check_multipart(multipart)
            {
                nested.insert("multipart".into(), e);
            }
            nested
        },
        &["file_key", "checksum", "size", "multipart"],
    )
}

/// A confirmation's `multipart`: `upload_id` and a non-empty `parts` list of
/// `{part_number ≥ 1, etag}`; `Err` holds its errors (an object, as DRF nests them).
fn check_multipart(multipart: Value) -> Result<(), Value> {
    let raw = multipart.as_object().cloned().unwrap_or_default();
    let mut form = Form::from_value(multipart).map_err(
        |_| json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    )?;
    form.require_str("upload_id");
    let parts = list_of(
        &raw,
        "parts",
        |part| {
            require_at_least(part, "part_number", 1);
            part.require_str("etag");
            Map::new()
        },
        &["part_number", "etag"],
    );
    match (form.checked(&["upload_id", "parts"]), parts) {
        (Ok(_), Ok(_)) => Ok(()),
        (result, parts) => {
            let mut errors = result.err().unwrap_or_default();
            if let Err(e) = parts {
                errors.insert("parts".into(), e);
            }
            Err(Value::Object(errors))
        }
    }
}

/// The request's body as a [`Form`] and as the object itself, or DRF's 400.
fn form_and_body(ctx: &Ctx) -> Result<(Form, Map<String, Value>), Resp> {
    let form = Form::new(ctx)?;
    let raw = if ctx.body.is_empty() {
        Map::new()
    } else {
        ctx.json()?.as_object().cloned().unwrap_or_default()
    };
    Ok((form, raw))
}

/// `POST data_files/presigned_upload/confirm_upload/`.
fn confirm(shared: &Shared, ctx: &Ctx) -> Resp {
    let raw = match form_and_body(ctx) {
        Ok((_, raw)) => raw,
        Err(resp) => return resp,
    };
    match check_confirmed(&raw) {
        Ok(files) => json_resp(200, &confirm_checked(shared, ctx, files)),
        Err(e) => json_resp(400, &json!({ "files": e })),
    }
}

/// Confirms checked `files`: `{"results": [...], "created_count", "failed_count"}`, a
/// result per file, in order.
pub(crate) fn confirm_checked(shared: &Shared, ctx: &Ctx, files: Vec<Map<String, Value>>) -> Value {
    let mut state = shared.state();
    let mut results = Vec::new();
    for file in files {
        let key = file["file_key"].as_str().unwrap_or_default().to_owned();
        let checksum = file["checksum"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let size = file["size"]
            .as_u64()
            .or_else(|| file["size"].as_str()?.trim().parse().ok())
            .unwrap_or(0);
        let outcome = confirm_one(
            &mut state,
            ctx,
            &key,
            &checksum,
            size,
            file.get("multipart"),
        );
        let mut result = json!({"file_key": key, "checksum": file["checksum"], "data_file_id": null,
                                "success": false, "error": null, "created": false});
        match outcome {
            Ok((id, created)) => {
                result["data_file_id"] = json!(id);
                result["success"] = json!(true);
                result["created"] = json!(created);
            }
            Err(error) => result["error"] = json!(error),
        }
        results.push(result);
    }
    let created = results.iter().filter(|r| r["success"] == true).count();
    let failed = results.len() - created;
    json!({"results": results, "created_count": created, "failed_count": failed})
}

/// Checks one confirmed file against storage and registers it: its data file and whether
/// it is new, or why not.
fn confirm_one(
    state: &mut crate::state::State,
    ctx: &Ctx,
    key: &str,
    checksum: &str,
    size: u64,
    multipart: Option<&Value>,
) -> Result<(i64, bool), String> {
    let Some(reservation) = state.bulk.reservations.get(key) else {
        return Err(format!("Unknown file key {key}: it was never reserved."));
    };
    if let Some(id) = reservation.data_file {
        return Ok((id, false));
    }
    let object = match (multipart, &reservation.upload_id) {
        (Some(m), Some(upload_id)) => {
            if m["upload_id"].as_str() != Some(upload_id) {
                return Err(format!(
                    "NoSuchUpload: {key} was reserved with another upload id."
                ));
            }
            let parts: Vec<(u32, String)> = m["parts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        p["part_number"]
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .unwrap_or(0),
                        p["etag"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            state.objects.complete_multipart(upload_id, key, &parts)?
        }
        (None, Some(_)) => {
            return Err(format!(
                "{key} is a multipart upload: the confirmation needs its parts."
            ));
        }
        (Some(_), None) => {
            return Err(format!(
                "{key} was reserved for a single upload, not a multipart one."
            ));
        }
        (None, None) => match state.objects.get(key) {
            Some(object) => object.clone(),
            None => return Err(format!("File not found in storage: {key}")),
        },
    };
    if object.size != size {
        return Err(format!(
            "Size mismatch: storage holds {} bytes, {size} were confirmed.",
            object.size
        ));
    }
    if !object.sha1.is_empty() && object.sha1 != checksum {
        return Err(format!(
            "Checksum mismatch: the stored content's SHA-1 is {}.",
            object.sha1
        ));
    }
    let url = presigned_url(ctx, &Method::GET, key, READ_URL_LIFETIME, &[]);
    let (id, created) = state.data.register_file(checksum, size, url);
    if let Some(r) = state.bulk.reservations.get_mut(key) {
        r.data_file = Some(id);
    }
    Ok((id, created))
}
