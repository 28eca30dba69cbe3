//! Cursor pagination of v2 lists: pages, the walk, and the page decoder.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tracing::Instrument;
use url::Url;

use super::envelope::{
    Shape, decode_error, decode_part, fast_envelope, record_request_id, request_id, shape,
};
use crate::error::{PaginationError, header_request_id};
use crate::operation::{CallInfo, Operation, call_span};
use crate::pagination::DEFAULT_MAX_PAGES;
use crate::{Client, Error, Request, Response};

/// Consecutive empty pages, each still announcing a next page, that a walk accepts before
/// it stops with [`PaginationError::EmptyPages`].
pub const DEFAULT_MAX_EMPTY_PAGES: u64 = 10;

/// The query key of the cursor.
pub const CURSOR_KEY: &str = "cursor";

/// The query key of the page size.
pub const PER_PAGE_KEY: &str = "per_page";

/// One page of a cursor list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CursorPage<T> {
    /// The items of the page, in order.
    pub results: Vec<T>,
    /// The cursor of the next page (`None` on the last page). In the plain shape, the
    /// `cursor` parameter of the `next` URL.
    pub next_cursor: Option<String>,
    /// The cursor of the previous page; `None` on the first page, and also when the
    /// previous page is the first one and its link carries no cursor.
    pub previous_cursor: Option<String>,
    /// `meta.pagination.per_page` of an enveloped page.
    pub per_page: Option<u64>,
    /// The server's id of the request (`meta.request_id`, else the `X-Request-ID` header).
    pub request_id: Option<String>,
}

impl<T> CursorPage<T> {
    /// A page of `results` followed by the page at `next_cursor` (tests, fakes).
    pub fn new(results: Vec<T>, next_cursor: Option<String>) -> Self {
        CursorPage {
            results,
            next_cursor,
            previous_cursor: None,
            per_page: None,
            request_id: None,
        }
    }

    /// True when another page follows.
    pub fn has_next(&self) -> bool {
        self.next_cursor.is_some()
    }
}

impl<T> IntoIterator for CursorPage<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.results.into_iter()
    }
}

/// The plain (DRF cursor) page.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct PlainPage<T> {
    results: Vec<T>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    previous: Option<String>,
}

/// Decodes one page of a cursor list, in either shape (see [`CursorPages`]). Pure: the
/// function behind [`cursor_page`], for tests and fakes.
///
/// Every failure is an [`Error::Decode`] with the status, the JSON path, an excerpt and the
/// request id: a body that is not JSON, a page without `results` (or an envelope whose
/// `data` is not an array), an item that does not decode, a cursor that is neither a string
/// nor null, a `next` URL without a `cursor` parameter. It never panics, whatever the bytes.
///
/// ```
/// use synapse_transport::v2::decode_cursor_page;
/// use synapse_transport::{CallInfo, HeaderMap, Method, StatusCode};
///
/// let call = CallInfo { method: Method::GET, url: "https://synapse.test/v2/projects/".into() };
/// let plain = br#"{"next": "https://synapse.test/v2/projects/?cursor=cD0y&per_page=2",
///                  "previous": null, "results": [1, 2]}"#;
/// let page = decode_cursor_page::<u32>(&call, StatusCode::OK, &HeaderMap::new(), plain)?;
/// assert_eq!(page.results, [1, 2]);
/// assert_eq!(page.next_cursor.as_deref(), Some("cD0y"));
/// # Ok::<(), synapse_transport::Error>(())
/// ```
pub fn decode_cursor_page<T: DeserializeOwned>(
    call: &CallInfo,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<CursorPage<T>, Error> {
    let enveloped = match fast_envelope::<Vec<T>>(body) {
        Some((results, meta)) => Some((results, meta)),
        None => match shape(body) {
            Shape::Envelope { data, meta } => {
                let id = request_id(Some(&meta), headers);
                let results: Vec<T> = decode_part(
                    call,
                    status,
                    body,
                    data.get().as_bytes(),
                    Some("data"),
                    id.as_deref(),
                )?;
                Some((results, meta))
            }
            Shape::Bare => None,
        },
    };
    let page = match enveloped {
        Some((results, meta)) => {
            let id = request_id(Some(&meta), headers);
            let empty = Map::new();
            let pagination = meta.pagination().unwrap_or(&empty);
            let cursor = |key: &str, strict: bool| {
                cursor_field(pagination.get(key), strict, false).map_err(|message| {
                    let path = format!("meta.pagination.{key}");
                    decode_error(call, status, body, &path, message, id.as_deref())
                })
            };
            CursorPage {
                next_cursor: cursor("next_cursor", true)?,
                previous_cursor: cursor("previous_cursor", false)?,
                per_page: pagination.get("per_page").and_then(Value::as_u64),
                results,
                request_id: id,
            }
        }
        None => {
            let id = header_request_id(headers);
            let plain: PlainPage<T> = decode_part(call, status, body, body, None, id.as_deref())?;
            let cursor = |key: &str, link: Option<String>, strict: bool| {
                cursor_field(link.map(Value::String).as_ref(), strict, true).map_err(|message| {
                    decode_error(call, status, body, key, message, id.as_deref())
                })
            };
            CursorPage {
                next_cursor: cursor("next", plain.next, true)?,
                previous_cursor: cursor("previous", plain.previous, false)?,
                per_page: None,
                results: plain.results,
                request_id: id,
            }
        }
    };
    record_request_id(page.request_id.as_deref());
    Ok(page)
}

/// The cursor a pagination field gives: `None` for absent, null or empty; a link's `cursor`
/// parameter; else the token itself. Links are absolute `http(s)` URLs, and in a plain page
/// (`plain`, whose `next` is a link by definition) also paths and queries (`/v2/…?…`,
/// `?…`). `strict`: a link without a cursor is an error (a `next` link must lead somewhere);
/// otherwise it gives `None`.
fn cursor_field(
    value: Option<&Value>,
    strict: bool,
    plain: bool,
) -> Result<Option<String>, String> {
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.is_empty() => return Ok(None),
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(format!(
                "a cursor must be a string or null, not {}",
                json_type(other)
            ));
        }
    };
    if !looks_like_link(text, plain) {
        return Ok(Some(text.clone()));
    }
    let parsed = Url::parse(text)
        .or_else(|_| Url::parse("http://relative.invalid/").and_then(|base| base.join(text)));
    let url = parsed.map_err(|e| format!("the link is not a valid URL: {e}"))?;
    let cursor = url
        .query_pairs()
        .find(|(k, _)| k == CURSOR_KEY)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty());
    match cursor {
        Some(c) => Ok(Some(c)),
        None if strict => Err("the link has no `cursor` query parameter".to_owned()),
        None => Ok(None),
    }
}

/// True for a `next`/`previous` value that is a link rather than a bare token: an absolute
/// `http(s)` URL; in a plain page also a path or anything with a query (a cursor token is
/// base64 text, which has no `?`).
fn looks_like_link(text: &str, plain: bool) -> bool {
    text.starts_with("http://")
        || text.starts_with("https://")
        || (plain && (text.starts_with('/') || text.contains('?')))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The decoder of a cursor-list operation: [`decode_cursor_page`] over the answer's bytes.
/// A list operation's `Output` is `CursorPage<T>` and its `decode` calls this; see
/// [`fluent_cursor_list!`](crate::fluent_cursor_list).
pub async fn cursor_page<T: DeserializeOwned>(
    response: Response,
    call: CallInfo,
) -> Result<CursorPage<T>, Error> {
    let status = response.status;
    let headers = response.headers.clone();
    let body = response.into_bytes().await?;
    synapse_models::shared::with_source(&body, || {
        decode_cursor_page(&call, status, &headers, &body)
    })
}

/// Sets `key=value` in a request's query: replaced where it stands (in the URL's own query
/// or in the added pairs), else appended.
fn set_query(request: &mut Request, key: &str, value: &str) {
    if let Some(pair) = request.query.iter_mut().find(|(k, _)| k == key) {
        pair.1 = value.to_owned();
        return;
    }
    if request.url.query_pairs().any(|(k, _)| k == key) {
        let pairs: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == key { value.into() } else { v };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        request.url.query_pairs_mut().clear().extend_pairs(pairs);
        return;
    }
    request.query.push((key.to_owned(), value.to_owned()));
}

/// The value of `key` in a request's query, if any.
fn query_value(request: &Request, key: &str) -> Option<String> {
    request
        .query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .or_else(|| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        })
}

/// The settings of a walk.
#[derive(Debug, Clone, Copy)]
struct WalkOptions {
    max_pages: u64,
    max_empty_pages: u64,
    throttle: Option<Duration>,
}

type PageItem<T> = Result<CursorPage<T>, Error>;
type BoxPages<T> = Pin<Box<dyn Stream<Item = PageItem<T>> + Send>>;

/// Every page of a cursor list, as a lazy stream (its items one by one: [`CursorStream`]).
///
/// A page comes in one of two shapes, and both decode to the same [`CursorPage`]:
/// - the envelope `{"data": [...], "meta": {"request_id": …, "pagination": {"next_cursor":
///   …, "previous_cursor": …, "per_page": 50}}}` (the cursors are bare tokens);
/// - the plain page `{"next": <URL or null>, "previous": …, "results": [...]}`, whose
///   cursor is the `cursor` query parameter of the `next` URL.
///
/// Rules of a walk (the same as the page-number walk's, [`PageStream`](crate::PageStream)):
/// - nothing is sent before the first poll;
/// - the first request is the list call as built (the caller's query, `per_page` and
///   `cursor` when set; no page size is added);
/// - every later request is that same request with its `cursor` replaced by the page's
///   next cursor, on the client's own origin: a `next` URL is never requested, so a link
///   to another host cannot receive the credentials, and the default query (`url_host`) is
///   never doubled;
/// - a cursor already used is [`PaginationError::Loop`]; more pages than the cap
///   ([`CursorPages::max_pages`], default [`DEFAULT_MAX_PAGES`]) is
///   [`PaginationError::TooManyPages`]; a run of empty pages that still announce a next
///   page ([`CursorPages::max_empty_pages`]) is [`PaginationError::EmptyPages`];
/// - a failed or undecodable page is yielded as one `Err`, then the walk ends: what was
///   yielded stays yielded, nothing is skipped;
/// - the walk ends when a page has no next cursor (not on an empty page);
/// - pages retry as any GET under the client's retry policy (or the call's); there is no
///   second retry layer.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt").block_on(async {
/// use futures_util::StreamExt;
/// use serde_json::json;
/// use synapse_transport::mock::{MockResponse, MockTransport};
/// use synapse_transport::v2::CursorPages;
/// use synapse_transport::{Client, Method, RetryPolicy};
///
/// let mock = MockTransport::new();
/// mock.push(MockResponse::json(200, json!({"data": [{"id": 1}, {"id": 2}],
///     "meta": {"request_id": "req_1", "pagination": {"next_cursor": "cD0y", "per_page": 2}}})));
/// mock.push(MockResponse::json(200, json!({"data": [{"id": 3}],
///     "meta": {"request_id": "req_2", "pagination": {"next_cursor": null}}})));
/// let client = Client::builder("https://synapse.test/")
///     .transport(mock.clone())
///     .retry_policy(RetryPolicy::never())
///     .build()?;
/// let first = client.get("v2/projects/").query("per_page", 2).build();
/// let ids: Vec<u64> = CursorPages::<serde_json::Value>::new(client, first)
///     .items()
///     .map(|item| item.expect("item")["id"].as_u64().expect("id"))
///     .collect()
///     .await;
/// assert_eq!(ids, [1, 2, 3]);
/// assert_eq!(
///     mock.requests()[1].url.as_str(),
///     "https://synapse.test/v2/projects/?per_page=2&cursor=cD0y"
/// );
/// # Ok::<(), synapse_transport::Error>(())
/// # }).expect("example");
/// ```
pub struct CursorPages<T> {
    client: Client,
    first: Option<Result<Request, Error>>,
    opts: WalkOptions,
    stream: Option<BoxPages<T>>,
    fetched: Arc<AtomicU64>,
}

impl<T> fmt::Debug for CursorPages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CursorPages")
            .field("max_pages", &self.opts.max_pages)
            .field("max_empty_pages", &self.opts.max_empty_pages)
            .field("throttle", &self.opts.throttle)
            .field("pages_fetched", &self.pages_fetched())
            .finish()
    }
}

impl<T> CursorPages<T> {
    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }
}

impl<T: DeserializeOwned + Send + 'static> CursorPages<T> {
    /// The walk that starts with `first` (a built GET of the list, with its query), sent
    /// through `client`. A `first` that failed to build is the walk's only item.
    pub fn new(client: Client, first: Result<Request, Error>) -> Self {
        CursorPages {
            client,
            first: Some(first),
            opts: WalkOptions {
                max_pages: DEFAULT_MAX_PAGES,
                max_empty_pages: DEFAULT_MAX_EMPTY_PAGES,
                throttle: None,
            },
            stream: None,
            fetched: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The walk of a list operation: its request as built (the call's options included),
    /// then the same request with each next cursor.
    pub fn from_operation<O>(op: O) -> Self
    where
        O: Operation<Output = CursorPage<T>>,
    {
        let client = op.call().client().clone();
        Self::new(client, crate::operation::request(&op))
    }

    /// The most pages the walk fetches; a next page beyond them ends it with
    /// [`PaginationError::TooManyPages`] (default [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.opts.max_pages = pages;
        self
    }

    /// How many empty pages in a row may still announce a next page before the walk ends
    /// with [`PaginationError::EmptyPages`] (default [`DEFAULT_MAX_EMPTY_PAGES`]).
    pub fn max_empty_pages(mut self, pages: u64) -> Self {
        self.opts.max_empty_pages = pages.max(1);
        self
    }

    /// Waits this long before each page after the first (a gentle walk of a large list).
    pub fn throttle(mut self, delay: Duration) -> Self {
        self.opts.throttle = Some(delay).filter(|d| !d.is_zero());
        self
    }

    /// The items of every page, one by one.
    pub fn items(self) -> CursorStream<T> {
        CursorStream {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    fn start(&mut self) -> BoxPages<T> {
        let first = self
            .first
            .take()
            .unwrap_or_else(|| Err(Error::invalid_input("the walk was already started")));
        let template = match first {
            Ok(request) => request,
            Err(e) => return Box::pin(futures_util::stream::iter([Err(e)])),
        };
        let mut seen = HashSet::new();
        if let Some(cursor) = query_value(&template, CURSOR_KEY) {
            seen.insert(cursor);
        }
        let walk = Walk {
            client: self.client.clone(),
            next: Some(template.clone()),
            template,
            seen,
            pages: 0,
            empty_run: 0,
            pending_error: None,
            opts: self.opts,
            fetched: self.fetched.clone(),
            item: PhantomData,
        };
        // Fused: polling again after the end gives `None` again.
        Box::pin(futures_util::StreamExt::fuse(futures_util::stream::unfold(
            walk, step,
        )))
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for CursorPages<T> {
    type Item = Result<CursorPage<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.stream.is_none() {
            this.stream = Some(this.start());
        }
        match this.stream.as_mut() {
            Some(stream) => stream.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

impl<T> Unpin for CursorPages<T> {}

/// The state of a walk between pages.
struct Walk<T> {
    client: Client,
    /// The first request: every later one is it with another cursor.
    template: Request,
    next: Option<Request>,
    seen: HashSet<String>,
    pages: u64,
    empty_run: u64,
    /// A failure found after a page was received, yielded after that page.
    pending_error: Option<Error>,
    opts: WalkOptions,
    fetched: Arc<AtomicU64>,
    item: PhantomData<fn() -> T>,
}

/// Fetches (or refuses) the walk's next page.
async fn step<T: DeserializeOwned + Send + 'static>(
    mut walk: Walk<T>,
) -> Option<(PageItem<T>, Walk<T>)> {
    if let Some(e) = walk.pending_error.take() {
        walk.next = None;
        return Some((Err(e), walk));
    }
    let request = walk.next.take()?;
    if walk.pages >= walk.opts.max_pages {
        let limit = walk.opts.max_pages;
        return Some((Err(PaginationError::TooManyPages { limit }.into()), walk));
    }
    if walk.pages > 0
        && let Some(delay) = walk.opts.throttle
    {
        tokio::time::sleep(delay).await;
    }
    let page = match fetch::<T>(&walk.client, request).await {
        Ok(page) => page,
        Err(e) => return Some((Err(e), walk)),
    };
    walk.pages += 1;
    walk.fetched.store(walk.pages, Ordering::Relaxed);
    if let Some(cursor) = &page.next_cursor {
        walk.empty_run = if page.results.is_empty() {
            walk.empty_run + 1
        } else {
            0
        };
        let mut next = walk.template.clone();
        set_query(&mut next, CURSOR_KEY, cursor);
        if !walk.seen.insert(cursor.clone()) {
            let url = next.display_url();
            walk.pending_error = Some(PaginationError::Loop { url }.into());
        } else if walk.empty_run >= walk.opts.max_empty_pages {
            let pages = walk.empty_run;
            walk.pending_error = Some(PaginationError::EmptyPages { pages }.into());
        } else {
            walk.next = Some(next);
        }
    }
    Some((Ok(page), walk))
}

/// Sends one page request (in a call span) and decodes the page.
async fn fetch<T: DeserializeOwned>(client: &Client, request: Request) -> PageItem<T> {
    let span = call_span(&request);
    let call = CallInfo {
        method: request.method.clone(),
        url: request.display_url(),
    };
    async move {
        let result = match client.execute(request).await {
            Ok(response) => cursor_page(response, call).await,
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            record_request_id(e.request_id());
        }
        result
    }
    .instrument(span)
    .await
}

/// Every item of a cursor list, page by page (the items of [`CursorPages`]).
pub struct CursorStream<T> {
    pages: CursorPages<T>,
    current: std::vec::IntoIter<T>,
}

impl<T> fmt::Debug for CursorStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CursorStream")
            .field("pages", &self.pages)
            .field("queued", &self.current.len())
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> CursorStream<T> {
    /// See [`CursorPages::max_pages`].
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.pages = self.pages.max_pages(pages);
        self
    }

    /// See [`CursorPages::max_empty_pages`].
    pub fn max_empty_pages(mut self, pages: u64) -> Self {
        self.pages = self.pages.max_empty_pages(pages);
        self
    }

    /// See [`CursorPages::throttle`].
    pub fn throttle(mut self, delay: Duration) -> Self {
        self.pages = self.pages.throttle(delay);
        self
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages.pages_fetched()
    }

    /// The walk as a stream of whole pages; call it before polling (items already taken
    /// from a page are not in it).
    pub fn into_pages(self) -> CursorPages<T> {
        self.pages
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for CursorStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.current = page.results.into_iter(),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl<T> Unpin for CursorStream<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursors_from_tokens_and_links() {
        let c = |v: Value| cursor_field(Some(&v), true, true);
        assert_eq!(c(json!("cD0y")), Ok(Some("cD0y".to_owned())));
        assert_eq!(c(json!("")), Ok(None));
        assert_eq!(c(Value::Null), Ok(None));
        assert_eq!(
            c(json!(
                "https://other.example/v2/x/?per_page=2&cursor=cj0x%3D"
            )),
            Ok(Some("cj0x=".to_owned()))
        );
        assert_eq!(c(json!("/v2/x/?cursor=abc")), Ok(Some("abc".to_owned())));
        assert_eq!(c(json!("?cursor=abc")), Ok(Some("abc".to_owned())));
        assert!(c(json!("https://h/v2/x/?page=2")).is_err());
        assert_eq!(
            cursor_field(Some(&json!("/v2/x/?page=1")), false, true),
            Ok(None)
        );
        // In an envelope, only an absolute URL is a link: a token may start with `/`.
        let envelope = |v: Value| cursor_field(Some(&v), true, false);
        assert_eq!(envelope(json!("/9+a=")), Ok(Some("/9+a=".to_owned())));
        assert_eq!(
            envelope(json!("https://h/v2/x/?cursor=abc")),
            Ok(Some("abc".to_owned()))
        );
        assert!(c(json!(3)).is_err());
    }

    #[test]
    fn the_cursor_is_replaced_where_it_stands() {
        let url = Url::parse("https://h/v2/x/?cursor=a&q=1").expect("url");
        let mut r = Request::new(http::Method::GET, url);
        r.query.push(("per_page".into(), "5".into()));
        set_query(&mut r, CURSOR_KEY, "b");
        assert_eq!(
            r.full_url().as_str(),
            "https://h/v2/x/?cursor=b&q=1&per_page=5"
        );
        set_query(&mut r, "per_page", "7");
        set_query(&mut r, "z", "9");
        assert_eq!(
            r.full_url().as_str(),
            "https://h/v2/x/?cursor=b&q=1&per_page=7&z=9"
        );
        assert_eq!(query_value(&r, CURSOR_KEY).as_deref(), Some("b"));
    }
}
