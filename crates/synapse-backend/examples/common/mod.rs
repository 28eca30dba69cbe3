//! What the examples share: the embedded fake Synapse server and a client for it, a plugin
//! with a release to run, polling a job until it ends, and an error type that prints as a
//! sentence.

// Each example uses the part of this module it needs.
#![allow(dead_code)]

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value, json};
use synapse_backend::BackendClient;
use synapse_backend::models::{
    Job, JobId, JobStatus, PluginCode, PluginCreate, PluginId, PluginRelease,
    PluginReleaseCreateRequest,
};
use synapse_fake::{FakeConfig, FakeServer};

/// What an example's `main` returns: any error, printed with its causes, exits with status 1.
pub type Result<T = ()> = std::result::Result<T, Failure>;

/// An error of an example. Its `Debug` form (what Rust prints when `main` returns `Err`) is
/// the message and its causes, one per line.
pub struct Failure(Box<dyn StdError + Send + Sync>);

impl<E: Into<Box<dyn StdError + Send + Sync>>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.into())
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            write!(f, "\n  caused by: {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

/// Fails with `message` unless `condition` holds: the examples check what they get.
pub fn ensure(condition: bool, message: impl Into<String>) -> Result {
    if condition {
        Ok(())
    } else {
        Err(message.into().into())
    }
}

/// Starts the embedded fake (backend and agent on 127.0.0.1, an ephemeral port) with jobs
/// that run for one second, and a backend client for it. Against a real platform, build the
/// client with the platform's URL and your access token instead:
/// `BackendClient::builder("https://api.synapse.sh").tenant("acme").build()?` reads the
/// token from `SYNAPSE_ACCESS_TOKEN`.
pub async fn start() -> Result<(FakeServer, BackendClient)> {
    let fake = FakeServer::start_with(FakeConfig {
        job_duration: Duration::from_secs(1),
        log_lines: 8,
        ..FakeConfig::default()
    })
    .await?;
    println!("Synapse fake listening at {}", fake.url());
    let client = BackendClient::builder(fake.url())
        .without_env() // only what is set here: no token or tenant from the environment
        .access_token(fake.access_token())
        .build()?;
    Ok((fake, client))
}

/// A JSON object literal as the `Map` that `params(…)` and `meta(…)` take.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Creates plugin `code` with a `1.0.0` release (configuration only, no archive) whose
/// `train` action runs as a job. The `plugin_release_and_run` example shows these calls
/// with an archive.
pub async fn plugin_with_release(
    client: &BackendClient,
    code: &str,
) -> Result<(PluginId, PluginRelease)> {
    let plugin = client
        .create_plugin(PluginCreate {
            name: Some(format!("{code} plugin")),
            code: Some(PluginCode::new(code)?),
            category: Some("neural_net".into()),
            ..Default::default()
        })
        .await?;
    let plugin_id = plugin.id.ok_or("the new plugin has no id")?;
    let mut request = PluginReleaseCreateRequest::new(PluginCode::new(code)?, "1.0.0");
    request.config = Some(object(
        json!({"actions": {"train": {"entrypoint": "plugin.train", "method": "job"}}}),
    ));
    let release = client.create_plugin_release(request).await?;
    Ok((plugin_id, release))
}

/// Polls a job every 100 ms until it ends, printing each change of status or progress.
pub async fn wait_for_job(client: &BackendClient, job_id: &JobId) -> Result<Job> {
    let mut last = String::new();
    loop {
        let job = client.get_job(job_id.clone()).await?;
        let status = job
            .status
            .clone()
            .unwrap_or_else(|| JobStatus::from("none"));
        let line = format!(
            "{} {:.0}%",
            status.as_str(),
            job.progress_percent().unwrap_or(0.0)
        );
        if line != last {
            println!("   job {job_id}: {line}");
            last = line;
        }
        if status.is_terminal() {
            return Ok(job);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
