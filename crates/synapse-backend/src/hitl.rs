//! HITL: assignments — get, lists (one page or every page) and tags
//! (backend-domains.md §4).
//!
//! Lists use the `sdk/` prefix, as the Python SDK. Differences from the Python SDK, on
//! purpose: **nothing is downloaded** — `files` URLs are returned untouched (Python's default
//! `url_conversion` is a no-op here anyway); no POST is replayed on 502/503/504.

use serde_json::Value;
use synapse_models::{Assignment, AssignmentId, Page, SetTagsRequest};
use synapse_transport::urls::path;
use synapse_transport::{Error, PageStream};

use crate::{BackendClient, Query, query};

impl BackendClient {
    /// `GET assignments/{assignment_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let assignment = client.get_assignment(5.into()).await?;
    /// println!("{:?} {:?}", assignment.status_label, assignment.tags);
    /// # Ok(()) }
    /// ```
    pub async fn get_assignment(&self, assignment_id: AssignmentId) -> Result<Assignment, Error> {
        self.core
            .get(path(["assignments", &assignment_id.to_string()], true))
            .send_json()
            .await
    }

    /// One page of assignments: `GET sdk/assignments/` with the caller's query only (no
    /// `page_size`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_assignments(&[("project", "1")]).await?;
    /// println!("{} assignments", page.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_assignments(&self, params: Query<'_>) -> Result<Page<Assignment>, Error> {
        self.core.page("sdk/assignments/", &query(params)).await
    }

    /// Every assignment as a lazy stream: `GET sdk/assignments/` with the caller's query plus
    /// `page_size` (default 100) on the first request, then each `next` link. `total()` gives
    /// the count after page 1. Python's paginator options (`throttle_seconds`,
    /// `page_retries`, …) are the client's retry policy here.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut all = client.list_assignments_all(&[("project", "1")]);
    /// while let Some(a) = all.next().await {
    ///     println!("{:?}", a?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_assignments_all(&self, params: Query<'_>) -> PageStream<Assignment> {
        self.core.paginate("sdk/assignments/", query(params))
    }

    /// One page of `GET sdk/assignments/data/` (items `{id, data}`), caller's query only.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_assignments_data(&[("project", "1")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_assignments_data(
        &self,
        params: Query<'_>,
    ) -> Result<Page<Assignment>, Error> {
        self.core
            .page("sdk/assignments/data/", &query(params))
            .await
    }

    /// Every item of `GET sdk/assignments/data/` as a lazy stream (`page_size` default 100
    /// on the first request).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut all = client.list_assignments_data_all(&[("project", "1")]);
    /// while let Some(a) = all.next().await {
    ///     println!("{:?}", a?.data);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_assignments_data_all(&self, params: Query<'_>) -> PageStream<Assignment> {
        self.core.paginate("sdk/assignments/data/", query(params))
    }

    /// One page of `GET sdk/assignments/files/` (items with a `files` list), caller's query
    /// only. URLs are returned untouched: nothing is downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_assignments_files(&[("project", "1")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_assignments_files(
        &self,
        params: Query<'_>,
    ) -> Result<Page<Assignment>, Error> {
        self.core
            .page("sdk/assignments/files/", &query(params))
            .await
    }

    /// Every item of `GET sdk/assignments/files/` as a lazy stream (`page_size` default 100
    /// on the first request). URLs are returned untouched: nothing is downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut all = client.list_assignments_files_all(&[("project", "1")]);
    /// while let Some(a) = all.next().await {
    ///     println!("{:?}", a?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_assignments_files_all(&self, params: Query<'_>) -> PageStream<Assignment> {
        self.core.paginate("sdk/assignments/files/", query(params))
    }

    /// `POST assignments/set_tags/` with the caller's query and the typed body
    /// `{"ids", "tags", "action"}` (`action` always sent, default `add`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{SetTagsAction, SetTagsRequest};
    /// let req = SetTagsRequest::new([1], [2]).action(SetTagsAction::Remove);
    /// client.set_tags_assignments(&req, &[]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_tags_assignments(
        &self,
        request: &SetTagsRequest,
        params: Query<'_>,
    ) -> Result<Value, Error> {
        self.core
            .post("assignments/set_tags/")
            .query_pairs(query(params))
            .json(request)
            .send_value()
            .await
    }
}
