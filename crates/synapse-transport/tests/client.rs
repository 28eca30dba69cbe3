//! The client core: headers, content types, query, redirects, decoding, streams.

mod common;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_transport::mock::{MockChunk, MockResponse, MockTransport, RecordedBody};
use synapse_transport::{
    ApiErrorKind, Client, Error, FileRange, Method, Multipart, RetryPolicy, Secret,
};

use common::{BASE, client, deterministic};

#[tokio::test]
async fn content_type_follows_the_spec_per_method_and_body() {
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/x/", MockResponse::empty(200));
    mock.route_always(Method::DELETE, "/x/", MockResponse::empty(204));
    mock.route_always(Method::POST, "/x/", MockResponse::empty(200));
    mock.route_always(Method::PUT, "/x/", MockResponse::empty(200));
    mock.route_always(Method::PATCH, "/x/", MockResponse::empty(200));
    let c = client(&mock, RetryPolicy::never());
    c.get("x/").send().await.expect("get");
    c.delete("x/").send().await.expect("delete");
    c.post("x/").send().await.expect("empty post");
    c.put("x/")
        .json(&json!({"a": 1}))
        .send()
        .await
        .expect("put");
    c.patch("x/")
        .json(&json!({"a": 1.0}))
        .send()
        .await
        .expect("patch");
    c.post("x/")
        .multipart(Multipart::with_boundary("b0b0").text("k", "v"))
        .send()
        .await
        .expect("multipart");
    let cts: Vec<Option<String>> = mock
        .requests()
        .iter()
        .map(|r| r.header("content-type").map(str::to_owned))
        .collect();
    assert_eq!(
        cts,
        vec![
            None,
            None,
            Some("application/json".into()),
            Some("application/json".into()),
            Some("application/json".into()),
            Some("multipart/form-data; boundary=b0b0".into()),
        ]
    );
    // A float stays a float on the wire.
    assert_eq!(mock.requests()[4].json(), Some(&json!({"a": 1.0})));
    assert_eq!(
        String::from_utf8_lossy(match &mock.requests()[4].body {
            RecordedBody::Json(_) => b"ok",
            _ => b"not json",
        }),
        "ok"
    );
}

#[tokio::test]
async fn default_headers_and_query_go_on_every_request() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({})));
    let c = Client::builder("https://synapse.test/api/")
        .transport(mock.clone())
        .secret_header("Synapse-Access-Token", "Token ", &Secret::new("acc-SECRET"))
        .secret_header("Synapse-Tenant", "Token ", &Secret::new(""))
        .default_query("url_host", "internal")
        .build()
        .expect("client");
    c.get("/jobs/1/")
        .query("expand", "logs")
        .query_opt("missing", None::<&str>)
        .send_value()
        .await
        .expect("ok");
    let r = &mock.requests()[0];
    assert_eq!(
        r.url.as_str(),
        "https://synapse.test/api/jobs/1/?url_host=internal&expand=logs"
    );
    assert_eq!(r.header("synapse-access-token"), Some("Token acc-SECRET"));
    assert!(
        r.headers
            .get("synapse-access-token")
            .expect("h")
            .is_sensitive()
    );
    assert!(
        r.header("synapse-tenant").is_none(),
        "empty secrets are not sent"
    );
    insta::assert_json_snapshot!(r.snapshot(), @r#"
    {
      "body": null,
      "headers": {
        "synapse-access-token": "***"
      },
      "method": "GET",
      "url": "https://synapse.test/api/jobs/1/?url_host=internal&expand=logs"
    }
    "#);
}

#[tokio::test]
async fn multipart_file_parts_stream_from_a_byte_range() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("plugin.zip");
    std::fs::write(&path, b"0123456789").expect("write");
    let mock = MockTransport::new();
    mock.push(MockResponse::json(201, json!({"id": 3})));
    client(&mock, deterministic())
        .post("plugin_releases/")
        .multipart(
            Multipart::with_boundary("0123456789abcdef0123456789abcdef")
                .text("plugin", "yolov8")
                .text("debug", "False")
                .file("file", "plugin.zip", FileRange::new(&path, 2, 5)),
        )
        .send()
        .await
        .expect("sent");
    let r = &mock.requests()[0];
    insta::assert_json_snapshot!(r.snapshot(), @r#"
    {
      "body": {
        "content_length": 335,
        "multipart": [
          {
            "data": "yolov8",
            "filename": null,
            "name": "plugin"
          },
          {
            "data": "False",
            "filename": null,
            "name": "debug"
          },
          {
            "data": "23456",
            "filename": "plugin.zip",
            "name": "file"
          }
        ]
      },
      "headers": {
        "content-length": "335",
        "content-type": "multipart/form-data; boundary=<boundary>"
      },
      "method": "POST",
      "url": "https://synapse.test/plugin_releases/"
    }
    "#);
    match &r.body {
        RecordedBody::Multipart { raw, .. } => {
            let text = String::from_utf8_lossy(raw);
            assert!(text.contains(
                "Content-Disposition: form-data; name=\"file\"; filename=\"plugin.zip\"\r\n\r\n23456\r\n"
            ));
            assert!(
                !text.contains("Content-Type"),
                "parts carry no content type"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn same_origin_307_is_followed_with_the_body_and_method() {
    let mock = MockTransport::new();
    mock.route(
        Method::POST,
        "/a/",
        MockResponse::empty(307).header("location", "/b/"),
    );
    mock.route(
        Method::POST,
        "/b/",
        MockResponse::json(201, json!({"ok": true})),
    );
    let v = client(&mock, deterministic())
        .post("a/")
        .json(&json!({"x": 1}))
        .send_value()
        .await
        .expect("followed");
    assert_eq!(v, json!({"ok": true}));
    let reqs = mock.requests();
    assert_eq!(reqs[1].method, Method::POST);
    assert_eq!(reqs[1].json(), Some(&json!({"x": 1})));
}

#[tokio::test]
async fn refused_redirects_are_typed_errors() {
    // Another origin.
    let mock = MockTransport::new();
    mock.push(MockResponse::empty(302).header("location", "https://evil.example/steal"));
    let err = client(&mock, deterministic())
        .get("a/")
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(err, Error::Redirect { status: 302, .. }),
        "{err:?}"
    );
    assert_eq!(mock.request_count(), 1);
    // A write that would become a GET.
    let mock = MockTransport::new();
    mock.push(MockResponse::empty(301).header("location", "/b/"));
    let err = client(&mock, deterministic())
        .patch("a/")
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(err, Error::Redirect { status: 301, .. }),
        "{err:?}"
    );
    // Too many hops.
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/loop/",
        MockResponse::empty(302).header("location", "/loop/"),
    );
    let err = client(&mock, deterministic())
        .get("loop/")
        .send()
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert_eq!(mock.request_count(), 11);
}

#[tokio::test]
async fn api_errors_carry_status_kind_body_and_a_readable_display() {
    let cases = [
        (400, ApiErrorKind::BadRequest),
        (401, ApiErrorKind::Unauthorized),
        (403, ApiErrorKind::Forbidden),
        (404, ApiErrorKind::NotFound),
        (409, ApiErrorKind::Conflict),
        (418, ApiErrorKind::Other),
        (422, ApiErrorKind::BadRequest),
        (429, ApiErrorKind::RateLimited),
        (500, ApiErrorKind::Server),
    ];
    for (code, kind) in cases {
        let mock = MockTransport::new();
        mock.push(MockResponse::json(code, json!({"detail": "nope"})));
        let err = client(&mock, RetryPolicy::never())
            .get("plugins/42/")
            .send()
            .await
            .expect_err("error");
        let api = err.api().expect("api error");
        assert_eq!(api.kind, kind, "{code}");
        assert_eq!(err.status_code(), Some(code));
    }
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        409,
        json!({"detail": "release already running"}),
    ));
    let err = client(&mock, deterministic())
        .post("plugins/42/run/")
        .send()
        .await
        .expect_err("409");
    assert_eq!(
        err.to_string(),
        "POST https://synapse.test/plugins/42/run/ → 409 Conflict: release already running"
    );
    let mock = MockTransport::new();
    mock.push(MockResponse::empty(404));
    let err = client(&mock, deterministic())
        .get("x/")
        .send()
        .await
        .expect_err("404");
    assert_eq!(err.api().expect("api").detail(), json!("Not Found"));
    assert!(err.is_not_found());
}

#[tokio::test]
async fn gpu_unavailable_and_retry_after_are_recognised() {
    let mock = MockTransport::new();
    mock.push(
        MockResponse::json(
            503,
            json!({"error_type": "gpu_unavailable", "message": "GPU busy", "max_utilization": 0.97}),
        )
        .header("retry-after", "12"),
    );
    let err = client(&mock, RetryPolicy::never())
        .post("plugins/1/run/")
        .send()
        .await
        .expect_err("503");
    let api = err.api().expect("api");
    assert_eq!(api.kind, ApiErrorKind::GpuUnavailable);
    assert_eq!(api.retry_after, Some(Duration::from_secs(12)));
    assert_eq!(api.message(), "GPU busy");
}

#[tokio::test]
async fn decode_errors_name_the_field_and_keep_at_most_1_kib() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Job {
        id: u64,
        status: String,
    }
    let mut items: Vec<Value> = (0..200)
        .map(|i| json!({"id": i, "status": "RUNNING"}))
        .collect();
    items[3] = json!({"id": 3, "status": 17});
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"results": items})));
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrapper {
        results: Vec<Job>,
    }
    let err = client(&mock, deterministic())
        .get("jobs/")
        .send_json::<Wrapper>()
        .await
        .expect_err("decode");
    match &err {
        Error::Decode(d) => {
            assert_eq!(d.path, "results[3].status");
            assert!(d.excerpt.len() <= 1024);
            assert!(d.excerpt.starts_with("{\"results\":["));
            assert_eq!(d.status, 200);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.status_code(), Some(500));
}

#[tokio::test]
async fn untyped_bodies_decode_like_the_python_sdk() {
    let mock = MockTransport::new();
    mock.push(MockResponse::empty(204))
        .push(MockResponse::bytes(200, "plain text"))
        .push(MockResponse::empty(200));
    let c = client(&mock, deterministic());
    assert_eq!(c.get("a/").send_value().await.expect("204"), Value::Null);
    assert_eq!(
        c.get("a/").send_value().await.expect("text"),
        json!("plain text")
    );
    assert_eq!(c.get("a/").send_value().await.expect("empty"), json!(""));
}

#[tokio::test]
async fn unscripted_requests_fail_loudly_naming_the_request() {
    let mock = MockTransport::new();
    let err = client(&mock, deterministic())
        .get("nothing/here/")
        .send()
        .await
        .expect_err("unscripted");
    assert_eq!(
        err.to_string(),
        "MockTransport: no scripted reply for GET https://synapse.test/nothing/here/"
    );
}

#[tokio::test]
async fn streamed_bodies_arrive_in_pieces_and_a_drop_is_an_error() {
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![
            MockChunk::Data("line 1\n".into()),
            MockChunk::Delay(Duration::from_millis(5)),
            MockChunk::Data("line 2\n".into()),
            MockChunk::Drop,
        ],
    ));
    let resp = client(&mock, deterministic())
        .get("jobs/1/tail_console_logs/")
        .stream()
        .send()
        .await
        .expect("headers");
    let mut stream = resp.into_stream();
    assert_eq!(stream.next().await.expect("1").expect("ok"), "line 1\n");
    assert_eq!(stream.next().await.expect("2").expect("ok"), "line 2\n");
    assert!(matches!(
        stream.next().await,
        Some(Err(Error::ResponseIncomplete { .. }))
    ));
    assert!(stream.next().await.is_none());
    // A buffered read of a dropped body is an error, not a short success.
    let mock = MockTransport::new();
    mock.push(MockResponse::chunked(
        200,
        vec![MockChunk::Data("{\"a\"".into()), MockChunk::Drop],
    ));
    let err = client(&mock, RetryPolicy::never())
        .get("x/")
        .send()
        .await
        .expect_err("dropped");
    assert!(matches!(err, Error::ResponseIncomplete { .. }));
}

#[tokio::test(start_paused = true)]
async fn a_pending_reply_never_answers() {
    let mock = MockTransport::new();
    mock.push(synapse_transport::mock::MockReply::Pending);
    let c = client(&mock, deterministic());
    let r = tokio::time::timeout(Duration::from_secs(3600), c.get("x/").send()).await;
    assert!(r.is_err(), "must still be waiting");
}

#[test]
fn invalid_base_urls_and_headers_fail_at_build_time() {
    for base in [
        "ftp://x/",
        "https://x/?q=1",
        "relative/path",
        "https://x/#frag",
    ] {
        assert!(
            matches!(
                Client::builder(base).build(),
                Err(Error::InvalidInput { .. })
            ),
            "{base}"
        );
    }
    let err = Client::builder(BASE)
        .transport(MockTransport::new())
        .secret_header("Authorization", "Token ", &Secret::new("x\ny"))
        .build()
        .expect_err("CRLF");
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[test]
fn stream_limits_report_python_s_429() {
    let err = Error::StreamLimit {
        method: Method::GET,
        url: "https://synapse.test/jobs/1/logs/stream/".into(),
        limit: "more than 50000 messages".into(),
    };
    assert_eq!(err.status_code(), Some(429));
    assert_eq!(
        err.to_string(),
        "GET https://synapse.test/jobs/1/logs/stream/: stream limit exceeded: more than 50000 messages"
    );
}

#[tokio::test]
async fn server_text_is_escaped_in_messages_and_display() {
    let mock = MockTransport::new();
    let hostile = "no\u{1b}]0;owned\u{7}\r\nINFO forged";
    mock.push(MockResponse::json(400, json!({"detail": hostile})))
        .push(MockResponse::bytes(500, hostile))
        .push(MockResponse::json(200, json!({"id": "x\u{1b}"})));
    let c = client(&mock, RetryPolicy::never());
    for _ in 0..2 {
        let err = c.get("jobs/").send().await.expect_err("error status");
        let api = err.api().expect("api error");
        assert_eq!(api.message(), "no\\u{1b}]0;owned\\u{7}\\r\\nINFO forged");
        let shown = err.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        id: u64,
    }
    let err = c
        .get("jobs/")
        .send_json::<Strict>()
        .await
        .expect_err("decode error");
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
}

#[tokio::test]
async fn an_oversized_error_body_is_cut_and_debug_stays_short() {
    let mock = MockTransport::new();
    let huge = format!("{{\"detail\": \"{}\"}}", "x".repeat(10 * 1024 * 1024));
    mock.push(MockResponse::bytes(400, huge));
    let err = client(&mock, RetryPolicy::never())
        .get("jobs/")
        .send()
        .await
        .expect_err("400");
    let api = err.api().expect("api error");
    assert!(api.is_truncated());
    match &api.body {
        synapse_transport::ApiBody::Text(t) => {
            assert_eq!(t.len(), synapse_transport::ERROR_BODY_LIMIT);
            assert!(t.starts_with("{\"detail\": \"xxx"));
        }
        other => panic!("a cut body is text: {other:?}"),
    }
    assert!(
        format!("{err:?}").len() < 2048,
        "{}",
        format!("{err:?}").len()
    );
    assert!(err.to_string().len() < 1024);
}
