//! Pagination: order, count, origin and loop checks, failed pages.

mod common;

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{Client, Error, Method, PaginationError, RetryPolicy};

use common::{BASE, deterministic};

fn page(count: u64, next: Option<&str>, ids: std::ops::Range<u64>) -> MockResponse {
    let results: Vec<Value> = ids.map(|i| json!({"id": i})).collect();
    MockResponse::json(
        200,
        json!({"count": count, "next": next, "previous": null, "results": results}),
    )
}

fn client_with_url_host(mock: &MockTransport) -> Client {
    Client::builder(BASE)
        .transport(mock.clone())
        .retry_policy(deterministic())
        .default_query("url_host", "internal")
        .build()
        .expect("client")
}

async fn collect(
    stream: impl futures_util::Stream<Item = Result<Value, Error>>,
) -> Vec<Result<Value, Error>> {
    stream.collect().await
}

#[tokio::test]
async fn three_pages_stream_in_order_with_the_count() {
    let mock = MockTransport::new();
    mock.push(page(
        7,
        Some("https://synapse.test/jobs/?page=2&page_size=3&status=RUNNING&url_host=internal"),
        0..3,
    ))
    .push(page(
        7,
        Some("https://synapse.test/jobs/?page=3&page_size=3&status=RUNNING&url_host=internal"),
        3..6,
    ))
    .push(page(7, None, 6..7));
    let client = client_with_url_host(&mock);
    let mut stream = client
        .paginate::<Value>("jobs/", vec![("status".into(), "RUNNING".into())])
        .page_size(Some(3));
    assert_eq!(
        mock.request_count(),
        0,
        "lazy: nothing before the first poll"
    );
    assert_eq!(stream.total().await.expect("count"), 7);
    assert_eq!(mock.request_count(), 1);
    let items = collect(stream).await;
    let ids: Vec<u64> = items
        .into_iter()
        .map(|r| r.expect("item")["id"].as_u64().expect("id"))
        .collect();
    assert_eq!(ids, (0..7).collect::<Vec<_>>());
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(
        urls,
        vec![
            "https://synapse.test/jobs/?url_host=internal&status=RUNNING&page_size=3",
            // `next` verbatim: url_host is not appended a second time.
            "https://synapse.test/jobs/?page=2&page_size=3&status=RUNNING&url_host=internal",
            "https://synapse.test/jobs/?page=3&page_size=3&status=RUNNING&url_host=internal",
        ]
    );
    assert!(mock.requests().iter().all(|r| r.method == Method::GET));
}

#[tokio::test]
async fn default_page_size_is_100_and_a_caller_page_size_wins() {
    let mock = MockTransport::new();
    mock.push(page(1, None, 0..1))
        .push(page(1, None, 0..1))
        .push(page(1, None, 0..1));
    let client = common::client(&mock, deterministic());
    collect(client.paginate::<Value>("jobs/", vec![])).await;
    collect(client.paginate::<Value>("jobs/", vec![("page_size".into(), "10".into())])).await;
    collect(client.paginate::<Value>("jobs/", vec![]).page_size(None)).await;
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(
        urls,
        vec![
            "https://synapse.test/jobs/?page_size=100",
            "https://synapse.test/jobs/?page_size=10",
            "https://synapse.test/jobs/",
        ]
    );
}

#[tokio::test]
async fn a_next_link_on_another_origin_is_refused_and_never_requested() {
    for evil in [
        "https://evil.example/jobs/?page=2",
        "http://synapse.test/jobs/?page=2",
        "https://synapse.test:8443/jobs/?page=2",
    ] {
        let mock = MockTransport::new();
        mock.push(page(4, Some(evil), 0..2))
            .push(page(4, None, 2..4));
        let items =
            collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![]))
                .await;
        assert_eq!(items.len(), 3, "{evil}");
        assert!(items[0].is_ok() && items[1].is_ok());
        match &items[2] {
            Err(Error::Pagination(PaginationError::OffOrigin { expected, .. })) => {
                assert_eq!(expected, "https://synapse.test:443")
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(mock.request_count(), 1, "{evil} must not be requested");
    }
}

#[tokio::test]
async fn default_ports_are_normalised_when_comparing_origins() {
    let mock = MockTransport::new();
    mock.push(page(2, Some("https://SYNAPSE.test:443/jobs/?page=2"), 0..1))
        .push(page(2, None, 1..2));
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 2);
}

#[tokio::test]
async fn a_repeated_next_is_a_loop_error() {
    let mock = MockTransport::new();
    let p2 = "https://synapse.test/jobs/?page=2";
    mock.push(page(9, Some(p2), 0..1))
        .push(page(9, Some(p2), 1..2))
        .push(page(9, None, 2..3));
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.len(), 3);
    assert!(matches!(
        &items[2],
        Err(Error::Pagination(PaginationError::Loop { url })) if url == p2
    ));
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn an_error_on_page_two_ends_the_stream_after_the_items_of_page_one() {
    let mock = MockTransport::new();
    mock.push(page(6, Some("https://synapse.test/jobs/?page=2"), 0..3))
        .push(MockResponse::json(500, json!({"detail": "boom"})))
        .push(page(6, None, 3..6));
    let mut stream = common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![]);
    let mut ok = 0;
    let mut errors = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => ok += 1,
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(ok, 3);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].status().map(|s| s.as_u16()), Some(500));
    assert_eq!(mock.request_count(), 2, "page 3 must not be fetched");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_page_without_results_is_a_decode_error() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"count": 3, "next": null})));
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.len(), 1);
    match &items[0] {
        Err(Error::Decode(d)) => assert!(d.message.contains("results"), "{d:?}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn empty_pages_do_not_stop_the_walk_and_relative_links_resolve() {
    let mock = MockTransport::new();
    mock.push(page(1, Some("/jobs/?page=2"), 0..0))
        .push(page(1, Some("?page=3"), 0..0))
        .push(page(1, None, 5..6));
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().expect("item")["id"], 5);
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(urls[1], "https://synapse.test/jobs/?page=2");
    assert_eq!(urls[2], "https://synapse.test/jobs/?page=3");
}

#[tokio::test]
async fn count_returns_the_first_page_error_and_ends_the_stream() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(403, json!({"detail": "wrong tenant"})));
    let mut stream = common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![]);
    let err = stream.total().await.expect_err("403");
    assert_eq!(err.status_code(), Some(403));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn one_page_sends_no_page_size() {
    let mock = MockTransport::new();
    mock.push(page(250, Some("https://synapse.test/jobs/?page=2"), 0..2));
    let client = common::client(&mock, deterministic());
    let p = client
        .page::<Value>("jobs/", &[("status".into(), "running".into())])
        .await
        .expect("page");
    assert_eq!(p.count, Some(250));
    assert_eq!(p.results.len(), 2);
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "https://synapse.test/jobs/?status=running"
    );
}

#[tokio::test(start_paused = true)]
async fn page_requests_go_through_the_retry_policy() {
    let mock = MockTransport::new();
    mock.push(page(2, Some("https://synapse.test/jobs/?page=2"), 0..1))
        .push(MockResponse::json(503, json!({})))
        .push(page(2, None, 1..2));
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 2);
    assert_eq!(mock.request_count(), 3);
}

/// The ids a prefetched walk of `jobs/` (pages of 2) yields; any error fails the test.
async fn prefetched_ids(mock: &MockTransport, prefetch: usize) -> Vec<u64> {
    collect(
        common::client(mock, deterministic())
            .paginate::<Value>("jobs/", vec![])
            .page_size(Some(2))
            .prefetch(prefetch),
    )
    .await
    .into_iter()
    .map(|r| r.expect("item")["id"].as_u64().expect("id"))
    .collect()
}

fn numbered_page(count: u64, page: u64, per: u64, last: u64) -> MockResponse {
    let next = (page < last).then(|| {
        format!(
            "https://synapse.test/jobs/?page={}&page_size={per}",
            page + 1
        )
    });
    let start = (page - 1) * per;
    let end = (start + per).min(count);
    self::page(count, next.as_deref(), start..end)
}

#[tokio::test(start_paused = true)]
async fn prefetch_requests_pages_ahead_once_each_and_yields_in_order() {
    let mock = MockTransport::new();
    mock.route(
        Method::GET,
        "/jobs/?page_size=2",
        numbered_page(9, 1, 2, 5).delay(std::time::Duration::from_millis(100)),
    );
    for p in 2..=5 {
        mock.route(
            Method::GET,
            &format!("/jobs/?page={p}&page_size=2"),
            numbered_page(9, p, 2, 5).delay(std::time::Duration::from_millis(100)),
        );
    }
    let start = tokio::time::Instant::now();
    let ids = prefetched_ids(&mock, 4).await;
    assert_eq!(ids, (0..9).collect::<Vec<_>>());
    assert_eq!(mock.request_count(), 5, "no page requested twice");
    assert_eq!(mock.unused_replies(), 0);
    // Page 1, then pages 2-5 together: 200 ms instead of 500 ms one at a time.
    assert_eq!(start.elapsed(), std::time::Duration::from_millis(200));
}

#[tokio::test]
async fn a_listing_that_grows_during_prefetch_is_followed_to_its_end() {
    let mock = MockTransport::new();
    mock.route(Method::GET, "/jobs/?page_size=2", numbered_page(6, 1, 2, 3));
    mock.route(
        Method::GET,
        "/jobs/?page=2&page_size=2",
        numbered_page(6, 2, 2, 3),
    );
    // Page 3 unexpectedly links to a page 4: items were added meanwhile. The plan ends at
    // page 3; the walk follows the link, exactly as the sequential walk does.
    mock.route(
        Method::GET,
        "/jobs/?page=3&page_size=2",
        page(
            8,
            Some("https://synapse.test/jobs/?page=4&page_size=2"),
            4..6,
        ),
    );
    mock.route(
        Method::GET,
        "/jobs/?page=4&page_size=2",
        page(8, None, 6..8),
    );
    let ids = prefetched_ids(&mock, 3).await;
    assert_eq!(ids, (0..8).collect::<Vec<_>>());
    assert_eq!(mock.request_count(), 4, "each page once");
}

#[tokio::test]
async fn prefetch_never_truncates_when_page_one_has_no_or_a_low_count() {
    for first_count in [None, Some(2), Some(3)] {
        let mock = MockTransport::new();
        let mut body = json!({
            "next": "https://synapse.test/jobs/?page=2&page_size=2",
            "previous": null,
            "results": [{"id": 0}, {"id": 1}],
        });
        if let Some(c) = first_count {
            body["count"] = json!(c);
        }
        mock.route(
            Method::GET,
            "/jobs/?page_size=2",
            MockResponse::json(200, body),
        );
        mock.route(
            Method::GET,
            "/jobs/?page=2&page_size=2",
            page(4, None, 2..4),
        );
        let ids = prefetched_ids(&mock, 4).await;
        assert_eq!(ids, [0, 1, 2, 3], "count {first_count:?}");
    }
}

#[tokio::test]
async fn fresh_cursors_beyond_the_announced_count_stop_the_walk() {
    let mock = MockTransport::new();
    for n in 0..50u64 {
        let next = format!("https://synapse.test/jobs/?cursor=c{}", n + 1);
        mock.push(page(250, Some(&next), n * 100..(n + 1) * 100));
    }
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 400);
    match items.last() {
        Some(Err(Error::Pagination(PaginationError::CountExceeded { count, received }))) => {
            assert_eq!((*count, *received), (250, 400));
        }
        other => panic!("unexpected end: {other:?}"),
    }
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test]
async fn a_walk_without_count_stops_at_the_page_cap() {
    let mock = MockTransport::new();
    for n in 0..30u64 {
        let next = format!("https://synapse.test/jobs/?cursor=c{}", n + 1);
        mock.push(MockResponse::json(
            200,
            json!({"next": next, "results": [{"id": n}]}),
        ));
    }
    let mut stream = common::client(&mock, deterministic())
        .paginate::<Value>("jobs/", vec![])
        .max_pages(20);
    assert_eq!(stream.total().await.expect("no count is not an error"), 0);
    let items = collect(stream).await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 20);
    assert!(matches!(
        items.last(),
        Some(Err(Error::Pagination(PaginationError::TooManyPages {
            limit: 20
        })))
    ));
    assert_eq!(mock.request_count(), 20);
}

#[tokio::test]
async fn a_missing_count_is_not_an_error() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"next": "https://synapse.test/jobs/?page=2", "results": [{"id": 0}]}),
    ))
    .push(MockResponse::json(
        200,
        json!({"next": null, "results": [{"id": 1}]}),
    ));
    let items =
        collect(common::client(&mock, deterministic()).paginate::<Value>("jobs/", vec![])).await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(Result::is_ok));
}

#[tokio::test]
async fn prefetch_falls_back_to_one_page_at_a_time_for_cursor_links() {
    let mock = MockTransport::new();
    mock.push(page(4, Some("https://synapse.test/jobs/?cursor=abc"), 0..2))
        .push(page(4, None, 2..4));
    let items = collect(
        common::client(&mock, deterministic())
            .paginate::<Value>("jobs/", vec![])
            .prefetch(8),
    )
    .await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 4);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn a_read_timeout_applies_to_every_page_request() {
    let mock = MockTransport::new();
    mock.push(page(
        2,
        Some("https://synapse.test/data_units/?page=2"),
        0..1,
    ))
    .push(page(2, None, 1..2));
    let timeout = synapse_transport::ReadTimeout::After(std::time::Duration::from_secs(60));
    let items = collect(
        common::client(&mock, deterministic())
            .paginate::<Value>("data_units/", vec![])
            .read_timeout(timeout),
    )
    .await;
    assert_eq!(items.len(), 2);
    assert!(mock.requests().iter().all(|r| r.read_timeout == timeout));
}

/// Four pages of two items (`count` 8), linked by page number.
fn four_numbered_pages(mock: &MockTransport) {
    for n in 1..=4u64 {
        mock.push(numbered_page(8, n, 2, 4));
    }
}

/// The `page` query value of every request, in order.
fn requested_pages(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            r.query_pairs()
                .into_iter()
                .find(|(k, _)| k == "page")
                .map_or_else(|| "1".to_owned(), |(_, v)| v)
        })
        .collect()
}

#[tokio::test]
async fn past_page_one_the_next_page_is_requested_before_the_walk_needs_it() {
    let mock = MockTransport::new();
    four_numbered_pages(&mock);
    let mut items = common::client(&mock, deterministic())
        .paginate::<Value>("jobs/", vec![])
        .page_size(Some(2));
    // Page 1 alone: a walk that stops within it (`take(2)`) asks for nothing more.
    items.next().await;
    items.next().await;
    assert_eq!(mock.request_count(), 1);
    // Page 2's first item: page 3 is already on its way, page 4 not yet.
    items.next().await;
    assert_eq!(requested_pages(&mock), ["1", "2", "3"]);
    let rest: Vec<u64> = items
        .map(|r| r.expect("item")["id"].as_u64().expect("id"))
        .collect()
        .await;
    assert_eq!(rest, [3, 4, 5, 6, 7]);
    // Each page once, in order; none past the last (page 1's `count` says it is the last).
    assert_eq!(requested_pages(&mock), ["1", "2", "3", "4"]);
}

#[tokio::test]
async fn prefetch_zero_requests_each_page_only_when_the_walk_needs_it() {
    let mock = MockTransport::new();
    four_numbered_pages(&mock);
    let mut items = common::client(&mock, deterministic())
        .paginate::<Value>("jobs/", vec![])
        .page_size(Some(2))
        .prefetch(0);
    for _ in 0..3 {
        items.next().await;
    }
    assert_eq!(requested_pages(&mock), ["1", "2"]);
    assert_eq!(items.count().await, 5);
    assert_eq!(requested_pages(&mock), ["1", "2", "3", "4"]);
}

#[tokio::test]
async fn a_page_read_ahead_that_failed_in_transit_is_requested_again() {
    let mock = MockTransport::new();
    mock.push(numbered_page(8, 1, 2, 4))
        .push(numbered_page(8, 2, 2, 4))
        .push(MockFailure::ReadTimeout)
        .push(numbered_page(8, 3, 2, 4))
        .push(numbered_page(8, 4, 2, 4));
    let client = common::client(&mock, RetryPolicy::never());
    let items = collect(client.paginate::<Value>("jobs/", vec![]).page_size(Some(2))).await;
    let ids: Vec<u64> = items
        .iter()
        .map(|r| r.as_ref().expect("no error")["id"].as_u64().expect("id"))
        .collect();
    assert_eq!(ids, (0..8).collect::<Vec<_>>());
    assert_eq!(requested_pages(&mock), ["1", "2", "3", "3", "4"]);
}

#[tokio::test]
async fn a_page_read_ahead_that_the_server_refused_is_the_walks_error() {
    let mock = MockTransport::new();
    mock.push(numbered_page(8, 1, 2, 4))
        .push(numbered_page(8, 2, 2, 4))
        .push(MockResponse::json(500, json!({"detail": "boom"})));
    let client = common::client(&mock, RetryPolicy::never());
    let items = collect(client.paginate::<Value>("jobs/", vec![]).page_size(Some(2))).await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 4);
    match items.last() {
        Some(Err(Error::Api(api))) => assert_eq!(api.status.as_u16(), 500),
        other => panic!("unexpected end: {other:?}"),
    }
    // As the sequential walk: page 3 asked for once, its error yielded after page 2's items.
    assert_eq!(requested_pages(&mock), ["1", "2", "3"]);
}
