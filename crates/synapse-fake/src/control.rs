//! The control plane under `/_fake/`: start-up facts, faults, seeding, the tenant requirement,
//! the request log and its counters. No credentials, never faulted, never logged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{Map, Value, json};

use crate::faults::{Fault, FaultAction};
use crate::respond::{Ctx, Form, Resp, detail, json_resp, no_content, not_found};
use crate::server::Shared;
use crate::state::{Job, State};

/// The path segment every control route starts with.
const PREFIX: &str = "_fake";

/// The length of each console line of a seeded `log_job`, newline included.
pub(crate) const LOG_LINE_LEN: usize = 100;

/// The fault actions, as `POST /_fake/faults` names them.
const ACTIONS: [&str; 5] = [
    "status",
    "delay",
    "drop_before_read",
    "drop_after_read",
    "truncate",
];

/// Whether `path` is a control-plane path (`/_fake` or under `/_fake/`).
pub(crate) fn is_control(path: &str) -> bool {
    path.strip_prefix('/')
        .and_then(|p| p.strip_prefix(PREFIX))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The control plane's base URL (`http://<addr>/_fake/`).
pub(crate) fn control_url(shared: &Shared) -> String {
    format!("{}{PREFIX}/", shared.url())
}

/// Answers a control-plane request (a trailing slash is optional on every path).
pub(crate) async fn handle(shared: &Arc<Shared>, mut ctx: Ctx, body: Incoming) -> Resp {
    ctx.body = match body.collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return detail(400, "The request body was cut short."),
    };
    let rest: Vec<&str> = ctx.segments.iter().skip(1).map(String::as_str).collect();
    let m = &ctx.method;
    match rest.as_slice() {
        [] if m == Method::GET => json_resp(200, &facts(shared)),
        [] => not_allowed(m, "GET"),
        ["faults"] if m == Method::GET => {
            let faults: Vec<Value> = shared.faults().iter().map(fault_json).collect();
            json_resp(200, &json!(faults))
        }
        ["faults"] if m == Method::POST => match parse_fault(&ctx) {
            Ok(fault) => {
                let stored = fault_json(&fault);
                shared.faults().push(fault);
                json_resp(201, &stored)
            }
            Err(resp) => resp,
        },
        ["faults"] if m == Method::DELETE => {
            shared.faults().clear();
            no_content()
        }
        ["faults"] => not_allowed(m, "GET, POST, DELETE"),
        ["seed"] if m == Method::POST => match body_value(&ctx)
            .and_then(|b| seed(shared, b).map_err(|errors| json_resp(400, &errors)))
        {
            Ok(created) => json_resp(201, &created),
            Err(resp) => resp,
        },
        ["seed"] => not_allowed(m, "POST"),
        ["tenant"] if m == Method::GET => json_resp(200, &json!({"tenant": shared.tenant()})),
        ["tenant"] if m == Method::PUT => put_tenant(shared, &ctx),
        ["tenant"] => not_allowed(m, "GET, PUT"),
        ["calls"] if m == Method::GET => {
            let calls: Vec<Value> = shared
                .calls()
                .iter()
                .map(|c| json!({"method": c.recorded.method.as_str(), "path": c.recorded.path_and_query}))
                .collect();
            json_resp(200, &json!(calls))
        }
        ["calls"] if m == Method::DELETE => {
            shared.calls().clear();
            no_content()
        }
        ["calls"] => not_allowed(m, "GET, DELETE"),
        ["counters"] if m == Method::GET => {
            let mut counters: BTreeMap<String, u64> = BTreeMap::new();
            for call in shared.calls().iter() {
                *counters.entry(call.route.clone()).or_default() += 1;
            }
            json_resp(200, &json!(counters))
        }
        ["counters"] => not_allowed(m, "GET"),
        _ => not_found(),
    }
}

/// DRF's 405 with the methods the path allows.
fn not_allowed(method: &Method, allow: &'static str) -> Resp {
    let mut resp = detail(405, &format!("Method \"{method}\" not allowed."));
    resp.headers_mut()
        .insert(http::header::ALLOW, http::HeaderValue::from_static(allow));
    resp
}

/// `GET /_fake/`: where everything is and the credentials.
fn facts(shared: &Shared) -> Value {
    json!({
        "backend_url": shared.url(),
        "agent_url": format!("{}agent/", shared.url()),
        "control_url": control_url(shared),
        "access_token": shared.config.access_token,
        "agent_token": shared.config.agent_token,
        "tenant": shared.tenant(),
    })
}

/// `PUT /_fake/tenant` `{"tenant": "acme"}` (or `null`).
fn put_tenant(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    if !ctx_has_key(ctx, "tenant") {
        form.require("tenant");
    }
    let tenant = form.optional_str("tenant");
    if let Err(resp) = form.finish(&["tenant"]) {
        return resp;
    }
    shared.set_tenant(tenant.clone());
    json_resp(200, &json!({ "tenant": tenant }))
}

/// Whether the JSON object body has `key` (null included).
fn ctx_has_key(ctx: &Ctx, key: &str) -> bool {
    serde_json::from_slice::<Value>(&ctx.body)
        .ok()
        .and_then(|v| v.get(key).map(|_| ()))
        .is_some()
}

/// A fault from its JSON form, or 400 naming every bad field.
fn parse_fault(ctx: &Ctx) -> Result<Fault, Resp> {
    let mut form = Form::new(ctx)?;
    let action = form.require_choice("action", &ACTIONS);
    let method = form.optional_str("method").and_then(|m| {
        let method = Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok();
        if method.is_none() {
            form.error("method", format!("\"{m}\" is not an HTTP method."));
        }
        method
    });
    let path = form.optional_str("path");
    let times = form.optional_int("times", 1).unwrap_or(1);
    let status = form.optional_int("status", 100);
    if status.is_some_and(|s| s > 599) {
        form.error("status", "Ensure this value is less than or equal to 599.");
    }
    let retry_after = form.optional_str("retry_after");
    if retry_after
        .as_deref()
        .is_some_and(|v| http::HeaderValue::from_str(v).is_err())
    {
        form.error("retry_after", "Not a valid header value.");
    }
    let body = form.get("body").cloned();
    let delay_ms = form.optional_int("delay_ms", 0);
    if action.as_deref() == Some("delay") && delay_ms.is_none() && form.get("delay_ms").is_none() {
        form.error("delay_ms", "This field is required.");
    }
    form.finish(&[
        "action",
        "method",
        "path",
        "times",
        "status",
        "retry_after",
        "body",
        "delay_ms",
    ])?;
    let action = match action.as_deref() {
        Some("delay") => {
            FaultAction::Delay(Duration::from_millis(delay_ms.unwrap_or(0).unsigned_abs()))
        }
        Some("drop_before_read") => FaultAction::DropBeforeRead,
        Some("drop_after_read") => FaultAction::DropAfterRead,
        Some("truncate") => FaultAction::TruncateBody,
        _ => {
            let status = status.and_then(|s| u16::try_from(s).ok()).unwrap_or(503);
            FaultAction::Status {
                status,
                retry_after,
                body: body.unwrap_or_else(|| json!({"detail": format!("injected {status}")})),
            }
        }
    };
    Ok(Fault {
        method,
        path_contains: path,
        times: usize::try_from(times).unwrap_or(1),
        action,
    })
}

/// A fault as `GET /_fake/faults` lists it (`times`: how many requests it still applies to).
fn fault_json(fault: &Fault) -> Value {
    let (action, status, retry_after, body, delay_ms) = match &fault.action {
        FaultAction::Status {
            status,
            retry_after,
            body,
        } => (
            "status",
            json!(status),
            json!(retry_after),
            body.clone(),
            Value::Null,
        ),
        FaultAction::Delay(d) => (
            "delay",
            Value::Null,
            Value::Null,
            Value::Null,
            json!(d.as_millis()),
        ),
        FaultAction::DropBeforeRead => (
            "drop_before_read",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ),
        FaultAction::DropAfterRead => (
            "drop_after_read",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ),
        FaultAction::TruncateBody => (
            "truncate",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ),
    };
    json!({
        "action": action,
        "method": fault.method.as_ref().map(Method::as_str),
        "path": fault.path_contains,
        "times": fault.times,
        "status": status,
        "retry_after": retry_after,
        "body": body,
        "delay_ms": delay_ms,
    })
}

/// The request's JSON body (an empty body is `{}`).
fn body_value(ctx: &Ctx) -> Result<Value, Resp> {
    if ctx.body.is_empty() {
        Ok(json!({}))
    } else {
        ctx.json()
    }
}

/// `POST /_fake/seed`'s work: checks every part of `body` first, then creates all of it (or
/// nothing). The ids created, or the errors naming every bad field.
pub(crate) fn seed(shared: &Shared, body: Value) -> Result<Value, Value> {
    let mut form = match Form::from_value(body) {
        Ok(form) => form,
        Err(_) => {
            return Err(json!({"non_field_errors": ["Invalid data. Expected a dictionary."]}));
        }
    };
    let jobs = form.optional_int("jobs", 0).unwrap_or(0);
    let log_job = form.optional_int("log_job", 0);
    let project_bodies = list_of_objects(&mut form, "projects");
    let plugin_bodies = list_of_objects(&mut form, "plugins");
    let release_bodies = list_of_objects(&mut form, "releases");

    let mut state = shared.state();
    let mut plugins = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for body in plugin_bodies {
        let result = Form::from_value(body)
            .map_err(|_| Map::new())
            .and_then(|f| crate::backend::plugin_form(&state, f, &codes));
        match result {
            Ok(plugin) => {
                if let Some(code) = plugin.get("code").and_then(Value::as_str) {
                    codes.push(code.to_owned());
                }
                plugins.push(plugin);
                errors.push(json!({}));
            }
            Err(e) => errors.push(Value::Object(e)),
        }
    }
    if errors.iter().any(|e| e != &json!({})) {
        form.nested("plugins", json!(errors));
    }
    let mut releases = Vec::new();
    let mut pending: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    for body in release_bodies {
        let result = Form::from_value(body)
            .map_err(|_| Map::new())
            .and_then(|f| crate::uploads::release_form(&state, f, &codes, &pending));
        match result {
            Ok(release) => {
                let key = |k: &str| release.get(k).and_then(Value::as_str).unwrap_or_default();
                pending.push((key("plugin").to_owned(), key("version").to_owned()));
                releases.push(release);
                errors.push(json!({}));
            }
            Err(e) => errors.push(Value::Object(e)),
        }
    }
    if errors.iter().any(|e| e != &json!({})) {
        form.nested("releases", json!(errors));
    }
    let mut projects = Vec::new();
    let mut errors = Vec::new();
    for body in project_bodies {
        let result = Form::from_value(body)
            .map_err(|_| Map::new())
            .and_then(|f| crate::annotation::project_form(&state, f));
        match result {
            Ok(project) => {
                projects.push(project);
                errors.push(json!({}));
            }
            Err(e) => errors.push(Value::Object(e)),
        }
    }
    if errors.iter().any(|e| e != &json!({})) {
        form.nested("projects", json!(errors));
    }
    if let Err(errors) = form.checked(&[]) {
        return Err(Value::Object(errors));
    }

    let plugin_ids: Vec<i64> = plugins
        .into_iter()
        .map(|p| {
            crate::backend::insert_plugin(&mut state, p)["id"]
                .as_i64()
                .unwrap_or(0)
        })
        .collect();
    let release_ids: Vec<i64> = releases
        .into_iter()
        .map(|r| {
            crate::uploads::insert_release(&mut state, r, None)["id"]
                .as_i64()
                .unwrap_or(0)
        })
        .collect();
    let project_ids: Vec<i64> = projects
        .into_iter()
        .filter_map(|p| crate::annotation::insert_project(&mut state, p))
        .filter_map(|p| p["id"].as_i64())
        .collect();
    let job_ids = seed_jobs(&mut state, usize::try_from(jobs).unwrap_or(0));
    let log_job_ids: Vec<String> = log_job
        .map(|lines| {
            seed_log_job(
                &mut state,
                usize::try_from(lines).unwrap_or(0),
                LOG_LINE_LEN,
            )
        })
        .into_iter()
        .collect();
    Ok(json!({
        "job_ids": job_ids,
        "log_job_ids": log_job_ids,
        "plugin_ids": plugin_ids,
        "release_ids": release_ids,
        "project_ids": project_ids,
    }))
}

/// The objects of an optional list field (a bad list or item is recorded on the form).
fn list_of_objects(form: &mut Form, field: &str) -> Vec<Value> {
    match form.get(field).cloned() {
        None => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => items,
        Some(Value::Array(_)) => {
            form.error(field, "Each item must be an object.");
            Vec::new()
        }
        Some(_) => {
            form.error(field, "Expected a list of items.");
            Vec::new()
        }
    }
}

/// Adds `n` finished jobs (half `train`, half `inference`); returns their ids.
pub(crate) fn seed_jobs(state: &mut State, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let id = state.uuid();
            let action = if i % 2 == 0 { "train" } else { "inference" };
            let mut job = Job::new(
                id.clone(),
                action,
                json!({"epochs": i % 10, "batch_size": 16, "learning_rate": 0.001}),
                Some(1),
                Duration::ZERO,
                0,
            );
            job.cached = Some(job.to_json().to_string());
            state.push_job(job);
            id
        })
        .collect()
}

/// Adds a finished job whose console holds `lines` lines of `line_len` bytes (newline
/// included); returns its id.
pub(crate) fn seed_log_job(state: &mut State, lines: usize, line_len: usize) -> String {
    let mut body = Vec::with_capacity(lines * line_len);
    for i in 0..lines {
        let head = format!("2026-11-23 10:00:00 [INFO] line {i:08} ");
        let mut line = head.into_bytes();
        line.resize(line_len.saturating_sub(1).max(1), b'x');
        line.push(b'\n');
        body.extend_from_slice(&line);
    }
    let id = state.uuid();
    let mut job = Job::new(id.clone(), "bench", json!({}), None, Duration::ZERO, 0);
    job.raw_tail = Some(Bytes::from(body));
    state.push_job(job);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_paths_are_the_prefix_and_below_only() {
        assert!(is_control("/_fake"));
        assert!(is_control("/_fake/"));
        assert!(is_control("/_fake/faults"));
        assert!(!is_control("/_faker/"));
        assert!(!is_control("/jobs/_fake/"));
        assert!(!is_control("/agent/_fake/"));
    }

    #[test]
    fn faults_round_trip_through_their_json_form() {
        let fault = Fault::status(503, 2)
            .retry_after("1")
            .method(Method::GET)
            .path("jobs/");
        assert_eq!(
            fault_json(&fault),
            json!({"action": "status", "method": "GET", "path": "jobs/", "times": 2, "status": 503,
                   "retry_after": "1", "body": {"detail": "injected 503"}, "delay_ms": null})
        );
    }
}
