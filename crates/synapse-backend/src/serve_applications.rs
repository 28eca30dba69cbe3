//! Serve applications: create, list.

use synapse_models::{Page, ServeApplication, ServeApplicationCreateRequest};
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, fluent_list, operation,
};

use crate::BackendClient;

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
        ListServeApplications {
            call: Call::new(self.core.clone()),
            filters: Vec::new(),
        }
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

/// [`BackendClient::list_serve_applications`]: `GET serve_applications/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListServeApplications {
    call: Call,
    filters: Vec<(String, String)>,
}

impl ListServeApplications {
    /// Only applications of this plugin, by code (`plugin=yolov8`).
    pub fn plugin(mut self, code: &str) -> Self {
        self.filters.push(("plugin".to_owned(), code.to_owned()));
        self
    }

    /// Only applications in this state (`status=RUNNING`).
    pub fn status(mut self, status: synapse_models::ServeApplicationStatus) -> Self {
        self.filters.push(("status".to_owned(), status.to_string()));
        self
    }

    /// Only the application of this job (`job=<id>`).
    pub fn job(mut self, job: impl Into<synapse_models::JobId>) -> Self {
        self.filters
            .push(("job".to_owned(), job.into().to_string()));
        self
    }
}

impl Operation for ListServeApplications {
    type Output = Page<ServeApplication>;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("serve_applications/")
            .query_pairs(self.filters.clone())
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Page<ServeApplication>, Error> {
        operation::json(response, info).await
    }
}
fluent_list!(ListServeApplications, ServeApplication);
