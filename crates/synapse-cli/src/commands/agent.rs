//! `synapse agent list|select|show|clear`: the agent plugins run on, kept in the config file
//! as the Python command keeps it.

use std::io::IsTerminal;

use serde_json::json;
use synapse_backend::models::Agent;

use crate::cli::AgentCommand;
use crate::config::AgentEntry;
use crate::context::Ctx;
use crate::exit::CliError;

/// Runs `synapse agent …`.
pub async fn run(ctx: &Ctx, command: AgentCommand) -> Result<(), CliError> {
    match command {
        AgentCommand::List => list(ctx).await,
        AgentCommand::Select { id } => select(ctx, id).await,
        AgentCommand::Show => show(ctx).await,
        AgentCommand::Clear => clear(ctx),
    }
}

/// An agent as printed: never its token.
fn public(agent: &Agent) -> serde_json::Value {
    json!({
        "id": agent.id.map(|i| i.get()),
        "name": agent.name,
        "url": agent.url,
        "status": agent.status.as_ref().map(|s| s.as_str().to_owned()),
        "is_connected": agent.is_connected(),
    })
}

async fn list(ctx: &Ctx) -> Result<(), CliError> {
    let agents = ctx.backend()?.list_agents().await?.results;
    let selected = ctx.agent.as_ref().map(|a| a.id);
    let out = &ctx.out;
    if out.is_json() {
        let items: Vec<_> = agents.iter().map(public).collect();
        out.json(&json!({"agents": items, "selected": selected}));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = agents
        .iter()
        .map(|a| {
            let id = a.id.map(|i| i.get());
            let status = a
                .status
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| "unknown".into());
            vec![
                format!(
                    "{}{}",
                    id.map(|i| i.to_string()).unwrap_or_default(),
                    if id.is_some() && id == selected {
                        " *"
                    } else {
                        ""
                    }
                ),
                a.name.clone().unwrap_or_default(),
                status,
                a.url.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    if rows.is_empty() {
        out.line("No agents in this workspace.");
    } else {
        out.table(&["ID", "NAME", "STATUS", "URL"], &rows);
    }
    Ok(())
}

async fn select(ctx: &Ctx, id: Option<i64>) -> Result<(), CliError> {
    let agents = ctx.backend()?.list_agents().await?.results;
    let id = match id {
        Some(id) => id,
        None if std::io::stdin().is_terminal() && !ctx.out.is_json() => {
            list(ctx).await?;
            let answer = crate::commands::login::ask("Agent id: ")?;
            answer
                .parse()
                .map_err(|_| CliError::usage(format!("not an agent id: {answer:?}")))?
        }
        None => {
            return Err(CliError::usage(
                "give the agent's id: `synapse agent select ID`",
            ));
        }
    };
    let Some(agent) = agents.iter().find(|a| a.id.map(|i| i.get()) == Some(id)) else {
        let ids: Vec<String> = agents
            .iter()
            .filter_map(|a| a.id.map(|i| i.get().to_string()))
            .collect();
        return Err(CliError::Sdk(synapse_backend::Error::invalid_input(
            format!(
                "agent {id} is not in this workspace (agents: {})",
                if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                }
            ),
        )));
    };
    let entry = AgentEntry {
        id,
        name: agent.name.clone(),
        url: agent.url.clone(),
        token: agent.effective_token().map(|t| t.expose().to_owned()),
    };
    let mut file = ctx.file.clone();
    file.set_agent(&entry);
    file.save()?;
    let health = match (&entry.url, &entry.token) {
        (Some(_), Some(_)) => {
            let mut with_agent = Ctx::resolve(&Default::default(), file.clone());
            with_agent.tenant = ctx.tenant.clone();
            Some(with_agent.agent_probe()?.health_check().await.map(|_| ()))
        }
        _ => None,
    };
    let out = &ctx.out;
    if out.is_json() {
        out.json(&json!({
            "selected": public(agent),
            "reachable": health.as_ref().map(Result::is_ok),
        }));
        return Ok(());
    }
    out.line(format!(
        "Selected agent {} ({}) at {}",
        id,
        crate::output::escape(entry.name.as_deref().unwrap_or("unnamed")),
        crate::output::escape(entry.url.as_deref().unwrap_or("no URL")),
    ));
    match health {
        Some(Ok(())) => out.line(out.good("The agent answers.")),
        Some(Err(e)) => out.line(out.bad(&format!(
            "The agent does not answer: {}",
            crate::output::escape(&e.to_string())
        ))),
        None => out.line(out.dim("No URL or token to test.")),
    }
    Ok(())
}

async fn show(ctx: &Ctx) -> Result<(), CliError> {
    let Some(agent) = &ctx.agent else {
        return Err(CliError::NoAgent);
    };
    let health = match ctx.agent() {
        Ok(client) => Some(client.health_check().await.map(|_| ())),
        Err(_) => None,
    };
    let out = &ctx.out;
    if out.is_json() {
        out.json(&json!({
            "id": agent.id,
            "name": agent.name,
            "url": agent.url,
            "has_token": agent.token.is_some(),
            "reachable": health.as_ref().map(Result::is_ok),
            "error": health.as_ref().and_then(|h| h.as_ref().err()).map(ToString::to_string),
        }));
        return Ok(());
    }
    let rows = vec![
        vec!["id".to_owned(), agent.id.to_string()],
        vec![
            "name".to_owned(),
            agent.name.clone().unwrap_or_else(|| "-".into()),
        ],
        vec![
            "url".to_owned(),
            agent.url.clone().unwrap_or_else(|| "-".into()),
        ],
        vec![
            "token".to_owned(),
            if agent.token.is_some() {
                "set".into()
            } else {
                "missing".into()
            },
        ],
        vec![
            "reachable".to_owned(),
            match &health {
                Some(Ok(())) => "yes".to_owned(),
                Some(Err(e)) => format!("no: {e}"),
                None => "untested".into(),
            },
        ],
    ];
    out.table(&["AGENT", ""], &rows);
    Ok(())
}

fn clear(ctx: &Ctx) -> Result<(), CliError> {
    let mut file = ctx.file.clone();
    let had = file.clear_agent();
    if had {
        file.save()?;
    }
    let out = &ctx.out;
    if out.is_json() {
        out.json(&json!({"cleared": had}));
    } else if had {
        out.line("Agent selection cleared.");
    } else {
        out.line("No agent was selected.");
    }
    Ok(())
}
