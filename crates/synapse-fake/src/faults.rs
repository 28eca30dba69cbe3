//! Fault injection: the next N matching requests misbehave in a chosen way.

use std::time::Duration;

use http::Method;

/// What a faulty request gets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer with this status and a JSON body, optionally with `Retry-After`.
    Status {
        /// The status.
        status: u16,
        /// The `Retry-After` header value, if any.
        retry_after: Option<String>,
        /// The JSON body.
        body: serde_json::Value,
    },
    /// Wait before handling the request normally.
    Delay(Duration),
    /// Close the connection without reading the request body or answering.
    DropBeforeRead,
    /// Read the whole request (and act on it), then close the connection without answering.
    DropAfterRead,
    /// Answer normally but close the connection halfway through the body.
    TruncateBody,
}

/// A fault for the next `times` requests matching `method` (any if `None`) and a path
/// containing `path_contains` (any if `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Method to match.
    pub method: Option<Method>,
    /// Substring of the path to match.
    pub path_contains: Option<String>,
    /// How many requests it applies to.
    pub times: usize,
    /// What they get.
    pub action: FaultAction,
}

impl Fault {
    /// A fault for the next `times` requests of any kind.
    pub fn new(action: FaultAction, times: usize) -> Self {
        Fault {
            method: None,
            path_contains: None,
            times,
            action,
        }
    }

    /// `times` answers of `status` with `{"detail": "injected <status>"}`.
    pub fn status(status: u16, times: usize) -> Self {
        Self::new(
            FaultAction::Status {
                status,
                retry_after: None,
                body: serde_json::json!({"detail": format!("injected {status}")}),
            },
            times,
        )
    }

    /// Only requests with this method.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Only requests whose path contains `fragment`.
    pub fn path(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    /// Adds `Retry-After` to a status fault.
    pub fn retry_after(mut self, value: impl Into<String>) -> Self {
        if let FaultAction::Status { retry_after, .. } = &mut self.action {
            *retry_after = Some(value.into());
        }
        self
    }

    pub(crate) fn matches(&self, method: &Method, path: &str) -> bool {
        self.times > 0
            && self.method.as_ref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}
