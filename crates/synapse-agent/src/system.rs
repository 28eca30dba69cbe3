//! System management on the agent (the `SystemClientMixin`): compose configuration,
//! operation status, readiness, update and restart.

use std::time::Duration;

use synapse_transport::Error;
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

impl AgentClient {
    /// The Docker Compose set-up the agent detected: `GET system/compose-config/`.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let config = agent.get_compose_config().await?;
    /// println!("{:?} {:?}", config.working_dir, config.is_gpu_mode);
    /// # Ok(()) }
    /// ```
    pub async fn get_compose_config(&self) -> Result<ComposeConfig, Error> {
        self.core.get("system/compose-config/").send_json().await
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
    pub async fn get_system_status(&self) -> Result<SystemStatus, Error> {
        self.core.get("system/status/").send_json().await
    }

    /// Polls `GET health/` every `poll_interval` until one call succeeds (`true`) or
    /// `timeout` has passed (`false`). Any failure counts as "not ready yet"; a health check
    /// still running at the deadline is cut off, and the last pause ends at the deadline.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) {
    /// use synapse_agent::{DEFAULT_POLL_INTERVAL, DEFAULT_READY_TIMEOUT};
    /// let ready = agent.wait_for_system_ready(DEFAULT_READY_TIMEOUT, DEFAULT_POLL_INTERVAL).await;
    /// # }
    /// ```
    pub async fn wait_for_system_ready(&self, timeout: Duration, poll_interval: Duration) -> bool {
        let start = Instant::now();
        loop {
            let Some(remaining) = timeout
                .checked_sub(start.elapsed())
                .filter(|r| !r.is_zero())
            else {
                return false;
            };
            if let Ok(Ok(_)) = tokio::time::timeout(remaining, self.health_check()).await {
                return true;
            }
            let left = timeout.saturating_sub(start.elapsed());
            tokio::time::sleep(poll_interval.min(left)).await;
        }
    }

    /// Pulls new images and recreates the agent's containers, the one answering included:
    /// `POST system/update/` with the tags given, or the JSON literal `null` when neither
    /// is (as the Python SDK sends it). A 409 means an operation is already running and is
    /// returned as the error. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::UpdateSystemRequest;
    /// let req = UpdateSystemRequest { api_tag: Some("v2".into()), worker_tag: Some("v2-gpu".into()) };
    /// let result = agent.update_system(&req).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_system(
        &self,
        request: &UpdateSystemRequest,
    ) -> Result<SystemOperationResult, Error> {
        self.core
            .post("system/update/")
            .json(request)
            .send_json()
            .await
    }

    /// [`AgentClient::update_system`], then, after a `success`, a pause of `poll_interval`
    /// and [`AgentClient::wait_for_system_ready`]; when the agent is back, `message`
    /// becomes `System updated and ready`.
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
    /// use synapse_agent::{UpdateSystemRequest, DEFAULT_POLL_INTERVAL, DEFAULT_READY_TIMEOUT};
    /// let result = agent
    ///     .update_system_and_wait(&UpdateSystemRequest::default(), DEFAULT_READY_TIMEOUT, DEFAULT_POLL_INTERVAL)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_system_and_wait(
        &self,
        request: &UpdateSystemRequest,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<SystemOperationResult, Error> {
        let result = self.update_system(request).await;
        self.settle(result, "System updated and ready", timeout, poll_interval)
            .await
    }

    /// Recreates the agent's containers with their current images: `POST system/restart/`
    /// with no body. Never replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let result = agent.restart_system().await?;
    /// # Ok(()) }
    /// ```
    pub async fn restart_system(&self) -> Result<SystemOperationResult, Error> {
        self.core.post("system/restart/").send_json().await
    }

    /// [`AgentClient::restart_system`], then waits for readiness as
    /// [`AgentClient::update_system_and_wait`] does (`System restarted and ready`).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use std::time::Duration;
    /// let result = agent
    ///     .restart_system_and_wait(Duration::from_secs(60), Duration::from_secs(1))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn restart_system_and_wait(
        &self,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<SystemOperationResult, Error> {
        let result = self.restart_system().await;
        self.settle(result, "System restarted and ready", timeout, poll_interval)
            .await
    }

    async fn settle(
        &self,
        result: Result<SystemOperationResult, Error>,
        ready_message: &str,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<SystemOperationResult, Error> {
        match result {
            Ok(mut answer) => {
                if answer.is_success() {
                    tokio::time::sleep(poll_interval).await;
                    if self.wait_for_system_ready(timeout, poll_interval).await {
                        answer.message = Some(ready_message.to_owned());
                    }
                }
                Ok(answer)
            }
            Err(e) if lost_answer(&e) => {
                tracing::debug!(error = %e, "system operation answer lost; waiting for the agent");
                tokio::time::sleep(poll_interval).await;
                if self.wait_for_system_ready(timeout, poll_interval).await {
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
}
