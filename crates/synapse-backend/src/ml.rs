//! ML: models (list, get, create with an optional chunk-uploaded file), ground truths, their
//! events and dataset versions.

use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use serde_json::{Map, Value};
use synapse_models::{
    ChunkedUploadId, GroundTruth, GroundTruthDatasetVersion, GroundTruthDatasetVersionId,
    GroundTruthEvent, Model, ModelCreateRequest, ModelId, PluginCode,
};
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, operation,
};

use crate::BackendClient;
use crate::chunked_upload::ChunkedUploadOptions;
use crate::data_collection::{with_client_page_size, with_long_read_timeout};
use crate::operations::{get_operation, list_operation, project_filter};

impl BackendClient {
    /// Models: `GET models/` with the filters set. Awaiting it gives one page (the Python
    /// SDK has no list-all mode for models); `.items()` walks every page.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_models().is_released(true).await?;
    /// println!("{} models", page.total());
    /// # Ok(()) }
    /// ```
    pub fn list_models(&self) -> ListModels {
        ListModels::new(&self.core)
    }

    /// One model: `GET models/{model_id}/` with the expansions set (e.g. `expand=metrics`).
    ///
    /// Difference from the Python SDK, on purpose: the model's `file` is returned as the
    /// server's URL, never downloaded (Python downloads it to a temp cache by default and
    /// returns the local path; [`BackendClient::download_files`] does that explicitly).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let model = client.get_model(1).expand("metrics").await?;
    /// println!("weights at {:?}", model.file);
    /// # Ok(()) }
    /// ```
    pub fn get_model(&self, model_id: impl Into<ModelId>) -> GetModel {
        GetModel::new(&self.core, model_id.into())
    }

    /// Creates a model: `POST models/` with the typed request (field order, `None` omitted).
    /// With [`.file(path)`](CreateModel::file), the file is first sent with
    /// [`BackendClient::create_chunked_upload`] (whatever its size;
    /// [`upload_options`](CreateModelWithFile::upload_options) sets the chunk size, read
    /// timeout, progress…) and the upload id is sent as `chunked_upload`, replacing any
    /// given one.
    ///
    /// Differences from the Python SDK, on purpose: `request` is not modified; the upload
    /// options (e.g. a longer finalize read timeout for multi-GB checkpoints) are the
    /// caller's; the POST is never replayed after it may have reached the server.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::ChunkedUploadOptions;
    /// use synapse_backend::models::{ModelCreateRequest, PluginCode};
    /// let request = ModelCreateRequest::new("M2").plugin(PluginCode::new("yolov8")?).version("1");
    /// let model = client
    ///     .create_model(request)
    ///     .file("best.pt")
    ///     .upload_options(ChunkedUploadOptions::default())
    ///     .await?;
    /// println!("{:?}", model.id);
    /// # Ok(()) }
    /// ```
    pub fn create_model(&self, request: ModelCreateRequest) -> CreateModel {
        CreateModel {
            call: Call::new(self.core.clone()),
            backend: self.clone(),
            body: request,
        }
    }

    /// Ground-truth events: `GET sdk/ground_truth_events/` with the filters set, then
    /// `page_size` (the client's, default 100, as the Python SDK sends it even for one page;
    /// `.page_size(n)` replaces it). Awaiting it gives one page; `.items()` walks every page.
    /// The Python SDK's dataset action asks
    /// `fields=category&fields=files&fields=data&expand=data`. File URLs are returned
    /// untouched (the Python SDK downloads them when it walks every page).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let page = client
    ///     .list_ground_truth_events()
    ///     .ground_truth_dataset_versions([3])
    ///     .expand("data")
    ///     .await?;
    /// println!("{} events", page.total());
    /// let mut events = client.list_ground_truth_events().ground_truth_dataset_versions([3]).items();
    /// while let Some(event) = events.next().await {
    ///     println!("{:?}", event?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truth_events(&self) -> ListGroundTruthEvents {
        with_client_page_size(ListGroundTruthEvents::new(&self.core))
    }

    /// Ground-truth events with their data only: `GET sdk/ground_truth_events/data/` (items
    /// `{id, data}`); `page_size` by default, as
    /// [`BackendClient::list_ground_truth_events`].
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_ground_truth_events_data().ground_truth_dataset_versions([3]).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truth_events_data(&self) -> ListGroundTruthEventsData {
        with_client_page_size(ListGroundTruthEventsData::new(&self.core))
    }

    /// Ground-truth events with their files: `GET sdk/ground_truth_events/files/` (items
    /// with their `files`, URLs untouched); `page_size` by default, as
    /// [`BackendClient::list_ground_truth_events`].
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_ground_truth_events_files().ground_truth_dataset_versions([3]).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truth_events_files(&self) -> ListGroundTruthEventsFiles {
        with_client_page_size(ListGroundTruthEventsFiles::new(&self.core))
    }

    /// Ground truths: `GET ground_truths/` with the filters set, then `page_size` (the
    /// client's, default 100; `.page_size(n)` replaces it), read timeout 60 s per page
    /// (`.read_timeout(d)` replaces it), as the Python SDK. Awaiting it gives one page;
    /// `.items()` walks every page.
    ///
    /// Difference from the Python SDK, on purpose: `files` URLs are returned untouched
    /// (never downloaded; see [`BackendClient::localize_files`]).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let page = client.list_ground_truths().ground_truth_dataset_versions([3]).await?;
    /// for gt in &page.results {
    ///     println!("{:?} {:?}", gt.id, gt.category);
    /// }
    /// let mut gts = client.list_ground_truths().ground_truth_dataset_versions([3]).items();
    /// println!("{} ground truths", gts.total().await?);
    /// while let Some(gt) = gts.next().await {
    ///     println!("{:?}", gt?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truths(&self) -> ListGroundTruths {
        with_long_read_timeout(with_client_page_size(ListGroundTruths::new(&self.core)))
    }

    /// One ground-truth dataset version: `GET ground_truth_dataset_versions/{version_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let version = client.get_ground_truth_version(3).await?;
    /// println!("{:?} archived: {:?}", version.version, version.is_archived);
    /// # Ok(()) }
    /// ```
    pub fn get_ground_truth_version(
        &self,
        version_id: impl Into<GroundTruthDatasetVersionId>,
    ) -> GetGroundTruthVersion {
        GetGroundTruthVersion::new(&self.core, version_id.into())
    }

    /// Ground-truth dataset versions: `GET ground_truth_dataset_versions/` with the filters
    /// set. Awaiting it gives one page (the Python SDK has no list-all mode here);
    /// `.items()` walks every page.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client
    ///     .list_ground_truth_versions()
    ///     .ground_truth_dataset(2)
    ///     .is_archived(false)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truth_versions(&self) -> ListGroundTruthVersions {
        ListGroundTruthVersions::new(&self.core)
    }
}

list_operation! {
    /// [`BackendClient::list_models`]: `GET models/`.
    ListModels: GET "models/" => Model
}

project_filter!(ListModels);

impl ListModels {
    /// Only released models, or only unreleased ones (`is_released=true`).
    pub fn is_released(self, released: bool) -> Self {
        self.param("is_released", released)
    }
}

get_operation! {
    /// [`BackendClient::get_model`]: `GET models/{model_id}/`.
    GetModel: GET "models" / ModelId => Model
}

impl GetModel {
    /// Embeds a related field (`expand=metrics`); repeatable.
    pub fn expand(self, field: impl Into<String>) -> Self {
        self.param("expand", field.into())
    }
}

/// [`BackendClient::create_model`]: `POST models/` with a [`ModelCreateRequest`].
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateModel {
    call: Call,
    backend: BackendClient,
    body: ModelCreateRequest,
}

impl CreateModel {
    /// The model's name (`name`; replaces the one given).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = name.into();
        self
    }

    /// The plugin, by code (`plugin`).
    pub fn plugin(mut self, plugin: PluginCode) -> Self {
        self.body.plugin = Some(plugin);
        self
    }

    /// The release version (`version`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.body.version = Some(version.into());
        self
    }

    /// The parent model, for fine-tuning (`checkpoint`).
    pub fn checkpoint(mut self, checkpoint: impl Into<ModelId>) -> Self {
        self.body.checkpoint = Some(checkpoint.into());
        self
    }

    /// The model file, as an already finished chunked upload (`chunked_upload`).
    pub fn chunked_upload(mut self, upload: impl Into<ChunkedUploadId>) -> Self {
        self.body.chunked_upload = Some(upload.into());
        self
    }

    /// Free-form configuration (`configuration`).
    pub fn configuration(mut self, configuration: Map<String, Value>) -> Self {
        self.body.configuration = Some(configuration);
        self
    }

    /// Description (`description`).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.body.description = Some(description.into());
        self
    }

    /// Uploads `file` first (a chunked upload, whatever its size), then creates the model
    /// with the upload's id as `chunked_upload`. A missing file sends nothing.
    pub fn file(self, file: impl AsRef<Path>) -> CreateModelWithFile {
        CreateModelWithFile {
            model: self,
            file: file.as_ref().to_path_buf(),
            upload: ChunkedUploadOptions::default(),
        }
    }
}

impl Operation for CreateModel {
    type Output = Model;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("models/").json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Model, Error> {
        operation::json(response, call).await
    }
}
fluent!(CreateModel);

/// [`CreateModel::file`]: a chunked upload of the model file, then `POST models/` with its
/// id. Awaiting it gives the created model.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateModelWithFile {
    model: CreateModel,
    file: PathBuf,
    upload: ChunkedUploadOptions,
}

impl CreateModelWithFile {
    /// How the file is uploaded: chunk size, read timeout of the chunk PUTs and the
    /// finalize (e.g. longer for multi-GB checkpoints), progress, resume.
    pub fn upload_options(mut self, options: ChunkedUploadOptions) -> Self {
        self.upload = options;
        self
    }

    /// Uploads the file, then creates the model; awaiting the call does the same.
    pub async fn send(self) -> Result<Model, Error> {
        let uploaded = self
            .model
            .backend
            .chunked_upload(&self.file, self.upload)
            .await?;
        self.model.chunked_upload(uploaded.id).send().await
    }
}

impl IntoFuture for CreateModelWithFile {
    type Output = Result<Model, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Model, Error>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

list_operation! {
    /// [`BackendClient::list_ground_truth_events`]: `GET sdk/ground_truth_events/`
    /// (`page_size` by default).
    ListGroundTruthEvents: GET "sdk/ground_truth_events/" => GroundTruthEvent
}

list_operation! {
    /// [`BackendClient::list_ground_truth_events_data`]:
    /// `GET sdk/ground_truth_events/data/` (items `{id, data}`; `page_size` by default).
    ListGroundTruthEventsData: GET "sdk/ground_truth_events/data/" => GroundTruthEvent
}

list_operation! {
    /// [`BackendClient::list_ground_truth_events_files`]:
    /// `GET sdk/ground_truth_events/files/` (items with `files`; `page_size` by default).
    ListGroundTruthEventsFiles: GET "sdk/ground_truth_events/files/" => GroundTruthEvent
}

list_operation! {
    /// [`BackendClient::list_ground_truths`]: `GET ground_truths/` (`page_size` and a 60 s
    /// read timeout by default).
    ListGroundTruths: GET "ground_truths/" => GroundTruth
}

/// `.ground_truth_dataset_versions(ids)` on the ground-truth lists.
macro_rules! versions_filter {
    ($($name:ident),+) => {$(
        impl $name {
            /// Only those of these dataset versions, one repeated key per id
            /// (`ground_truth_dataset_versions=3&ground_truth_dataset_versions=4`).
            pub fn ground_truth_dataset_versions<I, V>(mut self, versions: I) -> Self
            where
                I: IntoIterator<Item = V>,
                V: Into<GroundTruthDatasetVersionId>,
            {
                for version in versions {
                    self = self.param("ground_truth_dataset_versions", version.into());
                }
                self
            }
        }
    )+};
}

versions_filter!(
    ListGroundTruthEvents,
    ListGroundTruthEventsData,
    ListGroundTruthEventsFiles,
    ListGroundTruths
);

/// `.fields(…)` and `.expand(…)` on the ground-truth event lists.
macro_rules! event_fields {
    ($($name:ident),+) => {$(
        impl $name {
            /// Only these fields, one repeated key per field (`fields=category&fields=files`,
            /// as the Python SDK's dataset action sends them).
            pub fn fields<I, S>(mut self, fields: I) -> Self
            where
                I: IntoIterator<Item = S>,
                S: AsRef<str>,
            {
                for field in fields {
                    self = self.param("fields", field.as_ref());
                }
                self
            }

            /// Embeds a related field (`expand=data`); repeatable.
            pub fn expand(self, field: impl Into<String>) -> Self {
                self.param("expand", field.into())
            }
        }
    )+};
}

event_fields!(
    ListGroundTruthEvents,
    ListGroundTruthEventsData,
    ListGroundTruthEventsFiles
);

get_operation! {
    /// [`BackendClient::get_ground_truth_version`]:
    /// `GET ground_truth_dataset_versions/{version_id}/`.
    GetGroundTruthVersion: GET "ground_truth_dataset_versions" / GroundTruthDatasetVersionId
        => GroundTruthDatasetVersion
}

list_operation! {
    /// [`BackendClient::list_ground_truth_versions`]: `GET ground_truth_dataset_versions/`.
    ListGroundTruthVersions: GET "ground_truth_dataset_versions/" => GroundTruthDatasetVersion
}

impl ListGroundTruthVersions {
    /// Only the versions of this ground-truth dataset (`ground_truth_dataset=<id>`).
    pub fn ground_truth_dataset(self, dataset: i64) -> Self {
        self.param("ground_truth_dataset", dataset)
    }

    /// Only archived versions, or only current ones (`is_archived=false`).
    pub fn is_archived(self, archived: bool) -> Self {
        self.param("is_archived", archived)
    }
}
