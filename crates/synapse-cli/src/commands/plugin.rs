//! `synapse plugin package|publish|run|releases`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use synapse_backend::models::PluginRelease;

use crate::cli::PluginCommand;
use crate::commands::job::{follow_agent_job, follow_backend_job};
use crate::context::Ctx;
use crate::exit::CliError;
use crate::output::escape;
use crate::output::text;
use crate::package::{self, Archive};
use crate::plugin_dir::PluginDir;
use crate::publish::{Progress, Publication, plugin_code};

/// Runs `synapse plugin …`.
pub async fn run(ctx: &Ctx, command: PluginCommand) -> Result<(), CliError> {
    match command {
        PluginCommand::Package { path, output } => package_command(ctx, &path, output),
        PluginCommand::Publish {
            path,
            version,
            debug,
            dry_run,
        } => publish(ctx, &path, version, debug, dry_run).await,
        PluginCommand::Run {
            action,
            plugin,
            params,
            agent,
            follow,
        } => run_action(ctx, &action, plugin, &params, agent, follow).await,
        PluginCommand::Releases { plugin } => releases(ctx, plugin).await,
    }
}

/// Opens and checks the plugin at `path`: warnings go to stderr, errors are a usage error
/// listing them.
fn open_checked(ctx: &Ctx, path: &Path) -> Result<(PluginDir, String), CliError> {
    let plugin = PluginDir::open(path)?;
    let check = plugin.validate();
    if !ctx.out.is_json() {
        for warning in &check.warnings {
            eprintln!("warning: {}", escape(warning));
        }
    }
    if !check.is_valid() {
        return Err(CliError::usage(format!(
            "{} is not a valid plugin config:\n  {}",
            plugin.config_file().display(),
            check.errors.join("\n  ")
        )));
    }
    let code = plugin
        .code()
        .ok_or_else(|| CliError::usage("Missing required field: 'code'"))?
        .to_owned();
    Ok((plugin, code))
}

/// The archive's file name: `<code>-<version>.zip`, or `<code>.zip` without a version.
fn archive_name(code: &str, version: Option<&str>) -> String {
    match version {
        Some(version) => format!("{code}-{version}.zip"),
        None => format!("{code}.zip"),
    }
}

/// An archive's summary line: files, size, MD5.
fn summary(archive: &Archive) -> String {
    format!(
        "{} files, {} bytes, md5 {}",
        archive.files.len(),
        archive.size,
        archive.md5
    )
}

/// `plugin package`.
fn package_command(ctx: &Ctx, path: &Path, output: Option<PathBuf>) -> Result<(), CliError> {
    let (plugin, code) = open_checked(ctx, path)?;
    let version = plugin.version().map(str::to_owned);
    let output = output.unwrap_or_else(|| PathBuf::from(archive_name(&code, version.as_deref())));
    let archive = package::build(&plugin, &output)?;
    if ctx.out.is_json() {
        ctx.out.json(&json!({
            "path": archive.path, "files": archive.files, "size": archive.size,
            "md5": archive.md5, "code": code, "version": version,
        }));
    } else {
        ctx.out.line(summary(&archive));
        ctx.out.line(format!("Archive: {}", archive.path.display()));
    }
    Ok(())
}

/// `plugin publish`.
async fn publish(
    ctx: &Ctx,
    path: &Path,
    version: Option<String>,
    debug: bool,
    dry_run: bool,
) -> Result<(), CliError> {
    let (plugin, _) = open_checked(ctx, path)?;
    // Checked before packaging, so a missing login fails fast (except for a dry run).
    let client = if dry_run { None } else { Some(ctx.backend()?) };
    let publication = Publication::prepare(&plugin, version, debug)?;
    let (code, version, archive) = (
        &publication.code,
        &publication.version,
        &publication.archive,
    );
    let Some(client) = client else {
        let requirements = &publication.request.requirements;
        if ctx.out.is_json() {
            ctx.out.json(&json!({
                "dry_run": true, "plugin": code, "version": version, "debug": debug,
                "requirements": requirements, "files": archive.files,
                "size": archive.size, "md5": archive.md5,
            }));
        } else {
            ctx.out.line(summary(archive));
            ctx.out.line(format!(
                "Dry run: would publish {code} {version}{} ({} requirements); nothing sent.",
                if debug { " (debug)" } else { "" },
                requirements.as_ref().map_or(0, Vec::len)
            ));
        }
        return Ok(());
    };
    if !ctx.out.is_json() {
        eprintln!("Publishing {code} {version}: {}", summary(archive));
    }
    let bar = ctx.out.bytes_bar(archive.size, "Uploading");
    let progress = bar
        .clone()
        .map(|bar| -> Progress { Arc::new(move |sent, _| bar.set_position(sent)) });
    let json = ctx.out.is_json();
    let release = publication
        .send(&client, &plugin, progress, |code| {
            if !json {
                eprintln!("Plugin {} does not exist yet: creating it.", escape(code));
            }
        })
        .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let release = release?;
    if ctx.out.is_json() {
        ctx.out.json(&release);
    } else {
        let id = release.id.map(|id| id.to_string()).unwrap_or_default();
        ctx.out.line(format!(
            "Published {} {} (release {}), md5 {}",
            escape(code),
            escape(version),
            id,
            archive.md5
        ));
    }
    Ok(())
}

/// A plugin reference: `-p CODE[@VERSION]`, else the `code` and `version` of
/// `./config.yaml`.
fn plugin_ref(plugin: Option<String>) -> Result<(String, Option<String>), CliError> {
    match plugin.filter(|p| !p.is_empty()) {
        Some(spec) => match spec.rsplit_once('@') {
            Some((code, version)) if !code.is_empty() && !version.is_empty() => {
                Ok((code.to_owned(), Some(version.to_owned())))
            }
            Some(_) => Err(CliError::usage(format!(
                "--plugin {spec:?}: expected CODE or CODE@VERSION"
            ))),
            None => Ok((spec, None)),
        },
        None => {
            let dir = PluginDir::open(Path::new(".")).map_err(|e| {
                CliError::usage(format!("no --plugin given, and no plugin here: {e}"))
            })?;
            let code = dir.code().ok_or_else(|| {
                CliError::usage("no --plugin given, and ./config.yaml has no code")
            })?;
            Ok((code.to_owned(), dir.version().map(str::to_owned)))
        }
    }
}

/// `--params`, which must be a JSON object.
fn parse_params(params: &str) -> Result<Map<String, Value>, CliError> {
    match serde_json::from_str::<Value>(params) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(CliError::usage(format!(
            "--params must be a JSON object, not {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(e) => Err(CliError::usage(format!("--params is not valid JSON: {e}"))),
    }
}

/// Prints a run's direct answer (not a job).
fn print_direct(ctx: &Ctx, value: &Value) {
    if ctx.out.is_json() {
        ctx.out.json(value);
    } else {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
        println!("{}", escape(&text));
    }
}

/// `plugin run`.
async fn run_action(
    ctx: &Ctx,
    action: &str,
    plugin: Option<String>,
    params: &str,
    on_agent: bool,
    follow: bool,
) -> Result<(), CliError> {
    let params = parse_params(params)?;
    let (code, version) = plugin_ref(plugin)?;
    let out = &ctx.out;
    if on_agent {
        let agent = ctx.agent()?;
        let lookup = match &version {
            Some(version) => format!("{code}@{version}"),
            None => code.clone(),
        };
        let answer = agent
            .run_plugin_release(lookup, action)
            .params(params)
            .await?;
        let Some(job_id) = answer.job_id().map(str::to_owned) else {
            print_direct(ctx, &answer.into_value());
            return Ok(());
        };
        if follow {
            started(ctx, &job_id);
            return follow_agent_job(out, &agent, &job_id).await;
        }
        if out.is_json() {
            out.json(&answer);
        } else {
            out.line(format!("Started job {}", escape(&job_id)));
        }
        return Ok(());
    }
    let client = ctx.backend()?;
    let mut call = client
        .run_plugin(plugin_code(&code)?)
        .action(action)
        .params(params);
    if let Some(version) = &version {
        call = call.version(version.clone());
    }
    if let Some(agent) = &ctx.agent {
        call = call.agent(agent.id);
    }
    let answer = call.await?;
    let (Some(job), Some(job_id)) = (answer.job(), answer.job_id().cloned()) else {
        print_direct(ctx, answer.direct().unwrap_or(&Value::Null));
        return Ok(());
    };
    if follow {
        started(ctx, &job_id.to_string());
        return follow_backend_job(out, &client, job_id).await;
    }
    if out.is_json() {
        out.json(job);
    } else {
        out.line(format!("Started job {}", escape(&job_id.to_string())));
    }
    Ok(())
}

/// Tells a person on stderr which job is being followed (stdout carries its log).
fn started(ctx: &Ctx, job_id: &str) {
    if !ctx.out.is_json() {
        eprintln!("Started job {}; following its log.", escape(job_id));
    }
}

/// `plugin releases`.
async fn releases(ctx: &Ctx, plugin: Option<String>) -> Result<(), CliError> {
    let (code, _) = match plugin {
        Some(code) => (code, None),
        None => plugin_ref(None)?,
    };
    let client = ctx.backend()?;
    let releases: Vec<PluginRelease> = client
        .list_plugin_releases(plugin_code(&code)?)
        .ordering("-created")
        .items()
        .try_collect()
        .await?;
    let out = &ctx.out;
    if out.is_json() {
        out.json(&releases);
        return Ok(());
    }
    if releases.is_empty() {
        out.line(format!("No releases of {}.", escape(&code)));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = releases
        .iter()
        .map(|r| {
            let v = serde_json::to_value(r).unwrap_or_default();
            vec![text(&v["id"]), text(&v["version"]), text(&v["created"])]
        })
        .collect();
    out.table(&["ID", "VERSION", "CREATED"], &rows);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_must_be_an_object() {
        assert_eq!(parse_params("{\"a\": 1}").expect("object")["a"], 1);
        for bad in ["[1]", "\"x\"", "3", "null", "{"] {
            let err = parse_params(bad).expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn a_plugin_reference_splits_at_the_last_at() {
        assert_eq!(
            plugin_ref(Some("yolo@1.0.0".into())).expect("ref"),
            ("yolo".to_owned(), Some("1.0.0".to_owned()))
        );
        assert_eq!(
            plugin_ref(Some("yolo".into())).expect("ref"),
            ("yolo".to_owned(), None)
        );
        assert!(plugin_ref(Some("yolo@".into())).is_err());
    }
}
