//! [`Pages`] and [`PageStream`]: every page, or every item, of a DRF page-number listing,
//! as a lazy `Stream`.
//!
//! Rules:
//! - nothing is sent before the first poll (or [`PageStream::total`]);
//! - the first request sends the default query, the caller's query, then `page_size`
//!   (the client's, default 100) unless the caller gave one;
//! - later requests follow `next` as given (resolved against the current URL if relative),
//!   adding a default query pair only when the link lacks it;
//! - a `next` on another origin yields [`PaginationError::OffOrigin`] and sends nothing;
//!   a `next` already fetched yields [`PaginationError::Loop`];
//! - a walk is bounded: more items than page 1's `count` announced, by more than one page,
//!   yields [`PaginationError::CountExceeded`]; more pages than the cap
//!   ([`PageStream::max_pages`]) yields [`PaginationError::TooManyPages`]. A missing `count`
//!   is not an error;
//! - a failed page (or one without `results`) is yielded as one `Err`, then the stream ends:
//!   the items already yielded are kept, nothing is skipped;
//! - the walk stops only when `next` is null, not on an empty page;
//! - read-ahead (the default, [`PageStream::prefetch`] `1`): once the walk is past page 1,
//!   the request for the next page (the real `next` link, after the same checks) is sent as
//!   soon as the current page arrives, so the server works while the current page is decoded
//!   and read. A walk stopped early may therefore have requested one page it never yields. A
//!   read-ahead page that timed out or came back incomplete (it may have waited on a slow
//!   reader) is requested again when the walk reaches it; any other outcome is used as is.
//!   `prefetch(0)` sends each request only when the walk needs its page;
//! - optional concurrent prefetch (`prefetch(k)`, `k ≥ 2`) is speculation, never a
//!   shortcut: when page 1 gives `count` and a page-numbered `next` on the client's origin,
//!   the pages that `count` implies are requested ahead, at most `k` at a time, but a
//!   prefetched page is used only when its URL is exactly the `next` of the page before it.
//!   On the first mismatch the remaining guesses are dropped and the walk follows `next`
//!   one page at a time. So a prefetched walk yields exactly what the sequential walk
//!   yields, items and errors alike, whatever the server's page layout.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::future::MaybeDone;
use futures_util::stream::FuturesOrdered;
use http::StatusCode;
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use url::Url;

use crate::error::PaginationError;
use crate::operation::{CallOptions, Operation};
use crate::response::decode_shared;
use crate::urls::{origin, same_origin};
use crate::{Client, Error, Page, ReadTimeout, Request};

/// Pages a walk may fetch when the caller set no cap: 10,000, or twice the pages page 1's
/// `count` implies (plus 10), whichever is more.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// The per-walk settings every page request uses.
#[derive(Debug, Clone)]
struct WalkOptions {
    page_size: Option<u32>,
    prefetch: usize,
    read_timeout: ReadTimeout,
    max_pages: Option<u64>,
    /// The call's options, applied to every later page (timeouts, retry policy).
    call: Arc<CallOptions>,
}

type Walk<T> = Pin<Box<dyn Future<Output = Box<State<T>>> + Send>>;

/// A page requested ahead of the walk, on the guess that the walk will reach its URL.
type Guess<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// A page's answer, read and not decoded yet.
struct RawPage {
    status: StatusCode,
    body: Bytes,
}

/// The request of a page read ahead, until its answer is read.
type Fetch = Pin<Box<dyn Future<Output = Result<RawPage, Error>> + Send>>;

/// The next page, requested as soon as the current one arrived and before it is decoded
/// (read-ahead), with its wire URL. It keeps its answer if that comes before the walk
/// reaches it.
struct Ahead {
    url: String,
    page: Pin<Box<MaybeDone<Fetch>>>,
}

impl Ahead {
    /// The answer (`None` only if it was already taken).
    async fn answer(mut self) -> Option<Result<RawPage, Error>> {
        self.page.as_mut().await;
        self.page.as_mut().take_output()
    }
}

enum Next {
    First {
        path: String,
        query: Vec<(String, String)>,
    },
    /// The first request, already built by a list operation.
    Ready(Box<Result<Request, Error>>),
    Link(Url),
}

struct State<T> {
    /// The request the walk makes next, as the last page's `next` gives it.
    next: Option<Next>,
    /// Pages received and not yet yielded.
    buffer: VecDeque<Page<T>>,
    /// Page 1 has been received.
    started: bool,
    /// The `count` page 1 announced, if it sent one.
    count: Option<u64>,
    received: u64,
    largest_page: u64,
    page_limit: u64,
    error: Option<Error>,
    seen: HashSet<String>,
    pages: u64,
    /// Guessed page requests not sent yet, in order.
    planned: VecDeque<Request>,
    /// Guessed pages in flight, in order, with their wire URLs.
    inflight: FuturesOrdered<Guess<T>>,
    inflight_urls: VecDeque<String>,
    /// The read-ahead page, if one is in flight.
    ahead: Option<Ahead>,
}

impl<T> State<T> {
    /// Drops every guess: requests in flight are cancelled.
    fn abandon_guesses(&mut self) {
        self.ahead = None;
        self.planned.clear();
        self.inflight = FuturesOrdered::new();
        self.inflight_urls.clear();
    }
}

/// Every page of a list endpoint, as a lazy stream; the walk behind [`PageStream`].
///
/// ```no_run
/// # async fn demo(client: synapse_transport::Client) -> Result<(), synapse_transport::Error> {
/// use futures_util::StreamExt;
/// let mut pages = client.paginate::<serde_json::Value>("jobs/", vec![]).into_pages();
/// while let Some(page) = pages.next().await {
///     let page = page?;
///     println!("{} items, more: {}", page.results.len(), page.has_next());
/// }
/// # Ok(()) }
/// ```
pub struct Pages<T> {
    client: Client,
    opts: WalkOptions,
    state: Option<Box<State<T>>>,
    pending: Option<Walk<T>>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("page_size", &self.opts.page_size)
            .field("prefetch", &self.opts.prefetch)
            .field("max_pages", &self.opts.max_pages)
            .field("pages_fetched", &self.state.as_ref().map(|s| s.pages))
            .field("count", &self.state.as_ref().and_then(|s| s.count))
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> Pages<T> {
    fn with_first(client: Client, first: Next, call: CallOptions) -> Self {
        let page_size = Some(client.page_size());
        Pages {
            client,
            opts: WalkOptions {
                page_size,
                prefetch: 1,
                read_timeout: ReadTimeout::Default,
                max_pages: None,
                call: Arc::new(call),
            },
            state: Some(Box::new(State {
                next: Some(first),
                buffer: VecDeque::new(),
                started: false,
                count: None,
                received: 0,
                largest_page: 0,
                page_limit: DEFAULT_MAX_PAGES,
                error: None,
                seen: HashSet::new(),
                pages: 0,
                planned: VecDeque::new(),
                inflight: FuturesOrdered::new(),
                inflight_urls: VecDeque::new(),
                ahead: None,
            })),
            pending: None,
        }
    }

    pub(crate) fn new(client: Client, path: String, query: Vec<(String, String)>) -> Self {
        Self::with_first(client, Next::First { path, query }, CallOptions::default())
    }

    /// The walk of a list operation: its first request with its page size (the client's
    /// when the call sets none), then the `next` links, each with the call's timeouts and
    /// retry policy.
    pub fn from_operation<O>(op: O) -> Self
    where
        O: Operation<Output = Page<T>>,
    {
        let client = op.call().client().clone();
        let mut call = op.call().options().clone();
        if call.page_size.is_none() && O::PAGE_SIZE_ON_WALK {
            call.page_size = Some(client.page_size());
        }
        let first = call.apply(op.prepare()).build();
        let mut walk = Self::with_first(client, Next::Ready(Box::new(first)), call);
        walk.opts.page_size = None;
        walk
    }

    /// Page size of the first request; `None` sends no `page_size` at all. Has no effect
    /// once the first page was requested, nor on the walk of a list operation (set it on
    /// the call).
    pub fn page_size(mut self, page_size: Option<u32>) -> Self {
        self.opts.page_size = page_size;
        self
    }

    /// Read timeout of every page request (e.g. a slow listing endpoint).
    pub fn read_timeout(mut self, timeout: ReadTimeout) -> Self {
        self.opts.read_timeout = timeout;
        self
    }

    /// The most pages the walk fetches; one more ends it with
    /// [`PaginationError::TooManyPages`]. Default: [`DEFAULT_MAX_PAGES`], or twice the pages
    /// page 1's `count` implies (plus 10) when that is more.
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.opts.max_pages = Some(pages);
        if let Some(state) = self.state.as_mut() {
            state.page_limit = pages;
        }
        self
    }

    /// How far ahead the walk requests pages. `1` (the default) reads one page ahead: past
    /// page 1, the next page is requested as soon as the current one arrives, following its
    /// real `next` link. `0` requests each page only when the walk needs it. `k ≥ 2`
    /// requests up to `k` pages ahead, concurrently, once page 1 shows the listing's size and
    /// a page-numbered `next` link on the client's origin; such a page is used only if the
    /// walk reaches its exact URL through `next`, otherwise the guesses are dropped and the
    /// walk goes on one page at a time. Whatever the setting, the pages (and any error) are
    /// exactly those of the one-at-a-time walk; ahead costs up to `k` pages of memory, and
    /// a walk dropped early may have requested pages it never yields.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.opts.prefetch = pages;
        self
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.state.as_ref().map_or(0, |s| s.pages)
    }

    /// The items of every page, one by one.
    pub fn items(self) -> PageStream<T> {
        PageStream {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    /// The total `count` reported by page 1 (0 when the server sent none), fetching page 1
    /// if needed; it stays queued for the stream. If page 1 fails, the error is returned
    /// here and the stream ends.
    pub async fn total(&mut self) -> Result<u64, Error> {
        std::future::poll_fn(|cx| self.poll_count(cx)).await
    }

    fn poll_count(&mut self, cx: &mut Context<'_>) -> Poll<Result<u64, Error>> {
        loop {
            if let Some(fut) = self.pending.as_mut() {
                let state = std::task::ready!(fut.as_mut().poll(cx));
                self.pending = None;
                self.state = Some(state);
            }
            let Some(state) = self.state.as_mut() else {
                return Poll::Ready(Ok(0));
            };
            if state.started {
                return Poll::Ready(Ok(state.count.unwrap_or(0)));
            }
            if let Some(err) = state.error.take() {
                state.next = None;
                return Poll::Ready(Err(err));
            }
            if state.next.is_none() {
                return Poll::Ready(Ok(0));
            }
            self.start_fetch();
        }
    }

    fn start_fetch(&mut self) {
        if let Some(state) = self.state.take() {
            let opts = self.opts.clone();
            self.pending = Some(Box::pin(fetch(self.client.clone(), opts, state)));
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for Pages<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(fut) = this.pending.as_mut() {
                let state = std::task::ready!(fut.as_mut().poll(cx));
                this.pending = None;
                this.state = Some(state);
            }
            let Some(state) = this.state.as_mut() else {
                return Poll::Ready(None);
            };
            if let Some(page) = state.buffer.pop_front() {
                return Poll::Ready(Some(Ok(page)));
            }
            if let Some(err) = state.error.take() {
                state.next = None;
                return Poll::Ready(Some(Err(err)));
            }
            if state.next.is_none() {
                return Poll::Ready(None);
            }
            this.start_fetch();
        }
    }
}

impl<T> Unpin for Pages<T> {}

/// Every item of a list endpoint, as a lazy stream, page by page (the items of [`Pages`]).
///
/// ```no_run
/// # async fn demo(client: synapse_transport::Client) -> Result<(), synapse_transport::Error> {
/// use futures_util::StreamExt;
/// let mut jobs = client.paginate::<serde_json::Value>("jobs/", vec![]);
/// println!("{} jobs", jobs.total().await?);
/// while let Some(job) = jobs.next().await {
///     println!("{}", job?["id"]);
/// }
/// # Ok(()) }
/// ```
pub struct PageStream<T> {
    pages: Pages<T>,
    current: std::vec::IntoIter<T>,
}

impl<T> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("pages", &self.pages)
            .field("queued", &self.current.len())
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> PageStream<T> {
    pub(crate) fn new(client: Client, path: String, query: Vec<(String, String)>) -> Self {
        Pages::new(client, path, query).items()
    }

    /// See [`Pages::page_size`].
    pub fn page_size(mut self, page_size: Option<u32>) -> Self {
        self.pages = self.pages.page_size(page_size);
        self
    }

    /// See [`Pages::read_timeout`].
    pub fn read_timeout(mut self, timeout: ReadTimeout) -> Self {
        self.pages = self.pages.read_timeout(timeout);
        self
    }

    /// See [`Pages::max_pages`].
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.pages = self.pages.max_pages(pages);
        self
    }

    /// See [`Pages::prefetch`]: items are still yielded in order.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.pages = self.pages.prefetch(pages);
        self
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages.pages_fetched()
    }

    /// The walk as a stream of whole pages; call it before polling (items already taken
    /// from a page are not in it).
    pub fn into_pages(self) -> Pages<T> {
        self.pages
    }

    /// The total `count` reported by page 1 (0 when the server sent none), fetching page 1
    /// if needed; its items stay queued for the stream. If page 1 fails, the error is
    /// returned here and the stream ends.
    pub async fn total(&mut self) -> Result<u64, Error> {
        self.pages.total().await
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for PageStream<T> {
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

impl<T> Unpin for PageStream<T> {}

/// Fetches the next page into `state`: items into the buffer, a failure into `error`.
async fn fetch<T: DeserializeOwned + Send + 'static>(
    client: Client,
    opts: WalkOptions,
    mut state: Box<State<T>>,
) -> Box<State<T>> {
    if let Some(next) = state.next.take()
        && let Err(e) = fetch_page(&client, &opts, &mut state, next).await
    {
        state.error = Some(e);
        state.next = None;
    }
    if state.next.is_none() {
        state.abandon_guesses();
    }
    state
}

/// Builds the request for the walk's next page.
fn page_request(client: &Client, opts: &WalkOptions, next: Next) -> Result<Request, Error> {
    let builder = match next {
        Next::Ready(request) => return *request,
        Next::First { path, mut query } => {
            if let Some(size) = opts.page_size
                && !query.iter().any(|(k, _)| k == "page_size")
            {
                query.push(("page_size".to_owned(), size.to_string()));
            }
            client.get(&path).query_pairs(query)
        }
        Next::Link(url) => client.get(url.as_str()),
    };
    let builder = builder.read_timeout(opts.read_timeout);
    opts.call.apply_to_page(builder).build()
}

/// Fetches one page of the walk (from a matching guess, or directly), checks the walk's
/// bounds and records where it goes next.
async fn fetch_page<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    opts: &WalkOptions,
    state: &mut State<T>,
    next: Next,
) -> Result<(), Error> {
    let first = !matches!(next, Next::Link(_));
    let request = page_request(client, opts, next)?;
    let full = request.full_url();
    if state.pages >= state.page_limit {
        return Err(PaginationError::TooManyPages {
            limit: state.page_limit,
        }
        .into());
    }
    if !state.seen.insert(full.as_str().to_owned()) {
        return Err(PaginationError::Loop {
            url: request.display_url(),
        }
        .into());
    }
    let method = request.method.clone();
    let shown = request.display_url();
    let guessed = state.inflight_urls.front().map(String::as_str) == Some(full.as_str());
    let ahead = state.ahead.take().filter(|a| a.url == full.as_str());
    let page: Page<T> = if guessed {
        state.inflight_urls.pop_front();
        launch_guesses(client, opts, state);
        match state.inflight.next().await {
            Some(page) => page?,
            None => get_page(client, request).await?,
        }
    } else {
        if !state.inflight_urls.is_empty() || !state.planned.is_empty() {
            tracing::debug!(
                url = %shown,
                "pagination: `next` left the prefetch plan; following links one page at a time"
            );
            state.abandon_guesses();
        }
        let raw = match ahead {
            None => fetch_raw(client, request).await?,
            Some(ahead) => match ahead.answer().await {
                Some(Ok(raw)) => raw,
                // It may have waited on a slow reader: ask again, as the walk would have.
                Some(Err(e)) if e.is_timeout() || matches!(e, Error::ResponseIncomplete { .. }) => {
                    tracing::debug!(url = %shown, error = %e, "pagination: the page read ahead failed in transit; requesting it again");
                    fetch_raw(client, request).await?
                }
                Some(Err(e)) => return Err(e),
                None => fetch_raw(client, request).await?,
            },
        };
        if !first && opts.prefetch == 1 {
            read_ahead(client, opts, state, &full, &raw.body).await;
        }
        decode_shared(&method, &shown, raw.status, &raw.body)?
    };
    state.pages += 1;
    let len = page.results.len() as u64;
    if first {
        state.started = true;
        state.count = page.count;
        if opts.max_pages.is_none()
            && let Some(count) = page.count.filter(|_| len > 0)
        {
            let implied = count.div_ceil(len).saturating_mul(2).saturating_add(10);
            state.page_limit = state.page_limit.max(implied);
        }
    }
    state.received += len;
    state.largest_page = state.largest_page.max(len);
    let next_link = page.next.clone();
    state.buffer.push_back(page);
    if let Some(count) = state.count
        && state.received > count.saturating_add(state.largest_page)
    {
        return Err(PaginationError::CountExceeded {
            count,
            received: state.received,
        }
        .into());
    }
    if let Some(link) = next_link.filter(|n| !n.is_empty()) {
        let resolved = full.join(&link).map_err(|e| {
            Error::Decode(Box::new(crate::error::DecodeError {
                method: method.clone(),
                url: shown.clone(),
                status: 200,
                path: "next".to_owned(),
                message: format!("`next` is not a valid URL: {e}"),
                excerpt: crate::error::truncate_chars(&link, 256),
                request_id: None,
            }))
        })?;
        if !same_origin(&resolved, client.base_url()) {
            return Err(PaginationError::OffOrigin {
                expected: origin(client.base_url()),
                got: origin(&resolved),
            }
            .into());
        }
        if first && opts.prefetch > 1 {
            plan(client, opts, state, &resolved, len);
        }
        state.next = Some(Next::Link(resolved));
    }
    Ok(())
}

/// Requests the page that `body`'s `next` names (read before the items are decoded), unless
/// the walk's checks would refuse it (another origin, a URL already fetched, the page cap):
/// those fail, as always, when the walk reaches it. The request is handed to its
/// connection, and the task yields once so that it is written even on a single-threaded
/// runtime, before the current page's decoding keeps the thread busy.
async fn read_ahead<T>(
    client: &Client,
    opts: &WalkOptions,
    state: &mut State<T>,
    current: &Url,
    body: &Bytes,
) {
    let Some(next) = peek_next(body).and_then(|link| current.join(&link).ok()) else {
        return;
    };
    if !same_origin(&next, client.base_url()) {
        return;
    }
    let Ok(request) = page_request(client, opts, Next::Link(next)) else {
        return;
    };
    let url = request.full_url().as_str().to_owned();
    // The current page counts once it is decoded: the one ahead would be `pages + 2`.
    if state.pages + 1 >= state.page_limit || state.seen.contains(&url) {
        return;
    }
    // Page 1's `count` says the current page should be the last: no guess past it.
    if let Some(count) = state.count
        && state.received.saturating_add(state.largest_page) >= count
    {
        return;
    }
    let client = client.clone();
    let fetch: Fetch = Box::pin(async move { fetch_raw(&client, request).await });
    let mut page = Box::pin(MaybeDone::Future(fetch));
    let sent = std::future::poll_fn(|cx| Poll::Ready(page.as_mut().poll(cx).is_pending())).await;
    state.ahead = Some(Ahead { url, page });
    if sent {
        tokio::task::yield_now().await;
    }
}

/// The `next` link of a DRF page body, read from the keys before `results` (the order DRF
/// writes them in) without decoding the items; `None` when `next` is null or comes after
/// `results`.
fn peek_next(body: &[u8]) -> Option<String> {
    struct Head<'a>(&'a mut Option<String>);

    impl<'de> Visitor<'de> for Head<'_> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a page object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "next" => {
                        *self.0 = map.next_value::<Option<String>>()?;
                        break;
                    }
                    "results" => break,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            // Stop here: the rest of the body is the decoder's.
            Err(serde::de::Error::custom("head read"))
        }
    }

    let mut next = None;
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = serde::Deserializer::deserialize_map(&mut de, Head(&mut next));
    next.filter(|n| !n.is_empty())
}

/// After page 1: when its `next` is `…page=2…` and `count` is known, guesses the requests
/// of pages 2..=last and starts the first of them.
fn plan<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    opts: &WalkOptions,
    state: &mut State<T>,
    next: &Url,
    per_page: u64,
) {
    let Some(count) = state.count else {
        return;
    };
    let is_page_two = next.query_pairs().any(|(k, v)| k == "page" && v == "2");
    if per_page == 0 || !is_page_two {
        return;
    }
    let last = count.div_ceil(per_page).min(state.page_limit);
    for page in 2..=last {
        let url = with_page(next, page);
        match page_request(client, opts, Next::Link(url)) {
            Ok(request) => state.planned.push_back(request),
            Err(_) => break,
        }
    }
    launch_guesses(client, opts, state);
}

/// Starts guessed requests until `prefetch` are in flight.
fn launch_guesses<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    opts: &WalkOptions,
    state: &mut State<T>,
) {
    while state.inflight.len() < opts.prefetch {
        let Some(request) = state.planned.pop_front() else {
            break;
        };
        let url = request.full_url().as_str().to_owned();
        if state.seen.contains(&url) {
            continue;
        }
        let client = client.clone();
        state.inflight_urls.push_back(url);
        state.inflight.push_back(Box::pin(
            async move { get_page::<T>(&client, request).await },
        ));
    }
}

/// `url` with its `page` query value replaced, other pairs in place.
fn with_page(url: &Url, page: u64) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "page" {
                page.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

/// Sends one page request and decodes the page straight from the bytes.
async fn get_page<T: DeserializeOwned>(
    client: &Client,
    request: Request,
) -> Result<Page<T>, Error> {
    client.execute_json(request).await
}

/// Sends one page request and reads its answer.
async fn fetch_raw(client: &Client, request: Request) -> Result<RawPage, Error> {
    let response = client.execute(request).await?;
    let status = response.status;
    let body = response.into_bytes().await?;
    Ok(RawPage { status, body })
}
