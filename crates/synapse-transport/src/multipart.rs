//! `multipart/form-data` bodies whose file parts stream from disk with a known length.
//!
//! The layout is exactly the Python SDK's: parts in the order added, each with only a
//! `Content-Disposition` header (no part `Content-Type`), CRLF line endings and a boundary of
//! 32 lower-case hex characters.

use std::fmt;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

use crate::Error;

/// Size of the buffer used to read file parts.
const READ_BUF: usize = 256 * 1024;

/// A byte range of a file on disk, read lazily each time a body is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRange {
    /// The file.
    pub path: PathBuf,
    /// First byte of the range.
    pub offset: u64,
    /// Number of bytes.
    pub len: u64,
}

impl FileRange {
    /// The whole file; its length is read from the file system now.
    pub fn whole(path: impl Into<PathBuf>) -> Result<Self, Error> {
        let path = path.into();
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(Some(path.clone()), e))?;
        if !meta.is_file() {
            return Err(Error::invalid_input(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        // Fail now, not mid-request, on a file that cannot be read.
        std::fs::File::open(&path).map_err(|e| Error::io(Some(path.clone()), e))?;
        Ok(FileRange {
            path,
            offset: 0,
            len: meta.len(),
        })
    }

    /// `len` bytes of `path` starting at `offset`.
    pub fn new(path: impl Into<PathBuf>, offset: u64, len: u64) -> Self {
        FileRange {
            path: path.into(),
            offset,
            len,
        }
    }

    /// Streams the range in chunks of at most 256 KiB; a file shorter than the range is an error.
    pub fn stream(&self) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        let range = self.clone();
        futures_util::stream::unfold(
            (range, None::<tokio::fs::File>, 0u64),
            |(range, file, done)| async move {
                if done >= range.len {
                    return None;
                }
                let mut file = match file {
                    Some(f) => f,
                    None => match open_at(&range.path, range.offset).await {
                        Ok(f) => f,
                        Err(e) => return Some((Err(e), (range, None, u64::MAX))),
                    },
                };
                let want = (range.len - done).min(READ_BUF as u64) as usize;
                let mut buf = BytesMut::zeroed(want);
                match file.read(&mut buf).await {
                    Ok(0) => Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            format!(
                                "{} ended {} bytes before the expected range end",
                                range.path.display(),
                                range.len - done
                            ),
                        )),
                        (range, None, u64::MAX),
                    )),
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok(buf.freeze()), (range, Some(file), done + n as u64)))
                    }
                    Err(e) => Some((Err(e), (range, None, u64::MAX))),
                }
            },
        )
    }
}

async fn open_at(path: &Path, offset: u64) -> std::io::Result<tokio::fs::File> {
    let mut file = tokio::fs::File::open(path).await?;
    if offset > 0 {
        file.seek(SeekFrom::Start(offset)).await?;
    }
    Ok(file)
}

/// A boxed reader, taken out of its slot when first streamed.
type ReaderSlot = Arc<Mutex<Option<Pin<Box<dyn AsyncRead + Send>>>>>;

/// A reader of known length that can be streamed once (a body built from it cannot be
/// re-sent: a retry or redirect that needs it again fails with an I/O error instead of
/// sending an empty or short body).
#[derive(Clone)]
pub struct OneShotReader {
    len: u64,
    inner: ReaderSlot,
}

impl OneShotReader {
    /// Wraps `reader`, which must yield exactly `len` bytes.
    pub fn new(len: u64, reader: impl AsyncRead + Send + 'static) -> Self {
        OneShotReader {
            len,
            inner: Arc::new(Mutex::new(Some(Box::pin(reader)))),
        }
    }

    /// The declared length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for a zero-length reader.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn stream(&self) -> Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>> {
        let taken = self.inner.lock().ok().and_then(|mut g| g.take());
        let Some(reader) = taken else {
            return Box::pin(futures_util::stream::iter([Err(std::io::Error::other(
                "a body built from a reader can be sent only once",
            ))]));
        };
        let len = self.len;
        Box::pin(futures_util::stream::unfold(
            (reader, 0u64, false),
            move |(mut reader, done, failed)| async move {
                if failed || done >= len {
                    return None;
                }
                let want = (len - done).min(READ_BUF as u64) as usize;
                let mut buf = BytesMut::zeroed(want);
                match reader.read(&mut buf).await {
                    Ok(0) => Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            format!(
                                "the reader ended {} bytes before its declared length",
                                len - done
                            ),
                        )),
                        (reader, done, true),
                    )),
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok(buf.freeze()), (reader, done + n as u64, false)))
                    }
                    Err(e) => Some((Err(e), (reader, done, true))),
                }
            },
        ))
    }
}

impl fmt::Debug for OneShotReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OneShotReader({} bytes)", self.len)
    }
}

impl PartialEq for OneShotReader {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for OneShotReader {}

/// The content of one part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartData {
    /// Bytes held in memory (text fields).
    Bytes(Bytes),
    /// A file range streamed from disk (re-read for every send).
    File(FileRange),
    /// A reader of known length, streamed once.
    Reader(OneShotReader),
}

impl PartData {
    /// The length of the part's content.
    pub fn len(&self) -> u64 {
        match self {
            PartData::Bytes(b) => b.len() as u64,
            PartData::File(f) => f.len,
            PartData::Reader(r) => r.len,
        }
    }

    /// True when the content is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field name.
    pub name: String,
    /// The file name, for file parts.
    pub filename: Option<String>,
    /// The content.
    pub data: PartData,
}

impl Part {
    /// The part's header block (boundary line, `Content-Disposition`, blank line).
    pub(crate) fn header(&self, boundary: &str) -> String {
        let mut h = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            escape_param(&self.name)
        );
        if let Some(filename) = &self.filename {
            h.push_str(&format!("; filename=\"{}\"", escape_param(filename)));
        }
        h.push_str("\r\n\r\n");
        h
    }
}

/// HTML5-style escaping of a quoted parameter, as urllib3 does.
fn escape_param(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A callback told `(bytes so far, total)` of a body's file parts as they stream.
#[derive(Clone)]
pub struct BodyProgress(Arc<dyn Fn(u64, u64) + Send + Sync>);

impl BodyProgress {
    /// Wraps `f`, called with the file bytes streamed so far and their total.
    pub fn new(f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        BodyProgress(Arc::new(f))
    }
}

impl fmt::Debug for BodyProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyProgress")
    }
}

impl PartialEq for BodyProgress {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for BodyProgress {}

/// A `multipart/form-data` body description; cheap to clone and re-stream for a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    boundary: String,
    parts: Vec<Part>,
    progress: Option<BodyProgress>,
}

impl Default for Multipart {
    fn default() -> Self {
        Self::new()
    }
}

impl Multipart {
    /// An empty body with a random 32-hex-character boundary.
    pub fn new() -> Self {
        Self::with_boundary(random_boundary())
    }

    /// An empty body with the given boundary (for reproducible tests).
    pub fn with_boundary(boundary: impl Into<String>) -> Self {
        Multipart {
            boundary: boundary.into(),
            parts: Vec::new(),
            progress: None,
        }
    }

    /// Reports the file parts' bytes (those added with [`Multipart::file`], [`Multipart::bytes`]
    /// or [`Multipart::reader`]) as the body streams: `(so far, total)`, after every chunk.
    /// Each send of the body counts from zero again. The bytes sent do not change.
    pub fn progress(mut self, progress: BodyProgress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: None,
            data: PartData::Bytes(Bytes::from(value.into())),
        });
        self
    }

    /// Adds a file part from bytes in memory.
    pub fn bytes(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: Some(filename.into()),
            data: PartData::Bytes(data.into()),
        });
        self
    }

    /// Adds a file part streamed from a byte range of a file.
    pub fn file(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        range: FileRange,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: Some(filename.into()),
            data: PartData::File(range),
        });
        self
    }

    /// Adds a file part streamed once from a reader of known length.
    pub fn reader(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        reader: OneShotReader,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: Some(filename.into()),
            data: PartData::Reader(reader),
        });
        self
    }

    /// The boundary.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The parts, in wire order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The `Content-Type` header value.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The exact body length in bytes.
    pub fn content_length(&self) -> u64 {
        let parts: u64 = self
            .parts
            .iter()
            .map(|p| p.header(&self.boundary).len() as u64 + p.data.len() + 2)
            .sum();
        parts + self.boundary.len() as u64 + 6
    }

    /// Streams the encoded body; only one 256 KiB buffer of a file is in memory at a time.
    pub fn stream(&self) -> Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>> {
        let mut pieces: Vec<Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>> =
            Vec::with_capacity(self.parts.len() * 3 + 1);
        let total: u64 = self
            .parts
            .iter()
            .filter(|p| p.filename.is_some())
            .map(|p| p.data.len())
            .sum();
        let sent = Arc::new(AtomicU64::new(0));
        for part in &self.parts {
            let head = Bytes::from(part.header(&self.boundary));
            pieces.push(Box::pin(futures_util::stream::iter([Ok(head)])));
            let data: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>> = match &part.data
            {
                PartData::Bytes(b) => Box::pin(futures_util::stream::iter([Ok(b.clone())])),
                PartData::File(f) => Box::pin(f.stream()),
                PartData::Reader(r) => r.stream(),
            };
            match (&self.progress, &part.filename) {
                (Some(progress), Some(_)) => {
                    let (progress, sent) = (progress.clone(), sent.clone());
                    pieces.push(Box::pin(data.inspect(move |chunk| {
                        if let Ok(chunk) = chunk {
                            let len = chunk.len() as u64;
                            let so_far = sent.fetch_add(len, Ordering::Relaxed) + len;
                            (progress.0)(so_far, total);
                        }
                    })));
                }
                _ => pieces.push(data),
            }
            pieces.push(Box::pin(futures_util::stream::iter([Ok(
                Bytes::from_static(b"\r\n"),
            )])));
        }
        let tail = Bytes::from(format!("--{}--\r\n", self.boundary));
        pieces.push(Box::pin(futures_util::stream::iter([Ok(tail)])));
        Box::pin(futures_util::stream::iter(pieces).flatten())
    }

    /// Encodes the whole body in memory (tests and the mock transport only).
    pub async fn to_bytes(&self) -> std::io::Result<Bytes> {
        let mut out = BytesMut::new();
        let mut stream = self.stream();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }
}

/// 32 random lower-case hex characters.
fn random_boundary() -> String {
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunk_layout_matches_the_python_sdk_length_formula() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("model.bin");
        std::fs::write(&path, vec![7u8; 300_000]).expect("write");
        let boundary = "0123456789abcdef0123456789abcdef";
        let body = Multipart::with_boundary(boundary)
            .text("filename", "0123456789abcdef")
            .file("file", "file", FileRange::new(&path, 100_000, 131_072));
        // 3·len(B) + 133 + len(filename) + len(chunk), backend-v1.md §5.3.
        assert_eq!(body.content_length(), 3 * 32 + 133 + 16 + 131_072);
        let bytes = body.to_bytes().await.expect("encode");
        assert_eq!(bytes.len() as u64, body.content_length());
        let text = String::from_utf8_lossy(&bytes[..200]);
        assert!(text.starts_with(
            "--0123456789abcdef0123456789abcdef\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\n0123456789abcdef\r\n"
        ));
        assert!(bytes.ends_with(b"\r\n--0123456789abcdef0123456789abcdef--\r\n"));
    }

    #[tokio::test]
    async fn short_file_is_an_error_not_a_short_body() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("short.bin");
        std::fs::write(&path, b"abc").expect("write");
        let body = Multipart::new().file("file", "short.bin", FileRange::new(&path, 0, 10));
        let err = body.to_bytes().await.expect_err("must fail");
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[tokio::test]
    async fn a_reader_part_streams_once_and_checks_its_length() {
        let body = Multipart::with_boundary("b").reader(
            "file",
            "a.zip",
            OneShotReader::new(5, std::io::Cursor::new(b"hello".to_vec())),
        );
        let bytes = body.to_bytes().await.expect("first send");
        assert_eq!(bytes.len() as u64, body.content_length());
        let again = body.to_bytes().await.expect_err("second send");
        assert!(again.to_string().contains("only once"));
        let short = Multipart::new().reader(
            "file",
            "a.zip",
            OneShotReader::new(9, std::io::Cursor::new(b"hello".to_vec())),
        );
        assert_eq!(
            short.to_bytes().await.expect_err("short").kind(),
            std::io::ErrorKind::UnexpectedEof
        );
    }

    #[tokio::test]
    async fn progress_counts_the_file_bytes_and_leaves_the_body_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.zip");
        std::fs::write(&path, vec![1u8; 600_000]).expect("write");
        let plain = Multipart::with_boundary("b").text("plugin", "hello").file(
            "file",
            "a.zip",
            FileRange::whole(&path).expect("range"),
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let counted = plain
            .clone()
            .progress(BodyProgress::new(move |done, total| {
                log.lock().expect("lock").push((done, total));
            }));
        assert_eq!(
            counted.to_bytes().await.expect("counted"),
            plain.to_bytes().await.expect("plain")
        );
        let first: Vec<(u64, u64)> = seen.lock().expect("lock").clone();
        assert!(first.len() >= 3, "{first:?}");
        assert!(first.windows(2).all(|w| w[0].0 < w[1].0), "{first:?}");
        assert_eq!(first.last(), Some(&(600_000, 600_000)));
        // A second send (a retry) counts from zero again.
        counted.to_bytes().await.expect("again");
        let all = seen.lock().expect("lock").clone();
        assert_eq!(all[first.len()].1, 600_000);
        assert!(all[first.len()].0 <= READ_BUF as u64);
        assert_eq!(all.last(), Some(&(600_000, 600_000)));
    }

    #[test]
    fn random_boundary_is_32_lower_hex() {
        let b = Multipart::new();
        assert_eq!(b.boundary().len(), 32);
        assert!(
            b.boundary()
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
    }
}
