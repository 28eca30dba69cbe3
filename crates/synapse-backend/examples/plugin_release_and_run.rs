//! Plugins and releases, against the embedded fake backend: create a plugin, publish a
//! release from an archive file, look the release up (by `code@version`, by id, in the
//! plugin's list), run that release, and wait for the job's result.
//!
//! ```sh
//! cargo run -p synapse-backend --example plugin_release_and_run
//! ```

mod common;

use common::ensure;
use futures_util::TryStreamExt;
use serde_json::json;
use synapse_backend::models::{JobStatus, PluginCode, PluginCreate, PluginReleaseCreateRequest};

#[tokio::main]
async fn main() -> common::Result {
    let (_fake, client) = common::start().await?;
    let code = PluginCode::new("image-segmenter")?;

    // 1. Create the plugin. `code` is its stable handle; `category` one of the platform's.
    let plugin = client
        .create_plugin(PluginCreate {
            name: Some("Image Segmenter".into()),
            code: Some(code.clone()),
            category: Some("neural_net".into()),
            description: Some("Segments street scenes".into()),
            ..Default::default()
        })
        .await?;
    let plugin_id = plugin.id.ok_or("the new plugin has no id")?;
    println!("1. created plugin {plugin_id} ({code})");

    // 2. Publish release 1.0.0 from an archive. The archive is streamed from disk (never
    //    loaded whole); the configuration declares the actions the release offers.
    let dir = tempfile::tempdir()?;
    let archive = dir.path().join("image-segmenter-1.0.0.zip");
    let bytes = fake_archive();
    std::fs::write(&archive, &bytes)?;
    let mut request = PluginReleaseCreateRequest::new(code.clone(), "1.0.0");
    request.config = Some(common::object(json!({
        "actions": {
            "train": {"entrypoint": "plugin.train", "method": "job"},
            "inference": {"entrypoint": "plugin.inference", "method": "job"},
        }
    })));
    request.requirements = Some(vec!["torch>=2.2".into(), "pillow>=10".into()]);
    let release = client
        .create_plugin_release(request)
        .archive(archive.as_path())
        .await?;
    let release_id = release.id.ok_or("the new release has no id")?;
    let stored = release.extra["archive"]["size"].as_u64();
    println!(
        "2. published release {release_id} (version {}, archive of {} bytes)",
        release.version.as_deref().unwrap_or("?"),
        stored.unwrap_or(0)
    );
    ensure(
        stored == Some(bytes.len() as u64),
        "the server should hold the whole archive",
    )?;

    // 3. Look the release up: by `code@version` (with its plugin embedded), by id, and in
    //    the plugin's list of releases (every page, as a stream).
    let by_lookup = client
        .get_plugin_release_by_lookup(format!("{code}@1.0.0"))
        .await?;
    let by_id = client.get_plugin_release(release_id).await?;
    let listed: Vec<_> = client
        .list_plugin_releases(code.clone())
        .items()
        .try_collect()
        .await?;
    ensure(
        by_lookup.id == Some(release_id) && by_id.id == Some(release_id),
        "every lookup should find the new release",
    )?;
    println!(
        "3. found release {release_id} by `{code}@1.0.0` and by id; the plugin has {} release(s)",
        listed.len()
    );
    ensure(
        listed.iter().any(|r| r.id == Some(release_id)),
        "the plugin's releases should include the new one",
    )?;

    // 4. Run the release's `train` action (this version, not just the latest).
    let run = client
        .run_plugin(plugin_id)
        .action("train")
        .version("1.0.0")
        .params(common::object(json!({"epochs": 20, "batch_size": 16})))
        .await?;
    let job_id = run.job_id().cloned().ok_or("the run started no job")?;
    println!("4. started job {job_id}");

    // 5. Wait for the job and read its result.
    let job = common::wait_for_job(&client, &job_id).await?;
    println!("5. result: {}", json!(job.result));
    ensure(
        job.status == Some(JobStatus::Succeeded),
        format!("the job ended {:?}", job.status),
    )?;
    ensure(
        job.release_id() == Some(release_id),
        "the job should have run the new release",
    )?;
    ensure(job.result.is_some(), "a succeeded job has a result")?;
    println!("done");
    Ok(())
}

/// Some bytes standing in for a plugin archive.
fn fake_archive() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0..200_000u32).map(|i| (i % 251) as u8));
    bytes
}
