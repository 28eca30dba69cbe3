//! Resource gatekeeping on the agent (the `ResourceClientMixin`): the cluster snapshot,
//! the feasibility dry run, and the runtime policy.

use serde::Serialize;
use serde_json::{Map, Value};
use synapse_transport::{
    Call, CallInfo, Error, Operation, RequestBuilder, Response, fluent, operation,
};

use crate::AgentClient;
use crate::models::{
    AgentRuntimePolicy, ClusterResourceSnapshot, FeasibilityRequest, FeasibilityResult,
    ResourceKind,
};

/// A policy patch serialised to JSON, or why it cannot be sent (reported when the call is
/// built).
type Patch = Result<Value, String>;

/// Serializes a policy patch, which must be a JSON object.
fn patch_body<T: Serialize + ?Sized>(patch: &T) -> Patch {
    let value = serde_json::to_value(patch)
        .map_err(|e| format!("cannot serialize the policy patch: {e}"))?;
    if !value.is_object() {
        return Err("a policy patch must be a JSON object".to_owned());
    }
    Ok(value)
}

/// `PATCH resources/policy/` with the patch, or the patch's error.
fn patch_request(call: &Call, patch: &Patch) -> RequestBuilder {
    let builder = call.client().patch("resources/policy/");
    match patch {
        Ok(body) => builder.json(body),
        Err(message) => builder.validated(Err(Error::invalid_input(message.clone()))),
    }
}

impl AgentClient {
    /// The agent's view of its cluster: `GET resources/cluster/?use_cache=true` (or
    /// `false` with `.use_cache(false)`: ask the agent to collect fresh numbers instead of
    /// serving its cache).
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let snapshot = agent.get_cluster_resources().await?;
    /// println!("{} of {} GPUs free", snapshot.gpu.available_gpus, snapshot.gpu.total_gpus);
    /// let fresh = agent.get_cluster_resources().use_cache(false).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_cluster_resources(&self) -> GetClusterResources {
        GetClusterResources {
            call: Call::new(self.core.clone()),
            use_cache: true,
        }
    }

    /// A dry-run gatekeeping check of a `kind` workload needing `num_cpus` CPUs: `POST
    /// resources/feasibility/` with all six keys of [`FeasibilityRequest`] (the setters set
    /// the others; their defaults are the Python SDK's). A NaN or infinite CPU/GPU count is
    /// an [`Error::InvalidInput`] (serde would send it as `null`).
    ///
    /// It is a POST, so it is never replayed once it may have reached the agent (only a
    /// request that provably never left is retried); `.idempotent(true)` lets the retry
    /// policy replay it on 429/502/503/504, read timeouts and lost responses like a GET —
    /// the check changes nothing on the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::ResourceKind;
    /// let verdict = agent
    ///     .check_feasibility(ResourceKind::Job, 4.0)
    ///     .num_gpus(1.0)
    ///     .idempotent(true)
    ///     .await?;
    /// if !verdict.allowed {
    ///     println!("refused: {:?}", verdict.messages);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn check_feasibility(&self, kind: ResourceKind, num_cpus: f64) -> CheckFeasibility {
        CheckFeasibility {
            call: Call::new(self.core.clone()),
            body: FeasibilityRequest::new(kind, num_cpus),
        }
    }

    /// The gatekeeping policy as the agent sends it: `GET resources/policy/`, untyped. See
    /// [`AgentClient::get_runtime_policy`] for the typed view of the same endpoint.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let policy = agent.get_gatekeeping_policy().await?;
    /// # Ok(()) }
    /// ```
    pub fn get_gatekeeping_policy(&self) -> GetGatekeepingPolicy {
        GetGatekeepingPolicy {
            call: Call::new(self.core.clone()),
        }
    }

    /// Patches the gatekeeping policy: `PATCH resources/policy/` with `patch` verbatim (a
    /// JSON object, e.g. `{"max_concurrent_jobs": 5}`; anything else is an
    /// [`Error::InvalidInput`]); answers the effective policy, untyped. An older agent may
    /// silently ignore keys it does not know. Not replayed once it may have reached the
    /// agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// let policy = agent
    ///     .update_gatekeeping_policy(&serde_json::json!({"max_concurrent_jobs": 5}))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_gatekeeping_policy<T: Serialize + ?Sized>(
        &self,
        patch: &T,
    ) -> UpdateGatekeepingPolicy {
        UpdateGatekeepingPolicy {
            call: Call::new(self.core.clone()),
            patch: patch_body(patch),
        }
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
    pub fn get_runtime_policy(&self) -> GetRuntimePolicy {
        GetRuntimePolicy {
            call: Call::new(self.core.clone()),
        }
    }

    /// Patches the runtime policy (`PATCH resources/policy/`, `patch` verbatim — a
    /// [`RuntimePolicyPatch`](crate::RuntimePolicyPatch) or any JSON object) and answers the
    /// effective policy, typed. Not replayed once it may have reached the agent.
    ///
    /// ```no_run
    /// # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
    /// use synapse_agent::RuntimePolicyPatch;
    /// let patch = RuntimePolicyPatch { max_concurrent_jobs: Some(5), ..Default::default() };
    /// let policy = agent.update_runtime_policy(&patch).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_runtime_policy<T: Serialize + ?Sized>(&self, patch: &T) -> UpdateRuntimePolicy {
        UpdateRuntimePolicy {
            call: Call::new(self.core.clone()),
            patch: patch_body(patch),
        }
    }
}

/// [`AgentClient::get_cluster_resources`]: `GET resources/cluster/?use_cache=…`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetClusterResources {
    call: Call,
    use_cache: bool,
}

impl GetClusterResources {
    /// Whether the agent may answer from its cache (`use_cache=true`, the default) or must
    /// collect fresh numbers (`use_cache=false`).
    pub fn use_cache(mut self, use_cache: bool) -> Self {
        self.use_cache = use_cache;
        self
    }
}

impl Operation for GetClusterResources {
    type Output = ClusterResourceSnapshot;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("resources/cluster/")
            .query("use_cache", if self.use_cache { "true" } else { "false" })
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetClusterResources);

/// [`AgentClient::check_feasibility`]: `POST resources/feasibility/`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CheckFeasibility {
    call: Call,
    body: FeasibilityRequest,
}

impl CheckFeasibility {
    /// The whole request at once (replaces the kind, the CPUs and every field set so far).
    pub fn body(mut self, body: FeasibilityRequest) -> Self {
        self.body = body;
        self
    }

    /// GPUs needed (default `0.0`).
    pub fn num_gpus(mut self, num_gpus: f64) -> Self {
        self.body.num_gpus = num_gpus;
        self
    }

    /// Memory needed, in bytes (sent as `null` unless set).
    pub fn memory_bytes(mut self, memory_bytes: u64) -> Self {
        self.body.memory_bytes = Some(memory_bytes);
        self
    }

    /// Number of replicas (default `1`).
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.body.replicas = replicas;
        self
    }

    /// Free-form metadata (default `{}`), e.g. `{"plugin_code": "yolov8@1.0.0"}`.
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.body.metadata = metadata;
        self
    }
}

impl Operation for CheckFeasibility {
    type Output = FeasibilityResult;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("resources/feasibility/")
            .validated(self.body.validate())
            .json(&self.body)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(CheckFeasibility);

/// [`AgentClient::get_gatekeeping_policy`]: `GET resources/policy/`, untyped.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetGatekeepingPolicy {
    call: Call,
}

impl Operation for GetGatekeepingPolicy {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("resources/policy/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(GetGatekeepingPolicy);

/// [`AgentClient::update_gatekeeping_policy`]: `PATCH resources/policy/`, untyped answer.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdateGatekeepingPolicy {
    call: Call,
    patch: Patch,
}

impl Operation for UpdateGatekeepingPolicy {
    type Output = Value;
    fn prepare(&self) -> RequestBuilder {
        patch_request(&self.call, &self.patch)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Value, Error> {
        operation::value(response, call).await
    }
}
fluent!(UpdateGatekeepingPolicy);

/// [`AgentClient::get_runtime_policy`]: `GET resources/policy/`, typed.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct GetRuntimePolicy {
    call: Call,
}

impl Operation for GetRuntimePolicy {
    type Output = AgentRuntimePolicy;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("resources/policy/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(GetRuntimePolicy);

/// [`AgentClient::update_runtime_policy`]: `PATCH resources/policy/`, typed answer.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct UpdateRuntimePolicy {
    call: Call,
    patch: Patch,
}

impl Operation for UpdateRuntimePolicy {
    type Output = AgentRuntimePolicy;
    fn prepare(&self) -> RequestBuilder {
        patch_request(&self.call, &self.patch)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        operation::json(response, call).await
    }
}
fluent!(UpdateRuntimePolicy);
