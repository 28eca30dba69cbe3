//! Rust source text of the operations: one file per top-level resource (its handles and
//! operation builders), `mod.rs` declaring them and the client's resource accessors.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::operations::{
    Answer, Body, FilePart, OpDef, Operations, ParamTy, PathParam, QueryKind, QueryParam,
    handle_name,
};
use super::{HEADER, naming, rustfmt};

/// What `mod.rs` says about the whole module (after its first line).
const MODULE_DOC: &str = "\
Every operation of the document is a builder here, reached from a resource handle of
[`BackendV2Client`](crate::v2::BackendV2Client) as the Python SDK groups them
(`client.projects().tags(project_id).list()`). A builder holds its path parameters, typed
setters for its optional query parameters and its body; it is awaited (or `.send()`), gives
its exact request without IO (`.request()`), and takes per-call options (`.read_timeout()`,
`.retry()`, `.idempotent()`, a raw `.query(k, v)`).

- **Answers**: a JSON body decodes under the envelope rule into a
  [`V2Response<T>`](synapse_transport::v2::V2Response) (the value, its `meta` and request id);
  a 204 or a body-less 2xx is [`NoContent`](synapse_transport::v2::NoContent); a schema the
  document writes inline is a `serde_json::Value`.
- **Lists**: a cursor list awaits to one [`CursorPage`](synapse_transport::v2::CursorPage);
  `.per_page(n)`, `.cursor(c)`, `.items()` and `.pages()` walk it. The page-number lists
  (containers, code servers, async jobs) are [`Page`](synapse_models::Page)s with
  `.page_size(n)`, `.items()` and `.pages()`.
- **Streams**: the event-stream operations give `.events()`, a lazy
  [`SseStream`](synapse_transport::v2::SseStream).
- **Replays**: a `POST` or `PATCH` is never sent again once it may have reached the server,
  except the read-only bulk fetches and a call sent as `.dry_run()`, which are marked
  idempotent.
- **Bodies** are the generated request models of `synapse_models::v2`, sent as JSON. A
  body with a file (plugin and model archives, a job log's attachment) takes the file's path
  and goes as `multipart/form-data`: one text part per field the model writes (strings as
  they are, numbers and `true`/`false` as JSON writes them, objects and arrays as JSON text,
  `null` left out), then the file, streamed from disk under its own name.";

/// Renders every file of `crates/synapse-backend/src/v2/generated/`, by file name.
pub fn render(ops: &Operations, title: &str) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    for (resource, list) in &ops.resources {
        let text = render_resource(resource, list)?;
        files.insert(format!("{resource}.rs"), rustfmt::format(&text)?);
    }
    let mut root = String::new();
    writeln!(root, "{HEADER}").ok();
    writeln!(
        root,
        "//! The operations of the {title}, generated from its OpenAPI document."
    )
    .ok();
    writeln!(root, "//!").ok();
    for line in MODULE_DOC.lines() {
        writeln!(root, "//! {line}").ok();
    }
    writeln!(root, "//!").ok();
    writeln!(root, "//! | resource | operations |").ok();
    writeln!(root, "//! |---|---|").ok();
    let total: usize = ops.resources.values().map(Vec::len).sum();
    for (resource, list) in &ops.resources {
        writeln!(
            root,
            "//! | [`{resource}()`](crate::v2::BackendV2Client::{resource}) | {} |",
            list.len()
        )
        .ok();
    }
    writeln!(root, "//! | **total** | **{total}** |").ok();
    writeln!(root).ok();
    for resource in ops.resources.keys() {
        writeln!(root, "pub mod {resource};").ok();
    }
    writeln!(root).ok();
    writeln!(root, "impl crate::v2::BackendV2Client {{").ok();
    for (resource, list) in &ops.resources {
        let name = handle_name(&list[0].handle[..1]);
        writeln!(
            root,
            "    /// The `{resource}` operations ({} in all): [`{resource}::{name}`].",
            list.len()
        )
        .ok();
        writeln!(
            root,
            "    pub fn {resource}(&self) -> {resource}::{name} {{"
        )
        .ok();
        writeln!(root, "        {resource}::{name}::new(self.core.clone())").ok();
        writeln!(root, "    }}").ok();
        writeln!(root).ok();
    }
    writeln!(root, "}}").ok();
    files.insert("mod.rs".to_owned(), rustfmt::format(&root)?);
    Ok(files)
}

/// A handle: its segments, its arguments (name, type), and the methods under it.
struct Handle<'a> {
    segments: Vec<(String, Option<String>)>,
    args: Vec<(String, ParamTy)>,
    ops: Vec<&'a OpDef>,
    children: BTreeSet<String>,
}

/// The Rust type of a stored parameter.
fn stored_ty(ty: &ParamTy) -> String {
    match ty {
        ParamTy::Str => "String".into(),
        ParamTy::Int => "i64".into(),
        ParamTy::Num => "f64".into(),
        ParamTy::Bool => "bool".into(),
        ParamTy::Id(t) => (*t).to_owned(),
        ParamTy::Enum(t) => t.clone(),
    }
}

/// Whether a method takes `impl Into<stored type>` for this type (text, ids, enums) rather
/// than the stored type itself.
fn converts(ty: &ParamTy) -> bool {
    matches!(ty, ParamTy::Str | ParamTy::Id(_) | ParamTy::Enum(_))
}

/// The argument type of a method taking one value.
fn arg_ty(ty: &ParamTy) -> String {
    if converts(ty) {
        format!("impl Into<{}>", stored_ty(ty))
    } else {
        stored_ty(ty)
    }
}

/// The expression turning an argument into its stored form.
fn arg_into(name: &str, ty: &ParamTy) -> String {
    if converts(ty) {
        format!("{name}.into()")
    } else {
        name.to_owned()
    }
}

/// The model and id names a resource file imports.
#[derive(Default)]
struct Imports {
    models: BTreeSet<String>,
    ids: BTreeSet<String>,
}

impl Imports {
    fn ty(&mut self, ty: &ParamTy) {
        match ty {
            ParamTy::Id(t) => {
                self.ids.insert((*t).to_owned());
            }
            ParamTy::Enum(t) => {
                self.models.insert(t.clone());
            }
            _ => {}
        }
    }

    fn model(&mut self, rust: &str) {
        let inner = rust
            .strip_prefix("Vec<")
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(rust);
        if !inner.contains("::") && inner != "i64" {
            self.models.insert(inner.to_owned());
        }
    }
}

fn render_resource(resource: &str, list: &[OpDef]) -> Result<String, String> {
    // Handles by their segment path.
    let mut handles: BTreeMap<Vec<String>, Handle> = BTreeMap::new();
    for op in list {
        for depth in 1..=op.handle.len() {
            let key: Vec<String> = op.handle[..depth].iter().map(|(n, _)| n.clone()).collect();
            let args_here = op.handle[..depth]
                .iter()
                .filter(|(_, a)| a.is_some())
                .count();
            let args: Vec<(String, ParamTy)> = op.handle[..depth]
                .iter()
                .filter_map(|(_, a)| a.clone())
                .zip(op.path_params.iter().take(args_here))
                .map(|(a, p)| (a, p.ty.clone()))
                .collect();
            let entry = handles.entry(key.clone()).or_insert_with(|| Handle {
                segments: op.handle[..depth].to_vec(),
                args: args.clone(),
                ops: Vec::new(),
                children: BTreeSet::new(),
            });
            if entry.args != args {
                return Err(format!(
                    "{}: the handle {} has other argument types elsewhere",
                    op.id,
                    key.join(".")
                ));
            }
            if depth == op.handle.len() {
                entry.ops.push(op);
            }
        }
        for depth in 2..=op.handle.len() {
            let parent: Vec<String> = op.handle[..depth - 1]
                .iter()
                .map(|(n, _)| n.clone())
                .collect();
            if let Some(h) = handles.get_mut(&parent) {
                h.children.insert(op.handle[depth - 1].0.clone());
            }
        }
    }
    let mut imports = Imports::default();
    let mut body = String::new();
    for handle in handles.values() {
        render_handle(&mut body, handle, &handles, &mut imports);
    }
    let rendered: Vec<&OpDef> = list
        .iter()
        .filter(|op| op.hand.is_none() && access_builder(op).is_none())
        .collect();
    let shared = shared_queries(&rendered);
    let mut defined: BTreeSet<String> = BTreeSet::new();
    for op in rendered {
        let filters = shared.get(&op.struct_name);
        if let Some(f) = filters
            && defined.insert(f.name.clone())
        {
            render_filters(&mut body, f);
        }
        render_op(&mut body, op, filters, &mut imports);
    }
    let mut out = String::new();
    writeln!(out, "{HEADER}").ok();
    let root = handle_name(&list[0].handle[..1]);
    writeln!(
        out,
        "//! The `{resource}` resource: [`{root}`] (`client.{resource}()`), its nested handles \
         and its {} operations.",
        list.len()
    )
    .ok();
    writeln!(out).ok();
    if !imports.ids.is_empty() {
        let ids: Vec<&str> = imports.ids.iter().map(String::as_str).collect();
        writeln!(out, "use synapse_models::{{{}}};", ids.join(", ")).ok();
    }
    if !imports.models.is_empty() {
        let models: Vec<&str> = imports.models.iter().map(String::as_str).collect();
        writeln!(out, "use synapse_models::v2::{{{}}};", models.join(", ")).ok();
    }
    writeln!(out, "use synapse_transport::Client;").ok();
    writeln!(out).ok();
    out.push_str(&body);
    Ok(out)
}

/// Query parameters that several builders of a resource take alike (a list and its bulk
/// fetch): one struct holds them, one macro gives each builder the same setters. Each builder
/// still writes its whole query itself, in the document's order.
#[derive(Clone)]
struct SharedQuery {
    /// The struct's name (`{first builder}Query`).
    name: String,
    /// The setters macro's name (snake case of `name`).
    macro_name: String,
    /// The builders that take them, in rendering order.
    users: Vec<String>,
    /// The parameters, in the first builder's order.
    params: Vec<QueryParam>,
}

impl SharedQuery {
    /// Whether `q` is one of the shared parameters (identical in every respect).
    fn holds(&self, q: &QueryParam) -> bool {
        self.params.contains(q)
    }
}

/// The builders that share more than two identical query parameters (key, kind, type and
/// documentation) with another builder of the same resource, by builder name. A builder
/// joins the first group it shares more than two parameters with; the group keeps the
/// parameters all its builders have.
fn shared_queries(ops: &[&OpDef]) -> BTreeMap<String, SharedQuery> {
    let common = |group: &[QueryParam], op: &OpDef| -> Vec<QueryParam> {
        group
            .iter()
            .filter(|g| op.query.contains(g))
            .cloned()
            .collect()
    };
    let mut groups: Vec<(Vec<QueryParam>, Vec<&OpDef>)> = Vec::new();
    for op in ops.iter().copied() {
        let joined = groups
            .iter_mut()
            .find(|(params, _)| common(params, op).len() > 2);
        match joined {
            Some((params, users)) => {
                *params = common(params, op);
                users.push(op);
            }
            None => groups.push((op.query.clone(), vec![op])),
        }
    }
    let mut out = BTreeMap::new();
    for (params, users) in groups.into_iter().filter(|(_, users)| users.len() > 1) {
        let name = format!("{}Query", users[0].struct_name);
        let shared = SharedQuery {
            macro_name: naming::snake(&name),
            name,
            users: users.iter().map(|op| op.struct_name.clone()).collect(),
            params,
        };
        for op in users {
            out.insert(op.struct_name.clone(), shared.clone());
        }
    }
    out
}

/// The struct of a shared query-parameter list and the macro giving a builder its setters.
fn render_filters(out: &mut String, shared: &SharedQuery) {
    let links: Vec<String> = shared.users.iter().map(|u| format!("[`{u}`]")).collect();
    let users = match links.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => links.join(""),
    };
    let name = &shared.name;
    writeln!(out, "/// The query parameters that {users} have alike.").ok();
    writeln!(out, "#[derive(Debug, Default)]").ok();
    writeln!(out, "struct {name} {{").ok();
    for q in &shared.params {
        writeln!(out, "    {}: {},", q.field, query_stored(q)).ok();
    }
    writeln!(out, "}}").ok();
    writeln!(out).ok();
    writeln!(
        out,
        "/// The setters of [`{name}`]'s parameters, on a builder holding them as `query`."
    )
    .ok();
    writeln!(out, "macro_rules! {} {{", shared.macro_name).ok();
    writeln!(out, "    ($builder:ident) => {{").ok();
    writeln!(out, "        impl $builder {{").ok();
    let mut setters = String::new();
    for (i, q) in shared.params.iter().enumerate() {
        if i > 0 {
            writeln!(setters).ok();
        }
        render_setter(&mut setters, q, "self.query");
    }
    for line in setters.lines() {
        if line.is_empty() {
            writeln!(out).ok();
        } else {
            writeln!(out, "        {line}").ok();
        }
    }
    writeln!(out, "        }}").ok();
    writeln!(out, "    }};").ok();
    writeln!(out, "}}").ok();
    writeln!(out).ok();
}

fn render_handle(
    out: &mut String,
    handle: &Handle,
    all: &BTreeMap<Vec<String>, Handle>,
    imports: &mut Imports,
) {
    let name = handle_name(&handle.segments);
    let label: Vec<String> = handle
        .segments
        .iter()
        .map(|(n, a)| match a {
            Some(a) => format!("{n}({a})"),
            None => format!("{n}()"),
        })
        .collect();
    let nested = match handle.children.len() {
        0 => String::new(),
        1 => " and a nested handle".to_owned(),
        n => format!(" and {n} nested handles"),
    };
    writeln!(
        out,
        "/// `client.{}`: {} operation{}{nested}.",
        label.join("."),
        handle.ops.len(),
        if handle.ops.len() == 1 { "" } else { "s" }
    )
    .ok();
    writeln!(out, "#[derive(Debug, Clone)]").ok();
    writeln!(out, "pub struct {name} {{").ok();
    writeln!(out, "    pub(crate) client: Client,").ok();
    for (arg, ty) in &handle.args {
        imports.ty(ty);
        writeln!(out, "    pub(crate) {arg}: {},", stored_ty(ty)).ok();
    }
    writeln!(out, "}}").ok();
    writeln!(out).ok();
    writeln!(out, "impl {name} {{").ok();
    if handle.segments.len() == 1 {
        writeln!(out, "    /// The handle over `client`.").ok();
        writeln!(out, "    pub(crate) fn new(client: Client) -> Self {{").ok();
        writeln!(out, "        Self {{ client }}").ok();
        writeln!(out, "    }}").ok();
        writeln!(out).ok();
    }
    for child in &handle.children {
        let mut key: Vec<String> = handle.segments.iter().map(|(n, _)| n.clone()).collect();
        key.push(child.clone());
        let Some(sub) = all.get(&key) else {
            continue;
        };
        let sub_name = handle_name(&sub.segments);
        let own = sub.args.get(handle.args.len());
        let (params, init) = match own {
            Some((arg, ty)) => {
                let value = arg_into(arg, ty);
                let init = if value == *arg {
                    format!("{arg},")
                } else {
                    format!("{arg}: {value},")
                };
                (format!("{arg}: {}", arg_ty(ty)), init)
            }
            None => (String::new(), String::new()),
        };
        writeln!(
            out,
            "    /// The nested `{child}` operations: [`{sub_name}`]."
        )
        .ok();
        writeln!(out, "    pub fn {child}(&self, {params}) -> {sub_name} {{").ok();
        write!(out, "        {sub_name} {{ client: self.client.clone(), ").ok();
        for (arg, ty) in &handle.args {
            write!(out, "{arg}: {}, ", copied(arg, ty)).ok();
        }
        writeln!(out, "{init} }}").ok();
        writeln!(out, "    }}").ok();
        writeln!(out).ok();
    }
    for op in &handle.ops {
        if let Some(hand) = op.hand {
            writeln!(out, "    /// {}", op.summary).ok();
            writeln!(out, "    ///").ok();
            writeln!(
                out,
                "    /// `{} {}`: [`{}`]({}).",
                op.method, op.path, op.struct_name, hand.builder
            )
            .ok();
            writeln!(
                out,
                "    pub fn {}(&self, {}) -> {} {{",
                op.method_name, hand.params, hand.builder
            )
            .ok();
            writeln!(
                out,
                "        {}::new(&self.client, {})",
                hand.builder, hand.args
            )
            .ok();
            writeln!(out, "    }}").ok();
            writeln!(out).ok();
            continue;
        }
        if let Some(builder) = access_builder(op) {
            render_access_method(out, handle, op, builder);
            continue;
        }
        let mut params = Vec::new();
        let mut args = vec!["&self.client".to_owned()];
        for (arg, ty) in &handle.args {
            args.push(copied(arg, ty));
        }
        for p in op.path_params.iter().skip(op.handle_args) {
            params.push(format!("{}: {}", p.field, arg_ty(&p.ty)));
            args.push(arg_into(&p.field, &p.ty));
        }
        match &op.body {
            Some(Body::Model {
                name,
                required: true,
                file,
                ..
            }) => {
                if let Some(FilePart { required: true, .. }) = file {
                    params.push("file: impl Into<std::path::PathBuf>".into());
                    args.push("file.into()".into());
                }
                params.push(format!("body: {name}"));
                args.push("body".into());
            }
            Some(Body::Inline(_)) => {
                params.push("body: serde_json::Value".into());
                args.push("body".into());
            }
            Some(Body::Ids(ty)) => {
                imports.ty(&id_param(ty));
                params.push(format!("ids: impl IntoIterator<Item = impl Into<{ty}>>"));
                args.push("ids.into_iter().map(Into::into).collect()".into());
            }
            _ => {}
        }
        writeln!(out, "    /// {}", op.summary).ok();
        writeln!(out, "    ///").ok();
        writeln!(
            out,
            "    /// `{} {}`: [`{}`].",
            op.method, op.path, op.struct_name
        )
        .ok();
        writeln!(
            out,
            "    pub fn {}(&self, {}) -> {} {{",
            op.method_name,
            params.join(", "),
            op.struct_name
        )
        .ok();
        writeln!(out, "        {}::new({})", op.struct_name, args.join(", ")).ok();
        writeln!(out, "    }}").ok();
        writeln!(out).ok();
    }
    writeln!(out, "}}").ok();
    writeln!(out).ok();
}

/// The shared builder (`crate::v2::…`, its constructor) serving `op` when it is one of the
/// access reads every object has: `check_permission` (only `?permission=`, no answer body),
/// `permissions` and `roles` (no query, an untyped answer), a `GET` with path parameters only.
fn access_builder(op: &OpDef) -> Option<&'static str> {
    if op.method != "GET" || op.body.is_some() || op.hand.is_some() {
        return None;
    }
    let query: Vec<&str> = op.query.iter().map(|q| q.wire.as_str()).collect();
    let untyped = matches!(&op.answer, Answer::Json(t) if t == "serde_json::Value");
    match (op.method_name.as_str(), query.as_slice()) {
        ("check_permission", ["permission"]) if op.answer == Answer::NoContent => {
            Some("crate::v2::CheckPermission::new")
        }
        ("permissions", []) if untyped => Some("crate::v2::AccessRead::permissions"),
        ("roles", []) if untyped => Some("crate::v2::AccessRead::roles"),
        _ => None,
    }
}

/// A handle's method for an access read: the object's path segments (the handle's
/// arguments, then the method's), given to the shared builder.
fn render_access_method(out: &mut String, handle: &Handle, op: &OpDef, builder: &str) {
    let mut params = Vec::new();
    let mut locals = Vec::new();
    for p in op.path_params.iter().skip(op.handle_args) {
        params.push(format!("{}: {}", p.field, arg_ty(&p.ty)));
        let value = arg_into(&p.field, &p.ty);
        if value != p.field {
            locals.push(format!("let {} = {value};", p.field));
        }
    }
    let object = op.path.trim_end_matches('/');
    let object = object.rsplit_once('/').map_or(object, |(head, _)| head);
    let segments: Vec<String> = object
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|seg| {
            let wire = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
            match wire.and_then(|w| op.path_params.iter().position(|p| p.wire == w)) {
                Some(i) if i < op.handle_args => match handle.args.get(i) {
                    Some((arg, _)) => format!("self.{arg}.to_string()"),
                    None => format!("{seg:?}.to_owned()"),
                },
                Some(i) => format!("{}.to_string()", op.path_params[i].field),
                None => format!("{seg:?}.to_owned()"),
            }
        })
        .collect();
    let ty = builder.rsplit_once("::").map_or(builder, |(t, _)| t);
    let short = ty.rsplit("::").next().unwrap_or(ty);
    writeln!(out, "    /// {}", op.summary).ok();
    writeln!(out, "    ///").ok();
    writeln!(
        out,
        "    /// `{} {}`: [`{short}`]({ty}).",
        op.method, op.path
    )
    .ok();
    writeln!(
        out,
        "    pub fn {}(&self, {}) -> {ty} {{",
        op.method_name,
        params.join(", ")
    )
    .ok();
    for local in locals {
        writeln!(out, "        {local}").ok();
    }
    writeln!(
        out,
        "        {builder}(&self.client, vec![{}])",
        segments.join(", ")
    )
    .ok();
    writeln!(out, "    }}").ok();
    writeln!(out).ok();
}

/// `self.<arg>`, cloned unless the type is `Copy`.
fn copied(arg: &str, ty: &ParamTy) -> String {
    match ty {
        ParamTy::Str | ParamTy::Id("JobId") => format!("self.{arg}.clone()"),
        _ => format!("self.{arg}"),
    }
}

fn id_param(ty: &str) -> ParamTy {
    match ty {
        "i64" => ParamTy::Int,
        other => super::models::ID_TYPES
            .iter()
            .find(|(_, t)| *t == other)
            .map(|(_, t)| ParamTy::Id(t))
            .unwrap_or(ParamTy::Int),
    }
}

/// The stored type of a query parameter.
fn query_stored(q: &QueryParam) -> String {
    match q.kind {
        QueryKind::One => format!("Option<{}>", stored_ty(&q.ty)),
        QueryKind::Repeated | QueryKind::Joined => format!("Vec<{}>", stored_ty(&q.ty)),
        QueryKind::DryRun => "bool".into(),
    }
}

fn render_op(out: &mut String, op: &OpDef, shared: Option<&SharedQuery>, imports: &mut Imports) {
    let name = &op.struct_name;
    // Documentation.
    writeln!(out, "/// {}", op.summary).ok();
    writeln!(out, "///").ok();
    for line in &op.description {
        if line.is_empty() {
            writeln!(out, "///").ok();
        } else {
            writeln!(out, "/// {line}").ok();
        }
    }
    if !op.description.is_empty() {
        writeln!(out, "///").ok();
    }
    let handle = op
        .handle
        .iter()
        .map(|(n, a)| match a {
            Some(a) => format!("{n}({a})"),
            None => format!("{n}()"),
        })
        .collect::<Vec<_>>()
        .join(".");
    writeln!(
        out,
        "/// `{} {}` (`{}`), as `client.{handle}.{}(…)`.",
        op.method, op.path, op.id, op.method_name
    )
    .ok();
    if op.source == "added" {
        writeln!(out, "///").ok();
        writeln!(
            out,
            "/// The Python SDK has no method for this operation; the name follows its siblings'."
        )
        .ok();
    }
    match &op.answer {
        Answer::List(_) => {
            writeln!(out, "///").ok();
            writeln!(
                out,
                "/// A read-only bulk fetch: marked idempotent, so it retries like a `GET`. \
                 The answer keeps the order of the requested ids."
            )
            .ok();
        }
        Answer::Sse(_) => {
            writeln!(out, "///").ok();
            writeln!(
                out,
                "/// An event stream: `.events()` gives the events as a lazy stream."
            )
            .ok();
        }
        _ => {}
    }
    if let Some(Body::Model { media, file, .. }) = &op.body {
        let json = media.iter().any(|m| m == "application/json");
        match file {
            Some(file) => {
                writeln!(out, "///").ok();
                let when = if file.required || !json {
                    "The body goes as `multipart/form-data`"
                } else {
                    "Without a file the body is JSON; with one (`.file(path)`) it goes as \
                     `multipart/form-data`"
                };
                writeln!(
                    out,
                    "/// {when}: one text part per field of the model, then the file as the \
                     `{}` part, streamed from disk and named after the path's last component.",
                    file.wire
                )
                .ok();
                for field in &file.filled {
                    writeln!(
                        out,
                        "/// Without a `{field}`, the client computes the file's SHA-256 (lower-case \
                         hex) and sends it; the file is then read once more when the request is \
                         built."
                    )
                    .ok();
                }
            }
            None if !json => {
                writeln!(out, "///").ok();
                writeln!(
                    out,
                    "/// The document declares only `{}` for this body; it goes as \
                     `multipart/form-data` text parts.",
                    media.join("`, `")
                )
                .ok();
            }
            None => {}
        }
    }
    writeln!(out, "#[derive(Debug)]").ok();
    let must_use = if matches!(op.answer, Answer::Sse(_)) {
        "a stream does nothing until it is polled"
    } else {
        "a call does nothing until it is awaited"
    };
    writeln!(out, "#[must_use = \"{must_use}\"]").ok();
    writeln!(out, "pub struct {name} {{").ok();
    writeln!(out, "    call: synapse_transport::Call,").ok();
    for p in &op.path_params {
        imports.ty(&p.ty);
        writeln!(out, "    {}: {},", p.field, stored_ty(&p.ty)).ok();
    }
    for q in &op.query {
        imports.ty(&q.ty);
    }
    if let Some(shared) = shared {
        writeln!(out, "    query: {},", shared.name).ok();
    }
    // The parameters the builder holds itself (the shared ones are in `query`).
    let own: Vec<&QueryParam> = op
        .query
        .iter()
        .filter(|q| !shared.is_some_and(|s| s.holds(q)))
        .collect();
    for q in &own {
        writeln!(out, "    {}: {},", q.field, query_stored(q)).ok();
    }
    match &op.body {
        Some(Body::Model {
            name: model,
            required,
            file,
            ..
        }) => {
            imports.model(model);
            match file {
                Some(FilePart { required: true, .. }) => {
                    writeln!(out, "    file: std::path::PathBuf,").ok();
                }
                Some(_) => {
                    writeln!(out, "    file: Option<std::path::PathBuf>,").ok();
                }
                None => {}
            }
            if *required {
                writeln!(out, "    body: {model},").ok();
            } else {
                writeln!(out, "    body: Option<{model}>,").ok();
            }
        }
        Some(Body::Inline(_)) => {
            writeln!(out, "    body: serde_json::Value,").ok();
        }
        Some(Body::Ids(ty)) => {
            writeln!(out, "    ids: Vec<{ty}>,").ok();
        }
        None => {}
    }
    writeln!(out, "}}").ok();
    writeln!(out).ok();

    // Constructor and setters.
    let mut params = vec!["client: &Client".to_owned()];
    let mut inits = vec!["call: synapse_transport::Call::new(client.clone())".to_owned()];
    for p in &op.path_params {
        params.push(format!("{}: {}", p.field, stored_ty(&p.ty)));
        inits.push(p.field.clone());
    }
    if let Some(shared) = shared {
        inits.push(format!("query: {}::default()", shared.name));
    }
    for q in &own {
        let init = match q.kind {
            QueryKind::One => "None",
            QueryKind::Repeated | QueryKind::Joined => "Vec::new()",
            QueryKind::DryRun => "false",
        };
        inits.push(format!("{}: {init}", q.field));
    }
    match &op.body {
        Some(Body::Model {
            name: model,
            required,
            file,
            ..
        }) => {
            match file {
                Some(FilePart { required: true, .. }) => {
                    params.push("file: std::path::PathBuf".into());
                    inits.push("file".into());
                }
                Some(_) => inits.push("file: None".into()),
                None => {}
            }
            if *required {
                params.push(format!("body: {model}"));
                inits.push("body".into());
            } else {
                inits.push("body: None".into());
            }
        }
        Some(Body::Inline(_)) => {
            params.push("body: serde_json::Value".into());
            inits.push("body".into());
        }
        Some(Body::Ids(ty)) => {
            params.push(format!("ids: Vec<{ty}>"));
            inits.push("ids".into());
        }
        None => {}
    }
    writeln!(out, "impl {name} {{").ok();
    writeln!(out, "    /// The call through `client`.").ok();
    writeln!(
        out,
        "    pub(crate) fn new({}) -> Self {{",
        params.join(", ")
    )
    .ok();
    writeln!(out, "        Self {{ {} }}", inits.join(", ")).ok();
    writeln!(out, "    }}").ok();
    for q in &own {
        writeln!(out).ok();
        render_setter(out, q, "self");
    }
    if let Some(Body::Model {
        file: Some(file), ..
    }) = &op.body
        && !file.required
    {
        writeln!(out).ok();
        writeln!(
            out,
            "    /// The file to upload as the `{}` part; the body then goes as \
             `multipart/form-data`.",
            file.wire
        )
        .ok();
        writeln!(
            out,
            "    pub fn file(mut self, path: impl Into<std::path::PathBuf>) -> Self {{"
        )
        .ok();
        writeln!(out, "        self.file = Some(path.into());").ok();
        writeln!(out, "        self").ok();
        writeln!(out, "    }}").ok();
    }
    if let Some(Body::Model {
        name: model,
        required: false,
        ..
    }) = &op.body
    {
        writeln!(out).ok();
        writeln!(out, "    /// The request body (without one, none is sent).").ok();
        writeln!(out, "    pub fn body(mut self, body: {model}) -> Self {{").ok();
        writeln!(out, "        self.body = Some(body);").ok();
        writeln!(out, "        self").ok();
        writeln!(out, "    }}").ok();
    }
    writeln!(out, "}}").ok();
    if let Some(shared) = shared {
        writeln!(out, "{}!({name});", shared.macro_name).ok();
    }
    writeln!(out).ok();

    // The request.
    let prepare = prepare_body(op, shared);
    match &op.answer {
        Answer::Sse(settings) => {
            writeln!(
                out,
                "impl synapse_transport::v2::SseOperation for {name} {{"
            )
            .ok();
            writeln!(
                out,
                "    fn prepare(&self) -> synapse_transport::RequestBuilder {{"
            )
            .ok();
            out.push_str(&prepare);
            writeln!(out, "    }}").ok();
            if let Some(f) = settings {
                writeln!(out).ok();
                writeln!(
                    out,
                    "    fn sse_options(&self) -> synapse_transport::v2::SseOptions {{"
                )
                .ok();
                writeln!(out, "        crate::v2::streams::{f}()").ok();
                writeln!(out, "    }}").ok();
            }
            writeln!(out, "}}").ok();
            writeln!(out, "synapse_transport::fluent_sse!({name});").ok();
        }
        answer => {
            let (output, decode, fluent) = match answer {
                Answer::Json(t) => {
                    imports.model(t);
                    (
                        format!("synapse_transport::v2::V2Response<{t}>"),
                        "synapse_transport::v2::json(response, call).await",
                        format!("synapse_transport::fluent!({name});"),
                    )
                }
                Answer::List(t) => {
                    imports.model(t);
                    (
                        format!("synapse_transport::v2::V2Response<Vec<{t}>>"),
                        "synapse_transport::v2::json(response, call).await",
                        format!("synapse_transport::fluent!({name});"),
                    )
                }
                Answer::Cursor(t) => {
                    imports.model(t);
                    (
                        format!("synapse_transport::v2::CursorPage<{t}>"),
                        "synapse_transport::v2::cursor_page(response, call).await",
                        format!("synapse_transport::fluent_cursor_list!({name}, {t});"),
                    )
                }
                Answer::Pages(t) => {
                    imports.model(t);
                    (
                        format!("synapse_models::Page<{t}>"),
                        "synapse_transport::operation::json(response, call).await",
                        format!("synapse_transport::fluent_list!({name}, {t});"),
                    )
                }
                _ => (
                    "synapse_transport::v2::NoContent".to_owned(),
                    "synapse_transport::v2::unit(response, call).await",
                    format!("synapse_transport::fluent!({name});"),
                ),
            };
            writeln!(out, "impl synapse_transport::Operation for {name} {{").ok();
            writeln!(out, "    type Output = {output};").ok();
            writeln!(out).ok();
            writeln!(
                out,
                "    fn prepare(&self) -> synapse_transport::RequestBuilder {{"
            )
            .ok();
            out.push_str(&prepare);
            writeln!(out, "    }}").ok();
            writeln!(out).ok();
            writeln!(out, "    async fn decode(response: synapse_transport::Response, call: synapse_transport::CallInfo) -> Result<Self::Output, synapse_transport::Error> {{").ok();
            writeln!(out, "        {decode}").ok();
            writeln!(out, "    }}").ok();
            writeln!(out, "}}").ok();
            writeln!(out, "{fluent}").ok();
        }
    }
    writeln!(out).ok();
}

/// One setter; `holder` is where the builder keeps the parameter (`self`, or `self.query`
/// for a shared list).
fn render_setter(out: &mut String, q: &QueryParam, holder: &str) {
    for line in &q.doc {
        if line.is_empty() {
            writeln!(out, "    ///").ok();
        } else {
            writeln!(out, "    /// {line}").ok();
        }
    }
    let (field, setter) = (&q.field, &q.setter);
    match q.kind {
        QueryKind::One => {
            writeln!(
                out,
                "    pub fn {setter}(mut self, value: {}) -> Self {{",
                arg_ty(&q.ty)
            )
            .ok();
            writeln!(
                out,
                "        {holder}.{field} = Some({});",
                arg_into("value", &q.ty)
            )
            .ok();
        }
        QueryKind::Repeated | QueryKind::Joined => {
            let item = arg_ty(&q.ty);
            writeln!(
                out,
                "    pub fn {setter}(mut self, values: impl IntoIterator<Item = {item}>) -> Self {{"
            )
            .ok();
            let map = if converts(&q.ty) {
                ".map(Into::into)"
            } else {
                ""
            };
            writeln!(
                out,
                "        {holder}.{field} = values.into_iter(){map}.collect();"
            )
            .ok();
        }
        QueryKind::DryRun => {
            writeln!(
                out,
                "    pub fn {setter}(mut self) -> crate::v2::DryRun<Self> {{"
            )
            .ok();
            writeln!(out, "        {holder}.{field} = true;").ok();
            writeln!(out, "        crate::v2::DryRun::new(self)").ok();
            writeln!(out, "    }}").ok();
            return;
        }
    }
    writeln!(out, "        self").ok();
    writeln!(out, "    }}").ok();
}

/// The body of `prepare`: path, query, body, idempotency.
fn prepare_body(op: &OpDef, shared: Option<&SharedQuery>) -> String {
    let mut out = String::new();
    let segments: Vec<String> = op
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|seg| {
            match seg
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .and_then(|wire| op.path_params.iter().find(|p| p.wire == wire))
            {
                Some(p) => segment_expr(p),
                None => format!("{seg:?}"),
            }
        })
        .collect();
    let trailing = op.path.ends_with('/');
    writeln!(
        out,
        "        let path = synapse_transport::urls::path([{}], {trailing});",
        segments.join(", ")
    )
    .ok();
    let method = op.method.to_ascii_lowercase();
    let needs_mut = matches!(
        op.body,
        Some(Body::Model {
            required: false,
            ..
        })
    );
    let form = match &op.body {
        Some(Body::Model {
            required: true,
            media,
            file,
            ..
        }) if file.is_some() || !media.iter().any(|m| m == "application/json") => {
            Some((file.clone(), media.iter().any(|m| m == "application/json")))
        }
        _ => None,
    };
    let start = format!("self.call.client().{method}(path)");
    if needs_mut {
        writeln!(out, "        let mut builder = {start}").ok();
    } else if form.is_some() {
        writeln!(out, "        let builder = {start}").ok();
    } else {
        writeln!(out, "        {start}").ok();
    }
    render_query_chain(&mut out, &op.query, shared);
    match &op.body {
        _ if form.is_some() => {}
        Some(Body::Model { required: true, .. }) | Some(Body::Inline(_)) => {
            writeln!(out, "            .json(&self.body)").ok();
        }
        Some(Body::Ids(_)) => {
            writeln!(
                out,
                "            .validated(crate::v2::support::check_ids(self.ids.len()))"
            )
            .ok();
            writeln!(
                out,
                "            .json(&serde_json::json!({{\"ids\": self.ids}}))"
            )
            .ok();
        }
        _ => {}
    }
    if op.idempotent {
        writeln!(out, "            .idempotent(true)").ok();
    }
    if needs_mut {
        writeln!(out, "            ;").ok();
        writeln!(out, "        if let Some(body) = &self.body {{").ok();
        writeln!(out, "            builder = builder.json(body);").ok();
        writeln!(out, "        }}").ok();
        writeln!(out, "        builder").ok();
    }
    if let Some((file, json)) = form {
        writeln!(out, "            ;").ok();
        let filled = file
            .as_ref()
            .map(|f| {
                f.filled
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        match file {
            None => {
                writeln!(
                    out,
                    "        crate::v2::multipart::attach(builder, &self.body, None, &[{filled}])"
                )
                .ok();
            }
            Some(f) if f.required || !json => {
                let part = if f.required {
                    format!("Some(({:?}, self.file.as_path()))", f.wire)
                } else {
                    format!("self.file.as_deref().map(|p| ({:?}, p))", f.wire)
                };
                writeln!(
                    out,
                    "        crate::v2::multipart::attach(builder, &self.body, {part}, &[{filled}])"
                )
                .ok();
            }
            Some(f) => {
                writeln!(out, "        match &self.file {{").ok();
                writeln!(
                    out,
                    "            Some(file) => crate::v2::multipart::attach(builder, &self.body, Some(({:?}, file.as_path())), &[{filled}]),",
                    f.wire
                )
                .ok();
                writeln!(out, "            None => builder.json(&self.body),").ok();
                writeln!(out, "        }}").ok();
            }
        }
    }
    out
}

/// The query lines of a request chain: one call per parameter, in the document's order,
/// reading a shared parameter from `self.query`.
fn render_query_chain(out: &mut String, query: &[QueryParam], shared: Option<&SharedQuery>) {
    for q in query {
        let (wire, field) = (&q.wire, &q.field);
        let holder = if shared.is_some_and(|s| s.holds(q)) {
            "self.query"
        } else {
            "self"
        };
        match q.kind {
            QueryKind::One if q.ty == ParamTy::Bool => {
                writeln!(
                    out,
                    "            .query_opt({wire:?}, {holder}.{field}.map(crate::v2::support::python_bool))"
                )
                .ok();
            }
            QueryKind::One => {
                writeln!(
                    out,
                    "            .query_opt({wire:?}, {holder}.{field}.as_ref())"
                )
                .ok();
            }
            QueryKind::Repeated => {
                writeln!(
                    out,
                    "            .query_pairs({holder}.{field}.iter().map(|v| ({wire:?}.to_owned(), v.to_string())))"
                )
                .ok();
            }
            QueryKind::Joined => {
                writeln!(
                    out,
                    "            .query_opt({wire:?}, crate::v2::support::joined(&{holder}.{field}))"
                )
                .ok();
            }
            QueryKind::DryRun => {
                writeln!(out, "            .dry_run({holder}.{field})").ok();
            }
        }
    }
}

fn segment_expr(p: &PathParam) -> String {
    match p.ty {
        ParamTy::Str => format!("self.{}.as_str()", p.field),
        _ => format!("self.{}.to_string().as_str()", p.field),
    }
}
