//! Data collections, data units and data-file checksums (backend-domains.md §5): the
//! read/write JSON endpoints. The file-upload flows (`create_data_file`, `upload_data_file`,
//! `upload_data_collection`) are in `data_files.rs`.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use synapse_models::{
    DataCollection, DataCollectionId, DataUnit, DataUnitCreateRequest, DataUnitId, Page,
    VerifyChecksumsResponse,
};
use synapse_transport::urls::path;
use synapse_transport::{Error, PageStream, ReadTimeout};

use crate::{BackendClient, Query, query};

/// Read timeout of `list_data_units` and `list_ground_truths` (the Python SDK's 60 s).
pub(crate) const LONG_LIST_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The caller's query plus `page_size` (the client's page size) unless the caller set one.
pub(crate) fn with_page_size(page_size: u32, params: Query<'_>) -> Vec<(String, String)> {
    let mut pairs = query(params);
    if !pairs.iter().any(|(k, _)| k == "page_size") {
        pairs.push(("page_size".to_owned(), page_size.to_string()));
    }
    pairs
}

impl BackendClient {
    /// One page of data collections: `GET data_collections/` (no query, as the Python SDK).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_data_collections().await?;
    /// for c in &page.results {
    ///     println!("{:?} {:?}", c.id, c.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_data_collections(&self) -> Result<Page<DataCollection>, Error> {
        self.core.page("data_collections/", &[]).await
    }

    /// The product documentation's name for [`BackendClient::list_data_collections`]
    /// (seed 004 writes `list_data_collection()`; the Python SDK's method is plural).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let collections = client.list_data_collection().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_data_collection(&self) -> Result<Page<DataCollection>, Error> {
        self.list_data_collections().await
    }

    /// `GET data_collections/{collection_id}/?expand=file_specifications` (the expansion is
    /// always sent, as the Python SDK does).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let collection = client.get_data_collection(5.into()).await?;
    /// for spec in collection.file_specifications.iter().flatten() {
    ///     println!("{:?} {:?}", spec.name, spec.file_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_data_collection(
        &self,
        collection_id: DataCollectionId,
    ) -> Result<DataCollection, Error> {
        self.core
            .get(path(["data_collections", &collection_id.to_string()], true))
            .query("expand", "file_specifications")
            .send_json()
            .await
    }

    /// `GET data_units/{unit_id}/` with the caller's query (e.g. `expand=files`). File URLs
    /// are returned untouched (nothing is downloaded).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let unit = client.get_data_unit(500.into(), &[("expand", "files")]).await?;
    /// println!("{:?}", unit.files);
    /// # Ok(()) }
    /// ```
    pub async fn get_data_unit(
        &self,
        unit_id: DataUnitId,
        params: Query<'_>,
    ) -> Result<DataUnit, Error> {
        self.core
            .get(path(["data_units", &unit_id.to_string()], true))
            .query_pairs(query(params))
            .send_json()
            .await
    }

    /// One page of data units: `GET data_units/` with the caller's query plus `page_size`
    /// (the client's page size, default 100, as the Python SDK injects it even for one
    /// page), read timeout 60 s.
    ///
    /// Differences from the Python SDK, on purpose: a `page_size` in the caller's query is
    /// kept (Python overwrites it with its argument); file URLs are never downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_data_units(&[("data_collection", "5")]).await?;
    /// println!("{} units", page.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_data_units(&self, params: Query<'_>) -> Result<Page<DataUnit>, Error> {
        self.core
            .get("data_units/")
            .query_pairs(with_page_size(self.core.page_size(), params))
            .read_timeout(ReadTimeout::After(LONG_LIST_READ_TIMEOUT))
            .send_json()
            .await
    }

    /// Every data unit as a lazy stream: the caller's query plus `page_size` (default 100)
    /// on the first request, then each `next` link; read timeout 60 s per page (as Python).
    ///
    /// Difference from the Python SDK, on purpose: each page's `files` URLs are returned
    /// untouched (Python downloads them into a temp cache; use
    /// [`BackendClient::localize_files`] to do that explicitly).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut units = client.list_data_units_all(&[("data_collection", "5")]);
    /// while let Some(unit) = units.next().await {
    ///     println!("{:?}", unit?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_data_units_all(&self, params: Query<'_>) -> PageStream<DataUnit> {
        self.core
            .paginate("data_units/", query(params))
            .read_timeout(ReadTimeout::After(LONG_LIST_READ_TIMEOUT))
    }

    /// Creates one data unit or several: `POST data_units/`. The body (a
    /// [`DataUnitCreateRequest`], a `Vec` of them, a [`RawJson`](synapse_models::RawJson) or a `serde_json::Value`) is
    /// checked with [`DataUnitCreateRequest::validate_json`] (a rejected body sends nothing)
    /// and then sent **unchanged** (a `RawJson` keeps the caller's key order and nulls), as
    /// the Python SDK does. Returns the answer as sent: a unit, `{"results": […]}` or an
    /// array. Never replayed after it may have reached the server (the Python SDK re-sends it
    /// on 502/503/504 and can create duplicates).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::DataUnitCreateRequest;
    /// let units = vec![
    ///     DataUnitCreateRequest::new(5).file("image", "c0ffee", "files/a.jpg"),
    ///     DataUnitCreateRequest::new(5)
    ///         .file("image", "beef", "files/b.jpg")
    ///         .groups(vec!["batch-01".into()]),
    /// ];
    /// let created = client.create_data_units(&units).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_data_units<T: Serialize + ?Sized>(&self, data: &T) -> Result<Value, Error> {
        let raw = serde_json::value::to_raw_value(data)
            .map_err(|e| Error::invalid_input(format!("cannot encode the data units: {e}")))?;
        let value: Value = serde_json::from_str(raw.get())
            .map_err(|e| Error::invalid_input(format!("cannot read the data units: {e}")))?;
        DataUnitCreateRequest::validate_json(&value)?;
        self.core.post("data_units/").json(&raw).send_value().await
    }

    /// Which of these data-file checksums the server already stores:
    /// `POST data_files/verify_checksums/` with `{"checksums": [...]}`. The Python SDK's
    /// upload action sends at most 1,000 per call; this method sends what it is given.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let answer = client.verify_data_files_checksums(&["9e107d9d372bb6826bd81d3542a419d6"]).await?;
    /// println!("{:?}", answer.existing_checksums);
    /// # Ok(()) }
    /// ```
    pub async fn verify_data_files_checksums<S: AsRef<str>>(
        &self,
        checksums: &[S],
    ) -> Result<VerifyChecksumsResponse, Error> {
        let checksums: Vec<&str> = checksums.iter().map(AsRef::as_ref).collect();
        self.core
            .post("data_files/verify_checksums/")
            .json(&serde_json::json!({ "checksums": checksums }))
            .send_json()
            .await
    }
}
