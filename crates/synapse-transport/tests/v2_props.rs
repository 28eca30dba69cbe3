//! Property tests of the v2 decoders: the envelope rule on arbitrary JSON, arbitrary bytes
//! (never a panic, only typed errors), every truncation (a typed error), cursor pages in
//! both shapes, and event streams whatever the chunking and line ends.

use bytes::Bytes;
use futures_util::StreamExt;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use synapse_transport::mock::{MockChunk, MockResponse, MockTransport};
use synapse_transport::v2::{
    SseOptions, SseStream, decode_cursor_page, decode_envelope, decode_unit,
};
use synapse_transport::{
    CallInfo, Client, Error, HeaderMap, Method, RetryPolicy, SseDecoder, SseEvent, StatusCode,
};

fn call() -> CallInfo {
    CallInfo {
        method: Method::GET,
        url: "https://synapse.test/v2/x/".to_owned(),
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("data".to_owned()),
                    Just("meta".to_owned()),
                    Just("request_id".to_owned()),
                    Just("pagination".to_owned()),
                    Just("next_cursor".to_owned()),
                    Just("results".to_owned()),
                    Just("next".to_owned()),
                    "[a-z_]{1,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies that are, or nearly are, envelopes, besides arbitrary JSON.
fn arb_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => arb_json(),
        2 => (arb_json(), arb_json()).prop_map(|(d, m)| json!({"data": d, "meta": m})),
        2 => (arb_json(), prop::option::of("[a-z_0-9]{0,8}")).prop_map(|(d, id)| {
            json!({"data": d, "meta": {"request_id": id, "pagination": {"next_cursor": "c"}}})
        }),
        1 => (arb_json(), arb_json(), arb_json())
            .prop_map(|(d, m, x)| json!({"data": d, "meta": m, "id": x})),
        1 => arb_json().prop_map(|d| json!({"data": d})),
    ]
}

/// The value the envelope rule gives for `body`, with its meta.
fn expected(body: &Value) -> (Value, Option<Map<String, Value>>) {
    if let Value::Object(map) = body
        && map.len() == 2
        && let (Some(data), Some(Value::Object(meta))) = (map.get("data"), map.get("meta"))
    {
        return (data.clone(), Some(meta.clone()));
    }
    (body.clone(), None)
}

fn is_decode(result: &Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(result, Ok(_) | Err(Error::Decode(_)))
}

/// Texts of JSON objects: envelopes and pages in both shapes.
fn arb_object_text() -> impl Strategy<Value = String> {
    let items = prop::collection::vec(any::<u32>(), 0..4);
    prop_oneof![
        (arb_json(), "[a-z_0-9]{1,8}")
            .prop_map(|(d, id)| { json!({"data": d, "meta": {"request_id": id}}).to_string() }),
        (items.clone(), prop::option::of("[a-zA-Z0-9]{1,8}")).prop_map(|(items, next)| {
            json!({"data": items, "meta": {"pagination": {"next_cursor": next, "per_page": 2}}})
                .to_string()
        }),
        (items, prop::option::of("[a-zA-Z0-9]{1,8}")).prop_map(|(items, next)| {
            let next = next.map(|c| format!("https://synapse.test/v2/x/?cursor={c}"));
            json!({"next": next, "previous": null, "results": items}).to_string()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_envelope_rule_holds_for_arbitrary_json(body in arb_body()) {
        let bytes = body.to_string();
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "hdr".parse().expect("header"));
        let decoded = decode_envelope::<Value>(&call(), StatusCode::OK, &headers, bytes.as_bytes())
            .expect("any JSON decodes as a Value");
        let (value, meta) = expected(&body);
        prop_assert_eq!(&*decoded, &value);
        prop_assert_eq!(decoded.meta().map(|m| m.as_map().clone()), meta.clone());
        let id = meta
            .as_ref()
            .and_then(|m| m.get("request_id"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("hdr");
        prop_assert_eq!(decoded.request_id(), Some(id));
    }

    #[test]
    fn arbitrary_bytes_give_a_value_or_a_decode_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let headers = HeaderMap::new();
        let status = StatusCode::OK;
        prop_assert!(is_decode(&decode_envelope::<Value>(&call(), status, &headers, &bytes)));
        prop_assert!(is_decode(&decode_envelope::<Vec<u64>>(&call(), status, &headers, &bytes)));
        prop_assert!(is_decode(&decode_cursor_page::<Value>(&call(), status, &headers, &bytes)));
        prop_assert!(is_decode(&decode_cursor_page::<u64>(&call(), status, &headers, &bytes)));
        let unit = decode_unit(status, &headers, &bytes);
        prop_assert_eq!(unit.status(), status);
    }

    #[test]
    fn arbitrary_json_gives_a_value_or_a_decode_error(body in arb_body()) {
        let bytes = body.to_string();
        let headers = HeaderMap::new();
        let status = StatusCode::OK;
        prop_assert!(is_decode(&decode_cursor_page::<Value>(&call(), status, &headers, bytes.as_bytes())));
        prop_assert!(is_decode(&decode_envelope::<Vec<String>>(&call(), status, &headers, bytes.as_bytes())));
    }

    #[test]
    fn any_truncation_of_an_answer_is_a_decode_error(text in arb_object_text()) {
        let headers = HeaderMap::new();
        for cut in 0..text.len() {
            let prefix = &text.as_bytes()[..cut];
            let envelope = decode_envelope::<Value>(&call(), StatusCode::OK, &headers, prefix);
            prop_assert!(matches!(envelope, Err(Error::Decode(_))), "cut {}: {:?}", cut, envelope);
            let page = decode_cursor_page::<Value>(&call(), StatusCode::OK, &headers, prefix);
            prop_assert!(matches!(page, Err(Error::Decode(_))), "cut {}: {:?}", cut, page);
        }
    }

    #[test]
    fn cursor_pages_decode_the_same_in_both_shapes(
        items in prop::collection::vec(any::<u64>(), 0..5),
        next in prop::option::of("[A-Za-z0-9=+/_-]{1,12}"),
        shape in 0..4u8,
    ) {
        let link = |c: &String| {
            url::Url::parse_with_params("https://other.example/v2/x/?per_page=5", [("cursor", c)])
                .expect("url")
                .to_string()
        };
        let body = match shape {
            0 => json!({"data": items, "meta": {"request_id": "r", "pagination": {"next_cursor": next}}}),
            // A token in `next_cursor` is a token even when it starts with `/`.
            1 => json!({"next": next.as_ref().map(link), "previous": null, "results": items}),
            2 => json!({"next": next.as_ref().map(|c| {
                let l = link(c);
                l.trim_start_matches("https://other.example").to_owned()
            }), "results": items}),
            _ => json!({"data": items, "meta": {"pagination": {"next_cursor": next.as_ref().map(link)}}}),
        };
        let page = decode_cursor_page::<u64>(&call(), StatusCode::OK, &HeaderMap::new(), body.to_string().as_bytes())
            .expect("page");
        prop_assert_eq!(page.results, items);
        prop_assert_eq!(page.next_cursor, next);
    }
}

/// One event to encode: name, data lines, id, line end.
#[derive(Debug, Clone)]
struct Ev {
    name: Option<String>,
    lines: Vec<String>,
    id: Option<String>,
    eol: &'static str,
    comment: bool,
}

fn arb_event() -> impl Strategy<Value = Ev> {
    (
        prop::option::of("[a-z][a-z._]{0,8}"),
        prop::collection::vec("[^\r\n]{0,10}", 1..3),
        prop::option::of("[a-z0-9]{1,5}"),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
    )
        .prop_map(|(name, lines, id, eol, comment)| Ev {
            name,
            lines,
            id,
            eol,
            comment,
        })
}

/// The bytes of `events`, the offset where each event's blank line ends, and every offset
/// where the stream may end cleanly (between events or after a whole comment line; a line
/// ended by CR LF is whole at its CR, since nothing can follow the end of the stream).
fn encode(events: &[Ev]) -> (Vec<u8>, Vec<usize>, Vec<usize>) {
    let mut out = String::new();
    let mut ends = Vec::new();
    let mut clean = vec![0];
    let whole_line = |at: usize, eol: &str, clean: &mut Vec<usize>| {
        clean.push(at);
        if eol == "\r\n" {
            clean.push(at - 1);
        }
    };
    for e in events {
        if e.comment {
            out.push_str(": keep-alive");
            out.push_str(e.eol);
            whole_line(out.len(), e.eol, &mut clean);
        }
        if let Some(name) = &e.name {
            out.push_str(&format!("event: {name}{}", e.eol));
        }
        if let Some(id) = &e.id {
            out.push_str(&format!("id: {id}{}", e.eol));
        }
        for line in &e.lines {
            out.push_str(&format!("data: {line}{}", e.eol));
        }
        out.push_str(e.eol);
        ends.push(out.len());
        whole_line(out.len(), e.eol, &mut clean);
    }
    (out.into_bytes(), ends, clean)
}

/// The events a decoder must give for `events`.
fn decoded(events: &[Ev]) -> Vec<SseEvent> {
    let mut id: Option<String> = None;
    events
        .iter()
        .map(|e| {
            if e.id.is_some() {
                id = e.id.clone();
            }
            let event = SseEvent::new(
                e.name.clone().unwrap_or_else(|| "message".to_owned()),
                e.lines.join("\n"),
            );
            match &id {
                Some(i) => event.with_id(i.clone()),
                None => event,
            }
        })
        .collect()
}

/// Splits `bytes` at the given points (sorted, deduplicated, within bounds).
fn chunks(bytes: &[u8], mut cuts: Vec<usize>) -> Vec<Vec<u8>> {
    cuts.retain(|c| *c < bytes.len());
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut at = 0;
    for c in cuts {
        out.push(bytes[at..c].to_vec());
        at = c;
    }
    out.push(bytes[at..].to_vec());
    out
}

fn run(decoder: &mut SseDecoder, pieces: &[Vec<u8>]) -> Result<Vec<SseEvent>, Error> {
    let mut out = Vec::new();
    for piece in pieces {
        decoder.feed(piece)?;
        while let Some(e) = decoder.next_event() {
            out.push(e);
        }
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_sse_decoder_never_panics_and_fails_only_with_typed_errors(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        cuts in prop::collection::vec(0usize..300, 0..8),
    ) {
        let mut decoder = SseDecoder::new("u").max_event_bytes(64);
        match run(&mut decoder, &chunks(&bytes, cuts)) {
            Ok(_) => {
                let end = decoder.finish();
                prop_assert!(matches!(end, Ok(()) | Err(Error::ResponseIncomplete { .. })), "{:?}", end);
            }
            Err(e) => prop_assert!(matches!(e, Error::StreamLimit { .. }), "{:?}", e),
        }
    }

    #[test]
    fn encoded_events_decode_back_whatever_the_chunking_and_line_ends(
        events in prop::collection::vec(arb_event(), 0..5),
        cuts in prop::collection::vec(0usize..400, 0..10),
    ) {
        let (bytes, _, _) = encode(&events);
        let mut decoder = SseDecoder::new("u");
        let got = run(&mut decoder, &chunks(&bytes, cuts)).expect("decoded");
        prop_assert_eq!(got, decoded(&events));
        prop_assert!(decoder.finish().is_ok());
    }

    #[test]
    fn a_truncated_stream_ends_cleanly_only_at_an_event_boundary(
        events in prop::collection::vec(arb_event(), 1..4),
        cut_at in any::<prop::sample::Index>(),
    ) {
        let (bytes, ends, clean) = encode(&events);
        let cut = cut_at.index(bytes.len() + 1);
        let mut decoder = SseDecoder::new("u");
        let got = run(&mut decoder, &[bytes[..cut].to_vec()]).expect("decoded");
        let end = decoder.finish();
        // An event is complete when its blank line is in; a CR LF blank line is complete
        // at its CR, since nothing can follow the end of the stream.
        let complete = |i: usize| ends[i] <= cut || (events[i].eol == "\r\n" && ends[i] - 1 == cut);
        let n = (0..events.len()).filter(|i| complete(*i)).count();
        prop_assert_eq!(&got, &decoded(&events)[..n]);
        if clean.contains(&cut) {
            prop_assert!(end.is_ok(), "cut {}: {:?}", cut, end);
        } else {
            prop_assert!(matches!(end, Err(Error::ResponseIncomplete { .. })), "cut {}: {:?}", cut, end);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_stream_yields_every_event_then_ends_whatever_the_chunking(
        events in prop::collection::vec(arb_event(), 0..5),
        cuts in prop::collection::vec(0usize..400, 0..10),
    ) {
        let (bytes, _, _) = encode(&events);
        let pieces: Vec<MockChunk> = chunks(&bytes, cuts)
            .into_iter()
            .map(|c| MockChunk::Data(Bytes::from(c)))
            .collect();
        let mock = MockTransport::new();
        mock.push(MockResponse::chunked(200, pieces).header("content-type", "text/event-stream"));
        let client = Client::builder("https://synapse.test/")
            .transport(mock.clone())
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("client");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let got: Vec<Result<SseEvent, Error>> = runtime.block_on(async {
            let request = client.get("v2/events/").build();
            SseStream::new(client, request, SseOptions::new()).collect().await
        });
        let got: Vec<SseEvent> = got.into_iter().map(|r| r.expect("event")).collect();
        prop_assert_eq!(got, decoded(&events));
        prop_assert_eq!(mock.request_count(), 1);
    }
}
