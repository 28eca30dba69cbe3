//! The generated request test of the operations: for every operation, one call with
//! concrete arguments (every typed setter set once) sent to the mock transport; the request
//! the mock received must be the one `.request()` built, and every request of a resource is
//! one insta snapshot (label → method, URL, headers, body).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::operations::{Answer, Body, OpDef, Operations, ParamTy, QueryKind, QueryParam};
use super::samples;
use super::{HEADER, rustfmt};

/// The helpers at the top of the test file.
const PRELUDE: &str = r##"
use std::collections::BTreeMap;

use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use synapse_backend::models::v2 as m;
use synapse_backend::v2::BackendV2Client;
use synapse_transport::mock::{MockResponse, MockTransport};
use synapse_transport::v2::{SseOperation, SseStream};
use synapse_transport::{Operation, RetryPolicy};

fn client(mock: &MockTransport) -> BackendV2Client {
    BackendV2Client::builder("https://synapse.test/")
        .without_env()
        .access_token("acc-secret")
        .tenant("acme")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

/// A request model from its JSON sample.
fn body<T: DeserializeOwned>(sample: &str) -> T {
    serde_json::from_str(sample).expect("the sample decodes into the request model")
}

/// A small archive on disk for the operations that upload a file: `sample.zip` holding
/// fixed bytes, in a directory of its own per resource (the tests run in parallel).
fn archive(resource: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("v2_operations")
        .join(resource);
    std::fs::create_dir_all(&dir).expect("archive directory");
    let path = dir.join("sample.zip");
    std::fs::write(&path, b"PK\x03\x04 sample archive").expect("archive");
    path
}

/// Sends `op` to the mock (its answer is not under test here) and returns the request's
/// snapshot, after checking that the request sent is the one `.request()` built.
async fn record<O: Operation>(mock: &MockTransport, op: O) -> Value {
    let built = synapse_transport::operation::request(&op)
        .expect("the request builds")
        .snapshot();
    mock.push(MockResponse::json(200, json!({})));
    let before = mock.requests().len();
    let _answer = synapse_transport::operation::send(op).await;
    let sent = mock.requests();
    assert_eq!(sent.len(), before + 1, "one request per call");
    assert_eq!(sent[before].snapshot(), built, "the request sent is the one built");
    built
}

/// [`record`] for an event stream (its first request).
async fn record_sse<O: SseOperation>(mock: &MockTransport, op: O) -> Value {
    let built = synapse_transport::v2::sse_request(&op)
        .expect("the request builds")
        .snapshot();
    mock.push(MockResponse::bytes(200, "event: close\ndata: {}\n\n"));
    let before = mock.requests().len();
    let mut events = SseStream::from_operation(op);
    let _first = events.next().await;
    let sent = mock.requests();
    assert_eq!(sent.len(), before + 1, "one request per stream");
    assert_eq!(sent[before].snapshot(), built, "the request sent is the one built");
    built
}

/// Snapshots a resource's requests in `tests/snapshots/`.
fn snapshot(name: &str, calls: &BTreeMap<&str, Value>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| insta::assert_json_snapshot!(name, calls));
}
"##;

/// Renders `tests/v2_operations/main.rs` (the only file of its directory).
pub fn render(ops: &Operations) -> Result<BTreeMap<String, String>, String> {
    let total: usize = ops.resources.values().map(Vec::len).sum();
    let mut out = String::new();
    writeln!(out, "{HEADER}").ok();
    writeln!(
        out,
        "//! The exact request of each of the {total} v2 operations, one call with concrete \
         arguments (every typed setter set once) sent to the mock transport: one insta \
         snapshot per resource, a map from the operation's label to its method, URL with \
         path and query, headers (credentials masked) and JSON body."
    )
    .ok();
    out.push_str(PRELUDE);
    writeln!(out).ok();
    writeln!(
        out,
        "/// Operations in all: every one has a label in a snapshot."
    )
    .ok();
    writeln!(out, "const OPERATIONS: usize = {total};").ok();
    writeln!(out).ok();
    writeln!(out, "#[test]").ok();
    writeln!(out, "fn every_operation_is_snapshotted() {{").ok();
    let counts: Vec<String> = ops
        .resources
        .values()
        .map(|l| l.len().to_string())
        .collect();
    writeln!(
        out,
        "    assert_eq!([{}].iter().sum::<usize>(), OPERATIONS);",
        counts.join(", ")
    )
    .ok();
    writeln!(out, "}}").ok();
    for (resource, list) in &ops.resources {
        writeln!(out).ok();
        writeln!(out, "#[tokio::test]").ok();
        writeln!(out, "async fn {resource}() {{").ok();
        writeln!(out, "    let mock = MockTransport::new();").ok();
        writeln!(out, "    let client = client(&mock);").ok();
        writeln!(out, "    let mut calls = BTreeMap::new();").ok();
        for op in list {
            let call = call_expr(op, &ops.components)?;
            let recorder = if matches!(op.answer, Answer::Sse(_)) {
                "record_sse"
            } else {
                "record"
            };
            writeln!(
                out,
                "    calls.insert({:?}, {recorder}(&mock, {call}).await);",
                op.label
            )
            .ok();
        }
        writeln!(out, "    assert_eq!(calls.len(), {});", list.len()).ok();
        writeln!(out, "    snapshot({resource:?}, &calls);").ok();
        writeln!(out, "}}").ok();
    }
    let mut files = BTreeMap::new();
    files.insert("main.rs".to_owned(), rustfmt::format(&out)?);
    Ok(files)
}

/// Sample path-parameter values, by position.
const PATH_INTS: &[i64] = &[7, 42, 99];

fn id_value(ty: &str, n: i64, uuid: bool) -> String {
    if ty == "JobId" || uuid {
        return format!(
            "synapse_backend::models::{ty}::from(\"550e8400-e29b-41d4-a716-4466554400{n:02}\")"
        );
    }
    format!("synapse_backend::models::{ty}({n})")
}

fn scalar(ty: &ParamTy, n: i64, values: &[String], datetime: bool, uuid: bool) -> String {
    match ty {
        ParamTy::Id(t) => id_value(t, n, uuid),
        ParamTy::Int => n.to_string(),
        ParamTy::Num => "3.0".to_owned(),
        ParamTy::Bool => "true".to_owned(),
        ParamTy::Str | ParamTy::Enum(_) => {
            let text = if let Some(first) = values.first() {
                first.clone()
            } else if datetime {
                "2026-01-15T09:00:00Z".to_owned()
            } else if uuid {
                "550e8400-e29b-41d4-a716-446655440000".to_owned()
            } else {
                "sample".to_owned()
            };
            format!("{text:?}")
        }
    }
}

fn query_value(q: &QueryParam) -> String {
    match q.kind {
        QueryKind::DryRun => String::new(),
        QueryKind::One => scalar(&q.ty, 3, &q.values, q.datetime, false),
        QueryKind::Repeated | QueryKind::Joined => match q.ty {
            ParamTy::Str | ParamTy::Enum(_) => {
                let items: Vec<String> = if q.values.len() >= 2 {
                    q.values[..2].iter().map(|v| format!("{v:?}")).collect()
                } else {
                    vec!["\"a\"".to_owned(), "\"b\"".to_owned()]
                };
                format!("[{}]", items.join(", "))
            }
            ParamTy::Num => "[1.5, 2.5]".to_owned(),
            _ => "[1, 2]".to_owned(),
        },
    }
}

fn json_literal(value: &Value) -> Result<String, String> {
    let text = serde_json::to_string(value).map_err(|e| format!("sample: {e}"))?;
    Ok(format!("r##\"{text}\"##"))
}

/// The call expression of one operation.
fn call_expr(op: &OpDef, components: &serde_json::Map<String, Value>) -> Result<String, String> {
    let mut out = "client".to_owned();
    let mut params = op.path_params.iter().enumerate();
    for (name, arg) in &op.handle {
        match arg {
            Some(_) => {
                let (i, p) = params
                    .next()
                    .ok_or_else(|| format!("{}: too few path parameters", op.id))?;
                let value = path_value(p, i);
                write!(out, ".{name}({value})").ok();
            }
            None => {
                write!(out, ".{name}()").ok();
            }
        }
    }
    if let Some(hand) = op.hand {
        write!(out, ".{}({})", op.method_name, hand.sample_args).ok();
        return Ok(out);
    }
    let mut args: Vec<String> = params.map(|(i, p)| path_value(p, i)).collect();
    let resource = &op.handle[0].0;
    match &op.body {
        Some(Body::Model {
            name,
            required: true,
            file,
            ..
        }) => {
            let mut sample = samples::sample(&component_ref(name), components);
            if let Some(file) = file {
                if file.required {
                    args.push(format!("archive({resource:?})"));
                }
                // The file is an argument, and what the client computes from it is left to it.
                if let Some(fields) = sample.as_object_mut() {
                    fields.remove(&file.wire);
                    for key in &file.filled {
                        fields.remove(key);
                    }
                }
            }
            args.push(format!("body::<m::{name}>({})", json_literal(&sample)?));
        }
        Some(Body::Inline(schema)) => {
            let sample = samples::sample(schema, components);
            args.push(format!("body::<Value>({})", json_literal(&sample)?));
        }
        Some(Body::Ids(ty)) => {
            let items: Vec<String> = (1..=2)
                .map(|n| {
                    if ty == "i64" {
                        n.to_string()
                    } else {
                        id_value(ty, n, false)
                    }
                })
                .collect();
            args.push(format!("[{}]", items.join(", ")));
        }
        _ => {}
    }
    write!(out, ".{}({})", op.method_name, args.join(", ")).ok();
    for q in op.query.iter().filter(|q| q.kind != QueryKind::DryRun) {
        write!(out, ".{}({})", q.setter, query_value(q)).ok();
    }
    if let Some(Body::Model {
        file: Some(file), ..
    }) = &op.body
        && !file.required
    {
        write!(out, ".file(archive({resource:?}))").ok();
    }
    if let Some(Body::Model {
        name,
        required: false,
        ..
    }) = &op.body
    {
        let sample = samples::sample(&component_ref(name), components);
        write!(out, ".body(body::<m::{name}>({}))", json_literal(&sample)?).ok();
    }
    match op.answer {
        Answer::Cursor(_) => out.push_str(".per_page(50)"),
        Answer::Pages(_) => out.push_str(".page_size(50)"),
        _ => {}
    }
    // `.dry_run()` turns the call into a `DryRun`, so it comes last.
    if let Some(q) = op.query.iter().find(|q| q.kind == QueryKind::DryRun) {
        write!(out, ".{}()", q.setter).ok();
    }
    Ok(out)
}

fn path_value(p: &super::operations::PathParam, i: usize) -> String {
    let n = PATH_INTS.get(i).copied().unwrap_or(1);
    scalar(&p.ty, n, &p.values, false, p.uuid)
}

fn component_ref(name: &str) -> Value {
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}
