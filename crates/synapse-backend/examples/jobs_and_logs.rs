//! Jobs and logs, against the embedded fake backend: run a plugin three times, follow one
//! job while its console log streams in, list and filter jobs (one page, or every item as a
//! stream), read a job's whole console log, and write log entries (one with a file).
//!
//! ```sh
//! cargo run -p synapse-backend --example jobs_and_logs
//! ```

mod common;

use common::ensure;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use synapse_backend::models::{JobStatus, LogEntry, LogLevel, TailEventType};
use synapse_backend::{BackendClient, Error};

#[tokio::main]
async fn main() -> common::Result {
    let (_fake, client) = common::start().await?;
    let (plugin_id, release) = common::plugin_with_release(&client, "detector").await?;
    let release_id = release.id.ok_or("the release has no id")?;

    // 1. Run the plugin's `train` action three times. Each run starts a job and answers
    //    with it at once. (The fake fails a run whose params say `"fail": true`.)
    let mut jobs = Vec::new();
    for params in [
        json!({"epochs": 3}),
        json!({"epochs": 5}),
        json!({"epochs": 1, "fail": true}),
    ] {
        let run = client
            .run_plugin(plugin_id)
            .action("train")
            .params(common::object(params))
            .await?;
        let job_id = run.job_id().cloned().ok_or("the run started no job")?;
        println!("1. started job {job_id}");
        jobs.push(job_id);
    }

    // 2. Follow the first job: its console log streams in (server-sent events) while we
    //    poll its status. The tail ends by itself when the job completes.
    let tail = tokio::spawn(print_console(client.clone(), jobs[0].clone()));
    println!("2. following job {}", jobs[0]);
    let job = common::wait_for_job(&client, &jobs[0]).await?;
    let tailed = tail.await??;
    ensure(
        job.status == Some(JobStatus::Succeeded),
        format!("job {} ended {:?}", jobs[0], job.status),
    )?;
    ensure(tailed > 0, "the live tail showed no console line")?;
    println!("   result: {}", json!(job.result));
    for job_id in &jobs[1..] {
        common::wait_for_job(&client, job_id).await?;
    }

    // 3. List jobs. Awaiting a list gives one page (`count`, `next`, `results`); `.items()`
    //    is a stream of every item, fetching the following pages as it goes.
    let list = client.list_jobs().plugin_release(release_id).page_size(2);
    println!("3. GET {}", list.request()?.full_url());
    let page = list.await?;
    println!(
        "   {} jobs in all; the first page holds {}",
        page.total(),
        page.results.len()
    );
    ensure(
        page.total() == 3 && page.results.len() == 2,
        "expected 3 jobs on pages of 2",
    )?;
    let every: Vec<_> = client
        .list_jobs()
        .plugin_release(release_id)
        .page_size(2)
        .items()
        .try_collect()
        .await?;
    ensure(every.len() == 3, "the stream should walk both pages")?;
    // Filters are typed: only the failed jobs.
    let mut failed = client.list_jobs().status(JobStatus::Failed).items();
    let mut failed_ids = Vec::new();
    while let Some(job) = failed.next().await {
        let job = job?;
        let id = job.id.ok_or("a job without an id")?;
        let why = job.error.and_then(|e| e.message).unwrap_or_default();
        println!("   failed: {id} ({why})");
        failed_ids.push(id);
    }
    ensure(
        failed_ids == [jobs[2].clone()],
        "exactly the third job should have failed",
    )?;

    // 4. A job's whole console log, as written so far (here: the job has ended).
    let lines = client.list_job_console_logs(jobs[2].clone()).await?.lines();
    println!("4. job {} wrote {} console lines:", jobs[2], lines.len());
    for line in &lines {
        println!("   | {line}");
    }
    ensure(
        lines.last().is_some_and(|l| l.contains("Action failed")),
        "the failed job's log should end with its failure",
    )?;

    // 5. Write log entries. A `file` that is a local path is sent inline (a `data:` URI,
    //    its type from the extension); entries go in as few requests as the files allow.
    let dir = tempfile::tempdir()?;
    let curve = dir.path().join("loss.csv");
    std::fs::write(&curve, "epoch,loss\n1,0.50\n2,0.33\n3,0.25\n")?;
    let entries = [
        LogEntry {
            message: Some("Training finished".into()),
            level: Some(LogLevel::Success),
            job: Some(jobs[0].clone()),
            ..Default::default()
        },
        LogEntry {
            message: Some("Loss per epoch".into()),
            level: Some(LogLevel::Info),
            job: Some(jobs[0].clone()),
            file: Some(curve.to_string_lossy().into_owned()),
            ..Default::default()
        },
    ];
    let answers = client.create_logs(entries).await?;
    let created: Vec<_> = answers
        .iter()
        .flat_map(|a| a.as_array().cloned().unwrap_or_default())
        .collect();
    println!(
        "5. wrote {} log entries in {} request(s)",
        created.len(),
        answers.len()
    );
    ensure(created.len() == 2, "both log entries should be created")?;
    ensure(
        created[1]["file"]
            .as_str()
            .is_some_and(|f| f.starts_with("data:text/csv;base64,")),
        "the file should travel as a data: URI",
    )?;
    println!("done");
    Ok(())
}

/// Prints a job's console log as it is written; returns how many lines it saw.
async fn print_console(
    client: BackendClient,
    job_id: synapse_backend::models::JobId,
) -> Result<usize, Error> {
    let mut lines = 0;
    let mut events = client.tail_job_console_logs(job_id).events();
    while let Some(event) = events.next().await {
        let event = event?;
        if event.event_type == Some(TailEventType::Log) {
            println!("   | {}", event.text().unwrap_or_default());
            lines += 1;
        }
    }
    Ok(lines)
}
