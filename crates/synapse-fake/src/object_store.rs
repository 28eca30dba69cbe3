//! The object store behind presigned URLs: an S3-like bucket served under `/_storage/`, with
//! no Synapse credentials — each request carries its authorisation in a presigned query
//! (`X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Signature`, signed over the method and the path).
//!
//! - `PUT /_storage/<bucket>/<key>?X-Amz-…` stores an object (a single presigned PUT);
//!   with `partNumber` and `uploadId` it stores one part of a multipart upload, answered
//!   with the part's `ETag`;
//! - `GET /_storage/<bucket>/<key>?X-Amz-…` reads an object back (model files, data files,
//!   ground-truth files).
//!
//! Errors are S3's: an XML `<Error><Code>…</Code><Message>…</Message></Error>` body
//! (`AccessDenied`, `SignatureDoesNotMatch`, `NoSuchKey`, `NoSuchUpload`,
//! `InvalidArgument`). A request that carries a Synapse credential header is refused: the
//! SDK must never send its token to a storage host.
//!
//! Objects are hashed as they stream in (MD5, SHA-1, size); their bytes are kept only up to
//! [`KEPT_BYTES`] per object, so a benchmark's large upload does not fill the memory (a
//! larger object's content cannot be read back: `GET` answers `NoSuchKey`).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use http::{Method, Response, StatusCode};
use http_body_util::BodyExt;
use md5::{Digest, Md5};
use sha1::Sha1;

use crate::respond::{Ctx, Resp, full};
use crate::server::Shared;
use crate::time::rfc3339;

/// The bucket of the default storage (`storages/` lists it as `synapse-main`).
pub(crate) const BUCKET: &str = "synapse-main";

/// The most bytes of one object (or chunked upload) whose content is kept.
pub(crate) const KEPT_BYTES: u64 = 32 * 1024 * 1024;

/// The secret presigned URLs are signed with.
const SECRET: &str = "fake-presign-secret";

/// Headers that carry Synapse credentials; a storage host must never receive them.
const SYNAPSE_HEADERS: [&str; 4] = [
    "synapse-access-token",
    "synapse-tenant",
    "synapse-agent",
    "authorization",
];

/// A stored object (or a part of a multipart upload).
#[derive(Clone)]
pub(crate) struct Object {
    /// Size in bytes.
    pub size: u64,
    /// MD5 of the content, lower-case hex (the `ETag`, quoted).
    pub md5: String,
    /// SHA-1 of the content, lower-case hex.
    pub sha1: String,
    /// The content, when at most [`KEPT_BYTES`].
    pub content: Option<Bytes>,
    /// The `Content-Type` it was stored with.
    pub content_type: Option<String>,
}

impl Object {
    /// An object holding `content`.
    pub fn new(content: impl Into<Bytes>, content_type: Option<&str>) -> Self {
        let content = content.into();
        Object {
            size: content.len() as u64,
            md5: hex(&Md5::digest(&content)),
            sha1: hex(&Sha1::digest(&content)),
            content: Some(content),
            content_type: content_type.map(str::to_owned),
        }
    }
}

/// The bucket's objects and the multipart uploads in progress.
#[derive(Default)]
pub(crate) struct ObjectStore {
    /// Objects by key.
    objects: BTreeMap<String, Object>,
    /// Multipart uploads in progress: upload id → (key, parts by number).
    multipart: BTreeMap<String, (String, BTreeMap<u32, Object>)>,
    next_upload: u64,
}

impl ObjectStore {
    /// Stores `object` under `key`.
    pub fn put(&mut self, key: &str, object: Object) {
        self.objects.insert(key.to_owned(), object);
    }

    /// The object under `key`.
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.objects.get(key)
    }

    /// Starts a multipart upload to `key`; returns its id.
    pub fn create_multipart(&mut self, key: &str) -> String {
        self.next_upload += 1;
        let id = format!("fake-upload-{:08}", self.next_upload);
        self.multipart
            .insert(id.clone(), (key.to_owned(), BTreeMap::new()));
        id
    }

    /// Completes a multipart upload from the listed `(part number, ETag)`s, as S3's
    /// `CompleteMultipartUpload`: every part must have been uploaded with that `ETag`, in
    /// ascending order. The object is stored under the upload's key and returned.
    pub fn complete_multipart(
        &mut self,
        upload_id: &str,
        key: &str,
        parts: &[(u32, String)],
    ) -> Result<Object, String> {
        let Some((upload_key, uploaded)) = self.multipart.get(upload_id) else {
            return Err(format!("NoSuchUpload: no multipart upload {upload_id}"));
        };
        if upload_key != key {
            return Err(format!(
                "NoSuchUpload: multipart upload {upload_id} is not for {key}"
            ));
        }
        if parts.is_empty() {
            return Err("MalformedXML: no parts were listed".to_owned());
        }
        if parts.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err("InvalidPartOrder: parts must be in ascending order".to_owned());
        }
        let mut size = 0;
        let mut content = Some(BytesMut::new());
        let mut md5s = Vec::new();
        let mut sha1 = Sha1::new();
        for (number, etag) in parts {
            let Some(part) = uploaded.get(number) else {
                return Err(format!("InvalidPart: part {number} was not uploaded"));
            };
            if etag.trim_matches('"') != part.md5 {
                return Err(format!("InvalidPart: part {number} has another ETag"));
            }
            size += part.size;
            md5s.push(part.md5.clone());
            match (&mut content, &part.content) {
                (Some(all), Some(bytes)) if size <= KEPT_BYTES => {
                    all.extend_from_slice(bytes);
                    sha1.update(bytes);
                }
                _ => content = None,
            }
        }
        // S3's multipart ETag: MD5 of the parts' MD5s, then the part count.
        let joined: Vec<u8> = md5s.iter().flat_map(|m| unhex(m)).collect();
        let object = Object {
            size,
            md5: format!("{}-{}", hex(&Md5::digest(&joined)), parts.len()),
            // Without the whole content the SHA-1 is unknown; the caller's is taken.
            sha1: if content.is_some() {
                hex(&sha1.finalize())
            } else {
                String::new()
            },
            content: content.map(BytesMut::freeze),
            content_type: None,
        };
        self.multipart.remove(upload_id);
        self.objects.insert(key.to_owned(), object.clone());
        Ok(object)
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// `YYYYMMDDTHHMMSSZ` (`X-Amz-Date`).
fn amz_date(t: SystemTime) -> String {
    let s = rfc3339(t);
    format!(
        "{}{}{}T{}{}{}Z",
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..19]
    )
}

/// Seconds since the epoch of an `X-Amz-Date`.
fn parse_amz_date(s: &str) -> Option<u64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    if s.len() != 16 || s.get(8..9) != Some("T") || !s.ends_with('Z') {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    // Howard Hinnant's days-from-civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

fn signature(method: &str, key: &str, date: &str, expires: &str, extra: &[(&str, &str)]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("{SECRET}\n{method}\n{BUCKET}/{key}\n{date}\n{expires}").as_bytes());
    for (k, v) in extra {
        hasher.update(format!("\n{k}={v}").as_bytes());
    }
    hex(&hasher.finalize())
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A presigned URL of `key` on this server for `method`, valid for `expires`; `extra`
/// query pairs (a part's `partNumber`, `uploadId`) are signed too.
pub(crate) fn presigned_url(
    ctx: &Ctx,
    method: &Method,
    key: &str,
    expires: Duration,
    extra: &[(&str, &str)],
) -> String {
    let date = amz_date(SystemTime::now());
    let expires = expires.as_secs().to_string();
    let sig = signature(method.as_str(), key, &date, &expires, extra);
    let path: Vec<String> = key.split('/').map(encode).collect();
    let mut query = vec![
        ("X-Amz-Algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        (
            "X-Amz-Credential".to_owned(),
            format!("AKIAFAKE/{}/ap-northeast-2/s3/aws4_request", &date[..8]),
        ),
        ("X-Amz-Date".to_owned(), date),
        ("X-Amz-Expires".to_owned(), expires),
        ("X-Amz-SignedHeaders".to_owned(), "host".to_owned()),
    ];
    for (k, v) in extra {
        query.push(((*k).to_owned(), (*v).to_owned()));
    }
    query.push(("X-Amz-Signature".to_owned(), sig));
    let query: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    ctx.absolute(&format!(
        "/_storage/{BUCKET}/{}?{}",
        path.join("/"),
        query.join("&")
    ))
}

/// An S3 error: `<Error><Code>…</Code><Message>…</Message>…</Error>`.
pub(crate) fn s3_error(status: u16, code: &str, message: &str, key: Option<&str>) -> Resp {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let key = key
        .map(|k| format!("<Key>{}</Key>", escape(k)))
        .unwrap_or_default();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message>{key}<RequestId>FAKE0000000000000000</RequestId></Error>",
        escape(message)
    );
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = resp.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    headers.insert(
        http::header::SERVER,
        http::HeaderValue::from_static("AmazonS3"),
    );
    resp
}

/// Checks a presigned request: no Synapse credentials, a signature over the method, the
/// key (and a part's query) that matches, not expired.
fn authorize(ctx: &Ctx, key: &str) -> Option<Resp> {
    if ctx.header("authorization").is_some() {
        return Some(s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, \
             Signature query string parameter or the Authorization header should be specified",
            None,
        ));
    }
    if let Some(h) = SYNAPSE_HEADERS.iter().find(|h| ctx.header(h).is_some()) {
        return Some(s3_error(
            403,
            "AccessDenied",
            &format!("Synapse credentials ({h}) must never be sent to a storage host."),
            None,
        ));
    }
    let (Some(date), Some(expires), Some(sig)) = (
        ctx.q("X-Amz-Date"),
        ctx.q("X-Amz-Expires"),
        ctx.q("X-Amz-Signature"),
    ) else {
        return Some(s3_error(403, "AccessDenied", "Access Denied", None));
    };
    let extra: Vec<(&str, &str)> = ["partNumber", "uploadId"]
        .iter()
        .filter_map(|k| ctx.q(k).map(|v| (*k, v)))
        .collect();
    if signature(ctx.method.as_str(), key, date, expires, &extra) != sig {
        return Some(s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
            None,
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    match (parse_amz_date(date), expires.parse::<u64>()) {
        (Some(start), Ok(secs)) if now <= start + secs => None,
        _ => Some(s3_error(403, "AccessDenied", "Request has expired", None)),
    }
}

/// Serves `/_storage/<bucket>/<key>`: a presigned `PUT` (an object, or a part with
/// `partNumber` and `uploadId`), or a presigned `GET`. The body streams in, hashed.
pub(crate) async fn serve(shared: &Shared, ctx: &Ctx, mut body: hyper::body::Incoming) -> Resp {
    let (bucket, key) = match ctx.segments.get(1..) {
        Some([bucket, rest @ ..]) if !rest.is_empty() => (bucket.as_str(), rest.join("/")),
        _ => {
            return s3_error(
                400,
                "InvalidRequest",
                "A bucket and a key are required.",
                None,
            );
        }
    };
    if bucket != BUCKET {
        return s3_error(
            404,
            "NoSuchBucket",
            "The specified bucket does not exist",
            None,
        );
    }
    if let Some(denied) = authorize(ctx, &key) {
        return denied;
    }
    match ctx.method {
        Method::GET => get(shared, &key),
        Method::PUT => {
            let keep = ctx
                .header("content-length")
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|n| n <= KEPT_BYTES);
            let mut md5 = Md5::new();
            let mut sha1 = Sha1::new();
            let mut size = 0u64;
            let mut kept = BytesMut::new();
            while let Some(frame) = body.frame().await {
                let Ok(frame) = frame else {
                    return s3_error(
                        400,
                        "IncompleteBody",
                        "You did not provide the number of bytes specified by the \
                         Content-Length HTTP header.",
                        Some(&key),
                    );
                };
                if let Some(data) = frame.data_ref() {
                    md5.update(data);
                    sha1.update(data);
                    size += data.len() as u64;
                    if keep {
                        kept.extend_from_slice(data);
                    }
                }
            }
            let object = Object {
                size,
                md5: hex(&md5.finalize()),
                sha1: hex(&sha1.finalize()),
                content: keep.then(|| kept.freeze()),
                content_type: ctx.header("content-type").map(str::to_owned),
            };
            put(shared, ctx, &key, object)
        }
        _ => s3_error(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            Some(&key),
        ),
    }
}

fn etag_response(etag: &str) -> Resp {
    let mut resp = Response::new(full(Bytes::new()));
    if let Ok(v) = http::HeaderValue::from_str(&format!("\"{etag}\"")) {
        resp.headers_mut().insert(http::header::ETAG, v);
    }
    resp.headers_mut().insert(
        http::header::SERVER,
        http::HeaderValue::from_static("AmazonS3"),
    );
    resp
}

fn put(shared: &Shared, ctx: &Ctx, key: &str, object: Object) -> Resp {
    let mut state = shared.state();
    let store = &mut state.objects;
    let etag = object.md5.clone();
    match (ctx.q("uploadId"), ctx.q("partNumber")) {
        (None, None) => store.put(key, object),
        (Some(upload), Some(number)) => {
            let Ok(number @ 1..=10_000) = number.parse::<u32>() else {
                return s3_error(
                    400,
                    "InvalidArgument",
                    "Part number must be an integer between 1 and 10000, inclusive",
                    Some(key),
                );
            };
            match store.multipart.get_mut(upload) {
                Some((upload_key, parts)) if upload_key == key => {
                    parts.insert(number, object);
                }
                _ => {
                    return s3_error(
                        404,
                        "NoSuchUpload",
                        "The specified upload does not exist. The upload ID may be invalid, \
                         or the upload may have been aborted or completed.",
                        Some(key),
                    );
                }
            }
        }
        _ => {
            return s3_error(
                400,
                "InvalidRequest",
                "A part upload needs both partNumber and uploadId.",
                Some(key),
            );
        }
    }
    etag_response(&etag)
}

fn get(shared: &Shared, key: &str) -> Resp {
    let state = shared.state();
    let Some((object, content)) = state
        .objects
        .get(key)
        .and_then(|o| o.content.clone().map(|c| (o, c)))
    else {
        return s3_error(
            404,
            "NoSuchKey",
            "The specified key does not exist.",
            Some(key),
        );
    };
    let mut resp = etag_response(&object.md5);
    let content_type = object
        .content_type
        .clone()
        .unwrap_or_else(|| "binary/octet-stream".to_owned());
    if let Ok(v) = http::HeaderValue::from_str(&content_type) {
        resp.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    *resp.body_mut() = full(content);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3_723);
        let s = amz_date(t);
        assert_eq!(s, "20260101T010203Z");
        assert_eq!(parse_amz_date(&s), Some(1_767_225_600 + 3_723));
        assert_eq!(parse_amz_date("2026-01-01"), None);
    }

    #[test]
    fn a_multipart_upload_completes_from_its_listed_parts_only() {
        let mut store = ObjectStore::default();
        let id = store.create_multipart("k");
        let (a, b) = (
            Object::new(&b"abc"[..], None),
            Object::new(&b"de"[..], None),
        );
        let (ea, eb) = (format!("\"{}\"", a.md5), b.md5.clone());
        if let Some((_, parts)) = store.multipart.get_mut(&id) {
            parts.insert(1, a);
            parts.insert(2, b);
        }
        assert!(store.complete_multipart(&id, "other", &[]).is_err());
        assert!(
            store
                .complete_multipart(&id, "k", &[(2, eb.clone()), (1, ea.clone())])
                .is_err()
        );
        assert!(
            store
                .complete_multipart(&id, "k", &[(1, eb.clone())])
                .is_err()
        );
        let object = store
            .complete_multipart(&id, "k", &[(1, ea), (2, eb)])
            .expect("complete");
        assert_eq!(object.size, 5);
        assert_eq!(object.sha1, hex(&Sha1::digest(b"abcde")));
        assert!(object.md5.ends_with("-2"));
        assert_eq!(
            store.get("k").and_then(|o| o.content.clone()),
            Some(Bytes::from_static(b"abcde"))
        );
    }
}
