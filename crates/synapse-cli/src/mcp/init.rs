//! `synapse mcp init [--force]`: writes the config file's MCP environment `default`, from
//! the command line's login when there is one, and says how to register the server with
//! Claude Code and Cursor.
//!
//! An existing file is left alone without `--force` (and the command succeeds, as the
//! Python command does). With `--force` a valid file keeps every other key (other
//! environments included); a malformed one is first copied to `<file>.bak`. The token is
//! never printed.

use serde_json::json;

use crate::config::{ConfigFile, DEFAULT_HOST, Environment};
use crate::context::{Credential, Ctx, Globals};
use crate::exit::CliError;
use crate::mcp::environments::IMPLICIT;
use crate::output::{Out, escape};

/// Runs `synapse mcp init`.
pub fn run(globals: &Globals, force: bool) -> Result<(), CliError> {
    let out = Out::detect(globals.json);
    let path = match &globals.config {
        Some(path) => path.clone(),
        None => ConfigFile::default_path()?,
    };
    let shown = escape(&path.display().to_string()).into_owned();
    let loaded = ConfigFile::load(&path);
    let exists = match &loaded {
        Ok(file) => file.exists(),
        Err(_) => path.exists(),
    };
    if exists && !force {
        if out.is_json() {
            out.json(&json!({"created": false, "config_path": shown, "reason": "the file exists; use --force to overwrite it"}));
        } else {
            eprintln!("Config file already exists: {shown}");
            eprintln!("Use --force to overwrite.");
        }
        return Ok(());
    }
    let mut file = match loaded {
        Ok(file) => file,
        Err(CliError::Config { .. }) if path.exists() => {
            let (file, backup) = ConfigFile::replace_broken(&path)?;
            eprintln!(
                "The malformed file was copied to {}",
                escape(&backup.display().to_string())
            );
            file
        }
        Err(e) => return Err(e),
    };
    let ctx = Ctx::resolve(globals, file.clone());
    let token = match ctx.credential {
        Some((Credential::Access(token), _)) => Some(token),
        _ => None,
    };
    let logged_in = token.is_some();
    let host = if logged_in {
        ctx.host.0.clone()
    } else {
        DEFAULT_HOST.to_owned()
    };
    let env = Environment {
        backend_url: Some(host.clone()),
        access_token: token,
        tenant: if logged_in { ctx.tenant.clone() } else { None },
        ..Environment::default()
    };
    file.set_environment(IMPLICIT, &env);
    file.set("default_environment", IMPLICIT);
    file.save()?;
    if out.is_json() {
        out.json(&json!({
            "created": true,
            "config_path": shown,
            "environment": IMPLICIT,
            "backend_url": host,
            "from_login": logged_in,
        }));
        return Ok(());
    }
    out.line(format!("Created config file: {shown}"));
    out.line(format!(
        "Environment \"{IMPLICIT}\": {}{}",
        escape(&host),
        if logged_in {
            " (with your saved login)"
        } else {
            " (no access token yet)"
        }
    ));
    out.line("");
    out.line("Next steps:");
    if logged_in {
        out.line("  1. Register the server with your assistant (below).");
        out.line("  2. In the assistant, use list_agents() and select_agent() to choose an agent.");
    } else {
        out.line(format!(
            "  1. Run `synapse login`, then `synapse mcp init --force`; or edit {shown} and set environments.default.access_token."
        ));
        out.line("  2. Register the server with your assistant (below).");
    }
    out.line("");
    out.line("Claude Code:");
    out.line("  claude mcp add synapse -- synapse mcp serve");
    out.line("");
    out.line("Cursor: add to ~/.cursor/mcp.json:");
    out.line("  {");
    out.line("    \"mcpServers\": {");
    out.line("      \"synapse\": {\"command\": \"synapse\", \"args\": [\"mcp\", \"serve\"]}");
    out.line("    }");
    out.line("  }");
    Ok(())
}
