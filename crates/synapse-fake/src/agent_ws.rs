//! The agent's live log tail over a WebSocket: `GET agent/jobs/{id}/logs/` with
//! `Upgrade: websocket` (RFC 6455). The opening handshake, then each console line as one
//! unmasked text frame holding the event `{"type": "log", "message": …}`, a `complete`
//! event when the job ends (stopped included), and a close frame.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::json;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::respond::{Ctx, Resp, detail, full, not_found};
use crate::server::Shared;
use crate::state::Job;

/// The GUID of RFC 6455 §1.3, appended to the key to compute `Sec-WebSocket-Accept`.
const WS_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const OP_TEXT: u8 = 0x1;
const OP_CLOSE: u8 = 0x8;

/// How often the tail looks for new console lines.
const POLL: Duration = Duration::from_millis(20);

/// The answer to a WebSocket handshake on the agent's log path, or `None` when the request
/// is anything else (or the fake acts as an agent without the WebSocket,
/// [`FakeConfig::agent_websocket`](crate::FakeConfig::agent_websocket)): it is then served
/// as a plain request.
pub(crate) fn upgrade(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    req: &mut Request<Incoming>,
) -> Option<Resp> {
    let wants_ws = ctx
        .header("upgrade")
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let job_id = match ctx.segments.as_slice() {
        [agent, jobs, id, logs] if agent == "agent" && jobs == "jobs" && logs == "logs" => id,
        _ => return None,
    };
    if !wants_ws || !ctx.slash || ctx.method != http::Method::GET || !shared.config.agent_websocket
    {
        return None;
    }
    if let Some(denied) = crate::agent::authorize(shared, ctx) {
        return Some(denied);
    }
    if shared.state().job(job_id).is_none() {
        return Some(not_found());
    }
    if ctx.header("sec-websocket-version") != Some("13") {
        let mut resp = detail(426, "Unsupported WebSocket version.");
        resp.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            http::HeaderValue::from_static("13"),
        );
        return Some(resp);
    }
    let Some(key) = ctx.header("sec-websocket-key").map(str::to_owned) else {
        return Some(detail(400, "Missing Sec-WebSocket-Key."));
    };
    let on_upgrade = hyper::upgrade::on(req);
    let shared = shared.clone();
    let job_id = job_id.clone();
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            tail(shared, job_id, TokioIo::new(upgraded)).await;
        }
    });
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = resp.headers_mut();
    headers.insert(header::UPGRADE, http::HeaderValue::from_static("websocket"));
    headers.insert(
        header::CONNECTION,
        http::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(accept) = http::HeaderValue::from_str(&accept_key(&key)) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    Some(resp)
}

/// The `Sec-WebSocket-Accept` answering `key`.
fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(WS_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// A server frame: FIN set, unmasked, the payload length in 7, 16 or 64 bits.
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 10);
    out.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= usize::from(u16::MAX) => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    out
}

/// Sends the job's console as it is written, then `complete` and a close; stops early when
/// the client goes away.
async fn tail<S: AsyncRead + AsyncWrite + Unpin>(shared: Arc<Shared>, id: String, mut io: S) {
    let mut sent = 0;
    loop {
        let (frames, finished) = {
            let state = shared.state();
            match state.job(&id) {
                None => {
                    let gone = json!({"type": "error", "message": "Job not found"});
                    (frame(OP_TEXT, gone.to_string().as_bytes()), true)
                }
                Some(job) => next_frames(job, &mut sent),
            }
        };
        if !frames.is_empty() && io.write_all(&frames).await.is_err() {
            return;
        }
        if finished {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    // Close (1000, normal), then wait briefly for the client's close before hanging up.
    let _ = io.write_all(&frame(OP_CLOSE, &1000u16.to_be_bytes())).await;
    let _ = io.flush().await;
    let mut sink = [0u8; 256];
    let _ = tokio::time::timeout(Duration::from_secs(2), io.read(&mut sink)).await;
}

/// The frames of the lines written since `sent` (advanced), and whether the tail is done
/// (then the `complete` event is among them).
fn next_frames(job: &Job, sent: &mut usize) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    if let Some(raw) = &job.raw_tail {
        // A pre-rendered console (benchmarks): each line as it is, not an event.
        for line in raw.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            out.extend(frame(OP_TEXT, line));
        }
        (out, true)
    } else {
        let visible = job.visible_lines();
        for line in &job.lines[*sent..visible] {
            let event = json!({"type": "log", "message": line});
            out.extend(frame(OP_TEXT, event.to_string().as_bytes()));
        }
        *sent = visible;
        let finished = job.is_terminal() && *sent == job.lines.len();
        if finished {
            let end = json!({"type": "complete", "message": format!("Job {}", job.status())});
            out.extend(frame(OP_TEXT, end.to_string().as_bytes()));
        }
        (out, finished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_of_the_rfc_example_and_frame_lengths() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        assert_eq!(frame(OP_TEXT, b"hi"), vec![0x81, 2, b'h', b'i']);
        assert_eq!(&frame(OP_TEXT, &[b'x'; 300])[..4], &[0x81, 126, 1, 44]);
        assert_eq!(&frame(OP_TEXT, &vec![b'x'; 70_000])[..2], &[0x81, 127]);
        assert_eq!(
            frame(OP_CLOSE, &1000u16.to_be_bytes()),
            vec![0x88, 2, 0x03, 0xe8]
        );
    }
}
