//! The bytes of requests on a real socket, through the clients users call: body-less writes
//! carry `Content-Length: 0` (proxies answer 411 without it), reads carry none, and no
//! request of a client leaves its origin with a credential.

use synapse_agent::AgentClient;
use synapse_backend::BackendClient;
use synapse_e2e::raw::{RawReply, RawRequest, RawServer};
use synapse_transport::RetryPolicy;

fn assert_content_length_zero(r: &RawRequest) {
    assert_eq!(
        r.header_values("content-length"),
        ["0"],
        "{} {}: {:?}",
        r.method,
        r.target,
        r.headers
    );
    assert!(r.header("transfer-encoding").is_none(), "{r:?}");
}

#[tokio::test]
async fn every_body_less_write_of_both_clients_sends_content_length_zero() {
    let server = RawServer::start(|_| RawReply::json(200, serde_json::json!({}))).await;
    let agent = AgentClient::builder(server.url("/"), "agent-token")
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("agent");
    agent.stop_job("raysubmit_1").await.expect("stop_job");
    agent
        .delete_plugin_release("yolov8@1.0.0")
        .await
        .expect("delete_plugin_release");
    agent.restart_system().await.expect("restart_system");
    agent
        .stop_docker_container("c1")
        .await
        .expect("stop_docker_container");
    agent
        .start_docker_container("c1")
        .await
        .expect("start_docker_container");
    agent
        .delete_docker_container("c1")
        .await
        .expect("delete_docker_container");
    agent
        .delete_serve_application("app")
        .await
        .expect("delete_serve_application");
    agent.delete_container(7).await.expect("delete_container");
    let backend = BackendClient::builder(server.url("/api/"))
        .without_env()
        .access_token("acc")
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("backend");
    backend
        .health_check_agent("agent-token")
        .await
        .expect("health_check_agent");
    let requests = server.requests();
    assert_eq!(requests.len(), 9);
    for r in &requests {
        assert_content_length_zero(r);
    }
    // A read sends none.
    agent.get_job("raysubmit_1").await.expect("get_job");
    let get = server.requests().pop().expect("get");
    assert_eq!(get.method, "GET");
    assert!(get.header("content-length").is_none(), "{get:?}");
}

#[tokio::test]
async fn the_core_of_a_client_never_sends_credentials_to_another_origin() {
    let home = RawServer::start(|_| RawReply::json(200, serde_json::json!({}))).await;
    let elsewhere = RawServer::start(|_| RawReply::json(200, serde_json::json!({}))).await;
    let backend = BackendClient::builder(home.url("/api/"))
        .without_env()
        .access_token("acc-secret")
        .authorization_token("user-secret")
        .tenant("acme")
        .agent_token("agent-secret")
        .url_host("internal")
        .build()
        .expect("backend");
    backend
        .core()
        .get(elsewhere.url("/x/").as_str())
        .send()
        .await
        .expect("sent");
    let agent = AgentClient::builder(home.url("/"), "agent-secret")
        .user_token("user-secret")
        .tenant("acme")
        .build()
        .expect("agent");
    agent
        .core()
        .post(elsewhere.url("/y/").as_str())
        .send()
        .await
        .expect("sent");
    for r in elsewhere.requests() {
        let text = format!("{:?}", r.headers).to_ascii_lowercase();
        for secret in [
            "acc-secret",
            "user-secret",
            "agent-secret",
            "acme",
            "authorization",
        ] {
            assert!(
                !text.contains(secret),
                "{secret} reached another origin: {text}"
            );
        }
        assert!(!r.target.contains("url_host"), "{}", r.target);
    }
    assert!(home.requests().is_empty());
}

#[tokio::test]
async fn the_agent_log_tail_reads_the_websocket_with_the_credentials_on_the_handshake() {
    use futures_util::TryStreamExt;
    use synapse_e2e::raw::{ws_close, ws_text};
    let server = RawServer::start(|r| {
        if r.target == "/jobs/raysubmit_1/logs/" {
            RawReply::websocket(vec![
                ws_text(r#"{"type": "log", "message": "epoch 1"}"#),
                ws_text("a plain line"),
                ws_text(r#"{"type": "complete"}"#),
                ws_text("after the end"),
                ws_close(),
            ])
        } else {
            RawReply::json(404, serde_json::json!({"detail": "Not found."}))
        }
    })
    .await;
    let agent = AgentClient::builder(server.url("/"), "agent-secret")
        .tenant("acme")
        .build()
        .expect("agent");
    let lines: Vec<String> = agent
        .tail_job_logs("raysubmit_1")
        .messages()
        .try_collect()
        .await
        .expect("messages");
    assert_eq!(lines, ["epoch 1", "a plain line"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "no fallback: {requests:?}");
    let handshake = &requests[0];
    assert_eq!(handshake.method, "GET");
    assert_eq!(handshake.header("upgrade"), Some("websocket"));
    assert_eq!(handshake.header("authorization"), Some("agent-secret"));
    assert_eq!(handshake.header("synapse-tenant"), Some("Token acme"));
}

#[tokio::test]
async fn without_a_websocket_the_tail_falls_back_to_the_http_stream() {
    use futures_util::TryStreamExt;
    let server = RawServer::start(|r| {
        if r.target == "/jobs/raysubmit_2/logs/stream/" {
            RawReply::bytes(
                200,
                "data: {\"type\": \"log\", \"message\": \"over http\"}\n\ndata: {\"type\": \"complete\"}\n\n",
            )
        } else {
            RawReply::json(404, serde_json::json!({"detail": "Not found."}))
        }
    })
    .await;
    let agent = AgentClient::builder(server.url("/"), "agent-secret")
        .build()
        .expect("agent");
    let lines: Vec<String> = agent
        .tail_job_logs("raysubmit_2")
        .messages()
        .try_collect()
        .await
        .expect("messages");
    assert_eq!(lines, ["over http"]);
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        ["/jobs/raysubmit_2/logs/", "/jobs/raysubmit_2/logs/stream/"]
    );
    // Only the WebSocket, when asked: the 404 is the error.
    let err = agent
        .websocket_tail_job_logs("raysubmit_2")
        .messages()
        .try_collect::<Vec<String>>()
        .await
        .expect_err("no websocket");
    assert_eq!(err.status_code(), Some(404));
}

#[tokio::test]
async fn a_silent_websocket_ends_with_an_idle_timeout() {
    use futures_util::StreamExt;
    // The server accepts the handshake, then says nothing (and keeps the connection).
    let server = RawServer::start(|_| RawReply::websocket(vec![])).await;
    let agent = AgentClient::builder(server.url("/"), "agent-secret")
        .build()
        .expect("agent");
    let started = std::time::Instant::now();
    let mut messages = agent
        .websocket_tail_job_logs("raysubmit_3")
        .idle_timeout(Some(std::time::Duration::from_millis(150)))
        .messages();
    let err = messages
        .next()
        .await
        .expect("an item")
        .expect_err("idle timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(messages.next().await.is_none());
}
