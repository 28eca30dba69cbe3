//! Plugin releases: get (by id or lookup), list, create (JSON or multipart with the archive
//! streamed from disk).

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use synapse_models::{PluginCode, PluginRelease, PluginReleaseCreateRequest, PluginReleaseId};
use synapse_transport::urls::{encode_lookup, path};
use synapse_transport::{Error, FileRange, Multipart, OneShotReader};

use crate::{BackendClient, Query, query};

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
    /// `GET plugin_releases/{release_id}/` with the caller's query (e.g. `expand=plugin`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let release = client.get_plugin_release(9.into(), &[("expand", "plugin")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_plugin_release(
        &self,
        release_id: PluginReleaseId,
        params: Query<'_>,
    ) -> Result<PluginRelease, Error> {
        self.core
            .get(path(["plugin_releases", &release_id.to_string()], true))
            .query_pairs(query(params))
            .send_json()
            .await
    }

    /// `GET plugin_releases/{lookup}/` where `lookup` is `code@version` or a numeric id,
    /// percent-encoded except for unreserved characters and `@` (`team/yolo v8@1.0.0` →
    /// `team%2Fyolo%20v8@1.0.0`). Sends `expand=<expand>` first unless `expand` is `None`
    /// (the Python default is `Some("plugin")`), then the caller's query, which may override it.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let release = client.get_plugin_release_by_lookup("yolov8@1.0.0", Some("plugin"), &[]).await?;
    /// println!("{:?}", release.version);
    /// # Ok(()) }
    /// ```
    pub async fn get_plugin_release_by_lookup(
        &self,
        lookup: &str,
        expand: Option<&str>,
        params: Query<'_>,
    ) -> Result<PluginRelease, Error> {
        if lookup.is_empty() {
            return Err(Error::invalid_input("release lookup is empty"));
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(expand) = expand {
            pairs.push(("expand".to_owned(), expand.to_owned()));
        }
        for (k, v) in query(params) {
            match pairs.iter_mut().find(|(pk, _)| *pk == k) {
                Some(existing) => existing.1 = v,
                None => pairs.push((k, v)),
            }
        }
        self.core
            .get(encode_lookup(lookup).map(|l| format!("plugin_releases/{l}/")))
            .query_pairs(pairs)
            .send_json()
            .await
    }

    /// Every release of a plugin: `GET plugin_releases/?plugin=<code>` plus the caller's
    /// query (a caller `plugin` key overrides), then each `next` page (the Python SDK
    /// returns only the first page's `results`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::PluginCode;
    /// let releases = client
    ///     .list_plugin_releases(&PluginCode::new("yolov8")?, &[("ordering", "-created")])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_plugin_releases(
        &self,
        plugin_code: &PluginCode,
        params: Query<'_>,
    ) -> Result<Vec<PluginRelease>, Error> {
        let mut pairs = vec![("plugin".to_owned(), plugin_code.as_str().to_owned())];
        for (k, v) in query(params) {
            match pairs.iter_mut().find(|(pk, _)| *pk == k) {
                Some(existing) => existing.1 = v,
                None => pairs.push((k, v)),
            }
        }
        self.core
            .paginate::<PluginRelease>("plugin_releases/", pairs)
            .page_size(None)
            .try_collect()
            .await
    }

    /// Creates a release: `POST plugin_releases/`. Without an archive the body is JSON
    /// (`{"plugin": "yolov8", "version": "1.0.1", "debug": false}`); with one it is
    /// multipart: `plugin`, `version`, `config` (JSON text), one `requirements` part per
    /// item, `debug` (`True`/`False`), then `file` named after the archive — streamed from
    /// disk or from a reader, never loaded whole. A missing archive is an error before
    /// anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{PluginCode, PluginReleaseCreateRequest};
    /// let req = PluginReleaseCreateRequest::new(PluginCode::new("yolov8")?, "1.0.0");
    /// use synapse_backend::ReleaseArchive;
    /// let archive = ReleaseArchive::path("dist/yolov8-1.0.0.zip");
    /// let release = client.create_plugin_release(&req, Some(archive)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_plugin_release(
        &self,
        request: &PluginReleaseCreateRequest,
        archive: Option<ReleaseArchive>,
    ) -> Result<PluginRelease, Error> {
        let Some(archive) = archive else {
            return self
                .core
                .post("plugin_releases/")
                .json(request)
                .send_json()
                .await;
        };
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
        form = match archive {
            ReleaseArchive::Path(path) => {
                let range = FileRange::whole(&path)?;
                let filename = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| Error::invalid_input("the archive path has no file name"))?;
                form.file("file", filename, range)
            }
            ReleaseArchive::Reader { filename, reader } => form.reader("file", filename, reader),
        };
        self.core
            .post("plugin_releases/")
            .multipart(form)
            .send_json()
            .await
    }
}
