//! System management on the agent (the `SystemClientMixin`): compose configuration,
//! operation status, readiness, update and restart.

use std::time::Duration;

use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, operation,
};
use tokio::time::Instant;

use crate::AgentClient;
use crate::models::{
    ComposeConfig, OperationStatus, SystemOperationResult, SystemStatus, UpdateSystemRequest,
};

/// Default deadline of [`AgentClient::wait_for_system_ready`] and the `_and_wait` system
/// calls (the Python SDK's 120 s).
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Default pause between two polls (the Python SDK's 2 s).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The agent restarting under the call: the request went out and its answer was lost.
fn lost_answer(e: &Error) -> bool {
    matches!(e, Error::ResponseIncomplete { .. })
}

/// The setters of the update body, shared by [`UpdateSystem`] and [`UpdateSystemAndWait`]
/// (a `body: UpdateSystemRequest` field).
macro_rules! update_system_setters {
    () => {
        /// The whole request at once (replaces the tags set so far).
        pub fn body(mut self, body: UpdateSystemRequest) -> Self {
            self.body = body;
            self
        }

        /// Tag of the API image to pull (the agent defaults to `latest`).
        pub fn api_tag(mut self, tag: impl Into<String>) -> Self {
            self.body.api_tag = Some(tag.into());
            self
        }

        /// Tag of the worker image to pull (the agent defaults to `latest`, `latest-gpu` in
        /// GPU mode).
        pub fn worker_tag(mut self, tag: impl Into<String>) -> Self {
            self.body.worker_tag = Some(tag.into());
            self
        }
    };
}

/// The deadline and poll interval setters of a waiting call (`timeout` and `poll_interval`
/// fields).
macro_rules! wait_setters {
    ($default_timeout:expr) => {
        /// How long to wait in all (default
        #[doc = concat!("[`", stringify!($default_timeout), "`](crate::", stringify!($default_timeout), ")).")]
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.timeout = timeout;
            self
        }

        /// The pause between two polls (default
        /// [`DEFAULT_POLL_INTERVAL`](crate::DEFAULT_POLL_INTERVAL)).
        pub fn poll_interval(mut self, poll_interval: Duration) -> Self {
            self.poll_interval = poll_interval;
            self
        }
    };
}
pub(crate) use wait_setters;

impl AgentClient {
    /// The Docker Compose set-up the agent detected: `GET system/compose-config/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let config = agent.get_compose_config().await?;
    /// println!("{:?} {:?}", config.working_dir, config.is_gpu_mode);
    /// # Ok(()) }
    /// ```
    pub fn get_compose_config(&self) -> GetComposeConfig {
        GetComposeConfig {
            call: Call::new(self.core.clone()),
        }
    }

    /// Whether an update or restart is running: `GET system/status/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let status = agent.get_system_status().await?;
    /// if status.is_in_progress() {
    ///     println!("{:?} since {:?}", status.operation, status.started_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_system_status(&self) -> GetSystemStatus {
        GetSystemStatus {
            call: Call::new(self.core.clone()),
        }
    }

    /// Polls `GET health/` every poll interval until one call succeeds (`true`) or the
    /// timeout has passed (`false`); defaults [`DEFAULT_READY_TIMEOUT`] and
    /// [`DEFAULT_POLL_INTERVAL`]. Any failure counts as "not ready yet"; a health check
    /// still running at the deadline is cut off, and the last pause ends at the deadline.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) {
    /// use std::time::Duration;
    /// let ready = agent
    ///     .wait_for_system_ready()
    ///     .timeout(Duration::from_secs(60))
    ///     .await;
    /// # }
    /// ```
    pub fn wait_for_system_ready(&self) -> WaitForSystemReady {
        WaitForSystemReady {
            agent: self.clone(),
            timeout: DEFAULT_READY_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// Pulls new images and recreates the agent's containers, the one answering included:
    /// `POST system/update/` with the tags set, or the JSON literal `null` when neither
    /// is (as the Python SDK sends it). A 409 means an operation is already running and is
    /// returned as the error. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let result = agent.update_system().api_tag("v2").worker_tag("v2-gpu").await?;
    /// # Ok(()) }
    /// ```
    pub fn update_system(&self) -> UpdateSystem {
        UpdateSystem {
            call: Call::new(self.core.clone()),
            body: UpdateSystemRequest::default(),
        }
    }

    /// [`AgentClient::update_system`], then, after a `success`, a pause of the poll
    /// interval and [`AgentClient::wait_for_system_ready`]; when the agent is back,
    /// `message` becomes `System updated and ready`.
    ///
    /// If the answer is lost (the connection dropped after the request went out — the
    /// agent restarting under the call), the update is taken as started: when the agent
    /// comes back in time, a made-up `{"status": "success", "message": "System updated and
    /// ready"}` is returned, otherwise the original error. Unlike the Python SDK, which
    /// does this after **any** failure, HTTP errors (a 409 or a 500) and connection
    /// failures before sending are returned at once.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// let result = agent
    ///     .update_system_and_wait()
    ///     .api_tag("v2")
    ///     .timeout(Duration::from_secs(300))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_system_and_wait(&self) -> UpdateSystemAndWait {
        UpdateSystemAndWait {
            agent: self.clone(),
            body: UpdateSystemRequest::default(),
            timeout: DEFAULT_READY_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// Recreates the agent's containers with their current images: `POST system/restart/`
    /// with no body. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let result = agent.restart_system().await?;
    /// # Ok(()) }
    /// ```
    pub fn restart_system(&self) -> RestartSystem {
        RestartSystem {
            call: Call::new(self.core.clone()),
        }
    }

    /// [`AgentClient::restart_system`], then waits for readiness as
    /// [`AgentClient::update_system_and_wait`] does (`System restarted and ready`).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// let result = agent
    ///     .restart_system_and_wait()
    ///     .timeout(Duration::from_secs(60))
    ///     .poll_interval(Duration::from_secs(1))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn restart_system_and_wait(&self) -> RestartSystemAndWait {
        RestartSystemAndWait {
            agent: self.clone(),
            timeout: DEFAULT_READY_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }
}

/// Polls `GET health/` until one call succeeds (`true`) or `timeout` has passed (`false`).
async fn wait_ready(agent: &AgentClient, timeout: Duration, poll_interval: Duration) -> bool {
    let start = Instant::now();
    loop {
        let Some(remaining) = timeout
            .checked_sub(start.elapsed())
            .filter(|r| !r.is_zero())
        else {
            return false;
        };
        if let Ok(Ok(_)) = tokio::time::timeout(remaining, agent.health_check()).await {
            return true;
        }
        let left = timeout.saturating_sub(start.elapsed());
        tokio::time::sleep(poll_interval.min(left)).await;
    }
}

/// What the `_and_wait` calls do with the answer of the update or restart.
async fn settle(
    agent: &AgentClient,
    result: Result<SystemOperationResult, Error>,
    ready_message: &str,
    timeout: Duration,
    poll_interval: Duration,
) -> Result<SystemOperationResult, Error> {
    match result {
        Ok(mut answer) => {
            if answer.is_success() {
                tokio::time::sleep(poll_interval).await;
                if wait_ready(agent, timeout, poll_interval).await {
                    answer.message = Some(ready_message.to_owned());
                }
            }
            Ok(answer)
        }
        Err(e) if lost_answer(&e) => {
            tracing::debug!(error = %e, "system operation answer lost; waiting for the agent");
            tokio::time::sleep(poll_interval).await;
            if wait_ready(agent, timeout, poll_interval).await {
                Ok(SystemOperationResult {
                    status: Some(OperationStatus::Success),
                    message: Some(ready_message.to_owned()),
                    ..SystemOperationResult::default()
                })
            } else {
                Err(e)
            }
        }
        Err(e) => Err(e),
    }
}

/// [`AgentClient::get_compose_config`]: `GET system/compose-config/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetComposeConfig {
    call: Call,
}

impl Operation for GetComposeConfig {
    type Output = ComposeConfig;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("system/compose-config/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<ComposeConfig, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetComposeConfig);

/// [`AgentClient::get_system_status`]: `GET system/status/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetSystemStatus {
    call: Call,
}

impl Operation for GetSystemStatus {
    type Output = SystemStatus;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("system/status/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<SystemStatus, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetSystemStatus);

/// [`AgentClient::wait_for_system_ready`]: polls `GET health/`; awaiting it gives `true`
/// once the agent answers, `false` at the deadline.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct WaitForSystemReady {
    agent: AgentClient,
    timeout: Duration,
    poll_interval: Duration,
}

impl WaitForSystemReady {
    wait_setters!(DEFAULT_READY_TIMEOUT);
}

impl WaitForSystemReady {
    /// Polls until the agent is ready or the timeout passes; awaiting the builder does the
    /// same.
    pub async fn send(self) -> bool {
        wait_ready(&self.agent, self.timeout, self.poll_interval).await
    }
}

synapse_transport::awaitable!(WaitForSystemReady => bool);

/// [`AgentClient::update_system`]: `POST system/update/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdateSystem {
    call: Call,
    body: UpdateSystemRequest,
}

impl UpdateSystem {
    update_system_setters!();
}

impl Operation for UpdateSystem {
    type Output = SystemOperationResult;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("system/update/").json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(UpdateSystem);

/// [`AgentClient::update_system_and_wait`]: `POST system/update/`, then waits for the
/// agent to be ready again.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdateSystemAndWait {
    agent: AgentClient,
    body: UpdateSystemRequest,
    timeout: Duration,
    poll_interval: Duration,
}

impl UpdateSystemAndWait {
    update_system_setters!();
    wait_setters!(DEFAULT_READY_TIMEOUT);
}

impl UpdateSystemAndWait {
    /// Runs the call and waits; awaiting the builder does the same.
    pub async fn send(self) -> Result<SystemOperationResult, Error> {
        let result = self.agent.update_system().body(self.body).await;
        settle(
            &self.agent,
            result,
            "System updated and ready",
            self.timeout,
            self.poll_interval,
        )
        .await
    }
}

synapse_transport::awaitable!(UpdateSystemAndWait => Result<SystemOperationResult, Error>);

/// [`AgentClient::restart_system`]: `POST system/restart/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RestartSystem {
    call: Call,
}

impl Operation for RestartSystem {
    type Output = SystemOperationResult;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().post("system/restart/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(RestartSystem);

/// [`AgentClient::restart_system_and_wait`]: `POST system/restart/`, then waits for the
/// agent to be ready again.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct RestartSystemAndWait {
    agent: AgentClient,
    timeout: Duration,
    poll_interval: Duration,
}

impl RestartSystemAndWait {
    wait_setters!(DEFAULT_READY_TIMEOUT);
}

impl RestartSystemAndWait {
    /// Runs the call and waits; awaiting the builder does the same.
    pub async fn send(self) -> Result<SystemOperationResult, Error> {
        let result = self.agent.restart_system().await;
        settle(
            &self.agent,
            result,
            "System restarted and ready",
            self.timeout,
            self.poll_interval,
        )
        .await
    }
}

synapse_transport::awaitable!(RestartSystemAndWait => Result<SystemOperationResult, Error>);
