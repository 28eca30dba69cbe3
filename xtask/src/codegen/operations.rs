//! The operations part: every operation of the document as an operation builder of
//! `synapse-backend`'s `v2` module, grouped by resource as `openapi/v2-operations.tsv` says,
//! and a request snapshot test of each (an intermediate form here, rendered by
//! [`super::ops_render`] and [`super::ops_tests`]).
//!
//! Mapping (the rules the generated module documents):
//!
//! | OpenAPI | Rust |
//! |---|---|
//! | `operationId` | a builder struct named after its place in the grouping (`projects.tags(project_id).list` → `ProjectsTagsList`) and a method of its resource handle |
//! | path parameter | an argument of the handle (`tags(project_id)`) or of the method (`retrieve(id)`), typed with the crate's id newtypes where the models use them |
//! | optional query parameter | a typed setter (the open enum of `synapse_models::v2` whose values are exactly the listed ones, taking its wire text too); arrays repeat the key (`explode: true`) or join the values with commas (`explode: false`); `dry_run` as `.dry_run()`, which turns the call into a `DryRun` (the same request through `RequestBuilder::dry_run`, answered by a `DryRunAnswer`) |
//! | required request body | an argument of the method (the generated request model, sent as JSON) |
//! | optional request body | `.body(model)` |
//! | `format: binary` property of the body | the file's path: an argument before the body when required, else `.file(path)`; the body then goes as `multipart/form-data` (text parts for the model's fields, then the file streamed from disk), as it always does when the document declares no JSON body |
//! | 2xx JSON body | `V2Response<T>` (`v2::json`) |
//! | cursor page (`cursor`/`per_page`) | `CursorPage<T>` with `fluent_cursor_list!` |
//! | page-number page (`page`/`page_size`) | `Page<T>` with `fluent_list!` |
//! | `POST` answering a page (the bulk RPCs) | `V2Response<Vec<T>>`, marked idempotent |
//! | 204, or a 2xx without a body | `NoContent` |
//! | `text/event-stream` | an `SseOperation` (`fluent_sse!`) |
//! | inline schema | `serde_json::Value` |

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::OpenAPI;
use serde_json::Value;

use super::models::{CLIENT_FILLED, ID_TYPES};
use super::naming;

/// The grouping file, relative to the workspace root.
pub const GROUPING: &str = "openapi/v2-operations.tsv";

/// The operations the bulk-fetch rule applies to: read-only `POST`s, marked idempotent. The
/// value is the id type of the `{"ids": [...]}` body when the document declares none (its
/// description states it).
const BULK_FETCH: &[(&str, Option<&str>)] = &[
    ("tasks:bulkFetch", Some("TaskId")),
    ("assignments:bulkFetch", Some("AssignmentId")),
    ("ground_truth_bulk_data", Some("i64")),
    ("ground_truth_events:bulkData", None),
];

/// An operation whose builder is written by hand (in `synapse-backend`'s `v2` module): the
/// handle's method is generated, calling the builder's `new(&client, args)`.
#[derive(Debug)]
pub struct HandWritten {
    /// `operationId`.
    pub id: &'static str,
    /// The method's parameters (after `&self`).
    pub params: &'static str,
    /// The arguments of the builder's `new`, after the client.
    pub args: &'static str,
    /// The builder's path.
    pub builder: &'static str,
    /// The arguments of the request test's call.
    pub sample_args: &'static str,
}

/// The hand-written operations: `auth.login` takes the password as a `Secret`, does not send
/// the client's `Authorization`, and answers the token as a `Secret`.
pub const HAND_WRITTEN: &[HandWritten] = &[HandWritten {
    id: "user_login",
    params: "email: impl Into<String>, password: impl Into<synapse_transport::Secret>",
    args: "email.into(), password.into()",
    builder: "crate::v2::AuthLogin",
    sample_args: "\"user@example.com\", \"sample-password\"",
}];

/// The stream settings of the event-stream operations: a function of the hand-written
/// `v2::streams` module, by operationId.
const SSE_OPTIONS: &[(&str, &str)] = &[
    ("code_server_events", "code_server_events"),
    ("job_tail_console_logs_v2", "job_console_logs"),
];

/// Path segments whose parameter is a relation other than the segment's singular.
const SEGMENT_RELATIONS: &[(&str, &str, &str)] = &[
    (
        "ground-truth-datasets",
        "versions",
        "ground_truth_dataset_version",
    ),
    ("projects", "tags", "task_tag"),
];

/// Setter names the fluent macros already use.
const RESERVED: &[&str] = &[
    "query",
    "read_timeout",
    "connect_timeout",
    "retry",
    "idempotent",
    "request",
    "send",
    "items",
    "pages",
    "events",
    "cursor",
    "per_page",
    "page_size",
    "body",
    "file",
    "new",
];

/// The Rust type of a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamTy {
    /// `String` (setters take `impl Into<String>`).
    Str,
    /// `i64`.
    Int,
    /// `f64`.
    Num,
    /// `bool` (a query value `True`/`False`, as the Python SDK writes it).
    Bool,
    /// An id newtype of `synapse_models` (setters take `impl Into<Id>`).
    Id(&'static str),
    /// An open enum of `synapse_models::v2` (setters take `impl Into<Enum>`, so its wire text
    /// converts too).
    Enum(String),
}

/// A path parameter.
#[derive(Debug, Clone)]
pub struct PathParam {
    /// The name in the path template.
    pub wire: String,
    /// The struct field and argument name.
    pub field: String,
    /// Its type.
    pub ty: ParamTy,
    /// The enum values the document lists, if any (sample values).
    pub values: Vec<String>,
    /// `format: uuid`.
    pub uuid: bool,
}

/// How a query parameter is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryKind {
    /// One value.
    One,
    /// Repeated key (`explode: true`).
    Repeated,
    /// One key, comma-joined values (`explode: false`).
    Joined,
    /// `dry_run`: `RequestBuilder::dry_run`.
    DryRun,
}

/// An optional query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryParam {
    /// The query key.
    pub wire: String,
    /// The setter name.
    pub setter: String,
    /// The struct field.
    pub field: String,
    /// The type of one value.
    pub ty: ParamTy,
    /// One value, many (`Repeated`/`Joined`), or `dry_run`.
    pub kind: QueryKind,
    /// Documentation lines.
    pub doc: Vec<String>,
    /// Enum values, if any.
    pub values: Vec<String>,
    /// A date-time string.
    pub datetime: bool,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// A generated request model (its name), sent as JSON.
    Model {
        /// The model's name.
        name: String,
        /// Whether the document requires it (a method argument) or not (`.body(model)`).
        required: bool,
        /// The document's content types, for the documentation.
        media: Vec<String>,
        /// The file part, when the body has one.
        file: Option<FilePart>,
    },
    /// An inline schema: a `serde_json::Value` argument (the schema kept for the samples).
    Inline(Value),
    /// `{"ids": [...]}` of a bulk fetch, with the id type.
    Ids(String),
}

/// The file part of a body (a `format: binary` property).
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The part's name.
    pub wire: String,
    /// Whether the document requires it (a method argument) or not (`.file(path)`).
    pub required: bool,
    /// Fields the client computes from the file when the caller leaves them out.
    pub filled: Vec<String>,
}

/// What an operation's answer decodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `V2Response<T>` of a Rust type.
    Json(String),
    /// A cursor page of items.
    Cursor(String),
    /// A page-number page of items.
    Pages(String),
    /// `V2Response<Vec<T>>` of a bulk RPC.
    List(String),
    /// `NoContent`.
    NoContent,
    /// An event stream, with the name of its settings function (if any).
    Sse(Option<String>),
}

/// One operation.
#[derive(Debug, Clone)]
pub struct OpDef {
    /// `operationId`.
    pub id: String,
    /// Uppercase method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The grouping label (`projects.tags(project_id).list`).
    pub label: String,
    /// The handle's segments: name and argument name.
    pub handle: Vec<(String, Option<String>)>,
    /// The method name on the handle.
    pub method_name: String,
    /// The builder's type name.
    pub struct_name: String,
    /// The first line of the documentation (the summary).
    pub summary: String,
    /// The rest of the documentation (the description).
    pub description: Vec<String>,
    /// Path parameters in path order.
    pub path_params: Vec<PathParam>,
    /// How many of them the handle holds.
    pub handle_args: usize,
    /// Optional query parameters, in document order.
    pub query: Vec<QueryParam>,
    /// The request body.
    pub body: Option<Body>,
    /// The answer.
    pub answer: Answer,
    /// Marked idempotent in `prepare` (the bulk fetches).
    pub idempotent: bool,
    /// `python` or `added`.
    pub source: String,
    /// The hand-written builder, if the operation has one.
    pub hand: Option<&'static HandWritten>,
}

/// The operations by top-level resource (file stem), each list in grouping-file order.
pub struct Operations {
    /// Resource → its operations.
    pub resources: BTreeMap<String, Vec<OpDef>>,
    /// The document's component schemas (JSON), for samples.
    pub components: serde_json::Map<String, Value>,
}

/// One line of the grouping file.
struct Grouping {
    label: String,
    handle: Vec<(String, Option<String>)>,
    method: String,
    source: String,
}

/// Reads the grouping file's text: operationId → its place.
fn read_grouping(text: &str) -> Result<BTreeMap<String, Grouping>, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [id, label, source] = cols.as_slice() else {
            return Err(format!("{GROUPING}:{}: expected 3 columns", n + 1));
        };
        let mut parts: Vec<&str> = label.split('.').collect();
        let method = parts
            .pop()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| format!("{GROUPING}:{}: no method in {label}", n + 1))?;
        let mut handle = Vec::new();
        for part in parts {
            match part.split_once('(') {
                Some((name, arg)) => {
                    let arg = arg
                        .strip_suffix(')')
                        .ok_or_else(|| format!("{GROUPING}:{}: bad segment {part}", n + 1))?;
                    handle.push((name.to_owned(), Some(arg.to_owned())));
                }
                None => handle.push((part.to_owned(), None)),
            }
        }
        if handle.is_empty() {
            return Err(format!("{GROUPING}:{}: no resource in {label}", n + 1));
        }
        let grouping = Grouping {
            label: (*label).to_owned(),
            handle,
            method: method.to_owned(),
            source: (*source).to_owned(),
        };
        if out.insert((*id).to_owned(), grouping).is_some() {
            return Err(format!("{GROUPING}: {id} is listed twice"));
        }
    }
    Ok(out)
}

/// Builds the operations from the document and the grouping file's text.
pub fn build(api: &OpenAPI, grouping: &str) -> Result<Operations, String> {
    let doc = serde_json::to_value(api).map_err(|e| format!("cannot walk the document: {e}"))?;
    let groups = read_grouping(grouping)?;
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let ctx = Ctx {
        components: &components,
    };
    let mut order: BTreeMap<String, usize> = BTreeMap::new();
    for (i, id) in grouping
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .enumerate()
    {
        order.insert(id.to_owned(), i);
    }
    let mut all = Vec::new();
    let mut seen = BTreeSet::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("the document has no paths")?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(op) = item.get(method) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{method} {path}: no operationId"))?;
            let group = groups
                .get(id)
                .ok_or_else(|| format!("{id} is not in {GROUPING}"))?;
            seen.insert(id.to_owned());
            all.push(ctx.operation(id, method, path, op, group)?);
        }
    }
    if let Some(extra) = groups.keys().find(|k| !seen.contains(*k)) {
        return Err(format!(
            "{GROUPING} lists {extra}, which the document lacks"
        ));
    }
    all.sort_by_key(|op| order.get(&op.id).copied().unwrap_or(usize::MAX));
    let mut names = BTreeSet::new();
    let mut resources: BTreeMap<String, Vec<OpDef>> = BTreeMap::new();
    for op in all {
        if !names.insert(op.struct_name.clone()) {
            return Err(format!("two operations are named {}", op.struct_name));
        }
        resources
            .entry(op.handle[0].0.clone())
            .or_default()
            .push(op);
    }
    // Handle names must not collide with operation names.
    for ops in resources.values() {
        for op in ops {
            for depth in 1..=op.handle.len() {
                let handle = handle_name(&op.handle[..depth]);
                if names.contains(&handle) {
                    return Err(format!("the handle {handle} has an operation's name"));
                }
            }
        }
    }
    Ok(Operations {
        resources,
        components,
    })
}

/// The type name of a handle: its segments' names in `PascalCase`.
pub fn handle_name(handle: &[(String, Option<String>)]) -> String {
    handle
        .iter()
        .map(|(name, _)| naming::pascal(name))
        .collect()
}

struct Ctx<'a> {
    components: &'a serde_json::Map<String, Value>,
}

impl Ctx<'_> {
    fn operation(
        &self,
        id: &str,
        method: &str,
        path: &str,
        op: &Value,
        group: &Grouping,
    ) -> Result<OpDef, String> {
        let params: Vec<&Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut path_params = Vec::new();
        for (i, seg) in segments.iter().enumerate() {
            let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                continue;
            };
            let param = params
                .iter()
                .find(|p| p["in"] == "path" && p["name"] == name)
                .ok_or_else(|| format!("{id}: path parameter {name} is not declared"))?;
            let schema = &param["schema"];
            let relation = i.checked_sub(1).map(|p| segment_relation(&segments, p));
            let id_ty = relation
                .as_deref()
                .and_then(|r| ID_TYPES.iter().find(|(rel, _)| *rel == r))
                .map(|(_, ty)| *ty);
            let uuid = schema["format"] == "uuid";
            let ty = match (schema["type"].as_str(), id_ty) {
                (Some("integer"), Some(t)) => ParamTy::Id(t),
                (Some("string"), Some(t)) if uuid && t == "JobId" => ParamTy::Id(t),
                (Some("integer"), None) => ParamTy::Int,
                _ => ParamTy::Str,
            };
            path_params.push(PathParam {
                wire: name.to_owned(),
                field: naming::field_name(name, &|_| true),
                ty,
                values: enum_values(schema),
                uuid,
            });
        }
        let handle_args = group.handle.iter().filter(|(_, a)| a.is_some()).count();
        if handle_args > path_params.len() {
            return Err(format!(
                "{id}: {} takes {handle_args} handle arguments but the path has {}",
                group.label,
                path_params.len()
            ));
        }
        let mut query = Vec::new();
        for p in &params {
            if p["in"] != "query" {
                continue;
            }
            if p["required"] == true {
                return Err(format!("{id}: required query parameters are not supported"));
            }
            query.push(query_param(p)?);
        }
        let answer = self.answer(id, method, op, &params)?;
        // The cursor and page-size keys belong to the list macros.
        query.retain(|q| match &answer {
            Answer::Cursor(_) => q.wire != "cursor" && q.wire != "per_page",
            Answer::Pages(_) => q.wire != "page_size",
            _ => true,
        });
        let bulk = BULK_FETCH.iter().find(|(b, _)| *b == id);
        if bulk.is_some_and(|(_, ids)| ids.is_some())
            && !query.iter().any(|q| q.wire == "response_mode")
        {
            query.push(QueryParam {
                wire: "response_mode".into(),
                setter: "response_mode".into(),
                field: "response_mode".into(),
                ty: ParamTy::Str,
                kind: QueryKind::One,
                doc: vec![
                    "How the answer carries each item's data: `inline` (the server's default) \
                     or `presigned` (storage URLs)."
                        .into(),
                ],
                values: vec!["inline".into(), "presigned".into()],
                datetime: false,
            });
        }
        if group.method == "check_permission" && !query.iter().any(|q| q.wire == "permission") {
            query.push(QueryParam {
                wire: "permission".into(),
                setter: "permission".into(),
                field: "permission".into(),
                ty: ParamTy::Str,
                kind: QueryKind::One,
                doc: vec![
                    "The permission to check (`view`, …); the document does not declare \
                     this key, the Python SDK always sends it."
                        .into(),
                ],
                values: vec!["view".into()],
                datetime: false,
            });
        }
        // Field names: query fields never shadow path fields.
        let path_fields: BTreeSet<String> = path_params.iter().map(|p| p.field.clone()).collect();
        let mut setters = BTreeSet::new();
        for q in &mut query {
            if RESERVED.contains(&q.setter.as_str()) {
                q.setter.push_str("_param");
            }
            if path_fields.contains(&q.field) {
                q.field = format!("{}_query", q.field);
            }
            if !setters.insert(q.setter.clone()) {
                return Err(format!("{id}: two query setters are named {}", q.setter));
            }
        }
        let body = match bulk {
            Some((_, Some(ty))) if op.get("requestBody").is_none() => {
                Some(Body::Ids((*ty).to_owned()))
            }
            _ => self.body(id, op)?,
        };
        if let Some(Body::Model {
            required: false,
            file: Some(_),
            ..
        }) = &body
        {
            return Err(format!(
                "{id}: an optional body with a file is not supported"
            ));
        }
        let mut description = op
            .get("description")
            .and_then(Value::as_str)
            .map(|d| indent_list_continuations(super::docs::lines(d)))
            .unwrap_or_default();
        let summary = match op.get("summary").and_then(Value::as_str) {
            Some(s) => super::docs::lines(s).join(" "),
            None => {
                let first = if description.is_empty() {
                    format!("The `{id}` operation.")
                } else {
                    description.remove(0)
                };
                while description.first().is_some_and(String::is_empty) {
                    description.remove(0);
                }
                first
            }
        };
        let mut struct_name = handle_name(&group.handle);
        struct_name.push_str(&naming::pascal(&group.method));
        if naming::field_name(&group.method, &|_| true) != group.method {
            return Err(format!("{id}: {} cannot name a method", group.method));
        }
        Ok(OpDef {
            id: id.to_owned(),
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            label: group.label.clone(),
            handle: group.handle.clone(),
            method_name: group.method.clone(),
            struct_name,
            summary,
            description,
            path_params,
            handle_args,
            query,
            body,
            answer,
            idempotent: bulk.is_some(),
            source: group.source.clone(),
            hand: HAND_WRITTEN.iter().find(|h| h.id == id),
        })
    }

    fn answer(
        &self,
        id: &str,
        method: &str,
        op: &Value,
        params: &[&Value],
    ) -> Result<Answer, String> {
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{id}: no responses"))?;
        let Some((status, response)) = responses.iter().find(|(s, _)| s.starts_with('2')) else {
            return Err(format!("{id}: no 2xx response"));
        };
        let described = response["description"].as_str().unwrap_or_default();
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            if described.contains("event-stream") {
                let settings = SSE_OPTIONS
                    .iter()
                    .find(|(o, _)| *o == id)
                    .map(|(_, f)| (*f).to_owned());
                return Ok(Answer::Sse(settings));
            }
            return Ok(Answer::NoContent);
        };
        if status == "204" {
            return Ok(Answer::NoContent);
        }
        let media = content
            .get("application/json")
            .ok_or_else(|| format!("{id}: a 2xx answer that is not JSON"))?;
        let schema = &media["schema"];
        let has = |name: &str| {
            params
                .iter()
                .any(|p| p["in"] == "query" && p["name"] == name)
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = component_name(reference)?;
            if name.starts_with("Paginated") {
                let item = self.page_item(name)?;
                return Ok(if method == "post" {
                    Answer::List(item)
                } else if has("cursor") {
                    Answer::Cursor(item)
                } else if has("page") {
                    Answer::Pages(item)
                } else {
                    return Err(format!("{id}: a page without cursor or page parameters"));
                });
            }
            return Ok(Answer::Json(naming::type_name(name)));
        }
        if schema["type"] == "array"
            && let Some(reference) = schema.pointer("/items/$ref").and_then(Value::as_str)
        {
            let name = component_name(reference)?;
            return Ok(Answer::Json(format!("Vec<{}>", naming::type_name(name))));
        }
        Ok(Answer::Json("serde_json::Value".to_owned()))
    }

    /// The file part of a request body component, if it has one.
    fn file_part(&self, id: &str, component: &str) -> Result<Option<FilePart>, String> {
        let schema = self.components.get(component);
        let properties = schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object);
        let files: Vec<&String> = properties
            .into_iter()
            .flatten()
            .filter(|(_, p)| p["type"] == "string" && p["format"] == "binary")
            .map(|(k, _)| k)
            .collect();
        let wire = match files.as_slice() {
            [] => return Ok(None),
            [one] => (*one).clone(),
            _ => return Err(format!("{id}: a body with more than one file")),
        };
        let required = schema
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|k| *k == *wire));
        let filled = CLIENT_FILLED
            .iter()
            .filter(|(c, _)| *c == component)
            .map(|(_, k)| (*k).to_owned())
            .collect();
        Ok(Some(FilePart {
            wire,
            required,
            filled,
        }))
    }

    /// The item type of a `Paginated…` component.
    fn page_item(&self, name: &str) -> Result<String, String> {
        let item = self
            .components
            .get(name)
            .and_then(|s| s.pointer("/properties/results/items/$ref"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{name}: results are not a list of a component"))?;
        Ok(naming::type_name(component_name(item)?))
    }

    fn body(&self, id: &str, op: &Value) -> Result<Option<Body>, String> {
        let Some(body) = op.get("requestBody") else {
            return Ok(None);
        };
        let content = body["content"]
            .as_object()
            .ok_or_else(|| format!("{id}: a request body without content"))?;
        let media: Vec<String> = content.keys().cloned().collect();
        let (_, first) = content
            .iter()
            .find(|(k, _)| *k == "application/json")
            .or_else(|| content.iter().next())
            .ok_or_else(|| format!("{id}: a request body without a media type"))?;
        let schema = &first["schema"];
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let component = component_name(reference)?;
                Ok(Some(Body::Model {
                    name: naming::type_name(component),
                    required: body["required"] == true,
                    media,
                    file: self.file_part(id, component)?,
                }))
            }
            None => Ok(Some(Body::Inline(schema.clone()))),
        }
    }
}

/// Indents the lines that continue a list item by two spaces (the document's indentation
/// is gone by then), so rustdoc reads them as part of the item and not as a lazy
/// continuation.
pub fn indent_list_continuations(lines: Vec<String>) -> Vec<String> {
    let mut in_item = false;
    let mut in_fence = false;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.starts_with("```") {
            in_fence = !in_fence;
            in_item = false;
            out.push(line);
            continue;
        }
        if in_fence || line.is_empty() {
            in_item = false;
            out.push(line);
            continue;
        }
        if is_list_item(&line) {
            in_item = true;
            out.push(line);
        } else if in_item {
            out.push(format!("  {line}"));
        } else {
            out.push(line);
        }
    }
    out
}

fn is_list_item(line: &str) -> bool {
    if ["- ", "* ", "+ "].iter().any(|m| line.starts_with(m)) {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// The relation of the parameter after `segments[at]`: `projects` → `project`.
fn segment_relation(segments: &[&str], at: usize) -> String {
    let seg = segments[at];
    let parent = at
        .checked_sub(2)
        .map(|p| segments[p])
        .filter(|p| !p.starts_with('{'));
    if let Some((_, _, relation)) = SEGMENT_RELATIONS
        .iter()
        .find(|(p, s, _)| Some(*p) == parent && *s == seg)
    {
        return (*relation).to_owned();
    }
    let snake = seg.replace('-', "_");
    snake.strip_suffix('s').unwrap_or(&snake).to_owned()
}

fn component_name(reference: &str) -> Result<&str, String> {
    super::spec::ref_name(reference)
}

fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn scalar_ty(name: &str, schema: &Value) -> ParamTy {
    match schema["type"].as_str() {
        Some("integer") => {
            let relation = name.strip_suffix("_id").unwrap_or(name);
            match ID_TYPES.iter().find(|(rel, _)| *rel == relation) {
                Some((_, ty)) => ParamTy::Id(ty),
                None => ParamTy::Int,
            }
        }
        Some("number") => ParamTy::Num,
        Some("boolean") => ParamTy::Bool,
        _ => ParamTy::Str,
    }
}

fn query_param(p: &Value) -> Result<QueryParam, String> {
    let wire = p["name"]
        .as_str()
        .ok_or("a query parameter without a name")?
        .to_owned();
    let schema = &p["schema"];
    let name = naming::field_name(&wire, &|_| true);
    let (ty, kind, item) = if wire == "dry_run" {
        (ParamTy::Bool, QueryKind::DryRun, schema)
    } else if schema["type"] == "array" {
        let items = &schema["items"];
        let ty = match items["type"].as_str() {
            Some("integer") => ParamTy::Int,
            Some("number") => ParamTy::Num,
            _ => ParamTy::Str,
        };
        let kind = if p["explode"] == false {
            QueryKind::Joined
        } else {
            QueryKind::Repeated
        };
        (ty, kind, items)
    } else {
        (scalar_ty(&wire, schema), QueryKind::One, schema)
    };
    let values = enum_values(item);
    let description = p["description"].as_str().unwrap_or_default();
    let mut doc = if description.is_empty() || super::docs::is_choice_list(description) {
        vec![format!("The `{wire}` query parameter.")]
    } else {
        super::docs::lines(description)
    };
    if !values.is_empty() {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        doc.push(String::new());
        doc.push(format!("One of {}.", list.join(", ")));
    }
    match kind {
        QueryKind::Repeated => {
            doc.push(String::new());
            doc.push(format!("Sent as one `{wire}=…` pair per value."));
        }
        QueryKind::Joined => {
            doc.push(String::new());
            doc.push(format!(
                "Sent as one `{wire}` key, the values joined with commas."
            ));
        }
        QueryKind::DryRun => {
            doc = vec![
                "Sends the call as a dry run (`?dry_run=true`): the server validates the \
                 request without executing it and answers a \
                 [`DryRunAnswer`](crate::v2::DryRunAnswer); a validation changes nothing, \
                 so the dry run retries like a `GET`. Set the call's options first."
                    .to_owned(),
            ];
        }
        QueryKind::One if ty == ParamTy::Bool => {
            doc.push(String::new());
            doc.push("Sent as `True` or `False`, as the Python SDK writes it.".to_owned());
        }
        QueryKind::One => {}
    }
    Ok(QueryParam {
        setter: name.clone(),
        field: name,
        wire,
        ty,
        kind,
        doc,
        values,
        datetime: item["format"] == "date-time",
    })
}

/// Types the query parameters whose listed values are exactly those of a generated open enum
/// (`enums`: the sorted wire values → the names of the enums that have them) as that enum.
/// Of several, the enum named after the parameter wins (`category` → `…Category`), then the
/// shortest name. Their documentation's "One of …" line names the type.
pub fn type_enum_queries(ops: &mut Operations, enums: &BTreeMap<Vec<String>, Vec<String>>) {
    for q in ops
        .resources
        .values_mut()
        .flatten()
        .flat_map(|op| op.query.iter_mut())
    {
        if q.ty != ParamTy::Str || q.values.is_empty() {
            continue;
        }
        let mut values = q.values.clone();
        values.sort();
        let Some(names) = enums.get(&values) else {
            continue;
        };
        let suffix = naming::pascal(&q.wire);
        let Some(name) = names
            .iter()
            .min_by_key(|n| (!n.ends_with(suffix.as_str()), n.len(), n.as_str()))
        else {
            continue;
        };
        for line in q.doc.iter_mut().filter(|l| l.starts_with("One of ")) {
            let list = line.trim_end_matches('.');
            *line = format!("{list}: a [`{name}`], or its wire text.");
        }
        q.ty = ParamTy::Enum(name.clone());
    }
}
