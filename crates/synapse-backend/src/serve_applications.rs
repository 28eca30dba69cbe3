//! Serve applications: create, list (one page or every page).

use synapse_models::{Page, ServeApplication, ServeApplicationCreateRequest};
use synapse_transport::{Error, PageStream};

use crate::{BackendClient, Query, query};

impl BackendClient {
    /// `POST serve_applications/` with `{job, status?, data?}`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{IntOrString, ServeApplicationCreateRequest};
    /// let app = client
    ///     .create_serve_application(&ServeApplicationCreateRequest::new(IntOrString::from(123i64)))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_serve_application(
        &self,
        request: &ServeApplicationCreateRequest,
    ) -> Result<ServeApplication, Error> {
        self.core
            .post("serve_applications/")
            .json(request)
            .send_json()
            .await
    }

    /// One page: `GET serve_applications/` with the caller's query only.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_serve_applications(&[("plugin_code", "yolov8")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_serve_applications(
        &self,
        params: Query<'_>,
    ) -> Result<Page<ServeApplication>, Error> {
        self.core.page("serve_applications/", &query(params)).await
    }

    /// Every serve application as a lazy stream (`page_size=100` on the first request;
    /// `url_host` is not repeated on followed links, unlike the Python SDK).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::TryStreamExt;
    /// let apps: Vec<_> = client.list_serve_applications_all(&[]).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_serve_applications_all(&self, params: Query<'_>) -> PageStream<ServeApplication> {
        self.core.paginate("serve_applications/", query(params))
    }
}
