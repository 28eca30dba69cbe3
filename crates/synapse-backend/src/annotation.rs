//! Annotation: projects, tasks (get, lists, create, tags, annotate) and task tags
//! (backend-domains.md §3).
//!
//! Single-task reads and writes use `tasks/`; lists use the `sdk/` prefix, as the Python SDK.
//! Differences from the Python SDK, on purpose: **nothing is downloaded** — the Python
//! `url_conversion` (a no-op for these methods anyway) is not reproduced and every `files`
//! URL is returned untouched; no POST is ever replayed on 502/503/504 (that could create
//! tasks twice); [`BackendClient::annotate_task_data_batch`] bounds its concurrency and
//! returns one result per item in input order.

use futures_util::StreamExt;
use serde_json::Value;
use synapse_models::{
    AnnotateRequest, Page, Project, ProjectId, SetTagsRequest, Task, TaskCreateRequest,
    TaskDataSchema, TaskId, TaskTag, TaskTagId,
};
use synapse_transport::urls::path;
use synapse_transport::{Error, PageStream};

use crate::{BackendClient, Query, query};

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
    pub fn with_schema(mut self, schema: TaskDataSchema) -> Self {
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
    /// `GET projects/{project_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let project = client.get_project(1.into()).await?;
    /// println!("{:?} {:?}", project.title, project.category);
    /// # Ok(()) }
    /// ```
    pub async fn get_project(&self, project_id: ProjectId) -> Result<Project, Error> {
        self.core
            .get(path(["projects", &project_id.to_string()], true))
            .send_json()
            .await
    }

    /// `GET tasks/{task_id}/` with the caller's query (the Python SDK's own callers use
    /// `fields=id,data,data_unit&expand=data_unit`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let task = client
    ///     .get_task(2.into(), &[("fields", "id,data,data_unit"), ("expand", "data_unit")])
    ///     .await?;
    /// println!("{:?}", task.data);
    /// # Ok(()) }
    /// ```
    pub async fn get_task(&self, task_id: TaskId, params: Query<'_>) -> Result<Task, Error> {
        self.core
            .get(path(["tasks", &task_id.to_string()], true))
            .query_pairs(query(params))
            .send_json()
            .await
    }

    /// `PUT tasks/{task_id}/annotate_task_data/[?schema=…]` with the body passed through
    /// unchanged (the Python SDK's own callers send `{"action": "submit", "data": {…}}`; see
    /// [`BackendClient::annotate_task`] for that typed shape). `schema`: `any` skips the
    /// server's DM-schema validation; `None` uses the task's own schema. Returns the parsed
    /// answer (`null` for 204).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::TaskDataSchema;
    /// let body = serde_json::json!({"action": "submit", "data": {"objects": []}});
    /// client.annotate_task_data(3.into(), &body, Some(&TaskDataSchema::Any)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn annotate_task_data(
        &self,
        task_id: TaskId,
        data: &Value,
        schema: Option<&TaskDataSchema>,
    ) -> Result<Value, Error> {
        self.put_annotation(task_id, data, schema).await
    }

    /// [`BackendClient::annotate_task_data`] with the typed `{"action", "data"}` body.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::AnnotateRequest;
    /// let body = AnnotateRequest::submit(serde_json::json!({"objects": []}));
    /// client.annotate_task(3.into(), &body, None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn annotate_task(
        &self,
        task_id: TaskId,
        request: &AnnotateRequest,
        schema: Option<&TaskDataSchema>,
    ) -> Result<Value, Error> {
        self.put_annotation(task_id, request, schema).await
    }

    /// `PUT tasks/{task_id}/annotate_task_data/[?schema=…]` with any JSON body.
    async fn put_annotation<B: serde::Serialize + ?Sized>(
        &self,
        task_id: TaskId,
        body: &B,
        schema: Option<&TaskDataSchema>,
    ) -> Result<Value, Error> {
        self.core
            .put(path(
                ["tasks", &task_id.to_string(), "annotate_task_data"],
                true,
            ))
            .query_pairs(schema.map(|s| ("schema".to_owned(), s.as_str().to_owned())))
            .json(body)
            .send_value()
            .await
    }

    /// One `PUT tasks/{id}/annotate_task_data/` per item (there is no batch endpoint), at
    /// most `max_concurrency` at a time (default [`DEFAULT_ANNOTATE_CONCURRENCY`], at least
    /// 1). A failed PUT never aborts the others.
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
    /// for outcome in client.annotate_task_data_batch(items, Some(4)).await {
    ///     println!("{:?}: {:?}", outcome.task_id, outcome.error_message());
    /// }
    /// # }
    /// ```
    pub async fn annotate_task_data_batch(
        &self,
        items: Vec<AnnotateItem>,
        max_concurrency: Option<usize>,
    ) -> Vec<AnnotateOutcome> {
        let limit = max_concurrency
            .unwrap_or(DEFAULT_ANNOTATE_CONCURRENCY)
            .max(1);
        futures_util::stream::iter(items)
            .map(|item| async move {
                let result = self
                    .annotate_task_data(item.task_id, &item.data, item.schema.as_ref())
                    .await;
                AnnotateOutcome {
                    task_id: item.task_id,
                    result,
                }
            })
            .buffered(limit)
            .collect()
            .await
    }

    /// `GET task_tags/{tag_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let tag = client.get_task_tag(10.into()).await?;
    /// println!("{:?}", tag.name);
    /// # Ok(()) }
    /// ```
    pub async fn get_task_tag(&self, tag_id: TaskTagId) -> Result<TaskTag, Error> {
        self.core
            .get(path(["task_tags", &tag_id.to_string()], true))
            .send_json()
            .await
    }

    /// One page of task tags: `GET task_tags/` with the caller's query (the Python SDK has no
    /// list-all mode for tags).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let tags = client.list_task_tags(&[("project", "1")]).await?;
    /// println!("{} tags", tags.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_task_tags(&self, params: Query<'_>) -> Result<Page<TaskTag>, Error> {
        self.core.page("task_tags/", &query(params)).await
    }

    /// One page of tasks: `GET sdk/tasks/` with the caller's query only (no `page_size`).
    /// `files` URLs are returned untouched.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_tasks(&[("project", "1")]).await?;
    /// println!("{} tasks", page.total());
    /// # Ok(()) }
    /// ```
    pub async fn list_tasks(&self, params: Query<'_>) -> Result<Page<Task>, Error> {
        self.core.page("sdk/tasks/", &query(params)).await
    }

    /// Every task as a lazy stream: `GET sdk/tasks/` with the caller's query plus
    /// `page_size` (default 100) on the first request, then each `next` link. `total()`
    /// gives the count after page 1. Python's paginator options (`throttle_seconds`,
    /// `page_retries`, …) are the client's retry policy here.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut tasks = client.list_tasks_all(&[("project", "1")]);
    /// while let Some(task) = tasks.next().await {
    ///     println!("{:?}", task?.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tasks_all(&self, params: Query<'_>) -> PageStream<Task> {
        self.core.paginate("sdk/tasks/", query(params))
    }

    /// One page of `GET sdk/tasks/data/` (items `{id, data}`), caller's query only.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_tasks_data(&[("project", "1")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_tasks_data(&self, params: Query<'_>) -> Result<Page<Task>, Error> {
        self.core.page("sdk/tasks/data/", &query(params)).await
    }

    /// Every item of `GET sdk/tasks/data/` as a lazy stream (`page_size` default 100 on
    /// the first request).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut tasks = client.list_tasks_data_all(&[("project", "1")]);
    /// while let Some(task) = tasks.next().await {
    ///     println!("{:?}", task?.data);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tasks_data_all(&self, params: Query<'_>) -> PageStream<Task> {
        self.core.paginate("sdk/tasks/data/", query(params))
    }

    /// One page of `GET sdk/tasks/files/` (items with a `files` list), caller's query only.
    /// URLs are returned untouched: nothing is downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_tasks_files(&[("project", "1")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_tasks_files(&self, params: Query<'_>) -> Result<Page<Task>, Error> {
        self.core.page("sdk/tasks/files/", &query(params)).await
    }

    /// Every item of `GET sdk/tasks/files/` as a lazy stream (`page_size` default 100 on
    /// the first request). URLs are returned untouched: nothing is downloaded.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut tasks = client.list_tasks_files_all(&[("project", "1")]);
    /// while let Some(task) = tasks.next().await {
    ///     println!("{:?}", task?.files);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_tasks_files_all(&self, params: Query<'_>) -> PageStream<Task> {
        self.core.paginate("sdk/tasks/files/", query(params))
    }

    /// `POST tasks/` with the typed body `{"project": …, "data": [ … ]}` (unknown keys are
    /// not representable, as Python rejects them). Never replayed after it may have reached
    /// the server (the Python SDK re-sends it on 502/503/504 and can create tasks twice).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), Box<dyn std::error::Error>> {
    /// use synapse_backend::models::TaskCreateRequest;
    /// let req = TaskCreateRequest::new(1, [serde_json::json!({"data_unit": 500})])?;
    /// client.create_tasks(&req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_tasks(&self, request: &TaskCreateRequest) -> Result<Value, Error> {
        self.core.post("tasks/").json(request).send_value().await
    }

    /// `POST tasks/set_tags/` with the caller's query and the typed body
    /// `{"ids", "tags", "action"}` (`action` always sent, default `add`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::SetTagsRequest;
    /// client.set_tags_tasks(&SetTagsRequest::new([1, 2], [10]), &[("project", "1")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_tags_tasks(
        &self,
        request: &SetTagsRequest,
        params: Query<'_>,
    ) -> Result<Value, Error> {
        self.core
            .post("tasks/set_tags/")
            .query_pairs(query(params))
            .json(request)
            .send_value()
            .await
    }
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
