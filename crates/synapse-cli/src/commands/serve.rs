//! `synapse serve list|get|delete`: Ray Serve applications (listed through the backend,
//! read and deleted on the selected agent, as the Python MCP server does).

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::cli::ServeCommand;
use crate::context::Ctx;
use crate::exit::CliError;
use crate::output::{escape, print_record, text};

/// Runs `synapse serve …`.
pub async fn run(ctx: &Ctx, command: ServeCommand) -> Result<(), CliError> {
    let out = &ctx.out;
    match command {
        ServeCommand::List => {
            let apps: Vec<_> = ctx
                .backend()?
                .list_serve_applications()
                .items()
                .take(1000)
                .try_collect()
                .await?;
            if out.is_json() {
                out.json(&apps);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = apps
                .iter()
                .map(|app| {
                    let v = serde_json::to_value(app).unwrap_or_default();
                    vec![
                        text(&v["id"]),
                        text(&v["name"]),
                        text(&v["status"]),
                        text(&v["route_prefix"]),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.line("No Serve applications.");
            } else {
                out.table(&["ID", "NAME", "STATUS", "ROUTE"], &rows);
            }
        }
        ServeCommand::Get { name } => {
            let app = ctx.agent()?.get_serve_application(&name).await?;
            print_record(&ctx.out, &app);
        }
        ServeCommand::Delete { name } => {
            ctx.agent()?.delete_serve_application(&name).await?;
            if out.is_json() {
                out.json(&json!({"deleted": name}));
            } else {
                out.line(format!("Deleted Serve application {}.", escape(&name)));
            }
        }
    }
    Ok(())
}
