//! Logs: `create_logs`, with local files turned into `data:` URIs.

use std::path::Path;

use base64::Engine;
use serde_json::Value;
use synapse_models::LogEntry;
use synapse_transport::{Error, Request};

use crate::BackendClient;

/// Replaces a local path in `file` with `data:<mime>;base64,<content>`.
async fn inline_file(mut entry: LogEntry) -> Result<(LogEntry, bool), Error> {
    let Some(file) = entry.file.clone().filter(|f| !f.is_empty()) else {
        return Ok((entry, false));
    };
    if file.starts_with("data:") {
        return Ok((entry, true));
    }
    let path = Path::new(&file);
    let mime = path
        .file_name()
        .and_then(|n| crate::files::mime_for_name(&n.to_string_lossy()))
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "cannot tell the MIME type of log file {file:?} from its extension"
            ))
        })?;
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| Error::io(Some(path.to_owned()), e))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    entry.file = Some(format!("data:{mime};base64,{encoded}"));
    Ok((entry, true))
}

impl BackendClient {
    /// Creates log entries: `POST logs/`, one entry as a bare object, several as an array.
    /// A `file` that is a local path is sent as a `data:<mime>;base64,…` URI (the caller's
    /// entries are not modified; an unknown extension or unreadable file fails before any
    /// request). Each request carries at most one file-bearing entry, so entries are sent
    /// in order, in as few requests as that allows; the answers are returned in order.
    ///
    /// Never retried once it may have reached the server (there is no idempotency key: a
    /// replay would duplicate entries). Empty input is an error.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{LogEntry, LogLevel};
    /// let entry = LogEntry {
    ///     message: Some("Training complete".into()),
    ///     level: Some(LogLevel::Info),
    ///     file: Some("/tmp/result.png".into()),
    ///     ..Default::default()
    /// };
    /// client.create_logs([entry]).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_logs(&self, entries: impl IntoIterator<Item = LogEntry>) -> CreateLogs {
        CreateLogs {
            client: self.clone(),
            entries: entries.into_iter().collect(),
        }
    }
}

/// [`BackendClient::create_logs`]: `POST logs/`, in as few requests as the files allow.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CreateLogs {
    client: BackendClient,
    entries: Vec<LogEntry>,
}

impl CreateLogs {
    /// The requests this call sends, in order. Local files are read to inline them (local
    /// IO, no network).
    pub async fn requests(&self) -> Result<Vec<Request>, Error> {
        if self.entries.is_empty() {
            return Err(Error::invalid_input("create_logs needs at least one entry"));
        }
        let mut batches: Vec<Vec<LogEntry>> = Vec::new();
        let mut current: Vec<LogEntry> = Vec::new();
        let mut current_has_file = false;
        for entry in &self.entries {
            let (entry, has_file) = inline_file(entry.clone()).await?;
            if has_file && current_has_file {
                batches.push(std::mem::take(&mut current));
                current_has_file = false;
            }
            current_has_file |= has_file;
            current.push(entry);
        }
        batches.push(current);
        batches
            .iter()
            .map(|batch| {
                let request = self.client.core.post("logs/");
                match batch.as_slice() {
                    [one] => request.json(one),
                    many => request.json(many),
                }
                .build()
            })
            .collect()
    }

    /// Sends the requests in order and returns the answers in order.
    pub async fn send(self) -> Result<Vec<Value>, Error> {
        let mut answers = Vec::new();
        for request in self.requests().await? {
            let response = self.client.core.execute(request).await?;
            let status = response.status;
            let body = response.into_bytes().await?;
            answers.push(synapse_transport::decode_value(status, &body));
        }
        Ok(answers)
    }
}

synapse_transport::awaitable!(CreateLogs => Result<Vec<Value>, Error>);
