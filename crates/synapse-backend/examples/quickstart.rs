//! The product documentation's "Complete Integration Workflow", end to end, against the
//! embedded fake backend (real HTTP on 127.0.0.1; no network, no account):
//! create a plugin, create a release from an archive file, run it, follow the job while
//! tailing its console log, and print the result — then the same run through an agent
//! (`AgentClient`): cache the release on the agent, run it there, follow the job.
//!
//! ```sh
//! cargo run -p synapse-backend --example quickstart
//! ```

mod common;

use futures_util::StreamExt;
use serde_json::json;
use synapse_agent::AgentClient;
use synapse_backend::models::{
    JobId, JobStatus, PluginCode, PluginCreate, PluginReleaseCreateRequest, TailEventType,
};
use synapse_backend::{BackendClient, Error};
use synapse_fake::FakeServer;

#[tokio::main]
async fn main() -> common::Result {
    // The fake, and a client for it (see `common/mod.rs` for the client of a real platform).
    let (fake, client) = common::start().await?;

    // 1. Create the plugin.
    let plugin = client
        .create_plugin(PluginCreate {
            name: Some("Image Processing Plugin".into()),
            code: Some(PluginCode::new("image-processing")?),
            category: Some("neural_net".into()),
            description: Some("Advanced image processing capabilities".into()),
            ..Default::default()
        })
        .await?;
    let plugin_id = plugin.id.ok_or("the plugin has no id")?;
    println!(
        "1. created plugin {plugin_id} ({})",
        plugin.name.as_deref().unwrap_or("?")
    );

    // 2. Create a release from an archive file (streamed from disk, never loaded whole).
    let dir = tempfile::tempdir()?;
    let archive = dir.path().join("image-processing-1.0.0.zip");
    std::fs::write(&archive, fake_archive())?;
    let mut release =
        PluginReleaseCreateRequest::new(PluginCode::new("image-processing")?, "1.0.0");
    release.config = Some(common::object(
        json!({"actions": {"train": {"entrypoint": "plugin.train", "method": "job"}}}),
    ));
    release.requirements = Some(vec!["pillow>=9.0.0".into()]);
    let release = client
        .create_plugin_release(release)
        .archive(archive.as_path())
        .await?;
    println!(
        "2. created release {} (version {}, archive {} bytes)",
        release.id.map(|i| i.to_string()).unwrap_or_default(),
        release.version.as_deref().unwrap_or("?"),
        release.extra["archive"]["size"]
    );

    // 3. Run it.
    let params = json!({"quality": 0.9, "format": "png", "epochs": 10});
    let run = client
        .run_plugin(plugin_id)
        .action("train")
        .params(common::object(params))
        .await?;
    let job_id = run.job_id().cloned().ok_or("the run started no job")?;
    println!("3. started job {job_id}");

    // 4. Follow the job while its console log streams in.
    println!("4. following job {job_id}");
    let tail = tokio::spawn(tail_console(client.clone(), job_id.clone()));
    let job = common::wait_for_job(&client, &job_id).await?;
    tail.await??;

    // 5. The result.
    let status = job
        .status
        .clone()
        .unwrap_or_else(|| JobStatus::from("none"));
    println!("5. job {job_id} ended {}", status.as_str());
    if status != JobStatus::Succeeded {
        let logs = client.list_job_console_logs(job_id.clone()).await?;
        for line in logs.lines().iter().rev().take(10).rev() {
            println!("   {line}");
        }
        return Err(format!("the job ended {}", status.as_str()).into());
    }
    println!("   result: {}", json!(job.result));

    // 6. The same run through an agent: cache the release there, run it, follow the job.
    agent_run(&fake).await
}

async fn agent_run(fake: &FakeServer) -> common::Result {
    let agent = AgentClient::builder(fake.agent_url(), fake.agent_token()).build()?;
    agent.health_check().await?;
    let cached = agent
        .create_plugin_release("image-processing", "1.0.0")
        .await?;
    println!(
        "6. agent at {} cached release {}@{}",
        fake.agent_url(),
        cached.plugin.as_ref().and_then(|p| p.code()).unwrap_or("?"),
        cached.version.as_deref().unwrap_or("?")
    );
    let answer = agent
        .run_plugin_release("image-processing@1.0.0", "train")
        .params(common::object(json!({"epochs": 10})))
        .await?;
    let job_id = answer
        .job_id()
        .ok_or("the agent answered with a direct result, not a job")?
        .to_owned();
    println!("7. agent started job {job_id}");
    let mut log = agent.tail_job_logs(&job_id).messages();
    while let Some(line) = log.next().await {
        println!("   | {}", line?);
    }
    let job = agent.get_job(&job_id).await?;
    let status = job
        .status
        .clone()
        .unwrap_or_else(|| JobStatus::from("none"));
    println!(
        "8. agent job {job_id} ended {} ({})",
        status.as_str(),
        job.message.as_deref().unwrap_or("no message")
    );
    if status == JobStatus::Succeeded {
        Ok(())
    } else {
        Err(format!("the agent's job ended {}", status.as_str()).into())
    }
}

/// Prints the console log as it is written; the stream ends when the job completes.
async fn tail_console(client: BackendClient, job_id: JobId) -> Result<(), Error> {
    let mut events = client.tail_job_console_logs(job_id).events();
    while let Some(event) = events.next().await {
        let event = event?;
        if event.event_type == Some(TailEventType::Log) {
            println!("   | {}", event.text().unwrap_or_default());
        }
    }
    Ok(())
}

/// A few hundred KiB standing in for a plugin archive.
fn fake_archive() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0..300_000u32).map(|i| (i % 251) as u8));
    bytes
}
