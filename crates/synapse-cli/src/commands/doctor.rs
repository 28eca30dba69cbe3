//! `synapse doctor`: one line per check (config file, its permissions, credentials,
//! connectivity, token, agent, MCP environments), each ok, warn or fail, with a fix.
//! Exit code 1 when a check fails (warnings do not fail).

use serde::Serialize;

use crate::config::ConfigFile;
use crate::context::{Ctx, Globals};
use crate::exit::{CliError, sdk_exit_code};
use crate::output::{Out, escape};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
    Skip,
}

/// One check's result.
#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

fn check(
    name: &'static str,
    status: Status,
    detail: impl Into<String>,
    fix: Option<&str>,
) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
        fix: fix.map(str::to_owned),
    }
}

/// Runs `synapse doctor`; it reads the config file itself so that a malformed one is a
/// failed check, not an early exit.
pub async fn run(globals: &Globals) -> Result<(), CliError> {
    let out = Out::detect(globals.json);
    let path = match &globals.config {
        Some(path) => path.clone(),
        None => ConfigFile::default_path()?,
    };
    let mut checks = Vec::new();
    let file = match ConfigFile::load(&path) {
        Ok(file) if file.exists() => {
            checks.push(check(
                "config file",
                Status::Ok,
                path.display().to_string(),
                None,
            ));
            file
        }
        Ok(file) => {
            checks.push(check(
                "config file",
                Status::Warn,
                format!("{} does not exist", path.display()),
                Some("run `synapse login`"),
            ));
            file
        }
        Err(e) => {
            checks.push(check(
                "config file",
                Status::Fail,
                e.to_string(),
                Some("fix the key named, or move the file away and run `synapse login`"),
            ));
            return report(&out, checks);
        }
    };
    checks.push(permissions(&file));
    let ctx = Ctx::resolve(globals, file);
    backend_checks(&ctx, &mut checks).await;
    agent_checks(&ctx, &mut checks).await;
    checks.push(mcp_check(&ctx));
    report(&out, checks)
}

fn permissions(file: &ConfigFile) -> Check {
    if !file.exists() {
        return check("config permissions", Status::Skip, "no file", None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(file.path()) {
            Ok(meta) if meta.permissions().mode() & 0o077 == 0 => check(
                "config permissions",
                Status::Ok,
                "readable by you only",
                None,
            ),
            Ok(meta) => check(
                "config permissions",
                Status::Warn,
                format!(
                    "mode {:o}: others can read your token",
                    meta.permissions().mode() & 0o777
                ),
                Some(&format!("chmod 600 {}", file.path().display())),
            ),
            Err(e) => check("config permissions", Status::Fail, e.to_string(), None),
        }
    }
    #[cfg(not(unix))]
    check(
        "config permissions",
        Status::Skip,
        "not checked on this system",
        None,
    )
}

async fn backend_checks(ctx: &Ctx, checks: &mut Vec<Check>) {
    let Some((_, source)) = &ctx.credential else {
        checks.push(check(
            "credentials",
            Status::Fail,
            "no access token (option, environment or config file)",
            Some("run `synapse login`"),
        ));
        checks.push(check("connectivity", Status::Skip, "no credentials", None));
        checks.push(check("token", Status::Skip, "no credentials", None));
        return;
    };
    checks.push(check(
        "credentials",
        Status::Ok,
        format!(
            "host {} ({}), token from the {}",
            ctx.host.0,
            ctx.host.1.describe(),
            source.describe()
        ),
        None,
    ));
    let client = match ctx.backend_probe() {
        Ok(client) => client,
        Err(e) => {
            checks.push(check(
                "connectivity",
                Status::Fail,
                e.to_string(),
                Some("check the host: `synapse login`"),
            ));
            checks.push(check("token", Status::Skip, "no connection", None));
            return;
        }
    };
    match client.list_agents().await {
        Ok(page) => {
            checks.push(check(
                "connectivity",
                Status::Ok,
                format!("{} answers", ctx.host.0),
                None,
            ));
            checks.push(check(
                "token",
                Status::Ok,
                format!("accepted ({} agents visible)", page.results.len()),
                None,
            ));
        }
        Err(e) => match sdk_exit_code(&e) {
            crate::exit::NETWORK => {
                checks.push(check(
                    "connectivity",
                    Status::Fail,
                    e.to_string(),
                    Some("check the host and your network; `synapse login` sets the host"),
                ));
                checks.push(check("token", Status::Skip, "no connection", None));
            }
            crate::exit::AUTH => {
                checks.push(check(
                    "connectivity",
                    Status::Ok,
                    format!("{} answers", ctx.host.0),
                    None,
                ));
                checks.push(check(
                    "token",
                    Status::Fail,
                    e.to_string(),
                    Some("get a new token and run `synapse login`"),
                ));
            }
            _ => {
                checks.push(check(
                    "connectivity",
                    Status::Fail,
                    e.to_string(),
                    Some("the host answered with an error: is it a Synapse API host?"),
                ));
                checks.push(check("token", Status::Skip, "no usable answer", None));
            }
        },
    }
}

async fn agent_checks(ctx: &Ctx, checks: &mut Vec<Check>) {
    let Some(agent) = &ctx.agent else {
        checks.push(check(
            "agent",
            Status::Warn,
            "no agent selected (needed for `plugin run --agent` and `serve get|delete`)",
            Some("run `synapse agent select`"),
        ));
        return;
    };
    let name = agent.name.as_deref().unwrap_or("unnamed");
    checks.push(check(
        "agent",
        Status::Ok,
        format!("{} ({name})", agent.id),
        None,
    ));
    match ctx.agent_probe() {
        Ok(client) => match client.health_check().await {
            Ok(_) => checks.push(check("agent reachable", Status::Ok, agent.url.clone().unwrap_or_default(), None)),
            Err(e) => checks.push(check(
                "agent reachable",
                Status::Fail,
                e.to_string(),
                Some("is the agent running? `synapse agent list` shows its status; `synapse agent select` picks another"),
            )),
        },
        Err(e) => checks.push(check("agent reachable", Status::Fail, e.to_string(), Some("run `synapse agent select`"))),
    }
}

fn mcp_check(ctx: &Ctx) -> Check {
    let envs = ctx.file.environments();
    if envs.is_empty() {
        return check(
            "mcp environments",
            Status::Warn,
            "none (the MCP server uses your login as `default`)",
            Some("run `synapse mcp init` to write one"),
        );
    }
    let incomplete: Vec<&str> = envs
        .iter()
        .filter(|(_, env)| !env.has_backend())
        .map(|(name, _)| name.as_str())
        .collect();
    if incomplete.is_empty() {
        check(
            "mcp environments",
            Status::Ok,
            format!("{} configured", envs.len()),
            None,
        )
    } else {
        check(
            "mcp environments",
            Status::Warn,
            format!(
                "without backend_url or access_token: {}",
                incomplete.join(", ")
            ),
            Some("add them to the file, or use the add_environment tool"),
        )
    }
}

fn report(out: &Out, checks: Vec<Check>) -> Result<(), CliError> {
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if out.is_json() {
        out.json(&serde_json::json!({"ok": failed == 0, "checks": checks}));
    } else {
        for c in &checks {
            let label = match c.status {
                Status::Ok => out.good("ok  "),
                Status::Warn => out.bold("warn"),
                Status::Fail => out.bad("fail"),
                Status::Skip => out.dim("skip"),
            };
            out.line(format!("{label}  {:<18} {}", c.name, escape(&c.detail)));
            if let Some(fix) = c.fix.as_ref().filter(|_| c.status != Status::Ok) {
                out.line(format!("      {:<18} fix: {}", "", escape(fix)));
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::Failed(format!("{failed} check(s) failed")))
    }
}
