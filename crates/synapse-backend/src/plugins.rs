//! Plugins: `get_plugin`, `create_plugin`, `update_plugin`, `run_plugin`.

use serde_json::{Map, Value};
use synapse_models::{
    AgentId, Job, JobId, Plugin, PluginCreate, PluginId, PluginRef, PluginRunRequest, PluginUpdate,
    StorageId,
};
use synapse_transport::urls::path;
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, operation,
};

use crate::BackendClient;
use crate::operations::get_operation;

impl BackendClient {
    /// One plugin: `GET plugins/{plugin_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let plugin = client.get_plugin(42).await?;
    /// println!("{:?} {:?}", plugin.code, plugin.category);
    /// # Ok(()) }
    /// ```
    pub fn get_plugin(&self, plugin_id: impl Into<PluginId>) -> GetPlugin {
        GetPlugin::new(&self.core, plugin_id.into())
    }

    /// Creates a plugin: `POST plugins/` with the body as given (the Python SDK passes it
    /// through).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{PluginCode, PluginCreate};
    /// let plugin = client
    ///     .create_plugin(PluginCreate {
    ///         name: Some("YOLO v8".into()),
    ///         code: Some(PluginCode::new("yolov8")?),
    ///         category: Some("neural_net".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create_plugin(&self, plugin: PluginCreate) -> CreatePlugin {
        CreatePlugin {
            call: Call::new(self.core.clone()),
            plugin,
        }
    }

    /// Updates a plugin: `PUT plugins/{plugin_id}/` with the body as given, even when
    /// partial (the Python SDK uses PUT, not PATCH).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::PluginUpdate;
    /// let update = PluginUpdate { description: Some("Detects objects".into()), ..Default::default() };
    /// client.update_plugin(42, update).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_plugin(
        &self,
        plugin_id: impl Into<PluginId>,
        update: PluginUpdate,
    ) -> UpdatePlugin {
        UpdatePlugin {
            call: Call::new(self.core.clone()),
            plugin_id: plugin_id.into(),
            update,
        }
    }

    /// Runs a plugin action: `POST plugins/{plugin}/run/`, where `plugin` is the id or the
    /// code. The body is the typed request, with `"language": "ko"` unless set, as the
    /// Python SDK sends. Returns the started job, or the action's direct result
    /// ([`PluginRun`]).
    ///
    /// **Never retried** once the request may have reached the server: the Python SDK
    /// re-sends it on 502/503/504 and can start the same job several times. A
    /// `gpu_unavailable` 503 is returned as `ApiErrorKind::GpuUnavailable` with its body.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::PluginCode;
    /// let run = client
    ///     .run_plugin(PluginCode::new("yolov8")?)
    ///     .action("train")
    ///     .params(serde_json::json!({"epochs": 10}).as_object().cloned().unwrap_or_default())
    ///     .await?;
    /// println!("job {:?}", run.job_id());
    /// # Ok(()) }
    /// ```
    pub fn run_plugin(&self, plugin: impl Into<PluginRef>) -> RunPlugin {
        RunPlugin {
            call: Call::new(self.core.clone()),
            plugin: plugin.into(),
            run: PluginRunRequest::default(),
        }
    }
}

get_operation! {
    /// [`BackendClient::get_plugin`]: `GET plugins/{plugin_id}/`.
    GetPlugin: GET "plugins" / PluginId => Plugin
}

/// [`BackendClient::create_plugin`]: `POST plugins/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreatePlugin {
    call: Call,
    plugin: PluginCreate,
}

impl Operation for CreatePlugin {
    type Output = Plugin;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("plugins/").json(&self.plugin)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Plugin, Error> {
        operation::json(response, info).await
    }
}
fluent!(CreatePlugin);

/// [`BackendClient::update_plugin`]: `PUT plugins/{plugin_id}/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdatePlugin {
    call: Call,
    plugin_id: PluginId,
    update: PluginUpdate,
}

impl Operation for UpdatePlugin {
    type Output = Plugin;
    fn prepare(&self) -> RequestBuilder {
        let id = self.plugin_id.to_string();
        self.call
            .client()
            .put(path(["plugins", &id], true))
            .json(&self.update)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Plugin, Error> {
        operation::json(response, info).await
    }
}
fluent!(UpdatePlugin);

/// [`BackendClient::run_plugin`]: `POST plugins/{plugin}/run/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RunPlugin {
    call: Call,
    plugin: PluginRef,
    run: PluginRunRequest,
}

impl RunPlugin {
    /// The whole request body at once (replaces the fields set so far).
    pub fn body(mut self, run: PluginRunRequest) -> Self {
        self.run = run;
        self
    }

    /// The action to run (`train`, `deployment`, …).
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.run.action = Some(action.into());
        self
    }

    /// The action's parameters.
    pub fn params(mut self, params: Map<String, Value>) -> Self {
        self.run.params = Some(params);
        self
    }

    /// The agent to run on.
    pub fn agent(mut self, agent: impl Into<AgentId>) -> Self {
        self.run.agent = Some(agent.into());
        self
    }

    /// The storage the job uses.
    pub fn storage_id(mut self, storage: impl Into<StorageId>) -> Self {
        self.run.storage_id = Some(storage.into());
        self
    }

    /// An existing job to run under.
    pub fn job_id(mut self, job: impl Into<JobId>) -> Self {
        self.run.job_id = Some(job.into());
        self
    }

    /// Debug mode.
    pub fn debug(mut self, debug: bool) -> Self {
        self.run.debug = Some(debug);
        self
    }

    /// The release version to run (default: the latest).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.run.version = Some(version.into());
        self
    }

    /// The language of messages (default `ko`, always sent).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.run.language = language.into();
        self
    }
}

impl Operation for RunPlugin {
    type Output = PluginRun;
    fn prepare(&self) -> RequestBuilder {
        let plugin = self.plugin.to_string();
        self.call
            .client()
            .post(path(["plugins", &plugin, "run"], true))
            .json(&self.run)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<PluginRun, Error> {
        operation::value(response, info).await.map(PluginRun::from)
    }
}
fluent!(RunPlugin);

/// What a plugin run answers: the job it started, or the action's own answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PluginRun {
    /// A job was started (the answer names it with `job_id`, or is the job itself).
    Started {
        /// The job's id.
        job_id: JobId,
        /// The job as the server answered it.
        job: Box<Job>,
    },
    /// The action answered directly (serve or inference actions, a deferred envelope with
    /// `status`/`ticket`, …): the answer as sent.
    Direct(Value),
}

impl PluginRun {
    /// The started job's id.
    pub fn job_id(&self) -> Option<&JobId> {
        match self {
            PluginRun::Started { job_id, .. } => Some(job_id),
            PluginRun::Direct(_) => None,
        }
    }

    /// The started job.
    pub fn job(&self) -> Option<&Job> {
        match self {
            PluginRun::Started { job, .. } => Some(job),
            PluginRun::Direct(_) => None,
        }
    }

    /// The direct answer.
    pub fn direct(&self) -> Option<&Value> {
        match self {
            PluginRun::Direct(v) => Some(v),
            PluginRun::Started { .. } => None,
        }
    }
}

impl From<Value> for PluginRun {
    /// An object with a `job_id`, or with the `id` and `status` of a job, is a started job;
    /// anything else is a direct answer.
    fn from(answer: Value) -> Self {
        let job_id = answer.as_object().and_then(|o| {
            let id = o
                .get("job_id")
                .or_else(|| o.get("status").and(o.get("id")))?;
            serde_json::from_value::<JobId>(id.clone()).ok()
        });
        match job_id {
            Some(job_id) => match serde_json::from_value::<Job>(answer.clone()) {
                Ok(job) => PluginRun::Started {
                    job_id,
                    job: Box::new(job),
                },
                Err(_) => PluginRun::Direct(answer),
            },
            None => PluginRun::Direct(answer),
        }
    }
}
