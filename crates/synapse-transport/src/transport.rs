//! The `Transport` trait: one async method from a [`Request`] to a [`Response`].

use std::sync::Arc;

use async_trait::async_trait;

use crate::websocket::WsStream;
use crate::{Error, Request, Response};

/// Sends one request and returns its response.
///
/// Contract for implementations:
/// - every HTTP status is `Ok(Response)`; only failures to get a response are `Err`;
/// - [`ResponseMode::Buffered`](crate::ResponseMode) requests get the whole body; a body cut
///   short is `Err(Error::ResponseIncomplete)`, never a short `Ok`;
/// - [`ResponseMode::Stream`](crate::ResponseMode) requests get a stream for 2xx and a buffered
///   body otherwise;
/// - redirects are returned, not followed (the client follows them under its own rules).
///
/// Implement it to plug in another HTTP stack; wrap any implementation in
/// [`RetryTransport`](crate::RetryTransport) for retries.
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and returns the response.
    async fn send(&self, request: Request) -> Result<Response, Error>;

    /// Opens a WebSocket with `request` (a GET; `http`/`https` URL) and returns its
    /// messages. An answer other than `101 Switching Protocols` is an [`Error::Api`] with
    /// that status. The default refuses: a transport that cannot open WebSockets says so.
    async fn websocket(&self, request: Request) -> Result<WsStream, Error> {
        Err(Error::Transport {
            message: format!(
                "this transport cannot open a WebSocket ({})",
                request.display_url()
            ),
            source: None,
        })
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: Request) -> Result<Response, Error> {
        (**self).send(request).await
    }

    async fn websocket(&self, request: Request) -> Result<WsStream, Error> {
        (**self).websocket(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: Request) -> Result<Response, Error> {
        (**self).send(request).await
    }

    async fn websocket(&self, request: Request) -> Result<WsStream, Error> {
        (**self).websocket(request).await
    }
}
