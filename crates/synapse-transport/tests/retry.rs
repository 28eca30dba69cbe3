//! Every retry rule: statuses, methods, Retry-After, budget and attempts.
//! Time is paused, so the sleeps cost nothing and elapsed time is exact.

mod common;

use std::time::Duration;

use serde_json::json;
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{ConnectKind, Error, Method, RetryPolicy};
use tokio::time::Instant;

use common::{client, deterministic};

fn status(code: u16) -> MockResponse {
    MockResponse::json(code, json!({"detail": format!("status {code}")}))
}

async fn get(mock: &MockTransport, policy: RetryPolicy) -> Result<serde_json::Value, Error> {
    client(mock, policy).get("jobs/1/").send_value().await
}

#[tokio::test(start_paused = true)]
async fn get_retries_502_503_504_with_exponential_backoff() {
    let mock = MockTransport::new();
    mock.push(status(502))
        .push(status(503))
        .push(status(504))
        .push(MockResponse::json(200, json!({"id": 1})));
    let start = Instant::now();
    let value = get(&mock, deterministic()).await.expect("succeeds");
    assert_eq!(value, json!({"id": 1}));
    assert_eq!(mock.request_count(), 4);
    // 2 s + 4 s + 8 s without jitter.
    assert_eq!(start.elapsed(), Duration::from_secs(14));
}

#[tokio::test(start_paused = true)]
async fn full_jitter_stays_under_the_ceiling() {
    let mock = MockTransport::new();
    mock.push(status(503))
        .push(status(503))
        .push(MockResponse::json(200, json!({})));
    let start = Instant::now();
    get(&mock, RetryPolicy::default()).await.expect("succeeds");
    assert!(
        start.elapsed() <= Duration::from_secs(6),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn statuses_outside_the_policy_are_not_retried() {
    for code in [400, 401, 403, 404, 409, 422, 500, 501] {
        let mock = MockTransport::new();
        mock.push(status(code));
        let err = get(&mock, deterministic()).await.expect_err("fails");
        assert_eq!(mock.request_count(), 1, "status {code} was retried");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        assert_eq!(err.status_code(), Some(code));
    }
}

#[tokio::test(start_paused = true)]
async fn every_idempotent_method_retries_and_post_patch_do_not() {
    for method in [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
    ] {
        let mock = MockTransport::new();
        mock.push(status(503)).push(MockResponse::empty(204));
        client(&mock, deterministic())
            .request(method.clone(), "x/")
            .send()
            .await
            .expect("retried to success");
        assert_eq!(mock.request_count(), 2, "{method} should retry");
    }
    for method in [Method::POST, Method::PATCH] {
        for code in [429, 502, 503, 504] {
            let mock = MockTransport::new();
            mock.push(status(code).header("retry-after", "1"))
                .push(MockResponse::empty(204));
            let err = client(&mock, deterministic())
                .request(method.clone(), "plugins/1/run/")
                .send()
                .await
                .expect_err("not replayed");
            assert_eq!(mock.request_count(), 1, "{method} {code} was replayed");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
            assert!(matches!(err, Error::Api(_)), "{err:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn post_retries_only_when_the_request_never_left() {
    for failure in [
        MockFailure::Dns,
        MockFailure::Refused,
        MockFailure::ConnectTimeout,
    ] {
        let mock = MockTransport::new();
        mock.push(failure)
            .push(MockResponse::json(201, json!({"id": 9})));
        let v = client(&mock, deterministic())
            .post("plugins/")
            .json(&json!({"name": "p"}))
            .send_value()
            .await
            .expect("retried");
        assert_eq!(v["id"], 9);
        assert_eq!(mock.request_count(), 2, "{failure:?}");
    }
    for failure in [MockFailure::ReadTimeout, MockFailure::Reset] {
        let mock = MockTransport::new();
        mock.push(failure).push(MockResponse::json(201, json!({})));
        let err = client(&mock, deterministic())
            .post("logs/")
            .send()
            .await
            .expect_err("outcome unknown: not replayed");
        assert_eq!(mock.request_count(), 1, "{failure:?}");
        assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
        assert_eq!(err.status_code(), None);
    }
}

#[tokio::test(start_paused = true)]
async fn tls_failures_are_never_retried() {
    let mock = MockTransport::new();
    mock.push(MockFailure::Tls).push(MockResponse::empty(200));
    let err = get(&mock, deterministic()).await.expect_err("fails");
    assert!(matches!(
        err,
        Error::Connect {
            kind: ConnectKind::Tls,
            ..
        }
    ));
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn get_retries_read_timeouts_and_resets() {
    let mock = MockTransport::new();
    mock.push(MockFailure::ReadTimeout)
        .push(MockFailure::Reset)
        .push(MockResponse::json(200, json!([])));
    get(&mock, deterministic()).await.expect("succeeds");
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_post_marked_idempotent_retries_on_statuses() {
    let mock = MockTransport::new();
    mock.push(status(503))
        .push(MockResponse::json(200, json!({"md5": "ok"})));
    client(&mock, deterministic())
        .post("chunked_upload/abc/")
        .idempotent(true)
        .send()
        .await
        .expect("retried");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_replace_the_backoff() {
    let mock = MockTransport::new();
    mock.push(status(429).header("retry-after", "7"))
        .push(status(503).header("retry-after", "0.5"))
        .push(MockResponse::json(200, json!({})));
    let start = Instant::now();
    get(&mock, RetryPolicy::default()).await.expect("succeeds");
    assert_eq!(start.elapsed(), Duration::from_millis(7500));
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_at_60_seconds() {
    let mock = MockTransport::new();
    mock.push(status(503).header("retry-after", "3600"))
        .push(MockResponse::json(200, json!({})));
    let start = Instant::now();
    get(&mock, deterministic().total_budget(None))
        .await
        .expect("succeeds");
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_in_the_past_means_now_and_garbage_is_ignored() {
    let mock = MockTransport::new();
    mock.push(status(503).header("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"))
        .push(status(503).header("retry-after", "soon"))
        .push(MockResponse::json(200, json!({})));
    let start = Instant::now();
    get(&mock, deterministic()).await.expect("succeeds");
    // 0 s for the past date, then the 4 s backoff of retry 2 for the unparseable value.
    assert_eq!(start.elapsed(), Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn exhausted_attempts_keep_the_real_status_body_and_history() {
    let mock = MockTransport::new();
    for _ in 0..4 {
        mock.push(MockResponse::json(
            502,
            json!({"detail": "bad gateway from lb"}),
        ));
    }
    let err = get(&mock, deterministic()).await.expect_err("exhausted");
    assert_eq!(mock.request_count(), 4);
    match &err {
        Error::RetriesExhausted {
            attempts,
            history,
            last,
            ..
        } => {
            assert_eq!(*attempts, 4);
            let delays: Vec<_> = history.iter().map(|a| a.delay.as_secs()).collect();
            assert_eq!(delays, vec![2, 4, 8]);
            assert_eq!(last.status().map(|s| s.as_u16()), Some(502));
        }
        other => panic!("unexpected {other:?}"),
    }
    // Python's number for exhausted 5xx retries, while the real status stays available.
    assert_eq!(err.status_code(), Some(503));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(
        err.body_json(),
        Some(&json!({"detail": "bad gateway from lb"}))
    );
}

#[tokio::test(start_paused = true)]
async fn max_attempts_is_configurable() {
    let mock = MockTransport::new();
    for _ in 0..6 {
        mock.push(status(503));
    }
    let err = get(&mock, deterministic().max_attempts(2))
        .await
        .expect_err("exhausted");
    assert!(matches!(err, Error::RetriesExhausted { attempts: 2, .. }));
    assert_eq!(mock.request_count(), 2);
    let mock = MockTransport::new();
    mock.push(status(503));
    let err = get(&mock, RetryPolicy::never())
        .await
        .expect_err("no retry");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status_code(), Some(503));
}

#[tokio::test(start_paused = true)]
async fn the_time_budget_stops_before_a_sleep_that_would_exceed_it() {
    let mock = MockTransport::new();
    for _ in 0..4 {
        mock.push(status(503));
    }
    let start = Instant::now();
    let err = get(
        &mock,
        deterministic().total_budget(Some(Duration::from_secs(5))),
    )
    .await
    .expect_err("budget");
    // Attempt 1, sleep 2 s, attempt 2; the next 4 s sleep would end at 6 s > 5 s.
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(mock.request_count(), 2);
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn exhausted_connection_failures_report_no_status() {
    let mock = MockTransport::new();
    for _ in 0..4 {
        mock.push(MockFailure::Refused);
    }
    let err = get(&mock, deterministic()).await.expect_err("exhausted");
    assert!(err.is_connect());
    assert_eq!(err.status_code(), None);

    let mock = MockTransport::new();
    for _ in 0..4 {
        mock.push(MockFailure::ConnectTimeout);
    }
    let err = get(&mock, deterministic()).await.expect_err("exhausted");
    assert!(err.is_timeout());
    assert_eq!(err.status_code(), Some(408));
}

#[tokio::test(start_paused = true)]
async fn retry_statuses_are_configurable() {
    let mock = MockTransport::new();
    mock.push(status(500))
        .push(MockResponse::json(200, json!({})));
    get(&mock, deterministic().statuses([500]))
        .await
        .expect("retried 500");
    assert_eq!(mock.request_count(), 2);
    let mock = MockTransport::new();
    mock.push(status(429));
    get(&mock, deterministic().statuses([503]))
        .await
        .expect_err("429 not listed");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_put_marked_not_idempotent_is_not_replayed_after_it_may_have_arrived() {
    let mock = MockTransport::new();
    mock.push(status(503))
        .push(MockResponse::json(200, json!({})));
    let err = client(&mock, deterministic())
        .put("chunked_upload/u1/")
        .idempotent(false)
        .send()
        .await
        .expect_err("not replayed");
    assert_eq!(err.status_code(), Some(503));
    assert_eq!(mock.request_count(), 1);
    // ...but a connection that never opened is still retried.
    let mock = MockTransport::new();
    mock.push(MockFailure::Refused)
        .push(MockResponse::json(200, json!({})));
    client(&mock, deterministic())
        .put("chunked_upload/u1/")
        .idempotent(false)
        .send()
        .await
        .expect("retried");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_shared_retry_budget_stops_a_failure_storm() {
    use synapse_transport::{GiveUp, RetryBudget};
    let budget = RetryBudget {
        capacity: 10,
        retry_cost: 5,
        timeout_cost: 10,
        success_refund: 1,
    };
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/jobs/1/", status(503));
    let c = client(&mock, deterministic().retry_budget(Some(budget)));
    // Call 1: two retries spend the 10 tokens, the third is refused.
    let err = c.get("jobs/1/").send().await.expect_err("storm");
    assert!(
        matches!(
            err,
            Error::RetriesExhausted {
                attempts: 3,
                reason: GiveUp::RetryBudget,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("client retry budget exhausted"),
        "{err}"
    );
    // Call 2 (same client): no tokens left, it fails after its first attempt.
    let err = c.get("jobs/1/").send().await.expect_err("storm");
    assert!(matches!(
        err,
        Error::RetriesExhausted {
            attempts: 1,
            reason: GiveUp::RetryBudget,
            ..
        }
    ));
    assert_eq!(mock.request_count(), 4, "3 + 1 requests, not 4 + 4");
    // Successes refill the bucket one token at a time.
    mock.route_always(Method::GET, "/ok/", MockResponse::json(200, json!({})));
    for _ in 0..5 {
        c.get("ok/").send().await.expect("ok");
    }
    let err = c.get("jobs/1/").send().await.expect_err("storm");
    assert!(matches!(
        err,
        Error::RetriesExhausted {
            attempts: 2,
            reason: GiveUp::RetryBudget,
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn attempts_and_time_budget_are_named_as_the_reason() {
    use synapse_transport::GiveUp;
    let mock = MockTransport::new();
    mock.route_always(Method::GET, "/x/", status(503));
    let err = get_path(&mock, deterministic(), "x/").await;
    assert!(matches!(
        err,
        Error::RetriesExhausted {
            reason: GiveUp::Attempts,
            ..
        }
    ));
    let err = get_path(
        &mock,
        deterministic().total_budget(Some(Duration::from_secs(1))),
        "x/",
    )
    .await;
    assert!(matches!(
        err,
        Error::RetriesExhausted {
            reason: GiveUp::TimeBudget,
            ..
        }
    ));
}

async fn get_path(mock: &MockTransport, policy: RetryPolicy, path: &str) -> Error {
    client(mock, policy)
        .get(path)
        .send()
        .await
        .expect_err("fails")
}
