//! A small `multipart/form-data` parser for the fake's upload endpoints.

use bytes::Bytes;

/// One parsed part.
pub(crate) struct FormPart {
    pub name: String,
    pub filename: Option<String>,
    pub data: Bytes,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|i| i + from)
}

fn param(header: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=\"");
    let start = header.find(&pat)? + pat.len();
    let end = header[start..].find('"')? + start;
    Some(header[start..end].to_owned())
}

/// Parses `body` with the boundary of `content_type`; `None` when it is not multipart or
/// is malformed.
pub(crate) fn parse(content_type: &str, body: &Bytes) -> Option<Vec<FormPart>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"')
        .to_owned();
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        pos += 2; // CRLF after the boundary line
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let disposition = head
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let name = param(disposition, "name")?;
        let filename = param(disposition, "filename");
        let data_start = head_end + 4;
        let end_delim = format!("\r\n{delim}");
        let data_end = find(body, end_delim.as_bytes(), data_start)?;
        parts.push(FormPart {
            name,
            filename,
            data: body.slice(data_start..data_end),
        });
        pos = data_end + end_delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_files() {
        let body = Bytes::from_static(
            b"--XY\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\nm.bin\r\n--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\n\x00\r\n\x01\r\n--XY--\r\n",
        );
        let parts = parse("multipart/form-data; boundary=XY", &body).expect("parsed");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "filename");
        assert_eq!(&parts[0].data[..], b"m.bin");
        assert_eq!(parts[1].filename.as_deref(), Some("file"));
        assert_eq!(&parts[1].data[..], b"\x00\r\n\x01");
        assert!(parse("application/json", &body).is_none());
    }
}

/// What the streaming parser reports.
pub(crate) enum Event {
    /// A part starts.
    Part { name: String },
    /// Bytes of the current part.
    Data(Bytes),
}

enum PState {
    Boundary,
    Headers,
    Data,
    Done,
}

/// An incremental `multipart/form-data` parser: feed it body frames, it reports parts and
/// their bytes without holding a whole part in memory.
pub(crate) struct StreamParser {
    delim: Vec<u8>,
    buf: bytes::BytesMut,
    state: PState,
}

impl StreamParser {
    /// A parser for the boundary of `content_type`.
    pub(crate) fn new(content_type: &str) -> Option<Self> {
        let boundary = content_type
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("boundary="))?
            .trim_matches('"');
        let mut buf = bytes::BytesMut::new();
        // The first boundary has no CRLF before it; add one so every delimiter looks alike.
        buf.extend_from_slice(b"\r\n");
        Some(StreamParser {
            delim: format!("\r\n--{boundary}").into_bytes(),
            buf,
            state: PState::Boundary,
        })
    }

    /// True once the closing boundary was seen.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, PState::Done)
    }

    /// Feeds a frame; `None` on malformed input.
    pub(crate) fn feed(&mut self, chunk: &[u8], out: &mut impl FnMut(Event)) -> Option<()> {
        self.buf.extend_from_slice(chunk);
        loop {
            match self.state {
                PState::Done => return Some(()),
                PState::Boundary => {
                    let Some(at) = find(&self.buf, &self.delim, 0) else {
                        return Some(());
                    };
                    let after = at + self.delim.len();
                    if self.buf.len() < after + 2 {
                        return Some(());
                    }
                    let tail = [self.buf[after], self.buf[after + 1]];
                    let _ = self.buf.split_to(after + 2);
                    self.state = match &tail {
                        b"\r\n" => PState::Headers,
                        b"--" => PState::Done,
                        _ => return None,
                    };
                }
                PState::Headers => {
                    let Some(end) = find(&self.buf, b"\r\n\r\n", 0) else {
                        return Some(());
                    };
                    let head = std::str::from_utf8(&self.buf[..end]).ok()?.to_owned();
                    let _ = self.buf.split_to(end + 4);
                    let disposition = head
                        .split("\r\n")
                        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
                    out(Event::Part {
                        name: param(disposition, "name")?,
                    });
                    self.state = PState::Data;
                }
                PState::Data => match find(&self.buf, &self.delim, 0) {
                    Some(at) => {
                        if at > 0 {
                            out(Event::Data(self.buf.split_to(at).freeze()));
                        }
                        self.state = PState::Boundary;
                    }
                    None => {
                        let keep = self.delim.len() - 1;
                        if self.buf.len() > keep {
                            let n = self.buf.len() - keep;
                            out(Event::Data(self.buf.split_to(n).freeze()));
                        }
                        return Some(());
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    #[test]
    fn frames_split_anywhere_give_the_same_parts() {
        let body: &[u8] = b"--XY\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\nm.bin\r\n--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\n\x00\r\n-\x01\r\n--XY--\r\n";
        for split in 1..body.len() {
            let mut p = StreamParser::new("multipart/form-data; boundary=XY").expect("parser");
            let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
            let mut on = |e: Event| match e {
                Event::Part { name, .. } => parts.push((name, Vec::new())),
                Event::Data(d) => parts.last_mut().expect("part").1.extend_from_slice(&d),
            };
            p.feed(&body[..split], &mut on).expect("ok");
            p.feed(&body[split..], &mut on).expect("ok");
            assert!(p.is_done(), "split at {split}");
            assert_eq!(parts.len(), 2);
            assert_eq!(parts[0].1, b"m.bin");
            assert_eq!(parts[1].1, b"\x00\r\n-\x01", "split at {split}");
        }
    }
}
