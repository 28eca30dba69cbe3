//! `synapse job list|get|logs|stop`, and following a job's log to its end (also used by
//! `plugin run --follow`).

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use synapse_agent::AgentClient;
use synapse_backend::BackendClient;
use synapse_backend::models::{JobId, JobStatus, TailEventType};

use crate::cli::JobCommand;
use crate::context::Ctx;
use crate::exit::CliError;
use crate::output::{Out, escape, print_record, text};

/// Runs `synapse job …`.
pub async fn run(ctx: &Ctx, command: JobCommand) -> Result<(), CliError> {
    let client = ctx.backend()?;
    let out = &ctx.out;
    match command {
        JobCommand::List { status, limit } => {
            let mut list = client.list_jobs().ordering("-created");
            if let Some(status) = status {
                list = list.status(JobStatus::from(status.to_uppercase().as_str()));
            }
            let jobs: Vec<_> = list.items().take(limit).try_collect().await?;
            if out.is_json() {
                out.json(&jobs);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = jobs
                .iter()
                .map(|job| {
                    let v = serde_json::to_value(job).unwrap_or_default();
                    vec![
                        text(&v["id"]),
                        text(&v["status"]),
                        text(&v["action"]),
                        job.progress_percent()
                            .map(|p| format!("{p:.0}%"))
                            .unwrap_or_else(|| "-".into()),
                        text(&v["created"]),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.line("No jobs.");
            } else {
                out.table(&["ID", "STATUS", "ACTION", "PROGRESS", "CREATED"], &rows);
            }
        }
        JobCommand::Get { id } => {
            let job = client.get_job(JobId::from(id.as_str())).await?;
            print_record(&ctx.out, &job);
        }
        JobCommand::Logs { id, follow } => {
            let id = JobId::from(id.as_str());
            if follow {
                return follow_backend_job(out, &client, id).await;
            }
            let logs = client.list_job_console_logs(id.clone()).await?;
            let lines = logs.lines();
            if out.is_json() {
                out.json(&json!({"job_id": id, "lines": lines}));
            } else {
                for line in &lines {
                    println!("{}", escape(line));
                }
            }
        }
        JobCommand::Stop { id } => {
            let job = client
                .update_job(JobId::from(id.as_str()))
                .status(JobStatus::Stopped)
                .await?;
            if out.is_json() {
                out.json(&job);
            } else {
                out.line(format!("Job {} stopped.", escape(&id)));
            }
        }
    }
    Ok(())
}

/// The exit status a job's final status gives: success only for SUCCEEDED.
fn outcome(job_id: &str, status: Option<&JobStatus>) -> Result<(), CliError> {
    match status {
        Some(JobStatus::Succeeded) => Ok(()),
        Some(other) => Err(CliError::Failed(format!(
            "job {job_id} ended {}",
            other.as_str()
        ))),
        None => Err(CliError::Failed(format!("job {job_id} has no status"))),
    }
}

/// Streams a backend job's console log until the job ends, then reads its final status:
/// `Ok` for SUCCEEDED, [`CliError::Failed`] otherwise. With `--json`, one JSON object per
/// line, then `{"job_id", "status"}`.
pub async fn follow_backend_job(
    out: &Out,
    client: &BackendClient,
    job_id: JobId,
) -> Result<(), CliError> {
    let mut events = client.tail_job_console_logs(job_id.clone()).events();
    while let Some(event) = events.next().await {
        let event = event?;
        match event.event_type {
            Some(TailEventType::Log) => {
                let line = event.text().unwrap_or_default();
                if out.is_json() {
                    out.json(&json!({"line": line}));
                } else {
                    println!("{}", escape(&line));
                }
            }
            Some(TailEventType::Error) => {
                let message = event.text().unwrap_or_default();
                eprintln!(
                    "{}",
                    out.bad(&format!("log stream error: {}", escape(&message)))
                );
            }
            _ => {}
        }
    }
    // The stream ends when the job completes; its status may lag a moment behind.
    let mut job = client.get_job(job_id.clone()).await?;
    for _ in 0..50 {
        if job.is_terminal() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        job = client.get_job(job_id.clone()).await?;
    }
    finish(out, &job_id.to_string(), job.status.as_ref())
}

/// Streams an agent job's log until it ends, then reads its final status (as
/// [`follow_backend_job`]).
pub async fn follow_agent_job(
    out: &Out,
    agent: &AgentClient,
    job_id: &str,
) -> Result<(), CliError> {
    let mut lines = agent.tail_job_logs(job_id).messages();
    while let Some(line) = lines.next().await {
        let line = line?;
        if out.is_json() {
            out.json(&json!({"line": line}));
        } else {
            println!("{}", escape(&line));
        }
    }
    let job = agent.get_job(job_id).await?;
    finish(out, job_id, job.status.as_ref())
}

fn finish(out: &Out, job_id: &str, status: Option<&JobStatus>) -> Result<(), CliError> {
    let name = status.map(JobStatus::as_str).unwrap_or("unknown");
    if out.is_json() {
        out.json(&json!({"job_id": job_id, "status": name}));
    } else {
        let line = format!("job {} ended {name}", escape(job_id));
        let line = if status == Some(&JobStatus::Succeeded) {
            out.good(&line)
        } else {
            out.bad(&line)
        };
        eprintln!("{line}");
    }
    outcome(job_id, status)
}
