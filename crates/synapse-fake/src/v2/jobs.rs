//! `/v2/jobs/`: the jobs plugin runs start (the same jobs as the v1 routes: one started by a
//! v1 `plugins/{p}/run/` is read here), their status reports, user stops, log entries,
//! console and live console tail.

use http::Method;
use serde_json::{Map, Value, json};

use super::respond::{self, Query};
use crate::jobs::{TailFormat, event_tail, parse_time};
use crate::multipart::parse;
use crate::respond::{Ctx, Form, Resp, type_name};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::{Job, State};

/// Jobs.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "jobs/", |s, c, _| list(s, c)),
    answer(Method::GET, "jobs/{id}/", |s, _, id| retrieve(s, id)),
    answer(Method::PATCH, "jobs/{id}/", |s, c, id| update(s, c, id)),
    answer(Method::POST, "jobs/{id}/stop/", |s, c, id| stop(s, c, id)),
    answer(Method::POST, "jobs/{id}/logs/", |s, c, id| {
        create_log(s, c, id)
    }),
    answer(Method::POST, "jobs/{id}/logs/bulk/", |s, c, id| {
        create_logs(s, c, id)
    }),
    answer(Method::GET, "jobs/{id}/console_logs/", |s, _, id| {
        console_logs(s, id)
    }),
    answer(Method::GET, "jobs/{id}/tail_console_logs/", |s, _, id| {
        respond::stamped(s, event_tail(s, id, TailFormat::Events))
    }),
];

const STATUSES: [&str; 5] = ["PENDING", "RUNNING", "STOPPED", "SUCCEEDED", "FAILED"];

/// The levels of a log entry.
pub(crate) const LEVELS: [&str; 7] = [
    "debug", "info", "success", "warning", "danger", "error", "critical",
];

/// The most entries one bulk log request takes.
const BULK_LIMIT: usize = 1000;

/// Whether a reported status change is allowed: a job that has not ended may move anywhere
/// but back to `PENDING` once running; an ended one only to itself (an idempotent repeat).
fn allowed(from: &str, to: &str) -> bool {
    match from {
        "PENDING" => true,
        "RUNNING" => to != "PENDING",
        _ => from == to,
    }
}

/// A job as `JobV2Detail`: the v1 fields under their v2 names, the release embedded.
fn detail(state: &State, job: &Job) -> Value {
    let v1 = job.to_json();
    let release = job
        .plugin_release
        .and_then(|id| state.releases.get(&id).map(|r| (id, r)))
        .map(|(id, r)| json!({"id": id, "plugin_id": r["plugin"], "version": r["version"]}));
    let object = |key: &str| match &v1[key] {
        Value::Null => json!({}),
        other => other.clone(),
    };
    json!({
        "id": job.id, "status": v1["status"], "action": v1["action"], "params": object("params"),
        "progress_record": object("progress_record"), "metrics_record": object("metrics_record"),
        "result": object("result"), "meta": object("meta"), "queue": v1["queue"],
        "error": v1["error"], "is_active": v1["is_active"],
        "plugin_release_id": job.plugin_release, "plugin_release": release,
        "modified": v1["modified"], "created": v1["created"], "completed": v1["completed"],
    })
}

/// A job as `JobV2List`.
fn summary(job: &Job) -> Value {
    let v1 = job.to_json();
    json!({
        "id": job.id, "status": v1["status"], "action": v1["action"],
        "is_active": v1["is_active"], "queue": v1["queue"], "error": v1["error"],
        "created": v1["created"], "completed": v1["completed"],
    })
}

/// `GET jobs/`: filters `status` and `action`, oldest first.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let status = query.choice("status", &STATUSES);
    let action = query.text("action");
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, &Job)> = state
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| status.is_none_or(|s| j.status() == s))
        .filter(|(_, j)| action.is_none_or(|a| j.action == a))
        .map(|(i, j)| (i64::try_from(i).unwrap_or(i64::MAX), j))
        .collect();
    respond::page(shared, ctx, items, summary)
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match state.job(id) {
        Some(job) => respond::ok(shared, 200, detail(&state, job)),
        None => respond::not_found(shared),
    }
}

/// `PATCH jobs/{id}/` (`status`, `progress_record`, `metrics_record`, `meta`, `result`): a
/// report. A status change the job's state does not allow is a 400 `INVALID_TRANSITION`;
/// the given records replace the job's.
fn update(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let status = form.optional_choice("status", &STATUSES);
    let fields = ["progress_record", "metrics_record", "meta", "result"];
    for field in fields {
        respond::optional_object(&mut form, field);
    }
    let body = match respond::finish(
        shared,
        form,
        &[
            "status",
            "progress_record",
            "metrics_record",
            "meta",
            "result",
        ],
    ) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(job) = state.job(id) else {
        return respond::not_found(shared);
    };
    if let Some(to) = &status {
        let from = job.status().to_owned();
        if !allowed(&from, to) {
            let message = format!("transition {from} -> {to} is not allowed");
            return respond::error(
                shared,
                400,
                "INVALID_TRANSITION",
                &message,
                Some(vec![json!({
                    "field": "status", "message": message,
                    "current_status": from, "requested_status": to,
                })]),
            );
        }
    }
    if dry_run {
        return respond::dry_run_answer(shared, "partial_update", json!(id));
    }
    let Some(job) = state.job_mut(id) else {
        return respond::not_found(shared);
    };
    job.cached = None;
    if let Some(status) = status {
        job.status_override = Some(status);
    }
    for (key, value) in body {
        if key != "status" {
            job.patched.insert(key, value);
        }
    }
    let Some(job) = state.job(id) else {
        return respond::not_found(shared);
    };
    respond::ok(shared, 200, detail(&state, job))
}

/// `POST jobs/{id}/stop/`: the user stops a job that has not ended (it ends `STOPPED`); an
/// ended one is a 409 `INVALID_STATE`.
fn stop(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(job) = state.job(id) else {
        return respond::not_found(shared);
    };
    if job.is_terminal() {
        let status = job.status().to_owned();
        let message = format!("job in status {status} cannot be stopped");
        return respond::error(
            shared,
            409,
            "INVALID_STATE",
            &message,
            Some(vec![json!({
                "field": "status", "message": message, "current_status": status,
            })]),
        );
    }
    if dry_run {
        return respond::dry_run_answer(shared, "stop", json!(id));
    }
    let Some(job) = state.job_mut(id) else {
        return respond::not_found(shared);
    };
    job.stop();
    let Some(job) = state.job(id) else {
        return respond::not_found(shared);
    };
    respond::ok(shared, 200, detail(&state, job))
}

/// `GET jobs/{id}/console_logs/`: `{"logs": [...]}`, the lines written so far.
fn console_logs(shared: &Shared, id: &str) -> Resp {
    match shared.state().job(id) {
        Some(job) => respond::ok(shared, 200, json!({"logs": job.console()})),
        None => respond::not_found(shared),
    }
}

/// Checks one log entry (`JobLogV2CreateRequest`; `file` only when `with_file`): `event`,
/// `data` and `datetime` required, `step` at most 255 characters, `level` one of
/// [`LEVELS`]. Its declared fields, or its errors.
fn check_entry(mut form: Form, with_file: bool) -> Result<Map<String, Value>, Map<String, Value>> {
    respond::require_all(&mut form, &["event", "data", "datetime"]);
    form.optional_str("event");
    respond::optional_text(&mut form, "step", 255, true);
    form.optional_choice("level", &LEVELS);
    if let Some(text) = form.get("datetime").cloned()
        && text.as_str().is_none_or(|t| parse_time(t).is_none())
    {
        form.error(
            "datetime",
            "Datetime has wrong format. Use one of these formats instead: \
             YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
        );
    }
    let declared: &[&str] = if with_file {
        &["event", "step", "level", "data", "datetime", "file"]
    } else {
        &["event", "step", "level", "data", "datetime"]
    };
    form.checked(declared)
}

/// Stores a checked log entry of job `job`; the entry as `JobLogV2Detail`.
fn insert_entry(state: &mut State, job: &str, fields: Map<String, Value>) -> Value {
    let id = state.id();
    let mut entry = fields;
    entry.insert("id".to_owned(), json!(id));
    entry.insert("job".to_owned(), json!(job));
    entry.entry("step").or_insert(json!(""));
    entry.entry("level").or_insert(json!("info"));
    entry.entry("file").or_insert(Value::Null);
    entry.insert(
        "created".to_owned(),
        json!(crate::time::rfc3339(std::time::SystemTime::now())),
    );
    let entry = Value::Object(entry);
    let answer = super::job_logs::detail(&entry);
    state.logs.push(entry);
    answer
}

/// A multipart log entry: its text fields (`data` parsed as JSON), and a `file` part stored
/// in the object store (its presigned URL becomes the entry's `file`).
fn multipart_entry(shared: &Shared, ctx: &Ctx, content_type: &str) -> Option<Value> {
    let parts = parse(content_type, &ctx.body)?;
    let mut fields = Map::new();
    for part in &parts {
        if part.filename.is_some() {
            continue;
        }
        let text = String::from_utf8_lossy(&part.data).into_owned();
        let value = if part.name == "data" {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        } else {
            Value::String(text)
        };
        fields.insert(part.name.clone(), value);
    }
    if let Some(file) = parts
        .iter()
        .find(|p| p.name == "file" && p.filename.is_some())
    {
        let mut state = shared.state();
        let key = format!(
            "job-logs/{}/{}",
            state.uuid(),
            file.filename.clone().unwrap_or_default()
        );
        state.objects.put(
            &key,
            crate::object_store::Object::new(file.data.clone(), None),
        );
        let url = crate::object_store::presigned_url(
            ctx,
            &Method::GET,
            &key,
            std::time::Duration::from_secs(7 * 24 * 3600),
            &[],
        );
        fields.insert("file".to_owned(), json!(url));
    }
    Some(Value::Object(fields))
}

/// `POST jobs/{id}/logs/`: one log entry of the job (JSON, or multipart with a `file`).
fn create_log(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    if shared.state().job(id).is_none() {
        return respond::not_found(shared);
    }
    let content_type = ctx.header("content-type").unwrap_or_default().to_owned();
    let form = if content_type.starts_with("multipart/form-data") {
        match multipart_entry(shared, ctx, &content_type).map(Form::from_value) {
            Some(Ok(form)) => form,
            _ => {
                return respond::error(
                    shared,
                    400,
                    "VALIDATION_ERROR",
                    "Multipart form parse error.",
                    None,
                );
            }
        }
    } else {
        match respond::form(shared, ctx) {
            Ok(form) => form,
            Err(resp) => return resp,
        }
    };
    let fields = match check_entry(form, true) {
        Ok(fields) => fields,
        Err(errors) => return respond::invalid(shared, &errors),
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => respond::dry_run_answer(shared, "create", Value::Null),
        Ok(false) => {
            let entry = insert_entry(&mut shared.state(), id, fields);
            respond::created(shared, entry)
        }
        Err(resp) => resp,
    }
}

/// `POST jobs/{id}/logs/bulk/` `{"logs": [...]}`: every entry created, or none (a 400
/// naming every bad field of every entry; more than 1000 entries is `BULK_SIZE_EXCEEDED`).
fn create_logs(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    if shared.state().job(id).is_none() {
        return respond::not_found(shared);
    }
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut entries = Vec::new();
    match form.require("logs") {
        None => {}
        Some(Value::Array(items)) if items.len() > BULK_LIMIT => {
            let message = format!("bulk batch size {} exceeds limit {BULK_LIMIT}", items.len());
            return respond::error(
                shared,
                400,
                "BULK_SIZE_EXCEEDED",
                &message,
                Some(vec![json!({
                    "field": "logs",
                    "message": format!("received {} items, limit is {BULK_LIMIT}", items.len()),
                    "received": items.len(), "limit": BULK_LIMIT,
                })]),
            );
        }
        Some(Value::Array(items)) if items.is_empty() => {
            form.error("logs", "Ensure this field has at least 1 elements.");
        }
        Some(Value::Array(items)) => {
            let mut errors = Vec::new();
            for item in items {
                let checked = Form::from_value(item.clone())
                    .map_err(|_| {
                        let mut e = Map::new();
                        e.insert(
                            "non_field_errors".to_owned(),
                            json!([format!(
                                "Invalid data. Expected a dictionary, but got {}.",
                                type_name(&item)
                            )]),
                        );
                        e
                    })
                    .and_then(|f| check_entry(f, false));
                match checked {
                    Ok(fields) => {
                        entries.push(fields);
                        errors.push(json!({}));
                    }
                    Err(e) => errors.push(Value::Object(e)),
                }
            }
            if entries.len() < errors.len() {
                form.nested("logs", Value::Array(errors));
            }
        }
        Some(other) => form.error(
            "logs",
            format!(
                "Expected a list of items but got type \"{}\".",
                type_name(&other)
            ),
        ),
    }
    if let Err(resp) = respond::finish(shared, form, &["logs"]) {
        return resp;
    }
    match respond::dry_run(shared, ctx) {
        Ok(true) => respond::dry_run_answer(shared, "bulk_create", Value::Null),
        Ok(false) => {
            let mut state = shared.state();
            let created: Vec<Value> = entries
                .into_iter()
                .map(|fields| insert_entry(&mut state, id, fields))
                .collect();
            respond::created(shared, Value::Array(created))
        }
        Err(resp) => resp,
    }
}
