//! Plugin releases: get (by id or lookup), list, create (JSON or multipart with the archive
//! streamed from disk).

use std::path::{Path, PathBuf};

use synapse_models::{
    Page, PluginCode, PluginRelease, PluginReleaseCreateRequest, PluginReleaseId,
};
use synapse_transport::urls::encode_lookup;
use synapse_transport::{
    BodyProgress, Call, CallInfo, Error, FileRange, Multipart, OneShotReader, Operation,
    RequestBuilder, Response, fluent, fluent_list, operation,
};

use crate::BackendClient;
use crate::operations::get_operation;

/// The plugin archive of a new release: a file (re-read if the request must be re-sent),
/// or a reader of known length (streamed once).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ReleaseArchive {
    /// A file on disk; the part is named after its file name.
    Path(PathBuf),
    /// A reader yielding exactly `len` bytes, sent under `filename`.
    Reader {
        /// The file name the server sees.
        filename: String,
        /// The reader and its length.
        reader: OneShotReader,
    },
}

impl ReleaseArchive {
    /// An archive read from `path`.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        ReleaseArchive::Path(path.into())
    }

    /// An archive streamed once from `reader`, which must yield exactly `len` bytes.
    pub fn reader(
        filename: impl Into<String>,
        len: u64,
        reader: impl tokio::io::AsyncRead + Send + 'static,
    ) -> Self {
        ReleaseArchive::Reader {
            filename: filename.into(),
            reader: OneShotReader::new(len, reader),
        }
    }
}

impl From<&Path> for ReleaseArchive {
    fn from(p: &Path) -> Self {
        ReleaseArchive::Path(p.to_owned())
    }
}

impl From<&str> for ReleaseArchive {
    fn from(p: &str) -> Self {
        ReleaseArchive::Path(PathBuf::from(p))
    }
}

impl From<PathBuf> for ReleaseArchive {
    fn from(p: PathBuf) -> Self {
        ReleaseArchive::Path(p)
    }
}

/// Python's `str()` of a bool, which the server's form parser expects.
fn python_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

impl BackendClient {
    /// One release: `GET plugin_releases/{release_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let release = client.get_plugin_release(9).expand("plugin").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_plugin_release(&self, release_id: impl Into<PluginReleaseId>) -> GetPluginRelease {
        GetPluginRelease::new(&self.core, release_id.into())
    }

    /// A release by lookup: `GET plugin_releases/{lookup}/`, where `lookup` is
    /// `code@version` or a numeric id, percent-encoded except for unreserved characters and
    /// `@` (`team/yolo v8@1.0.0` → `team%2Fyolo%20v8@1.0.0`). Sends `expand=plugin` unless
    /// told otherwise ([`GetPluginReleaseByLookup::expand`]), as the Python SDK.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let release = client.get_plugin_release_by_lookup("yolov8@1.0.0").await?;
    /// println!("{:?}", release.version);
    /// # Ok(()) }
    /// ```
    pub fn get_plugin_release_by_lookup(
        &self,
        lookup: impl Into<String>,
    ) -> GetPluginReleaseByLookup {
        GetPluginReleaseByLookup {
            call: Call::new(self.core.clone()),
            lookup: lookup.into(),
            expand: Some("plugin".to_owned()),
        }
    }

    /// A plugin's releases: `GET plugin_releases/?plugin=<code>` plus the filters set, with
    /// no `page_size`, as the Python SDK. Awaiting it gives the first page; `.items()`
    /// follows every `next` page (the Python SDK returns only the first page's `results`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::TryStreamExt;
    /// use synapse_backend::models::PluginCode;
    /// let releases: Vec<_> = client
    ///     .list_plugin_releases(PluginCode::new("yolov8")?)
    ///     .ordering("-created")
    ///     .items()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_plugin_releases(&self, plugin_code: PluginCode) -> ListPluginReleases {
        ListPluginReleases {
            call: Call::new(self.core.clone()),
            filters: vec![("plugin".to_owned(), plugin_code.into_string())],
        }
    }

    /// Creates a release: `POST plugin_releases/`. Without an archive the body is JSON
    /// (`{"plugin": "yolov8", "version": "1.0.1", "debug": false}`); with one
    /// ([`CreatePluginRelease::archive`]) it is multipart: `plugin`, `version`, `config`
    /// (the JSON text Python's `json.dumps` writes), one `requirements` part per item,
    /// `debug` (`True`/`False`), then `file` named after the archive — streamed from disk or
    /// from a reader, never loaded whole. A missing archive is an error before anything is
    /// sent.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{PluginCode, PluginReleaseCreateRequest};
    /// let request = PluginReleaseCreateRequest::new(PluginCode::new("yolov8")?, "1.0.0");
    /// let release = client
    ///     .create_plugin_release(request)
    ///     .archive("dist/yolov8-1.0.0.zip")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create_plugin_release(
        &self,
        request: PluginReleaseCreateRequest,
    ) -> CreatePluginRelease {
        CreatePluginRelease {
            call: Call::new(self.core.clone()),
            request,
            archive: None,
            progress: None,
        }
    }
}

get_operation! {
    /// [`BackendClient::get_plugin_release`]: `GET plugin_releases/{release_id}/`.
    GetPluginRelease: GET "plugin_releases" / PluginReleaseId => PluginRelease
}

impl GetPluginRelease {
    /// Embeds a related object (`expand=plugin`); repeatable.
    pub fn expand(self, field: &str) -> Self {
        self.param("expand", field)
    }
}

/// [`BackendClient::get_plugin_release_by_lookup`]: `GET plugin_releases/{lookup}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetPluginReleaseByLookup {
    call: Call,
    lookup: String,
    expand: Option<String>,
}

impl GetPluginReleaseByLookup {
    /// What to embed (`expand=<field>`; default `plugin`); `None` sends no `expand`.
    pub fn expand(mut self, field: Option<&str>) -> Self {
        self.expand = field.map(str::to_owned);
        self
    }
}

impl Operation for GetPluginReleaseByLookup {
    type Output = PluginRelease;
    fn prepare(&self) -> RequestBuilder {
        let target = if self.lookup.is_empty() {
            Err(Error::invalid_input("release lookup is empty"))
        } else {
            encode_lookup(&self.lookup).map(|l| format!("plugin_releases/{l}/"))
        };
        let expand = self.expand.iter().map(|e| ("expand".to_owned(), e.clone()));
        self.call.client().get(target).query_pairs(expand)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<PluginRelease, Error> {
        operation::json(response, info).await
    }
}
fluent!(GetPluginReleaseByLookup);

/// [`BackendClient::list_plugin_releases`]: `GET plugin_releases/?plugin=<code>`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListPluginReleases {
    call: Call,
    filters: Vec<(String, String)>,
}

impl ListPluginReleases {
    /// Sort order (`ordering=-created`).
    pub fn ordering(mut self, ordering: &str) -> Self {
        self.filters
            .push(("ordering".to_owned(), ordering.to_owned()));
        self
    }

    /// Embeds a related object in every release (`expand=plugin`).
    pub fn expand(mut self, field: &str) -> Self {
        self.filters.push(("expand".to_owned(), field.to_owned()));
        self
    }
}

impl Operation for ListPluginReleases {
    type Output = Page<PluginRelease>;
    const PAGE_SIZE_ON_WALK: bool = false;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("plugin_releases/")
            .query_pairs(self.filters.clone())
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Page<PluginRelease>, Error> {
        operation::json(response, info).await
    }
}
fluent_list!(ListPluginReleases, PluginRelease);

/// [`BackendClient::create_plugin_release`]: `POST plugin_releases/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreatePluginRelease {
    call: Call,
    request: PluginReleaseCreateRequest,
    archive: Option<ReleaseArchive>,
    progress: Option<BodyProgress>,
}

impl CreatePluginRelease {
    /// The plugin archive: a path, or a [`ReleaseArchive`] reader; the body becomes
    /// multipart.
    pub fn archive(mut self, archive: impl Into<ReleaseArchive>) -> Self {
        self.archive = Some(archive.into());
        self
    }

    /// Reports the archive's upload: `f(bytes sent, archive size)` after every chunk of it
    /// the body streams (from zero again if the request is re-sent). Only a request with an
    /// [`archive`](Self::archive) reports; the bytes sent are the same with or without it.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{PluginCode, PluginReleaseCreateRequest};
    /// let request = PluginReleaseCreateRequest::new(PluginCode::new("yolov8")?, "1.0.0");
    /// client
    ///     .create_plugin_release(request)
    ///     .archive("dist/yolov8-1.0.0.zip")
    ///     .progress(|sent, total| eprintln!("{sent}/{total}"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn progress(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(BodyProgress::new(f));
        self
    }

    /// The multipart body with the archive.
    fn form(&self, archive: &ReleaseArchive) -> Result<Multipart, Error> {
        let request = &self.request;
        let mut form = Multipart::new()
            .text("plugin", request.plugin.as_str())
            .text("version", request.version.as_str());
        if let Some(config) = &request.config {
            // The exact text Python's `json.dumps` writes: a server storing it sees no change.
            form = form.text("config", synapse_transport::python_json::to_string(config)?);
        }
        for requirement in request.requirements.iter().flatten() {
            form = form.text("requirements", requirement.as_str());
        }
        form = form.text("debug", python_bool(request.debug));
        if let Some(progress) = &self.progress {
            form = form.progress(progress.clone());
        }
        Ok(match archive {
            ReleaseArchive::Path(path) => {
                let range = FileRange::whole(path)?;
                let filename = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| Error::invalid_input("the archive path has no file name"))?;
                form.file("file", filename, range)
            }
            ReleaseArchive::Reader { filename, reader } => {
                form.reader("file", filename.clone(), reader.clone())
            }
        })
    }
}

impl Operation for CreatePluginRelease {
    type Output = PluginRelease;
    fn prepare(&self) -> RequestBuilder {
        let builder = self.call.client().post("plugin_releases/");
        match &self.archive {
            None => builder.json(&self.request),
            Some(archive) => match self.form(archive) {
                Ok(form) => builder.multipart(form),
                Err(e) => builder.validated(Err(e)),
            },
        }
    }
    async fn decode(response: Response, info: CallInfo) -> Result<PluginRelease, Error> {
        operation::json(response, info).await
    }
}
fluent!(CreatePluginRelease);
