//! Plugin runs and jobs: list, get, update, console logs and the live tail.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::respond::{Ctx, Form, Resp, detail, json_resp, json_text, not_found, window};
use crate::server::{Shared, TailLogShape, text_stream};
use crate::state::{Job, State};

const STATUSES: [&str; 5] = ["PENDING", "RUNNING", "STOPPED", "SUCCEEDED", "FAILED"];

/// The canonical status for a filter value (the docs' lowercase words included).
fn canonical_status(s: &str) -> String {
    match s.to_ascii_lowercase().as_str() {
        "queued" => "PENDING".to_owned(),
        "completed" => "SUCCEEDED".to_owned(),
        other => other.to_ascii_uppercase(),
    }
}

/// The fields of a run body.
const RUN_FIELDS: [&str; 8] = [
    "agent",
    "action",
    "params",
    "storage_id",
    "job_id",
    "debug",
    "version",
    "language",
];

/// `POST plugins/{plugin}/run/`: starts a job on the plugin's latest (or given) release.
pub(crate) fn run_plugin(shared: &Shared, ctx: &Ctx, plugin: &str) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let agent = optional_id(&mut form, "agent");
    let action = form.optional_str("action");
    if form.get("params").is_some_and(|p| !p.is_object()) {
        form.error("params", "Expected a dictionary of items.");
    }
    optional_id(&mut form, "storage_id");
    optional_id(&mut form, "job_id");
    if form.get("debug").is_some_and(|d| !d.is_boolean()) {
        form.error("debug", "Must be a valid boolean.");
    }
    let version = form.optional_str("version");
    if ctx
        .json()
        .ok()
        .is_some_and(|b| b.get("language") == Some(&Value::Null))
    {
        form.error("language", "This field may not be null.");
    }
    form.optional_str("language");
    let mut state = shared.state();
    if let Some(agent) = agent
        && !state.agents.contains_key(&agent)
    {
        form.error(
            "agent",
            format!("Invalid pk \"{agent}\" - object does not exist."),
        );
    }
    let body = match form.finish(&RUN_FIELDS) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let Some((plugin_id, _)) = state.plugin_by_ref(plugin) else {
        return not_found();
    };
    let release = state
        .releases
        .iter()
        .filter(|(_, r)| r["plugin"].as_i64() == Some(plugin_id))
        .filter(|(_, r)| version.as_deref().is_none_or(|v| r["version"] == v))
        .map(|(id, _)| *id)
        .next_back();
    let Some(release) = release else {
        return detail(400, "The plugin has no release to run.");
    };
    let action = action.unwrap_or_else(|| "run".to_owned());
    let params = body
        .get("params")
        .filter(|p| p.is_object())
        .cloned()
        .unwrap_or(json!({}));
    let id = state.uuid();
    let mut job = Job::new(
        id.clone(),
        &action,
        params,
        Some(release),
        shared.config.job_duration,
        shared.config.log_lines,
    );
    job.agent = agent;
    let mut out = job.to_json();
    out["job_id"] = json!(id);
    state.push_job(job);
    state.runs += 1;
    json_resp(201, &out)
}

/// An optional integer id (a numeric string counts; a UUID does not).
fn optional_id(form: &mut Form, field: &str) -> Option<i64> {
    form.optional_int(field, 1)
}

/// The filters of `GET jobs/`, checked.
struct JobFilters {
    status: Option<String>,
    action: Option<String>,
    release: Option<i64>,
    plugin: Option<Option<i64>>,
    agent: Option<i64>,
    created_after: Option<SystemTime>,
    created_before: Option<SystemTime>,
    newest_first: bool,
}

/// The filters of the query, or 400 naming every bad one (as django-filter's form does).
fn job_filters(state: &State, ctx: &Ctx) -> Result<JobFilters, Resp> {
    let mut errors = Map::new();
    let mut bad = |field: &str, message: String| {
        errors.insert(field.to_owned(), json!([message]));
    };
    let status = ctx.q("status").map(canonical_status);
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        bad(
            "status",
            format!("Select a valid choice. {s} is not one of the available choices."),
        );
    }
    let mut number = |field: &str| match ctx.q(field) {
        None => None,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                bad(field, "Enter a number.".to_owned());
                None
            }
        },
    };
    let release = number("plugin_release");
    let agent = number("agent");
    // A plugin by id or code; an unknown one matches no job.
    let plugin = ctx
        .q("plugin")
        .map(|p| state.plugin_by_ref(p).map(|(id, _)| id));
    let mut time = |field: &str| match ctx.q(field) {
        None => None,
        Some(v) => {
            let t = parse_time(v);
            if t.is_none() {
                errors.insert(field.to_owned(), json!(["Enter a valid date/time."]));
            }
            t
        }
    };
    let created_after = time("created_after");
    let created_before = time("created_before");
    let newest_first = match ctx.q("ordering") {
        None | Some("created" | "id") => false,
        Some("-created" | "-id") => true,
        Some(other) => {
            errors.insert(
                "ordering".to_owned(),
                json!([format!(
                    "Select a valid choice. {other} is not one of the available choices."
                )]),
            );
            false
        }
    };
    if !errors.is_empty() {
        return Err(json_resp(400, &Value::Object(errors)));
    }
    Ok(JobFilters {
        status,
        action: ctx.q("action").map(str::to_owned),
        release,
        plugin,
        agent,
        created_after,
        created_before,
        newest_first,
    })
}

impl JobFilters {
    /// Whether `job` passes every filter.
    fn keep(&self, state: &State, job: &Job) -> bool {
        let plugin_of = |job: &Job| {
            job.plugin_release
                .and_then(|r| state.releases.get(&r))
                .and_then(|r| r["plugin"].as_i64())
        };
        self.status.as_deref().is_none_or(|s| job.status() == s)
            && self.action.as_deref().is_none_or(|a| job.action == a)
            && self.release.is_none_or(|r| job.plugin_release == Some(r))
            && self
                .plugin
                .is_none_or(|p| p.is_some() && plugin_of(job) == p)
            && self.agent.is_none_or(|a| job.agent == Some(a))
            && self.created_after.is_none_or(|t| job.created_at >= t)
            && self.created_before.is_none_or(|t| job.created_at <= t)
    }
}

/// An ISO 8601 date or date-time (`2026-01-02`, `2026-01-02T03:04:05[.ffffff][Z|±HH:MM]`).
pub(crate) fn parse_time(text: &str) -> Option<SystemTime> {
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    let mut micros = 0u32;
    if let Some(time) = time {
        let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
            Some(i) => (&time[..i], &time[i..]),
            None => (time, ""),
        };
        let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
        let mut hms = hms.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let min: i64 = hms.next()?.parse().ok()?;
        let s: i64 = hms.next().map_or(Some(0), |s| s.parse().ok())?;
        if h > 23 || min > 59 || s > 59 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digits: String = frac.chars().chain("000000".chars()).take(6).collect();
        micros = digits.parse().ok()?;
        secs += h * 3600 + min * 60 + s;
        if let Some(sign) = offset.chars().next().filter(|c| *c == '+' || *c == '-') {
            let (oh, om) = offset[1..].split_once(':').unwrap_or((&offset[1..], "0"));
            let off = oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60;
            secs -= if sign == '+' { off } else { -off };
        } else if !offset.is_empty() && offset != "Z" && offset != "z" {
            return None;
        }
    }
    let secs = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(u64::from(micros)))
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `GET jobs/`: filters `status` (any case, the docs' words too), `action`,
/// `plugin_release`, `plugin` (id or code), `agent`, `created_after`, `created_before`, and
/// `ordering` (`created`, `-created`); a bad value is a 400 naming the filter.
pub(crate) fn list_jobs(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut state = shared.state();
    let key = format!("{}{}?{:?}", ctx.origin, ctx.path, ctx.query);
    if let Some(body) = state.page_cache.get(&key) {
        return crate::respond::json_bytes(200, body.clone());
    }
    let filters = match job_filters(&state, ctx) {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let mut indices: Vec<usize> = state
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| filters.keep(&state, j))
        .map(|(i, _)| i)
        .collect();
    if filters.newest_first {
        indices.reverse();
    }
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

/// The fields a PATCH may change.
const PATCH_FIELDS: [&str; 6] = [
    "status",
    "progress_record",
    "metrics_record",
    "console_logs",
    "result",
    "meta",
];

/// `PATCH jobs/{id}/`: replaces the given fields wholesale. Every field is checked first (a
/// 400 names every bad one and changes nothing); undeclared keys are dropped.
pub(crate) fn update_job(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    if shared.state().job(id).is_none() {
        return not_found();
    }
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let status = form.optional_choice("status", &STATUSES);
    for field in ["progress_record", "metrics_record", "meta"] {
        if form.get(field).is_some_and(|v| !v.is_object()) {
            form.error(field, "Expected a dictionary of items.");
        }
    }
    if form.get("console_logs").is_some_and(|v| {
        !(v.is_object() || v.as_array().is_some_and(|a| a.iter().all(Value::is_object)))
    }) {
        form.error("console_logs", "Expected an object or a list of objects.");
    }
    if form
        .get("result")
        .is_some_and(|v| !(v.is_object() || v.is_array()))
    {
        form.error("result", "Expected an object or a list.");
    }
    let body = match form.finish(&PATCH_FIELDS) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(job) = state.job_mut(id) else {
        return not_found();
    };
    job.cached = None;
    if let Some(status) = status {
        job.status_override = Some(status);
    }
    for (key, value) in body {
        if key != "status" && !value.is_null() {
            job.patched.insert(key, value);
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

/// A backend tail's `log` event for `line`, in the configured shape.
fn log_event(line: &str, shape: TailLogShape) -> Value {
    match shape {
        TailLogShape::Nested => {
            let inner = json!({"type": "log", "message": line});
            json!({"type": "log", "data": format!("data: {inner}")})
        }
        _ => json!({"type": "log", "data": line}),
    }
}

/// `GET jobs/{id}/tail_console_logs/` (backend) or `jobs/{id}/logs/stream/` (agent):
/// server-sent events while the job runs (the backend's with heartbeats when idle), ending
/// with the job.
pub(crate) fn tail(shared: &Arc<Shared>, id: &str, format: TailFormat) -> Resp {
    if shared.state().job(id).is_none() {
        return not_found();
    }
    event_tail(shared, id, format)
}

/// The tail of [`tail`] for any id: a job that does not exist (or goes) gets `connected`,
/// then an `error` event (`Job not found`), and the stream ends.
pub(crate) fn event_tail(shared: &Arc<Shared>, id: &str, format: TailFormat) -> Resp {
    let shape = shared.config.tail_log_shape;
    let raw = shared.state().job(id).and_then(|job| job.raw_tail.clone());
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
                    let event = match format {
                        TailFormat::Events => log_event(line, shape),
                        TailFormat::Lines => json!({"type": "log", "message": line}),
                    };
                    out.push_str(&format!("data: {event}\n\n"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    #[test]
    fn filter_times_read_dates_date_times_and_offsets() {
        let at = |text: &str| parse_time(text).map(rfc3339);
        assert_eq!(
            at("2026-01-02").as_deref(),
            Some("2026-01-02T00:00:00.000000Z")
        );
        assert_eq!(
            at("2026-01-02T03:04:05.25Z").as_deref(),
            Some("2026-01-02T03:04:05.250000Z")
        );
        assert_eq!(
            at("2026-01-02 03:04:05+09:00").as_deref(),
            Some("2026-01-01T18:04:05.000000Z")
        );
        assert_eq!(
            at("2024-02-29T23:59-01:30").as_deref(),
            Some("2024-03-01T01:29:00.000000Z")
        );
        for bad in [
            "yesterday",
            "2026-13-01",
            "2026-01-02T25:00:00",
            "2026-01-02T03:04:05X",
            "",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }
}
