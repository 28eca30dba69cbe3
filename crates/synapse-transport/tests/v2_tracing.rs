//! The request id of each v2 call is recorded in its `tracing` span. Kept in its own test
//! binary, with one test: tracing caches callsite interest process-wide.

mod common;

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde_json::{Value, json};
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::v2::{self, CursorPage, V2Response};
use synapse_transport::{Call, CallInfo, Error, Operation, RequestBuilder, Response, RetryPolicy};

/// A span: its name and its fields as `name=value` texts, recorded values included.
type Captured = (&'static tracing::Metadata<'static>, Vec<String>);

/// Every span, and the stack of entered spans (so `Span::current()` works, as with any
/// real subscriber).
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<Captured>>>,
    entered: Arc<Mutex<Vec<u64>>>,
}

struct Fields<'a>(&'a mut Vec<String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
        self.0.push(format!("{}={v}", f.name()));
    }
    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={v:?}", f.name()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().expect("spans");
        spans.push((attrs.metadata(), fields));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().expect("spans");
        if let Some((_, fields)) = spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, id: &tracing::span::Id) {
        self.entered.lock().expect("stack").push(id.into_u64());
    }
    fn exit(&self, _: &tracing::span::Id) {
        self.entered.lock().expect("stack").pop();
    }
    fn current_span(&self) -> tracing_core::span::Current {
        let top = self.entered.lock().expect("stack").last().copied();
        let spans = self.spans.lock().expect("spans");
        match top.and_then(|id| Some((id, spans.get(id as usize - 1)?.0))) {
            Some((id, metadata)) => {
                tracing_core::span::Current::new(tracing::span::Id::from_u64(id), metadata)
            }
            None => tracing_core::span::Current::none(),
        }
    }
}

/// `GET /v2/projects/{id}/`.
struct GetProject {
    call: Call,
}

impl Operation for GetProject {
    type Output = V2Response<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("v2/projects/7/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::json(response, call).await
    }
}
synapse_transport::fluent!(GetProject);

/// `GET /v2/projects/`.
struct ListProjects {
    call: Call,
}

impl Operation for ListProjects {
    type Output = CursorPage<Value>;
    fn prepare(&self) -> RequestBuilder {
        self.call.client().get("v2/projects/")
    }
    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        v2::cursor_page(response, call).await
    }
}
synapse_transport::fluent_cursor_list!(ListProjects, Value);

#[tokio::test]
async fn each_call_span_records_the_request_id_of_its_answer_or_error() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = MockTransport::new();
    let call = || Call::new(common::client(&mock, RetryPolicy::never()));

    mock.push(MockResponse::json(
        200,
        json!({"data": {"id": 7}, "meta": {"request_id": "req_ok"}}),
    ));
    GetProject { call: call() }.await.expect("project");

    mock.push(MockResponse::json(
        409,
        json!({"error": {"code": "CONFLICT", "message": "busy"}, "meta": {"request_id": "req_409"}}),
    ));
    GetProject { call: call() }.await.expect_err("409");

    mock.push(MockResponse::json(
        200,
        json!({"data": [1], "meta": {"request_id": "req_p1", "pagination": {"next_cursor": "c2"}}}),
    ));
    mock.push(
        MockResponse::json(200, json!({"next": null, "results": [2]}))
            .header("x-request-id", "req_p2"),
    );
    let items: Vec<Result<Value, Error>> = ListProjects { call: call() }.items().collect().await;
    assert_eq!(items.len(), 2);

    let spans = capture.spans.lock().expect("spans").clone();
    let calls: Vec<&Vec<String>> = spans
        .iter()
        .filter(|(metadata, _)| metadata.name() == "synapse.call")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(calls.len(), 4, "{spans:?}");
    let field = |fields: &Vec<String>, key: &str| {
        fields
            .iter()
            .find_map(|f| f.strip_prefix(&format!("{key}=")).map(str::to_owned))
    };
    let ids: Vec<Option<String>> = calls.iter().map(|f| field(f, "request_id")).collect();
    assert_eq!(
        ids,
        [
            Some("req_ok".to_owned()),
            Some("req_409".to_owned()),
            Some("req_p1".to_owned()),
            Some("req_p2".to_owned()),
        ]
    );
    assert_eq!(field(calls[0], "method").as_deref(), Some("GET"));
    assert_eq!(
        field(calls[3], "url").as_deref(),
        Some("https://synapse.test/v2/projects/?cursor=c2")
    );
}
