//! The protocols of the job-log tail: the agent's WebSocket (`jobs/{id}/logs/`) and its HTTP
//! event stream (`jobs/{id}/logs/stream/`), and the choice between them.

use std::time::Duration;

use futures_util::StreamExt;
use synapse_transport::{Client, Error, Request, SseFrame, TimeoutKind, WsMessage, WsStream};

use crate::sse::Frames;

/// Most WebSocket messages one tail reads (the Python SDK's limit); one more ends the stream
/// with [`Error::StreamLimit`].
pub const MAX_WEBSOCKET_FRAMES: u64 = 10_000;

/// How the job-log tail reaches the agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TailProtocol {
    /// The WebSocket first; if it fails before its first message (the agent answers
    /// anything but `101`, the connection fails, …), the HTTP stream from the start.
    #[default]
    Auto,
    /// Only the WebSocket (`jobs/{id}/logs/`).
    WebSocket,
    /// Only the HTTP event stream (`jobs/{id}/logs/stream/`).
    Http,
}

/// Where a WebSocket tail is in its life.
enum WsState {
    Connect(Client, Box<Result<Request, Error>>),
    Open(WsStream, u64),
    Done,
}

/// The WebSocket's messages as frames: each text message is one event's data (a binary one
/// is read as UTF-8); an empty message, a close or the end of the connection ends the
/// stream; no message within `idle` ends it with a timeout error (never a clean end).
pub(crate) fn websocket_frames(
    client: Client,
    request: Result<Request, Error>,
    idle: Option<Duration>,
) -> Frames {
    let url = request
        .as_ref()
        .map(Request::display_url)
        .unwrap_or_default();
    Box::pin(futures_util::stream::unfold(
        WsState::Connect(client, Box::new(request)),
        move |state| {
            let url = url.clone();
            async move {
                let (mut ws, seen) = match state {
                    WsState::Done => return None,
                    WsState::Connect(client, request) => {
                        let opened = match *request {
                            Ok(request) => client.websocket(request).await,
                            Err(e) => Err(e),
                        };
                        match opened {
                            Ok(ws) => (ws, 0),
                            Err(e) => return Some((Err(e), WsState::Done)),
                        }
                    }
                    WsState::Open(ws, seen) => (ws, seen),
                };
                let next = match idle {
                    Some(limit) => match tokio::time::timeout(limit, ws.next()).await {
                        Ok(next) => next,
                        Err(_) => {
                            let timeout = Error::Timeout {
                                kind: TimeoutKind::Idle,
                                method: synapse_transport::Method::GET,
                                url,
                            };
                            return Some((Err(timeout), WsState::Done));
                        }
                    },
                    None => ws.next().await,
                };
                let text = match next {
                    None => return None,
                    Some(Err(e)) => return Some((Err(e), WsState::Done)),
                    Some(Ok(WsMessage::Text(t))) => t,
                    Some(Ok(WsMessage::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(_)) => String::new(),
                };
                if text.is_empty() {
                    return None;
                }
                if seen >= MAX_WEBSOCKET_FRAMES {
                    let limit = Error::StreamLimit {
                        method: synapse_transport::Method::GET,
                        url,
                        limit: format!("more than {MAX_WEBSOCKET_FRAMES} WebSocket messages"),
                    };
                    return Some((Err(limit), WsState::Done));
                }
                Some((Ok(SseFrame::Event(text)), WsState::Open(ws, seen + 1)))
            }
        },
    ))
}

/// The WebSocket's frames, or — when it fails before its first message — the HTTP stream's
/// from the start (built only then).
pub(crate) fn auto_frames(
    websocket: Frames,
    http: impl FnOnce() -> Frames + Send + 'static,
) -> Frames {
    enum Auto<F> {
        Trying(Frames, F),
        Streaming(Frames),
    }
    Box::pin(futures_util::stream::unfold(
        Auto::Trying(websocket, http),
        |state| async move {
            match state {
                Auto::Trying(mut ws, http) => match ws.next().await {
                    Some(Ok(frame)) => Some((Ok(frame), Auto::Streaming(ws))),
                    None => None,
                    Some(Err(e)) => {
                        tracing::debug!(
                            error = %e,
                            "job log WebSocket failed before its first message; using the HTTP stream"
                        );
                        let mut http = http();
                        let first = http.next().await?;
                        Some((first, Auto::Streaming(http)))
                    }
                },
                Auto::Streaming(mut frames) => {
                    let next = frames.next().await?;
                    Some((next, Auto::Streaming(frames)))
                }
            }
        },
    ))
}
