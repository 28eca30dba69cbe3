//! Resource gatekeeping on the agent (the `ResourceClientMixin`): the cluster snapshot,
//! the feasibility dry run, and the runtime policy.

use serde::Serialize;
use serde_json::Value;
use synapse_transport::Error;

use crate::AgentClient;
use crate::models::{
    AgentRuntimePolicy, ClusterResourceSnapshot, FeasibilityRequest, FeasibilityResult,
};

/// Serializes a policy patch, which must be a JSON object.
fn patch_body<T: Serialize + ?Sized>(patch: &T) -> Result<Value, Error> {
    let value = serde_json::to_value(patch).map_err(|e| Error::InvalidInput {
        message: format!("cannot serialize the policy patch: {e}"),
        source: Some(Box::new(e)),
    })?;
    if !value.is_object() {
        return Err(Error::invalid_input("a policy patch must be a JSON object"));
    }
    Ok(value)
}

impl AgentClient {
    /// The agent's view of its cluster: `GET resources/cluster/?use_cache=true` (or
    /// `false`: ask the agent to collect fresh numbers instead of serving its cache).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let snapshot = agent.get_cluster_resources(true).await?;
    /// println!("{} of {} GPUs free", snapshot.gpu.available_gpus, snapshot.gpu.total_gpus);
    /// # Ok(()) }
    /// ```
    pub async fn get_cluster_resources(
        &self,
        use_cache: bool,
    ) -> Result<ClusterResourceSnapshot, Error> {
        self.core
            .get("resources/cluster/")
            .query("use_cache", if use_cache { "true" } else { "false" })
            .send_json()
            .await
    }

    /// A dry-run gatekeeping check: `POST resources/feasibility/` with all six keys of
    /// [`FeasibilityRequest`]. A NaN or infinite CPU/GPU count is an
    /// [`Error::InvalidInput`] (serde would send it as `null`).
    ///
    /// It is a POST, so it is never replayed once it may have reached the agent (only a
    /// request that provably never left is retried); use
    /// [`AgentClient::check_feasibility_with_retries`] to let the retry policy replay it —
    /// the check changes nothing on the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::{FeasibilityRequest, ResourceKind};
    /// let verdict = agent
    ///     .check_feasibility(&FeasibilityRequest::new(ResourceKind::Job, 4.0).num_gpus(1.0))
    ///     .await?;
    /// if !verdict.allowed {
    ///     println!("refused: {:?}", verdict.messages);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn check_feasibility(
        &self,
        request: &FeasibilityRequest,
    ) -> Result<FeasibilityResult, Error> {
        self.feasibility(request, false).await
    }

    /// [`AgentClient::check_feasibility`], marked idempotent: the client's retry policy
    /// replays it on 429/502/503/504, read timeouts and lost responses like a GET.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::{FeasibilityRequest, ResourceKind};
    /// let verdict = agent
    ///     .check_feasibility_with_retries(&FeasibilityRequest::new(ResourceKind::Serve, 1.0))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn check_feasibility_with_retries(
        &self,
        request: &FeasibilityRequest,
    ) -> Result<FeasibilityResult, Error> {
        self.feasibility(request, true).await
    }

    async fn feasibility(
        &self,
        request: &FeasibilityRequest,
        idempotent: bool,
    ) -> Result<FeasibilityResult, Error> {
        request.validate()?;
        let builder = self.core.post("resources/feasibility/").json(request);
        let builder = if idempotent {
            builder.idempotent(true)
        } else {
            builder
        };
        builder.send_json().await
    }

    /// The gatekeeping policy as the agent sends it: `GET resources/policy/`, untyped. See
    /// [`AgentClient::get_runtime_policy`] for the typed view of the same endpoint.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let policy = agent.get_gatekeeping_policy().await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_gatekeeping_policy(&self) -> Result<Value, Error> {
        self.core.get("resources/policy/").send_value().await
    }

    /// Patches the gatekeeping policy: `PATCH resources/policy/` with `patch` verbatim (a
    /// JSON object, e.g. `{"max_concurrent_jobs": 5}`); returns the effective policy,
    /// untyped. An older agent may silently ignore keys it does not know. Not replayed once
    /// it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let policy = agent
    ///     .update_gatekeeping_policy(&serde_json::json!({"max_concurrent_jobs": 5}))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_gatekeeping_policy<T: Serialize + ?Sized>(
        &self,
        patch: &T,
    ) -> Result<Value, Error> {
        let body = patch_body(patch)?;
        self.core
            .patch("resources/policy/")
            .json(&body)
            .send_value()
            .await
    }

    /// The effective runtime policy, typed: `GET resources/policy/` decoded as
    /// [`AgentRuntimePolicy`] (the Python SDK's defaults for missing fields; unknown
    /// fields kept).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let policy = agent.get_runtime_policy().await?;
    /// println!("{} job slots", policy.max_concurrent_jobs);
    /// # Ok(()) }
    /// ```
    pub async fn get_runtime_policy(&self) -> Result<AgentRuntimePolicy, Error> {
        self.core.get("resources/policy/").send_json().await
    }

    /// Patches the runtime policy (`PATCH resources/policy/`, `patch` verbatim — a
    /// [`RuntimePolicyPatch`](crate::RuntimePolicyPatch) or any JSON object) and returns the
    /// effective policy, typed. Not replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::RuntimePolicyPatch;
    /// let patch = RuntimePolicyPatch { max_concurrent_jobs: Some(5), ..Default::default() };
    /// let policy = agent.update_runtime_policy(&patch).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_runtime_policy<T: Serialize + ?Sized>(
        &self,
        patch: &T,
    ) -> Result<AgentRuntimePolicy, Error> {
        let body = patch_body(patch)?;
        self.core
            .patch("resources/policy/")
            .json(&body)
            .send_json()
            .await
    }
}
