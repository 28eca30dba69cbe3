//! Annotation: projects, tasks (get, lists, create, tags, annotate) and task tags.
//!
//! Every operation is a builder named after it ([`GetProject`], [`ListTasks`], …): set its
//! typed parameters, then `.await` it (or take its request value with `.request()`, without
//! IO). A list awaited gives one page; `.items()` walks every page.
//!
//! Single-task reads and writes use `tasks/`; lists use the `sdk/` prefix, as the Python SDK.
//! Differences from the Python SDK, on purpose: **nothing is downloaded** — the Python
//! `url_conversion` (a no-op for these methods anyway) is not reproduced and every `files`
//! URL is returned untouched; no POST is ever replayed on 502/503/504 (that could create
//! tasks twice); [`BackendClient::annotate_task_data_batch`] bounds its concurrency and
//! returns one result per item in input order.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use futures_util::StreamExt;
use serde_json::{Map, Value};
use synapse_models::{
    AnnotateAction, AnnotateRequest, Project, ProjectId, SetTagsRequest, Task, TaskCreateRequest,
    TaskDataSchema, TaskId, TaskTag, TaskTagId,
};
use synapse_transport::urls::path;
use synapse_transport::{
    Call, CallInfo, Client, Error, HasCall, Operation, RequestBuilder, Response, fluent, operation,
};

use crate::BackendClient;
use crate::operations::{get_operation, list_operation, project_filter, set_tags_operation};

/// Default number of concurrent PUTs of [`BackendClient::annotate_task_data_batch`]
/// (the Python SDK uses one thread per item).
pub const DEFAULT_ANNOTATE_CONCURRENCY: usize = 16;

/// One item of [`BackendClient::annotate_task_data_batch`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotateItem {
    /// The task to annotate.
    pub task_id: TaskId,
    /// The annotate body, sent as given.
    pub data: Value,
    /// `?schema=` (absent: the task's own schema).
    pub schema: Option<TaskDataSchema>,
}

impl AnnotateItem {
    /// An item without `schema`.
    pub fn new(task_id: impl Into<TaskId>, data: Value) -> Self {
        Self {
            task_id: task_id.into(),
            data,
            schema: None,
        }
    }

    /// Sets `?schema=`.
    pub fn schema(mut self, schema: TaskDataSchema) -> Self {
        self.schema = Some(schema);
        self
    }
}

/// The outcome of one item of [`BackendClient::annotate_task_data_batch`].
#[derive(Debug)]
pub struct AnnotateOutcome {
    /// The item's task.
    pub task_id: TaskId,
    /// The server's answer, or the error of this PUT.
    pub result: Result<Value, Error>,
}

impl AnnotateOutcome {
    /// Whether the PUT succeeded.
    pub fn is_success(&self) -> bool {
        self.result.is_ok()
    }

    /// The error as text with URLs and `Authorization` credentials redacted (as the Python
    /// SDK's `error` string), or `None` on success.
    pub fn error_message(&self) -> Option<String> {
        self.result
            .as_ref()
            .err()
            .map(|e| redact_error(&e.to_string()))
    }
}

/// Replaces every `http(s)://…` with `<redacted-url>` and `Authorization <scheme> <cred>`
/// with `<redacted-auth>`.
fn redact_error(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if word
            .trim_start_matches(['"', '\'', '(', '<'])
            .eq_ignore_ascii_case("authorization")
            || word
                .trim_start_matches(['"', '\'', '(', '<'])
                .eq_ignore_ascii_case("authorization:")
        {
            out.push("<redacted-auth>".to_owned());
            i += 3;
            continue;
        }
        match word.find("https://").or_else(|| word.find("http://")) {
            Some(at) => out.push(format!("{}<redacted-url>", &word[..at])),
            None => out.push(word.to_owned()),
        }
        i += 1;
    }
    out.join(" ")
}

impl BackendClient {
    /// One project: `GET projects/{project_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let project = client.get_project(1).await?;
    /// println!("{:?} {:?}", project.title, project.category);
    /// # Ok(()) }
    /// ```
    pub fn get_project(&self, project_id: impl Into<ProjectId>) -> GetProject {
        GetProject::new(&self.core, project_id.into())
    }

    /// One task: `GET tasks/{task_id}/`, with the fields and expansions set (the Python
    /// SDK's own callers ask `fields=id,data,data_unit&expand=data_unit`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let task = client
    ///     .get_task(2)
    ///     .fields(["id", "data", "data_unit"])
    ///     .expand("data_unit")
    ///     .await?;
    /// println!("{:?}", task.data);
    /// # Ok(()) }
    /// ```
    pub fn get_task(&self, task_id: impl Into<TaskId>) -> GetTask {
        GetTask::new(&self.core, task_id.into())
    }

    /// Annotates a task: `PUT tasks/{task_id}/annotate_task_data/[?schema=…]` with `data`
    /// sent unchanged (the Python SDK's own callers send `{"action": "submit", "data": {…}}`;
    /// see [`BackendClient::annotate_task`] for that typed shape). Returns the parsed answer
    /// (`null` for 204).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::TaskDataSchema;
    /// let body = serde_json::json!({"action": "submit", "data": {"objects": []}});
    /// client.annotate_task_data(3, body).schema(TaskDataSchema::Any).await?;
    /// # Ok(()) }
    /// ```
    pub fn annotate_task_data(&self, task_id: impl Into<TaskId>, data: Value) -> AnnotateTaskData {
        AnnotateTaskData {
            call: Call::new(self.core.clone()),
            task_id: task_id.into(),
            body: data.clone(),
            schema: None,
        }
    }

    /// [`BackendClient::annotate_task_data`] with the typed `{"action", "data"}` body.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::AnnotateRequest;
    /// let body = AnnotateRequest::submit(serde_json::json!({"objects": []}));
    /// client.annotate_task(3, body).await?;
    /// # Ok(()) }
    /// ```
    pub fn annotate_task(
        &self,
        task_id: impl Into<TaskId>,
        request: AnnotateRequest,
    ) -> AnnotateTask {
        AnnotateTask {
            call: Call::new(self.core.clone()),
            task_id: task_id.into(),
            body: request,
            schema: None,
        }
    }

    /// Annotates many tasks: one `PUT tasks/{id}/annotate_task_data/` per item (there is no
    /// batch endpoint), at most [`max_concurrency`](AnnotateTaskDataBatch::max_concurrency)
    /// at a time (default [`DEFAULT_ANNOTATE_CONCURRENCY`]). A failed PUT never aborts the
    /// others; awaiting the batch gives one [`AnnotateOutcome`] per item.
    ///
    /// Differences from the Python SDK, on purpose: the result is a `Vec` in **input order**,
    /// one entry per item (duplicate task ids keep every result, where Python keeps one);
    /// concurrency is bounded (Python starts one thread per item); the error is typed —
    /// [`AnnotateOutcome::error_message`] gives Python's redacted text.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) {
    /// use synapse_backend::annotation::AnnotateItem;
    /// let items = vec![
    ///     AnnotateItem::new(1, serde_json::json!({"action": "submit", "data": {}})),
    ///     AnnotateItem::new(2, serde_json::json!({"action": "submit", "data": {}})),
    /// ];
    /// for outcome in client.annotate_task_data_batch(items).max_concurrency(4).await {
    ///     println!("{:?}: {:?}", outcome.task_id, outcome.error_message());
    /// }
    /// # }
    /// ```
    pub fn annotate_task_data_batch(
        &self,
        items: impl IntoIterator<Item = AnnotateItem>,
    ) -> AnnotateTaskDataBatch {
        AnnotateTaskDataBatch {
            client: self.core.clone(),
            items: items.into_iter().collect(),
            max_concurrency: DEFAULT_ANNOTATE_CONCURRENCY,
        }
    }

    /// One task tag: `GET task_tags/{tag_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let tag = client.get_task_tag(10).await?;
    /// println!("{:?}", tag.name);
    /// # Ok(()) }
    /// ```
    pub fn get_task_tag(&self, tag_id: impl Into<TaskTagId>) -> GetTaskTag {
        GetTaskTag::new(&self.core, tag_id.into())
    }

    /// Task tags: `GET task_tags/` with the filters set. Awaiting it gives one page (the
    /// Python SDK has no list-all mode for tags); `.items()` walks every page.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let tags = client.list_task_tags().project(1).await?;
    /// println!("{} tags", tags.total());
    /// # Ok(()) }
    /// ```
    pub fn list_task_tags(&self) -> ListTaskTags {
        ListTaskTags::new(&self.core)
    }

    /// Tasks: `GET sdk/tasks/` with the filters set. Awaiting it gives one page, with no
    /// `page_size` unless one is set (as the Python SDK); `.items()` walks every page
    /// (`page_size`, default 100, on the first request, then each `next` link), `.pages()`
    /// yields them whole. `files` URLs are returned untouched. Python's paginator options
    /// (`throttle_seconds`, `page_retries`, …) are the call's retry policy here.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let page = client.list_tasks().project(1).await?;
    /// println!("{} tasks", page.total());
    /// let mut tasks = client.list_tasks().project(1).items();
    /// while let Some(task) = tasks.next().await {
    ///     println!("{:?}", task?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> ListTasks {
        ListTasks::new(&self.core)
    }

    /// Tasks with their data only: `GET sdk/tasks/data/` (items `{id, data}`); one page, or
    /// every item with `.items()`, as [`BackendClient::list_tasks`].
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_tasks_data().project(1).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_tasks_data(&self) -> ListTasksData {
        ListTasksData::new(&self.core)
    }

    /// Tasks with their files: `GET sdk/tasks/files/` (items with a `files` list); one page,
    /// or every item with `.items()`, as [`BackendClient::list_tasks`]. URLs are returned
    /// untouched: nothing is downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut tasks = client.list_tasks_files().project(1).items();
    /// while let Some(task) = tasks.next().await {
    ///     println!("{:?}", task?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tasks_files(&self) -> ListTasksFiles {
        ListTasksFiles::new(&self.core)
    }

    /// Creates tasks: `POST tasks/` with the typed body `{"project": …, "data": [ … ]}`
    /// (unknown keys are not representable, as Python rejects them). Never replayed after it
    /// may have reached the server (the Python SDK re-sends it on 502/503/504 and can create
    /// tasks twice).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), Box<dyn std::error::Error>> {
    /// use synapse_backend::models::TaskCreateRequest;
    /// let req = TaskCreateRequest::new(1, [serde_json::json!({"data_unit": 500})])?;
    /// client.create_tasks(req).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_tasks(&self, request: TaskCreateRequest) -> CreateTasks {
        CreateTasks {
            call: Call::new(self.core.clone()),
            body: request,
        }
    }

    /// Tags tasks: `POST tasks/set_tags/` with the typed body `{"ids", "tags", "action"}`
    /// (`action` always sent, default `add`) and the query set.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::SetTagsRequest;
    /// client.set_tags_tasks(SetTagsRequest::new([1, 2], [10])).project(1).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_tags_tasks(&self, request: SetTagsRequest) -> SetTagsTasks {
        SetTagsTasks::new(&self.core, request)
    }
}

get_operation! {
    /// [`BackendClient::get_project`]: `GET projects/{project_id}/`.
    GetProject: GET "projects" / ProjectId => Project
}

get_operation! {
    /// [`BackendClient::get_task`]: `GET tasks/{task_id}/`.
    GetTask: GET "tasks" / TaskId => Task
}

impl GetTask {
    /// Only these fields, as one comma-separated value (`fields=id,data,data_unit`, as the
    /// Python SDK's callers send it).
    pub fn fields<I, S>(self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let fields: Vec<String> = fields.into_iter().map(|f| f.as_ref().to_owned()).collect();
        self.param("fields", fields.join(","))
    }

    /// Embeds a related object (`expand=data_unit`); repeatable.
    pub fn expand(self, field: impl Into<String>) -> Self {
        self.param("expand", field.into())
    }
}

get_operation! {
    /// [`BackendClient::get_task_tag`]: `GET task_tags/{tag_id}/`.
    GetTaskTag: GET "task_tags" / TaskTagId => TaskTag
}

list_operation! {
    /// [`BackendClient::list_task_tags`]: `GET task_tags/`.
    ListTaskTags: GET "task_tags/" => TaskTag
}

list_operation! {
    /// [`BackendClient::list_tasks`]: `GET sdk/tasks/`.
    ListTasks: GET "sdk/tasks/" => Task
}

list_operation! {
    /// [`BackendClient::list_tasks_data`]: `GET sdk/tasks/data/` (items `{id, data}`).
    ListTasksData: GET "sdk/tasks/data/" => Task
}

list_operation! {
    /// [`BackendClient::list_tasks_files`]: `GET sdk/tasks/files/` (items with `files`).
    ListTasksFiles: GET "sdk/tasks/files/" => Task
}

project_filter!(ListTaskTags, ListTasks, ListTasksData, ListTasksFiles);

/// `tasks/{task_id}/annotate_task_data/`.
fn annotate_path(task_id: TaskId) -> Result<String, Error> {
    path(["tasks", &task_id.to_string(), "annotate_task_data"], true)
}

/// [`BackendClient::annotate_task_data`]: `PUT tasks/{task_id}/annotate_task_data/` with
/// the caller's JSON.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct AnnotateTaskData<B = Value> {
    call: Call,
    task_id: TaskId,
    body: B,
    schema: Option<TaskDataSchema>,
}

/// [`BackendClient::annotate_task`]: `PUT tasks/{task_id}/annotate_task_data/` with the
/// typed `{"action", "data"}` body.
pub type AnnotateTask = AnnotateTaskData<AnnotateRequest>;

impl<B> AnnotateTaskData<B> {
    /// Validates against this schema (`?schema=`): `any` skips the server's DM-schema
    /// validation; unset, the task's own schema applies.
    pub fn schema(mut self, schema: TaskDataSchema) -> Self {
        self.schema = Some(schema);
        self
    }
}

impl AnnotateTask {
    /// Save a draft or submit (`action`).
    pub fn action(mut self, action: AnnotateAction) -> Self {
        self.body.action = action;
        self
    }

    /// The annotation data (`data`, may be `null`).
    pub fn data(mut self, data: Value) -> Self {
        self.body.data = data;
        self
    }
}

impl<B> Operation for AnnotateTaskData<B>
where
    B: serde::Serialize + Send + Sync + 'static,
    Self: HasCall,
{
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .put(annotate_path(self.task_id))
            .query_opt("schema", self.schema.as_ref().map(TaskDataSchema::as_str))
            .json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(AnnotateTaskData);
fluent!(AnnotateTask);

/// [`BackendClient::annotate_task_data_batch`]: one [`AnnotateTaskData`] per item, at most
/// `max_concurrency` at a time; awaiting it gives one [`AnnotateOutcome`] per item, in input
/// order.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct AnnotateTaskDataBatch {
    client: Client,
    items: Vec<AnnotateItem>,
    max_concurrency: usize,
}

impl AnnotateTaskDataBatch {
    /// The most PUTs in flight at once (default [`DEFAULT_ANNOTATE_CONCURRENCY`]; 0 counts
    /// as 1).
    pub fn max_concurrency(mut self, max_concurrency: usize) -> Self {
        self.max_concurrency = max_concurrency;
        self
    }

    /// Sends every PUT and gives one outcome per item, in input order; awaiting the batch
    /// does the same.
    pub async fn send(self) -> Vec<AnnotateOutcome> {
        let limit = self.max_concurrency.max(1);
        let client = self.client;
        futures_util::stream::iter(self.items)
            .map(move |item| {
                let put = AnnotateTaskData {
                    call: Call::new(client.clone()),
                    task_id: item.task_id,
                    body: item.data,
                    schema: item.schema,
                };
                async move {
                    AnnotateOutcome {
                        task_id: item.task_id,
                        result: put.await,
                    }
                }
            })
            .buffered(limit)
            .collect()
            .await
    }
}

impl IntoFuture for AnnotateTaskDataBatch {
    type Output = Vec<AnnotateOutcome>;
    type IntoFuture = Pin<Box<dyn Future<Output = Vec<AnnotateOutcome>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// [`BackendClient::create_tasks`]: `POST tasks/` with a [`TaskCreateRequest`].
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateTasks {
    call: Call,
    body: TaskCreateRequest,
}

impl CreateTasks {
    /// The project the tasks belong to (`project`; replaces the one given).
    pub fn project(mut self, project: impl Into<ProjectId>) -> Self {
        self.body.project = project.into();
        self
    }

    /// One more task (`data[]`, e.g. `{"data_unit": 789}`).
    pub fn task(mut self, item: Map<String, Value>) -> Self {
        self.body.data.push(item);
        self
    }

    /// The tasks (`data`; replaces the ones given).
    pub fn data(mut self, items: impl IntoIterator<Item = Map<String, Value>>) -> Self {
        self.body.data = items.into_iter().collect();
        self
    }
}

impl Operation for CreateTasks {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("tasks/").json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(CreateTasks);

set_tags_operation! {
    /// [`BackendClient::set_tags_tasks`]: `POST tasks/set_tags/`.
    SetTagsTasks: POST "tasks/set_tags/", "task"
}

#[cfg(test)]
mod tests {
    use super::redact_error;

    #[test]
    fn redacts_urls_and_authorization() {
        assert_eq!(
            redact_error("PUT https://synapse.test/tasks/3/annotate_task_data/: 500 boom"),
            "PUT <redacted-url> 500 boom"
        );
        assert_eq!(
            redact_error("sent Authorization Token abc123 to (http://x/y)"),
            "sent <redacted-auth> to (<redacted-url>"
        );
    }
}
