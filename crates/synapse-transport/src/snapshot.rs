//! The one JSON view of a request used by snapshot tests, for request values
//! ([`Request::snapshot`]) and for requests a mock recorded alike.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method};
use serde_json::{Map, Value, json};
use url::Url;

use crate::request::Body;
use crate::{PartData, Request};

/// A body as the snapshot shows it.
pub(crate) enum BodyView {
    Empty,
    Json(Value),
    Bytes(Bytes),
    Multipart {
        boundary: String,
        length: u64,
        /// Name, file name, content (`None` when it cannot be read without consuming it).
        parts: Vec<(String, Option<String>, Option<Bytes>)>,
    },
}

/// Method, URL, headers (sensitive values `***`, the multipart boundary masked, sorted by
/// name; `Accept` and `User-Agent`, the same on every request, left out) and body; keys in alphabetical order so the view does not depend on how maps are
/// ordered, while a JSON body keeps its wire order.
pub(crate) fn view(method: &Method, url: &Url, headers: &HeaderMap, body: BodyView) -> Value {
    let boundary = match &body {
        BodyView::Multipart { boundary, .. } => Some(boundary.clone()),
        _ => None,
    };
    let mut shown = Map::new();
    // `Accept` and `User-Agent` are the same on every request: left out of the view.
    let mut names: Vec<&HeaderName> = headers
        .keys()
        .filter(|n| *n != http::header::ACCEPT && *n != http::header::USER_AGENT)
        .collect();
    names.sort_by_key(|n| n.as_str());
    for name in names {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| {
                if v.is_sensitive() {
                    return "***".to_owned();
                }
                let text = String::from_utf8_lossy(v.as_bytes()).into_owned();
                match &boundary {
                    Some(b) => text.replace(b.as_str(), "<boundary>"),
                    None => text,
                }
            })
            .collect();
        let value = if values.len() == 1 {
            Value::String(values[0].clone())
        } else {
            json!(values)
        };
        shown.insert(name.as_str().to_owned(), value);
    }
    let body = match body {
        BodyView::Empty => Value::Null,
        BodyView::Json(v) => json!({ "json": v }),
        BodyView::Bytes(b) => json!({ "bytes": String::from_utf8_lossy(&b) }),
        BodyView::Multipart { length, parts, .. } => json!({
            "content_length": length,
            "multipart": parts.iter().map(|(name, filename, data)| json!({
                "data": match data {
                    Some(d) if d.len() <= 256 => Value::String(String::from_utf8_lossy(d).into_owned()),
                    Some(d) => Value::String(format!("<{} bytes>", d.len())),
                    None => Value::String("<reader>".to_owned()),
                },
                "filename": filename,
                "name": name,
            })).collect::<Vec<_>>(),
        }),
    };
    json!({
        "body": body,
        "headers": shown,
        "method": method.as_str(),
        "url": url.as_str(),
    })
}

/// Reads a file range for a snapshot (tests only); unreadable ranges show as empty.
fn read_range(range: &crate::FileRange) -> Bytes {
    use std::io::{Read, Seek, SeekFrom};
    let mut out = Vec::new();
    if let Ok(mut file) = std::fs::File::open(&range.path)
        && file.seek(SeekFrom::Start(range.offset)).is_ok()
    {
        let _ = file.take(range.len).read_to_end(&mut out);
    }
    Bytes::from(out)
}

impl Request {
    /// A stable JSON view of the request for snapshot tests: method, full URL, headers
    /// (credentials shown as `***`, the multipart boundary masked) and body (JSON parsed;
    /// multipart as its parts, file contents read from disk, a reader shown as
    /// `<reader>`). The same view as a mock's recorded request gives.
    pub fn snapshot(&self) -> Value {
        let body = match &self.body {
            Body::Empty => BodyView::Empty,
            Body::Json(b) => match serde_json::from_slice(b) {
                Ok(v) => BodyView::Json(v),
                Err(_) => BodyView::Bytes(b.clone()),
            },
            Body::Bytes { data, .. } => BodyView::Bytes(data.clone()),
            Body::File { range, .. } => BodyView::Bytes(read_range(range)),
            Body::Multipart(m) => BodyView::Multipart {
                boundary: m.boundary().to_owned(),
                length: m.content_length(),
                parts: m
                    .parts()
                    .iter()
                    .map(|p| {
                        let data = match &p.data {
                            PartData::Bytes(b) => Some(b.clone()),
                            PartData::File(f) => Some(read_range(f)),
                            PartData::Reader(_) => None,
                        };
                        (p.name.clone(), p.filename.clone(), data)
                    })
                    .collect(),
            },
        };
        view(&self.method, &self.full_url(), &self.headers, body)
    }
}
