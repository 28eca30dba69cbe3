//! HTTP transport for the Synapse SDK: the [`Transport`] trait and its reqwest
//! implementation, retries, pagination as a `Stream`, typed errors, and a mock transport.
//!
//! Layers, bottom up:
//! - [`Transport`]: one async method from a [`Request`] value to a [`Response`];
//!   [`HttpTransport`] (reqwest + rustls) and [`mock::MockTransport`] implement it;
//! - [`RetryTransport`]: retries any transport under a [`RetryPolicy`] (never replays a
//!   POST/PATCH that may have reached the server);
//! - [`Client`]: base URL, default headers and query, same-origin redirects, status → error
//!   mapping, JSON decoding and [`PageStream`] pagination. `BackendClient` and `AgentClient`
//!   are built on it.
//!
//! Every failure is an [`Error`]; none of them ever prints a credential.
//!
//! With the `v2` feature, the `v2` module holds what the v2 backend API needs on top: the `{data,
//! meta}` envelope and request ids, cursor pagination, the v2 error body, reconnecting
//! event streams and the v2 settings.

pub mod classify;
mod client;
mod env;
mod error;
mod http_transport;
mod lines;
pub mod mock;
mod multipart;
pub mod operation;
mod pagination;
pub mod python_json;
mod redirect;
mod request;
mod response;
mod retry;
mod retry_after;
mod secret;
mod snapshot;
mod sse;
mod text;
mod transport;
pub mod urls;
#[cfg(feature = "v2")]
pub mod v2;
mod websocket;

pub use crate::client::{Client, ClientBuilder, IntoTarget, RequestBuilder};
pub use crate::env::{EnvSource, MapEnv, ProcessEnv};
pub use crate::error::{
    ApiBody, ApiError, ApiErrorKind, Attempt, BoxError, ConnectKind, DecodeError, ERROR_BODY_LIMIT,
    EXCERPT_LIMIT, Error, GiveUp, PaginationError, TimeoutKind,
};
pub use crate::http_transport::{DEFAULT_MAX_BODY_BYTES, HttpConfig, HttpTransport, TLS_ENABLED};
pub use crate::lines::{LineMode, LineOptions, LineStream};
pub use crate::multipart::{BodyProgress, FileRange, Multipart, OneShotReader, Part, PartData};
pub use crate::operation::{Call, CallInfo, CallOptions, HasCall, Operation};
pub use crate::pagination::{DEFAULT_MAX_PAGES, PageStream, Pages};
pub use crate::redirect::{MAX_REDIRECTS, send_following_redirects};
pub use crate::request::{
    Body, ReadTimeout, Request, ResponseMode, is_idempotent_method, redact_url,
};
pub use crate::response::{ByteStream, Response, ResponseBody, decode_json, decode_value};
pub use crate::retry::{RetryBudget, RetryPolicy, RetryTransport};
pub use crate::retry_after::parse_retry_after;
pub use crate::secret::Secret;
#[cfg(feature = "v2")]
pub use crate::sse::{SseDecoder, SseEvent};
pub use crate::sse::{SseFrame, SseFrames};
pub use crate::text::escape_controls;
pub use crate::transport::Transport;
pub use crate::websocket::{MAX_WS_MESSAGE, WsMessage, WsStream};

pub use ::http::{HeaderMap, HeaderValue, Method, StatusCode};

pub use synapse_models::Page;
pub use url::Url;
