//! Agents: `list_agents`, `health_check_agent`.

use serde_json::Value;
use synapse_models::{Agent, AgentStatus, Page};
use synapse_transport::urls::path;
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, fluent_list, operation,
};

use crate::BackendClient;

impl BackendClient {
    /// Agents: `GET agents/` with the filters set and no `page_size`, as the Python SDK.
    /// Awaiting it gives the first page (a bare JSON array is accepted as one page);
    /// `.items()` follows every `next` page, still without `page_size` (the Python SDK
    /// silently reads only the first page). [`Agent::effective_token`] gives the token,
    /// falling back to the one embedded in `node_install_script`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use futures_util::StreamExt;
    /// use synapse_backend::models::AgentStatus;
    /// let mut agents = client.list_agents().status(AgentStatus::Connected).items();
    /// while let Some(agent) = agents.next().await {
    ///     let agent = agent?;
    ///     println!("{:?} connected: {}", agent.name, agent.is_connected());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_agents(&self) -> ListAgents {
        ListAgents {
            call: Call::new(self.core.clone()),
            filters: Vec::new(),
        }
    }

    /// Checks an agent's connectivity: `POST agents/{agent_token}/connect/` with no body
    /// (but `Content-Type: application/json` and `Content-Length: 0`, as the Python SDK).
    /// The token, a credential, is shown as `***` in every error and log.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let status = client.health_check_agent("a94a8fe5ccb19ba61c4c0873d391e987982fbbd3").await?;
    /// # Ok(()) }
    /// ```
    pub fn health_check_agent(&self, agent_token: impl Into<String>) -> HealthCheckAgent {
        HealthCheckAgent {
            call: Call::new(self.core.clone()),
            agent_token: agent_token.into(),
        }
    }
}

/// [`BackendClient::list_agents`]: `GET agents/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct ListAgents {
    call: Call,
    filters: Vec<(String, String)>,
}

impl ListAgents {
    /// Only agents in this state (`status=connected`).
    pub fn status(mut self, status: AgentStatus) -> Self {
        self.filters.push(("status".to_owned(), status.to_string()));
        self
    }
}

impl Operation for ListAgents {
    type Output = Page<Agent>;
    const PAGE_SIZE_ON_WALK: bool = false;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("agents/")
            .query_pairs(self.filters.clone())
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Page<Agent>, Error> {
        operation::json(response, info).await
    }
}
fluent_list!(ListAgents, Agent);

/// [`BackendClient::health_check_agent`]: `POST agents/{agent_token}/connect/`.
#[must_use = "a call does nothing until it is awaited"]
pub struct HealthCheckAgent {
    call: Call,
    agent_token: String,
}

impl std::fmt::Debug for HealthCheckAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCheckAgent")
            .field("agent_token", &"***")
            .finish_non_exhaustive()
    }
}

impl Operation for HealthCheckAgent {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        let target = if self.agent_token.is_empty() {
            Err(Error::invalid_input("agent_token is empty"))
        } else {
            path(["agents", &self.agent_token, "connect"], true)
        };
        self.call
            .client()
            .post(target)
            .redact_segment(&self.agent_token)
    }
    async fn decode(response: Response, info: CallInfo) -> Result<Value, Error> {
        operation::value(response, info).await
    }
}
fluent!(HealthCheckAgent);
