//! Property: for any server page layout, a prefetched or read-ahead walk yields exactly the
//! sequential walk's items in order, or the same error.

use futures_util::StreamExt;
use proptest::prelude::*;
use serde_json::{Value, json};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::{Client, Method, RetryPolicy};

const BASE: &str = "https://synapse.test/";

/// Where a page's `next` points.
#[derive(Debug, Clone)]
enum Link {
    None,
    /// `?page=j&page_size=2` (absolute).
    Numbered(usize),
    /// `?cursor=cj` (absolute).
    Cursor(usize),
    /// `?page=j&page_size=2`, relative.
    Relative(usize),
    /// Another origin.
    Foreign,
}

#[derive(Debug, Clone)]
enum Reply {
    Page {
        count: Option<u64>,
        items: u64,
        next: Link,
    },
    Status(u16),
    Garbage,
}

fn arb_link(pages: usize) -> impl Strategy<Value = Link> {
    let j = 1..=pages + 1;
    prop_oneof![
        2 => Just(Link::None),
        6 => j.clone().prop_map(Link::Numbered),
        2 => j.clone().prop_map(Link::Cursor),
        1 => j.prop_map(Link::Relative),
        1 => Just(Link::Foreign),
    ]
}

fn arb_reply(pages: usize) -> impl Strategy<Value = Reply> {
    prop_oneof![
        12 => (proptest::option::of(0u64..16), 0u64..4, arb_link(pages))
            .prop_map(|(count, items, next)| Reply::Page { count, items, next }),
        1 => prop_oneof![Just(404u16), Just(500u16)].prop_map(Reply::Status),
        1 => Just(Reply::Garbage),
    ]
}

/// Page 1 mostly looks plannable (a `count` and a link to page 2), so prefetch guesses,
/// and the later pages then decide whether the guesses hold.
fn arb_first(pages: usize) -> impl Strategy<Value = Reply> {
    prop_oneof![
        4 => (0u64..16, 1u64..4).prop_map(|(count, items)| Reply::Page {
            count: Some(count),
            items,
            next: Link::Numbered(2),
        }),
        1 => arb_reply(pages),
    ]
}

/// A layout: reply of page 1 (index 0), of numbered pages 2.., and of cursor pages 2...
fn arb_layout() -> impl Strategy<Value = (Vec<Reply>, Vec<Reply>)> {
    (1usize..7).prop_flat_map(|n| {
        (
            (arb_first(n), prop::collection::vec(arb_reply(n), n - 1)).prop_map(
                |(first, mut rest)| {
                    rest.insert(0, first);
                    rest
                },
            ),
            prop::collection::vec(arb_reply(n), n),
        )
    })
}

fn numbered(j: usize) -> String {
    if j == 1 {
        "/items/?page_size=2".to_owned()
    } else {
        format!("/items/?page={j}&page_size=2")
    }
}

fn mock_for(layout: &(Vec<Reply>, Vec<Reply>)) -> MockTransport {
    let mock = MockTransport::new();
    let mut first_id = 0u64;
    let mut respond = |reply: &Reply| -> MockResponse {
        match reply {
            Reply::Status(s) => MockResponse::json(*s, json!({"detail": "no"})),
            Reply::Garbage => MockResponse::bytes(200, "<html>"),
            Reply::Page { count, items, next } => {
                let results: Vec<Value> = (first_id..first_id + items)
                    .map(|i| json!({"id": i}))
                    .collect();
                first_id += items;
                let next = match next {
                    Link::None => Value::Null,
                    Link::Numbered(j) => json!(format!("https://synapse.test{}", numbered(*j))),
                    Link::Cursor(j) => json!(format!("https://synapse.test/items/?cursor=c{j}")),
                    Link::Relative(j) => json!(numbered(*j)),
                    Link::Foreign => json!("https://elsewhere.test/items/?page=2"),
                };
                let mut body = json!({"next": next, "previous": null, "results": results});
                if let Some(c) = count {
                    body["count"] = json!(c);
                }
                MockResponse::json(200, body)
            }
        }
    };
    for (i, reply) in layout.0.iter().enumerate() {
        mock.route_always(Method::GET, &numbered(i + 1), respond(reply));
    }
    for (i, reply) in layout.1.iter().enumerate() {
        mock.route_always(
            Method::GET,
            &format!("/items/?cursor=c{}", i + 1),
            respond(reply),
        );
    }
    mock
}

/// Items as ids, errors as their text.
fn walk(mock: &MockTransport, prefetch: usize) -> Vec<Result<u64, String>> {
    let client = Client::builder(BASE)
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        client
            .paginate::<Value>("items/", vec![])
            .page_size(Some(2))
            .prefetch(prefetch)
            .max_pages(40)
            .map(|r| {
                r.map(|v| v["id"].as_u64().unwrap_or(u64::MAX))
                    .map_err(|e| e.to_string())
            })
            .collect()
            .await
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn prefetch_yields_exactly_the_sequential_walk(layout in arb_layout(), k in 1usize..6) {
        // k = 1: read-ahead along the real `next` links; k ≥ 2: guessed pages.
        let sequential = walk(&mock_for(&layout), 0);
        let prefetched = walk(&mock_for(&layout), k);
        prop_assert_eq!(sequential, prefetched);
    }
}

#[test]
fn a_consistent_layout_is_prefetched_once_per_page() {
    let pages = 5;
    let layout: Vec<Reply> = (1..=pages)
        .map(|j| Reply::Page {
            count: Some(9),
            items: if j < pages { 2 } else { 1 },
            next: if j < pages {
                Link::Numbered(j + 1)
            } else {
                Link::None
            },
        })
        .collect();
    let mock = mock_for(&(layout, Vec::new()));
    let items = walk(&mock, 3);
    assert_eq!(items, (0..9).map(Ok).collect::<Vec<_>>());
    let mut urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    let total = urls.len();
    urls.sort();
    urls.dedup();
    assert_eq!((total, urls.len()), (5, 5), "each page requested once");
}
