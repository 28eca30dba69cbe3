//! [`LineStream`]: text lines from a [`ByteStream`], yielded as soon as their terminator
//! arrives.
//!
//! - [`LineMode::SplitLines`] (default) splits like Python's `str.splitlines()`: `\n`,
//!   `\r\n`, `\r`, `\x0b`, `\x0c`, `\x1c`–`\x1e`, U+0085, U+2028, U+2029 — parity with the
//!   Python SDK's tail, and what `\r` progress bars need. [`LineMode::Newline`] splits on
//!   `\n` and `\r\n` only.
//! - Terminators are stripped; empty lines are yielded; a final unterminated line is yielded;
//!   `"a\n"` gives `["a"]`. A `\r\n` split across two chunks is one terminator.
//! - Text is decoded as UTF-8, lossily, whatever the charset; multi-byte characters split
//!   across chunks are decoded correctly.
//! - A line longer than `max_line_bytes` is yielded in pieces of that size: memory stays
//!   bounded and nothing is lost.
//! - An optional idle timeout ends the stream with [`TimeoutKind::Idle`] when no bytes arrive
//!   for that long. A body cut short ends with its error, never with a clean end.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use futures_core::Stream;
use http::Method;

use crate::error::TimeoutKind;
use crate::{ByteStream, Error};

/// Which terminators split lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineMode {
    /// Python `str.splitlines()` terminators (the Python SDK's behaviour).
    #[default]
    SplitLines,
    /// `\n` and `\r\n` only.
    Newline,
}

/// Options of a [`LineStream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineOptions {
    /// Terminators.
    pub mode: LineMode,
    /// Longest line held in memory before it is yielded in pieces (default 1 MiB).
    pub max_line_bytes: usize,
    /// End the stream with a timeout error when nothing arrives for this long.
    pub idle_timeout: Option<Duration>,
}

impl Default for LineOptions {
    fn default() -> Self {
        LineOptions {
            mode: LineMode::SplitLines,
            max_line_bytes: 1024 * 1024,
            idle_timeout: None,
        }
    }
}

/// A stream of lines; see the module documentation.
pub struct LineStream {
    body: Option<ByteStream>,
    buf: BytesMut,
    options: LineOptions,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The idle deadline starts at the first poll, not at construction.
    polled: bool,
    method: Method,
    url: String,
}

impl std::fmt::Debug for LineStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineStream")
            .field("url", &self.url)
            .field("buffered", &self.buf.len())
            .field("options", &self.options)
            .finish()
    }
}

impl LineStream {
    /// Splits `body` into lines; `method` and `url` (redacted) label timeout errors.
    pub fn new(body: ByteStream, options: LineOptions, method: Method, url: String) -> Self {
        LineStream {
            body: Some(body),
            buf: BytesMut::new(),
            options,
            idle: options
                .idle_timeout
                .map(|d| Box::pin(tokio::time::sleep(d))),
            polled: false,
            method,
            url,
        }
    }

    /// The (redacted) URL the lines come from.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Takes one complete line from the buffer, if there is one. `eof` allows a trailing
    /// `\r` or an incomplete multi-byte terminator to be decided without more input.
    fn take_line(&mut self, eof: bool) -> Option<String> {
        // A zero limit is taken as one byte: it would yield empty pieces forever.
        let max = self.options.max_line_bytes.max(1);
        let found = find_terminator(&self.buf, self.options.mode, eof);
        match found {
            Some((start, len)) => {
                let line = decode(&self.buf[..start]);
                self.buf.advance(start + len);
                Some(line)
            }
            None if self.buf.len() >= max => {
                let mut cut = max;
                // Never split a UTF-8 character.
                while cut > 0 && cut < self.buf.len() && (self.buf[cut] & 0xC0) == 0x80 {
                    cut -= 1;
                }
                let cut = if cut == 0 { max } else { cut };
                let line = decode(&self.buf[..cut]);
                self.buf.advance(cut);
                Some(line)
            }
            None if eof && !self.buf.is_empty() => {
                let line = decode(&self.buf);
                self.buf.clear();
                Some(line)
            }
            None => None,
        }
    }
}

fn decode(bytes: &[u8]) -> String {
    // Valid UTF-8 (the usual case) is checked by the standard library's word-at-a-time
    // validation; only invalid input takes the slower lossy path.
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The bytes that may start a terminator, by mode: one table lookup per byte of text.
const fn candidates(split_lines: bool) -> [bool; 256] {
    let mut table = [false; 256];
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    if split_lines {
        table[0x0b] = true;
        table[0x0c] = true;
        table[0x1c] = true;
        table[0x1d] = true;
        table[0x1e] = true;
        table[0xC2] = true;
        table[0xE2] = true;
    }
    table
}

static SPLIT_LINES_CANDIDATES: [bool; 256] = candidates(true);
static NEWLINE_CANDIDATES: [bool; 256] = candidates(false);

/// Bytes tested together: one block is a couple of vector compares.
const BLOCK: usize = 32;

/// Whether `block` may hold a terminator's first byte: a branch-free test over the whole
/// block, which the compiler turns into vector compares (split-lines mode: a byte below
/// `0x1f`, `0xC2` or `0xE2`; newline mode: `\n` or `\r`).
fn block_has_candidate(block: &[u8], mode: LineMode) -> bool {
    match mode {
        LineMode::SplitLines => block.iter().fold(false, |hit, &b| {
            hit | (b < 0x1f) | (b == 0xC2) | (b == 0xE2)
        }),
        LineMode::Newline => block
            .iter()
            .fold(false, |hit, &b| hit | (b == b'\n') | (b == b'\r')),
    }
}

/// The index of the first byte at or after `from` that may start a terminator. Plain text
/// is skipped a block at a time; the block that may hold a candidate (and the tail shorter
/// than a block) is then read byte by byte.
fn next_candidate(buf: &[u8], from: usize, mode: LineMode) -> Option<usize> {
    let rest = buf.get(from..)?;
    let skipped = rest
        .chunks_exact(BLOCK)
        .take_while(|block| !block_has_candidate(block, mode))
        .count()
        * BLOCK;
    let table = match mode {
        LineMode::SplitLines => &SPLIT_LINES_CANDIDATES,
        LineMode::Newline => &NEWLINE_CANDIDATES,
    };
    let i = from + skipped;
    buf.get(i..)?
        .iter()
        .position(|b| table[usize::from(*b)])
        .map(|p| p + i)
}

/// Finds the first terminator: `(index, length)`. Returns `None` when the buffer ends in a
/// byte that may start a longer terminator and more input may follow.
fn find_terminator(buf: &[u8], mode: LineMode, eof: bool) -> Option<(usize, usize)> {
    let mut i = 0;
    loop {
        // Skip plain text in one fast scan, then decide on the candidate byte.
        i = next_candidate(buf, i, mode)?;
        match buf[i] {
            b'\n' => return Some((i, 1)),
            b'\r' => match buf.get(i + 1) {
                Some(b'\n') => return Some((i, 2)),
                Some(_) if mode == LineMode::SplitLines => return Some((i, 1)),
                None if eof && mode == LineMode::SplitLines => return Some((i, 1)),
                // More input may bring the `\n` of a `\r\n`.
                None => return None,
                // Newline mode: a lone `\r` is text.
                Some(_) => {}
            },
            0xC2 => match buf.get(i + 1) {
                Some(0x85) => return Some((i, 2)),
                None if !eof => return None,
                _ => {}
            },
            0xE2 => match (buf.get(i + 1), buf.get(i + 2)) {
                (Some(0x80), Some(0xA8 | 0xA9)) => return Some((i, 3)),
                (None, _) | (Some(0x80), None) if !eof => return None,
                _ => {}
            },
            // \x0b, \x0c, \x1c-\x1e (splitlines mode only reaches here).
            _ => return Some((i, 1)),
        }
        i += 1;
    }
}

impl Stream for LineStream {
    type Item = Result<String, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.polled {
            this.polled = true;
            if let (Some(sleep), Some(d)) = (this.idle.as_mut(), this.options.idle_timeout) {
                sleep.as_mut().reset(tokio::time::Instant::now() + d);
            }
        }
        loop {
            let eof = this.body.is_none();
            if let Some(line) = this.take_line(eof) {
                return Poll::Ready(Some(Ok(line)));
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    if this.buf.is_empty() {
                        // Nothing pending: take the chunk as the buffer (no copy when the
                        // chunk is its buffer's only owner).
                        this.buf = BytesMut::from(chunk);
                    } else {
                        this.buf.extend_from_slice(&chunk);
                    }
                    if let (Some(sleep), Some(d)) = (this.idle.as_mut(), this.options.idle_timeout)
                    {
                        sleep.as_mut().reset(tokio::time::Instant::now() + d);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    // The partial line is dropped with the connection: report, don't guess.
                    this.body = None;
                    this.buf.clear();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => this.body = None,
                Poll::Pending => {
                    if let Some(sleep) = this.idle.as_mut()
                        && sleep.as_mut().poll(cx).is_ready()
                    {
                        this.body = None;
                        this.buf.clear();
                        return Poll::Ready(Some(Err(Error::Timeout {
                            kind: TimeoutKind::Idle,
                            method: this.method.clone(),
                            url: this.url.clone(),
                        })));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use futures_util::StreamExt;

    async fn split(chunks: &[&[u8]], mode: LineMode) -> Vec<String> {
        let opts = LineOptions {
            mode,
            ..LineOptions::default()
        };
        split_with(chunks, opts).await
    }

    /// The lines of a body arriving as `chunks`.
    async fn split_with(chunks: &[&[u8]], opts: LineOptions) -> Vec<String> {
        let items: Vec<Result<Bytes, Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body: ByteStream = Box::pin(futures_util::stream::iter(items));
        LineStream::new(body, opts, Method::GET, "u".into())
            .map(|r| r.expect("line"))
            .collect()
            .await
    }

    #[tokio::test]
    async fn python_splitlines_semantics() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(split(&[b"a\n"], LineMode::SplitLines).await, s(&["a"]));
        assert_eq!(
            split(&[b"a\n\nb"], LineMode::SplitLines).await,
            s(&["a", "", "b"])
        );
        assert_eq!(
            split(&[b"10%\r20%\r\ndone\x0bx\x0cy\x1cz"], LineMode::SplitLines).await,
            s(&["10%", "20%", "done", "x", "y", "z"])
        );
        assert_eq!(
            split(
                &["a\u{85}b\u{2028}c\u{2029}d".as_bytes()],
                LineMode::SplitLines
            )
            .await,
            s(&["a", "b", "c", "d"])
        );
        assert_eq!(
            split(&[b""], LineMode::SplitLines).await,
            Vec::<String>::new()
        );
    }

    #[tokio::test]
    async fn terminators_and_characters_split_across_chunks() {
        // `\r` | `\n` across chunks is one terminator (Python yields a spurious "").
        assert_eq!(
            split(&[b"a\r", b"\nb"], LineMode::SplitLines).await,
            vec!["a", "b"]
        );
        // U+2028 split 1|2 bytes, and "é" split across chunks.
        assert_eq!(
            split(
                &[b"x\xE2", b"\x80\xA8caf\xC3", b"\xA9\n"],
                LineMode::SplitLines
            )
            .await,
            vec!["x", "café"]
        );
        // A trailing `\r` at the very end is a terminator.
        assert_eq!(split(&[b"a\r"], LineMode::SplitLines).await, vec!["a"]);
    }

    #[tokio::test]
    async fn newline_mode_keeps_carriage_returns() {
        assert_eq!(
            split(&[b"10%\r20%\r\nnext\x0bsame\n"], LineMode::Newline).await,
            vec!["10%\r20%", "next\x0bsame"]
        );
    }

    #[tokio::test]
    async fn many_lines_in_one_chunk_come_out_in_order() {
        let text: String = (0..1000).map(|i| format!("line {i} é\n")).collect();
        let expected: Vec<String> = (0..1000).map(|i| format!("line {i} é")).collect();
        assert_eq!(
            split(&[text.as_bytes()], LineMode::SplitLines).await,
            expected
        );
        // Invalid UTF-8 in one line: that line alone is converted lossily.
        let mut bytes = text.into_bytes();
        bytes[300 * 11] = 0xFF;
        let lines = split(&[&bytes], LineMode::Newline).await;
        assert_eq!(lines.len(), 1000);
        let changed: Vec<usize> = (0..1000).filter(|&i| lines[i] != expected[i]).collect();
        assert_eq!(changed.len(), 1);
        assert!(
            lines[changed[0]].contains('\u{FFFD}'),
            "{:?}",
            lines[changed[0]]
        );
    }

    #[tokio::test]
    async fn long_lines_are_yielded_in_bounded_pieces() {
        let opts = LineOptions {
            max_line_bytes: 4,
            ..LineOptions::default()
        };
        assert_eq!(
            split_with(&[&[b'x'; 10]], opts).await,
            vec!["xxxx", "xxxx", "xx"]
        );
        // Exactly the limit, and a multi-byte character straddling it.
        assert_eq!(
            split_with(&[b"abcd", "xyzé".as_bytes(), b"\n"], opts).await,
            vec!["abcd", "xyz", "é"]
        );
        // A zero limit is taken as one byte: the stream still ends.
        let zero = LineOptions {
            max_line_bytes: 0,
            ..LineOptions::default()
        };
        assert_eq!(split_with(&[b"ab"], zero).await, vec!["a", "b"]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_idle_deadline_starts_at_the_first_poll() {
        let body: ByteStream = Box::pin(futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok(Bytes::from_static(b"late but fine\n"))
        }));
        let opts = LineOptions {
            idle_timeout: Some(Duration::from_secs(30)),
            ..LineOptions::default()
        };
        let mut lines = LineStream::new(body, opts, Method::GET, "u".into());
        // Built long before anyone polls it (a lazy request not sent yet).
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(
            lines.next().await.expect("line").expect("ok"),
            "late but fine"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn idle_timeout_ends_a_silent_stream() {
        let body: ByteStream = Box::pin(
            futures_util::stream::iter(vec![Ok(Bytes::from_static(b"hello\n"))])
                .chain(futures_util::stream::pending()),
        );
        let opts = LineOptions {
            idle_timeout: Some(Duration::from_secs(30)),
            ..LineOptions::default()
        };
        let mut lines = LineStream::new(body, opts, Method::GET, "https://h/tail/".into());
        assert_eq!(lines.next().await.expect("line").expect("ok"), "hello");
        let err = lines.next().await.expect("timeout").expect_err("idle");
        assert!(matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Idle,
                ..
            }
        ));
        assert!(lines.next().await.is_none());
    }

    /// The block-at-a-time scan finds what a byte-by-byte scan finds.
    fn naive(buf: &[u8], from: usize, mode: LineMode) -> Option<usize> {
        let table = match mode {
            LineMode::SplitLines => &SPLIT_LINES_CANDIDATES,
            LineMode::Newline => &NEWLINE_CANDIDATES,
        };
        buf.get(from..)?
            .iter()
            .position(|b| table[usize::from(*b)])
            .map(|p| p + from)
    }

    /// Bytes rich in terminators and in their pieces.
    fn line_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        let byte = proptest::prop_oneof![
            proptest::prelude::Just(b'\n'),
            proptest::prelude::Just(b'\r'),
            proptest::prelude::Just(0x0bu8),
            proptest::prelude::Just(0xC2u8),
            proptest::prelude::Just(0x85u8),
            proptest::prelude::Just(0xE2u8),
            proptest::prelude::Just(0x80u8),
            proptest::prelude::Just(0xA8u8),
            b'a'..=b'z',
            proptest::prelude::any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..200)
    }

    /// `body` cut at the given offsets (clamped, in any order) into consecutive chunks.
    fn cut_at(body: &[u8], cuts: Vec<usize>) -> Vec<&[u8]> {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(body.len())).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for cut in cuts.into_iter().chain([body.len()]) {
            chunks.push(&body[at..cut]);
            at = cut;
        }
        chunks
    }

    proptest::proptest! {
        #[test]
        fn any_chunking_gives_the_lines_of_the_whole_body(
            body in line_bytes(),
            cuts in proptest::collection::vec(0usize..200, 0..8),
            newline_mode in proptest::prelude::any::<bool>(),
        ) {
            let mode = if newline_mode { LineMode::Newline } else { LineMode::SplitLines };
            let chunks = cut_at(&body, cuts);
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            let whole = runtime.block_on(split(&[&body], mode));
            let chunked = runtime.block_on(split(&chunks, mode));
            proptest::prop_assert_eq!(chunked, whole);
        }

        #[test]
        fn lines_equal_a_line_by_line_lossy_split(
            body in line_bytes(),
            cuts in proptest::collection::vec(0usize..200, 0..8),
            newline_mode in proptest::prelude::any::<bool>(),
        ) {
            // The reference: each line found in the whole body, converted on its own.
            let mode = if newline_mode { LineMode::Newline } else { LineMode::SplitLines };
            let mut expected = Vec::new();
            let mut rest: &[u8] = &body;
            while !rest.is_empty() {
                let (line, next) = match find_terminator(rest, mode, true) {
                    Some((start, len)) => (&rest[..start], start + len),
                    None => (rest, rest.len()),
                };
                expected.push(String::from_utf8_lossy(line).into_owned());
                rest = &rest[next..];
            }
            let chunks = cut_at(&body, cuts);
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            proptest::prop_assert_eq!(runtime.block_on(split(&chunks, mode)), expected);
        }

        #[test]
        fn the_fast_scan_agrees_with_a_byte_scan(
            buf in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100),
            text in proptest::collection::vec(0x20u8..0x7f, 0..100),
            at in 0usize..100,
            from in 0usize..40,
        ) {
            // Random bytes, and plain text with one random byte planted in it.
            let mut planted = text.clone();
            if !buf.is_empty() {
                let at = at.min(planted.len());
                planted.insert(at, buf[0]);
            }
            for input in [&buf, &planted] {
                for mode in [LineMode::SplitLines, LineMode::Newline] {
                    proptest::prop_assert_eq!(
                        next_candidate(input, from, mode),
                        naive(input, from, mode)
                    );
                }
            }
        }
    }

    #[test]
    fn every_candidate_byte_is_found_at_every_offset_of_a_block() {
        for mode in [LineMode::SplitLines, LineMode::Newline] {
            for byte in 0..=255u8 {
                for at in 0..3 * BLOCK + 5 {
                    let mut buf = vec![b'a'; 3 * BLOCK + 5];
                    buf[at] = byte;
                    assert_eq!(
                        next_candidate(&buf, 0, mode),
                        naive(&buf, 0, mode),
                        "{mode:?} {byte:#x} at {at}"
                    );
                }
            }
        }
    }
}
