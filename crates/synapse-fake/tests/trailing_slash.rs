//! The backend's trailing-slash redirect (as Django's `APPEND_SLASH`), over a real socket.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};
use synapse_fake::FakeServer;

/// A client that shows redirects instead of following them.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `POST url` with a valid new plugin and the token.
async fn create_plugin(http: &reqwest::Client, url: String) -> reqwest::Response {
    http.post(url)
        .header("Synapse-Access-Token", "Token fake-access-token")
        .header("Content-Type", "application/json")
        .body(r#"{"code": "p", "name": "P", "category": "custom"}"#)
        .send()
        .await
        .expect("POST")
}

fn location(resp: &reqwest::Response) -> Option<&str> {
    resp.headers().get(LOCATION).and_then(|v| v.to_str().ok())
}

fn at(fake: &FakeServer, path: &str) -> String {
    format!("http://{}{path}", fake.addr())
}

#[tokio::test]
async fn a_route_without_its_slash_is_moved_permanently_query_kept() {
    let fake = FakeServer::start().await.expect("fake");
    let http = client();

    // No token needed: the URL is resolved before any credential check.
    let resp = http
        .get(at(&fake, "/jobs?status=running&page=1"))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&resp), Some("/jobs/?status=running&page=1"));

    let resp = create_plugin(&http, at(&fake, "/plugins")).await;
    assert_eq!(resp.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&resp), Some("/plugins/"));
    // The redirected POST did nothing: the plugin can be created at the slashed path.
    let created = create_plugin(&http, at(&fake, "/plugins/")).await;
    assert_eq!(created.status(), StatusCode::CREATED);

    // Routes with a parameter, percent-encoding kept; a streamed upload route too.
    let id = fake.seed_jobs(1).remove(0);
    for (method, path) in [
        (reqwest::Method::GET, format!("/jobs/{id}/console_logs")),
        (
            reqwest::Method::GET,
            "/plugin_releases/yolov8%401.0.0".to_owned(),
        ),
        (reqwest::Method::PATCH, format!("/jobs/{id}")),
        (reqwest::Method::PUT, "/chunked_upload".to_owned()),
    ] {
        let resp = http
            .request(method.clone(), at(&fake, &path))
            .send()
            .await
            .expect("request");
        assert_eq!(
            resp.status(),
            StatusCode::MOVED_PERMANENTLY,
            "{method} {path}"
        );
        assert_eq!(location(&resp), Some(format!("{path}/").as_str()));
    }

    // Following the redirect by hand reaches the route.
    let resp = http
        .get(at(&fake, &format!("/jobs/{id}/console_logs/")))
        .header("Synapse-Access-Token", "Token fake-access-token")
        .send()
        .await
        .expect("GET slashed");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_path_that_is_no_route_even_with_the_slash_is_not_found() {
    let fake = FakeServer::start().await.expect("fake");
    let http = client();
    for (method, path) in [
        (reqwest::Method::GET, "/nothing"),
        (reqwest::Method::POST, "/jobs/1/nothing"),
        (reqwest::Method::GET, "/jobs/1/console_logs/extra"),
    ] {
        let resp = http
            .request(method.clone(), at(&fake, path))
            .header("Synapse-Access-Token", "Token fake-access-token")
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(location(&resp), None);
        let body: Value = serde_json::from_slice(&resp.bytes().await.expect("body")).expect("json");
        assert_eq!(body, json!({"detail": "Not found."}));
    }
    // As for any unknown path, the credentials are checked first.
    let resp = http.get(at(&fake, "/nothing")).send().await.expect("GET");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_agent_serves_each_path_exactly_as_spelled() {
    let fake = FakeServer::start().await.expect("fake");
    let http = client();
    let get = |path: &str| {
        http.get(at(&fake, path))
            .header("Authorization", fake.agent_token())
            .send()
    };
    assert_eq!(
        get("/agent/health/").await.expect("GET").status(),
        StatusCode::OK
    );
    let resp = get("/agent/health").await.expect("GET");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(location(&resp), None);
}
