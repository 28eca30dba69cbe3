//! Bulk (presigned) upload: many local files straight to object storage through presigned
//! URLs, registered as data files.
//!
//! Same requests as the Python SDK's `presigned` strategy — `GET storages/?category=internal`,
//! then per batch `POST data_files/presigned_upload/upload/` (reserve), one `PUT` per file or
//! per multipart part, `POST data_files/presigned_upload/confirm_upload/` (confirm) — and,
//! deliberately, safer:
//! - options and files are checked before any request; every input is reported exactly once
//!   in a [`BulkUploadReport`] (a missing, unreadable or empty file is reported, not sent:
//!   the presigned reservation requires `size ≥ 1`, upload empty files with the data-file
//!   upload instead);
//! - a reserve or confirm failure is recorded for its batch; earlier results are never lost;
//! - reservation entries are checked (count, exactly one of URL / multipart);
//! - unknown MIME types are omitted, not sent as `null`;
//! - single PUTs and multipart parts stream from file ranges (memory does not grow with the
//!   file or `part_size`); parts are retried with the single-PUT policy, and a file whose parts
//!   do not cover it or with an empty `ETag` fails;
//! - requests to storage go through the client's storage transport: no Synapse headers, no
//!   `url_host`; presigned URL queries (signatures) never appear in errors or logs; storage
//!   redirects (`307 Temporary Redirect`) are followed, at most 10 hops, never from https to
//!   http, the body re-read from the file for each hop;
//! - reserve and confirm are never replayed automatically.
//! - the SHA-1 is computed in a streaming pass over the file (read 256 KiB at a time) before
//!   its bytes are streamed to storage, as the Python SDK reads a file twice.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use sha1::{Digest, Sha1};
use synapse_models::{
    ConfirmFileRequest, ConfirmMultipart, ConfirmPart, ConfirmUploadRequest, ConfirmUploadResponse,
    DataFileId, MultipartUploadInfo, Page, PresignedFileInfo, PresignedFileRequest,
    PresignedUploadRequest, PresignedUploadResponse, Storage, StorageProvider,
};
use synapse_transport::{
    Body, Call, CallInfo, Error, FileRange, Method, Operation, Request, RequestBuilder, Response,
    Url, fluent, operation,
};

use crate::BackendClient;
use crate::storage_hosts::StorageHosts;

/// Called with `(files done, total files)` after every transfer, success or not.
pub type BulkProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Read timeout of the reserve and confirm calls of [`BackendClient::upload_files_bulk`].
const API_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// How [`BackendClient::upload_files_bulk`] moves the bytes (the Python SDK's `strategy`).
///
/// ```
/// use synapse_backend::BulkUploadStrategy;
/// let s: BulkUploadStrategy = "presigned".parse()?;
/// assert_eq!(s, BulkUploadStrategy::Presigned);
/// assert!("direct".parse::<BulkUploadStrategy>().is_err());
/// # Ok::<(), synapse_backend::BulkUploadError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BulkUploadStrategy {
    /// Presigned URLs: each file goes straight to object storage, then is registered.
    Presigned,
}

impl BulkUploadStrategy {
    /// Every strategy, in the order a storage's provider is matched against them.
    pub const ALL: &'static [BulkUploadStrategy] = &[BulkUploadStrategy::Presigned];

    /// The strategy's name (`presigned`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Presigned => "presigned",
        }
    }

    /// The storage providers it works with.
    pub fn supported_providers(&self) -> &'static [&'static str] {
        match self {
            Self::Presigned => &["amazon_s3", "s3", "minio", "gcp", "gcs", "azure"],
        }
    }

    /// The first strategy that supports `provider`, if any.
    pub fn for_provider(provider: &StorageProvider) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| match s {
            Self::Presigned => provider.supports_presigned_upload(),
        })
    }
}

impl fmt::Display for BulkUploadStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BulkUploadStrategy {
    type Err = BulkUploadError;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.name() == name)
            .ok_or_else(|| BulkUploadError::UnknownStrategy(name.to_owned()))
    }
}

/// Options of [`BackendClient::upload_files_bulk`].
#[derive(Clone)]
pub struct BulkUploadOptions {
    strategy: Option<BulkUploadStrategy>,
    max_workers: usize,
    batch_size: usize,
    max_upload_retries: u32,
    url_expiration: u64,
    progress: Option<BulkProgressFn>,
    check_content: bool,
}

impl Default for BulkUploadOptions {
    fn default() -> Self {
        BulkUploadOptions {
            strategy: None,
            max_workers: 10,
            batch_size: 200,
            max_upload_retries: 2,
            url_expiration: 3600,
            progress: None,
            check_content: true,
        }
    }
}

impl fmt::Debug for BulkUploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkUploadOptions")
            .field("strategy", &self.strategy)
            .field("max_workers", &self.max_workers)
            .field("batch_size", &self.batch_size)
            .field("max_upload_retries", &self.max_upload_retries)
            .field("url_expiration", &self.url_expiration)
            .field("progress", &self.progress.is_some())
            .field("check_content", &self.check_content)
            .finish()
    }
}

impl BulkUploadOptions {
    /// The strategy to use, skipping the default-storage lookup (`GET storages/`): for a
    /// caller who cannot list storages, or knows its storage (the Python SDK's
    /// `strategy='presigned'`). Without it, the default internal storage is looked up and
    /// its provider picks the strategy.
    pub fn strategy(mut self, strategy: BulkUploadStrategy) -> Self {
        self.strategy = Some(strategy);
        self
    }

    /// Concurrent transfers inside a batch (default 10; 1–100).
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = n;
        self
    }

    /// Files per reserve/confirm batch (default 200; 1–1000).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }

    /// Retries of a failed PUT (default 2; 0–10), the storage retry classification.
    pub fn max_upload_retries(mut self, n: u32) -> Self {
        self.max_upload_retries = n;
        self
    }

    /// Scan every file with the [content guard](crate::content_guard) before any request
    /// (default on); a refused file is reported at the `Validation` stage and never sent.
    pub fn check_content(mut self, check: bool) -> Self {
        self.check_content = check;
        self
    }

    /// Lifetime of the presigned URLs in seconds (default 3600; 60–86400).
    pub fn url_expiration(mut self, seconds: u64) -> Self {
        self.url_expiration = seconds;
        self
    }

    /// Progress callback: `(files done, total files)` after every transfer, success or not,
    /// cumulative over batches; `total` counts the files that passed the local checks, and
    /// files of a batch whose reservation failed count as done.
    pub fn progress(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    fn validate(&self) -> Result<(), BulkUploadError> {
        let bad = |m: String| Err(BulkUploadError::InvalidOptions(m));
        if !(1..=100).contains(&self.max_workers) {
            return bad(format!(
                "max_workers must be 1–100, got {}",
                self.max_workers
            ));
        }
        if !(1..=1000).contains(&self.batch_size) {
            return bad(format!(
                "batch_size must be 1–1000, got {}",
                self.batch_size
            ));
        }
        if self.max_upload_retries > 10 {
            return bad(format!(
                "max_upload_retries must be 0–10, got {}",
                self.max_upload_retries
            ));
        }
        if !(60..=86_400).contains(&self.url_expiration) {
            return bad(format!(
                "url_expiration must be 60–86400 s, got {}",
                self.url_expiration
            ));
        }
        Ok(())
    }
}

/// Why a bulk upload could not run at all (per-file failures are in the report instead).
#[derive(Debug)]
#[non_exhaustive]
pub enum BulkUploadError {
    /// An option is out of range; nothing was sent.
    InvalidOptions(String),
    /// No internal storage exists.
    NoDefaultStorage,
    /// The default storage's provider has no bulk upload strategy (only `amazon_s3`, `s3`,
    /// `minio`, `gcp`, `gcs`, `azure` have one: presigned URLs); nothing was transferred.
    UnsupportedProvider(String),
    /// The storage lookup failed.
    Request(Error),
    /// No strategy has this name (only `presigned` exists).
    UnknownStrategy(String),
}

impl fmt::Display for BulkUploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOptions(m) => write!(f, "invalid bulk upload options: {m}"),
            Self::NoDefaultStorage => f.write_str("no internal storage: cannot bulk upload"),
            Self::UnsupportedProvider(p) => write!(
                f,
                "no bulk upload strategy supports storage provider {p:?} \
                 (presigned supports amazon_s3, s3, minio, gcp, gcs, azure)"
            ),
            Self::Request(e) => write!(f, "storage lookup failed: {e}"),
            Self::UnknownStrategy(name) => write!(
                f,
                "bulk upload strategy {name:?} not found (available: presigned)"
            ),
        }
    }
}

impl std::error::Error for BulkUploadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for BulkUploadError {
    fn from(e: Error) -> Self {
        Self::Request(e)
    }
}

/// Where a file's upload failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BulkUploadStage {
    /// Local check before any request (missing, unreadable, empty).
    Validation,
    /// The batch reservation failed or gave no usable entry for this file.
    Reserve,
    /// The PUT(s) to storage failed.
    Transfer,
    /// The confirm call failed or the server rejected the file.
    Confirm,
}

/// The outcome of one input file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BulkUploadOutcome {
    /// Uploaded and registered.
    Uploaded {
        /// The data file (null if the server did not say).
        data_file_id: Option<DataFileId>,
        /// SHA-1 of the file, lowercase hex.
        checksum: String,
        /// Size in bytes.
        size: u64,
        /// Storage key.
        file_key: String,
    },
    /// Not uploaded or not registered.
    Failed {
        /// Where it failed.
        stage: BulkUploadStage,
        /// Why (presigned URL signatures never shown). Shared by the files of a batch whose
        /// reservation or confirmation failed.
        error: Arc<Error>,
    },
}

/// One input file and its outcome.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BulkUploadItem {
    /// The input path, as given.
    pub path: PathBuf,
    /// What happened.
    pub outcome: BulkUploadOutcome,
}

impl BulkUploadItem {
    /// Whether the file was uploaded and registered.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, BulkUploadOutcome::Uploaded { .. })
    }
}

/// The result of [`BackendClient::upload_files_bulk`]: every input exactly once, in input order.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BulkUploadReport {
    /// One item per input path, in input order.
    pub items: Vec<BulkUploadItem>,
}

impl BulkUploadReport {
    /// Files uploaded and registered.
    pub fn created_count(&self) -> usize {
        self.items.iter().filter(|i| i.is_success()).count()
    }

    /// Files that failed.
    pub fn failed_count(&self) -> usize {
        self.items.len() - self.created_count()
    }
}

/// Result of [`BackendClient::upload_file_to_presigned_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresignedPutResult {
    /// SHA-1 of the file, lowercase hex.
    pub checksum: String,
    /// Bytes sent.
    pub size: u64,
}

impl BackendClient {
    /// The default internal storage: `GET storages/?category=internal`, the one with
    /// `is_default`, else the first (a page or a bare array is accepted); `None` when there
    /// is no internal storage.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// if let Some(storage) = client.get_default_storage().await? {
    ///     println!("{:?}", storage.provider);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_default_storage(&self) -> GetDefaultStorage {
        GetDefaultStorage {
            call: Call::new(self.core.clone()),
        }
    }

    /// Reserves presigned URLs: `POST data_files/presigned_upload/upload/` with
    /// `{"files": […], "expiration": N}` (3600 s unless set). Never replayed automatically.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::PresignedFileRequest;
    /// let files = vec![PresignedFileRequest { filename: "a.txt".into(), size: 5, content_type: Some("text/plain".into()) }];
    /// let reservation = client.request_presigned_upload(files).expiration(600).await?;
    /// # Ok(()) }
    /// ```
    pub fn request_presigned_upload(
        &self,
        files: impl IntoIterator<Item = PresignedFileRequest>,
    ) -> RequestPresignedUpload {
        RequestPresignedUpload {
            call: Call::new(self.core.clone()),
            body: PresignedUploadRequest {
                files: files.into_iter().collect(),
                expiration: 3600,
            },
        }
    }

    /// Registers uploaded files: `POST data_files/presigned_upload/confirm_upload/` with
    /// `{"files": […]}`. Never replayed automatically.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::ConfirmFileRequest;
    /// let files = vec![ConfirmFileRequest { file_key: "k/0".into(), checksum: "aaf4…".into(), size: 5, multipart: None }];
    /// let confirmed = client.confirm_presigned_upload(files).await?;
    /// # Ok(()) }
    /// ```
    pub fn confirm_presigned_upload(
        &self,
        files: impl IntoIterator<Item = ConfirmFileRequest>,
    ) -> ConfirmPresignedUpload {
        ConfirmPresignedUpload {
            call: Call::new(self.core.clone()),
            body: ConfirmUploadRequest {
                files: files.into_iter().collect(),
            },
        }
    }

    /// `PUT <presigned url>` with a file's bytes (`Content-Type` only when set), through
    /// the storage transport: no Synapse headers, no `url_host`, no retries; storage
    /// redirects followed. Returns the SHA-1 and size. Errors never contain the URL's query
    /// (its signature).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let put = client
    ///     .upload_file_to_presigned_url("https://bucket.s3/k?X-Amz-Signature=…", "a.txt")
    ///     .content_type("text/plain")
    ///     .await?;
    /// println!("{} {}", put.checksum, put.size);
    /// # Ok(()) }
    /// ```
    pub fn upload_file_to_presigned_url(
        &self,
        url: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> UploadFileToPresignedUrl {
        UploadFileToPresignedUrl {
            client: self.clone(),
            url: url.into(),
            path: path.into(),
            content_type: None,
        }
    }

    /// Uploads many files through presigned URLs and registers them as data files; see the
    /// [module documentation](self). Every input appears exactly once in the report.
    ///
    /// Fails as a whole only before any transfer: invalid options, no internal storage, a
    /// storage provider without presigned support, or a failed storage lookup.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), Box<dyn std::error::Error>> {
    /// use synapse_backend::bulk_upload::BulkUploadOptions;
    /// let report = client
    ///     .upload_files_bulk(["a.jpg", "b.jpg"])
    ///     .options(BulkUploadOptions::default().max_workers(4))
    ///     .await?;
    /// println!("{} created, {} failed", report.created_count(), report.failed_count());
    /// # Ok(()) }
    /// ```
    pub fn upload_files_bulk<P: Into<PathBuf>>(
        &self,
        paths: impl IntoIterator<Item = P>,
    ) -> UploadFilesBulk {
        UploadFilesBulk {
            client: self.clone(),
            paths: paths.into_iter().map(Into::into).collect(),
            options: BulkUploadOptions::default(),
        }
    }

    /// The bulk upload itself (see [`BackendClient::upload_files_bulk`]).
    async fn bulk_upload(
        &self,
        paths: &[PathBuf],
        options: BulkUploadOptions,
    ) -> Result<BulkUploadReport, BulkUploadError> {
        options.validate()?;
        if paths.is_empty() {
            return Ok(BulkUploadReport::default());
        }
        let mut outcomes: Vec<Option<BulkUploadOutcome>> = paths.iter().map(|_| None).collect();
        let mut pending = Vec::new();
        for (index, p) in paths.iter().enumerate() {
            let checked = local_file(index, p).and_then(|f| {
                if !options.check_content {
                    return Ok(f);
                }
                match crate::content_guard::check_file(&f.path) {
                    Ok(Ok(())) => Ok(f),
                    Ok(Err(unsafe_file)) => Err(Error::invalid_input(unsafe_file.to_string())),
                    Err(e) => Err(Error::io(Some(f.path.clone()), e)),
                }
            });
            match checked {
                Ok(f) => pending.push(f),
                Err(error) => {
                    outcomes[index] = Some(BulkUploadOutcome::Failed {
                        stage: BulkUploadStage::Validation,
                        error: Arc::new(error),
                    })
                }
            }
        }
        if !pending.is_empty() && options.strategy.is_none() {
            let storage = self
                .get_default_storage()
                .await?
                .ok_or(BulkUploadError::NoDefaultStorage)?;
            let strategy = storage
                .provider
                .as_ref()
                .and_then(BulkUploadStrategy::for_provider);
            if strategy.is_none() {
                let provider = storage
                    .provider
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                return Err(BulkUploadError::UnsupportedProvider(provider));
            }
        }
        let total = pending.len() as u64;
        let done = AtomicU64::new(0);
        for batch in pending.chunks(options.batch_size) {
            self.run_batch(batch, &options, &done, total, &mut outcomes)
                .await;
        }
        let items = paths
            .iter()
            .zip(outcomes)
            .map(|(p, o)| BulkUploadItem {
                path: p.clone(),
                outcome: o.unwrap_or_else(|| BulkUploadOutcome::Failed {
                    stage: BulkUploadStage::Confirm,
                    error: Arc::new(Error::Protocol {
                        message: "bulk upload: no outcome was recorded for this file".to_owned(),
                    }),
                }),
            })
            .collect();
        Ok(BulkUploadReport { items })
    }

    async fn reserve(
        &self,
        files: &[PresignedFileRequest],
        expiration: u64,
    ) -> Result<PresignedUploadResponse, Error> {
        self.request_presigned_upload(files.to_vec())
            .expiration(expiration)
            .read_timeout(API_READ_TIMEOUT)
            .await
    }

    async fn confirm(&self, files: &[ConfirmFileRequest]) -> Result<ConfirmUploadResponse, Error> {
        self.confirm_presigned_upload(files.to_vec())
            .read_timeout(API_READ_TIMEOUT)
            .await
    }

    async fn run_batch(
        &self,
        batch: &[LocalFile],
        options: &BulkUploadOptions,
        done: &AtomicU64,
        total: u64,
        outcomes: &mut [Option<BulkUploadOutcome>],
    ) {
        let tick = || {
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(p) = &options.progress {
                p(n, total);
            }
        };
        let fail = |stage, error: Arc<Error>| BulkUploadOutcome::Failed { stage, error };
        let requests: Vec<PresignedFileRequest> = batch
            .iter()
            .map(|f| PresignedFileRequest {
                filename: f.name.clone(),
                size: f.size,
                content_type: f.content_type.clone(),
            })
            .collect();
        let reservation = match self.reserve(&requests, options.url_expiration).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, files = batch.len(), "bulk upload: batch not reserved");
                let e = Arc::new(e);
                for f in batch {
                    outcomes[f.index] = Some(fail(BulkUploadStage::Reserve, e.clone()));
                    tick();
                }
                return;
            }
        };
        let entries = reservation.files.unwrap_or_default();
        let mut jobs = Vec::new();
        for (i, f) in batch.iter().enumerate() {
            match entries.get(i).map(target) {
                Some(Ok(t)) => jobs.push((f, t)),
                Some(Err(e)) => {
                    outcomes[f.index] = Some(fail(BulkUploadStage::Reserve, Arc::new(e)));
                    tick();
                }
                None => {
                    let e = protocol(format!(
                        "the reservation has {} entries for {} files; none for this file",
                        entries.len(),
                        batch.len()
                    ));
                    outcomes[f.index] = Some(fail(BulkUploadStage::Reserve, Arc::new(e)));
                    tick();
                }
            }
        }
        let storage = StorageHosts::new(self.settings.storage.clone(), options.max_upload_retries);
        // The futures are built before the stream (no closure in the stream's type), so the
        // whole upload can be sent across threads.
        let futures: Vec<_> = jobs
            .into_iter()
            .map(|(f, t)| transfer_labelled(&storage, f, t))
            .collect();
        let mut transfers =
            futures_util::stream::iter(futures).buffer_unordered(options.max_workers);
        let mut confirms: Vec<(usize, ConfirmFileRequest)> = Vec::new();
        while let Some((f, result)) = transfers.next().await {
            match result {
                Ok(c) => confirms.push((f.index, c)),
                Err(e) => outcomes[f.index] = Some(fail(BulkUploadStage::Transfer, Arc::new(e))),
            }
            tick();
        }
        drop(transfers);
        if confirms.is_empty() {
            return;
        }
        let files: Vec<ConfirmFileRequest> = confirms.iter().map(|(_, c)| c.clone()).collect();
        match self.confirm(&files).await {
            Ok(resp) => {
                let mut by_key: HashMap<String, _> = HashMap::new();
                for r in resp.results.unwrap_or_default() {
                    if let Some(k) = r.file_key.clone() {
                        by_key.entry(k).or_insert(r);
                    }
                }
                for (index, c) in confirms {
                    outcomes[index] = Some(match by_key.remove(&c.file_key) {
                        Some(r) if r.success == Some(true) => BulkUploadOutcome::Uploaded {
                            data_file_id: r.data_file_id,
                            checksum: c.checksum,
                            size: c.size,
                            file_key: c.file_key,
                        },
                        Some(r) => fail(
                            BulkUploadStage::Confirm,
                            Arc::new(Error::Transport {
                                message: format!(
                                    "the server did not register the file: {}",
                                    r.error.as_deref().unwrap_or("no reason given")
                                ),
                                source: None,
                            }),
                        ),
                        None => fail(
                            BulkUploadStage::Confirm,
                            Arc::new(protocol("the confirm answer has no result for this file")),
                        ),
                    });
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, files = confirms.len(), "bulk upload: batch not confirmed");
                let e = Arc::new(e);
                for (index, _) in confirms {
                    outcomes[index] = Some(fail(BulkUploadStage::Confirm, e.clone()));
                }
            }
        }
    }
}

/// [`BackendClient::get_default_storage`]: `GET storages/?category=internal`, then the pick.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetDefaultStorage {
    call: Call,
}

impl Operation for GetDefaultStorage {
    type Output = Option<Storage>;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("storages/")
            .query("category", "internal")
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Option<Storage>, Error> {
        let page: Page<Storage> = operation::json(response, info).await?;
        let mut results = page.results;
        let pick = results
            .iter()
            .position(Storage::is_default)
            .or(if results.is_empty() { None } else { Some(0) });
        Ok(pick.map(|i| results.swap_remove(i)))
    }
}
fluent!(GetDefaultStorage);

/// [`BackendClient::request_presigned_upload`]: `POST data_files/presigned_upload/upload/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RequestPresignedUpload {
    call: Call,
    body: PresignedUploadRequest,
}

impl RequestPresignedUpload {
    /// Lifetime of the presigned URLs in seconds (default 3600).
    pub fn expiration(mut self, seconds: u64) -> Self {
        self.body.expiration = seconds;
        self
    }
}

impl Operation for RequestPresignedUpload {
    type Output = PresignedUploadResponse;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("data_files/presigned_upload/upload/")
            .json(&self.body)
            .idempotent(false)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<PresignedUploadResponse, Error> {
        operation::json(response, info).await
    }
}
fluent!(RequestPresignedUpload);

/// [`BackendClient::confirm_presigned_upload`]:
/// `POST data_files/presigned_upload/confirm_upload/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ConfirmPresignedUpload {
    call: Call,
    body: ConfirmUploadRequest,
}

impl Operation for ConfirmPresignedUpload {
    type Output = ConfirmUploadResponse;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("data_files/presigned_upload/confirm_upload/")
            .json(&self.body)
            .idempotent(false)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<ConfirmUploadResponse, Error> {
        operation::json(response, info).await
    }
}
fluent!(ConfirmPresignedUpload);

/// [`BackendClient::upload_file_to_presigned_url`]: one `PUT` of a file to a storage host.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct UploadFileToPresignedUrl {
    client: BackendClient,
    url: String,
    path: PathBuf,
    content_type: Option<String>,
}

impl UploadFileToPresignedUrl {
    /// The `Content-Type` to send (none by default).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn target(&self) -> Result<(Url, u64), Error> {
        let url = Url::parse(&self.url).map_err(|e| {
            Error::invalid_input(format!(
                "invalid presigned URL {}: {e}",
                strip_query(&self.url)
            ))
        })?;
        let size = std::fs::metadata(&self.path)
            .map_err(|e| Error::io(Some(self.path.clone()), e))?
            .len();
        Ok((url, size))
    }

    /// The exact `PUT` this upload sends first (the file's size is read from disk; nothing
    /// is sent).
    pub fn request(&self) -> Result<Request, Error> {
        let (url, size) = self.target()?;
        let mut request = put_request(
            &url,
            FileRange::new(&self.path, 0, size),
            self.content_type.clone(),
        );
        request.finalize()?;
        Ok(request)
    }

    /// Hashes the file (SHA-1), sends it and returns the checksum and size.
    pub async fn send(self) -> Result<PresignedPutResult, Error> {
        let (url, size) = self.target()?;
        let checksum = crate::files::hash_range(self.path.clone(), 0, size, Sha1::new()).await?;
        // One attempt, as the Python SDK: no retries.
        let storage = StorageHosts::new(self.client.settings.storage.clone(), 0);
        put(
            &storage,
            &url,
            FileRange::new(&self.path, 0, size),
            self.content_type,
        )
        .await?;
        Ok(PresignedPutResult {
            checksum: hex(&checksum.finalize()),
            size,
        })
    }
}

synapse_transport::awaitable!(UploadFileToPresignedUrl => Result<PresignedPutResult, Error>);

/// [`BackendClient::upload_files_bulk`]: the whole bulk upload of many files.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct UploadFilesBulk {
    client: BackendClient,
    paths: Vec<PathBuf>,
    options: BulkUploadOptions,
}

impl UploadFilesBulk {
    /// The upload's options (strategy, workers, batch size, retries, content check,
    /// URL lifetime, progress).
    pub fn options(mut self, options: BulkUploadOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the upload.
    pub async fn send(self) -> Result<BulkUploadReport, BulkUploadError> {
        self.client.bulk_upload(&self.paths, self.options).await
    }
}

synapse_transport::awaitable!(UploadFilesBulk => Result<BulkUploadReport, BulkUploadError>);

/// A validated input file.
struct LocalFile {
    index: usize,
    path: PathBuf,
    name: String,
    size: u64,
    content_type: Option<String>,
}

fn local_file(index: usize, path: &Path) -> Result<LocalFile, Error> {
    let io = |e| Error::io(Some(path.to_owned()), e);
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Error::invalid_input(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    std::fs::File::open(path).map_err(io)?;
    if meta.len() == 0 {
        return Err(Error::invalid_input(format!(
            "{} is empty; presigned uploads need at least 1 byte (upload it as a data file \
             instead)",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::invalid_input(format!("{} has no file name", path.display())))?;
    Ok(LocalFile {
        index,
        path: path.to_owned(),
        content_type: crate::files::mime_for_name(&name).map(str::to_owned),
        name,
        size: meta.len(),
    })
}

/// Fails when the file's size changed since it was checked (the hash would not match).
fn ensure_unchanged(file: &LocalFile) -> Result<(), Error> {
    let now = std::fs::metadata(&file.path)
        .map_err(|e| Error::io(Some(file.path.clone()), e))?
        .len();
    if now != file.size {
        return Err(Error::invalid_input(format!(
            "{} changed during the upload (size {} → {now})",
            file.path.display(),
            file.size
        )));
    }
    Ok(())
}

/// A reservation or confirmation that contradicts the protocol.
fn protocol(message: impl Into<String>) -> Error {
    Error::Protocol {
        message: format!("bulk upload: {}", message.into()),
    }
}

/// Where one file goes, from its reservation entry.
enum Target {
    Single {
        key: String,
        url: Url,
    },
    Multipart {
        key: String,
        info: MultipartUploadInfo,
    },
}

fn target(entry: &PresignedFileInfo) -> Result<Target, Error> {
    let key = entry
        .file_key
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| protocol("the reservation entry has no file_key"))?;
    match (&entry.presigned_url, &entry.multipart) {
        (Some(url), None) => Url::parse(url)
            .map(|url| Target::Single {
                key: key.clone(),
                url,
            })
            .map_err(|e| protocol(format!("invalid presigned URL {}: {e}", strip_query(url)))),
        (None, Some(info)) => Ok(Target::Multipart {
            key,
            info: info.clone(),
        }),
        (Some(_), Some(_)) => Err(protocol(
            "the reservation entry has both a URL and a multipart",
        )),
        (None, None) => Err(protocol(
            "the reservation entry has neither a URL nor a multipart",
        )),
    }
}

async fn transfer(
    storage: &StorageHosts,
    file: &LocalFile,
    target: Target,
) -> Result<ConfirmFileRequest, Error> {
    match target {
        Target::Single { key, url } => {
            let hasher =
                crate::files::hash_range(file.path.clone(), 0, file.size, Sha1::new()).await?;
            ensure_unchanged(file)?;
            let range = FileRange::new(&file.path, 0, file.size);
            put(storage, &url, range, file.content_type.clone()).await?;
            Ok(ConfirmFileRequest {
                file_key: key,
                checksum: hex(&hasher.finalize()),
                size: file.size,
                multipart: None,
            })
        }
        Target::Multipart { key, info } => {
            let part_size = info.part_size.unwrap_or(0);
            if part_size == 0 {
                return Err(protocol("the multipart reservation has no part_size"));
            }
            let upload_id = info
                .upload_id
                .clone()
                .ok_or_else(|| protocol("the multipart reservation has no upload_id"))?;
            let mut parts = info.parts.clone().unwrap_or_default();
            parts.sort_by_key(|p| p.part_number.unwrap_or(0));
            let mut hasher = Sha1::new();
            let mut offset = 0u64;
            let mut done = Vec::new();
            for part in parts {
                if offset >= file.size {
                    break;
                }
                let number = part
                    .part_number
                    .ok_or_else(|| protocol("a multipart part has no part_number"))?;
                let url = part
                    .presigned_url
                    .as_deref()
                    .ok_or_else(|| protocol(format!("part {number} has no presigned_url")))
                    .and_then(|u| {
                        Url::parse(u).map_err(|e| {
                            protocol(format!(
                                "part {number}: invalid URL {}: {e}",
                                strip_query(u)
                            ))
                        })
                    })?;
                let len = part_size.min(file.size - offset);
                hasher = crate::files::hash_range(file.path.clone(), offset, len, hasher).await?;
                let range = FileRange::new(&file.path, offset, len);
                let resp = put(storage, &url, range, None).await?;
                let etag = resp
                    .headers
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                if etag.is_empty() {
                    return Err(protocol(format!(
                        "part {number}: the storage returned no ETag"
                    )));
                }
                done.push(ConfirmPart {
                    part_number: number,
                    etag,
                });
                offset += len;
            }
            if offset < file.size {
                return Err(protocol(format!(
                    "the reserved parts cover {offset} of {} bytes",
                    file.size
                )));
            }
            ensure_unchanged(file)?;
            Ok(ConfirmFileRequest {
                file_key: key,
                checksum: hex(&hasher.finalize()),
                size: file.size,
                multipart: Some(ConfirmMultipart {
                    upload_id,
                    parts: done,
                }),
            })
        }
    }
}

/// [`transfer`], labelled with its file (a named function, so the future's lifetimes are
/// general enough to be sent across threads).
async fn transfer_labelled<'a>(
    storage: &'a StorageHosts,
    file: &'a LocalFile,
    target: Target,
) -> (&'a LocalFile, Result<ConfirmFileRequest, Error>) {
    let result = transfer(storage, file, target).await;
    (file, result)
}

/// The `PUT` of a file range to a storage host (no Synapse headers, no `url_host`),
/// streamed from disk with its exact length so memory does not grow with the file; its URL's
/// query (the signature) is never shown.
fn put_request(url: &Url, range: FileRange, content_type: Option<String>) -> Request {
    let mut request = Request::new(Method::PUT, url.clone());
    request.body = Body::File {
        content_type,
        range,
    };
    request.idempotent = Some(true);
    request.redact_query();
    request
}

/// One PUT through the storage hosts (redirects followed, retried under the storage
/// policy); an answer other than a success is the error.
async fn put(
    storage: &StorageHosts,
    url: &Url,
    range: FileRange,
    content_type: Option<String>,
) -> Result<Response, Error> {
    storage.send(put_request(url, range, content_type)).await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn strip_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or("").to_owned()
}
