//! Containers on the agent: container records built asynchronously from a plugin release
//! or an uploaded plugin archive (`POST containers/` → a build that runs for the configured
//! job duration, then a running container), the Docker containers behind them, and the
//! builds' status.

use std::collections::BTreeMap;
use std::sync::MutexGuard;
use std::time::{Duration, Instant, SystemTime};

use http::Method;
use serde_json::{Map, Value, json};

use crate::respond::{Ctx, Form, Resp, json_resp, no_content, not_found, paginate};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// The container routes of the agent (the slashes as the agent has them: none after a
/// record's or a Docker container's id).
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "containers/", |s, c, _| list(s, c)),
    answer(Method::POST, "containers/", |s, c, _| create(s, c)),
    answer(Method::GET, "containers/{id}", |s, _, id| {
        with_record(s, id, |r| json_resp(200, r))
    }),
    answer(Method::PATCH, "containers/{id}", |s, c, id| {
        update(s, c, id)
    }),
    answer(Method::DELETE, "containers/{id}", |s, _, id| delete(s, id)),
    answer(Method::GET, "containers/docker/", |s, _, _| {
        let state = settled(s);
        let all: Vec<Value> = state.agent.containers.docker.values().cloned().collect();
        json_resp(200, &json!(all))
    }),
    answer(Method::POST, "containers/docker/", |s, c, _| {
        create_docker(s, c)
    }),
    answer(Method::GET, "containers/docker/{id}", |s, _, id| {
        let state = settled(s);
        match state.agent.containers.docker.get(id) {
            Some(d) => json_resp(200, d),
            None => not_found(),
        }
    }),
    answer(Method::DELETE, "containers/docker/{id}", |s, _, id| {
        delete_docker(s, id)
    }),
    answer(Method::POST, "containers/docker/{id}/stop/", |s, _, id| {
        set_docker(s, id, false)
    }),
    answer(Method::POST, "containers/docker/{id}/start/", |s, _, id| {
        set_docker(s, id, true)
    }),
    answer(Method::GET, "builds/{id}/", |s, _, id| build_status(s, id)),
];

/// Container records, Docker containers and builds.
#[derive(Default)]
pub(crate) struct ContainerState {
    records: BTreeMap<i64, Value>,
    docker: BTreeMap<String, Value>,
    builds: BTreeMap<String, Build>,
}

/// A container build: `pending`, `building`, then `completed` (or `failed`).
struct Build {
    record: i64,
    started: Instant,
    lasts: Duration,
    /// Why it fails once it ends (a run with `params.fail` set).
    fails: Option<String>,
    /// Whether its end has been applied to its record.
    settled: bool,
}

impl Build {
    /// Its status (the end only once [`settle`] has applied it).
    fn status(&self) -> &'static str {
        if self.settled {
            if self.fails.is_some() {
                "failed"
            } else {
                "completed"
            }
        } else if self.started.elapsed() < self.lasts / 5 {
            "pending"
        } else {
            "building"
        }
    }
}

/// The state, locked, with every finished build applied (see [`settle`]): what every
/// container route reads first.
fn settled(shared: &Shared) -> MutexGuard<'_, State> {
    let mut state = shared.state();
    settle(&mut state);
    state
}

/// Applies the end of every finished build: its record runs (with a Docker container and
/// an endpoint) or has failed.
fn settle(state: &mut State) {
    let now = rfc3339(SystemTime::now());
    let mut ended = Vec::new();
    for build in state.agent.containers.builds.values_mut() {
        if !build.settled && build.started.elapsed() >= build.lasts {
            build.settled = true;
            ended.push((build.record, build.fails.is_none()));
        }
    }
    for (record_id, ok) in ended {
        let docker_id = format!("{:012x}", 0x3f2a_9c00_0000_i64 + record_id);
        let containers = &mut state.agent.containers;
        let Some(record) = containers.records.get_mut(&record_id) else {
            continue;
        };
        record["modified"] = json!(now);
        if !ok {
            record["status"] = json!("failed");
            continue;
        }
        let port = 7860 + record_id;
        record["status"] = json!("running");
        record["endpoint"] = json!(format!("http://127.0.0.1:{port}"));
        record["container_id"] = json!(docker_id);
        let docker = docker_json(
            &docker_id,
            record["plugin_release"].as_str().unwrap_or_default(),
            port,
            &record["labels"],
            &now,
        );
        containers.docker.insert(docker_id, docker);
    }
}

/// A Docker container as the agent lists it.
fn docker_json(id: &str, release: &str, port: i64, labels: &Value, created: &str) -> Value {
    json!({
        "id": id,
        "name": format!("synapse-{}-{port}", release.replace('@', "-")),
        "image": "synapse/plugin-runtime:latest",
        "status": "running",
        "plugin_release": release,
        "labels": labels,
        "ports": {"7860/tcp": port},
        "endpoint": format!("http://127.0.0.1:{port}"),
        "created": created,
    })
}

/// Runs `f` on the record `id` (its pending build settled first), or 404.
fn with_record(shared: &Shared, id: &str, f: impl FnOnce(&Value) -> Resp) -> Resp {
    let state = settled(shared);
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.agent.containers.records.get(&id))
    {
        Some(r) => f(r),
        None => not_found(),
    }
}

/// `GET containers/`: the records, paginated, filtered by `status`.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = settled(shared);
    let items: Vec<Value> = state
        .agent
        .containers
        .records
        .values()
        .filter(|r| ctx.q("status").is_none_or(|s| r["status"] == s))
        .cloned()
        .collect();
    paginate(ctx, items, shared.config.page_size, |v| v)
}

/// The body of `POST containers/` as one JSON object: the JSON body, or the multipart
/// form's text parts (objects as JSON text, integers as decimals, `labels` one part per
/// item) with the archive's name and size from its `file` part.
fn create_body(ctx: &Ctx) -> Result<(Value, Option<(String, usize)>), Resp> {
    let content_type = ctx.header("content-type").unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        let body = if ctx.body.is_empty() {
            json!({})
        } else {
            ctx.json()?
        };
        return Ok((body, None));
    }
    let Some(parts) = crate::multipart::parse(content_type, &ctx.body) else {
        return Err(crate::respond::detail(400, "Multipart form parse error."));
    };
    let mut body = Map::new();
    let mut file = None;
    let mut labels = Vec::new();
    for part in parts {
        if part.name == "file" {
            file = Some((part.filename.unwrap_or_default(), part.data.len()));
            continue;
        }
        let text = String::from_utf8_lossy(&part.data).into_owned();
        let value = match part.name.as_str() {
            "labels" => {
                labels.push(json!(text));
                continue;
            }
            "params" | "envs" | "metadata" => serde_json::from_str(&text).unwrap_or(json!(text)),
            "model" | "backend_container_id" => {
                text.parse::<i64>().map(|n| json!(n)).unwrap_or(json!(text))
            }
            _ => json!(text),
        };
        body.insert(part.name, value);
    }
    if !labels.is_empty() {
        body.insert("labels".to_owned(), Value::Array(labels));
    }
    Ok((Value::Object(body), file))
}

/// An optional integer field (absent or null: `None`).
fn optional_int(form: &mut Form, field: &str) -> Option<i64> {
    let value = form.get(field)?.clone();
    let n = value.as_i64();
    if n.is_none() {
        form.error(field, "A valid integer is required.");
    }
    n
}

/// Checks that the optional `field` is an object (of strings, when `strings`).
fn check_object(form: &mut Form, field: &str, strings: bool) {
    match form.get(field) {
        None => {}
        Some(Value::Object(m)) if !strings || m.values().all(Value::is_string) => {}
        Some(Value::Object(_)) => form.error(field, "Every value must be a string."),
        Some(_) => form.error(field, "Expected a dictionary of items."),
    }
}

/// Checks that the optional `labels` is a list of strings.
fn check_labels(form: &mut Form) {
    match form.get("labels") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
        Some(_) => form.error("labels", "Expected a list of strings."),
    }
}

/// The release a `plugin_release` (with optional `plugin` and `version`) names, as
/// `code@version`: cached on the agent or on the backend; without a version, the latest.
fn resolve(
    state: &State,
    release: &str,
    plugin: Option<&str>,
    version: Option<&str>,
) -> Option<String> {
    let (code, version) = match (plugin, version, release.rsplit_once('@')) {
        (Some(p), v, _) => (p.to_owned(), v.map(str::to_owned)),
        (None, Some(v), _) => (release.to_owned(), Some(v.to_owned())),
        (None, None, Some((c, v))) => (c.to_owned(), Some(v.to_owned())),
        (None, None, None) => (release.to_owned(), None),
    };
    let cached = state
        .agent_releases
        .values()
        .filter(|r| r["plugin"] == code.as_str())
        .filter_map(|r| r["version"].as_str().map(str::to_owned));
    let (plugin_id, _) = state.plugin_by_ref(&code).unzip();
    let backend = state
        .releases
        .values()
        .filter(|r| plugin_id.is_some() && r["plugin"].as_i64() == plugin_id)
        .filter_map(|r| r["version"].as_str().map(str::to_owned));
    let versions: Vec<String> = cached.chain(backend).collect();
    let found = match version {
        Some(v) => versions.contains(&v).then_some(v),
        None => versions.last().cloned(),
    }?;
    Some(format!("{code}@{found}"))
}

/// `POST containers/`: checks the body, starts a build of a new record; 202 with the
/// build's reference.
fn create(shared: &Shared, ctx: &Ctx) -> Resp {
    let (body, file) = match create_body(ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut form = match Form::from_value(body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let release = form.optional_str("plugin_release");
    let plugin = form.optional_str("plugin");
    let version = form.optional_str("version");
    form.optional_str("action");
    form.optional_str("entrypoint");
    let model = optional_int(&mut form, "model");
    let backend_container_id = optional_int(&mut form, "backend_container_id");
    check_object(&mut form, "params", false);
    check_object(&mut form, "envs", true);
    check_object(&mut form, "metadata", false);
    check_labels(&mut form);
    let kind = form.optional_choice("kind", &["plugin_runtime", "code_server"]);
    if release.is_none() && file.is_none() {
        form.error(
            "plugin_release",
            "This field is required when no plugin file is uploaded.",
        );
    }
    let mut state = shared.state();
    let resolved = match (&release, &file) {
        (Some(r), None) => {
            let found = resolve(&state, r, plugin.as_deref(), version.as_deref());
            if found.is_none() {
                form.error("plugin_release", format!("Plugin release {r} not found."));
            }
            found
        }
        (Some(r), Some(_)) => Some(r.clone()),
        (None, Some((name, _))) => Some(name.trim_end_matches(".zip").to_owned()),
        (None, None) => None,
    };
    let declared = [
        "plugin_release",
        "plugin",
        "version",
        "action",
        "entrypoint",
        "model",
        "params",
        "envs",
        "metadata",
        "labels",
        "kind",
        "backend_container_id",
    ];
    let fields = match form.finish(&declared) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let id = state.id();
    let build_id = state.uuid();
    let now = rfc3339(SystemTime::now());
    let fails = fields
        .get("params")
        .and_then(|p| p["fail"].as_bool())
        .filter(|f| *f)
        .map(|_| "Build failed: pip install returned exit code 1".to_owned());
    let record = json!({
        "id": id,
        "plugin_release": resolved,
        "plugin": plugin,
        "version": version,
        "action": fields.get("action").cloned().unwrap_or(json!("gradio")),
        "entrypoint": fields.get("entrypoint").cloned().unwrap_or(json!("plugin/gradio_interface.py")),
        "model": model,
        "params": fields.get("params").cloned().unwrap_or(json!({})),
        "envs": fields.get("envs").cloned().unwrap_or(json!({})),
        "metadata": fields.get("metadata").cloned().unwrap_or(json!({})),
        "labels": fields.get("labels").cloned().unwrap_or(json!([])),
        "kind": kind.unwrap_or_else(|| "plugin_runtime".to_owned()),
        "backend_container_id": backend_container_id,
        "plugin_file": file.as_ref().map(|(name, size)| json!({"name": name, "size": size})),
        "status": "building",
        "endpoint": null,
        "container_id": null,
        "build_id": build_id,
        "created": now,
        "modified": now,
    });
    let containers = &mut state.agent.containers;
    containers.records.insert(id, record);
    containers.builds.insert(
        build_id.clone(),
        Build {
            record: id,
            started: Instant::now(),
            lasts: shared.config.job_duration,
            fails,
            settled: false,
        },
    );
    let ws_origin = ctx.origin.replacen("http", "ws", 1);
    json_resp(
        202,
        &json!({
            "build_id": build_id,
            "ws_url": format!("{ws_origin}/agent/builds/{build_id}/logs/"),
            "sse_url": ctx.absolute(&format!("/agent/builds/{build_id}/logs/stream/")),
            "status_url": ctx.absolute(&format!("/agent/builds/{build_id}/")),
        }),
    )
}

/// `GET builds/{id}/`: `{build_id, status, result, error}`; `result` is the container
/// record once `completed`.
fn build_status(shared: &Shared, id: &str) -> Resp {
    let state = settled(shared);
    let containers = &state.agent.containers;
    let Some(build) = containers.builds.get(id) else {
        return not_found();
    };
    let status = build.status();
    let result = match status {
        "completed" => containers
            .records
            .get(&build.record)
            .cloned()
            .unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let error = match status {
        "failed" => json!(build.fails),
        _ => Value::Null,
    };
    json_resp(
        200,
        &json!({"build_id": id, "status": status, "result": result, "error": error}),
    )
}

/// `PATCH containers/{id}`: `{"status": "running"|"stopped"}` starts or stops its Docker
/// container; `{}` changes nothing. Answers the record.
fn update(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let status = form.optional_choice("status", &["running", "stopped"]);
    if let Err(r) = form.finish(&["status"]) {
        return r;
    }
    let mut state = settled(shared);
    let containers = &mut state.agent.containers;
    let Some(record) = id
        .parse::<i64>()
        .ok()
        .and_then(|id| containers.records.get_mut(&id))
    else {
        return not_found();
    };
    if let Some(status) = status {
        record["status"] = json!(status);
        record["modified"] = json!(rfc3339(SystemTime::now()));
        if let Some(docker) = record["container_id"]
            .as_str()
            .and_then(|d| containers.docker.get_mut(d))
        {
            docker["status"] = json!(if status == "running" {
                "running"
            } else {
                "exited"
            });
        }
    }
    json_resp(200, record)
}

/// `DELETE containers/{id}`: removes the record and stops and removes its Docker container.
fn delete(shared: &Shared, id: &str) -> Resp {
    let mut state = settled(shared);
    let containers = &mut state.agent.containers;
    let Some(record) = id
        .parse::<i64>()
        .ok()
        .and_then(|id| containers.records.remove(&id))
    else {
        return not_found();
    };
    if let Some(docker) = record["container_id"].as_str() {
        containers.docker.remove(docker);
    }
    no_content()
}

/// `POST containers/docker/`: runs a container of a release (`code@version`) at once.
fn create_docker(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let release = form.require_str("plugin_release");
    check_object(&mut form, "params", false);
    check_object(&mut form, "envs", true);
    check_object(&mut form, "metadata", false);
    check_labels(&mut form);
    let mut state = shared.state();
    if let Some(r) = &release
        && (!r.contains('@') || resolve(&state, r, None, None).is_none())
    {
        form.error("plugin_release", format!("Plugin release {r} not found."));
    }
    let fields = match form.finish(&["plugin_release", "params", "envs", "metadata", "labels"]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let n = state.id();
    let id = format!("{:012x}", 0x5d1e_7b00_0000_i64 + n);
    let port = 8860 + n;
    let mut docker = docker_json(
        &id,
        release.as_deref().unwrap_or_default(),
        port,
        fields.get("labels").unwrap_or(&json!([])),
        &rfc3339(SystemTime::now()),
    );
    for key in ["params", "envs", "metadata"] {
        docker[key] = fields.get(key).cloned().unwrap_or(json!({}));
    }
    state.agent.containers.docker.insert(id, docker.clone());
    json_resp(201, &docker)
}

/// `POST containers/docker/{id}/start/` and `…/stop/`: the container runs or has exited
/// (its record follows).
fn set_docker(shared: &Shared, id: &str, run: bool) -> Resp {
    let mut state = settled(shared);
    let containers = &mut state.agent.containers;
    let Some(docker) = containers.docker.get_mut(id) else {
        return not_found();
    };
    let status = if run { "running" } else { "exited" };
    docker["status"] = json!(status);
    for record in containers.records.values_mut() {
        if record["container_id"] == id {
            record["status"] = json!(if run { "running" } else { "stopped" });
        }
    }
    json_resp(
        200,
        &json!({"id": id, "status": status, "message": format!("Container {}", if run { "started" } else { "stopped" })}),
    )
}

/// `DELETE containers/docker/{id}`: stops and removes the container; its record, if any,
/// is left stopped without a container.
fn delete_docker(shared: &Shared, id: &str) -> Resp {
    let mut state = settled(shared);
    let containers = &mut state.agent.containers;
    if containers.docker.remove(id).is_none() {
        return not_found();
    }
    for record in containers.records.values_mut() {
        if record["container_id"] == id {
            record["status"] = json!("stopped");
            record["container_id"] = Value::Null;
            record["endpoint"] = Value::Null;
        }
    }
    no_content()
}
