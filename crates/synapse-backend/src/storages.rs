//! Storages: get (with its configuration), list, create.

use synapse_models::{Page, Storage, StorageCreate, StorageId};
use synapse_transport::urls::path;
use synapse_transport::{Error, PageStream};

use crate::{BackendClient, Query, query};

impl BackendClient {
    /// `GET storages/{storage_id}/?with_configuration=true`. The configuration holds
    /// plaintext provider credentials: it is kept in a wrapper whose `Debug` prints `***`.
    /// Unknown fields and unknown categories are kept (the Python SDK drops or rejects them).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let storage = client.get_storage(3.into()).await?;
    /// println!("{:?} on {:?}", storage.name, storage.provider);
    /// # Ok(()) }
    /// ```
    pub async fn get_storage(&self, storage_id: StorageId) -> Result<Storage, Error> {
        self.core
            .get(path(["storages", &storage_id.to_string()], true))
            .query("with_configuration", "true")
            .send_json()
            .await
    }

    /// One page of storages: `GET storages/` with the caller's query (a bare JSON array
    /// is accepted too). Documented by the product, absent from the Python SDK; the path is
    /// the one the Python SDK's default-storage lookup uses.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_storages(&[("category", "internal")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_storages(&self, params: Query<'_>) -> Result<Page<Storage>, Error> {
        self.core.page("storages/", &query(params)).await
    }

    /// Every storage as a lazy stream.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::TryStreamExt;
    /// let storages: Vec<_> = client.list_storages_all(&[]).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_storages_all(&self, params: Query<'_>) -> PageStream<Storage> {
        self.core.paginate("storages/", query(params))
    }

    /// `POST storages/` with `{name, provider, category, configuration}`. Documented by the
    /// product but absent from the Python SDK: the endpoint is **unverified**.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{SecretValue, StorageCreate};
    /// let storage = client
    ///     .create_storage(&StorageCreate {
    ///         name: Some("My Storage".into()),
    ///         provider: Some("amazon_s3".into()),
    ///         configuration: Some(SecretValue::new(serde_json::json!({"bucket_name": "b"}))),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_storage(&self, storage: &StorageCreate) -> Result<Storage, Error> {
        self.core.post("storages/").json(storage).send_json().await
    }
}
