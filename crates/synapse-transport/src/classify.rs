//! Retry classification as a chain of small classifiers, asked in order: the first with an
//! opinion decides whether an attempt is retried; when it is, the chain is asked for a delay
//! (the server's `Retry-After`). The standard chain of the Synapse API is
//! [`NeverSent`] → [`IdempotencyVeto`] → [`TransientFailures`] → [`RetryStatuses`] →
//! [`RetryAfterHeader`]; storage hosts end with [`StorageErrors`] instead of the statuses.

use std::fmt;
use std::time::Duration;

use crate::error::{ConnectKind, TimeoutKind};
use crate::response::ResponseBody;
use crate::{Error, Request, Response};

/// A classifier's opinion on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryAction {
    /// Send the request again (if the policy's attempts and budgets allow).
    Retry,
    /// Return this outcome to the caller.
    DoNotRetry,
}

/// One attempt's outcome, as classifiers see it: a response (any status) or a failure.
pub type Outcome<'a> = Result<&'a Response, &'a Error>;

/// One link of the retry chain.
pub trait ClassifyRetry: Send + Sync + fmt::Debug {
    /// An opinion on the attempt, or `None` to let the next link decide. A chain where no
    /// link decides does not retry.
    fn classify(&self, request: &Request, outcome: Outcome<'_>) -> Option<RetryAction> {
        let _ = (request, outcome);
        None
    }

    /// Asked once the chain decided to retry: how long to wait instead of the policy's
    /// backoff, if this link knows (the first answer wins).
    fn delay(&self, request: &Request, outcome: Outcome<'_>) -> Option<Duration> {
        let _ = (request, outcome);
        None
    }
}

/// Failures before the request left the client (DNS, refused connection, connect timeout):
/// retried whatever the method. A TLS failure is never retried.
#[derive(Debug, Clone, Copy, Default)]
pub struct NeverSent;

impl ClassifyRetry for NeverSent {
    fn classify(&self, _: &Request, outcome: Outcome<'_>) -> Option<RetryAction> {
        match outcome {
            Err(Error::Connect {
                kind: ConnectKind::Tls,
                ..
            }) => Some(RetryAction::DoNotRetry),
            Err(Error::Connect { .. })
            | Err(Error::Timeout {
                kind: TimeoutKind::Connect,
                ..
            }) => Some(RetryAction::Retry),
            _ => None,
        }
    }
}

/// A request that is not idempotent (POST, PATCH, unless marked otherwise) is never sent
/// again once it may have reached the server.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdempotencyVeto;

impl ClassifyRetry for IdempotencyVeto {
    fn classify(&self, request: &Request, _: Outcome<'_>) -> Option<RetryAction> {
        (!request.is_idempotent()).then_some(RetryAction::DoNotRetry)
    }
}

/// Read timeouts and responses cut short are retried; any other failure is not.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransientFailures;

impl ClassifyRetry for TransientFailures {
    fn classify(&self, _: &Request, outcome: Outcome<'_>) -> Option<RetryAction> {
        match outcome {
            Ok(_) => None,
            Err(Error::Timeout {
                kind: TimeoutKind::Read,
                ..
            })
            | Err(Error::ResponseIncomplete { .. }) => Some(RetryAction::Retry),
            Err(_) => Some(RetryAction::DoNotRetry),
        }
    }
}

/// Responses with one of these statuses are retried; any other response is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryStatuses(pub Vec<u16>);

impl ClassifyRetry for RetryStatuses {
    fn classify(&self, _: &Request, outcome: Outcome<'_>) -> Option<RetryAction> {
        let response = outcome.ok()?;
        Some(if self.0.contains(&response.status.as_u16()) {
            RetryAction::Retry
        } else {
            RetryAction::DoNotRetry
        })
    }
}

/// The server's `Retry-After` (seconds or an HTTP date) replaces the backoff of the step.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryAfterHeader;

impl ClassifyRetry for RetryAfterHeader {
    fn delay(&self, _: &Request, outcome: Outcome<'_>) -> Option<Duration> {
        outcome
            .ok()?
            .headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::retry_after::parse_retry_after)
    }
}

/// How much of an object store's error body is read for its `<Code>`.
const STORAGE_BODY_LIMIT: usize = 8 * 1024;

/// Object-store answers: 5xx, 408, 425 and 429 are retried, and so is a 4xx without an
/// XML `<Code>` (a proxy's page, not the store's verdict); a 4xx with a `<Code>`
/// (`AccessDenied`, `SignatureDoesNotMatch`, …) is final. Success is returned.
#[derive(Debug, Clone, Copy, Default)]
pub struct StorageErrors;

impl ClassifyRetry for StorageErrors {
    fn classify(&self, _: &Request, outcome: Outcome<'_>) -> Option<RetryAction> {
        let response = outcome.ok()?;
        let status = response.status.as_u16();
        if response.status.is_success() || response.status.is_redirection() {
            return Some(RetryAction::DoNotRetry);
        }
        if status >= 500 || matches!(status, 408 | 425 | 429) {
            return Some(RetryAction::Retry);
        }
        let has_code = match &response.body {
            ResponseBody::Buffered(b) => {
                storage_error_code(&b[..b.len().min(STORAGE_BODY_LIMIT)]).is_some()
            }
            ResponseBody::Stream(_) => false,
        };
        Some(if has_code {
            RetryAction::DoNotRetry
        } else {
            RetryAction::Retry
        })
    }
}

/// The `<Code>` of an object store's XML error body, if any.
pub fn storage_error_code(body: &[u8]) -> Option<String> {
    xml_tag(&String::from_utf8_lossy(body), "Code")
}

/// The text of the first `<tag>…</tag>` (trimmed, at most 200 characters), if non-empty.
pub fn xml_tag(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    let value = text[start..end].trim();
    (!value.is_empty()).then(|| value.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_code() {
        let b = "<?xml?><Error><Code>AccessDenied</Code><Message>no</Message></Error>";
        assert_eq!(xml_tag(b, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_tag("<html>bad</html>", "Code"), None);
    }
}
