//! The `{data, meta}` envelope of v2 answers and the decoders of 2xx answers.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use http::{HeaderMap, StatusCode};
use serde::de::{DeserializeOwned, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{DecodeError, excerpt, header_request_id};
use crate::operation::CallInfo;
use crate::response::decode_json;
use crate::{Error, Response};

/// The `meta` object of an enveloped answer, kept whole: the request id, the pagination of
/// a list, and any key a newer server adds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta(Map<String, Value>);

impl Meta {
    /// A `meta` object.
    pub fn new(map: Map<String, Value>) -> Self {
        Meta(map)
    }

    /// `meta.request_id`, when it is a non-empty string.
    pub fn request_id(&self) -> Option<&str> {
        self.0
            .get("request_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `meta.pagination`, when it is an object (a list's `next_cursor`, `previous_cursor`,
    /// `per_page`).
    pub fn pagination(&self) -> Option<&Map<String, Value>> {
        self.0.get("pagination").and_then(Value::as_object)
    }

    /// Any key of `meta`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The whole object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The whole object, owned.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// A decoded v2 answer: the value, which it dereferences to, with what came around it (the
/// envelope's [`Meta`], the request id, the status).
///
/// ```
/// use synapse_transport::v2::V2Response;
/// let answer = V2Response::new(vec![1, 2, 3]).with_request_id("req_9");
/// assert_eq!(answer.len(), 3); // `Deref` to the value
/// assert_eq!(answer.request_id(), Some("req_9"));
/// assert_eq!(answer.into_inner(), [1, 2, 3]);
/// ```
#[derive(Clone, PartialEq)]
pub struct V2Response<T> {
    value: T,
    meta: Option<Meta>,
    request_id: Option<String>,
    status: StatusCode,
}

/// The answer of an operation that returns no body (204, or a 200/201 declared without
/// one): only its request id and status.
pub type NoContent = V2Response<()>;

impl<T: fmt::Debug> fmt::Debug for V2Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2Response")
            .field("value", &self.value)
            .field("request_id", &self.request_id)
            .field("status", &self.status)
            .field("meta", &self.meta)
            .finish()
    }
}

impl<T> V2Response<T> {
    /// A bare `200 OK` answer holding `value`, without meta or request id (tests, fakes).
    pub fn new(value: T) -> Self {
        V2Response {
            value,
            meta: None,
            request_id: None,
            status: StatusCode::OK,
        }
    }

    /// Sets the request id.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Sets the envelope's `meta` (and the request id, when `meta` has one).
    pub fn with_meta(mut self, meta: Meta) -> Self {
        if let Some(id) = meta.request_id() {
            self.request_id = Some(id.to_owned());
        }
        self.meta = Some(meta);
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The server's id of the request: the envelope's `meta.request_id`, else the
    /// `X-Request-ID` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The envelope's `meta`; `None` when the answer was bare.
    pub fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }

    /// True when the answer came in a `{data, meta}` envelope.
    pub fn is_enveloped(&self) -> bool {
        self.meta.is_some()
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The value, dropping the rest.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Maps the value, keeping meta, request id and status.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> V2Response<U> {
        V2Response {
            value: f(self.value),
            meta: self.meta,
            request_id: self.request_id,
            status: self.status,
        }
    }
}

impl<T> Deref for V2Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for V2Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> AsRef<T> for V2Response<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

/// The two shapes of a v2 body, as the envelope rule tells them apart.
pub(crate) enum Shape<'a> {
    /// `{"data": …, "meta": {…}}` and nothing else.
    Envelope {
        /// The text of `data`.
        data: &'a RawValue,
        /// `meta`, parsed.
        meta: Meta,
    },
    /// Anything else: the body is the value.
    Bare,
}

/// Tells an envelope from a bare body without decoding either: a scan of the top-level
/// keys that stops at the first key other than `data` or `meta` (so a bare object costs
/// almost nothing), the two values kept as raw text. A body that is not a JSON object, or
/// not valid JSON, is bare (its decoding then reports the error).
pub(crate) fn shape(body: &[u8]) -> Shape<'_> {
    let starts_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_object {
        return Shape::Bare;
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let Ok(Some((data, meta))) = Deserializer::deserialize_map(&mut de, ProbeVisitor) else {
        return Shape::Bare;
    };
    if de.end().is_err() {
        return Shape::Bare;
    }
    match serde_json::from_str::<Map<String, Value>>(meta.get()) {
        Ok(map) => Shape::Envelope {
            data,
            meta: Meta(map),
        },
        Err(_) => Shape::Bare,
    }
}

/// Decodes an envelope in one pass, `data` straight into `T`: `Some` only when the body
/// is an envelope (keys exactly `data` and `meta`, `meta` an object) and its `data`
/// decodes. `None` otherwise, at the first sign of it; the caller then tells the shapes
/// apart with [`shape`] and reports any decoding error with its path.
pub(crate) fn fast_envelope<T: DeserializeOwned>(body: &[u8]) -> Option<(T, Meta)> {
    let starts_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_object {
        return None;
    }
    // Parsed as text, unchecked again, when the body lies in the current shared source.
    match synapse_models::shared::source_text(body) {
        Some(text) => fast_decode(serde_json::Deserializer::from_str(&text)),
        None => fast_decode(serde_json::Deserializer::from_slice(body)),
    }
}

/// [`FastVisitor`] over the whole input of `de`.
fn fast_decode<'de, R: serde_json::de::Read<'de>, T: DeserializeOwned>(
    mut de: serde_json::Deserializer<R>,
) -> Option<(T, Meta)> {
    let decoded = Deserializer::deserialize_map(&mut de, FastVisitor(PhantomData)).ok()?;
    de.end().ok()?;
    Some(decoded)
}

/// The visitor of [`fast_envelope`].
struct FastVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for FastVisitor<T> {
    type Value = (T, Meta);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a v2 envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut data: Option<T> = None;
        let mut meta: Option<Map<String, Value>> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Data if data.is_none() => data = Some(map.next_value()?),
                Key::Meta if meta.is_none() => meta = Some(map.next_value()?),
                _ => return Err(A::Error::custom("not an envelope")),
            }
        }
        match (data, meta) {
            (Some(data), Some(meta)) => Ok((data, Meta(meta))),
            _ => Err(A::Error::custom("not an envelope")),
        }
    }
}

/// A top-level key, read without allocating.
enum Key {
    Data,
    Meta,
    Other,
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "data" => Key::Data,
                    "meta" => Key::Meta,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Visits the top-level object: `Some((data, meta))` when its keys are exactly `data` and
/// `meta`, once each, and `meta` is an object; an error as soon as another key or a
/// repeated one shows that it is not an envelope.
struct ProbeVisitor;

impl<'de> Visitor<'de> for ProbeVisitor {
    type Value = Option<(&'de RawValue, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut data: Option<&'de RawValue> = None;
        let mut meta: Option<&'de RawValue> = None;
        let not_envelope = || A::Error::custom("not an envelope");
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Data => &mut data,
                Key::Meta => &mut meta,
                Key::Other => return Err(not_envelope()),
            };
            if slot.replace(map.next_value::<&'de RawValue>()?).is_some() {
                return Err(not_envelope());
            }
        }
        Ok(match (data, meta) {
            (Some(d), Some(m)) if m.get().starts_with('{') => Some((d, m)),
            _ => None,
        })
    }
}

/// The request id of an answer: `meta.request_id`, else the `X-Request-ID` header.
pub(crate) fn request_id(meta: Option<&Meta>, headers: &HeaderMap) -> Option<String> {
    meta.and_then(Meta::request_id)
        .map(str::to_owned)
        .or_else(|| header_request_id(headers))
}

/// Decodes `text` (the `data` of an envelope, or the whole body) into `T`; a failure is an
/// [`Error::Decode`] whose path starts at the body's root (`data.…` inside an envelope),
/// whose excerpt is the body's, and which carries the request id.
pub(crate) fn decode_part<T: DeserializeOwned>(
    call: &CallInfo,
    status: StatusCode,
    body: &[u8],
    text: &[u8],
    prefix: Option<&str>,
    request_id: Option<&str>,
) -> Result<T, Error> {
    decode_json::<T>(&call.method, &call.url, status, text).map_err(|e| match e {
        Error::Decode(mut d) => {
            if let Some(prefix) = prefix {
                d.path = if d.path == "." {
                    prefix.to_owned()
                } else if d.path.starts_with('[') {
                    format!("{prefix}{}", d.path)
                } else {
                    format!("{prefix}.{}", d.path)
                };
            }
            d.excerpt = excerpt(body);
            d.request_id = request_id.map(str::to_owned);
            Error::Decode(d)
        }
        other => other,
    })
}

/// A decode failure at `path` of the body, with the request id.
pub(crate) fn decode_error(
    call: &CallInfo,
    status: StatusCode,
    body: &[u8],
    path: &str,
    message: String,
    request_id: Option<&str>,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        method: call.method.clone(),
        url: call.url.clone(),
        status: status.as_u16(),
        path: path.to_owned(),
        message,
        excerpt: excerpt(body),
        request_id: request_id.map(str::to_owned),
    }))
}

/// Decodes the body of a v2 answer into `T` under the envelope rule: the value with its
/// meta and request id.
///
/// The rule: a JSON object whose keys are exactly `data` and `meta` (each once, `meta` an
/// object, no other key) is an envelope, and `data` is the value; anything else is the value
/// itself (a "bare" answer). Exactly one level is unwrapped. So a task that has its own
/// `data` and `meta` fields next to `id`, `project`, … is never mistaken for an envelope,
/// and both shapes decode for every operation.
///
/// ```
/// use synapse_transport::v2::decode_envelope;
/// use synapse_transport::{CallInfo, HeaderMap, Method, StatusCode};
///
/// #[derive(serde::Deserialize)]
/// struct Task { id: u64, data: serde_json::Value }
///
/// let call = CallInfo { method: Method::GET, url: "https://synapse.test/v2/tasks/7/".into() };
/// let wrapped = br#"{"data": {"id": 7, "data": {"boxes": []}}, "meta": {"request_id": "req_1"}}"#;
/// let task = decode_envelope::<Task>(&call, StatusCode::OK, &HeaderMap::new(), wrapped)?;
/// assert_eq!((task.id, task.request_id()), (7, Some("req_1")));
///
/// // A bare task with its own `data` and `meta` fields is the task itself.
/// let bare = br#"{"id": 7, "data": {"boxes": []}, "meta": {"source": "import"}}"#;
/// let task = decode_envelope::<Task>(&call, StatusCode::OK, &HeaderMap::new(), bare)?;
/// assert_eq!((task.id, task.meta()), (7, None));
/// # Ok::<(), synapse_transport::Error>(())
/// ```
///
/// This is the function behind [`json`], pure (for tests and fakes).
///
/// An undecodable body is an [`Error::Decode`] with the answer's status, the JSON path
/// (from the body's root: `data.items[3].status` inside an envelope), an excerpt and the
/// request id; it never panics, whatever the bytes.
pub fn decode_envelope<T: DeserializeOwned>(
    call: &CallInfo,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<V2Response<T>, Error> {
    if let Some((value, meta)) = fast_envelope::<T>(body) {
        let request_id = request_id(Some(&meta), headers);
        record_request_id(request_id.as_deref());
        return Ok(V2Response {
            value,
            meta: Some(meta),
            request_id,
            status,
        });
    }
    let (value, meta) = match shape(body) {
        Shape::Envelope { data, meta } => {
            let id = request_id(Some(&meta), headers);
            let value = decode_part(
                call,
                status,
                body,
                data.get().as_bytes(),
                Some("data"),
                id.as_deref(),
            )?;
            (value, Some(meta))
        }
        Shape::Bare => {
            let id = header_request_id(headers);
            let value = decode_part(call, status, body, body, None, id.as_deref())?;
            (value, None)
        }
    };
    let request_id = request_id(meta.as_ref(), headers);
    record_request_id(request_id.as_deref());
    Ok(V2Response {
        value,
        meta,
        request_id,
        status,
    })
}

/// Reads an answer that has no body to decode (204, or a 200/201 declared without one):
/// whatever the body holds is read and dropped, except the request id of an envelope
/// (`{"data": null, "meta": {...}}`) or of the `X-Request-ID` header. Never fails, whatever
/// the bytes.
pub fn decode_unit(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> NoContent {
    let meta = match shape(body) {
        Shape::Envelope { meta, .. } => Some(meta),
        Shape::Bare => None,
    };
    let request_id = request_id(meta.as_ref(), headers);
    record_request_id(request_id.as_deref());
    V2Response {
        value: (),
        meta,
        request_id,
        status,
    }
}

/// Records the request id in the current `tracing` span (the call's span: its
/// `request_id` field); a span without that field ignores it.
pub(crate) fn record_request_id(request_id: Option<&str>) {
    if let Some(id) = request_id {
        tracing::Span::current().record("request_id", id);
    }
}

/// The decoder of an operation whose answer is a JSON value `T` (an object, a bulk
/// answer's array): [`decode_envelope`] over the answer's bytes. Use it as an
/// [`Operation::decode`](crate::Operation::decode):
///
/// ```
/// use synapse_transport::v2::{self, V2Response};
/// use synapse_transport::{Call, CallInfo, Error, Operation, RequestBuilder, Response};
///
/// /// `GET /v2/projects/{id}/`.
/// pub struct GetProject {
///     call: Call,
///     id: u64,
/// }
///
/// impl Operation for GetProject {
///     type Output = V2Response<serde_json::Value>;
///     fn prepare(&self) -> RequestBuilder {
///         let path = synapse_transport::urls::path(["v2", "projects", &self.id.to_string()], true);
///         self.call.client().get(path)
///     }
///     async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
///         v2::json(response, call).await
///     }
/// }
/// synapse_transport::fluent!(GetProject);
/// ```
pub async fn json<T: DeserializeOwned>(
    response: Response,
    call: CallInfo,
) -> Result<V2Response<T>, Error> {
    let status = response.status;
    let headers = response.headers.clone();
    let body = response.into_bytes().await?;
    synapse_models::shared::with_source(&body, || decode_envelope(&call, status, &headers, &body))
}

/// The decoder of an operation that answers without a body (204, or a 200/201 declared
/// without one): [`decode_unit`] over the answer. Fails only when the body cannot be read.
pub async fn unit(response: Response, _call: CallInfo) -> Result<NoContent, Error> {
    let status = response.status;
    let headers = response.headers.clone();
    let body = response.into_bytes().await?;
    Ok(decode_unit(status, &headers, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_envelope(body: &str) -> bool {
        matches!(shape(body.as_bytes()), Shape::Envelope { .. })
    }

    #[test]
    fn only_exactly_data_and_meta_with_an_object_meta_is_an_envelope() {
        assert!(is_envelope(r#"{"data": 1, "meta": {}}"#));
        assert!(is_envelope(
            r#" {"meta": {"request_id": "r"}, "data": null} "#
        ));
        assert!(is_envelope(r#"{"d\u0061ta": [], "meta": {}}"#));
        assert!(!is_envelope(r#"{"data": 1}"#));
        assert!(!is_envelope(r#"{"meta": {}}"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": {}, "id": 3}"#));
        assert!(!is_envelope(r#"{"id": 3, "data": 1, "meta": {}}"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": null}"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": []}"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": "m"}"#));
        assert!(!is_envelope(r#"{"data": 1, "data": 2, "meta": {}}"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": {}, "meta": {}}"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": {}} x"#));
        assert!(!is_envelope(r#"[{"data": 1, "meta": {}}]"#));
        assert!(!is_envelope(r#"{"data": 1, "meta": {}"#));
        assert!(!is_envelope(""));
    }
}
