//! The settings of the v2 event streams: which events end them, and whether they reconnect.

use synapse_transport::SseEvent;
use synapse_transport::v2::SseOptions;

/// Code-server session events (`GET /v2/code-servers/{id}/events/`): `snapshot`,
/// `status_update`, `health_update`, `heartbeat`, and `close`, which ends the stream. No
/// reconnection: the stream ends when the server closes it.
pub fn code_server_events() -> SseOptions {
    SseOptions::new().terminal_events(["close"])
}

/// A job's live console log (`GET /v2/jobs/{id}/tail_console_logs/`): unnamed events whose
/// data is a JSON object with a `type` (`connected`, `log`, `complete`, `error`); `complete`
/// and `error` end the stream. The server offers no resume, so there is no reconnection.
pub fn job_console_logs() -> SseOptions {
    SseOptions::new().terminal(is_final_log_event)
}

/// An async job's progress (`GET /v2/async_jobs/{id}/progress/`): `async_job.progress`
/// and `heartbeat` events, ended by `async_job.completed` or `error`. A connection that
/// ends without a terminal event reconnects, up to 5 times in a row without progress.
pub fn async_job_progress() -> SseOptions {
    SseOptions::new()
        .reconnect(5)
        .terminal_events(["async_job.completed", "error"])
        .progress_events(["async_job.progress", "heartbeat"])
}

/// True for a console-log event whose data is an object with `type` `complete` or `error`.
fn is_final_log_event(event: &SseEvent) -> bool {
    serde_json::from_str::<serde_json::Value>(&event.data)
        .ok()
        .and_then(|data| data.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .is_some_and(|kind| kind == "complete" || kind == "error")
}
