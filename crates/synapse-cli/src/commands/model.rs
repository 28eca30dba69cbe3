//! `synapse model list|get`.

use futures_util::{StreamExt, TryStreamExt};

use crate::cli::ModelCommand;
use crate::context::Ctx;
use crate::exit::CliError;

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
            print_record(ctx, &model);
        }
    }
    Ok(())
}

/// A JSON value as a table cell: strings bare, null as `-`, anything else as JSON.
pub fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Prints one record: JSON with `--json`, else `key: value` lines (escaped).
pub fn print_record(ctx: &Ctx, record: &impl serde::Serialize) {
    let out = &ctx.out;
    if out.is_json() {
        out.json(record);
        return;
    }
    let value = serde_json::to_value(record).unwrap_or_default();
    match value.as_object() {
        Some(map) => {
            let rows: Vec<Vec<String>> =
                map.iter().map(|(k, v)| vec![k.clone(), text(v)]).collect();
            out.table(&["FIELD", "VALUE"], &rows);
        }
        None => out.line(crate::output::escape(&text(&value))),
    }
}
