//! Responses and the decoding of their bodies.

use std::fmt;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;
use crate::error::{ApiError, DecodeError, ERROR_BODY_LIMIT, excerpt};

/// A stream of body bytes; a mid-stream failure is an `Err` item, never a clean end.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// The body of a response.
pub enum ResponseBody {
    /// The whole body, already read.
    Buffered(Bytes),
    /// A stream of the body (2xx responses of [`ResponseMode::Stream`](crate::ResponseMode) requests).
    Stream(ByteStream),
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseBody::Buffered(b) => write!(f, "Buffered({} bytes)", b.len()),
            ResponseBody::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// A response: status, headers and body. Any status is a response; mapping statuses to
/// errors happens above the transport.
#[derive(Debug)]
pub struct Response {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: ResponseBody,
}

impl Response {
    /// A buffered response.
    pub fn buffered(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Response {
            status,
            headers,
            body: ResponseBody::Buffered(body.into()),
        }
    }

    /// Reads the whole body (collecting a stream if needed).
    pub async fn into_bytes(self) -> Result<Bytes, Error> {
        match self.body {
            ResponseBody::Buffered(b) => Ok(b),
            ResponseBody::Stream(mut s) => {
                let mut out = BytesMut::new();
                while let Some(chunk) = s.next().await {
                    out.extend_from_slice(&chunk?);
                }
                Ok(out.freeze())
            }
        }
    }

    /// The body as a stream (a buffered body becomes a one-item stream).
    pub fn into_stream(self) -> ByteStream {
        match self.body {
            ResponseBody::Buffered(b) => Box::pin(futures_util::stream::iter([Ok(b)])),
            ResponseBody::Stream(s) => s,
        }
    }

    /// Turns an error response into an [`ApiError`], reading at most
    /// [`ERROR_BODY_LIMIT`](crate::ERROR_BODY_LIMIT) bytes of its body (and one more, to
    /// tell a longer body); the rest is not read.
    pub async fn into_api_error(self, method: Method, url: String) -> ApiError {
        let status = self.status;
        let headers = self.headers;
        let cap = ERROR_BODY_LIMIT + 1;
        let body = match self.body {
            ResponseBody::Buffered(b) => b.slice(..b.len().min(cap)),
            ResponseBody::Stream(mut s) => {
                // A body that fails mid-read still yields the status; keep what arrived.
                let mut out = BytesMut::new();
                while out.len() < cap {
                    match s.next().await {
                        Some(Ok(chunk)) => out.extend_from_slice(&chunk),
                        _ => break,
                    }
                }
                out.truncate(cap);
                out.freeze()
            }
        };
        ApiError::from_parts(method, url, status, &headers, &body)
    }
}

/// Decodes a success body straight from bytes into `T`; failures carry the field path and
/// an excerpt of at most 1 KiB. Called inside [`synapse_models::shared::with_source`] for the
/// body's `Bytes`, text fields of the result share that buffer instead of copying it.
pub fn decode_json<T: DeserializeOwned>(
    method: &Method,
    url: &str,
    status: StatusCode,
    body: &[u8],
) -> Result<T, Error> {
    let fail = |path: String, message: String| -> Error {
        DecodeError {
            method: method.clone(),
            url: url.to_owned(),
            status: status.as_u16(),
            path,
            message,
            excerpt: excerpt(body),
            request_id: None,
        }
        .into()
    };
    // Fast path: plain serde_json. Only a failure pays for a second, path-tracking pass.
    // (Parsed as text, unchecked again, when the body lies in the current shared source.)
    match synapse_models::shared::from_slice::<T>(body) {
        Ok(value) => Ok(value),
        Err(plain) => {
            let mut de = serde_json::Deserializer::from_slice(body);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => Err(fail(e.path().to_string(), e.into_inner().to_string())),
                // The value itself decodes: the failure is after it (trailing data).
                Ok(_) => Err(fail(".".to_owned(), plain.to_string())),
            }
        }
    }
}

/// [`decode_json`] of a body held in `Bytes`: the result's text fields share the body
/// ([`synapse_models::shared`]) instead of copying out of it.
pub(crate) fn decode_shared<T: DeserializeOwned>(
    method: &Method,
    url: &str,
    status: StatusCode,
    body: &Bytes,
) -> Result<T, Error> {
    synapse_models::shared::with_source(body, || decode_json(method, url, status, body))
}

/// Decodes an untyped body as the Python SDK does: 204 gives `null`, JSON gives its value,
/// anything else the text (an empty body gives `""`).
pub fn decode_value(status: StatusCode, body: &[u8]) -> Value {
    if status == StatusCode::NO_CONTENT {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => v,
        Err(_) => Value::String(String::from_utf8_lossy(body).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;
    use serde_json::Value;
    use synapse_models::{Job, Page};

    /// What the shared decode must equal: the plain decode of the same bytes.
    fn both<T: DeserializeOwned + PartialEq + std::fmt::Debug>(body: &[u8]) {
        let method = Method::GET;
        let shared =
            decode_shared::<T>(&method, "u", StatusCode::OK, &Bytes::copy_from_slice(body));
        let plain = decode_json::<T>(&method, "u", StatusCode::OK, body);
        match (shared, plain) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("shared {a:?} but plain {b:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn the_shared_decode_equals_the_plain_one(
            body in proptest::prop_oneof![
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
                r#"\{"id": "[a-z\\\\"é]{0,6}", "params": \{"k": [0-9\]\[,]{0,5}\}, "created": ".{0,4}"\}"#
                    .prop_map(String::into_bytes),
            ],
        ) {
            both::<Value>(&body);
            both::<Job>(&body);
        }
    }

    #[test]
    fn a_body_that_is_not_utf8_fails_as_the_plain_decode_does() {
        // Invalid UTF-8 inside a string: the error names the same position either way.
        both::<Job>(b"{\"id\": \"j\xff1\"}");
        both::<Page<Job>>(b"{\"count\": 1, \"results\": [{\"action\": \"\xc3\"}]}");
        let err = decode_shared::<Job>(
            &Method::GET,
            "u",
            StatusCode::OK,
            &Bytes::from_static(b"{\"id\": \"\xff\"}"),
        )
        .expect_err("not UTF-8");
        assert!(
            err.to_string().contains("invalid unicode code point"),
            "{err}"
        );
    }
}
