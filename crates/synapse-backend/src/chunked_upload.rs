//! Chunked upload of large files (`create_chunked_upload`, `get_chunked_upload`).
//!
//! Same requests as the Python SDK — `PUT chunked_upload/` then `PUT <url>` per chunk with
//! `Content-Range: bytes a-b/total`, a two-part multipart body (`filename`, then the chunk as
//! `file` named `file`), then `POST <url>` with `{"md5": "<hex>"}` — and, deliberately, more:
//! - every chunk streams from the file as a byte range: memory does not grow with the file
//!   or the chunk size;
//! - the MD5 is computed while the chunk uploads and committed only when the server confirms
//!   the chunk, so a re-sent chunk is never hashed twice;
//! - a chunk PUT is never blindly replayed (a replay of a stored chunk breaks the upload);
//!   after a timeout, reset or 5xx the server's offset is read back (a failed lookup is
//!   retried while recoveries remain) and the upload resumes from there; the number of
//!   recoveries and the wait before each (backoff, or the server's `Retry-After`) follow a
//!   [`RetryPolicy`] ([`ChunkedUploadOptions::recovery_policy`]);
//! - an upload that fails for good after the server acknowledged part of it returns
//!   [`Error::UploadInterrupted`] with an [`UploadCheckpoint`]: pass it to
//!   [`ChunkedUploadOptions::resume`] (in this process or another) to continue;
//! - a lost finalize answer is checked with `GET chunked_upload/{id}/` before any re-send;
//! - the server's checksum and size are verified against the local file;
//! - a missing, empty or changing file is an error, before any request where possible;
//! - the server's `url` is followed only on the client's origin.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use md5::{Digest, Md5};
pub use synapse_models::UploadCheckpoint;
use synapse_models::{ChunkedUploadFinalizeResponse, ChunkedUploadId, ChunkedUploadState};
use synapse_transport::urls::{path, same_origin};
use synapse_transport::{Error, FileRange, Multipart, ReadTimeout, RetryPolicy, Url};

use crate::BackendClient;
use crate::files::hash_range;
use crate::operations::get_operation;

/// Default chunk size: 50 MiB, as the Python SDK.
pub const DEFAULT_CHUNK_SIZE: u64 = 52_428_800;

/// Called with `(bytes the server acknowledged, total bytes)` after each chunk.
pub type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Called with a fresh checkpoint after each acknowledged chunk (persist it to resume later).
pub type CheckpointFn = Arc<dyn Fn(&UploadCheckpoint) + Send + Sync>;

/// Options of [`BackendClient::create_chunked_upload`].
#[derive(Clone)]
pub struct ChunkedUploadOptions {
    chunk_size: u64,
    read_timeout: Option<Duration>,
    progress: Option<ProgressFn>,
    on_checkpoint: Option<CheckpointFn>,
    resume: Option<UploadCheckpoint>,
    recovery: RetryPolicy,
}

impl Default for ChunkedUploadOptions {
    fn default() -> Self {
        ChunkedUploadOptions {
            chunk_size: DEFAULT_CHUNK_SIZE,
            read_timeout: None,
            progress: None,
            on_checkpoint: None,
            resume: None,
            recovery: RetryPolicy::default()
                .max_attempts(6)
                .initial_backoff(Duration::from_millis(500))
                .max_backoff(Duration::from_secs(5))
                .total_budget(None),
        }
    }
}

impl fmt::Debug for ChunkedUploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkedUploadOptions")
            .field("chunk_size", &self.chunk_size)
            .field("read_timeout", &self.read_timeout)
            .field("progress", &self.progress.is_some())
            .field("resume", &self.resume)
            .field("max_recoveries", &self.recovery_limit())
            .finish()
    }
}

impl ChunkedUploadOptions {
    /// Bytes per chunk (default 50 MiB; must be > 0).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes;
        self
    }

    /// Read timeout of the chunk PUTs and the finalize POST (the Python `read_timeout`).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Progress callback: `(acknowledged bytes, total bytes)` after each chunk.
    pub fn progress(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Checkpoint callback, called after each acknowledged chunk.
    pub fn on_checkpoint(mut self, f: impl Fn(&UploadCheckpoint) + Send + Sync + 'static) -> Self {
        self.on_checkpoint = Some(Arc::new(f));
        self
    }

    /// Resumes the upload a checkpoint describes instead of starting a new one.
    pub fn resume(mut self, checkpoint: UploadCheckpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// How many interruptions (timeouts, resets, 5xx) one upload survives (default 5).
    pub fn max_recoveries(mut self, n: u32) -> Self {
        self.recovery = self.recovery.max_attempts(n.saturating_add(1));
        self
    }

    /// The policy pacing the upload's recoveries: its attempts bound them (attempts − 1
    /// recoveries) and its backoff (or the server's `Retry-After`) is the wait before each
    /// one. Default: 5 recoveries, full-jitter backoff from 0.5 s doubling up to 5 s, no
    /// time budget. A chunk is never blindly re-sent whatever the policy: each recovery
    /// reads the server's offset first.
    pub fn recovery_policy(mut self, policy: RetryPolicy) -> Self {
        self.recovery = policy;
        self
    }

    fn recovery_limit(&self) -> u32 {
        self.recovery.attempts().saturating_sub(1)
    }
}

/// The result of a finished chunked upload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChunkedUpload {
    /// The finalize answer (or, when it was lost, the completed state read back).
    pub response: ChunkedUploadFinalizeResponse,
    /// The upload id, for `{"chunked_upload": id}` references.
    pub id: ChunkedUploadId,
    /// MD5 of the whole file, lower-case hex, as sent at finalisation.
    pub md5: String,
    /// File size in bytes.
    pub size: u64,
    /// Interruptions survived (resumptions and finalize rechecks).
    pub recoveries: u32,
}

struct FileInfo {
    path: PathBuf,
    name: String,
    size: u64,
    mtime: Option<u64>,
}

fn file_info(path: &Path) -> Result<FileInfo, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(Some(path.to_owned()), e))?;
    if !meta.is_file() {
        return Err(Error::invalid_input(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    // Fail now, not mid-upload, on a file that cannot be read.
    std::fs::File::open(path).map_err(|e| Error::io(Some(path.to_owned()), e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::invalid_input(format!("{} has no file name", path.display())))?;
    Ok(FileInfo {
        path: path.to_owned(),
        name,
        size: meta.len(),
        mtime: meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .and_then(|d| u64::try_from(d.as_nanos()).ok()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A background MD5 pass over the file from a chunk boundary to the end, sending the hash
/// state at every following boundary. Dropping it stops the pass.
struct HashAhead {
    rx: tokio::sync::mpsc::Receiver<Result<(u64, Md5), Error>>,
    /// The next boundary whose state has not been taken yet.
    next: u64,
    chunk: u64,
    size: u64,
}

impl HashAhead {
    fn start(path: PathBuf, from: u64, state: Md5, chunk: u64, size: u64) -> Self {
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        tokio::task::spawn_blocking(move || {
            use std::io::{Read, Seek, SeekFrom};
            let fail = |e: std::io::Error| Err(Error::io(Some(path.clone()), e));
            let mut file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) => return drop(tx.blocking_send(fail(e))),
            };
            if let Err(e) = file.seek(SeekFrom::Start(from)) {
                return drop(tx.blocking_send(fail(e)));
            }
            let mut hasher = state;
            let mut pos = from;
            let mut buf = vec![0u8; 1 << 20];
            while pos < size {
                let boundary = (pos + chunk).min(size);
                while pos < boundary {
                    let want = (boundary - pos).min(buf.len() as u64) as usize;
                    match file.read(&mut buf[..want]) {
                        Ok(0) => {
                            let short = std::io::Error::new(
                                std::io::ErrorKind::UnexpectedEof,
                                "the file shrank during the upload",
                            );
                            return drop(tx.blocking_send(fail(short)));
                        }
                        Ok(n) => {
                            hasher.update(&buf[..n]);
                            pos += n as u64;
                        }
                        Err(e) => return drop(tx.blocking_send(fail(e))),
                    }
                }
                if tx.blocking_send(Ok((boundary, hasher.clone()))).is_err() {
                    return; // the upload moved on
                }
            }
        });
        HashAhead {
            rx,
            next: (from + chunk).min(size),
            chunk,
            size,
        }
    }

    /// The state at `boundary`, or `None` when the pass cannot provide it.
    async fn take(&mut self, boundary: u64) -> Result<Option<Md5>, Error> {
        while let Some(item) = self.rx.recv().await {
            let (at, state) = item?;
            if at == boundary {
                self.next = boundary.saturating_add(self.chunk).min(self.size);
                return Ok(Some(state));
            }
            if at > boundary {
                return Ok(None);
            }
        }
        Ok(None)
    }
}

/// A server answer that contradicts the chunked-upload protocol.
fn protocol(message: impl Into<String>) -> Error {
    Error::Protocol {
        message: format!("chunked upload: {}", message.into()),
    }
}

/// True for failures after which the server's state must be read back (the chunk may or
/// may not have been stored).
fn outcome_unknown(e: &Error) -> bool {
    match e {
        Error::Timeout { .. } | Error::ResponseIncomplete { .. } | Error::Connect { .. } => true,
        Error::RetriesExhausted { .. } => true,
        Error::Api(api) => api.status.is_server_error() || api.status.as_u16() == 429,
        _ => false,
    }
}

struct Upload<'a> {
    client: &'a BackendClient,
    file: FileInfo,
    opts: ChunkedUploadOptions,
    id: Option<ChunkedUploadId>,
    url: Option<Url>,
    offset: u64,
    hasher: Md5,
    recoveries: u32,
}

impl Upload<'_> {
    fn ensure_unchanged(&self) -> Result<(), Error> {
        let now = file_info(&self.file.path)?;
        if now.size != self.file.size || now.mtime != self.file.mtime {
            return Err(Error::invalid_input(format!(
                "{} changed during the upload (size {} → {})",
                self.file.path.display(),
                self.file.size,
                now.size
            )));
        }
        Ok(())
    }

    /// The server's `url`, if it is on the client's origin; else `chunked_upload/{id}/`.
    fn adopt(&mut self, state: &ChunkedUploadState) -> Result<(), Error> {
        let id = state
            .id
            .clone()
            .ok_or_else(|| protocol("the upload state has no `id`"))?;
        let base = self.client.core.base_url();
        let fallback = || -> Result<Url, Error> {
            synapse_transport::urls::join(base, &path(["chunked_upload", &id.to_string()], true)?)
        };
        let url = match state.url.as_deref().map(Url::parse) {
            Some(Ok(u)) if same_origin(&u, base) => u,
            _ => fallback()?,
        };
        self.id = Some(id);
        self.url = Some(url);
        Ok(())
    }

    fn target(&self) -> String {
        match &self.url {
            Some(u) => u.to_string(),
            None => "chunked_upload/".to_owned(),
        }
    }

    async fn put_chunk(&self, offset: u64, len: u64) -> Result<ChunkedUploadState, Error> {
        let body = Multipart::new().text("filename", &self.file.name).file(
            "file",
            "file",
            FileRange::new(&self.file.path, offset, len),
        );
        let mut req = self
            .client
            .core
            .put(self.target())
            .header(
                "Content-Range",
                &format!("bytes {}-{}/{}", offset, offset + len - 1, self.file.size),
            )
            .multipart(body)
            .idempotent(false);
        if let Some(t) = self.opts.read_timeout {
            req = req.read_timeout(ReadTimeout::After(t));
        }
        req.send_json().await
    }

    fn checkpoint(&self) -> Option<UploadCheckpoint> {
        Some(UploadCheckpoint {
            id: self.id.clone()?,
            url: self.url.as_ref()?.to_string(),
            path: self.file.path.clone(),
            size: self.file.size,
            mtime_unix_nanos: self.file.mtime,
            offset: self.offset,
        })
    }

    /// Moves to the server's offset, re-hashing the file prefix when it differs from ours.
    async fn seek_to(&mut self, server_offset: u64) -> Result<(), Error> {
        if server_offset > self.file.size {
            return Err(protocol(format!(
                "the server reports {server_offset} bytes stored, more than the file's {}",
                self.file.size
            )));
        }
        if server_offset != self.offset {
            self.hasher = hash_range(self.file.path.clone(), 0, server_offset, Md5::new()).await?;
            self.offset = server_offset;
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.id = None;
        self.url = None;
        self.offset = 0;
        self.hasher = Md5::new();
    }

    /// Waits before recovery number `self.recoveries`, as the recovery policy says.
    async fn backoff(&self, failure: &Error) {
        let delay = self.opts.recovery.delay(self.recoveries, Some(failure));
        tokio::time::sleep(delay).await;
    }

    /// Whether another recovery is allowed.
    fn may_recover(&self) -> bool {
        self.recoveries < self.opts.recovery_limit()
    }

    /// The upload's server-side state. The recovery loop paces its own retries, so the
    /// lookup is sent once per recovery (not retried underneath as well).
    async fn lookup(&self, id: &ChunkedUploadId) -> Result<ChunkedUploadState, Error> {
        self.client
            .get_chunked_upload(id)
            .retry(RetryPolicy::never())
            .await
    }

    /// After a failed chunk: find out what the server holds, or give up with `err`.
    async fn recover(&mut self, err: Error) -> Result<(), Error> {
        if !self.may_recover() {
            return Err(err);
        }
        self.recoveries += 1;
        // `400 Offsets do not match` tells the offset directly.
        if let Some(api) = err.api() {
            let status = api.status.as_u16();
            let offset = api
                .body_json()
                .and_then(|b| b.get("offset").or_else(|| b.get("expected_offset")))
                .and_then(serde_json::Value::as_u64);
            if status == 400 && self.id.is_some() {
                if let Some(o) = offset {
                    tracing::warn!(
                        offset = o,
                        "chunked upload: resyncing to the server's offset"
                    );
                    return self.seek_to(o).await;
                }
                return Err(err);
            }
            if matches!(status, 404 | 410) && self.id.is_some() {
                tracing::warn!(
                    status,
                    "chunked upload: upload gone on the server; starting over"
                );
                self.restart();
                return Ok(());
            }
        }
        if !outcome_unknown(&err) {
            return Err(err);
        }
        self.backoff(&err).await;
        let Some(id) = self.id.clone() else {
            // The first PUT's outcome is unknown: start a new upload (an orphan expires).
            tracing::warn!(error = %err, "chunked upload: first chunk failed; starting over");
            self.restart();
            return Ok(());
        };
        // A failed lookup is itself retried while recoveries remain.
        let state = loop {
            match self.lookup(&id).await {
                Ok(s) => break s,
                Err(e) if e.is_not_found() || e.status().map(|s| s.as_u16()) == Some(410) => {
                    self.restart();
                    return Ok(());
                }
                Err(e) if self.may_recover() => {
                    self.recoveries += 1;
                    tracing::warn!(error = %e, "chunked upload: state lookup failed; retrying");
                    self.backoff(&e).await;
                }
                Err(_) => return Err(err),
            }
        };
        let server_offset = state
            .offset
            .ok_or_else(|| protocol("the upload state has no `offset`"))?;
        tracing::warn!(error = %err, server_offset, "chunked upload: resuming from the server's offset");
        self.adopt(&state)?;
        self.seek_to(server_offset).await
    }

    async fn send_chunks(&mut self) -> Result<(), Error> {
        // One background pass hashes the file ahead of the uploads and hands over the MD5
        // state at each chunk boundary; a state is committed only when the server confirms
        // that boundary. It restarts from the server's offset after any interruption.
        let mut ahead: Option<HashAhead> = None;
        while self.offset < self.file.size {
            self.ensure_unchanged()?;
            let offset = self.offset;
            let len = self.opts.chunk_size.min(self.file.size - offset);
            if ahead.as_ref().is_none_or(|a| a.next != offset + len) {
                ahead = Some(HashAhead::start(
                    self.file.path.clone(),
                    offset,
                    self.hasher.clone(),
                    self.opts.chunk_size,
                    self.file.size,
                ));
            }
            match self.put_chunk(offset, len).await {
                Ok(state) => {
                    let acknowledged = state
                        .offset
                        .ok_or_else(|| protocol("the chunk answer has no `offset`"))?;
                    if acknowledged <= offset || acknowledged > offset + len {
                        return Err(protocol(format!(
                            "the chunk {offset}-{} was answered with offset {acknowledged}",
                            offset + len - 1
                        )));
                    }
                    self.adopt(&state)?;
                    let hashed = match (&mut ahead, acknowledged == offset + len) {
                        (Some(a), true) => a.take(acknowledged).await?,
                        _ => None,
                    };
                    match hashed {
                        Some(state) => {
                            self.hasher = state;
                            self.offset = acknowledged;
                        }
                        None => {
                            ahead = None;
                            self.seek_to(acknowledged).await?;
                        }
                    }
                    if let Some(p) = &self.opts.progress {
                        p(self.offset, self.file.size);
                    }
                    if let (Some(cb), Some(cp)) = (&self.opts.on_checkpoint, self.checkpoint()) {
                        cb(&cp);
                    }
                }
                Err(e) => {
                    ahead = None;
                    self.recover(e).await?;
                }
            }
        }
        Ok(())
    }

    /// Sends every chunk left and returns the file's MD5.
    async fn transfer(&mut self) -> Result<String, Error> {
        self.send_chunks().await?;
        self.ensure_unchanged()?;
        Ok(hex(&self.hasher.clone().finalize()))
    }

    /// The error to return for a failure that ended the upload: with the checkpoint, once
    /// the server holds part of the upload and resuming makes sense.
    fn interrupted(&self, err: Error) -> Error {
        let resumable = !matches!(
            err,
            Error::InvalidInput { .. } | Error::Integrity { .. } | Error::UploadInterrupted { .. }
        );
        match self.checkpoint() {
            Some(checkpoint) if resumable => Error::UploadInterrupted {
                checkpoint: Box::new(checkpoint),
                source: Box::new(err),
            },
            _ => err,
        }
    }

    async fn finalize(&mut self, md5: &str) -> Result<ChunkedUploadFinalizeResponse, Error> {
        let id = self
            .id
            .clone()
            .ok_or_else(|| Error::invalid_input("no chunk was acknowledged"))?;
        loop {
            let mut req = self.client.core.post(self.target()).json(
                &synapse_models::ChunkedUploadFinalizeRequest {
                    md5: md5.to_owned(),
                },
            );
            if let Some(t) = self.opts.read_timeout {
                req = req.read_timeout(ReadTimeout::After(t));
            }
            let err = match req.send_json::<ChunkedUploadFinalizeResponse>().await {
                Ok(resp) => return Ok(resp),
                Err(e) => e,
            };
            let already_complete = err.status().map(|s| s.as_u16()) == Some(400)
                && err.api().is_some_and(|a| a.message().contains("complete"));
            if !(already_complete || outcome_unknown(&err)) || !self.may_recover() {
                return Err(err);
            }
            self.recoveries += 1;
            // Ask before re-sending: the first POST may have completed the upload.
            let state = match self.lookup(&id).await {
                Ok(s) => s,
                Err(e) => {
                    self.backoff(&e).await;
                    continue;
                }
            };
            if state.is_complete() {
                tracing::warn!("chunked upload: finalize answer lost; the upload is complete");
                let value = serde_json::to_value(&state)
                    .map_err(|e| protocol(format!("the completed upload state: {e}")))?;
                return serde_json::from_value(value)
                    .map_err(|e| protocol(format!("the completed upload state: {e}")));
            }
            if already_complete {
                return Err(err);
            }
            self.backoff(&err).await;
        }
    }
}

impl BackendClient {
    /// Uploads a large file in chunks; see the [module documentation](self) for the
    /// protocol and what this SDK adds to the Python SDK's behaviour (resume, integrity,
    /// flat memory, no blind replays). Options (chunk size, progress, resuming from a
    /// checkpoint, …) go in [`CreateChunkedUpload::options`].
    ///
    /// A missing, unreadable or empty file, or a chunk size of 0, is an error before any
    /// request is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::ChunkedUploadOptions;
    /// let upload = client
    ///     .create_chunked_upload("model.bin")
    ///     .options(ChunkedUploadOptions::default().progress(|done, total| println!("{done}/{total}")))
    ///     .await?;
    /// println!("uploaded {} ({} bytes, md5 {})", upload.id, upload.size, upload.md5);
    /// # Ok(()) }
    /// ```
    pub fn create_chunked_upload(&self, file_path: impl Into<PathBuf>) -> CreateChunkedUpload {
        CreateChunkedUpload {
            client: self.clone(),
            path: file_path.into(),
            options: ChunkedUploadOptions::default(),
        }
    }

    /// The chunked upload itself (see [`BackendClient::create_chunked_upload`]).
    pub(crate) async fn chunked_upload(
        &self,
        file_path: impl AsRef<Path>,
        options: ChunkedUploadOptions,
    ) -> Result<ChunkedUpload, Error> {
        let file = file_info(file_path.as_ref())?;
        if options.chunk_size == 0 {
            return Err(Error::invalid_input("chunk_size must be greater than 0"));
        }
        if file.size == 0 {
            return Err(Error::invalid_input(format!(
                "{} is empty; the chunked upload protocol cannot carry an empty file",
                file.path.display()
            )));
        }
        let mut upload = Upload {
            client: self,
            file,
            opts: options,
            id: None,
            url: None,
            offset: 0,
            hasher: Md5::new(),
            recoveries: 0,
        };
        if let Some(cp) = upload.opts.resume.clone() {
            if cp.size != upload.file.size || cp.mtime_unix_nanos != upload.file.mtime {
                return Err(Error::invalid_input(format!(
                    "{} changed since the checkpoint was taken",
                    upload.file.path.display()
                )));
            }
            let state = self.get_chunked_upload(&cp.id).await?;
            upload.adopt(&state)?;
            let offset = state
                .offset
                .ok_or_else(|| protocol("the upload state has no `offset`"))?;
            upload.seek_to(offset).await?;
        }
        let md5 = match upload.transfer().await {
            Ok(md5) => md5,
            Err(e) => return Err(upload.interrupted(e)),
        };
        let response = match upload.finalize(&md5).await {
            Ok(r) => r,
            Err(e) => return Err(upload.interrupted(e)),
        };
        if let Some(sum) = response.checksum.as_deref()
            && !sum.eq_ignore_ascii_case(&md5)
        {
            return Err(Error::Integrity {
                what: format!("md5 of chunked upload {}", upload.file.name),
                expected: md5,
                actual: sum.to_owned(),
            });
        }
        if let Some(size) = response.size
            && size != upload.file.size
        {
            return Err(Error::Integrity {
                what: format!("size of chunked upload {}", upload.file.name),
                expected: upload.file.size.to_string(),
                actual: size.to_string(),
            });
        }
        let id = upload
            .id
            .clone()
            .ok_or_else(|| Error::invalid_input("no upload id"))?;
        Ok(ChunkedUpload {
            response,
            id,
            md5,
            size: upload.file.size,
            recoveries: upload.recoveries,
        })
    }

    /// The state of a chunked upload: `GET chunked_upload/{id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let state = client.get_chunked_upload("f64ebd67-0000-4000-8000-000000000001").await?;
    /// println!("{} bytes stored, complete: {}", state.offset.unwrap_or(0), state.is_complete());
    /// # Ok(()) }
    /// ```
    pub fn get_chunked_upload(&self, upload_id: impl Into<ChunkedUploadId>) -> GetChunkedUpload {
        GetChunkedUpload::new(&self.core, upload_id.into())
    }
}

/// [`BackendClient::create_chunked_upload`]: the whole chunked upload of one file.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct CreateChunkedUpload {
    client: BackendClient,
    path: PathBuf,
    options: ChunkedUploadOptions,
}

impl CreateChunkedUpload {
    /// The upload's options (chunk size, progress and checkpoint callbacks, resuming,
    /// recoveries, read timeout).
    pub fn options(mut self, options: ChunkedUploadOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the upload.
    pub async fn send(self) -> Result<ChunkedUpload, Error> {
        self.client.chunked_upload(&self.path, self.options).await
    }
}

synapse_transport::awaitable!(CreateChunkedUpload => Result<ChunkedUpload, Error>);

get_operation! {
    /// [`BackendClient::get_chunked_upload`]: `GET chunked_upload/{id}/`.
    GetChunkedUpload: GET "chunked_upload" / ChunkedUploadId => ChunkedUploadState
}
