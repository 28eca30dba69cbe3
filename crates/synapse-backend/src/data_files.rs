//! Data-file uploads: `create_data_file`,
//! `upload_data_file` and `upload_data_collection`.
//!
//! Differences from the Python SDK, on purpose:
//! - the direct multipart body is streamed from disk with an exact `Content-Length` (Python
//!   builds it in memory);
//! - no `POST` is ever replayed automatically (a replay can duplicate data files, units
//!   and tasks);
//! - the content guard ([`crate::content_guard`]) can be turned off explicitly;
//! - `upload_data_collection` returns a per-item report in input order instead of aborting:
//!   a failed file is reported, the others still upload and their units are created.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value, json};
use synapse_models::{
    DataCollectionId, DataFileResponse, DataUnitId, ProjectId, TaskCreateRequest,
};
use synapse_transport::{Error, FileRange, Multipart, ReadTimeout};

use crate::chunked_upload::ChunkedUploadOptions;
use crate::content_guard::guard_file;
use crate::{BackendClient, DEFAULT_CHUNK_SIZE};

/// Files larger than this (50 MiB) go through the chunked upload in [`UploadMode::Auto`].
pub const CHUNKED_THRESHOLD: u64 = DEFAULT_CHUNK_SIZE;

/// How [`BackendClient::create_data_file`] sends the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UploadMode {
    /// Chunked iff the file is larger than 52,428,800 bytes (the Python default).
    #[default]
    Auto,
    /// One multipart `POST data_files/`, streamed from disk.
    Direct,
    /// The chunked upload, then `POST data_files/` with `{"chunked_upload": id}`.
    Chunked,
}

/// Options of [`BackendClient::create_data_file`] and [`BackendClient::upload_data_file`].
#[derive(Debug, Clone)]
pub struct DataFileOptions {
    mode: UploadMode,
    read_timeout: Option<Duration>,
    check_content: bool,
}

impl Default for DataFileOptions {
    fn default() -> Self {
        DataFileOptions {
            mode: UploadMode::Auto,
            read_timeout: None,
            check_content: true,
        }
    }
}

impl DataFileOptions {
    /// Direct, chunked, or chosen by size (default).
    pub fn mode(mut self, mode: UploadMode) -> Self {
        self.mode = mode;
        self
    }

    /// Read timeout of the chunk PUTs, the finalize POST and the `data_files/` POST (the
    /// Python `read_timeout`; default: the client's).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Whether the content guard checks the file first (default `true`; `false` is an
    /// explicit opt-out).
    pub fn check_content(mut self, check: bool) -> Self {
        self.check_content = check;
        self
    }
}

/// One prospective data unit for [`BackendClient::upload_data_file`]: its files (spec name →
/// local path, in order), `meta` and `groups`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataUnitUpload {
    /// File-specification name → local path, in the caller's order.
    pub files: Vec<(String, PathBuf)>,
    /// Free-form metadata (`{}` by default).
    pub meta: Map<String, Value>,
    /// Data-group names, outermost first (sent only when non-empty).
    pub groups: Vec<String>,
}

impl DataUnitUpload {
    /// A unit with no files yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the file for `spec_name` (a later file of the same name replaces it).
    pub fn file(mut self, spec_name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        let name = spec_name.into();
        let path = path.into();
        match self.files.iter_mut().find(|(n, _)| *n == name) {
            Some(existing) => existing.1 = path,
            None => self.files.push((name, path)),
        }
        self
    }

    /// Sets `meta`.
    pub fn meta(mut self, meta: Map<String, Value>) -> Self {
        self.meta = meta;
        self
    }

    /// Sets a single group (sent as a one-element list, never split into characters).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.groups = vec![group.into()];
        self
    }

    /// Sets the group chain, outermost first.
    pub fn groups(mut self, groups: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.groups = groups.into_iter().map(Into::into).collect();
        self
    }
}

/// One uploaded file of a data unit: `{"checksum": …, "path": …}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DataUnitFileRef {
    /// The data file's checksum (from `DataFileResponse::checksum`).
    pub checksum: String,
    /// The caller's local path string, normalised (`./a//b.jpg` → `a/b.jpg`).
    pub path: String,
}

/// The `create_data_units` payload `upload_data_file` builds, written
/// in the Python SDK's key order: `files` (in the caller's order), `data_collection`, `meta`
/// (`{}` by default), and `groups` only when non-empty.
///
/// ```
/// use synapse_backend::{DataUnitFileRef, DataUnitPayload};
/// let payload = DataUnitPayload {
///     files: vec![("image".into(), DataUnitFileRef { checksum: "c".into(), path: "a.jpg".into() })],
///     data_collection: 5.into(),
///     meta: Default::default(),
///     groups: vec![],
/// };
/// assert_eq!(
///     serde_json::to_string(&payload)?,
///     r#"{"files":{"image":{"checksum":"c","path":"a.jpg"}},"data_collection":5,"meta":{}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DataUnitPayload {
    /// File-specification name → uploaded file, in the caller's order.
    pub files: Vec<(String, DataUnitFileRef)>,
    /// The collection.
    pub data_collection: DataCollectionId,
    /// Free-form metadata.
    pub meta: Map<String, Value>,
    /// Data-group names, outermost first (omitted when empty).
    pub groups: Vec<String>,
}

struct OrderedFiles<'a>(&'a [(String, DataUnitFileRef)]);

impl Serialize for OrderedFiles<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, file) in self.0 {
            map.serialize_entry(name, file)?;
        }
        map.end()
    }
}

impl Serialize for DataUnitPayload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = if self.groups.is_empty() { 3 } else { 4 };
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("files", &OrderedFiles(&self.files))?;
        map.serialize_entry("data_collection", &self.data_collection)?;
        map.serialize_entry("meta", &self.meta)?;
        if !self.groups.is_empty() {
            map.serialize_entry("groups", &self.groups)?;
        }
        map.end()
    }
}

/// Called with `(items finished, total items)` after each item of
/// [`BackendClient::upload_data_collection`].
pub type CollectionProgressFn = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Options of [`BackendClient::upload_data_collection`].
#[derive(Clone)]
pub struct UploadCollectionOptions {
    project_id: Option<ProjectId>,
    batch_size: usize,
    max_workers: usize,
    progress: Option<CollectionProgressFn>,
    file_options: DataFileOptions,
}

impl Default for UploadCollectionOptions {
    fn default() -> Self {
        UploadCollectionOptions {
            project_id: None,
            batch_size: 1000,
            max_workers: 10,
            progress: None,
            file_options: DataFileOptions::default(),
        }
    }
}

impl fmt::Debug for UploadCollectionOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadCollectionOptions")
            .field("project_id", &self.project_id)
            .field("batch_size", &self.batch_size)
            .field("max_workers", &self.max_workers)
            .field("progress", &self.progress.is_some())
            .field("file_options", &self.file_options)
            .finish()
    }
}

impl UploadCollectionOptions {
    /// Creates one task per unit in this project (`POST tasks/` per batch).
    pub fn project_id(mut self, project: impl Into<ProjectId>) -> Self {
        self.project_id = Some(project.into());
        self
    }

    /// Units per `POST data_units/` (default 1000; 0 counts as 1).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }

    /// Items uploading at once (default 10; 0 counts as 1).
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = n;
        self
    }

    /// Progress callback: `(items finished, total)` after each item, in completion order.
    pub fn progress(mut self, f: impl Fn(usize, usize) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Options of each file upload (default: auto mode, client timeouts, content guard on).
    pub fn file_options(mut self, options: DataFileOptions) -> Self {
        self.file_options = options;
        self
    }
}

/// What happened to one input item of [`BackendClient::upload_data_collection`].
#[derive(Debug)]
#[non_exhaustive]
pub struct ItemReport {
    /// Position in the input.
    pub index: usize,
    /// The unit payload (all files uploaded) or the first error.
    pub upload: Result<DataUnitPayload, Error>,
    /// Index into [`CollectionUploadReport::batches`] of the batch that carried the payload.
    pub batch: Option<usize>,
}

/// One `POST data_units/` of [`BackendClient::upload_data_collection`].
#[derive(Debug)]
#[non_exhaustive]
pub struct UnitBatchReport {
    /// Input indices of the items it carried, in input order.
    pub items: Vec<usize>,
    /// The created unit ids (array, `{"results": […]}` or single-object answers), or the error.
    pub units: Result<Vec<DataUnitId>, Error>,
    /// The `POST tasks/` for these units, when a project was given and units were created.
    pub tasks: Option<Result<Value, Error>>,
}

/// The outcome of [`BackendClient::upload_data_collection`]: nothing is lost silently.
#[derive(Debug)]
#[non_exhaustive]
pub struct CollectionUploadReport {
    /// One entry per input item, in input order.
    pub items: Vec<ItemReport>,
    /// One entry per `POST data_units/`, in order.
    pub batches: Vec<UnitBatchReport>,
}

impl CollectionUploadReport {
    /// True when every item uploaded, every batch created its units and every task request
    /// succeeded.
    pub fn is_complete(&self) -> bool {
        self.items.iter().all(|i| i.upload.is_ok())
            && self
                .batches
                .iter()
                .all(|b| b.units.is_ok() && !matches!(b.tasks, Some(Err(_))))
    }

    /// The items whose files failed to upload, with their errors.
    pub fn failed_items(&self) -> impl Iterator<Item = (usize, &Error)> {
        self.items
            .iter()
            .filter_map(|i| i.upload.as_ref().err().map(|e| (i.index, e)))
    }

    /// Every created unit id, batch by batch.
    pub fn unit_ids(&self) -> Vec<DataUnitId> {
        self.batches
            .iter()
            .filter_map(|b| b.units.as_ref().ok())
            .flatten()
            .cloned()
            .collect()
    }
}

/// Python's `str(PurePosixPath(s))`: `.` components and repeated or trailing `/` dropped
/// (`./a//b.jpg` → `a/b.jpg`), `..` kept, an empty result is `.`.
pub(crate) fn normalize_path(s: &str) -> String {
    let root = if s.starts_with("//") && !s.starts_with("///") {
        "//"
    } else if s.starts_with('/') {
        "/"
    } else {
        ""
    };
    let parts: Vec<&str> = s
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    match (root, joined.is_empty()) {
        ("", true) => ".".to_owned(),
        (root, _) => format!("{root}{joined}"),
    }
}

/// Whether `create_data_file` uses the chunked upload for a file of `size` bytes.
fn use_chunked(mode: UploadMode, size: u64) -> bool {
    match mode {
        UploadMode::Auto => size > CHUNKED_THRESHOLD,
        UploadMode::Direct => false,
        UploadMode::Chunked => true,
    }
}

/// The ids in a `POST data_units/` answer: an array, `{"results": […]}` or one unit.
fn unit_ids(answer: &Value) -> Vec<DataUnitId> {
    let items: Vec<&Value> = match answer {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => match map.get("results") {
            Some(Value::Array(results)) => results.iter().collect(),
            _ => vec![answer],
        },
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|u| u.get("id"))
        .filter_map(|id| serde_json::from_value(id.clone()).ok())
        .collect()
}

impl BackendClient {
    /// Uploads one local file as a data file: `POST data_files/`.
    ///
    /// A missing file is an error before any request; the content guard
    /// ([`crate::content_guard`]) checks the file unless
    /// [`DataFileOptions::check_content`] is `false`. [`UploadMode::Auto`] uses the chunked
    /// upload iff the file is larger than 52,428,800 bytes. Direct: a multipart body with
    /// one part `file` (filename = base name, no part type), streamed from disk with an
    /// exact `Content-Length`. Chunked: [`create_chunked_upload`](Self::create_chunked_upload),
    /// then JSON `{"chunked_upload": <id as returned>}`. The POST is never replayed.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::{DataFileOptions, UploadMode};
    /// let file = client
    ///     .create_data_file("files/a.jpg")
    ///     .options(DataFileOptions::default().mode(UploadMode::Direct))
    ///     .await?;
    /// println!("{:?} {:?}", file.id, file.checksum);
    /// # Ok(()) }
    /// ```
    pub fn create_data_file(&self, path: impl Into<PathBuf>) -> CreateDataFile {
        CreateDataFile {
            client: self.clone(),
            path: path.into(),
            options: DataFileOptions::default(),
        }
    }

    /// The data-file upload itself (see [`BackendClient::create_data_file`]).
    pub(crate) async fn data_file(
        &self,
        path: impl AsRef<Path>,
        options: &DataFileOptions,
    ) -> Result<DataFileResponse, Error> {
        let path = path.as_ref();
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| Error::io(Some(path.to_owned()), e))?;
        if !meta.is_file() {
            return Err(Error::invalid_input(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        if options.check_content {
            guard_file(path).await?;
        }
        let chunked = use_chunked(options.mode, meta.len());
        let read_timeout = options
            .read_timeout
            .map_or(ReadTimeout::Default, ReadTimeout::After);
        let request = if chunked {
            let mut chunk_options = ChunkedUploadOptions::default();
            if let Some(t) = options.read_timeout {
                chunk_options = chunk_options.read_timeout(t);
            }
            let upload = self.chunked_upload(path, chunk_options).await?;
            self.core
                .post("data_files/")
                .json(&json!({ "chunked_upload": upload.id }))
        } else {
            let filename = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| {
                    Error::invalid_input(format!("{} has no file name", path.display()))
                })?;
            let range = FileRange::whole(path)?;
            self.core
                .post("data_files/")
                .multipart(Multipart::new().file("file", filename, range))
        };
        request
            .read_timeout(read_timeout)
            .idempotent(false)
            .send_json()
            .await
    }

    /// Uploads one prospective unit's files, one after another, and returns the
    /// `create_data_units` payload — no unit is created. Each file becomes
    /// `{"checksum": <data file checksum>, "path": <the path string, normalised as Python
    /// prints it>}`; `meta` defaults to `{}`, `groups` is sent only when non-empty.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::DataUnitUpload;
    /// let unit = DataUnitUpload::new().file("image", "files/a.jpg").group("batch-01");
    /// let payload = client.upload_data_file(unit, 5).await?;
    /// println!("{} files", payload.files.len());
    /// # Ok(()) }
    /// ```
    pub fn upload_data_file(
        &self,
        unit: DataUnitUpload,
        collection_id: impl Into<DataCollectionId>,
    ) -> UploadDataFile {
        UploadDataFile {
            client: self.clone(),
            unit,
            collection_id: collection_id.into(),
            options: DataFileOptions::default(),
        }
    }

    /// The unit's uploads (see [`BackendClient::upload_data_file`]).
    pub(crate) async fn unit_payload(
        &self,
        unit: &DataUnitUpload,
        collection_id: DataCollectionId,
        options: &DataFileOptions,
    ) -> Result<DataUnitPayload, Error> {
        let mut files = Vec::with_capacity(unit.files.len());
        for (name, path) in &unit.files {
            let created = self.data_file(path, options).await?;
            let checksum = created.checksum.ok_or_else(|| Error::Integrity {
                what: format!("data file created from {}", path.display()),
                expected: "a checksum".to_owned(),
                actual: "none".to_owned(),
            })?;
            files.push((
                name.clone(),
                DataUnitFileRef {
                    checksum,
                    path: normalize_path(&path.to_string_lossy()),
                },
            ));
        }
        Ok(DataUnitPayload {
            files,
            data_collection: collection_id,
            meta: unit.meta.clone(),
            groups: unit.groups.clone(),
        })
    }

    /// Uploads many units' files and creates the units: each item through
    /// [`upload_data_file`](Self::upload_data_file), at most `max_workers` at once; then the
    /// successful payloads, in input order, in `POST data_units/` batches of `batch_size`;
    /// then, with a project, `POST tasks/` `{"project": p, "data": [{"data_unit": id}, …]}`
    /// per batch.
    ///
    /// Differences from the Python SDK, on purpose: a failed item does not abort the run — it
    /// is reported and the others' units are still created; the report is in input order;
    /// array, `{"results": […]}` and single-object answers are all read.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) {
    /// use synapse_backend::{DataUnitUpload, UploadCollectionOptions};
    /// let items = vec![
    ///     DataUnitUpload::new().file("image", "files/a.jpg"),
    ///     DataUnitUpload::new().file("image", "files/b.jpg"),
    /// ];
    /// let report = client
    ///     .upload_data_collection(5, items)
    ///     .options(UploadCollectionOptions::default().project_id(9))
    ///     .await;
    /// for (index, error) in report.failed_items() {
    ///     eprintln!("item {index}: {error}");
    /// }
    /// # }
    /// ```
    pub fn upload_data_collection(
        &self,
        collection_id: impl Into<DataCollectionId>,
        items: impl IntoIterator<Item = DataUnitUpload>,
    ) -> UploadDataCollection {
        UploadDataCollection {
            client: self.clone(),
            collection_id: collection_id.into(),
            items: items.into_iter().collect(),
            options: UploadCollectionOptions::default(),
        }
    }

    /// The collection upload itself (see [`BackendClient::upload_data_collection`]).
    async fn collection_upload(
        &self,
        collection_id: DataCollectionId,
        items: &[DataUnitUpload],
        options: UploadCollectionOptions,
    ) -> CollectionUploadReport {
        let total = items.len();
        let file_options = &options.file_options;
        let progress = options.progress.clone();
        let mut done = 0usize;
        let mut results: Vec<Option<Result<DataUnitPayload, Error>>> =
            (0..total).map(|_| None).collect();
        let collection = &collection_id;
        // The futures are built eagerly (not started) so the stream's type names no closure:
        // that keeps the returned future `Send`.
        let uploads: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(index, item)| async move {
                let result = self.unit_payload(item, *collection, file_options).await;
                (index, result)
            })
            .collect();
        let mut finished =
            futures_util::stream::iter(uploads).buffer_unordered(options.max_workers.max(1));
        while let Some((index, result)) = finished.next().await {
            results[index] = Some(result);
            done += 1;
            if let Some(progress) = &progress {
                progress(done, total);
            }
        }
        drop(finished);
        let mut reports: Vec<ItemReport> = results
            .into_iter()
            .enumerate()
            .map(|(index, upload)| ItemReport {
                index,
                upload: upload
                    .unwrap_or_else(|| Err(Error::invalid_input("the item was not uploaded"))),
                batch: None,
            })
            .collect();
        let uploaded: Vec<usize> = reports
            .iter()
            .filter(|r| r.upload.is_ok())
            .map(|r| r.index)
            .collect();
        let mut batches = Vec::new();
        for chunk in uploaded.chunks(options.batch_size.max(1)) {
            let payloads: Vec<&DataUnitPayload> = chunk
                .iter()
                .filter_map(|&i| reports[i].upload.as_ref().ok())
                .collect();
            let units = self
                .create_data_units(&payloads)
                .await
                .map(|v| unit_ids(&v));
            let tasks = match (&units, &options.project_id) {
                (Ok(ids), Some(project)) if !ids.is_empty() => {
                    Some(self.create_unit_tasks(*project, ids).await)
                }
                _ => None,
            };
            for &i in chunk {
                reports[i].batch = Some(batches.len());
            }
            batches.push(UnitBatchReport {
                items: chunk.to_vec(),
                units,
                tasks,
            });
        }
        CollectionUploadReport {
            items: reports,
            batches,
        }
    }

    async fn create_unit_tasks(
        &self,
        project: ProjectId,
        ids: &[DataUnitId],
    ) -> Result<Value, Error> {
        let data = ids.iter().map(|id| json!({ "data_unit": id }));
        let request = TaskCreateRequest::new(project, data)?;
        self.create_tasks(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_python_does() {
        assert_eq!(normalize_path("./a//b.jpg"), "a/b.jpg");
        assert_eq!(normalize_path("files/a.txt"), "files/a.txt");
        assert_eq!(normalize_path("dir/"), "dir");
        assert_eq!(normalize_path("/abs/./x"), "/abs/x");
        assert_eq!(normalize_path("../up/x"), "../up/x");
        assert_eq!(normalize_path("."), ".");
        assert_eq!(normalize_path("./"), ".");
        assert_eq!(normalize_path("//net/x"), "//net/x");
        assert_eq!(normalize_path("///x"), "/x");
    }

    #[test]
    fn auto_mode_chunks_only_above_50_mib() {
        assert!(!use_chunked(UploadMode::Auto, 52_428_800));
        assert!(use_chunked(UploadMode::Auto, 52_428_801));
        assert!(!use_chunked(UploadMode::Direct, u64::MAX));
        assert!(use_chunked(UploadMode::Chunked, 1));
    }

    #[test]
    fn unit_ids_from_every_answer_shape() {
        let ids = |v: Value| -> Vec<i64> { unit_ids(&v).into_iter().map(i64::from).collect() };
        assert_eq!(ids(json!([{"id": 1}, {"id": 2}])), [1, 2]);
        assert_eq!(ids(json!({"results": [{"id": 3}]})), [3]);
        assert_eq!(ids(json!({"id": 4, "meta": {}})), [4]);
        assert!(ids(json!(null)).is_empty());
    }
}

/// [`BackendClient::create_data_file`]: one local file uploaded as a data file.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct CreateDataFile {
    client: BackendClient,
    path: PathBuf,
    options: DataFileOptions,
}

impl CreateDataFile {
    /// The upload's options (mode, read timeout, content check).
    pub fn options(mut self, options: DataFileOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the upload.
    pub async fn send(self) -> Result<DataFileResponse, Error> {
        self.client.data_file(&self.path, &self.options).await
    }
}

synapse_transport::awaitable!(CreateDataFile => Result<DataFileResponse, Error>);

/// [`BackendClient::upload_data_file`]: one prospective unit's files uploaded.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct UploadDataFile {
    client: BackendClient,
    unit: DataUnitUpload,
    collection_id: DataCollectionId,
    options: DataFileOptions,
}

impl UploadDataFile {
    /// The options of every file's upload (mode, read timeout, content check).
    pub fn options(mut self, options: DataFileOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the uploads and returns the unit payload.
    pub async fn send(self) -> Result<DataUnitPayload, Error> {
        self.client
            .unit_payload(&self.unit, self.collection_id, &self.options)
            .await
    }
}

synapse_transport::awaitable!(UploadDataFile => Result<DataUnitPayload, Error>);

/// [`BackendClient::upload_data_collection`]: many units' files uploaded and the units
/// created; the report says what happened to every item.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct UploadDataCollection {
    client: BackendClient,
    collection_id: DataCollectionId,
    items: Vec<DataUnitUpload>,
    options: UploadCollectionOptions,
}

impl UploadDataCollection {
    /// The run's options (project, batch size, workers, progress, file options).
    pub fn options(mut self, options: UploadCollectionOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the upload.
    pub async fn send(self) -> CollectionUploadReport {
        self.client
            .collection_upload(self.collection_id, &self.items, self.options)
            .await
    }
}

synapse_transport::awaitable!(UploadDataCollection => CollectionUploadReport);
