//! Job, Serve application and model tools: list_jobs, get_job, get_job_logs, stop_job,
//! list_serve_applications, get_serve_application, delete_serve_application, list_models,
//! get_model.

use futures_util::{StreamExt, TryStreamExt};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{schemars, tool, tool_router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use synapse_backend::PageStream;
use synapse_backend::models::{AgentId, JobId, JobStatus};

use crate::mcp::reply::{ToolError, ToolResult};
use crate::mcp::server::SynapseServer;

fn twenty() -> u32 {
    20
}

fn hundred() -> usize {
    100
}

/// `list_jobs`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListJobsArgs {
    /// At most this many jobs, newest first.
    #[serde(default = "twenty")]
    pub limit: u32,
    /// Only jobs in this status: PENDING, RUNNING, SUCCEEDED, FAILED or STOPPED.
    #[serde(default)]
    pub status: Option<String>,
}

/// The arguments of the tools that take one job.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct JobArgs {
    /// The job's id (a number or a UUID).
    pub job_id: String,
}

/// `get_job_logs`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct JobLogsArgs {
    /// The job's id (a number or a UUID).
    pub job_id: String,
    /// How many of the last lines to return.
    #[serde(default = "hundred")]
    pub lines: usize,
}

/// The arguments of the tools that take one Serve application.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ApplicationArgs {
    /// The application's name (usually `code@version`).
    pub name: String,
}

/// The arguments of the tools that list a window of results.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct WindowArgs {
    /// At most this many results.
    #[serde(default = "twenty")]
    pub limit: u32,
    /// Skip this many results first.
    #[serde(default)]
    pub offset: u32,
}

/// `get_model`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ModelArgs {
    /// The model's id.
    pub model_id: i64,
}

/// The total count and the items `offset..offset + limit` of a paginated list.
pub async fn window<T>(
    mut items: PageStream<T>,
    limit: u32,
    offset: u32,
) -> Result<(u64, Vec<Value>), ToolError>
where
    T: DeserializeOwned + serde::Serialize + Send + 'static,
{
    let total = items.total().await?;
    let picked: Vec<T> = items
        .skip(offset as usize)
        .take(limit as usize)
        .try_collect()
        .await?;
    let values = picked
        .iter()
        .map(|item| serde_json::to_value(item).unwrap_or(Value::Null))
        .collect();
    Ok((total, values))
}

/// A value as JSON (null when it cannot be encoded, which the SDK's models never do).
fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[tool_router(router = job_tools, vis = "pub(crate)")]
impl SynapseServer {
    /// `list_jobs`.
    #[tool(
        description = "List the jobs run on the active environment's selected agent, newest first, optionally of one status."
    )]
    async fn list_jobs(&self, Parameters(args): Parameters<ListJobsArgs>) -> CallToolResult {
        self.finish(self.jobs(args).await)
    }

    /// `get_job`.
    #[tool(description = "Show one job: its status, action, parameters, progress and result.")]
    async fn get_job(&self, Parameters(args): Parameters<JobArgs>) -> CallToolResult {
        self.finish(self.job(args).await)
    }

    /// `get_job_logs`.
    #[tool(description = "The last lines of a job's console log.")]
    async fn get_job_logs(&self, Parameters(args): Parameters<JobLogsArgs>) -> CallToolResult {
        self.finish(self.job_logs(args).await)
    }

    /// `stop_job`.
    #[tool(description = "Stop a running job (its status becomes STOPPED).")]
    async fn stop_job(&self, Parameters(args): Parameters<JobArgs>) -> CallToolResult {
        self.finish(self.stop(args).await)
    }

    /// `list_serve_applications`.
    #[tool(description = "List the Ray Serve applications deployed in the active environment.")]
    async fn list_serve_applications(&self) -> CallToolResult {
        self.finish(self.applications().await)
    }

    /// `get_serve_application`.
    #[tool(description = "Show one Ray Serve application, as the selected agent reports it.")]
    async fn get_serve_application(
        &self,
        Parameters(args): Parameters<ApplicationArgs>,
    ) -> CallToolResult {
        self.finish(self.application(args).await)
    }

    /// `delete_serve_application`.
    #[tool(description = "Delete a Ray Serve application on the selected agent.")]
    async fn delete_serve_application(
        &self,
        Parameters(args): Parameters<ApplicationArgs>,
    ) -> CallToolResult {
        self.finish(self.delete_application(args).await)
    }

    /// `list_models`.
    #[tool(description = "List the models of the active environment (a window: limit, offset).")]
    async fn list_models(&self, Parameters(args): Parameters<WindowArgs>) -> CallToolResult {
        self.finish(self.models(args).await)
    }

    /// `get_model`.
    #[tool(description = "Show one model.")]
    async fn get_model(&self, Parameters(args): Parameters<ModelArgs>) -> CallToolResult {
        self.finish(self.model(args).await)
    }
}

impl SynapseServer {
    async fn jobs(&self, args: ListJobsArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let env = snapshot.active()?;
        let client = env.backend()?;
        let Some(agent_id) = env.env.agent_id else {
            return Err(ToolError::new(
                "No agent selected. Use list_agents() and select_agent() first.",
            ));
        };
        let mut list = client
            .list_jobs()
            .agent(AgentId::from(agent_id))
            .ordering("-created");
        if let Some(status) = args.status.filter(|s| !s.is_empty()) {
            list = list.status(JobStatus::from(status.to_uppercase().as_str()));
        }
        let jobs: Vec<_> = list.items().take(args.limit as usize).try_collect().await?;
        Ok(json!({"success": true, "jobs": to_json(&jobs), "count": jobs.len()}))
    }

    async fn job(&self, args: JobArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let job = client.get_job(JobId::from(args.job_id.as_str())).await?;
        Ok(json!({"success": true, "job": to_json(&job)}))
    }

    async fn job_logs(&self, args: JobLogsArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let logs = client
            .list_job_console_logs(JobId::from(args.job_id.as_str()))
            .await?;
        let lines = logs.lines();
        let start = lines.len().saturating_sub(args.lines);
        Ok(json!({
            "success": true,
            "logs": lines[start..].join("\n"),
            "job_id": args.job_id,
        }))
    }

    async fn stop(&self, args: JobArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let job = client
            .update_job(JobId::from(args.job_id.as_str()))
            .status(JobStatus::Stopped)
            .await?;
        Ok(json!({"success": true, "result": to_json(&job), "job_id": args.job_id}))
    }

    async fn applications(&self) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let page = client.list_serve_applications().await?;
        Ok(json!({"success": true, "applications": to_json(&page.results)}))
    }

    async fn application(&self, args: ApplicationArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let agent = snapshot.active()?.agent()?;
        let application = agent.get_serve_application(&args.name).await?;
        Ok(json!({"success": true, "application": application}))
    }

    async fn delete_application(&self, args: ApplicationArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let agent = snapshot.active()?.agent()?;
        agent.delete_serve_application(&args.name).await?;
        Ok(json!({
            "success": true,
            "message": format!("Application \"{}\" deleted", args.name),
        }))
    }

    async fn models(&self, args: WindowArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let (count, results) =
            window(client.list_models().items(), args.limit, args.offset).await?;
        Ok(json!({"success": true, "models": {"count": count, "results": results}}))
    }

    async fn model(&self, args: ModelArgs) -> ToolResult {
        let snapshot = self.session.snapshot()?;
        let client = snapshot.active()?.backend()?;
        let model = client.get_model(args.model_id).await?;
        Ok(json!({"success": true, "model": to_json(&model)}))
    }
}
