//! Plugin runs and jobs: list, get, update, console logs and the live tail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};

use crate::respond::{Ctx, Resp, detail, field_error, json_resp, json_text, not_found, window};
use crate::server::{Shared, text_stream};
use crate::state::Job;

const STATUSES: [&str; 5] = ["PENDING", "RUNNING", "STOPPED", "SUCCEEDED", "FAILED"];

/// The canonical status for a filter value (the docs' lowercase words included).
fn canonical_status(s: &str) -> String {
    match s.to_ascii_lowercase().as_str() {
        "queued" => "PENDING".to_owned(),
        "completed" => "SUCCEEDED".to_owned(),
        other => other.to_ascii_uppercase(),
    }
}

/// `POST plugins/{plugin}/run/`: starts a job on the plugin's latest (or given) release.
pub(crate) fn run_plugin(shared: &Shared, ctx: &Ctx, plugin: &str) -> Resp {
    let body = if ctx.body.is_empty() {
        json!({})
    } else {
        match ctx.json() {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return detail(400, "Expected an object."),
            Err(r) => return r,
        }
    };
    for key in body
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if ![
            "agent",
            "action",
            "params",
            "storage_id",
            "job_id",
            "debug",
            "version",
            "language",
        ]
        .contains(&key.as_str())
        {
            return field_error(&key, "Unknown field.");
        }
    }
    let mut state = shared.state();
    let Some((plugin_id, _)) = state.plugin_by_ref(plugin) else {
        return not_found();
    };
    let version = body.get("version").and_then(Value::as_str);
    let release = state
        .releases
        .iter()
        .filter(|(_, r)| r["plugin"].as_i64() == Some(plugin_id))
        .filter(|(_, r)| version.is_none_or(|v| r["version"] == v))
        .map(|(id, _)| *id)
        .next_back();
    let Some(release) = release else {
        return detail(400, "The plugin has no release to run.");
    };
    let action = body.get("action").and_then(Value::as_str).unwrap_or("run");
    let params = body.get("params").cloned().unwrap_or(json!({}));
    let id = state.uuid();
    let job = Job::new(
        id.clone(),
        action,
        params,
        Some(release),
        shared.config.job_duration,
        shared.config.log_lines,
    );
    let mut out = job.to_json();
    out["job_id"] = json!(id);
    state.push_job(job);
    state.runs += 1;
    json_resp(201, &out)
}

/// `GET jobs/`: filters `status` (any case, the docs' words too) and `plugin_release`.
pub(crate) fn list_jobs(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut state = shared.state();
    let key = format!("{}{}?{:?}", ctx.origin, ctx.path, ctx.query);
    if let Some(body) = state.page_cache.get(&key) {
        return crate::respond::json_bytes(200, body.clone());
    }
    let status = ctx.q("status").map(canonical_status);
    let release = ctx.q("plugin_release").and_then(|r| r.parse::<i64>().ok());
    let indices: Vec<usize> = state
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| status.as_deref().is_none_or(|s| j.status() == s))
        .filter(|(_, j)| release.is_none_or(|r| j.plugin_release == Some(r)))
        .map(|(i, _)| i)
        .collect();
    let w = match window(ctx, indices.len(), shared.config.page_size) {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    // Assembled as text from each job's (cached) JSON: the fake must not be the bottleneck
    // of a client benchmark.
    let mut body = String::with_capacity(64 + (w.end - w.start) * 1024);
    body.push_str(&format!(
        "{{\"count\":{},\"next\":{},\"previous\":{},\"results\":[",
        w.count,
        json!(w.next),
        json!(w.previous)
    ));
    for (n, &i) in indices[w.start..w.end].iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        match &state.jobs[i].cached {
            Some(text) => body.push_str(text),
            None => body.push_str(&state.jobs[i].to_json().to_string()),
        }
    }
    body.push_str("]}");
    // Keep the page only when every matching job is finished (cached): then neither its items
    // nor `count` and the links can change until a job is added or updated.
    if indices.iter().all(|&i| state.jobs[i].cached.is_some()) {
        let bytes = bytes::Bytes::from(body);
        state.page_cache.insert(key, bytes.clone());
        return crate::respond::json_bytes(200, bytes);
    }
    json_text(200, body)
}

/// `GET jobs/{id}/`.
pub(crate) fn get_job(shared: &Shared, id: &str) -> Resp {
    match shared.state().job(id) {
        Some(j) => json_text(200, j.json_text()),
        None => not_found(),
    }
}

/// `PATCH jobs/{id}/`: replaces the given fields wholesale; status must be one of the five.
pub(crate) fn update_job(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let body = match ctx.json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return detail(400, "Expected an object."),
        Err(r) => return r,
    };
    let mut state = shared.state();
    let Some(job) = state.job_mut(id) else {
        return not_found();
    };
    job.cached = None;
    if let Some(status) = body.get("status") {
        match status.as_str() {
            Some(s) if STATUSES.contains(&s) => job.status_override = Some(s.to_owned()),
            _ => return field_error("status", &format!("{status} is not a valid choice.")),
        }
    }
    if let Some(result) = body.get("result")
        && !(result.is_object() || result.is_array())
    {
        return field_error("result", "Expected an object or a list.");
    }
    for key in [
        "progress_record",
        "metrics_record",
        "console_logs",
        "result",
        "meta",
    ] {
        if let Some(v) = body.get(key) {
            job.patched.insert(key.to_owned(), v.clone());
        }
    }
    json_resp(200, &job.to_json())
}

/// `GET jobs/{id}/console_logs/`: the lines written so far, as a bare array (v1 shape).
pub(crate) fn console_logs(shared: &Shared, id: &str) -> Resp {
    match shared.state().job(id) {
        Some(j) => json_resp(200, &json!(j.console())),
        None => not_found(),
    }
}

fn sse(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

/// How a tail frames console lines.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TailFormat {
    /// The backend's JSON events: `connected`, `log`, `complete`.
    Events,
    /// The agent's: each line as the `data:` of one `log` event, then `complete`; no
    /// comments (no `: connected`, no heartbeat).
    Lines,
}

/// `GET jobs/{id}/tail_console_logs/` (backend) or `jobs/{id}/logs/stream/` (agent):
/// server-sent events while the job runs (the backend's with heartbeats when idle), ending
/// with the job.
pub(crate) fn tail(shared: &Arc<Shared>, id: &str, format: TailFormat) -> Resp {
    let raw = match shared.state().job(id) {
        None => return not_found(),
        Some(job) => job.raw_tail.clone(),
    };
    if let Some(body) = raw {
        // A pre-rendered console (benchmarks): plain lines in 64 KiB chunks.
        let chunks: Vec<Bytes> = (0..body.len())
            .step_by(64 * 1024)
            .map(|i| body.slice(i..(i + 64 * 1024).min(body.len())))
            .collect();
        return text_stream(futures_util::stream::iter(chunks));
    }
    struct Tail {
        shared: Arc<Shared>,
        id: String,
        sent: usize,
        connected: bool,
        done: bool,
        last: Instant,
    }
    let start = Tail {
        shared: shared.clone(),
        id: id.to_owned(),
        sent: 0,
        connected: false,
        done: false,
        last: Instant::now(),
    };
    let stream = futures_util::stream::unfold(start, move |mut t| async move {
        if t.done {
            return None;
        }
        if !t.connected && format == TailFormat::Events {
            t.connected = true;
            return Some((sse(&json!({"type": "connected", "job_id": t.id})), t));
        }
        loop {
            let (chunk, finished) = {
                let state = t.shared.state();
                let Some(job) = state.job(&t.id) else {
                    drop(state);
                    t.done = true;
                    let e = sse(&json!({"type": "error", "message": "Job not found"}));
                    return Some((e, t));
                };
                let visible = job.visible_lines();
                let mut out = String::new();
                for line in &job.lines[t.sent..visible] {
                    out.push_str(&format!(
                        "data: {}\n\n",
                        json!({"type": "log", "message": line})
                    ));
                }
                t.sent = visible;
                let finished = job.is_terminal() && t.sent == job.lines.len();
                if finished {
                    out.push_str(&format!(
                        "data: {}\n\n",
                        json!({"type": "complete", "message": format!("Job {}", job.status())})
                    ));
                }
                (out, finished)
            };
            if !chunk.is_empty() {
                t.done = finished;
                t.last = Instant::now();
                return Some((Bytes::from(chunk), t));
            }
            // The agent sends no comments: a line-based client (the Python SDK's) would
            // yield them as log lines.
            if format == TailFormat::Events && t.last.elapsed() > Duration::from_millis(500) {
                t.last = Instant::now();
                return Some((Bytes::from_static(b": heartbeat\n\n"), t));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut resp = text_stream(stream);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    resp
}
