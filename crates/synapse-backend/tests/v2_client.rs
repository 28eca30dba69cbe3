//! `BackendV2Client`: construction (base URL rules, credentials, environment), and the
//! behaviour the generated operations add over a plain request (answers under the envelope,
//! cursor walks, idempotency of bulk fetches and dry runs, the hand-written calls).

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use synapse_backend::models::{ProjectId, TaskId};
use synapse_backend::v2::{BackendV2Client, MAX_BULK_IDS};
use synapse_backend::{Error, MapEnv, Method, RetryPolicy};
use synapse_transport::mock::{MockResponse, MockTransport};

fn client(mock: &MockTransport) -> BackendV2Client {
    BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .access_token("syn_secret")
        .tenant("acme")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

fn is_invalid_input(result: Result<BackendV2Client, Error>) -> bool {
    matches!(result, Err(Error::InvalidInput { .. }))
}

#[test]
fn base_urls_are_checked_and_plain_http_needs_consent() {
    let build = |url: &str, insecure: bool| {
        BackendV2Client::builder(url)
            .without_env()
            .allow_insecure_http(insecure)
            .build()
    };
    assert!(is_invalid_input(build("http://synapse.test/", false)));
    assert!(build("http://synapse.test/", true).is_ok());
    assert!(build("http://127.0.0.1:8787/", false).is_ok());
    assert!(is_invalid_input(build("https://synapse.test/v2", false)));
    assert!(is_invalid_input(build("synapse.test", false)));
    let prefixed = build("https://synapse.test/api/", false).expect("client");
    let request = prefixed.account().me().request().expect("request");
    assert_eq!(
        request.full_url().as_str(),
        "https://synapse.test/api/v2/users/me/"
    );
}

#[test]
fn credentials_are_sent_in_v2_form_and_never_shown() {
    let client = BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .access_token("syn_secret")
        .drf_token("drf_secret")
        .tenant("acme")
        .build()
        .expect("client");
    let request = client.account().me().request().expect("request");
    assert_eq!(request.headers["synapse-access-token"], "syn_secret");
    assert_eq!(request.headers["authorization"], "Token drf_secret");
    assert_eq!(request.headers["synapse-tenant"], "acme");
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("syn_secret") && !shown.contains("drf_secret"),
        "{shown}"
    );
    let both = BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .drf_token("a")
        .bearer_token("b")
        .build();
    assert!(is_invalid_input(both));
}

#[test]
fn the_environment_fills_what_was_not_given() {
    let env = MapEnv::new()
        .with("SYNAPSE_BACKEND_V2_ACCESS_TOKEN", "syn_env")
        .with("SYNAPSE_BACKEND_V2_TENANT", "env-tenant")
        .with("SYNAPSE_BACKEND_V2_TIMEOUT_READ", "fast");
    let bad = BackendV2Client::builder("https://synapse.test/")
        .env(env.clone())
        .build();
    match bad {
        Err(Error::InvalidInput { message, .. }) => {
            assert!(
                message.contains("SYNAPSE_BACKEND_V2_TIMEOUT_READ"),
                "{message}"
            )
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    let env = env.with("SYNAPSE_BACKEND_V2_TIMEOUT_READ", "60");
    let client = BackendV2Client::builder("https://synapse.test/")
        .env(env)
        .tenant("explicit")
        .build()
        .expect("client");
    let request = client.account().me().request().expect("request");
    assert_eq!(request.headers["synapse-access-token"], "syn_env");
    assert_eq!(request.headers["synapse-tenant"], "explicit");
}

#[test]
fn from_env_source_mirrors_the_python_factory() {
    let env = MapEnv::new()
        .with("SYNAPSE_HOST", "https://synapse.test")
        .with("SYNAPSE_ACCESS_TOKEN", "syn_a")
        .with("SYNAPSE_PLUGIN_RUN_USER_TOKEN", "user_t")
        .with("SYNAPSE_BACKEND_V2_TENANT", "acme")
        .with("SYNAPSE_PLUGIN_RUN_URL_HOST", "internal");
    let client = BackendV2Client::from_env_source(&env, None).expect("client");
    let request = client.account().me().request().expect("request");
    assert_eq!(
        request.full_url().as_str(),
        "https://synapse.test/v2/users/me/?url_host=internal"
    );
    assert_eq!(request.headers["synapse-access-token"], "syn_a");
    assert_eq!(request.headers["authorization"], "Token user_t");
    assert_eq!(request.headers["synapse-tenant"], "Token acme");
    let none = BackendV2Client::from_env_source(&MapEnv::new(), None);
    assert!(matches!(none, Err(Error::Configuration { .. })), "{none:?}");
}

#[tokio::test]
async fn a_retrieve_decodes_the_envelope_with_its_request_id() {
    let mock = MockTransport::new();
    mock.route(
        Method::GET,
        "/v2/projects/7/",
        MockResponse::json(
            200,
            json!({"data": {"id": 7, "title": "Streets", "category": "image",
                "category_display": "Image", "access_level": "private", "can_discard": true,
                "caution": "", "configuration": {}, "count_max_assignments_per_task": 1,
                "created": "2026-01-15T09:00:00Z", "data_collection_id": 3, "description": "",
                "enable_workforce": false, "is_archived": false, "settings": {},
                "task_count": 0, "tenant_id": 1},
                "meta": {"request_id": "req_7"}}),
        ),
    );
    let answer = client(&mock).projects().retrieve(ProjectId(7)).await;
    let project = answer.expect("project");
    assert_eq!(project.request_id(), Some("req_7"));
    assert_eq!(project.id, ProjectId(7));
    assert_eq!(project.title, "Streets");
}

#[tokio::test]
async fn a_cursor_list_walks_every_page_on_the_same_query() {
    let mock = MockTransport::new();
    let item = |id: i64| {
        json!({"id": id, "title": format!("p{id}"), "category": "image",
               "category_display": "Image", "created": "2026-01-15T09:00:00Z",
               "is_archived": false, "task_count": 0})
    };
    mock.push(MockResponse::json(
        200,
        json!({"data": [item(1)], "meta": {"pagination": {"next_cursor": "cD0y", "per_page": 1}}}),
    ))
    .push(MockResponse::json(
        200,
        json!({"data": [item(2)], "meta": {"pagination": {"next_cursor": null}}}),
    ));
    let ids: Vec<ProjectId> = client(&mock)
        .projects()
        .list()
        .category("image")
        .per_page(1)
        .items()
        .map_ok(|p| p.id)
        .try_collect()
        .await
        .expect("items");
    assert_eq!(ids, [ProjectId(1), ProjectId(2)]);
    let urls: Vec<String> = mock.requests().iter().map(|r| r.url.to_string()).collect();
    assert_eq!(
        urls,
        [
            "https://synapse.test/v2/projects/?category=image&per_page=1",
            "https://synapse.test/v2/projects/?category=image&per_page=1&cursor=cD0y",
        ]
    );
}

#[test]
fn bulk_fetches_are_idempotent_and_bounded() {
    let mock = MockTransport::new();
    let c = client(&mock);
    let fetch = c.tasks().bulk_fetch([TaskId(3), TaskId(1)]).request();
    let fetch = fetch.expect("request");
    assert!(fetch.is_idempotent());
    let too_many = c
        .tasks()
        .bulk_fetch((0..=MAX_BULK_IDS as i64).map(TaskId))
        .request();
    assert!(
        matches!(too_many, Err(Error::InvalidInput { .. })),
        "{too_many:?}"
    );
    let none = c.tasks().bulk_fetch(Vec::<TaskId>::new()).request();
    assert!(matches!(none, Err(Error::InvalidInput { .. })), "{none:?}");
    // Writes are not idempotent unless they only validate.
    let stop = c.jobs().stop("550e8400-e29b-41d4-a716-446655440000");
    assert!(!stop.request().expect("request").is_idempotent());
    let check = c
        .jobs()
        .stop("550e8400-e29b-41d4-a716-446655440000")
        .dry_run();
    assert!(check.request().expect("request").is_idempotent());
}

#[tokio::test]
async fn a_bulk_fetch_answers_the_items_in_order() {
    let task = |id: i64| {
        json!({"id": id, "project_id": 1, "data_unit_id": id, "data": "{}",
               "files_manifest": {}})
    };
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"data": [task(3), task(1)], "meta": {"request_id": "req_b"}}),
    ));
    let answer = client(&mock)
        .tasks()
        .bulk_fetch([TaskId(3), TaskId(1)])
        .response_mode("presigned")
        .await
        .expect("tasks");
    let ids: Vec<TaskId> = answer.iter().map(|t| t.id).collect();
    assert_eq!(ids, [TaskId(3), TaskId(1)]);
    let sent = &mock.requests()[0];
    assert_eq!(
        sent.url.as_str(),
        "https://synapse.test/v2/tasks/bulk-fetch/?response_mode=presigned"
    );
}

#[tokio::test]
async fn a_204_is_no_content() {
    let mock = MockTransport::new();
    mock.push(MockResponse::empty(204));
    let done = client(&mock).projects().destroy(ProjectId(7)).await;
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(mock.requests()[0].method, Method::DELETE);
}

#[tokio::test]
async fn the_python_only_calls_are_reachable() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, json!({"data": {"ok": true}, "meta": {}})))
        .push(MockResponse::bytes(
            200,
            "event: async_job.progress\ndata: {\"percent\": 50}\n\nevent: async_job.completed\ndata: {}\n\n",
        ));
    let c = client(&mock);
    let pushed = c
        .containers()
        .report_health(12, json!({"health_state": "healthy"}))
        .await
        .expect("pushed");
    assert_eq!(pushed.get("ok"), Some(&json!(true)));
    let names: Vec<String> = c
        .async_jobs()
        .stream_progress("j-1")
        .events()
        .map(|e| e.expect("event").event)
        .collect()
        .await;
    assert_eq!(names, ["async_job.progress", "async_job.completed"]);
    let urls: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url))
        .collect();
    assert_eq!(
        urls,
        [
            "POST https://synapse.test/v2/_agent/containers/12/health/",
            "GET https://synapse.test/v2/async_jobs/j-1/progress/",
        ]
    );
}

#[tokio::test]
async fn login_sends_the_password_without_the_clients_authorization_and_answers_a_usable_token() {
    let mock = MockTransport::new();
    let signed_in = BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .drf_token("old_drf")
        .tenant("acme")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let call = signed_in.auth().login("ada@example.com", "pa55word");
    assert!(!format!("{call:?}").contains("pa55word"), "{call:?}");
    // The request value's Debug shows the body's length, not the password in it.
    let request = call.request().expect("request");
    let shown = format!("{request:?}");
    assert!(!shown.contains("pa55word"), "{shown}");
    assert!(shown.contains("bytes, redacted>"), "{shown}");
    mock.push(MockResponse::json(200, json!({"token": "new_drf"})));
    let login = call.await.expect("login");
    assert_eq!(login.token.expose(), "new_drf");
    assert!(!format!("{login:?}").contains("new_drf"), "{login:?}");

    let sent = &mock.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.url.as_str()),
        ("POST", "https://synapse.test/users/login/")
    );
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("synapse-tenant"), Some("acme"));
    assert_eq!(
        sent.json(),
        Some(&json!({"email": "ada@example.com", "password": "pa55word"}))
    );

    // The token authenticates a client built with it.
    let client = BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .drf_token(login.token.clone())
        .tenant("acme")
        .build()
        .expect("client");
    let request = client.account().me().request().expect("request");
    assert_eq!(request.headers["authorization"], "Token new_drf");

    // A refused login: the error does not carry the password.
    mock.push(MockResponse::json(
        400,
        json!({"non_field_errors": ["Unable to log in with provided credentials."]}),
    ));
    let err = signed_in
        .auth()
        .login("ada@example.com", "wrong-pa55word")
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Api(api) if api.status.as_u16() == 400),
        "{err:?}"
    );
    for text in [format!("{err:?}"), err.to_string()] {
        assert!(!text.contains("wrong-pa55word"), "{text}");
    }
    // An answer without a token is a decode error, not an empty token.
    mock.push(MockResponse::json(200, json!({"detail": "ok"})));
    let err = signed_in
        .auth()
        .login("ada@example.com", "pa55word")
        .await
        .expect_err("no token");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[test]
fn enum_query_parameters_take_the_enum_or_its_wire_text() {
    use synapse_backend::models::v2::{AssignmentStatusLabel, JobStatus};
    let client = BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .build()
        .expect("client");
    let url = |request: synapse_transport::Request| request.full_url().to_string();
    let typed = client.jobs().list().status(JobStatus::Running).request();
    let text = client.jobs().list().status("RUNNING").request();
    assert_eq!(
        url(typed.expect("request")),
        "https://synapse.test/v2/jobs/?status=RUNNING"
    );
    assert_eq!(
        url(text.expect("request")),
        "https://synapse.test/v2/jobs/?status=RUNNING"
    );
    // A value the enum does not know is sent as given.
    let unknown = client.jobs().list().status("PAUSED").request();
    assert_eq!(
        url(unknown.expect("request")),
        "https://synapse.test/v2/jobs/?status=PAUSED"
    );
    let mixed = client
        .assignments()
        .list()
        .status_label([AssignmentStatusLabel::StandBy, "completed".into()])
        .request();
    assert_eq!(
        url(mixed.expect("request")),
        "https://synapse.test/v2/assignments/?status_label=stand_by&status_label=completed"
    );
}
