//! Decoding from a shared buffer: text fields that hold their wire text ([`RawJson`], and a
//! [`Timestamp`] too long to be held inline) point into the response body they were read
//! from instead of copying it.
//!
//! A decode started with [`from_bytes`] (or inside [`with_source`]) makes the body the
//! current thread's *source*. A string the JSON parser lends straight from its input that lies
//! inside the source becomes a slice of it (a reference count, no allocation). Anything else
//! (text with escapes, a value read from a `serde_json::Value`, a decode with no source) is
//! copied, so the result is the same either way; only the cost differs.
//!
//! A shared value keeps the whole body alive until the last value pointing into it is
//! dropped (for a page of jobs: the page's bytes).
//!
//! [`RawJson`]: crate::RawJson
//! [`Timestamp`]: crate::Timestamp

use std::cell::RefCell;
use std::fmt;

use bytes::Bytes;
use bytestring::ByteString;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

thread_local! {
    static SOURCE: RefCell<Option<ByteString>> = const { RefCell::new(None) };
}

/// Decodes `T` from a JSON document held in `body`, letting text fields share `body` instead of
/// copying out of it.
///
/// The result equals `serde_json::from_slice(body)`'s, and so do its errors.
///
/// ```
/// use bytes::Bytes;
/// use synapse_models::Job;
/// let body = Bytes::from_static(br#"{"id": "j1", "params": {"epochs": 3}}"#);
/// let job: Job = synapse_models::shared::from_bytes(&body)?;
/// let params = job.params.as_ref().map(synapse_models::RawJson::as_str);
/// assert_eq!(params, Some(r#"{"epochs": 3}"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn from_bytes<T: DeserializeOwned>(body: &Bytes) -> serde_json::Result<T> {
    with_source(body, || from_slice(body))
}

/// Decodes `T` from `json` as `serde_json::from_slice` does, with the same result and errors;
/// when `json` lies inside the current source (see [`source_text`]) it is parsed as text,
/// which spares the parser a UTF-8 check of each string.
pub fn from_slice<T: DeserializeOwned>(json: &[u8]) -> serde_json::Result<T> {
    match source_text(json) {
        Some(text) => serde_json::from_str(&text),
        None => serde_json::from_slice(json),
    }
}

/// Runs `decode` with `body` as the buffer that text fields decoded from it may share (for a
/// decoder other than [`from_bytes`]'s, e.g. one that tracks the failing field's path). The
/// previous source, if any, is restored afterwards, also when `decode` panics.
///
/// The body is checked for UTF-8 here, once: [`source_text`] then gives any part of it as
/// text without checking it again. A body that is not UTF-8 cannot decode anyway; it is not
/// shared.
pub fn with_source<R>(body: &Bytes, decode: impl FnOnce() -> R) -> R {
    let source = ByteString::try_from(body.clone()).ok();
    let previous = SOURCE.with(|s| s.replace(source));
    let _restore = Restore(previous);
    decode()
}

/// `bytes` as text when they lie inside the current source, on character boundaries (a part
/// of a JSON document cut at its tokens always is): a slice of the source, checked for UTF-8
/// when the source was set, not again. `None` otherwise.
pub fn source_text(bytes: &[u8]) -> Option<ByteString> {
    SOURCE.with(|source| {
        let source = source.borrow();
        let body = source.as_ref()?;
        let offset = (bytes.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
        let end = offset.checked_add(bytes.len())?;
        let text: &str = body;
        Some(body.slice_ref(text.get(offset..end)?))
    })
}

/// Puts the previous source back when dropped.
struct Restore(Option<ByteString>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        SOURCE.with(|s| s.replace(previous));
    }
}

/// `text` as a [`ByteString`]: a slice of the current source when `text` lies inside it, else
/// a copy.
pub(crate) fn share(text: &str) -> ByteString {
    source_text(text.as_bytes()).unwrap_or_else(|| ByteString::from(text))
}

/// Deserialises a string into a [`ByteString`], sharing the source when the deserializer lends
/// the text from its input.
pub(crate) struct SharedStr;

impl SharedStr {
    /// Reads a string from `deserializer`.
    pub(crate) fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ByteString, D::Error> {
        deserializer.deserialize_str(SharedStr)
    }
}

impl<'de> de::DeserializeSeed<'de> for SharedStr {
    type Value = ByteString;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ByteString, D::Error> {
        Self::read(deserializer)
    }
}

impl<'de> Visitor<'de> for SharedStr {
    type Value = ByteString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<ByteString, E> {
        Ok(share(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteString, E> {
        Ok(ByteString::from(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<ByteString, E> {
        Ok(ByteString::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Job, RawJson, Timestamp};

    /// `created` fits a timestamp's inline text; `modified` (38 bytes) does not.
    const PAGE: &[u8] = br#"{"id": "j1", "created": "2026-01-02T03:04:05Z", "modified": "2026-01-02T03:04:05.123456789012+09:00", "params": {"a": [1, "x"]}, "result": "esc\"aped"}"#;
    const LONG: &str = "2026-01-02T03:04:05.123456789012+09:00";

    fn points_into(body: &Bytes, text: &str) -> bool {
        let start = body.as_ptr() as usize;
        let at = text.as_ptr() as usize;
        at >= start && at + text.len() <= start + body.len()
    }

    #[test]
    fn text_fields_point_into_the_body() {
        let body = Bytes::from_static(PAGE);
        let job: Job = from_bytes(&body).expect("decodes");
        let params = job.params.as_ref().expect("params");
        let created = job.created.as_ref().expect("created");
        let modified = job.modified.as_ref().expect("modified");
        assert_eq!(params.as_str(), r#"{"a": [1, "x"]}"#);
        assert_eq!(created.as_str(), "2026-01-02T03:04:05Z");
        assert_eq!(modified.as_str(), LONG);
        assert!(points_into(&body, params.as_str()));
        assert!(points_into(&body, modified.as_str()));
        // A short timestamp is held inline: a copy of 32 bytes at most, no reference count.
        assert!(!points_into(&body, created.as_str()));
        // Equal to the plain decode, field for field and on re-serialisation.
        let plain: Job = serde_json::from_slice(PAGE).expect("decodes");
        assert_eq!(job, plain);
        assert!(!points_into(
            &body,
            plain.params.as_ref().expect("params").as_str()
        ));
        assert_eq!(
            serde_json::to_string(&job).expect("encodes"),
            serde_json::to_string(&plain).expect("encodes")
        );
    }

    #[test]
    fn without_a_source_or_outside_it_text_is_copied() {
        let body = Bytes::from_static(PAGE);
        let other = Bytes::from(format!("{LONG:?}"));
        // Decoding `other` while `body` is the source: the text lies outside, so it is copied.
        let t: Timestamp = with_source(&body, || serde_json::from_slice(&other)).expect("decodes");
        assert_eq!(t.as_str(), LONG);
        assert!(!points_into(&body, t.as_str()) && !points_into(&other, t.as_str()));
        // Through a `Value` (no borrowing): same result.
        let raw: RawJson =
            serde_json::from_value(serde_json::json!({"k": [1, null]})).expect("decodes");
        assert_eq!(raw.as_str(), r#"{"k":[1,null]}"#);
    }

    #[test]
    fn parts_of_the_source_are_given_as_text() {
        let body = Bytes::from_static("{\"k\": \"é\"}".as_bytes());
        assert_eq!(source_text(&body), None, "no source set");
        with_source(&body, || {
            let whole = source_text(&body).expect("the whole body");
            assert_eq!(whole.as_bytes(), &body[..]);
            assert!(points_into(&body, &whole));
            let value = &body[6..10]; // "é" with its quotes
            assert_eq!(source_text(value).as_deref(), Some("\"é\""));
            // Cut inside the two bytes of `é`: not text.
            assert_eq!(source_text(&body[6..8]), None);
            // Bytes elsewhere: not the source.
            let elsewhere = Bytes::copy_from_slice(&body);
            assert_eq!(source_text(&elsewhere), None);
            // Decoding a part gives what the plain decode gives.
            let decoded: String = from_slice(value).expect("decodes");
            assert_eq!(decoded, "é");
        });
        let not_utf8 = Bytes::from_static(b"\"\xff\"");
        with_source(&not_utf8, || assert_eq!(source_text(&not_utf8), None));
    }

    #[test]
    fn the_source_is_restored_after_nesting_and_panics() {
        let outer = Bytes::from(format!("{LONG:?}"));
        let inner = Bytes::from(format!("{LONG:?}"));
        with_source(&outer, || {
            let _ = std::panic::catch_unwind(|| with_source(&inner, || panic!("decoder bug")));
            let t: Timestamp = serde_json::from_slice(&outer).expect("decodes");
            assert!(points_into(&outer, t.as_str()));
        });
        SOURCE.with(|s| assert!(s.borrow().is_none()));
    }
}
