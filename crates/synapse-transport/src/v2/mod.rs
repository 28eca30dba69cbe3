//! The transport pieces of the v2 backend API (`/v2/…`), for the v2 operations to call.
//!
//! | concern | pieces |
//! |---|---|
//! | answers | [`json`], [`unit()`] decode an operation's 2xx answer under the envelope rule into a [`V2Response`] (the value, its [`Meta`] and request id) or [`NoContent`] |
//! | lists | [`cursor_page`] decodes a [`CursorPage`]; [`fluent_cursor_list!`](crate::fluent_cursor_list) gives a list `.per_page(n)`, `.cursor(c)`, `.items()` ([`CursorStream`]) and `.pages()` ([`CursorPages`]) |
//! | errors | [`ApiError::v2_error`](crate::ApiError::v2_error) ([`V2ErrorBody`]), [`ApiError::request_id`](crate::ApiError#structfield.request_id), [`ApiErrorKind::Conflict`](crate::ApiErrorKind::Conflict) for 409 |
//! | streams | [`SseOperation`], [`fluent_sse!`](crate::fluent_sse), [`SseStream`], [`SseOptions`] |
//! | settings | [`HttpConfig::backend_v2`](crate::HttpConfig::backend_v2) and its environment overrides, [`Credentials`], [`check_base_url`] |
//!
//! # Request ids
//!
//! The server's id of each request is on the value's wrapper ([`V2Response::request_id`],
//! [`CursorPage::request_id`]), on failures ([`Error::request_id`](crate::Error::request_id)) and in the call's
//! `tracing` span: every call runs in a debug span `synapse.call` (method, redacted URL)
//! whose `request_id` field the decoders fill.
//!
//! # Replays: which calls are idempotent
//!
//! POST and PATCH are never sent again once they may have reached the server (a second
//! project, a second `jobs.stop`), whatever the status; GET, PUT and DELETE retry under the
//! client's policy. An operation that is safe to repeat marks its request in `prepare`:
//! - the four read-only bulk fetches (`POST /v2/tasks/bulk-fetch/`,
//!   `POST /v2/assignments/bulk-fetch/`, `POST /v2/ground-truths/bulk-data/`,
//!   `POST /v2/ground-truth-events/bulk-data/`) call
//!   [`RequestBuilder::idempotent(true)`](crate::RequestBuilder::idempotent), and retry
//!   like GETs;
//! - an operation that declares `dry_run` calls [`RequestBuilder::dry_run`]: with `true` it
//!   sends `?dry_run=true` and marks the request idempotent (a validation changes nothing);
//!   with `false` it sends nothing, and the method's rule applies.
//!
//! The bulk creates (`POST /v2/data-units/bulk-create/`, `POST /v2/tasks/bulk-create/`) are
//! not marked: the server calls them repeatable, but a write that may have arrived is not
//! re-sent silently. A caller that relies on the server's word says `.idempotent(true)` on
//! the call; a per-call `.idempotent(…)` overrides what `prepare` marked.
//!
//! ```
//! use synapse_transport::{Client, Method};
//!
//! let client = Client::builder("https://synapse.test/").build()?;
//! let fetch = client.post("v2/tasks/bulk-fetch/").query("response_mode", "inline")
//!     .json(&serde_json::json!({"ids": [1, 2]})).idempotent(true).build()?;
//! assert!(fetch.is_idempotent());
//! let check = client.post("v2/data-units/bulk-create/").dry_run(true).build()?;
//! assert!(check.is_idempotent());
//! assert_eq!(check.full_url().query(), Some("dry_run=true"));
//! let create = client.post("v2/data-units/bulk-create/").dry_run(false).build()?;
//! assert!(!create.is_idempotent() && create.full_url().query().is_none());
//! # Ok::<(), synapse_transport::Error>(())
//! ```

mod config;
mod cursor;
mod envelope;
mod error;
mod sse;

pub use self::config::{
    ACCESS_TOKEN_HEADER, ACCESS_TOKEN_VAR, Credentials, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT, DRF_TOKEN_VAR, TENANT_HEADER, TENANT_VAR, TIMEOUT_CONNECT_VAR,
    TIMEOUT_READ_VAR, check_base_url, is_loopback, timeout_from_env,
};
pub use self::cursor::{
    CURSOR_KEY, CursorPage, CursorPages, CursorStream, DEFAULT_MAX_EMPTY_PAGES, PER_PAGE_KEY,
    cursor_page, decode_cursor_page,
};
pub use self::envelope::{Meta, NoContent, V2Response, decode_envelope, decode_unit, json, unit};
pub use self::error::V2ErrorBody;
pub use self::sse::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_TOTAL_RECONNECTS, EVENT_STREAM, SseOperation, SseOptions,
    SseStream, sse_request,
};
pub use crate::sse::{DEFAULT_MAX_EVENT_BYTES, SseDecoder, SseEvent};

use crate::RequestBuilder;

/// The query key of a validation-only call.
pub const DRY_RUN_KEY: &str = "dry_run";

impl RequestBuilder {
    /// A v2 operation's `dry_run` option: with `true`, sends `?dry_run=true` (the server
    /// validates and changes nothing) and marks the request idempotent, so it retries like
    /// a GET; with `false`, sends nothing (the server's default) and leaves the method's
    /// rule alone.
    pub fn dry_run(self, dry_run: bool) -> Self {
        if dry_run {
            self.query(DRY_RUN_KEY, "true").idempotent(true)
        } else {
            self
        }
    }
}
