//! Serve applications: create, list.

use synapse_models::{ServeApplication, ServeApplicationCreateRequest};
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, operation,
};

use crate::BackendClient;
use crate::operations::list_operation;

impl BackendClient {
    /// Creates a serve application: `POST serve_applications/` with `{job, status?, data?}`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{IntOrString, ServeApplicationCreateRequest};
    /// let app = client
    ///     .create_serve_application(ServeApplicationCreateRequest::new(IntOrString::from(123i64)))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create_serve_application(
        &self,
        request: ServeApplicationCreateRequest,
    ) -> CreateServeApplication {
        CreateServeApplication {
            call: Call::new(self.core.clone()),
            request,
        }
    }

    /// Serve applications: `GET serve_applications/`. Awaiting it gives one page with the
    /// filters set only; `.items()` walks every page with `page_size=100` on the first
    /// request (`url_host` is not repeated on followed links, unlike the Python SDK).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let page = client.list_serve_applications().plugin("yolov8").await?;
    /// # Ok(()) }
    /// ```
    pub fn list_serve_applications(&self) -> ListServeApplications {
        ListServeApplications::new(&self.core)
    }
}

/// [`BackendClient::create_serve_application`]: `POST serve_applications/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateServeApplication {
    call: Call,
    request: ServeApplicationCreateRequest,
}

impl Operation for CreateServeApplication {
    type Output = ServeApplication;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("serve_applications/")
            .json(&self.request)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<ServeApplication, Error> {
        operation::json(response, info).await
    }
}
fluent!(CreateServeApplication);

list_operation! {
    /// [`BackendClient::list_serve_applications`]: `GET serve_applications/`.
    ListServeApplications: GET "serve_applications/" => ServeApplication
}

impl ListServeApplications {
    /// Only applications of this plugin, by code (`plugin=yolov8`).
    pub fn plugin(self, code: &str) -> Self {
        self.param("plugin", code)
    }

    /// Only applications in this state (`status=RUNNING`).
    pub fn status(self, status: synapse_models::ServeApplicationStatus) -> Self {
        self.param("status", status)
    }

    /// Only the application of this job (`job=<id>`).
    pub fn job(self, job: impl Into<synapse_models::JobId>) -> Self {
        self.param("job", job.into())
    }
}
