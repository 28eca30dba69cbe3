//! Request context, responses and DRF-style pagination.

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

/// Response body type of the fake.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;
/// A response.
pub(crate) type Resp = Response<Body>;

/// What a handler sees of a request.
pub(crate) struct Ctx {
    pub method: Method,
    /// Path segments without empty ones (`/jobs/7/` → `["jobs", "7"]`).
    pub segments: Vec<String>,
    /// The raw path.
    pub path: String,
    /// Whether the path ends with `/`.
    pub slash: bool,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `http://host:port` as the client addressed it.
    pub origin: String,
}

impl Ctx {
    /// The first value of a query parameter.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, or a 400 in DRF's words.
    pub fn json(&self) -> Result<Value, Resp> {
        serde_json::from_slice(&self.body)
            .map_err(|e| detail(400, &format!("JSON parse error - {e}")))
    }

    /// An absolute URL on this server.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }
}

/// A body from bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A JSON response.
pub(crate) fn json_resp(status: u16, value: &Value) -> Resp {
    let mut resp = Response::new(full(value.to_string()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// A response whose body is JSON text already.
pub(crate) fn json_text(status: u16, text: String) -> Resp {
    json_bytes(status, Bytes::from(text))
}

/// A response whose body is JSON bytes already.
pub(crate) fn json_bytes(status: u16, body: Bytes) -> Resp {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

/// `{"detail": message}`.
pub(crate) fn detail(status: u16, message: &str) -> Resp {
    json_resp(status, &json!({ "detail": message }))
}

/// DRF field errors: `{"field": ["message"]}`.
pub(crate) fn field_error(field: &str, message: &str) -> Resp {
    json_resp(400, &json!({ field: [message] }))
}

/// 404 `{"detail": "Not found."}`.
pub(crate) fn not_found() -> Resp {
    detail(404, "Not found.")
}

/// 204 with no body.
pub(crate) fn no_content() -> Resp {
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A page link: the request's query with `page` replaced, keys sorted (as DRF's links read).
fn page_link(ctx: &Ctx, page: usize) -> String {
    let mut pairs: Vec<(String, String)> = ctx
        .query
        .iter()
        .filter(|(k, _)| k != "page")
        .cloned()
        .collect();
    pairs.push(("page".to_owned(), page.to_string()));
    pairs.sort();
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{}{}?{}", ctx.origin, ctx.path, query.join("&"))
}

/// The slice of a listing one page request covers.
pub(crate) struct Window {
    pub start: usize,
    pub end: usize,
    pub count: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
}

/// Page-number pagination over `total` items: `page` (default 1) and `page_size` (default
/// `default_size`, at most 1000); a page past the end is 404 `Invalid page.`.
pub(crate) fn window(ctx: &Ctx, total: usize, default_size: usize) -> Result<Window, Resp> {
    let size = match ctx.q("page_size") {
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n.min(1000),
            _ => default_size,
        },
        None => default_size,
    };
    let page = match ctx.q("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => return Err(detail(404, "Invalid page.")),
    };
    let last = total.div_ceil(size).max(1);
    if page > last {
        return Err(detail(404, "Invalid page."));
    }
    let start = (page - 1) * size;
    Ok(Window {
        start,
        end: (start + size).min(total),
        count: total,
        next: (page < last).then(|| page_link(ctx, page + 1)),
        previous: (page > 1).then(|| page_link(ctx, page - 1)),
    })
}

/// A page of `items` (only the page's items are rendered).
pub(crate) fn paginate<T>(
    ctx: &Ctx,
    items: Vec<T>,
    default_size: usize,
    render: impl Fn(T) -> Value,
) -> Resp {
    let w = match window(ctx, items.len(), default_size) {
        Ok(w) => w,
        Err(resp) => return resp,
    };
    let results: Vec<Value> = items
        .into_iter()
        .skip(w.start)
        .take(w.end - w.start)
        .map(render)
        .collect();
    json_resp(
        200,
        &json!({"count": w.count, "next": w.next, "previous": w.previous, "results": results}),
    )
}

/// Decodes `%XX` escapes of a path segment (invalid escapes stay as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
