//! Agents: `list_agents`, `health_check_agent`.

use futures_util::TryStreamExt;
use serde_json::Value;
use synapse_models::Agent;
use synapse_transport::Error;
use synapse_transport::urls::path;

use crate::{BackendClient, Query};

impl BackendClient {
    /// Every agent: `GET agents/` with the caller's query and no `page_size`, then each
    /// `next` page (the Python SDK silently reads only the first page). A bare JSON array
    /// is accepted too. Use [`Agent::effective_token`] for the token, which falls back to
    /// the one embedded in `node_install_script`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// for agent in client.list_agents(&[("status", "connected")]).await? {
    ///     println!("{:?} connected: {}", agent.name, agent.is_connected());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_agents(&self, params: Query<'_>) -> Result<Vec<Agent>, Error> {
        self.core
            .paginate::<Agent>("agents/", crate::query(params))
            .page_size(None)
            .try_collect()
            .await
    }

    /// Checks an agent's connectivity: `POST agents/{agent_token}/connect/` with no body
    /// (but `Content-Type: application/json`, as the Python SDK). The token, a credential,
    /// is shown as `***` in every error and log.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let status = client.health_check_agent("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3").await?;
    /// # Ok(()) }
    /// ```
    pub async fn health_check_agent(&self, agent_token: &str) -> Result<Value, Error> {
        if agent_token.is_empty() {
            return Err(Error::invalid_input("agent_token is empty"));
        }
        self.core
            .post(path(["agents", agent_token, "connect"], true))
            .redact_segment(agent_token)
            .send_value()
            .await
    }
}
