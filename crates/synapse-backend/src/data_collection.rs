//! Data collections, data units and data-file checksums: the read/write JSON endpoints.
//! The file-upload flows ([`BackendClient::create_data_file`],
//! [`BackendClient::upload_data_file`], [`BackendClient::upload_data_collection`]) are
//! documented on their own methods.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use synapse_models::{
    DataCollection, DataCollectionId, DataUnit, DataUnitCreateRequest, DataUnitId,
    VerifyChecksumsResponse,
};
use synapse_transport::{
    Call, CallInfo, Error, HasCall, Operation, ReadTimeout, RequestBuilder, Response, fluent,
    operation,
};

use crate::BackendClient;
use crate::operations::{get_operation, list_operation};

/// Read timeout of `list_data_units` and `list_ground_truths` (the Python SDK's 60 s).
pub(crate) const LONG_LIST_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Sets a list call's page size to the client's (default 100), as the Python SDK sends
/// `page_size` on these lists even for one page. The call's `.page_size(n)` replaces it.
pub(crate) fn with_client_page_size<O: HasCall>(mut op: O) -> O {
    let size = op.call().client().page_size();
    op.call_mut().options_mut().page_size = Some(size);
    op
}

/// Sets a call's read timeout to [`LONG_LIST_READ_TIMEOUT`], for every page of a walk. The
/// call's `.read_timeout(d)` replaces it.
pub(crate) fn with_long_read_timeout<O: HasCall>(mut op: O) -> O {
    op.call_mut().options_mut().read_timeout = Some(ReadTimeout::After(LONG_LIST_READ_TIMEOUT));
    op
}

impl BackendClient {
    /// Data collections: `GET data_collections/` (no filter, as the Python SDK). Awaiting it
    /// gives one page; `.items()` walks every page.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_data_collections().await?;
    /// for c in &page.results {
    ///     println!("{:?} {:?}", c.id, c.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_data_collections(&self) -> ListDataCollections {
        ListDataCollections::new(&self.core)
    }

    /// The product documentation's name for [`BackendClient::list_data_collections`] (it
    /// writes `list_data_collection()`; the Python SDK's method is plural): the same call.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let collections = client.list_data_collection().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_data_collection(&self) -> ListDataCollections {
        self.list_data_collections()
    }

    /// One data collection with its file specifications:
    /// `GET data_collections/{collection_id}/?expand=file_specifications` (the expansion is
    /// always sent, as the Python SDK does).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let collection = client.get_data_collection(5).await?;
    /// for spec in collection.file_specifications.iter().flatten() {
    ///     println!("{:?} {:?}", spec.name, spec.file_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_data_collection(
        &self,
        collection_id: impl Into<DataCollectionId>,
    ) -> GetDataCollection {
        GetDataCollection::new(&self.core, collection_id.into())
            .param("expand", "file_specifications")
    }

    /// One data unit: `GET data_units/{unit_id}/` with the expansions set (e.g.
    /// `expand=files`). File URLs are returned untouched (nothing is downloaded).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let unit = client.get_data_unit(500).expand("files").await?;
    /// println!("{:?}", unit.files);
    /// # Ok(()) }
    /// ```
    pub fn get_data_unit(&self, unit_id: impl Into<DataUnitId>) -> GetDataUnit {
        GetDataUnit::new(&self.core, unit_id.into())
    }

    /// Data units: `GET data_units/` with the filters set, then `page_size` (the client's,
    /// default 100, as the Python SDK sends it even for one page; `.page_size(n)` replaces
    /// it), read timeout 60 s per page (`.read_timeout(d)` replaces it). Awaiting it gives
    /// one page; `.items()` walks every page.
    ///
    /// Differences from the Python SDK, on purpose: a `page_size` set on the call is kept
    /// (Python overwrites it with its argument); file URLs are never downloaded (Python
    /// downloads each page's `files` into a temp cache when it walks every page; use
    /// [`BackendClient::localize_files`] to do that explicitly).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let page = client.list_data_units().data_collection(5).await?;
    /// println!("{} units", page.total());
    /// let mut units = client.list_data_units().data_collection(5).items();
    /// while let Some(unit) = units.next().await {
    ///     println!("{:?}", unit?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_data_units(&self) -> ListDataUnits {
        with_long_read_timeout(with_client_page_size(ListDataUnits::new(&self.core)))
    }

    /// Creates one data unit or several: `POST data_units/`. The body (a
    /// [`DataUnitCreateRequest`], a `Vec` of them, a [`RawJson`](synapse_models::RawJson) or
    /// a `serde_json::Value`) is checked with [`DataUnitCreateRequest::validate_json`] (a
    /// rejected body sends nothing) and then sent **unchanged** (a `RawJson` keeps the
    /// caller's key order and nulls), as the Python SDK does. Returns the answer as sent: a
    /// unit, `{"results": […]}` or an array. Never replayed after it may have reached the
    /// server (the Python SDK re-sends it on 502/503/504 and can create duplicates).
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
    pub fn create_data_units<T: Serialize + ?Sized>(&self, data: &T) -> CreateDataUnits {
        CreateDataUnits {
            call: Call::new(self.core.clone()),
            body: serde_json::value::to_raw_value(data)
                .map_err(|e| format!("cannot encode the data units: {e}")),
        }
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
    pub fn verify_data_files_checksums<S: AsRef<str>>(
        &self,
        checksums: &[S],
    ) -> VerifyDataFilesChecksums {
        VerifyDataFilesChecksums {
            call: Call::new(self.core.clone()),
            checksums: checksums.iter().map(|c| c.as_ref().to_owned()).collect(),
        }
    }
}

list_operation! {
    /// [`BackendClient::list_data_collections`]: `GET data_collections/`.
    ListDataCollections: GET "data_collections/" => DataCollection
}

get_operation! {
    /// [`BackendClient::get_data_collection`]:
    /// `GET data_collections/{collection_id}/?expand=file_specifications`.
    GetDataCollection: GET "data_collections" / DataCollectionId => DataCollection
}

get_operation! {
    /// [`BackendClient::get_data_unit`]: `GET data_units/{unit_id}/`.
    GetDataUnit: GET "data_units" / DataUnitId => DataUnit
}

impl GetDataUnit {
    /// Embeds a related field (`expand=files`); repeatable.
    pub fn expand(self, field: impl Into<String>) -> Self {
        self.param("expand", field.into())
    }
}

list_operation! {
    /// [`BackendClient::list_data_units`]: `GET data_units/` (`page_size` and a 60 s read
    /// timeout by default).
    ListDataUnits: GET "data_units/" => DataUnit
}

impl ListDataUnits {
    /// Only the units of this collection (`data_collection=<id>`).
    pub fn data_collection(self, collection: impl Into<DataCollectionId>) -> Self {
        self.param("data_collection", collection.into())
    }
}

/// [`BackendClient::create_data_units`]: `POST data_units/` with the caller's JSON,
/// validated and sent unchanged.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateDataUnits {
    call: Call,
    /// The caller's JSON, exactly as it serialised (or why it could not).
    body: Result<Box<RawValue>, String>,
}

impl CreateDataUnits {
    /// The body, once checked as the Python SDK checks it.
    fn checked(&self) -> Result<&RawValue, Error> {
        let raw = self
            .body
            .as_deref()
            .map_err(|e| Error::invalid_input(e.clone()))?;
        let value: Value = serde_json::from_str(raw.get())
            .map_err(|e| Error::invalid_input(format!("cannot read the data units: {e}")))?;
        DataUnitCreateRequest::validate_json(&value)?;
        Ok(raw)
    }
}

impl Operation for CreateDataUnits {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        let builder = self.call.client().post("data_units/");
        match self.checked() {
            Ok(raw) => builder.json(raw),
            Err(e) => builder.validated(Err(e)),
        }
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(CreateDataUnits);

/// [`BackendClient::verify_data_files_checksums`]: `POST data_files/verify_checksums/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct VerifyDataFilesChecksums {
    call: Call,
    checksums: Vec<String>,
}

impl VerifyDataFilesChecksums {
    /// One more checksum to look up (`checksums[]`).
    pub fn checksum(mut self, checksum: impl Into<String>) -> Self {
        self.checksums.push(checksum.into());
        self
    }
}

impl Operation for VerifyDataFilesChecksums {
    type Output = VerifyChecksumsResponse;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("data_files/verify_checksums/")
            .json(&serde_json::json!({ "checksums": self.checksums }))
    }
    async fn decode(response: Response, call: CallInfo) -> Result<VerifyChecksumsResponse, Error> {
        operation::json(response, call).await
    }
}
fluent!(VerifyDataFilesChecksums);
