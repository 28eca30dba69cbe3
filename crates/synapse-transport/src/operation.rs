//! Operations: every API call is a builder, named after the operation, that can be turned
//! into its request value without IO ([`Operation`]'s `request()`), sent, or awaited
//! directly (`IntoFuture`).
//!
//! An operation type holds its typed parameters and a [`Call`] (its client and per-call
//! [`CallOptions`]) in a field named `call`; it says how to prepare its request and how to
//! decode the answer. The [`fluent!`](crate::fluent) macro adds what every call has: the raw
//! `.query(k, v)` escape,
//! `.read_timeout()`, `.connect_timeout()`, `.retry(policy)`, `.idempotent(bool)`,
//! `.request()`, `.send()` and `IntoFuture`; [`fluent_list!`](crate::fluent_list) adds, for
//! list operations, `.page_size(n)`, `.items()` and `.pages()`.
//! With the `v2` feature, `fluent_cursor_list!` does the same for v2 cursor lists
//! (`.per_page(n)`, `.cursor(c)`, `.items()`, `.pages()`) and `fluent_sse!` for v2 event
//! streams (`.events()`).
//!
//! ```
//! use synapse_transport::{Call, CallInfo, Client, Error, Operation, RequestBuilder, Response};
//!
//! /// `GET things/{id}/`.
//! pub struct GetThing {
//!     call: Call,
//!     id: u64,
//! }
//!
//! impl Operation for GetThing {
//!     type Output = serde_json::Value;
//!     fn prepare(&self) -> RequestBuilder {
//!         self.call.client().get(synapse_transport::urls::path(["things", &self.id.to_string()], true))
//!     }
//!     async fn decode(response: Response, info: CallInfo) -> Result<Self::Output, Error> {
//!         synapse_transport::operation::json(response, info).await
//!     }
//! }
//! synapse_transport::fluent!(GetThing);
//!
//! let client = Client::builder("https://synapse.test/").build()?;
//! let call = GetThing { call: Call::new(client), id: 7 }
//!     .query("expand", "logs")
//!     .read_timeout(std::time::Duration::from_secs(60));
//! let request = call.request()?; // the exact request, without IO
//! assert_eq!(request.full_url().as_str(), "https://synapse.test/things/7/?expand=logs");
//! # Ok::<(), synapse_transport::Error>(())
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::response::{decode_shared, decode_value};
use crate::{Client, Error, ReadTimeout, Request, RequestBuilder, Response, RetryPolicy};

/// Options every call can set, whatever the operation.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Raw query pairs, after the operation's typed ones.
    pub query: Vec<(String, String)>,
    /// Read timeout of this call (`None`: the operation's, else the client's).
    pub read_timeout: Option<ReadTimeout>,
    /// Connect timeout of this call.
    pub connect_timeout: Option<Duration>,
    /// Retry policy of this call (the client's retry budget still applies).
    pub retry: Option<Arc<RetryPolicy>>,
    /// Whether the call may be replayed after it may have reached the server.
    pub idempotent: Option<bool>,
    /// Page size of a list call (its first page, and every page of a walk).
    pub page_size: Option<u32>,
}

impl CallOptions {
    /// Applies the options to a prepared request: the raw query, then `page_size` (unless
    /// a `page_size` is already there), then the timeouts, retry policy and idempotency.
    pub fn apply(&self, builder: RequestBuilder) -> RequestBuilder {
        let mut builder = builder.query_pairs(self.query.iter().cloned());
        if let Some(size) = self.page_size
            && !builder.has_query("page_size")
        {
            builder = builder.query("page_size", size);
        }
        self.apply_to_page(builder)
    }

    /// Sets the raw query pair `key=value`, replacing an earlier pair with that key where
    /// it stands (e.g. a v2 list's `per_page` or `cursor`, set twice).
    pub fn set_query(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.query.iter_mut().find(|(k, _)| k == key) {
            Some(pair) => pair.1 = value,
            None => self.query.push((key.to_owned(), value)),
        }
    }

    /// Removes the raw query pairs named `key`.
    pub fn remove_query(&mut self, key: &str) {
        self.query.retain(|(k, _)| k != key);
    }

    /// Applies the options that also hold for the later pages of a walk (all but the
    /// query, which the `next` links carry).
    pub fn apply_to_page(&self, mut builder: RequestBuilder) -> RequestBuilder {
        if let Some(t) = self.read_timeout {
            builder = builder.read_timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            builder = builder.connect_timeout(t);
        }
        if let Some(p) = &self.retry {
            builder = builder.retry(p.clone());
        }
        if let Some(i) = self.idempotent {
            builder = builder.idempotent(i);
        }
        builder
    }
}

/// What a decoder knows of the call it decodes: method and redacted URL, for error messages.
#[derive(Debug, Clone)]
pub struct CallInfo {
    /// The method.
    pub method: Method,
    /// The redacted URL.
    pub url: String,
}

/// The client a call goes through and its per-call options: what every operation carries,
/// in a field named `call`.
#[derive(Debug, Clone)]
pub struct Call {
    client: Client,
    options: CallOptions,
}

impl Call {
    /// A call through `client` with default options.
    pub fn new(client: Client) -> Self {
        Call {
            client,
            options: CallOptions::default(),
        }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The per-call options.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// The per-call options, to set them.
    pub fn options_mut(&mut self) -> &mut CallOptions {
        &mut self.options
    }
}

/// Access to an operation's [`Call`]; [`fluent!`](crate::fluent) implements it for a type
/// with a `call` field.
pub trait HasCall {
    /// The call.
    fn call(&self) -> &Call;
    /// The call, to set its options.
    fn call_mut(&mut self) -> &mut Call;
}

/// One API call: its parameters and [`Call`], how to prepare its request and how to decode
/// its answer. See the [module documentation](self).
pub trait Operation: HasCall + Sized + Send + 'static {
    /// What the call returns.
    type Output: Send + 'static;

    /// For a list operation: whether a walk over every page (`.items()`, `.pages()`) sends
    /// the client's page size when the call sets none (the Python SDK's list-all does). An
    /// operation whose Python walk sends none says `false`.
    const PAGE_SIZE_ON_WALK: bool = true;

    /// The operation's request (method, path, typed query, body), before the per-call
    /// options. Pure: no IO.
    fn prepare(&self) -> RequestBuilder;

    /// Decodes a 2xx answer.
    fn decode(
        response: Response,
        call: CallInfo,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

/// The exact request `op` sends, finalised, without IO.
pub fn request<O: Operation>(op: &O) -> Result<Request, Error> {
    op.call().options().apply(op.prepare()).build()
}

/// Sends `op` and decodes its answer, inside the call's `tracing` span ([`call_span`]).
pub async fn send<O: Operation>(op: O) -> Result<O::Output, Error> {
    let request = request(&op)?;
    let call = CallInfo {
        method: request.method.clone(),
        url: request.display_url(),
    };
    let span = call_span(&request);
    async move {
        let result = match op.call().client().execute(request).await {
            Ok(response) => O::decode(response, call).await,
            Err(e) => Err(e),
        };
        if let Err(e) = &result
            && let Some(id) = e.request_id()
        {
            tracing::Span::current().record("request_id", id);
        }
        result
    }
    .instrument(span)
    .await
}

/// The `tracing` span of one call (debug level, named `synapse.call`): its `method`, its
/// redacted `url`, and a `request_id` field that v2 decoders fill with the server's id of
/// the request (from the answer, or from the error).
pub fn call_span(request: &Request) -> tracing::Span {
    tracing::debug_span!(
        "synapse.call",
        method = %request.method,
        url = %request.display_url(),
        request_id = tracing::field::Empty,
    )
}

/// Decodes a JSON body into `T`, straight from the bytes (errors carry the field path).
pub async fn json<T: DeserializeOwned>(response: Response, call: CallInfo) -> Result<T, Error> {
    let status = response.status;
    let body = response.into_bytes().await?;
    decode_shared(&call.method, &call.url, status, &body)
}

/// Decodes a body as the Python SDK does: JSON, else the text, `null` for 204.
pub async fn value(response: Response, _call: CallInfo) -> Result<Value, Error> {
    let status: StatusCode = response.status;
    let body = response.into_bytes().await?;
    Ok(decode_value(status, &body))
}

/// Reads and discards the body (the answer carries nothing the caller needs).
pub async fn unit(response: Response, _call: CallInfo) -> Result<(), Error> {
    response.into_bytes().await.map(drop)
}

/// The body as text (lossy UTF-8).
pub async fn text(response: Response, _call: CallInfo) -> Result<String, Error> {
    let body = response.into_bytes().await?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Adds the methods every call has to an [`Operation`] type: the raw `.query(k, v)` escape,
/// `.read_timeout()`, `.connect_timeout()`, `.retry()`, `.idempotent()`, `.request()`,
/// `.send()`, and `IntoFuture` (so the call can be awaited directly).
#[macro_export]
macro_rules! fluent {
    ($ty:ty) => {
        impl $crate::operation::HasCall for $ty {
            fn call(&self) -> &$crate::Call {
                &self.call
            }
            fn call_mut(&mut self) -> &mut $crate::Call {
                &mut self.call
            }
        }

        impl $ty {
            /// Adds a raw query pair after the typed ones, for a parameter the SDK has not
            /// typed.
            pub fn query(
                mut self,
                key: impl Into<String>,
                value: impl ::std::string::ToString,
            ) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .query
                    .push((key.into(), value.to_string()));
                self
            }

            /// The read timeout of this call (per read, not a total deadline).
            pub fn read_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .read_timeout = Some($crate::ReadTimeout::After(timeout));
                self
            }

            /// The connect timeout of this call.
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .connect_timeout = Some(timeout);
                self
            }

            /// The retry policy of this call (the client's retry budget still applies).
            pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .retry = Some(::std::sync::Arc::new(policy));
                self
            }

            /// Whether this call may be replayed after it may have reached the server:
            /// `true` for a POST or PATCH that is safe to repeat, `false` for a GET or PUT
            /// that must not be. Failures before anything was sent are retried either way.
            pub fn idempotent(mut self, idempotent: bool) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .idempotent = Some(idempotent);
                self
            }

            /// The exact request this call sends (URL with its query, headers with
            /// credentials marked sensitive, body), finalised and without any IO.
            pub fn request(&self) -> ::std::result::Result<$crate::Request, $crate::Error> {
                $crate::operation::request(self)
            }

            /// Sends the call and decodes its answer; awaiting the call does the same.
            pub async fn send(
                self,
            ) -> ::std::result::Result<<Self as $crate::Operation>::Output, $crate::Error> {
                $crate::operation::send(self).await
            }
        }

        $crate::awaitable!(
            $ty => ::std::result::Result<<$ty as $crate::Operation>::Output, $crate::Error>
        );
    };
}

/// Makes a builder awaitable: `IntoFuture` through its `async fn send(self) -> Output`.
/// For builders of calls that are more than one request (uploads, polling), whose `send`
/// is written by hand; [`fluent!`](crate::fluent) uses it for operations.
#[macro_export]
macro_rules! awaitable {
    ($ty:ty => $output:ty) => {
        impl ::std::future::IntoFuture for $ty {
            type Output = $output;
            type IntoFuture =
                ::std::pin::Pin<Box<dyn ::std::future::Future<Output = $output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

/// [`fluent!`](crate::fluent) for a list operation (one whose output is a
/// [`Page`](crate::Page)), plus `.page_size(n)`, `.items()` (every item, as a lazy stream)
/// and `.pages()` (every page, as a lazy stream). Awaiting the call gives the first page.
#[macro_export]
macro_rules! fluent_list {
    ($ty:ty, $item:ty) => {
        $crate::fluent!($ty);

        impl $ty {
            /// Items per page: sent on the first page (and so on every page of a walk). A
            /// walk sends the client's page size (default 100) when none is set.
            pub fn page_size(mut self, page_size: u32) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .page_size = Some(page_size);
                self
            }

            /// Every item of every page, as a lazy stream: nothing is sent before the first
            /// poll; see [`PageStream`]($crate::PageStream) for its rules and `.prefetch(k)`.
            pub fn items(self) -> $crate::PageStream<$item> {
                $crate::Pages::from_operation(self).items()
            }

            /// Every page, as a lazy stream (the same walk as [`items`](Self::items)).
            pub fn pages(self) -> $crate::Pages<$item> {
                $crate::Pages::from_operation(self)
            }
        }
    };
}

/// [`fluent!`](crate::fluent) for a v2 cursor-list operation (one whose output is a
/// [`CursorPage`](crate::v2::CursorPage) and whose `decode` is
/// [`v2::cursor_page`](crate::v2::cursor_page)), plus `.per_page(n)`, `.cursor(c)`,
/// `.items()` (every item, as a lazy stream) and `.pages()` (every page). Awaiting the call
/// gives one page: the first, or the one at `.cursor(c)`.
///
/// ```
/// use synapse_transport::v2::{self, CursorPage};
/// use synapse_transport::{Call, CallInfo, Client, Error, Operation, RequestBuilder, Response};
///
/// /// `GET /v2/projects/`.
/// pub struct ListProjects {
///     call: Call,
///     category: Option<String>,
/// }
///
/// impl Operation for ListProjects {
///     type Output = CursorPage<serde_json::Value>;
///     fn prepare(&self) -> RequestBuilder {
///         self.call.client().get("v2/projects/").query_opt("category", self.category.as_ref())
///     }
///     async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
///         v2::cursor_page(response, call).await
///     }
/// }
/// synapse_transport::fluent_cursor_list!(ListProjects, serde_json::Value);
///
/// let client = Client::builder("https://synapse.test/").build()?;
/// let list = ListProjects { call: Call::new(client), category: Some("image".into()) };
/// let request = list.cursor("cD0y").per_page(50).request()?;
/// assert_eq!(
///     request.full_url().as_str(),
///     "https://synapse.test/v2/projects/?category=image&cursor=cD0y&per_page=50"
/// );
/// # Ok::<(), synapse_transport::Error>(())
/// ```
#[cfg(feature = "v2")]
#[macro_export]
macro_rules! fluent_cursor_list {
    ($ty:ty, $item:ty) => {
        $crate::fluent!($ty);

        impl $ty {
            /// Items per page (`per_page`), sent on every page of a walk; without it the
            /// server's default applies.
            pub fn per_page(mut self, per_page: u32) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .set_query($crate::v2::PER_PAGE_KEY, per_page.to_string());
                self
            }

            /// Starts at this cursor (a page's `next_cursor`) instead of the first page; an
            /// empty cursor starts at the first page.
            pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
                let cursor: String = cursor.into();
                let options = $crate::operation::HasCall::call_mut(&mut self).options_mut();
                if cursor.is_empty() {
                    options.remove_query($crate::v2::CURSOR_KEY);
                } else {
                    options.set_query($crate::v2::CURSOR_KEY, cursor);
                }
                self
            }

            /// Every item of every page from here on, as a lazy stream: nothing is sent
            /// before the first poll; see [`CursorPages`]($crate::v2::CursorPages) for its
            /// rules.
            pub fn items(self) -> $crate::v2::CursorStream<$item> {
                $crate::v2::CursorPages::from_operation(self).items()
            }

            /// Every page from here on, as a lazy stream (the walk behind
            /// [`items`](Self::items)).
            pub fn pages(self) -> $crate::v2::CursorPages<$item> {
                $crate::v2::CursorPages::from_operation(self)
            }
        }
    };
}

/// Adds to a v2 [`SseOperation`](crate::v2::SseOperation) type (with a `call` field) the
/// per-call options that apply to a stream (`.query(k, v)`, `.connect_timeout()`,
/// `.retry()` for the first connection), `.request()` (the exact first request, without IO)
/// and `.events()` (the [`SseStream`](crate::v2::SseStream), lazy). See
/// [`SseOperation`](crate::v2::SseOperation) for an example.
#[cfg(feature = "v2")]
#[macro_export]
macro_rules! fluent_sse {
    ($ty:ty) => {
        impl $crate::operation::HasCall for $ty {
            fn call(&self) -> &$crate::Call {
                &self.call
            }
            fn call_mut(&mut self) -> &mut $crate::Call {
                &mut self.call
            }
        }

        impl $ty {
            /// Adds a raw query pair after the typed ones, for a parameter the SDK has not
            /// typed.
            pub fn query(
                mut self,
                key: impl Into<String>,
                value: impl ::std::string::ToString,
            ) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .query
                    .push((key.into(), value.to_string()));
                self
            }

            /// The connect timeout of this stream's connections.
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .connect_timeout = Some(timeout);
                self
            }

            /// The retry policy of the first connection (the client's retry budget still
            /// applies); reconnections follow the stream's own settings.
            pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
                $crate::operation::HasCall::call_mut(&mut self)
                    .options_mut()
                    .retry = Some(::std::sync::Arc::new(policy));
                self
            }

            /// The exact first request of this stream (URL with its query, headers with
            /// credentials marked sensitive, `Accept: text/event-stream`), finalised and
            /// without any IO.
            pub fn request(&self) -> ::std::result::Result<$crate::Request, $crate::Error> {
                $crate::v2::sse_request(self)
            }

            /// The events, as a lazy stream: nothing is sent before the first poll; see
            /// [`SseStream`]($crate::v2::SseStream) for its rules and per-call settings.
            pub fn events(self) -> $crate::v2::SseStream {
                $crate::v2::SseStream::from_operation(self)
            }
        }
    };
}
