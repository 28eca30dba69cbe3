//! The v2 API (`BackendV2Client`, feature `v2`) against the embedded fake backend (real HTTP
//! on 127.0.0.1; no network, no account): create a project, create its tasks from data
//! units, list them page by page as one stream, run a plugin (through v1, as the platform
//! does), follow its job through v2's live console tail, and read the finished job.
//!
//! ```sh
//! cargo run -p synapse-backend --features v2 --example quickstart_v2
//! ```

mod common;

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};
use synapse_backend::DataUnitUpload;
use synapse_backend::models::v2::{
    AccessLevel, JobStatus, ProjectCategory, ProjectV2CreateRequest, TaskV2BulkCreateRequest,
};
use synapse_backend::models::{DataCollectionId, Nullable};
use synapse_backend::v2::BackendV2Client;

use common::ensure;

#[tokio::main]
async fn main() -> common::Result {
    // The fake, a v1 client for it (uploads and plugin runs) and a v2 client. Against a real
    // platform: `BackendV2Client::builder("https://api.synapse.sh").access_token(token)
    // .tenant("acme").build()?`, or `BackendV2Client::from_env()?`.
    let (fake, v1) = common::start().await?;
    let client = BackendV2Client::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .build()?;

    // 1. A project on the data collection every fake starts with.
    let project = client
        .projects()
        .create(ProjectV2CreateRequest {
            title: "Street scenes".into(),
            description: Some("Cars and buses at night".into()),
            category: ProjectCategory::Image,
            data_collection: Nullable::Value(DataCollectionId(1)),
            configuration: json!({"classes": ["car", "bus"]}),
            caution: None,
            access_level: Some(AccessLevel::Private),
            count_max_assignments_per_task: None,
            can_discard: None,
            enable_workforce: None,
            extra: Map::new(),
            wire_nulls: Default::default(),
        })
        .await?;
    println!(
        "1. created project {} ({}), request {}",
        project.id,
        project.title,
        project.request_id().unwrap_or("?")
    );
    ensure(project.title == "Street scenes", "the project's title")?;

    // 2. Five images uploaded as data units (v1), then one task per unit in one call (v2).
    let dir = tempfile::tempdir()?;
    let mut units = Vec::new();
    for i in 0..5u8 {
        let path = dir.path().join(format!("frame-{i}.jpg"));
        let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
        bytes.extend((0..400u32).map(|b| (b as u8).wrapping_mul(i + 1)));
        std::fs::write(&path, bytes)?;
        units.push(DataUnitUpload::new().file("image_1", path));
    }
    let report = v1.upload_data_collection(1, units).await;
    ensure(report.is_complete(), format!("the upload: {report:?}"))?;
    let unit_ids: Vec<i64> = report.unit_ids().into_iter().map(i64::from).collect();
    let created = client
        .tasks()
        .bulk_create(TaskV2BulkCreateRequest {
            project: project.id,
            data_unit_ids: unit_ids.clone(),
            extra: Map::new(),
            wire_nulls: Default::default(),
        })
        .await?;
    println!(
        "2. created {} tasks ({} skipped)",
        created.created_count, created.skipped_count
    );
    ensure(created.created_count == 5, "five tasks created")?;

    // 3. Every task of the project, two per page, as one stream.
    let mut tasks = client
        .tasks()
        .list()
        .project(project.id)
        .per_page(2)
        .items();
    let mut count = 0;
    while let Some(task) = tasks.try_next().await? {
        count += 1;
        println!("   task {} on data unit {}", task.id, task.data_unit_id);
    }
    println!("3. listed {count} tasks in {} pages", tasks.pages_fetched());
    ensure(
        count == 5 && tasks.pages_fetched() == 3,
        "5 tasks in 3 pages",
    )?;

    // 4. Run a plugin through v1 and tail its job's console through v2 until it ends.
    let (plugin_id, _release) = common::plugin_with_release(&v1, "trainer").await?;
    let run = v1
        .run_plugin(plugin_id)
        .action("train")
        .params(common::object(json!({"epochs": 3})))
        .await?;
    let job_id = run.job_id().cloned().ok_or("the run started no job")?;
    println!("4. started job {job_id}; its console:");
    let mut events = client.jobs().tail_console_logs(job_id.clone()).events();
    let mut lines = 0;
    let mut completed = false;
    while let Some(event) = events.next().await {
        let data: Value = serde_json::from_str(&event?.data)?;
        match data["type"].as_str() {
            Some("log") => {
                lines += 1;
                println!("   | {}", data["data"].as_str().unwrap_or_default());
            }
            Some("complete") => completed = true,
            _ => {}
        }
    }
    ensure(
        completed && lines == 8,
        format!("8 lines, then complete ({lines})"),
    )?;

    // 5. The finished job, read through v2.
    let job = client.jobs().retrieve(job_id).await?;
    println!(
        "5. job {}: {} (release {}), request {}",
        job.id,
        job.status,
        job.plugin_release.version,
        job.request_id().unwrap_or("?")
    );
    ensure(job.status == JobStatus::Succeeded, "the job succeeded")?;
    ensure(job.params["epochs"] == 3, "the job's params")?;
    Ok(())
}
