//! The backend v1 endpoints.

use std::time::SystemTime;

use http::Method;
use serde_json::{Map, Value, json};

use crate::jobs;
use crate::respond::{Ctx, Form, Resp, json_resp, not_found, paginate};
use crate::routes::{Api, Route, Streamed, answer, page, stream};
use crate::server::{Shared, check_backend_auth};
use crate::state::State;
use crate::time::rfc3339;

const PLUGIN_CATEGORIES: [&str; 9] = [
    "neural_net",
    "export",
    "upload",
    "smart_tool",
    "pre_annotation",
    "post_annotation",
    "data_validation",
    "custom",
    "converter",
];

/// Agents and storages every fake starts with.
pub(crate) fn seed(state: &mut State) {
    crate::ml::seed(state);
    for (name, status, token) in [
        (
            "gpu-node-1",
            "connected",
            "0123456789abcdef0123456789abcdef01234567",
        ),
        (
            "cpu-node-1",
            "disconnected",
            "89abcdef0123456789abcdef0123456789abcdef",
        ),
    ] {
        let id = state.id();
        state.agents.insert(
            id,
            json!({"id": id, "name": name, "url": format!("http://10.0.0.{id}:8000"), "status": status,
                   "token": token, "node_install_script": format!("curl -s http://synapse.local/agents/{token}/node_install_script | sh")}),
        );
    }
    let id = state.id();
    state.storages.insert(
        id,
        json!({"id": id, "name": "Main S3", "category": "internal", "provider": "amazon_s3", "is_default": true,
               "configuration": {"bucket_name": "synapse-main", "access_key": "AKIAFAKE", "secret_key": "fake-secret", "region_name": "ap-northeast-2"}}),
    );
}

/// The backend's routes (every path ends in `/`; a path without it is redirected).
pub(crate) const API: Api = Api {
    routes: &[
        ROUTES,
        crate::data_collections::ROUTES,
        crate::ml::ROUTES,
        crate::bulk_upload::ROUTES,
        crate::annotation::ROUTES,
        crate::tasks::ROUTES,
        crate::hitl::ROUTES,
    ],
    prefix: 0,
    authorize: check_backend_auth,
    append_slash: true,
    not_found: |_| not_found(),
};

const ROUTES: &[Route] = &[
    answer(Method::GET, "agents/", |s, c, _| list_agents(s, c)),
    answer(Method::POST, "agents/{token}/connect/", |s, _, token| {
        connect_agent(s, token)
    }),
    answer(Method::POST, "plugins/", |s, c, _| create_plugin(s, c)),
    answer(Method::GET, "plugins/{id}/", |s, _, id| get_plugin(s, id)),
    answer(Method::PUT, "plugins/{id}/", |s, c, id| {
        update_plugin(s, c, id)
    }),
    answer(Method::POST, "plugins/{plugin}/run/", |s, c, plugin| {
        jobs::run_plugin(s, c, plugin)
    }),
    answer(Method::GET, "plugin_releases/", |s, c, _| {
        list_releases(s, c)
    }),
    answer(Method::POST, "plugin_releases/", |s, c, _| {
        crate::uploads::create_release(s, c)
    }),
    answer(Method::GET, "plugin_releases/{lookup}/", |s, c, lookup| {
        get_release(s, c, lookup)
    }),
    page(Method::GET, "jobs/", |s, c, _| jobs::list_jobs(s, c)),
    answer(Method::GET, "jobs/{id}/", |s, _, id| jobs::get_job(s, id)),
    answer(Method::PATCH, "jobs/{id}/", |s, c, id| {
        jobs::update_job(s, c, id)
    }),
    answer(Method::GET, "jobs/{id}/console_logs/", |s, _, id| {
        jobs::console_logs(s, id)
    }),
    answer(Method::GET, "jobs/{id}/tail_console_logs/", |s, _, id| {
        jobs::tail(s, id, jobs::TailFormat::Events)
    }),
    answer(Method::POST, "logs/", |s, c, _| create_logs(s, c)),
    answer(Method::GET, "serve_applications/", |s, c, _| {
        list_serve_apps(s, c)
    }),
    answer(Method::POST, "serve_applications/", |s, c, _| {
        create_serve_app(s, c)
    }),
    answer(Method::GET, "storages/", |s, c, _| list_storages(s, c)),
    answer(Method::POST, "storages/", |s, c, _| create_storage(s, c)),
    answer(Method::GET, "storages/{id}/", |s, c, id| {
        get_storage(s, c, id)
    }),
    stream(Method::PUT, "chunked_upload/", Streamed::Chunk),
    stream(Method::PUT, "chunked_upload/{id}/", Streamed::Chunk),
    answer(Method::GET, "chunked_upload/{id}/", |s, c, id| {
        crate::uploads::get_upload(s, c, id)
    }),
    answer(Method::POST, "chunked_upload/{id}/", |s, c, id| {
        crate::uploads::finalize(s, c, id)
    }),
    stream(Method::PUT, "bench/raw_upload/", Streamed::RawUpload),
];

/// A list the spec records in two shapes: a DRF page, or (with
/// [`FakeConfig::bare_array_lists`](crate::FakeConfig::bare_array_lists)) a bare array of
/// every item.
fn bare_or_page(shared: &Shared, ctx: &Ctx, items: Vec<Value>) -> Resp {
    if shared.config.bare_array_lists {
        json_resp(200, &Value::Array(items))
    } else {
        paginate(ctx, items, shared.config.page_size, |v| v)
    }
}

fn list_agents(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let items: Vec<Value> = state
        .agents
        .values()
        .filter(|a| ctx.q("status").is_none_or(|s| a["status"] == s))
        .cloned()
        .collect();
    bare_or_page(shared, ctx, items)
}

fn connect_agent(shared: &Shared, token: &str) -> Resp {
    let state = shared.state();
    match state.agents.values().find(|a| a["token"] == token) {
        Some(a) => json_resp(
            200,
            &json!({"status": "ok", "agent": a["id"], "name": a["name"]}),
        ),
        None => not_found(),
    }
}

fn plugin_json(id: i64, p: &Value) -> Value {
    let mut p = p.clone();
    p["id"] = json!(id);
    p
}

fn get_plugin(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match id.parse::<i64>().ok().and_then(|i| state.plugins.get(&i)) {
        Some(p) => json_resp(200, p),
        None => not_found(),
    }
}

/// The fields a plugin has; any other key of a create or update body is dropped.
const PLUGIN_FIELDS: [&str; 18] = [
    "code",
    "name",
    "category",
    "description",
    "is_active",
    "is_public",
    "system_only",
    "source",
    "version",
    "data_type",
    "tasks",
    "annotation_category",
    "annotation_type",
    "smart_tool_type",
    "supported_data_types",
    "readme",
    "debug",
    "meta",
];

fn create_plugin(shared: &Shared, ctx: &Ctx) -> Resp {
    let form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    match plugin_form(&state, form, &[]) {
        Ok(body) => json_resp(201, &insert_plugin(&mut state, body)),
        Err(errors) => json_resp(400, &Value::Object(errors)),
    }
}

/// A plugin create body checked (`code`, `name`, `category` required; a code unique among
/// the stored plugins and `pending` ones): its declared fields, or every error.
pub(crate) fn plugin_form(
    state: &State,
    mut form: Form,
    pending: &[String],
) -> Result<Map<String, Value>, Map<String, Value>> {
    if let Some(code) = form.require_str("code") {
        if !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            form.error("code", "Enter a valid code.");
        } else if pending.contains(&code) || state.plugins.values().any(|p| p["code"] == *code) {
            form.error("code", "plugin with this code already exists.");
        }
    }
    form.require_str("name");
    form.require_choice("category", &PLUGIN_CATEGORIES);
    form.checked(&PLUGIN_FIELDS)
}

/// Stores a checked plugin body with the server's defaults; returns the plugin.
pub(crate) fn insert_plugin(state: &mut State, body: Map<String, Value>) -> Value {
    let id = state.id();
    let mut plugin = Map::new();
    plugin.insert("id".into(), json!(id));
    plugin.insert("tenant_id".into(), json!(1));
    plugin.insert("is_active".into(), json!(true));
    plugin.insert("system_only".into(), json!(false));
    plugin.insert("is_public".into(), json!(false));
    plugin.insert("description".into(), json!(""));
    plugin.insert("created".into(), json!(rfc3339(SystemTime::now())));
    for (k, v) in body {
        plugin.insert(k, v);
    }
    let plugin = plugin_json(id, &Value::Object(plugin));
    state.plugins.insert(id, plugin.clone());
    plugin
}

fn update_plugin(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let mut state = shared.state();
    let Some(plugin_id) = id
        .parse::<i64>()
        .ok()
        .filter(|i| state.plugins.contains_key(i))
    else {
        return not_found();
    };
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    // The SDK sends only the fields it changes (PUT as a partial update).
    form.optional_str("name");
    for field in ["is_active", "is_public", "system_only", "debug"] {
        if form.get(field).is_some_and(|v| !v.is_boolean()) {
            form.error(field, "Must be a valid boolean.");
        }
    }
    let body = match form.finish(&PLUGIN_FIELDS) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let Some(plugin) = state.plugins.get_mut(&plugin_id) else {
        return not_found();
    };
    for (k, v) in body {
        if k != "code" && k != "category" {
            plugin[k.as_str()] = v;
        }
    }
    json_resp(200, plugin)
}

/// A release as the API shows it, with the plugin embedded when `expand=plugin`.
pub(crate) fn release_json(state: &State, release: &Value, ctx: &Ctx) -> Value {
    let mut r = release.clone();
    if ctx.q("expand") == Some("plugin")
        && let Some(p) = r["plugin"].as_i64().and_then(|id| state.plugins.get(&id))
    {
        let mut p = p.clone();
        p["manifest"] = r["config"].clone();
        r["plugin"] = p;
    }
    r
}

fn list_releases(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let plugin = ctx
        .q("plugin")
        .and_then(|code| state.plugin_by_ref(code).map(|(id, _)| id));
    if ctx.q("plugin").is_some() && plugin.is_none() {
        return paginate(ctx, Vec::<Value>::new(), shared.config.page_size, |v| v);
    }
    let mut items: Vec<Value> = state
        .releases
        .values()
        .filter(|r| plugin.is_none_or(|p| r["plugin"].as_i64() == Some(p)))
        .map(|r| release_json(&state, r, ctx))
        .collect();
    if ctx.q("ordering") == Some("-created") {
        items.reverse();
    }
    paginate(ctx, items, shared.config.page_size, |v| v)
}

fn get_release(shared: &Shared, ctx: &Ctx, lookup: &str) -> Resp {
    let state = shared.state();
    match state.release_by_lookup(lookup) {
        Some((_, r)) => json_resp(200, &release_json(&state, r, ctx)),
        None => not_found(),
    }
}

/// The fields of a log entry; any other key is dropped.
const LOG_FIELDS: [&str; 9] = [
    "message", "level", "context", "file", "event", "data", "datetime", "job", "step",
];

/// The levels of a log entry.
const LOG_LEVELS: [&str; 7] = [
    "debug", "info", "success", "warning", "danger", "error", "critical",
];

/// One log entry checked: its declared fields, or every error.
fn log_form(entry: Value) -> Result<Map<String, Value>, Value> {
    let mut form = match Form::from_value(entry) {
        Ok(form) => form,
        Err(_) => {
            return Err(
                json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got another type."]}),
            );
        }
    };
    for field in ["message", "event", "step", "datetime"] {
        form.optional_str(field);
    }
    form.optional_choice("level", &LOG_LEVELS);
    if form.get("context").is_some_and(|c| !c.is_object()) {
        form.error("context", "Expected a dictionary of items.");
    }
    if let Some(file) = form.get("file").cloned()
        && !file.as_str().is_some_and(|f| f.starts_with("data:"))
    {
        form.error("file", "Expected a data: URI.");
    }
    form.checked(&LOG_FIELDS).map_err(Value::Object)
}

/// `POST logs/`: one entry or a non-empty list, all or nothing; a list's errors are one
/// object per entry (empty for a good one), as DRF's list serializer answers.
fn create_logs(shared: &Shared, ctx: &Ctx) -> Resp {
    let body = match ctx.json() {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (entries, many) = match body {
        Value::Array(a) if !a.is_empty() => (a, true),
        Value::Array(_) => {
            return json_resp(
                400,
                &json!({"non_field_errors": ["This list may not be empty."]}),
            );
        }
        other => (vec![other], false),
    };
    let checked: Vec<Result<Map<String, Value>, Value>> =
        entries.into_iter().map(log_form).collect();
    if checked.iter().any(Result::is_err) {
        let errors: Vec<Value> = checked
            .into_iter()
            .map(|c| c.err().unwrap_or_else(|| json!({})))
            .collect();
        let body = if many {
            json!(errors)
        } else {
            errors.into_iter().next().unwrap_or_default()
        };
        return json_resp(400, &body);
    }
    let mut state = shared.state();
    let mut created = Vec::new();
    for mut entry in checked.into_iter().flatten() {
        let id = state.id();
        entry.insert("id".into(), json!(id));
        entry.insert("created".into(), json!(rfc3339(SystemTime::now())));
        let entry = Value::Object(entry);
        state.logs.push(entry.clone());
        created.push(entry);
    }
    json_resp(201, &json!(created))
}

fn create_serve_app(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    form.require("job");
    form.optional_str("status");
    let body = match form.finish(&["job", "status", "data"]) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let id = state.id();
    let app = json!({"id": id, "job": body["job"], "status": body.get("status").filter(|s| !s.is_null()).cloned().unwrap_or(json!("NOT_STARTED")),
                     "data": body.get("data").filter(|d| !d.is_null()).cloned().unwrap_or(json!({})), "created": rfc3339(SystemTime::now())});
    state.serve_apps.insert(id, app.clone());
    json_resp(201, &app)
}

fn list_serve_apps(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let items: Vec<Value> = state
        .serve_apps
        .values()
        .filter(|a| ctx.q("status").is_none_or(|s| a["status"] == s))
        .cloned()
        .collect();
    paginate(ctx, items, shared.config.page_size, |v| v)
}

fn storage_json(s: &Value, with_configuration: bool) -> Value {
    let mut s = s.clone();
    if !with_configuration && let Some(o) = s.as_object_mut() {
        o.remove("configuration");
    }
    s
}

fn list_storages(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let with = ctx.q("with_configuration") == Some("true");
    let items: Vec<Value> = state
        .storages
        .values()
        .filter(|s| ctx.q("category").is_none_or(|c| s["category"] == c))
        .map(|s| storage_json(s, with))
        .collect();
    bare_or_page(shared, ctx, items)
}

fn get_storage(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let state = shared.state();
    match id.parse::<i64>().ok().and_then(|i| state.storages.get(&i)) {
        Some(s) => json_resp(
            200,
            &storage_json(s, ctx.q("with_configuration") == Some("true")),
        ),
        None => not_found(),
    }
}

fn create_storage(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    form.require_str("name");
    form.require_str("provider");
    form.optional_choice("category", &["internal", "external"]);
    if form
        .require("configuration")
        .is_some_and(|c| !c.is_object())
    {
        form.error("configuration", "Expected a dictionary of items.");
    }
    let mut storage = match form.finish(&[
        "name",
        "provider",
        "category",
        "configuration",
        "is_default",
    ]) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let id = state.id();
    storage.insert("id".into(), json!(id));
    storage.entry("category").or_insert(json!("external"));
    storage.entry("is_default").or_insert(json!(false));
    let storage = Value::Object(storage);
    state.storages.insert(id, storage.clone());
    json_resp(201, &storage_json(&storage, false))
}
