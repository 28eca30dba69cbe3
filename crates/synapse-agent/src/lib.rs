//! `AgentClient`: the client of a synapse-agent, the per-cluster service that caches plugin
//! releases, runs them on Ray and manages containers.
//!
//! Every call is a builder named after its operation ([`GetJob`], [`RunPluginRelease`],
//! [`ListPluginReleases`], …): its arguments are the ids it needs, its setters the body
//! fields and query parameters, plus the options every call has (`.read_timeout()`,
//! `.connect_timeout()`, `.retry()`, `.idempotent()`, a raw `.query(k, v)`). Awaiting the
//! builder sends it; `.request()` gives the exact request without sending anything; a list
//! call also has `.page_size()`, `.items()` (every item, as a lazy stream) and `.pages()`.
//!
//! ```no_run
//! # async fn demo(agent: synapse_agent::AgentClient) -> Result<(), synapse_agent::Error> {
//! use std::time::Duration;
//! // Await a call to send it.
//! let job = agent.get_job("raysubmit_abc123").await?;
//! println!("{:?} {:?}", job.status, job.message);
//! // Setters for the body and per-call options, then await.
//! let answer = agent
//!     .run_plugin_release("yolov8@1.0.0", "inference")
//!     .language("en")
//!     .read_timeout(Duration::from_secs(120))
//!     .await?;
//! // The exact request, without IO.
//! let request = agent.run_plugin_release("yolov8@1.0.0", "train").request()?;
//! assert_eq!(request.full_url().path(), "/plugin_releases/yolov8@1.0.0/run/");
//! # Ok(()) }
//! ```
//!
//! Multi-request flows (`wait_for_build`, `create_container_and_wait`,
//! `update_system_and_wait`, `restart_system_and_wait`, `wait_for_system_ready`) are
//! builders too, with `.timeout()` and `.poll_interval()`; the live job log is
//! [`TailJobLogs`], whose `.messages()` is a stream.
//!
//! Built on [`synapse_transport`] (HTTP, retries, pagination, errors) and
//! [`synapse_models`] (typed models). Requests match the official Python SDK
//! (`synapse-sdk` 2026.2.17) on the wire — method, path and its trailing slash (which is
//! **not** uniform on the agent: `plugin_releases/{lookup}`, `containers/docker/{id}` and
//! `containers/{id}` have none), query, credential headers and JSON body — except where this
//! SDK is deliberately safer; each such method says so.
//!
//! | domain | methods |
//! |---|---|
//! | health | [`health_check`](AgentClient::health_check) |
//! | plugin releases | [`list_plugin_releases`](AgentClient::list_plugin_releases), [`get_plugin_release`](AgentClient::get_plugin_release), [`create_plugin_release`](AgentClient::create_plugin_release), [`delete_plugin_release`](AgentClient::delete_plugin_release), [`run_plugin_release`](AgentClient::run_plugin_release), [`run_plugin_release_legacy`](AgentClient::run_plugin_release_legacy), [`run_debug_plugin_release`](AgentClient::run_debug_plugin_release) |
//! | Ray | [`list_jobs`](AgentClient::list_jobs), [`get_job`](AgentClient::get_job), [`get_job_logs`](AgentClient::get_job_logs) / [`list_job_logs`](AgentClient::list_job_logs), [`stop_job`](AgentClient::stop_job), [`stream_tail_job_logs`](AgentClient::stream_tail_job_logs), [`websocket_tail_job_logs`](AgentClient::websocket_tail_job_logs), [`tail_job_logs`](AgentClient::tail_job_logs), [`get_gpu_status`](AgentClient::get_gpu_status), [`list_nodes`](AgentClient::list_nodes), [`get_node`](AgentClient::get_node), [`list_tasks`](AgentClient::list_tasks), [`get_task`](AgentClient::get_task), [`list_serve_applications`](AgentClient::list_serve_applications), [`get_serve_application`](AgentClient::get_serve_application), [`delete_serve_application`](AgentClient::delete_serve_application) |
//! | resources | [`get_cluster_resources`](AgentClient::get_cluster_resources), [`check_feasibility`](AgentClient::check_feasibility), [`get_gatekeeping_policy`](AgentClient::get_gatekeeping_policy), [`update_gatekeeping_policy`](AgentClient::update_gatekeeping_policy), [`get_runtime_policy`](AgentClient::get_runtime_policy), [`update_runtime_policy`](AgentClient::update_runtime_policy) |
//! | system | [`get_compose_config`](AgentClient::get_compose_config), [`get_system_status`](AgentClient::get_system_status), [`wait_for_system_ready`](AgentClient::wait_for_system_ready), [`update_system`](AgentClient::update_system), [`update_system_and_wait`](AgentClient::update_system_and_wait), [`restart_system`](AgentClient::restart_system), [`restart_system_and_wait`](AgentClient::restart_system_and_wait) |
//! | containers | [`get_build_status`](AgentClient::get_build_status), [`wait_for_build`](AgentClient::wait_for_build), [`list_docker_containers`](AgentClient::list_docker_containers), [`get_docker_container`](AgentClient::get_docker_container), [`create_docker_container`](AgentClient::create_docker_container), [`delete_docker_container`](AgentClient::delete_docker_container), [`stop_docker_container`](AgentClient::stop_docker_container), [`start_docker_container`](AgentClient::start_docker_container), [`create_container`](AgentClient::create_container), [`create_container_and_wait`](AgentClient::create_container_and_wait), [`list_containers`](AgentClient::list_containers), [`get_container`](AgentClient::get_container), [`update_container`](AgentClient::update_container), [`delete_container`](AgentClient::delete_container) |
//!
//! # Retries
//!
//! The transport never replays a POST or PATCH once it may have reached the agent: only a
//! request that provably never left the client (DNS failure, refused connection, connect
//! timeout) is retried. So `run_plugin_release`, `run_debug_plugin_release`,
//! `create_plugin_release`, `create_container`, `create_docker_container`, `stop_job`,
//! Docker start/stop, `update_system` and `restart_system` never start a second job, build
//! or update (the Python SDK replays them on 502/503/504). The feasibility check, a POST
//! that changes nothing, is retried only when the call is marked `.idempotent(true)`.
//! GET and DELETE are retried under the client's [`RetryPolicy`].
//!
//! # Not supported
//!
//! - **Long-poll mode** (an agent without a reachable URL, requests relayed through a
//!   broker by a `LongPollHandler`): out of scope; every call goes over HTTP to the base URL.
//! - **Error message prefix**: the Python SDK prefixes its messages with `Agent`; errors
//!   here name the method and the (redacted) URL instead.

mod client;
mod containers;
pub mod models;
mod plugin_releases;
mod ray;
mod resources;
mod sse;
mod system;
mod tail;

pub use crate::client::{
    AgentClient, AgentClientBuilder, ENV_AGENT_TOKEN, ENV_AGENT_URL, ENV_TENANT, ENV_USER_TOKEN,
    HealthCheck,
};
pub use crate::containers::{
    CreateContainer, CreateContainerAndWait, CreateDockerContainer, DEFAULT_BUILD_TIMEOUT,
    DeleteContainer, DeleteDockerContainer, GetBuildStatus, GetContainer, GetDockerContainer,
    ListContainers, ListDockerContainers, StartDockerContainer, StopDockerContainer,
    UpdateContainer, WaitForBuild,
};
pub use crate::models::{
    AgentRuntimePolicy, BuildOutcome, BuildState, BuildStatus, ClusterResourceSnapshot,
    ComposeConfig, ContainerBuildRef, CreateContainerRequest, CreateDockerContainerRequest,
    FeasibilityRequest, FeasibilityResult, GpuDevice, GpuSummary, JobReference, NodeCounts,
    NodeResource, NodeState, OperationStatus, PluginReleaseRef, PluginRun, RayJob, RayTime,
    ReleaseFields, ResourceCounter, ResourceKind, RuntimePolicyPatch, SystemOperation,
    SystemOperationResult, SystemStatus, UpdateSystemRequest,
};
pub use crate::plugin_releases::{
    CreatePluginRelease, DeletePluginRelease, GetPluginRelease, IntoReleaseLookup,
    ListPluginReleases, RunDebugPluginRelease, RunPluginRelease, RunPluginReleaseLegacy,
};
pub use crate::ray::{
    DeleteServeApplication, GetGpuStatus, GetJob, GetJobLogs, GetNode, GetServeApplication,
    GetTask, ListJobs, ListNodes, ListServeApplications, ListTasks, StopJob, TailJobLogs,
};
pub use crate::resources::{
    CheckFeasibility, GetClusterResources, GetGatekeepingPolicy, GetRuntimePolicy,
    UpdateGatekeepingPolicy, UpdateRuntimePolicy,
};
pub use crate::sse::LogMessages;
pub use crate::system::{
    DEFAULT_POLL_INTERVAL, DEFAULT_READY_TIMEOUT, GetComposeConfig, GetSystemStatus, RestartSystem,
    RestartSystemAndWait, UpdateSystem, UpdateSystemAndWait, WaitForSystemReady,
};
pub use crate::tail::{MAX_WEBSOCKET_FRAMES, TailProtocol};
pub use synapse_models::{
    ContainerKind, CreatePluginReleaseRequest, JobStatus, Page, PluginRelease, PluginReleaseId,
    ReleaseLookup, ReleaseLookupError, RunDebugPluginReleaseRequest, RunPluginReleaseRequest,
    ServeApplicationStatus, Timestamp,
};
pub use synapse_transport::mock;
pub use synapse_transport::{
    ApiBody, ApiError, ApiErrorKind, ConnectKind, EnvSource, Error, GiveUp, HttpConfig, MapEnv,
    Method, PageStream, ProcessEnv, Request, Response, RetryPolicy, StatusCode, TimeoutKind,
    Transport, Url,
};
