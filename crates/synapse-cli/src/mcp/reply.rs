//! What a tool answers: a JSON document on success, a tool error (`isError: true`) with a
//! message otherwise; secrets are masked in both.

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

use crate::exit::CliError;

/// Why a tool failed: the message the assistant sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError(pub String);

/// A tool's outcome before it is sent.
pub type ToolResult = Result<Value, ToolError>;

impl ToolError {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
}

impl From<CliError> for ToolError {
    fn from(error: CliError) -> Self {
        ToolError(error.to_string())
    }
}

impl From<synapse_backend::Error> for ToolError {
    fn from(error: synapse_backend::Error) -> Self {
        ToolError(error.to_string())
    }
}

/// The shortest secret masked in answers: shorter strings are too likely to be ordinary text.
const MIN_SECRET_LEN: usize = 6;

/// Replaces every occurrence of each secret with `***`.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SECRET_LEN) {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "***");
        }
    }
    text
}

/// The MCP answer: the document as JSON text, or a tool error; `secrets` are masked.
pub fn finish(result: ToolResult, secrets: &[String]) -> CallToolResult {
    match result {
        Ok(value) => {
            let text = serde_json::to_string(&value)
                .unwrap_or_else(|e| format!("{{\"error\":\"cannot encode the answer: {e}\"}}"));
            CallToolResult::success(vec![ContentBlock::text(mask(&text, secrets))])
        }
        Err(ToolError(message)) => {
            CallToolResult::error(vec![ContentBlock::text(mask(&message, secrets))])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_answers_and_errors() {
        let secrets = vec!["tok-123456".to_owned(), "abc".to_owned()];
        let ok = finish(
            Ok(serde_json::json!({"t": "tok-123456", "s": "abc"})),
            &secrets,
        );
        let text = serde_json::to_string(&ok).expect("json");
        assert!(!text.contains("tok-123456"), "{text}");
        assert!(text.contains("abc"), "short strings are not masked: {text}");
        let err = finish(Err(ToolError::new("bad tok-123456")), &secrets);
        assert_eq!(err.is_error, Some(true));
        let text = serde_json::to_string(&err).expect("json");
        assert!(text.contains("bad ***"), "{text}");
    }
}
