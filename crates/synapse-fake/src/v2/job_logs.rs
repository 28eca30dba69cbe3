//! `/v2/job-logs/`: the log entries of jobs (the same table as the v1 `logs/`: an entry
//! posted there with a `job` is read here, its `message` and `context` inside `data`).

use http::Method;
use serde_json::{Map, Value, json};

use super::jobs::LEVELS;
use super::respond::{self, Query, int_id};
use crate::respond::{Ctx, Resp};
use crate::routes::{Route, answer};
use crate::server::Shared;

/// Job logs.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "job-logs/", |s, c, _| list(s, c)),
    answer(Method::GET, "job-logs/{id}/", |s, _, id| retrieve(s, id)),
];

/// A stored entry's text field, or `default`.
fn text(entry: &Value, key: &str, default: &str) -> Value {
    match entry.get(key) {
        Some(Value::String(s)) => json!(s),
        _ => json!(default),
    }
}

/// An entry as `JobLogV2List`.
fn summary(entry: &Value) -> Value {
    json!({
        "id": entry["id"], "job_id": entry.get("job").cloned().unwrap_or(Value::Null),
        "event": text(entry, "event", ""), "step": text(entry, "step", ""),
        "level": text(entry, "level", "info"),
        "datetime": entry.get("datetime").filter(|d| !d.is_null()).unwrap_or(&entry["created"]),
        "created": entry["created"],
    })
}

/// An entry as `JobLogV2Detail`: its `data`, or (for a v1 entry) its `message` and
/// `context` gathered as the data.
pub(crate) fn detail(entry: &Value) -> Value {
    let mut out = summary(entry);
    let data = match entry.get("data").filter(|d| !d.is_null()) {
        Some(data) => data.clone(),
        None => {
            let mut data = Map::new();
            for key in ["message", "context"] {
                if let Some(value) = entry.get(key).filter(|v| !v.is_null()) {
                    data.insert(key.to_owned(), value.clone());
                }
            }
            Value::Object(data)
        }
    };
    out["data"] = data;
    out["file"] = entry.get("file").cloned().unwrap_or(Value::Null);
    out
}

/// `GET job-logs/`: filters `job`, `event` and `level`, oldest first.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let job = query.text("job");
    let event = query.text("event");
    let level = query.choice("level", &LEVELS);
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, &Value)> = state
        .logs
        .iter()
        .filter(|e| job.is_none_or(|j| e["job"] == j))
        .filter(|e| event.is_none_or(|ev| e["event"] == ev))
        .filter(|e| level.is_none_or(|l| text(e, "level", "info") == l))
        .map(|e| (e["id"].as_i64().unwrap_or_default(), e))
        .collect();
    respond::page(shared, ctx, items, summary)
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    let id = int_id(id);
    match state
        .logs
        .iter()
        .find(|e| id.is_some() && e["id"].as_i64() == id)
    {
        Some(entry) => respond::ok(shared, 200, detail(entry)),
        None => respond::not_found(shared),
    }
}
