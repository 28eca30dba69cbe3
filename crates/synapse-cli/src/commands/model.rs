//! `synapse model list|get`.

use futures_util::{StreamExt, TryStreamExt};

use crate::cli::ModelCommand;
use crate::context::Ctx;
use crate::exit::CliError;
use crate::output::{print_record, text};

/// Runs `synapse model …`.
pub async fn run(ctx: &Ctx, command: ModelCommand) -> Result<(), CliError> {
    let client = ctx.backend()?;
    let out = &ctx.out;
    match command {
        ModelCommand::List { limit } => {
            let models: Vec<_> = client
                .list_models()
                .items()
                .take(limit)
                .try_collect()
                .await?;
            if out.is_json() {
                out.json(&models);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = models
                .iter()
                .map(|m| {
                    let json = serde_json::to_value(m).unwrap_or_default();
                    vec![
                        text(&json["id"]),
                        text(&json["name"]),
                        text(&json["category"]),
                        text(&json["created"]),
                    ]
                })
                .collect();
            out.table(&["ID", "NAME", "CATEGORY", "CREATED"], &rows);
        }
        ModelCommand::Get { id } => {
            let model = client.get_model(id).await?;
            print_record(&ctx.out, &model);
        }
    }
    Ok(())
}
