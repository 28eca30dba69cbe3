//! [`PageStream`]: every item of a DRF page-number listing, as a lazy `Stream`.
//!
//! Rules (transport.md §8, "Rust SDK"):
//! - nothing is sent before the first poll (or [`PageStream::total`]);
//! - the first request sends the default query, the caller's query, then `page_size`
//!   (the client's, default 100) unless the caller gave one;
//! - later requests follow `next` as given (resolved against the current URL if relative),
//!   adding a default query pair only when the link lacks it;
//! - a `next` on another origin yields [`PaginationError::OffOrigin`] and sends nothing;
//!   a `next` already fetched yields [`PaginationError::Loop`];
//! - a failed page (or one without `results`) is yielded as one `Err`, then the stream ends:
//!   the items already yielded are kept, nothing is skipped;
//! - the walk stops only when `next` is null, not on an empty page;
//! - optional concurrent prefetch ([`PageStream::prefetch`]): when page 1 gives `count` and a
//!   page-numbered `next` on the client's origin, pages 2..N are requested ahead, at most `k`
//!   at a time, and still yielded in order; each prefetched page's `next` must match the plan,
//!   else the walk ends with [`PaginationError::Changed`] (the listing changed underneath).

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::PaginationError;
use crate::response::decode_json;
use crate::urls::{origin, same_origin};
use crate::{Client, Error, Page, ReadTimeout};

/// The per-walk settings every page request uses.
#[derive(Debug, Clone, Copy)]
struct WalkOptions {
    page_size: Option<u32>,
    prefetch: usize,
    read_timeout: ReadTimeout,
}

type Fetch<T> = Pin<Box<dyn Future<Output = Box<State<T>>> + Send>>;

/// A prefetched page: the page (or its failure) and the `next` the plan expects it to carry.
type Planned<T> = Pin<Box<dyn Future<Output = (Result<Page<T>, Error>, Option<Url>)> + Send>>;

enum Next {
    First {
        path: String,
        query: Vec<(String, String)>,
    },
    Link(Url),
}

struct State<T> {
    next: Option<Next>,
    buffer: VecDeque<T>,
    count: Option<u64>,
    error: Option<Error>,
    seen: HashSet<String>,
    pages: u64,
    /// Pages still to request under a prefetch plan, in order.
    planned: VecDeque<Url>,
    /// Prefetched pages in flight, in order.
    inflight: FuturesOrdered<Planned<T>>,
}

/// A lazy stream of every item of a list endpoint, page by page.
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
    client: Client,
    opts: WalkOptions,
    state: Option<Box<State<T>>>,
    pending: Option<Fetch<T>>,
}

impl<T> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("page_size", &self.opts.page_size)
            .field("prefetch", &self.opts.prefetch)
            .field("pages_fetched", &self.state.as_ref().map(|s| s.pages))
            .field("count", &self.state.as_ref().and_then(|s| s.count))
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> PageStream<T> {
    pub(crate) fn new(client: Client, path: String, query: Vec<(String, String)>) -> Self {
        let page_size = Some(client.page_size());
        PageStream {
            client,
            opts: WalkOptions {
                page_size,
                prefetch: 0,
                read_timeout: ReadTimeout::Default,
            },
            state: Some(Box::new(State {
                next: Some(Next::First { path, query }),
                buffer: VecDeque::new(),
                count: None,
                error: None,
                seen: HashSet::new(),
                pages: 0,
                planned: VecDeque::new(),
                inflight: FuturesOrdered::new(),
            })),
            pending: None,
        }
    }

    /// Page size of the first request; `None` sends no `page_size` at all. Has no effect
    /// once the first page was requested.
    pub fn page_size(mut self, page_size: Option<u32>) -> Self {
        self.opts.page_size = page_size;
        self
    }

    /// Read timeout of every page request (e.g. a slow listing endpoint).
    pub fn read_timeout(mut self, timeout: ReadTimeout) -> Self {
        self.opts.read_timeout = timeout;
        self
    }

    /// Requests up to `pages` pages ahead, concurrently, once page 1 shows the listing's
    /// size and a page-numbered `next` link on the client's origin; items are still yielded
    /// in order and no page is requested twice. `0` or `1` (the default) walks one page at a
    /// time. Worth it when the server is slow per page; costs up to `pages` pages of memory.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.opts.prefetch = pages;
        self
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.state.as_ref().map_or(0, |s| s.pages)
    }

    /// The total `count` reported by page 1 (0 when the server sent none), fetching page 1
    /// if needed; its items stay queued for the stream. If page 1 fails, the error is
    /// returned here and the stream ends.
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
            if let Some(count) = state.count {
                return Poll::Ready(Ok(count));
            }
            if let Some(err) = state.error.take() {
                state.next = None;
                return Poll::Ready(Err(err));
            }
            if state.next.is_none() && state.inflight.is_empty() && state.planned.is_empty() {
                return Poll::Ready(Ok(0));
            }
            self.start_fetch();
        }
    }

    fn start_fetch(&mut self) {
        if let Some(state) = self.state.take() {
            self.pending = Some(Box::pin(fetch(self.client.clone(), self.opts, state)));
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for PageStream<T> {
    type Item = Result<T, Error>;

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
            if let Some(item) = state.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(err) = state.error.take() {
                state.next = None;
                return Poll::Ready(Some(Err(err)));
            }
            if state.next.is_none() && state.inflight.is_empty() && state.planned.is_empty() {
                return Poll::Ready(None);
            }
            this.start_fetch();
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
    if !state.inflight.is_empty() || !state.planned.is_empty() {
        if let Err(e) = next_planned(&client, opts, &mut state).await {
            state.error = Some(e);
            state.planned.clear();
            state.inflight = FuturesOrdered::new();
        }
        return state;
    }
    let Some(next) = state.next.take() else {
        return state;
    };
    let first = matches!(next, Next::First { .. });
    if let Err(e) = fetch_page(&client, opts, &mut state, next).await {
        state.error = Some(e);
        state.next = None;
        return state;
    }
    if first && opts.prefetch > 1 {
        plan(&mut state);
    }
    state
}

/// After page 1: when its `next` is `…page=2…` and `count` is known, plans pages 2..=last.
fn plan<T>(state: &mut State<T>) {
    let (Some(Next::Link(next)), Some(count)) = (&state.next, state.count) else {
        return;
    };
    let per_page = state.buffer.len() as u64;
    let is_page_two = next.query_pairs().any(|(k, v)| k == "page" && v == "2");
    if per_page == 0 || !is_page_two {
        return;
    }
    let last = count.div_ceil(per_page);
    for page in 2..=last {
        state.planned.push_back(with_page(next, page));
    }
    state.next = None;
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

/// Tops the window up to `prefetch` requests, then takes the next page in order.
async fn next_planned<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    opts: WalkOptions,
    state: &mut State<T>,
) -> Result<(), Error> {
    while state.inflight.len() < opts.prefetch {
        let Some(url) = state.planned.pop_front() else {
            break;
        };
        state.seen.insert(url.as_str().to_owned());
        let expected = state.planned.front().cloned();
        let client = client.clone();
        state.inflight.push_back(Box::pin(async move {
            let page = match client
                .get(url.as_str())
                .read_timeout(opts.read_timeout)
                .build()
            {
                Ok(request) => get_page::<T>(&client, request).await,
                Err(e) => Err(e),
            };
            (page, expected)
        }));
    }
    let Some((page, expected)) = state.inflight.next().await else {
        return Ok(());
    };
    let page = page?;
    let got = page.next.as_deref().filter(|n| !n.is_empty());
    let matches = match (&expected, got) {
        (None, None) => true,
        (Some(e), Some(g)) => Url::parse(g).map(|g| g == *e).unwrap_or(false),
        // The last page of the plan may still link on if items were added: report it.
        _ => false,
    };
    state.pages += 1;
    state.buffer.extend(page.results);
    if !matches {
        return Err(PaginationError::Changed.into());
    }
    Ok(())
}

/// Sends one page request and decodes the page straight from the bytes.
async fn get_page<T: DeserializeOwned>(
    client: &Client,
    request: crate::Request,
) -> Result<Page<T>, Error> {
    let method = request.method.clone();
    let shown = request.display_url();
    let response = client.execute(request).await?;
    let status = response.status;
    let body = response.into_bytes().await?;
    decode_json(&method, &shown, status, &body)
}

async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    opts: WalkOptions,
    state: &mut State<T>,
    next: Next,
) -> Result<(), Error> {
    let builder = match next {
        Next::First { path, mut query } => {
            if let Some(size) = opts.page_size {
                if !query.iter().any(|(k, _)| k == "page_size") {
                    query.push(("page_size".to_owned(), size.to_string()));
                }
            }
            client.get(&path).query_pairs(query)
        }
        Next::Link(url) => client.get(url.as_str()),
    };
    let request = builder.read_timeout(opts.read_timeout).build()?;
    let full = request.full_url();
    if !state.seen.insert(full.as_str().to_owned()) {
        return Err(PaginationError::Loop {
            url: request.display_url(),
        }
        .into());
    }
    let method = request.method.clone();
    let shown = request.display_url();
    let page: Page<T> = get_page(client, request).await?;
    state.pages += 1;
    if state.count.is_none() {
        state.count = Some(page.count.unwrap_or(0));
    }
    state.buffer.extend(page.results);
    if let Some(link) = page.next.filter(|n| !n.is_empty()) {
        let resolved = full.join(&link).map_err(|e| {
            Error::Decode(Box::new(crate::error::DecodeError {
                method: method.clone(),
                url: shown.clone(),
                status: 200,
                path: "next".to_owned(),
                message: format!("`next` is not a valid URL: {e}"),
                excerpt: crate::error::truncate_chars(&link, 256),
            }))
        })?;
        if !same_origin(&resolved, client.base_url()) {
            return Err(PaginationError::OffOrigin {
                expected: origin(client.base_url()),
                got: origin(&resolved),
            }
            .into());
        }
        state.next = Some(Next::Link(resolved));
    }
    Ok(())
}
