//! HITL: assignments — get, lists (one page or every page) and tags.
//!
//! Lists use the `sdk/` prefix, as the Python SDK. Differences from the Python SDK, on
//! purpose: **nothing is downloaded** — `files` URLs are returned untouched (Python's default
//! `url_conversion` is a no-op here anyway); no POST is replayed on 502/503/504.

use synapse_models::{Assignment, AssignmentId, SetTagsRequest};

use crate::BackendClient;
use crate::operations::{get_operation, list_operation, project_filter, set_tags_operation};

impl BackendClient {
    /// One assignment: `GET assignments/{assignment_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let assignment = client.get_assignment(5).await?;
    /// println!("{:?} {:?}", assignment.status_label, assignment.tags);
    /// # Ok(()) }
    /// ```
    pub fn get_assignment(&self, assignment_id: impl Into<AssignmentId>) -> GetAssignment {
        GetAssignment::new(&self.core, assignment_id.into())
    }

    /// Assignments: `GET sdk/assignments/` with the filters set. Awaiting it gives one page,
    /// with no `page_size` unless one is set (as the Python SDK); `.items()` walks every page
    /// (`page_size`, default 100, on the first request, then each `next` link; `total()`
    /// gives the count after page 1), `.pages()` yields them whole. Python's paginator
    /// options (`throttle_seconds`, `page_retries`, …) are the call's retry policy here.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let page = client.list_assignments().project(1).await?;
    /// println!("{} assignments", page.total());
    /// let mut all = client.list_assignments().project(1).items();
    /// while let Some(a) = all.next().await {
    ///     println!("{:?}", a?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_assignments(&self) -> ListAssignments {
        ListAssignments::new(&self.core)
    }

    /// Assignments with their data only: `GET sdk/assignments/data/` (items `{id, data}`);
    /// one page, or every item with `.items()`, as [`BackendClient::list_assignments`].
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_assignments_data().project(1).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_assignments_data(&self) -> ListAssignmentsData {
        ListAssignmentsData::new(&self.core)
    }

    /// Assignments with their files: `GET sdk/assignments/files/` (items with a `files`
    /// list); one page, or every item with `.items()`, as
    /// [`BackendClient::list_assignments`]. URLs are returned untouched: nothing is
    /// downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut all = client.list_assignments_files().project(1).items();
    /// while let Some(a) = all.next().await {
    ///     println!("{:?}", a?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_assignments_files(&self) -> ListAssignmentsFiles {
        ListAssignmentsFiles::new(&self.core)
    }

    /// Tags assignments: `POST assignments/set_tags/` with the typed body
    /// `{"ids", "tags", "action"}` (`action` always sent, default `add`) and the query set.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{SetTagsAction, SetTagsRequest};
    /// let req = SetTagsRequest::new([1], [2]);
    /// client.set_tags_assignments(req).action(SetTagsAction::Remove).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_tags_assignments(&self, request: SetTagsRequest) -> SetTagsAssignments {
        SetTagsAssignments::new(&self.core, request)
    }
}

get_operation! {
    /// [`BackendClient::get_assignment`]: `GET assignments/{assignment_id}/`.
    GetAssignment: GET "assignments" / AssignmentId => Assignment
}

list_operation! {
    /// [`BackendClient::list_assignments`]: `GET sdk/assignments/`.
    ListAssignments: GET "sdk/assignments/" => Assignment
}

list_operation! {
    /// [`BackendClient::list_assignments_data`]: `GET sdk/assignments/data/` (items
    /// `{id, data}`).
    ListAssignmentsData: GET "sdk/assignments/data/" => Assignment
}

list_operation! {
    /// [`BackendClient::list_assignments_files`]: `GET sdk/assignments/files/` (items with
    /// `files`).
    ListAssignmentsFiles: GET "sdk/assignments/files/" => Assignment
}

project_filter!(ListAssignments, ListAssignmentsData, ListAssignmentsFiles);

set_tags_operation! {
    /// [`BackendClient::set_tags_assignments`]: `POST assignments/set_tags/`.
    SetTagsAssignments: POST "assignments/set_tags/", "assignment"
}
