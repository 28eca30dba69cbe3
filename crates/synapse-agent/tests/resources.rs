//! Resources: the cluster snapshot (Python defaults on read), the feasibility check (six
//! keys, retried only on request) and the runtime policy.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_sent, client, fixture, labelled_requests, obj, ok, retrying_client, status};
use serde_json::json;
use synapse_agent::{
    AgentRuntimePolicy, Error, FeasibilityRequest, NodeState, ResourceKind, RuntimePolicyPatch,
};
use synapse_transport::mock::{MockFailure, MockResponse, MockTransport};
use synapse_transport::{Method, RetryPolicy};

#[tokio::test]
async fn cluster_snapshot_uses_the_cache_flag_and_python_defaults() {
    let mock = MockTransport::new();
    mock.push(ok(fixture("cluster_snapshot")))
        .push(ok(json!({"collected_at": "2026-11-23T10:00:00Z"})));
    let c = client(&mock);
    let cached = c.get_cluster_resources();
    let fresh = c.get_cluster_resources().use_cache(false);
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("get_cluster_resources(true)", cached.request()),
        ("get_cluster_resources(false)", fresh.request()),
    ]);
    insta::assert_json_snapshot!(snaps);
    assert_eq!(
        c.get_cluster_resources()
            .use_cache(true)
            .request()
            .unwrap()
            .snapshot(),
        snaps["get_cluster_resources(true)"]
    );
    let s = cached.await.unwrap();
    assert_eq!(s.collected_at.parse().unwrap().timestamp(), 1_795_428_000);
    assert_eq!(s.cpu.total, 64.0);
    assert_eq!(s.cpu.used, 16.5);
    assert_eq!(s.gpu.total_gpus, 4);
    assert_eq!(s.gpu.available_gpus, 2);
    assert_eq!(s.object_store, None);
    assert_eq!(s.total_serve_replicas, 0, "null takes the default");
    assert_eq!(
        s.nodes[0].gpus[0].extra.get("temperature"),
        Some(&json!(71))
    );
    assert_eq!(s.nodes[0].state, NodeState::Alive);
    assert_eq!(s.nodes[1].state, NodeState::from("DRAINING"));
    assert_eq!(s.nodes[2].state, NodeState::Alive);
    assert_eq!(s.nodes[2].cpu.total, 0.0);
    assert!(s.nodes[2].gpus.is_empty());
    assert_eq!(s.extra.get("cluster_name"), Some(&json!("prod")));

    // A sparse (older) agent: everything but `collected_at` defaults.
    let sparse = fresh.await.unwrap();
    assert_eq!(sparse.node_counts.total, 0);
    assert!(!sparse.stale && sparse.nodes.is_empty() && sparse.gpu.max_utilization == 0.0);
    assert_sent(&mock, &snaps);
}

#[tokio::test]
async fn a_snapshot_without_its_required_fields_is_a_decode_error() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"stale": true})))
        .push(ok(json!({"collected_at": null})))
        .push(ok(
            json!({"collected_at": "x", "nodes": [{"state": "ALIVE"}]}),
        ))
        .push(ok(
            json!({"collected_at": "x", "nodes": [{"node_id": "n", "gpus": [{"name": "A100"}]}]}),
        ))
        .push(ok(json!({"collected_at": "x", "running_jobs": 1.5})));
    let c = client(&mock);
    for _ in 0..5 {
        let err = c.get_cluster_resources().await.expect_err("decode");
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
    }
}

#[tokio::test]
async fn feasibility_sends_all_six_keys() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"allowed": true, "reasons": [], "messages": []})))
        .push(ok(json!({"allowed": false, "reasons": ["gpu_unavailable"], "messages": ["GPU utilization 97% > 90%"], "max_utilization": 0.97})))
        .push(ok(json!({"allowed": true, "reasons": null})));
    let c = client(&mock);
    let minimal = c
        .check_feasibility(ResourceKind::Serve, 1.0)
        .num_gpus(0.5)
        .metadata(obj(json!({"plugin_code": "x@1"})));
    let full = c
        .check_feasibility(ResourceKind::Job, 4.0)
        .num_gpus(1.0)
        .memory_bytes(8 * 1024 * 1024 * 1024)
        .replicas(2);
    let other = c.check_feasibility("gpu_pool".into(), 2.0).idempotent(true);
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        (
            "check_feasibility (observed body: memory_bytes null, replicas 1)",
            minimal.request(),
        ),
        ("check_feasibility (every field)", full.request()),
        (
            "check_feasibility_with_retries (unknown kind)",
            other.request(),
        ),
    ]);
    insta::assert_json_snapshot!(snaps);
    // The whole request at once is the same request.
    let whole = FeasibilityRequest::new(ResourceKind::Job, 4.0)
        .num_gpus(1.0)
        .memory_bytes(8 * 1024 * 1024 * 1024)
        .replicas(2);
    assert_eq!(
        c.check_feasibility(ResourceKind::Task, 0.0)
            .body(whole)
            .request()
            .unwrap()
            .snapshot(),
        snaps["check_feasibility (every field)"]
    );
    let yes = minimal.await.unwrap();
    assert!(yes.allowed);
    let no = full.await.unwrap();
    assert!(!no.allowed);
    assert_eq!(no.reasons, ["gpu_unavailable"]);
    assert_eq!(no.extra.get("max_utilization"), Some(&json!(0.97)));
    assert!(other.await.unwrap().reasons.is_empty());
    let requests = mock.requests();
    assert_eq!(requests[0].idempotent, None);
    assert_eq!(requests[2].idempotent, Some(true));
    assert_sent(&mock, &snaps);
}

#[tokio::test]
async fn feasibility_rejects_bad_numbers_and_a_missing_verdict() {
    let mock = MockTransport::new();
    mock.push(ok(json!({"reasons": []})));
    let c = client(&mock);
    for bad in [f64::NAN, f64::INFINITY] {
        let err = c
            .check_feasibility(ResourceKind::Job, bad)
            .await
            .expect_err("non-finite");
        assert!(matches!(err, Error::InvalidInput { .. }));
        let err = c
            .check_feasibility(ResourceKind::Job, 1.0)
            .num_gpus(bad)
            .await
            .expect_err("non-finite");
        assert!(matches!(err, Error::InvalidInput { .. }));
        assert!(matches!(
            c.check_feasibility(ResourceKind::Job, bad).request(),
            Err(Error::InvalidInput { .. })
        ));
    }
    assert_eq!(mock.request_count(), 0);
    let err = c
        .check_feasibility(ResourceKind::Job, 1.0)
        .await
        .expect_err("no `allowed`");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn feasibility_is_retried_only_when_marked_idempotent() {
    let retry = RetryPolicy::default().jitter(false);
    let mock = MockTransport::new();
    mock.route_always(
        Method::POST,
        "/resources/feasibility/",
        MockResponse::json(503, json!({})),
    );
    let c = synapse_agent::AgentClient::builder("http://agent.test:8000", "tok")
        .transport(mock.clone())
        .retry_policy(retry)
        .build()
        .unwrap();
    let req = FeasibilityRequest::new(ResourceKind::Task, 1.0);
    let check = || {
        c.check_feasibility(ResourceKind::Job, 0.0)
            .body(req.clone())
    };
    assert_eq!(status(check().await), Some(503));
    assert_eq!(mock.request_count(), 1);
    let err = check().idempotent(true).await.expect_err("exhausted");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(mock.request_count(), 5);

    // A lost answer is replayed only when marked idempotent too.
    let mock = MockTransport::new();
    mock.push(MockFailure::ReadTimeout)
        .push(ok(json!({"allowed": true})));
    let c = retrying_client(&mock);
    assert!(
        c.check_feasibility(ResourceKind::Task, 1.0)
            .idempotent(true)
            .await
            .unwrap()
            .allowed
    );
    assert_eq!(mock.request_count(), 2);
    let mock = MockTransport::new();
    mock.push(MockFailure::ReadTimeout)
        .push(ok(json!({"allowed": true})));
    let c = retrying_client(&mock);
    assert!(matches!(
        c.check_feasibility(ResourceKind::Task, 1.0).await,
        Err(Error::ResponseIncomplete { .. })
    ));
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn policy_raw_and_typed() {
    let effective = fixture("runtime_policy");
    let mock = MockTransport::new();
    mock.push(ok(effective.clone()))
        .push(ok(effective.clone()))
        .push(ok(
            json!({"max_concurrent_jobs": "7", "gatekeeping_enabled": null}),
        ))
        .push(ok(effective.clone()));
    let c = client(&mock);
    let get_raw = c.get_gatekeeping_policy();
    let update_raw = c.update_gatekeeping_policy(&json!({"max_concurrent_jobs": 5}));
    let get_typed = c.get_runtime_policy();
    let patch = RuntimePolicyPatch {
        max_concurrent_jobs: Some(5),
        memory_max_utilization_percent: Some(85.0),
        extra: obj(json!({"future_knob": "on"})),
        ..RuntimePolicyPatch::default()
    };
    let update_typed = c.update_runtime_policy(&patch);
    // The request values, without IO, are exactly what the mock then receives.
    let snaps = labelled_requests(vec![
        ("get_gatekeeping_policy", get_raw.request()),
        ("update_gatekeeping_policy", update_raw.request()),
        ("get_runtime_policy", get_typed.request()),
        ("update_runtime_policy", update_typed.request()),
    ]);
    insta::assert_json_snapshot!(snaps);
    assert_eq!(get_raw.await.unwrap(), effective);
    let raw = update_raw.await.unwrap();
    assert_eq!(raw["future_knob"], "on");
    // Missing and null fields take the Python defaults; numeric strings are accepted.
    let policy = get_typed.await.unwrap();
    assert_eq!(
        policy,
        AgentRuntimePolicy {
            max_concurrent_jobs: 7,
            ..AgentRuntimePolicy::default()
        }
    );
    let policy = update_typed.await.unwrap();
    assert_eq!(policy.max_concurrent_jobs, 5);
    assert_eq!(policy.memory_max_utilization_percent, 85.0);
    assert_eq!(policy.extra.get("future_knob"), Some(&json!("on")));
    assert_sent(&mock, &snaps);
}

#[tokio::test]
async fn every_operation_maps_an_error_status() {
    let mock = MockTransport::new();
    mock.route_always(
        Method::GET,
        "/resources/cluster/",
        MockResponse::json(503, json!({"detail": "ray unavailable"})),
    );
    mock.route_always(
        Method::POST,
        "/resources/feasibility/",
        MockResponse::json(
            422,
            json!({"detail": [{"loc": ["body", "kind"], "msg": "bad", "type": "enum"}]}),
        ),
    );
    mock.route_always(
        Method::GET,
        "/resources/policy/",
        MockResponse::json(401, json!({"detail": "bad token"})),
    );
    mock.route_always(
        Method::PATCH,
        "/resources/policy/",
        MockResponse::json(400, json!({"max_concurrent_jobs": ["must be >= 0"]})),
    );
    let c = client(&mock);
    let got = vec![
        status(c.get_cluster_resources().await),
        status(c.check_feasibility(ResourceKind::Job, 1.0).await),
        status(
            c.check_feasibility(ResourceKind::Job, 1.0)
                .idempotent(true)
                .await,
        ),
        status(c.get_gatekeeping_policy().await),
        status(
            c.update_gatekeeping_policy(&json!({"max_concurrent_jobs": -1}))
                .await,
        ),
        status(c.get_runtime_policy().await),
        status(
            c.update_runtime_policy(&json!({"max_concurrent_jobs": -1}))
                .await,
        ),
    ];
    assert_eq!(got, [503, 422, 422, 401, 400, 401, 400].map(Some).to_vec());
    // A patch that is not an object is refused unsent.
    let before = mock.request_count();
    assert!(matches!(
        c.update_runtime_policy(&json!([1])).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        c.update_gatekeeping_policy(&json!(null)).await,
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(mock.request_count(), before);
}
