//! The job-log tail as a stream of messages: a Server-Sent Events parser over a
//! [`LineStream`], with the Python SDK's event rules and stream limits.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use serde_json::Value;
use synapse_transport::{
    ApiBody, ApiError, Error, LineMode, LineOptions, LineStream, Method, SseFrame, SseFrames,
    StatusCode,
};

/// Options of the job-log tail, set through the setters of
/// [`TailJobLogs`](crate::TailJobLogs), which document them. The limits default to the
/// Python SDK's `StreamLimits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TailOptions {
    /// Idle timeout (also the request's per-read timeout); `None` waits forever.
    pub(crate) idle_timeout: Option<Duration>,
    /// Longest line held in memory.
    pub(crate) max_line_bytes: usize,
    /// Most messages yielded or dropped before the stream fails.
    pub(crate) max_messages: Option<u64>,
    /// Most message bytes (UTF-8) before the stream fails.
    pub(crate) max_bytes: Option<u64>,
    /// Messages longer than this many characters are skipped.
    pub(crate) max_message_chars: Option<usize>,
}

impl Default for TailOptions {
    fn default() -> Self {
        TailOptions {
            idle_timeout: Some(Duration::from_secs(30)),
            max_line_bytes: 1024 * 1024,
            max_messages: Some(50_000),
            max_bytes: Some(50 * 1024 * 1024),
            max_message_chars: Some(10_240),
        }
    }
}

impl TailOptions {
    /// The options of the underlying line splitter.
    pub(crate) fn line_options(&self) -> LineOptions {
        LineOptions {
            mode: LineMode::SplitLines,
            max_line_bytes: self.max_line_bytes.max(1),
            idle_timeout: self.idle_timeout,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.idle_timeout == Some(Duration::ZERO) {
            return Err(Error::invalid_input(
                "the idle timeout of a log tail must be positive (use `None` to wait forever)",
            ));
        }
        Ok(())
    }
}

/// The messages of a job's live log ([`TailJobLogs::messages`](crate::TailJobLogs::messages)),
/// each yielded as soon as it arrives: the agent's SSE stream framed by [`SseFrames`], or its
/// WebSocket messages.
///
/// A JSON object event of type `error` ends the stream with an error, `complete` ends it
/// cleanly, any other yields its non-empty `message`; other event data, and plain lines, are
/// yielded as they are. A stream limit ends it with [`Error::StreamLimit`]; after an error
/// the stream ends. Dropping it closes the connection.
pub struct LogMessages {
    frames: Frames,
    url: String,
    queue: VecDeque<Result<String, Error>>,
    options: TailOptions,
    messages: u64,
    bytes: u64,
    done: bool,
}

impl std::fmt::Debug for LogMessages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogMessages")
            .field("url", &self.url)
            .field("messages", &self.messages)
            .field("bytes", &self.bytes)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Where the messages come from: the frames of an SSE body, or WebSocket messages as frames.
pub(crate) type Frames = Pin<Box<dyn Stream<Item = Result<SseFrame, Error>> + Send>>;

impl LogMessages {
    /// The messages of an SSE body.
    pub(crate) fn new(lines: LineStream, options: TailOptions, url: String) -> Self {
        Self::from_frames(Box::pin(SseFrames::new(lines)), options, url)
    }

    /// The messages of any frame source (each event's data is one message or event).
    pub(crate) fn from_frames(frames: Frames, options: TailOptions, url: String) -> Self {
        LogMessages {
            frames,
            url,
            queue: VecDeque::new(),
            options,
            messages: 0,
            bytes: 0,
            done: false,
        }
    }

    /// Stops reading: the connection is closed now.
    fn stop(&mut self) {
        self.done = true;
        self.frames = Box::pin(futures_util::stream::empty());
    }

    fn payload(&mut self, payload: &str) {
        let Ok(Value::Object(event)) = serde_json::from_str::<Value>(payload) else {
            if !payload.is_empty() {
                self.emit(payload.to_owned());
            }
            return;
        };
        match event.get("type").and_then(Value::as_str).unwrap_or("") {
            "error" => {
                let message = event
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("Unknown streaming error")
                    .to_owned();
                tracing::debug!(
                    url = %self.url,
                    message = %synapse_transport::escape_controls(&message),
                    "job log stream reported an error"
                );
                let err = ApiError::new(
                    Method::GET,
                    self.url.clone(),
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiBody::Json(Value::Object(event)),
                );
                self.queue.push_back(Err(err.into()));
                self.stop();
            }
            "complete" => self.stop(),
            _ => {
                let message = match event.get("message") {
                    Some(Value::String(s)) => s.clone(),
                    None | Some(Value::Null) => String::new(),
                    Some(other) => other.to_string(),
                };
                if !message.is_empty() {
                    self.emit(message);
                }
            }
        }
    }

    /// Counts a message against the limits, then queues it (or drops an oversized one).
    fn emit(&mut self, message: String) {
        self.messages += 1;
        self.bytes += message.len() as u64;
        let limit = |what: String| Error::StreamLimit {
            method: synapse_transport::Method::GET,
            url: self.url.clone(),
            limit: what,
        };
        if let Some(max) = self.options.max_messages.filter(|m| self.messages > *m) {
            self.queue
                .push_back(Err(limit(format!("more than {max} messages"))));
            self.stop();
            return;
        }
        if let Some(max) = self.options.max_bytes.filter(|m| self.bytes > *m) {
            self.queue
                .push_back(Err(limit(format!("more than {max} bytes"))));
            self.stop();
            return;
        }
        if let Some(max) = self.options.max_message_chars
            && message.len() > max
            && message.chars().count() > max
        {
            tracing::debug!(url = %self.url, chars = message.chars().count(), "skipping an oversized log message");
            return;
        }
        self.queue.push_back(Ok(message));
    }
}

impl Stream for LogMessages {
    type Item = Result<String, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.queue.pop_front() {
                if item.is_err() {
                    this.queue.clear();
                    this.stop();
                }
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match std::task::ready!(Pin::new(&mut this.frames).poll_next(cx)) {
                Some(Ok(SseFrame::Event(data))) => this.payload(&data),
                Some(Ok(SseFrame::Line(line))) => this.emit(line),
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    // The partial event is lost with the connection: report, don't guess.
                    this.stop();
                    return Poll::Ready(Some(Err(e)));
                }
                None => this.done = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use synapse_transport::ByteStream;

    fn chunks(parts: &[&str]) -> ByteStream {
        let items: Vec<Result<bytes::Bytes, Error>> = parts
            .iter()
            .map(|p| Ok(bytes::Bytes::copy_from_slice(p.as_bytes())))
            .collect();
        Box::pin(futures_util::stream::iter(items))
    }

    async fn parse(parts: &[&str], options: TailOptions) -> Vec<Result<String, String>> {
        let lines = LineStream::new(
            chunks(parts),
            options.line_options(),
            Method::GET,
            "http://agent/jobs/x/logs/stream/".into(),
        );
        LogMessages::new(lines, options, "http://agent/jobs/x/logs/stream/".into())
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
            .await
    }

    fn ok(v: &[&str]) -> Vec<Result<String, String>> {
        v.iter().map(|s| Ok((*s).to_owned())).collect()
    }

    #[tokio::test]
    async fn sse_fields_events_and_plain_lines() {
        let got = parse(
            &[
                "event: log\nid: 1\nretry: 5\n: keepalive\n",
                "data: {\"type\": \"log\", \"message\": \"epoch 1\"}\n\n",
                "data:{\"type\":\"log\",\"message\":\"no space\"}\n\n",
                "data: {\"type\": \"connected\"}\n\n",
                "data: plain text\n\nraw line\n",
                "data: line one\ndata: line two\n\n",
                "data: {\"message\": 42}\n\n",
                "data: {\"type\": \"complete\"}\n\ndata: after the end\n\n",
            ],
            TailOptions::default(),
        )
        .await;
        assert_eq!(
            got,
            ok(&[
                "epoch 1",
                "no space",
                "plain text",
                "raw line",
                "line one\nline two",
                "42"
            ])
        );
    }

    #[tokio::test]
    async fn one_line_events_without_blank_lines_and_a_final_unterminated_event() {
        let got = parse(
            &[
                "data: {\"type\": \"log\", \"message\": \"a\"}\n",
                "data: {\"type\": \"log\", \"message\": \"b\"}\n",
                "\ndata: {\"message\": \"c\"}",
            ],
            TailOptions::default(),
        )
        .await;
        assert_eq!(got, ok(&["a", "b", "c"]));
    }

    #[tokio::test]
    async fn an_error_event_ends_the_stream_with_a_500() {
        let got = parse(
            &["data: {\"type\": \"log\", \"message\": \"x\"}\n\ndata: {\"type\": \"error\", \"message\": \"job not found\"}\n\ndata: {\"message\": \"y\"}\n\n"],
            TailOptions::default(),
        )
        .await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Ok("x".to_owned()));
        let err = got[1].clone().expect_err("error event");
        assert!(
            err.contains("500") && err.contains("job not found"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn limits_fail_or_skip() {
        let opts = TailOptions {
            max_messages: Some(2),
            ..TailOptions::default()
        };
        let got = parse(&["a\nb\nc\nd\n"], opts).await;
        assert_eq!(got.len(), 3);
        assert!(
            got[2]
                .clone()
                .expect_err("limit")
                .contains("more than 2 messages")
        );
        let opts = TailOptions {
            max_message_chars: Some(3),
            max_bytes: Some(10),
            ..TailOptions::default()
        };
        let got = parse(&["abc\nabcdefgh\nxyz\n"], opts).await;
        // "abcdefgh" is skipped but still counted: 3 + 8 bytes > 10.
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Ok("abc".to_owned()));
        assert!(
            got[1]
                .clone()
                .expect_err("bytes")
                .contains("more than 10 bytes")
        );
    }
}
