//! Jobs: get, list (one page or every page), update, console logs and their live tail.

use std::pin::Pin;

use futures_core::Stream;
use synapse_models::{ConsoleLogs, Job, JobId, Page, UpdateJobRequest};
use synapse_transport::urls::path;
use synapse_transport::{Error, LineOptions, PageStream, ReadTimeout};

use crate::{BackendClient, Query, query};

/// The lines of a job's live console log.
pub type LogLines = Pin<Box<dyn Stream<Item = Result<String, Error>> + Send>>;

impl BackendClient {
    /// `GET jobs/{job_id}/` with the caller's query (e.g. `expand=logs`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let job = client.get_job(&"550e8400-e29b-41d4-a716-446655440000".into(), &[]).await?;
    /// if job.status.as_ref().is_some_and(|s| s.is_terminal()) {
    ///     println!("done: {:?}", job.result);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_job(&self, job_id: &JobId, params: Query<'_>) -> Result<Job, Error> {
        self.core
            .get(path(["jobs", &job_id.to_string()], true))
            .query_pairs(query(params))
            .send_json()
            .await
    }

    /// One page of jobs: `GET jobs/` with the caller's query only (no `page_size`).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_jobs(&[("status", "RUNNING"), ("page_size", "10")]).await?;
    /// println!("{} running, first page has {}", page.total(), page.results.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_jobs(&self, params: Query<'_>) -> Result<Page<Job>, Error> {
        self.core.page("jobs/", &query(params)).await
    }

    /// Every job as a lazy stream: the caller's query plus `page_size` (default 100) on
    /// the first request, then each `next` link on the client's origin. `total()` gives the
    /// count after page 1.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// let mut jobs = client.list_jobs_all(&[("status", "RUNNING")]);
    /// println!("{} running", jobs.total().await?);
    /// while let Some(job) = jobs.next().await {
    ///     let job = job?;
    ///     println!("{:?} {:?}", job.id, job.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_jobs_all(&self, params: Query<'_>) -> PageStream<Job> {
        self.core.paginate("jobs/", query(params))
    }

    /// `PATCH jobs/{job_id}/` with the validated request (uppercase status; `result` an
    /// object or array; a rejected request sends nothing). Never replayed after it may have
    /// reached the server (the Python SDK re-sends it on 502/503/504).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{JobStatus, UpdateJobRequest};
    /// let update = UpdateJobRequest::default().status(JobStatus::Succeeded);
    /// client.update_job(&7.into(), &update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_job(
        &self,
        job_id: &JobId,
        update: &UpdateJobRequest,
    ) -> Result<Job, Error> {
        update.validate()?;
        self.core
            .patch(path(["jobs", &job_id.to_string()], true))
            .json(update)
            .send_json()
            .await
    }

    /// `GET jobs/{job_id}/console_logs/`, decoded from any of the shapes servers send (a
    /// bare array, `{"logs": …}` or `{"results": …}`); `lines()` gives the text.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// for line in client.list_job_console_logs(&7.into()).await?.lines() {
    ///     println!("{line}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_job_console_logs(&self, job_id: &JobId) -> Result<ConsoleLogs, Error> {
        self.core
            .get(path(["jobs", &job_id.to_string(), "console_logs"], true))
            .send_json()
            .await
    }

    /// The live console log of a job, `GET jobs/{job_id}/tail_console_logs/`, as a stream
    /// of lines, each yielded as soon as its terminator arrives (Python `splitlines`
    /// semantics by default). Nothing is sent until the stream is first polled.
    ///
    /// Differences from the Python SDK, on purpose: the request goes through the common
    /// path (`url_host`, typed errors, retries of the request before any data); there is no
    /// read timeout but an optional idle timeout ([`LineOptions::idle_timeout`]); text is
    /// UTF-8 whatever the charset; a connection dropped mid-body ends the stream with
    /// `Err(ResponseIncomplete)`, never a clean end; dropping the stream closes the
    /// connection.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient, id: synapse_backend::models::JobId) {
    /// use futures_util::StreamExt;
    /// let mut lines = client.tail_job_console_logs(&id, Default::default());
    /// while let Some(line) = lines.next().await {
    ///     match line {
    ///         Ok(line) => println!("{line}"),
    ///         Err(e) => eprintln!("tail ended: {e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn tail_job_console_logs(&self, job_id: &JobId, options: LineOptions) -> LogLines {
        Box::pin(
            self.core
                .get(path(
                    ["jobs", &job_id.to_string(), "tail_console_logs"],
                    true,
                ))
                .read_timeout(ReadTimeout::Never)
                .lines(options),
        )
    }
}
