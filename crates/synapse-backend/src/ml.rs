//! ML: models (list, get, create with an optional chunk-uploaded file), ground truths, their
//! events and dataset versions (backend-domains.md §6).

use std::path::Path;

use synapse_models::{
    GroundTruth, GroundTruthDatasetVersion, GroundTruthDatasetVersionId, GroundTruthEvent, Model,
    ModelCreateRequest, ModelId, Page,
};
use synapse_transport::urls::path;
use synapse_transport::{Error, PageStream, ReadTimeout};

use crate::chunked_upload::ChunkedUploadOptions;
use crate::data_collection::{LONG_LIST_READ_TIMEOUT, with_page_size};
use crate::{BackendClient, Query, query};

impl BackendClient {
    /// One page of models: `GET models/` with the caller's query only.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_models(&[("is_released", "true")]).await?;
    /// println!("{} models", page.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_models(&self, params: Query<'_>) -> Result<Page<Model>, Error> {
        self.core.page("models/", &query(params)).await
    }

    /// `GET models/{model_id}/` with the caller's query (e.g. `expand=metrics`).
    ///
    /// Difference from the Python SDK, on purpose: the model's `file` is returned as the
    /// server's URL, never downloaded (Python downloads it to a temp cache by default and
    /// returns the local path).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let model = client.get_model(1.into(), &[("expand", "metrics")]).await?;
    /// println!("weights at {:?}", model.file);
    /// # Ok(()) }
    /// ```
    pub async fn get_model(&self, model_id: ModelId, params: Query<'_>) -> Result<Model, Error> {
        self.core
            .get(path(["models", &model_id.to_string()], true))
            .query_pairs(query(params))
            .send_json()
            .await
    }

    /// Creates a model: `POST models/` with the typed request (field order, `None` omitted).
    /// With `file`, the file is first sent with [`BackendClient::create_chunked_upload`]
    /// (whatever its size; `upload` sets the chunk size, read timeout, progress…) and the
    /// upload id is sent as `chunked_upload`, replacing any given one.
    ///
    /// Differences from the Python SDK, on purpose: `request` is not modified; the upload
    /// options (e.g. a longer finalize read timeout for multi-GB checkpoints) are the
    /// caller's; the POST is never replayed after it may have reached the server.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use std::path::Path;
    /// use synapse_backend::ChunkedUploadOptions;
    /// use synapse_backend::models::{ModelCreateRequest, PluginCode};
    /// let request = ModelCreateRequest::new("M2").plugin(PluginCode::new("yolov8")?).version("1");
    /// let model = client
    ///     .create_model(&request, Some(Path::new("best.pt")), ChunkedUploadOptions::default())
    ///     .await?;
    /// println!("{:?}", model.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_model(
        &self,
        request: &ModelCreateRequest,
        file: Option<&Path>,
        upload: ChunkedUploadOptions,
    ) -> Result<Model, Error> {
        let mut body = request.clone();
        if let Some(file) = file {
            let uploaded = self.chunked_upload(file, upload).await?;
            body.chunked_upload = Some(uploaded.id);
        }
        self.core.post("models/").json(&body).send_json().await
    }

    /// One page of ground-truth events: `GET sdk/ground_truth_events/` with the caller's
    /// query plus `page_size` (the client's, default 100) unless given. The Python SDK's
    /// dataset action queries `fields=category&fields=files&fields=data&expand=data`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client
    ///     .list_ground_truth_events(&[("ground_truth_dataset_versions", "3"), ("expand", "data")])
    ///     .await?;
    /// println!("{} events", page.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_ground_truth_events(
        &self,
        params: Query<'_>,
    ) -> Result<Page<GroundTruthEvent>, Error> {
        self.one_page("sdk/ground_truth_events/", params, None)
            .await
    }

    /// Every ground-truth event as a lazy stream (`page_size` on the first request, then
    /// each `next` link). File URLs are returned untouched (the Python SDK downloads them).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut events = client.list_ground_truth_events_all(&[("ground_truth_dataset_versions", "3")]);
    /// while let Some(event) = events.next().await {
    ///     println!("{:?}", event?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truth_events_all(&self, params: Query<'_>) -> PageStream<GroundTruthEvent> {
        self.core
            .paginate("sdk/ground_truth_events/", query(params))
    }

    /// One page of `GET sdk/ground_truth_events/data/` (items `{id, data}`), with the
    /// caller's query plus `page_size` unless given.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_ground_truth_events_data(&[("ground_truth_dataset_versions", "3")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_ground_truth_events_data(
        &self,
        params: Query<'_>,
    ) -> Result<Page<GroundTruthEvent>, Error> {
        self.one_page("sdk/ground_truth_events/data/", params, None)
            .await
    }

    /// Every item of `GET sdk/ground_truth_events/data/` as a lazy stream.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) {
    /// let events = client.list_ground_truth_events_data_all(&[("ground_truth_dataset_versions", "3")]);
    /// # }
    /// ```
    pub fn list_ground_truth_events_data_all(
        &self,
        params: Query<'_>,
    ) -> PageStream<GroundTruthEvent> {
        self.core
            .paginate("sdk/ground_truth_events/data/", query(params))
    }

    /// One page of `GET sdk/ground_truth_events/files/` (items with their `files`, URLs
    /// untouched), with the caller's query plus `page_size` unless given.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_ground_truth_events_files(&[("ground_truth_dataset_versions", "3")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_ground_truth_events_files(
        &self,
        params: Query<'_>,
    ) -> Result<Page<GroundTruthEvent>, Error> {
        self.one_page("sdk/ground_truth_events/files/", params, None)
            .await
    }

    /// Every item of `GET sdk/ground_truth_events/files/` as a lazy stream.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) {
    /// let events = client.list_ground_truth_events_files_all(&[("ground_truth_dataset_versions", "3")]);
    /// # }
    /// ```
    pub fn list_ground_truth_events_files_all(
        &self,
        params: Query<'_>,
    ) -> PageStream<GroundTruthEvent> {
        self.core
            .paginate("sdk/ground_truth_events/files/", query(params))
    }

    /// One page of ground truths: `GET ground_truths/` with the caller's query plus
    /// `page_size` unless given, read timeout 60 s (as the Python SDK).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_ground_truths(&[("ground_truth_dataset_versions", "3")]).await?;
    /// for gt in &page.results {
    ///     println!("{:?} {:?}", gt.id, gt.category);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_ground_truths(&self, params: Query<'_>) -> Result<Page<GroundTruth>, Error> {
        self.one_page(
            "ground_truths/",
            params,
            Some(ReadTimeout::After(LONG_LIST_READ_TIMEOUT)),
        )
        .await
    }

    /// Every ground truth as a lazy stream, read timeout 60 s per page (as Python).
    /// Difference from the Python SDK, on purpose: `files` URLs are returned untouched (never
    /// downloaded; see [`BackendClient::localize_files`]).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut gts = client.list_ground_truths_all(&[("ground_truth_dataset_versions", "3")]);
    /// println!("{} ground truths", gts.total().await?);
    /// while let Some(gt) = gts.next().await {
    ///     println!("{:?}", gt?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_ground_truths_all(&self, params: Query<'_>) -> PageStream<GroundTruth> {
        self.core
            .paginate("ground_truths/", query(params))
            .read_timeout(ReadTimeout::After(
                crate::data_collection::LONG_LIST_READ_TIMEOUT,
            ))
    }

    /// `GET ground_truth_dataset_versions/{version_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let version = client.get_ground_truth_version(3.into()).await?;
    /// println!("{:?} archived: {:?}", version.version, version.is_archived);
    /// # Ok(()) }
    /// ```
    pub async fn get_ground_truth_version(
        &self,
        version_id: GroundTruthDatasetVersionId,
    ) -> Result<GroundTruthDatasetVersion, Error> {
        self.core
            .get(path(
                ["ground_truth_dataset_versions", &version_id.to_string()],
                true,
            ))
            .send_json()
            .await
    }

    /// One page of `GET ground_truth_dataset_versions/` with the caller's query only (e.g.
    /// `ground_truth_dataset`, `is_archived`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client
    ///     .list_ground_truth_versions(&[("ground_truth_dataset", "2"), ("is_archived", "false")])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_ground_truth_versions(
        &self,
        params: Query<'_>,
    ) -> Result<Page<GroundTruthDatasetVersion>, Error> {
        self.core
            .page("ground_truth_dataset_versions/", &query(params))
            .await
    }

    /// One page with `page_size` injected unless given, and an optional read timeout.
    async fn one_page<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        params: Query<'_>,
        read_timeout: Option<ReadTimeout>,
    ) -> Result<Page<T>, Error> {
        let mut request = self
            .core
            .get(path)
            .query_pairs(with_page_size(self.core.page_size(), params));
        if let Some(timeout) = read_timeout {
            request = request.read_timeout(timeout);
        }
        request.send_json().await
    }
}
