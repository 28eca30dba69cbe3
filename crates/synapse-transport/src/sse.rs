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
//!
//! With the `v2` feature, [`SseDecoder`] decodes the bytes of a stream into whole
//! [`SseEvent`]s (name, data, id) by the standard's framing, the v2 event streams' reader.

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
        let (field, value) = split_field(&line);
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

/// Splits an SSE line into its field and value: the text before the first `:` and the text
/// after it, one leading space removed; a line without `:` is a field with an empty value.
fn split_field(line: &str) -> (&str, &str) {
    match line.split_once(':') {
        Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
        None => (line, ""),
    }
}

#[cfg(feature = "v2")]
pub use decoder::{DEFAULT_MAX_EVENT_BYTES, SseDecoder, SseEvent};

#[cfg(feature = "v2")]
mod decoder {
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::time::Duration;

    use http::Method;
    use serde::de::DeserializeOwned;

    use super::split_field;
    use crate::Error;

    /// Largest event (its data and its current line) a [`SseDecoder`] holds by default: 16 MiB.
    pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

    /// One server-sent event.
    #[derive(Debug, Clone)]
    #[non_exhaustive]
    pub struct SseEvent {
        /// The event's name (its `event:` field), `message` when it has none.
        pub event: String,
        /// Its `data:` lines, joined with `\n`.
        pub data: String,
        /// The last event id the stream set (`id:`) when this event was dispatched.
        pub id: Option<String>,
        /// The (redacted) URL of the stream, for error messages.
        url: Arc<str>,
    }

    impl PartialEq for SseEvent {
        fn eq(&self, other: &Self) -> bool {
            (&self.event, &self.data, &self.id) == (&other.event, &other.data, &other.id)
        }
    }

    impl Eq for SseEvent {}

    impl SseEvent {
        /// An event named `event` carrying `data`, without an id.
        pub fn new(event: impl Into<String>, data: impl Into<String>) -> Self {
            SseEvent {
                event: event.into(),
                data: data.into(),
                id: None,
                url: Arc::from(""),
            }
        }

        /// Sets the id.
        pub fn with_id(mut self, id: impl Into<String>) -> Self {
            self.id = Some(id.into());
            self
        }

        /// Decodes the data as JSON into `T`; a failure is an [`Error::Decode`] with the
        /// JSON path and an excerpt of the data.
        pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
            crate::response::decode_json(
                &Method::GET,
                &self.url,
                http::StatusCode::OK,
                self.data.as_bytes(),
            )
        }
    }

    /// Decodes the bytes of an event stream into [`SseEvent`]s, as the HTML standard frames
    /// them:
    /// - lines end with CR LF, LF or CR (a CR at the end of one chunk and an LF at the
    ///   start of the next are one line end); a leading byte-order mark is dropped;
    /// - text is UTF-8 whatever the charset the server names (invalid bytes become U+FFFD);
    /// - `event:` names the event, `data:` lines are joined with `\n`, `id:` sets the last
    ///   event id (one containing NUL is ignored), `retry:` (digits only) sets the
    ///   reconnection delay, `:` lines are comments, other fields are ignored; one space
    ///   after the colon is removed;
    /// - a blank line dispatches the event when it has data;
    /// - an event (data and current line together) larger than the limit is
    ///   [`Error::StreamLimit`].
    ///
    /// ```
    /// use synapse_transport::SseDecoder;
    /// let mut decoder = SseDecoder::new("https://synapse.test/v2/events/");
    /// decoder.feed(b"event: status\r\nid: 7\r\ndata: {\"state\":")?;
    /// assert!(decoder.next_event().is_none());
    /// decoder.feed(b" \"up\"}\r\n\r\n: heartbeat\n")?;
    /// let event = decoder.next_event().expect("an event");
    /// assert_eq!((event.event.as_str(), event.id.as_deref()), ("status", Some("7")));
    /// assert_eq!(event.json::<serde_json::Value>()?["state"], "up");
    /// decoder.finish()?; // ends between events: a clean end
    /// # Ok::<(), synapse_transport::Error>(())
    /// ```
    #[derive(Debug)]
    pub struct SseDecoder {
        url: Arc<str>,
        /// Bytes of the current, unfinished line.
        line: Vec<u8>,
        /// The previous byte was a CR: an LF now belongs to it.
        after_cr: bool,
        /// The byte-order mark check is done.
        bom_checked: bool,
        event: Option<String>,
        data: Option<String>,
        /// A field line arrived since the last blank line: an event is under way.
        in_event: bool,
        /// The last event id buffer (`id:` fields).
        id_buffer: Option<String>,
        /// The last event id, as of the last dispatch.
        last_id: Option<String>,
        retry: Option<Duration>,
        max_event_bytes: usize,
        ready: VecDeque<SseEvent>,
    }

    impl SseDecoder {
        /// A decoder for the stream at `url` (redacted; it labels errors), with the default
        /// event size limit.
        pub fn new(url: impl Into<Arc<str>>) -> Self {
            SseDecoder {
                url: url.into(),
                line: Vec::new(),
                after_cr: false,
                bom_checked: false,
                event: None,
                data: None,
                in_event: false,
                id_buffer: None,
                last_id: None,
                retry: None,
                max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
                ready: VecDeque::new(),
            }
        }

        /// Sets the largest event held (data plus the current line), in bytes.
        pub fn max_event_bytes(mut self, limit: usize) -> Self {
            self.max_event_bytes = limit.max(1);
            self
        }

        /// Decodes more bytes; complete events wait in [`SseDecoder::next_event`]. An event
        /// over the size limit is [`Error::StreamLimit`] (the events before it stay
        /// queued).
        pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
            if !self.bom_checked {
                self.line.extend_from_slice(bytes);
                let bom = b"\xEF\xBB\xBF";
                let n = self.line.len().min(3);
                if self.line[..n] == bom[..n] && n < 3 {
                    return Ok(());
                }
                self.bom_checked = true;
                let start = if self.line.starts_with(bom) { 3 } else { 0 };
                let pending = std::mem::take(&mut self.line);
                return self.feed_checked(&pending[start..]);
            }
            self.feed_checked(bytes)
        }

        fn feed_checked(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
            while !bytes.is_empty() {
                let consumed = self.feed_some(bytes)?;
                bytes = &bytes[consumed..];
            }
            Ok(())
        }

        /// Consumes bytes up to and including the first line end (or all of them).
        fn feed_some(&mut self, bytes: &[u8]) -> Result<usize, Error> {
            if std::mem::take(&mut self.after_cr) && bytes[0] == b'\n' {
                return Ok(1);
            }
            match bytes.iter().position(|b| *b == b'\n' || *b == b'\r') {
                Some(i) => {
                    self.line.extend_from_slice(&bytes[..i]);
                    self.after_cr = bytes[i] == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.on_line(&String::from_utf8_lossy(&line))?;
                    Ok(i + 1)
                }
                None => {
                    self.line.extend_from_slice(bytes);
                    self.check_size()?;
                    Ok(bytes.len())
                }
            }
        }

        fn check_size(&self) -> Result<(), Error> {
            let held = self.line.len() + self.data.as_ref().map_or(0, String::len);
            if held > self.max_event_bytes {
                return Err(Error::StreamLimit {
                    method: Method::GET,
                    url: self.url.to_string(),
                    limit: format!("an event larger than {} bytes", self.max_event_bytes),
                });
            }
            Ok(())
        }

        fn on_line(&mut self, line: &str) -> Result<(), Error> {
            if line.is_empty() {
                self.dispatch();
                return Ok(());
            }
            if line.starts_with(':') {
                return Ok(());
            }
            self.in_event = true;
            let (field, value) = split_field(line);
            match field {
                "event" => self.event = Some(value.to_owned()),
                "data" => {
                    match &mut self.data {
                        Some(data) => {
                            data.push('\n');
                            data.push_str(value);
                        }
                        None => self.data = Some(value.to_owned()),
                    }
                    self.check_size()?;
                }
                "id" if !value.contains('\0') => {
                    self.id_buffer = (!value.is_empty()).then(|| value.to_owned());
                }
                "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                    if let Ok(ms) = value.parse::<u64>() {
                        self.retry = Some(Duration::from_millis(ms));
                    }
                }
                _ => {}
            }
            Ok(())
        }

        fn dispatch(&mut self) {
            self.in_event = false;
            self.last_id = self.id_buffer.clone();
            let event = self.event.take();
            let Some(data) = self.data.take() else {
                return;
            };
            self.ready.push_back(SseEvent {
                event: event
                    .filter(|e| !e.is_empty())
                    .unwrap_or_else(|| "message".to_owned()),
                data,
                id: self.last_id.clone(),
                url: self.url.clone(),
            });
        }

        /// The next complete event, if one is queued.
        pub fn next_event(&mut self) -> Option<SseEvent> {
            self.ready.pop_front()
        }

        /// The end of the bytes. A stream that ends between events (after a blank line or a
        /// comment) ends cleanly; one that ends inside a line or an event (any field
        /// without the blank line that closes it) was cut short:
        /// [`Error::ResponseIncomplete`], and the unfinished event is dropped.
        pub fn finish(&mut self) -> Result<(), Error> {
            let cut = !self.line.is_empty() || self.in_event;
            self.reset_connection();
            if cut {
                return Err(Error::ResponseIncomplete {
                    method: Method::GET,
                    url: self.url.to_string(),
                    message: "the event stream ended inside an event".to_owned(),
                    timed_out: false,
                    source: None,
                });
            }
            Ok(())
        }

        /// Forgets the unfinished line and event of a connection that ended, keeping the
        /// last event id and the reconnection delay for the next connection.
        pub fn reset_connection(&mut self) {
            self.line.clear();
            self.after_cr = false;
            self.bom_checked = false;
            self.event = None;
            self.data = None;
            self.in_event = false;
            self.id_buffer = self.last_id.clone();
        }

        /// The last event id (sent as `Last-Event-ID` when reconnecting).
        pub fn last_event_id(&self) -> Option<&str> {
            self.last_id.as_deref()
        }

        /// The reconnection delay the server asked for (`retry:`).
        pub fn retry(&self) -> Option<Duration> {
            self.retry
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn decode(chunks: &[&[u8]]) -> (Vec<SseEvent>, Result<(), Error>) {
            let mut d = SseDecoder::new("u");
            let mut out = Vec::new();
            for c in chunks {
                d.feed(c).expect("feed");
                while let Some(e) = d.next_event() {
                    out.push(e);
                }
            }
            let end = d.finish();
            (out, end)
        }

        #[test]
        fn standard_framing() {
            let (events, end) = decode(&[
                b"\xEF\xBB\xBFdata: a\r\ndata:b\rdata:  c\n\n: hb\nevent: x\nid: 1\ndata\n\n",
                b"id: 2\0\nretry: 1500\nretry: x\nfoo: bar\ndata: d\r",
                b"\n\r",
            ]);
            assert!(end.is_ok());
            assert_eq!(
                events,
                [
                    SseEvent::new("message", "a\nb\n c"),
                    SseEvent::new("x", "").with_id("1"),
                    SseEvent::new("message", "d").with_id("1"),
                ]
            );
        }

        #[test]
        fn split_bom_crlf_and_characters() {
            let (events, end) = decode(&[
                b"\xEF",
                b"\xBB",
                b"\xBFdata: caf\xC3",
                b"\xA9\r",
                b"\n",
                b"\r\n",
            ]);
            assert!(end.is_ok());
            assert_eq!(events, [SseEvent::new("message", "café")]);
        }

        #[test]
        fn a_cut_inside_an_event_or_a_line_is_an_error() {
            for body in [&b"data: x\n"[..], b"data: x", b": comm", b"event: y\n"] {
                let (events, end) = decode(&[body]);
                assert!(events.is_empty());
                assert!(
                    matches!(end, Err(Error::ResponseIncomplete { .. })),
                    "{body:?}"
                );
            }
            let (_, end) = decode(&[b"id: 3\n: ok\n"]);
            assert!(matches!(end, Err(Error::ResponseIncomplete { .. })));
            let (_, end) = decode(&[b"id: 3\n\n: ok\n"]);
            assert!(end.is_ok());
        }

        #[test]
        fn the_size_limit_is_a_typed_error() {
            let mut d = SseDecoder::new("u").max_event_bytes(8);
            d.feed(b"data: 1234\n\n").expect("fits");
            let err = d.feed(b"data: 123456789").expect_err("too large");
            assert!(matches!(err, Error::StreamLimit { .. }));
            assert_eq!(d.next_event(), Some(SseEvent::new("message", "1234")));
        }
    }
}
