//! An agent, against the embedded fake (its agent answers under `/agent/`): check the
//! agent's health, cache a plugin release on it, run the release there, stream the job's
//! log as it is written, and check the job's outcome.
//!
//! ```sh
//! cargo run -p synapse-backend --example agent_run
//! ```

mod common;

use common::ensure;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use synapse_agent::{AgentClient, JobStatus};

#[tokio::main]
async fn main() -> common::Result {
    // The agent caches releases from the backend, so the backend needs one first.
    let (fake, client) = common::start().await?;
    common::plugin_with_release(&client, "road-segmenter").await?;

    // 1. A client for the agent: its URL and the agent token (against a real agent,
    //    `AgentClient::from_env()` reads both from the environment).
    let agent = AgentClient::builder(fake.agent_url(), fake.agent_token()).build()?;
    let health = agent.health_check().await?;
    println!("1. agent at {}: {health}", fake.agent_url());
    ensure(health["status"] == "ok", "the agent should be healthy")?;

    // 2. Cache release `road-segmenter@1.0.0` on the agent, then find it in its cache.
    let cached = agent
        .create_plugin_release("road-segmenter", "1.0.0")
        .await?;
    let found = agent.get_plugin_release("road-segmenter@1.0.0").await?;
    let all: Vec<_> = agent.list_plugin_releases().items().try_collect().await?;
    println!(
        "2. cached release {} (version {}); the agent holds {} release(s)",
        cached.id.map(|i| i.to_string()).unwrap_or_default(),
        cached.version.as_deref().unwrap_or("?"),
        all.len()
    );
    ensure(
        found.id.is_some() && found.id == cached.id,
        "the cached release should be found by `code@version`",
    )?;

    // 3. Run its `train` action on the agent: the agent starts a job and answers with it.
    let answer = agent
        .run_plugin_release("road-segmenter@1.0.0", "train")
        .params(common::object(json!({"epochs": 5})))
        .await?;
    let job_id = answer
        .job_id()
        .ok_or("the agent answered with a direct result, not a job")?
        .to_owned();
    println!("3. the agent started job {job_id}");

    // 4. Stream the job's log as it is written (over a WebSocket where the agent offers
    //    one, else server-sent events); the stream ends with the job.
    println!("4. its log, as it is written:");
    let mut log = agent.tail_job_logs(&job_id).messages();
    let mut lines = 0;
    while let Some(line) = log.next().await {
        println!("   | {}", line?);
        lines += 1;
    }
    ensure(lines > 0, "the log stream should carry the job's lines")?;

    // 5. The job's outcome, and its whole log at once.
    let job = agent.get_job(&job_id).await?;
    let whole = agent.get_job_logs(&job_id).await?;
    println!(
        "5. job {job_id} ended {} ({}); its log has {} lines",
        job.status.as_ref().map_or("?", |s| s.as_str()),
        job.message.as_deref().unwrap_or("no message"),
        whole.lines().count()
    );
    ensure(
        job.status == Some(JobStatus::Succeeded),
        "the job should succeed",
    )?;
    ensure(
        whole.lines().count() == lines,
        "the whole log should hold the streamed lines",
    )?;

    // 6. Remove the release from the agent's cache.
    agent.delete_plugin_release("road-segmenter@1.0.0").await?;
    let left = agent.list_plugin_releases().await?;
    println!("6. removed it; the agent holds {} release(s)", left.total());
    ensure(left.total() == 0, "the cache should be empty again")?;
    println!("done");
    Ok(())
}
