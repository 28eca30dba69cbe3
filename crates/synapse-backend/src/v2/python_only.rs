//! The two calls the Python SDK makes that the OpenAPI document does not describe, written
//! by hand: an agent's container health push and an async job's progress stream.

use synapse_transport::urls::path;
use synapse_transport::v2::{SseOperation, SseOptions, V2Response};
use synapse_transport::{Call, CallInfo, Error, Operation, RequestBuilder, Response};

use super::generated::async_jobs::AsyncJobs;
use super::generated::containers::Containers;

impl Containers {
    /// An agent reports a container's health: `POST
    /// /v2/_agent/containers/{backend_container_id}/health/` with `body` (e.g.
    /// `{"health_state": "healthy", …}`). The document does not describe this path; the
    /// agent authenticates with its token as the DRF token (`Authorization: Token <t>`).
    /// Never replayed once it may have reached the server.
    pub fn report_health(
        &self,
        backend_container_id: i64,
        body: serde_json::Value,
    ) -> ContainersReportHealth {
        ContainersReportHealth {
            call: Call::new(self.client.clone()),
            backend_container_id,
            body,
        }
    }
}

/// [`Containers::report_health`]: `POST /v2/_agent/containers/{backend_container_id}/health/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ContainersReportHealth {
    call: Call,
    backend_container_id: i64,
    body: serde_json::Value,
}

impl Operation for ContainersReportHealth {
    type Output = V2Response<serde_json::Value>;

    fn prepare(&self) -> RequestBuilder {
        let id = self.backend_container_id.to_string();
        self.call
            .client()
            .post(path(
                ["v2", "_agent", "containers", id.as_str(), "health"],
                true,
            ))
            .json(&self.body)
    }

    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        synapse_transport::v2::json(response, call).await
    }
}
synapse_transport::fluent!(ContainersReportHealth);

impl AsyncJobs {
    /// An async job's progress as server-sent events: `GET /v2/async_jobs/{job_id}/progress/`
    /// (a path the document does not describe). `async_job.progress` and `heartbeat` events,
    /// ended by `async_job.completed` or `error`; a connection that ends without a terminal
    /// event reconnects, up to 5 times in a row without progress (see
    /// [`SseOptions`] to change that through `.events()`' stream).
    pub fn stream_progress(&self, job_id: impl Into<String>) -> AsyncJobsStreamProgress {
        AsyncJobsStreamProgress {
            call: Call::new(self.client.clone()),
            job_id: job_id.into(),
            options: super::streams::async_job_progress(),
        }
    }
}

/// [`AsyncJobs::stream_progress`]: `GET /v2/async_jobs/{job_id}/progress/`.
#[derive(Debug)]
#[must_use = "a stream does nothing until it is polled"]
pub struct AsyncJobsStreamProgress {
    call: Call,
    job_id: String,
    options: SseOptions,
}

impl AsyncJobsStreamProgress {
    /// Replaces the stream settings (reconnection, deadline, idle timeout).
    pub fn options(mut self, options: SseOptions) -> Self {
        self.options = options;
        self
    }
}

impl SseOperation for AsyncJobsStreamProgress {
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get(path(
            ["v2", "async_jobs", self.job_id.as_str(), "progress"],
            true,
        ))
    }

    fn sse_options(&self) -> SseOptions {
        self.options.clone()
    }
}
synapse_transport::fluent_sse!(AsyncJobsStreamProgress);
