//! Storages: get (with its configuration), list, create.

use synapse_models::{Storage, StorageCategory, StorageCreate, StorageId};
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, operation,
};

use crate::BackendClient;
use crate::operations::{get_operation, list_operation};

impl BackendClient {
    /// One storage: `GET storages/{storage_id}/?with_configuration=true`. The configuration
    /// holds plaintext provider credentials: it is kept in a wrapper whose `Debug` prints
    /// `***`. Unknown fields and unknown categories are kept (the Python SDK drops or
    /// rejects them).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let storage = client.get_storage(3).await?;
    /// println!("{:?} on {:?}", storage.name, storage.provider);
    /// # Ok(()) }
    /// ```
    pub fn get_storage(&self, storage_id: impl Into<StorageId>) -> GetStorage {
        GetStorage::new(&self.core, storage_id.into()).param("with_configuration", "true")
    }

    /// Storages: `GET storages/` (a bare JSON array is accepted as one page). Documented by
    /// the product, absent from the Python SDK; the path is the one the Python SDK's
    /// default-storage lookup uses. Awaiting it gives one page; `.items()` walks them all.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::StorageCategory;
    /// let page = client.list_storages().category(StorageCategory::Internal).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_storages(&self) -> ListStorages {
        ListStorages::new(&self.core)
    }

    /// Creates a storage: `POST storages/`. Documented by the product, absent from the
    /// Python SDK.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::StorageCreate;
    /// let storage = client.create_storage(StorageCreate::default()).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_storage(&self, storage: StorageCreate) -> CreateStorage {
        CreateStorage {
            call: Call::new(self.core.clone()),
            storage,
        }
    }
}

get_operation! {
    /// [`BackendClient::get_storage`]: `GET storages/{storage_id}/?with_configuration=true`.
    GetStorage: GET "storages" / StorageId => Storage
}

list_operation! {
    /// [`BackendClient::list_storages`]: `GET storages/`.
    ListStorages: GET "storages/" => Storage
}

impl ListStorages {
    /// Only storages of this category (`category=internal`).
    pub fn category(self, category: StorageCategory) -> Self {
        self.param("category", category)
    }
}

/// [`BackendClient::create_storage`]: `POST storages/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateStorage {
    call: Call,
    storage: StorageCreate,
}

impl Operation for CreateStorage {
    type Output = Storage;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("storages/").json(&self.storage)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Storage, Error> {
        operation::json(response, info).await
    }
}
fluent!(CreateStorage);
