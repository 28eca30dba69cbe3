//! v2 answers through operations on the mock transport: the envelope rule, request ids,
//! body-less answers and decode failures.

mod common;

use serde::Deserialize;
use serde_json::{Value, json};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::v2::{self, NoContent, V2Response};
use synapse_transport::{
    Call, CallInfo, Error, Method, Operation, RequestBuilder, Response, RetryPolicy, StatusCode,
};

/// A task as the v2 API shows it: it has its own `data` and `meta` fields.
#[derive(Debug, Deserialize, PartialEq)]
struct Task {
    id: u64,
    project: Option<u64>,
    data: Value,
    meta: Value,
}

/// `GET /v2/tasks/{id}/`.
struct GetTask {
    call: Call,
    id: u64,
}

impl Operation for GetTask {
    type Output = V2Response<Task>;
    fn prepare(&self) -> RequestBuilder {
        let path = synapse_transport::urls::path(["v2", "tasks", &self.id.to_string()], true);
        self.call.client().get(path)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::json(response, call).await
    }
}
synapse_transport::fluent!(GetTask);

/// `POST /v2/tasks/bulk-fetch/`: an array in an envelope without pagination.
struct BulkFetch {
    call: Call,
}

impl Operation for BulkFetch {
    type Output = V2Response<Vec<Task>>;
    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post("v2/tasks/bulk-fetch/")
            .json(&json!({"ids": [1, 2]}))
            .idempotent(true)
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::json(response, call).await
    }
}
synapse_transport::fluent!(BulkFetch);

/// `DELETE /v2/tasks/{id}/`: 204.
struct DeleteTask {
    call: Call,
}

impl Operation for DeleteTask {
    type Output = NoContent;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().delete("v2/tasks/7/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::unit(response, call).await
    }
}
synapse_transport::fluent!(DeleteTask);

fn call(mock: &MockTransport) -> Call {
    Call::new(common::client(mock, RetryPolicy::never()))
}

fn task_json() -> Value {
    json!({"id": 7, "project": 3, "data": {"boxes": [1]}, "meta": {"source": "import"}})
}

#[tokio::test]
async fn an_envelope_is_unwrapped_one_level_with_its_meta_and_request_id() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"data": task_json(), "meta": {"request_id": "req_000000000001", "trace": 5}}),
    ));
    let task = GetTask {
        call: call(&mock),
        id: 7,
    }
    .await
    .expect("task");
    // The task's own `data` and `meta` survive: exactly one level was unwrapped.
    assert_eq!(
        *task,
        Task {
            id: 7,
            project: Some(3),
            data: json!({"boxes": [1]}),
            meta: json!({"source": "import"}),
        }
    );
    assert!(task.is_enveloped());
    assert_eq!(task.request_id(), Some("req_000000000001"));
    assert_eq!(task.meta().and_then(|m| m.get("trace")), Some(&json!(5)));
    assert_eq!(task.status(), StatusCode::OK);
    assert_eq!(
        mock.requests()[0].url.as_str(),
        "https://synapse.test/v2/tasks/7/"
    );
}

#[tokio::test]
async fn a_bare_task_with_its_own_data_and_meta_is_the_task_itself() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, task_json()).header("X-Request-ID", "hdr-9"));
    let task = GetTask {
        call: call(&mock),
        id: 7,
    }
    .await
    .expect("task");
    assert_eq!(task.id, 7);
    assert_eq!(task.data, json!({"boxes": [1]}));
    assert_eq!(task.meta, json!({"source": "import"}));
    assert!(!task.is_enveloped());
    assert_eq!(task.meta(), None);
    // A bare answer's request id comes from the header.
    assert_eq!(task.request_id(), Some("hdr-9"));
}

#[tokio::test]
async fn a_task_with_only_data_and_meta_fields_in_an_envelope_is_unwrapped_once() {
    #[derive(Debug, Deserialize)]
    struct Sparse {
        data: Value,
        meta: Value,
    }
    struct GetSparse {
        call: Call,
    }
    impl Operation for GetSparse {
        type Output = V2Response<Sparse>;
        fn prepare(&self) -> RequestBuilder {
            self.call.client().get("v2/tasks/7/")
        }
        async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
            v2::json(response, call).await
        }
    }
    synapse_transport::fluent!(GetSparse);

    let mock = MockTransport::new();
    let inner = json!({"data": {"a": 1}, "meta": {"b": 2}});
    mock.push(MockResponse::json(
        200,
        json!({"data": inner, "meta": {"request_id": "req_2"}}),
    ));
    let sparse = GetSparse { call: call(&mock) }.await.expect("decoded");
    assert_eq!(
        (sparse.data.clone(), sparse.meta.clone()),
        (json!({"a": 1}), json!({"b": 2}))
    );
    assert_eq!(sparse.request_id(), Some("req_2"));
}

#[tokio::test]
async fn a_bulk_answer_is_the_array_of_its_envelope() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"data": [task_json(), task_json()], "meta": {"request_id": "req_3"}}),
    ));
    let tasks = BulkFetch { call: call(&mock) }.await.expect("tasks");
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1].id, 7);
    assert_eq!(tasks.request_id(), Some("req_3"));
    assert_eq!(tasks.into_inner().len(), 2);
}

#[tokio::test]
async fn meta_request_id_wins_over_the_header_and_an_envelope_without_one_uses_the_header() {
    let mock = MockTransport::new();
    mock.push(
        MockResponse::json(
            200,
            json!({"data": task_json(), "meta": {"request_id": "req_body"}}),
        )
        .header("x-request-id", "req_header"),
    );
    mock.push(
        MockResponse::json(200, json!({"data": task_json(), "meta": {}}))
            .header("x-request-id", "req_header"),
    );
    let first = GetTask {
        call: call(&mock),
        id: 7,
    }
    .await
    .expect("first");
    let second = GetTask {
        call: call(&mock),
        id: 7,
    }
    .await
    .expect("second");
    assert_eq!(first.request_id(), Some("req_body"));
    assert_eq!(second.request_id(), Some("req_header"));
    assert!(second.is_enveloped());
}

#[tokio::test]
async fn body_less_answers_are_units_with_their_request_id() {
    let mock = MockTransport::new();
    mock.push(MockResponse::empty(204));
    mock.push(MockResponse::json(
        200,
        json!({"data": null, "meta": {"request_id": "req_4"}}),
    ));
    mock.push(MockResponse::bytes(201, "").header("x-request-id", "req_5"));
    mock.push(MockResponse::bytes(200, "<html>not json</html>"));
    let answers: Vec<NoContent> = vec![
        DeleteTask { call: call(&mock) }.await.expect("204"),
        DeleteTask { call: call(&mock) }
            .await
            .expect("200 envelope"),
        DeleteTask { call: call(&mock) }.await.expect("201"),
        DeleteTask { call: call(&mock) }.await.expect("200 text"),
    ];
    let seen: Vec<(u16, Option<&str>)> = answers
        .iter()
        .map(|a| (a.status().as_u16(), a.request_id()))
        .collect();
    assert_eq!(
        seen,
        [
            (204, None),
            (200, Some("req_4")),
            (201, Some("req_5")),
            (200, None)
        ]
    );
    assert_eq!(mock.requests()[0].method, Method::DELETE);
}

#[tokio::test]
async fn an_undecodable_value_is_a_decode_error_with_the_path_from_the_root_and_the_request_id() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        json!({"data": {"id": "seven", "project": 3, "data": {}, "meta": {}}, "meta": {"request_id": "req_6"}}),
    ));
    mock.push(MockResponse::json(
        200,
        json!({"data": [task_json(), {"id": 8}], "meta": {"request_id": "req_7"}}),
    ));
    mock.push(MockResponse::bytes(200, ""));
    let err = GetTask {
        call: call(&mock),
        id: 7,
    }
    .await
    .expect_err("bad id");
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((d.path.as_str(), d.status), ("data.id", 200));
    assert_eq!(d.request_id.as_deref(), Some("req_6"));
    assert!(d.excerpt.contains("\"req_6\""), "{}", d.excerpt);
    assert_eq!(err.request_id(), Some("req_6"));
    assert!(err.to_string().ends_with("(request id req_6)"), "{err}");

    let err = BulkFetch { call: call(&mock) }.await.expect_err("bad item");
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "data[1]");
    assert!(d.message.contains("missing field `data`"), "{}", d.message);

    let err = GetTask {
        call: call(&mock),
        id: 7,
    }
    .await
    .expect_err("empty body");
    assert!(matches!(&err, Error::Decode(d) if d.path == "."), "{err:?}");
}
