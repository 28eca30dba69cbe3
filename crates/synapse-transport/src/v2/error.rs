//! The v2 error body read from an [`ApiError`].

use serde_json::{Map, Value};

use crate::ApiError;
use crate::error::body_request_id;

/// The parts of a v2 error body, `{"error": {"code", "message", "details"}, "meta":
/// {"request_id"}}`, read from an [`ApiError`].
///
/// Every [`ApiError`] already carries the request id of such a body
/// ([`ApiError::request_id`](ApiError#structfield.request_id)), a 409 is
/// [`ApiErrorKind::Conflict`](crate::ApiErrorKind::Conflict), and its message reads
/// `CODE: message`; [`ApiError::v2_error`] gives the body's parts.
///
/// ```
/// use serde_json::json;
/// use synapse_transport::{ApiBody, ApiError, ApiErrorKind, Method, StatusCode};
///
/// let body = json!({
///     "error": {"code": "INVALID_STATE", "message": "job already stopped",
///               "details": [{"field": "status", "message": "is stopped", "current_status": "stopped"}]},
///     "meta": {"request_id": "req_abc123"}
/// });
/// let url = "https://synapse.test/v2/jobs/7/stop/".to_owned();
/// let error = ApiError::new(Method::POST, url, StatusCode::CONFLICT, ApiBody::Json(body));
/// assert_eq!(error.kind, ApiErrorKind::Conflict);
/// assert_eq!(error.request_id.as_deref(), Some("req_abc123"));
/// let v2 = error.v2_error().expect("a v2 error body");
/// assert_eq!((v2.code.as_str(), v2.message.as_str()), ("INVALID_STATE", "job already stopped"));
/// assert_eq!(v2.details[0]["current_status"], "stopped");
/// assert_eq!(error.message(), "INVALID_STATE: job already stopped");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct V2ErrorBody {
    /// The machine-readable code (`VALIDATION_ERROR`, `INVALID_STATE`, …); empty when the
    /// body has none.
    pub code: String,
    /// The human-readable message; empty when the body has none.
    pub message: String,
    /// The details, each an object as sent (`field`, `message` and any other key, such as
    /// `current_status` or `limit`); empty when `details` is null or absent.
    pub details: Vec<Map<String, Value>>,
    /// `meta.request_id`.
    pub request_id: Option<String>,
}

impl V2ErrorBody {
    /// Reads a v2 error body: `Some` when `body.error` is an object with a string `code` or
    /// `message`. A detail that is not an object is kept as `{"message": <it>}`.
    pub fn parse(body: &Value) -> Option<Self> {
        let error = body.get("error")?.as_object()?;
        let text = |key: &str| error.get(key).and_then(Value::as_str).map(str::to_owned);
        let (code, message) = (text("code"), text("message"));
        if code.is_none() && message.is_none() {
            return None;
        }
        let details = match error.get("details") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Object(map) => map.clone(),
                    other => Map::from_iter([("message".to_owned(), other.clone())]),
                })
                .collect(),
            _ => Vec::new(),
        };
        Some(V2ErrorBody {
            code: code.unwrap_or_default(),
            message: message.unwrap_or_default(),
            details,
            request_id: body_request_id(body),
        })
    }

    /// The `message` of each detail about `field`, in order.
    pub fn field_messages(&self, field: &str) -> Vec<&str> {
        self.details
            .iter()
            .filter(|d| d.get("field").and_then(Value::as_str) == Some(field))
            .filter_map(|d| d.get("message").and_then(Value::as_str))
            .collect()
    }
}

impl ApiError {
    /// The v2 error body's parts, when the body is one (see [`V2ErrorBody::parse`]).
    pub fn v2_error(&self) -> Option<V2ErrorBody> {
        self.body_json().and_then(V2ErrorBody::parse)
    }

    /// The v2 error body's `error.code`, when there is one.
    pub fn code(&self) -> Option<&str> {
        self.body_json()?.pointer("/error/code")?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_that_are_not_v2_errors_give_none() {
        assert_eq!(V2ErrorBody::parse(&json!({"detail": "Not found."})), None);
        assert_eq!(V2ErrorBody::parse(&json!({"error": "boom"})), None);
        assert_eq!(V2ErrorBody::parse(&json!({"error": {}})), None);
        assert_eq!(V2ErrorBody::parse(&json!([1])), None);
    }

    #[test]
    fn details_null_or_odd_items_are_tolerated() {
        let body = json!({"error": {"code": "X", "message": "m", "details": null}});
        let parsed = V2ErrorBody::parse(&body).expect("v2");
        assert!(parsed.details.is_empty());
        assert_eq!(parsed.request_id, None);
        let body = json!({"error": {"message": "m", "details": ["too many", {"field": "ids", "message": "max 200"}]}});
        let parsed = V2ErrorBody::parse(&body).expect("v2");
        assert_eq!(parsed.code, "");
        assert_eq!(parsed.details[0]["message"], "too many");
        assert_eq!(parsed.field_messages("ids"), ["max 200"]);
    }
}
