//! v2 cursor lists on the mock transport: both page shapes, the rebuilt requests, the walk's
//! safety rules (origin, loop, page cap, empty-page runaway, failed pages) and retries.

mod common;

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::v2::{self, CursorPage};
use synapse_transport::{
    Call, CallInfo, Client, Error, Operation, PaginationError, RequestBuilder, Response,
    RetryPolicy, Secret,
};

/// `GET /v2/projects/`.
struct ListProjects {
    call: Call,
    category: Option<String>,
}

impl ListProjects {
    fn category(mut self, category: &str) -> Self {
        self.category = Some(category.to_owned());
        self
    }
}

impl Operation for ListProjects {
    type Output = CursorPage<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get("v2/projects/")
            .query_opt("category", self.category.as_ref())
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::cursor_page(response, call).await
    }
}
synapse_transport::fluent_cursor_list!(ListProjects, Value);

/// `GET /v2/ids/`: a list of plain numbers.
struct ListIds {
    call: Call,
}

impl Operation for ListIds {
    type Output = CursorPage<u64>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("v2/ids/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::cursor_page(response, call).await
    }
}
synapse_transport::fluent_cursor_list!(ListIds, u64);

fn client(mock: &MockTransport, policy: RetryPolicy) -> Client {
    Client::builder(common::BASE)
        .transport(mock.clone())
        .retry_policy(policy)
        .secret_header("SYNAPSE-ACCESS-TOKEN", "", &Secret::new("syn_secret"))
        .default_query("url_host", "internal")
        .build()
        .expect("client")
}

fn list(mock: &MockTransport) -> ListProjects {
    ListProjects {
        call: Call::new(client(mock, RetryPolicy::never())),
        category: None,
    }
}

/// An enveloped page of the ids `ids`, pointing at `next`.
fn envelope(ids: std::ops::Range<u64>, next: Option<&str>, request_id: &str) -> MockResponse {
    let data: Vec<Value> = ids.map(|i| json!({"id": i})).collect();
    MockResponse::json(
        200,
        json!({"data": data, "meta": {"request_id": request_id,
            "pagination": {"next_cursor": next, "previous_cursor": null, "per_page": 2}}}),
    )
}

/// A plain page of the ids `ids`, whose `next` is `next`.
fn plain(ids: std::ops::Range<u64>, next: Option<&str>) -> MockResponse {
    let results: Vec<Value> = ids.map(|i| json!({"id": i})).collect();
    MockResponse::json(
        200,
        json!({"next": next, "previous": null, "results": results}),
    )
}

fn ids(items: &[Result<Value, Error>]) -> Vec<u64> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|v| v["id"].as_u64().expect("id"))
        .collect()
}

fn urls(mock: &MockTransport) -> Vec<String> {
    mock.requests().iter().map(|r| r.url.to_string()).collect()
}

#[tokio::test]
async fn an_enveloped_walk_sends_the_first_request_again_with_each_cursor() {
    let mock = MockTransport::new();
    mock.push(envelope(0..2, Some("c2"), "req_1"))
        .push(envelope(2..4, Some("c3"), "req_2"))
        .push(envelope(4..5, None, "req_3"));
    let stream = list(&mock).category("image").per_page(2).items();
    assert_eq!(
        mock.request_count(),
        0,
        "lazy: nothing before the first poll"
    );
    let items: Vec<Result<Value, Error>> = stream.collect().await;
    assert_eq!(ids(&items), [0, 1, 2, 3, 4]);
    assert!(items.iter().all(Result::is_ok));
    assert_eq!(
        urls(&mock),
        [
            "https://synapse.test/v2/projects/?url_host=internal&category=image&per_page=2",
            "https://synapse.test/v2/projects/?url_host=internal&category=image&per_page=2&cursor=c2",
            "https://synapse.test/v2/projects/?url_host=internal&category=image&per_page=2&cursor=c3",
        ]
    );
    for r in mock.requests() {
        assert_eq!(r.header("synapse-access-token"), Some("syn_secret"));
    }
}

#[tokio::test]
async fn a_plain_walk_takes_the_cursor_of_next_and_never_requests_the_link() {
    let mock = MockTransport::new();
    mock.push(plain(
        0..2,
        Some("https://evil.example/v2/projects/?cursor=c2&per_page=2&url_host=internal"),
    ))
    .push(plain(2..4, Some("/elsewhere/?per_page=2&cursor=c3")))
    .push(plain(4..5, None));
    let pages: Vec<CursorPage<Value>> = list(&mock)
        .per_page(2)
        .pages()
        .map(|p| p.expect("page"))
        .collect()
        .await;
    let cursors: Vec<Option<&str>> = pages.iter().map(|p| p.next_cursor.as_deref()).collect();
    assert_eq!(cursors, [Some("c2"), Some("c3"), None]);
    // Every request went to the client's own origin, with the first request's query.
    assert_eq!(
        urls(&mock),
        [
            "https://synapse.test/v2/projects/?url_host=internal&per_page=2",
            "https://synapse.test/v2/projects/?url_host=internal&per_page=2&cursor=c2",
            "https://synapse.test/v2/projects/?url_host=internal&per_page=2&cursor=c3",
        ]
    );
}

#[tokio::test]
async fn awaiting_the_call_gives_one_page_from_the_given_cursor() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"data": [{"id": 9}], "meta": {"request_id": "req_9",
            "pagination": {"next_cursor": "cj0x", "previous_cursor": "cD0x", "per_page": 50}}}),
    ));
    let page = list(&mock)
        .cursor("cD0y")
        .per_page(10)
        .per_page(50)
        .await
        .expect("page");
    assert_eq!(page.results, [json!({"id": 9})]);
    assert_eq!(page.next_cursor.as_deref(), Some("cj0x"));
    assert_eq!(page.previous_cursor.as_deref(), Some("cD0x"));
    assert_eq!(page.per_page, Some(50));
    assert_eq!(page.request_id.as_deref(), Some("req_9"));
    assert!(page.has_next());
    // `per_page` set twice is sent once, with the last value.
    assert_eq!(
        urls(&mock),
        ["https://synapse.test/v2/projects/?url_host=internal&cursor=cD0y&per_page=50"]
    );
    // An empty cursor starts at the first page.
    let request = list(&mock)
        .cursor("cD0y")
        .cursor("")
        .request()
        .expect("request");
    assert_eq!(
        request.full_url().as_str(),
        "https://synapse.test/v2/projects/?url_host=internal"
    );
}

#[tokio::test]
async fn a_repeated_cursor_is_a_loop_error_after_the_page_that_repeats_it() {
    let mock = MockTransport::new();
    mock.push(envelope(0..2, Some("c2"), "r1"))
        .push(envelope(2..4, Some("c2"), "r2"));
    let items: Vec<Result<Value, Error>> = list(&mock).items().collect().await;
    assert_eq!(ids(&items), [0, 1, 2, 3]);
    assert_eq!(items.len(), 5);
    match &items[4] {
        Err(Error::Pagination(PaginationError::Loop { url })) => assert_eq!(
            url,
            "https://synapse.test/v2/projects/?url_host=internal&cursor=c2"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.request_count(), 2);

    // The starting cursor counts as used.
    let mock = MockTransport::new();
    mock.push(envelope(0..1, Some("c1"), "r1"));
    let items: Vec<Result<Value, Error>> = list(&mock).cursor("c1").items().collect().await;
    assert_eq!(ids(&items), [0]);
    assert!(matches!(
        items.last(),
        Some(Err(Error::Pagination(PaginationError::Loop { .. })))
    ));
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn the_page_cap_stops_a_walk_of_fresh_cursors() {
    let mock = MockTransport::new();
    for i in 0..6u64 {
        let next = format!("c{}", i + 1);
        mock.push(envelope(i..i + 1, Some(&next), "r"));
    }
    let mut stream = list(&mock).items().max_pages(3);
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    assert!(
        stream.next().await.is_none(),
        "still ended when polled again"
    );
    assert_eq!(ids(&items), [0, 1, 2]);
    assert!(matches!(
        items.last(),
        Some(Err(Error::Pagination(PaginationError::TooManyPages {
            limit: 3
        })))
    ));
    assert_eq!(stream.pages_fetched(), 3);
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn empty_pages_that_keep_announcing_more_are_a_runaway() {
    let mock = MockTransport::new();
    mock.push(envelope(0..2, Some("c0"), "r"));
    for i in 1..=12u64 {
        mock.push(envelope(0..0, Some(&format!("c{i}")), "r"));
    }
    let items: Vec<Result<Value, Error>> = list(&mock).items().collect().await;
    assert_eq!(ids(&items), [0, 1]);
    assert!(matches!(
        items.last(),
        Some(Err(Error::Pagination(PaginationError::EmptyPages {
            pages: v2::DEFAULT_MAX_EMPTY_PAGES
        })))
    ));
    assert_eq!(mock.request_count() as u64, 1 + v2::DEFAULT_MAX_EMPTY_PAGES);

    // A few empty pages in between are fine, and an empty last page ends the walk.
    let mock = MockTransport::new();
    mock.push(envelope(0..0, Some("a"), "r"))
        .push(envelope(0..0, Some("b"), "r"))
        .push(envelope(5..6, Some("c"), "r"))
        .push(envelope(0..0, None, "r"));
    let items: Vec<Result<Value, Error>> = list(&mock).items().max_empty_pages(3).collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(ids(&items), [5]);
}

#[tokio::test]
async fn a_failed_or_undecodable_page_is_yielded_once_and_ends_the_walk() {
    let mock = MockTransport::new();
    mock.push(envelope(0..2, Some("c2"), "r1"))
        .push(MockResponse::json(
            500,
            json!({"error": {"code": "INTERNAL", "message": "boom"}, "meta": {"request_id": "req_500"}}),
        ))
        .push(envelope(2..4, None, "never"));
    let items: Vec<Result<Value, Error>> = list(&mock).items().collect().await;
    assert_eq!(ids(&items), [0, 1]);
    assert_eq!(items.len(), 3);
    let err = items[2].as_ref().expect_err("the failed page");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.request_id(), Some("req_500"));
    assert_eq!(mock.request_count(), 2);

    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"data": [1, 2], "meta": {"pagination": {"next_cursor": "c2"}}}),
    ))
    .push(MockResponse::json(
        200,
        json!({"data": [3, "oops"], "meta": {"request_id": "req_bad",
            "pagination": {"next_cursor": "c3"}}}),
    ));
    let ids = ListIds {
        call: Call::new(client(&mock, RetryPolicy::never())),
    };
    let items: Vec<Result<u64, Error>> = ids.items().collect().await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[..2]
            .iter()
            .map(|r| *r.as_ref().expect("id"))
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let Err(Error::Decode(d)) = &items[2] else {
        panic!("{:?}", items[2])
    };
    assert_eq!(
        (d.path.as_str(), d.request_id.as_deref()),
        ("data[1]", Some("req_bad"))
    );
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn a_next_link_without_a_cursor_or_a_bad_cursor_is_a_decode_error() {
    let mock = MockTransport::new();
    mock.push(plain(
        0..1,
        Some("https://synapse.test/v2/projects/?page=2"),
    ));
    mock.push(MockResponse::json(
        200,
        json!({"data": [], "meta": {"pagination": {"next_cursor": 7}}}),
    ));
    mock.push(MockResponse::json(200, json!({"next": null, "count": 3})));
    for path in ["next", "meta.pagination.next_cursor", "."] {
        let err = list(&mock).await.expect_err("undecodable page");
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, path);
        assert_eq!(d.status, 200);
    }
}

#[tokio::test(start_paused = true)]
async fn pages_retry_as_gets_under_the_client_policy_and_nothing_else() {
    let mock = MockTransport::new();
    mock.push(envelope(0..2, Some("c2"), "r1"))
        .push(MockResponse::json(503, json!({})))
        .push(envelope(2..3, None, "r2"));
    let walk = ListProjects {
        call: Call::new(client(&mock, common::deterministic())),
        category: None,
    };
    let items: Vec<Result<Value, Error>> = walk.items().collect().await;
    assert_eq!(ids(&items), [0, 1, 2]);
    assert_eq!(mock.request_count(), 3);

    // A page that keeps failing is sent as often as the policy says (4 attempts), once.
    let mock = MockTransport::new();
    mock.push(envelope(0..2, Some("c2"), "r1"));
    for i in 0..4 {
        mock.push(MockResponse::json(
            503,
            json!({"error": {"code": "UNAVAILABLE", "message": "later"}, "meta": {"request_id": format!("req_{i}")}}),
        ));
    }
    let walk = ListProjects {
        call: Call::new(client(&mock, common::deterministic())),
        category: None,
    };
    let items: Vec<Result<Value, Error>> = walk.items().collect().await;
    assert_eq!(ids(&items), [0, 1]);
    let err = items[2].as_ref().expect_err("exhausted");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("req_3"));
    assert_eq!(mock.request_count(), 5);
    assert_eq!(mock.unused_replies(), 0);
}

#[tokio::test(start_paused = true)]
async fn throttle_waits_between_pages_but_not_before_the_first() {
    let mock = MockTransport::new();
    mock.push(envelope(0..1, Some("c2"), "r1"))
        .push(envelope(1..2, Some("c3"), "r2"))
        .push(envelope(2..3, None, "r3"));
    let start = tokio::time::Instant::now();
    let items: Vec<Result<Value, Error>> = list(&mock)
        .items()
        .throttle(std::time::Duration::from_secs(2))
        .collect()
        .await;
    assert_eq!(ids(&items), [0, 1, 2]);
    assert_eq!(start.elapsed(), std::time::Duration::from_secs(4));
}
