//! Property tests: arbitrary bytes and arbitrary JSON fed to every decoding path give a
//! value or a typed error, never a panic.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::Value;
use synapse_transport::{
    ApiError, EXCERPT_LIMIT, Error, HeaderMap, HeaderValue, Method, Page, StatusCode, decode_json,
    decode_value, parse_retry_after,
};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("count"),
            Just("next"),
            Just("results"),
            Just("RUNNING")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("count".to_owned()),
                    Just("next".to_owned()),
                    Just("previous".to_owned()),
                    Just("results".to_owned()),
                    Just("detail".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn check_all(body: &[u8]) {
    let status = StatusCode::OK;
    let page = decode_json::<Page<Value>>(&Method::GET, "https://h/jobs/", status, body);
    match page {
        Ok(_) => {}
        Err(Error::Decode(d)) => assert!(d.excerpt.len() <= EXCERPT_LIMIT),
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
    let _ = decode_json::<Value>(&Method::GET, "https://h/", status, body);
    let _ = decode_json::<Vec<u64>>(&Method::GET, "https://h/", status, body);
    let _ = decode_value(status, body);
    check_models(body);
    for code in [400u16, 404, 429, 503] {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_bytes(&body[..body.len().min(40)]) {
            headers.insert("retry-after", v);
        }
        let e = ApiError::from_parts(
            Method::POST,
            "https://h/x/".to_owned(),
            StatusCode::from_u16(code).expect("status"),
            &headers,
            &Bytes::copy_from_slice(body),
        );
        let _ = e.to_string();
        let _ = e.detail();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = parse_retry_after(text);
    }
}

/// Every typed response model: decoding gives a value or a typed error, never a panic,
/// and a decoded value re-serialises.
fn check_models(body: &[u8]) {
    use synapse_models::*;
    fn one<T: serde::de::DeserializeOwned + serde::Serialize>(body: &[u8]) {
        if let Ok(v) = decode_json::<T>(&Method::GET, "https://h/", StatusCode::OK, body) {
            serde_json::to_vec(&v).expect("a decoded model re-serialises");
        }
    }
    one::<Job>(body);
    one::<Page<Job>>(body);
    one::<Storage>(body);
    one::<StorageSession>(body);
    one::<Agent>(body);
    one::<Plugin>(body);
    one::<PluginRelease>(body);
    one::<ConsoleLogs>(body);
    one::<TailEvent>(body);
    one::<JobLog>(body);
    one::<ServeApplication>(body);
    one::<ChunkedUploadState>(body);
    one::<ChunkedUploadFinalizeResponse>(body);
    one::<JobStatus>(body);
    one::<StorageProvider>(body);
    one::<ChunkedUploadStatus>(body);
    one::<Timestamp>(body);
    one::<JobId>(body);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let e = ErrorBody::from(v);
        let _ = (
            e.detail(),
            e.field_errors(),
            e.offset(),
            e.code(),
            e.error_type(),
        );
    }
}

fn arb_model_json() -> impl Strategy<Value = Value> {
    // Objects shaped like the models, with arbitrary values under their real keys.
    let keys = prop_oneof![
        Just("id"),
        Just("status"),
        Just("name"),
        Just("category"),
        Just("provider"),
        Just("configuration"),
        Just("plugin"),
        Just("plugin_release"),
        Just("queue"),
        Just("error"),
        Just("offset"),
        Just("url"),
        Just("completed_at"),
        Just("created"),
        Just("token"),
        Just("logs"),
        Just("results"),
        Just("type"),
        Just("job"),
        Just("count"),
        Just("agent"),
        Just("progress_record"),
        Just("detail"),
        Just("config"),
        Just("x")
    ];
    prop::collection::btree_map(keys.prop_map(str::to_owned), arb_json(), 0..10)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_all(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        check_all(value.to_string().as_bytes());
    }

    #[test]
    fn model_shaped_json_never_panics(value in arb_model_json()) {
        check_all(value.to_string().as_bytes());
    }

    #[test]
    fn pages_with_any_results_decode_or_fail_typed(results in prop::collection::vec(arb_json(), 0..8), count in any::<Option<u32>>()) {
        let body = serde_json::json!({"count": count, "next": null, "results": results});
        let page = decode_json::<Page<Value>>(&Method::GET, "u", StatusCode::OK, body.to_string().as_bytes())
            .expect("a page of arbitrary JSON values always decodes");
        prop_assert_eq!(page.results.len(), results.len());
    }
}

#[test]
fn error_is_send_sync_and_static() {
    fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
    assert_traits::<Error>();
}
