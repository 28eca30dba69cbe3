//! Server-Sent Events framing over a [`LineStream`]: the one SSE decoder behind the backend's
//! console-log tail and the agent's job-log stream.
//!
//! - `data:` lines (with or without the space after the colon) form an event; multi-line
//!   data is joined with `\n` and dispatched at the blank line, or when the body ends.
//! - Several one-line JSON objects sent as consecutive `data:` lines without blank lines
//!   between them (as some servers do) are several events.
//! - Comments (`: keepalive`) and `event:`, `id:`, `retry:` fields are skipped.
//! - Any other line is not SSE: it is passed on as a plain line, after any pending event, in
//!   order.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde_json::Value;

use crate::{Error, LineStream};

/// One unit of an SSE body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseFrame {
    /// The data of one event.
    Event(String),
    /// A line that is not SSE (a server that streams plain text).
    Line(String),
}

/// The frames of an SSE body, from its lines. A failure of the body (a connection cut
/// short, an idle timeout) is the stream's last item; a pending event is then dropped rather
/// than guessed at.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().expect("rt").block_on(async {
/// use futures_util::StreamExt;
/// use synapse_transport::{LineOptions, LineStream, Method, SseFrame, SseFrames};
/// let body = "data: {\"type\": \"log\"}\n\n: heartbeat\nplain\n";
/// let chunks = futures_util::stream::iter([Ok(bytes::Bytes::from(body))]);
/// let lines = LineStream::new(Box::pin(chunks), LineOptions::default(), Method::GET, "u".into());
/// let frames: Vec<_> = SseFrames::new(lines).map(|f| f.expect("frame")).collect().await;
/// assert_eq!(
///     frames,
///     [SseFrame::Event("{\"type\": \"log\"}".into()), SseFrame::Line("plain".into())]
/// );
/// # });
/// ```
pub struct SseFrames {
    lines: Option<LineStream>,
    data: Option<String>,
    queue: VecDeque<SseFrame>,
}

impl std::fmt::Debug for SseFrames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseFrames")
            .field("open", &self.lines.is_some())
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl SseFrames {
    /// Frames the lines of an SSE body.
    pub fn new(lines: LineStream) -> Self {
        SseFrames {
            lines: Some(lines),
            data: None,
            queue: VecDeque::new(),
        }
    }

    /// Stops reading: the connection is closed now and queued frames are dropped.
    pub fn close(&mut self) {
        self.lines = None;
        self.data = None;
        self.queue.clear();
    }

    fn on_line(&mut self, line: String) {
        if line.is_empty() {
            self.dispatch();
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "event" | "id" | "retry" => {}
            _ => {
                self.dispatch();
                self.queue.push_back(SseFrame::Line(line));
            }
        }
    }

    fn dispatch(&mut self) {
        let Some(data) = self.data.take() else {
            return;
        };
        let one_line_events = data.contains('\n')
            && serde_json::from_str::<Value>(&data).is_err()
            && data
                .split('\n')
                .all(|l| matches!(serde_json::from_str::<Value>(l), Ok(Value::Object(_))));
        if one_line_events {
            for part in data.split('\n') {
                self.queue.push_back(SseFrame::Event(part.to_owned()));
            }
        } else {
            self.queue.push_back(SseFrame::Event(data));
        }
    }
}

impl Stream for SseFrames {
    type Item = Result<SseFrame, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(frame) = this.queue.pop_front() {
                return Poll::Ready(Some(Ok(frame)));
            }
            let Some(lines) = this.lines.as_mut() else {
                return Poll::Ready(None);
            };
            match Pin::new(lines).poll_next(cx) {
                Poll::Ready(Some(Ok(line))) => this.on_line(line),
                Poll::Ready(Some(Err(e))) => {
                    this.close();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.dispatch();
                    this.lines = None;
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
