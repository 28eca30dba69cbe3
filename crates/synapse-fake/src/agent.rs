//! The agent endpoints, served under `/agent/`: health, cached plugin releases (fetched
//! from the fake backend's releases), runs, and the jobs they start.

use std::time::SystemTime;

use http::Method;
use serde_json::{Value, json};

use crate::respond::{Ctx, Resp, detail, field_error, json_resp, no_content, not_found, paginate};
use crate::routes::{Api, Route, answer};
use crate::server::{Shared, tenant_check};
use crate::state::{Job, State};
use crate::time::rfc3339;

/// The agent's routes, under `agent/`; the slash is as the agent API has it, per path.
pub(crate) const API: Api = Api {
    routes: &[
        ROUTES,
        crate::agent_ray::ROUTES,
        crate::agent_resources::ROUTES,
        crate::agent_system::ROUTES,
        crate::agent_containers::ROUTES,
    ],
    prefix: 1,
    authorize,
    append_slash: false,
    not_found: |_| not_found(),
};

const ROUTES: &[Route] = &[
    answer(Method::GET, "health/", |s, _, _| {
        crate::agent_system::health(s)
    }),
    answer(Method::GET, "plugin_releases/", |s, c, _| {
        list_releases(s, c)
    }),
    answer(Method::POST, "plugin_releases/", |s, c, _| {
        create_release(s, c)
    }),
    answer(Method::POST, "plugin_releases/run_debug/", |s, c, _| {
        run(s, c, None)
    }),
    answer(Method::GET, "plugin_releases/{lookup}", |s, _, lookup| {
        get_release(s, lookup)
    }),
    answer(
        Method::DELETE,
        "plugin_releases/{lookup}",
        |s, _, lookup| delete_release(s, lookup),
    ),
    answer(
        Method::POST,
        "plugin_releases/{lookup}/run/",
        |s, c, lookup| run(s, c, Some(lookup)),
    ),
    answer(Method::GET, "jobs/", |s, _, _| {
        let state = s.state();
        json_resp(
            200,
            &json!(state.jobs.iter().map(ray_job).collect::<Vec<_>>()),
        )
    }),
    answer(Method::GET, "jobs/{id}/", |s, _, id| {
        match s.state().job(id) {
            Some(j) => json_resp(200, &ray_job(j)),
            None => not_found(),
        }
    }),
    answer(Method::GET, "jobs/{id}/logs/", |s, _, id| {
        match s.state().job(id) {
            Some(j) => json_resp(200, &json!(j.console().join("\n"))),
            None => not_found(),
        }
    }),
    answer(Method::GET, "jobs/{id}/logs/stream/", |s, _, id| {
        crate::jobs::tail(s, id, crate::jobs::TailFormat::Lines)
    }),
];

/// What the agent keeps besides the jobs and its cached releases, one table per domain.
#[derive(Default)]
pub(crate) struct AgentState {
    /// Ray Serve applications.
    pub ray: crate::agent_ray::RayState,
    /// The runtime policy and the cached resource snapshot.
    pub resources: crate::agent_resources::ResourceState,
    /// Image tags and the update or restart under way.
    pub system: crate::agent_system::SystemState,
    /// Container records, Docker containers and builds.
    pub containers: crate::agent_containers::ContainerState,
}

/// The agent's credentials: the bare agent token in `Authorization`, and the tenant.
pub(crate) fn authorize(shared: &Shared, ctx: &Ctx) -> Option<Resp> {
    if ctx.header("authorization") != Some(shared.config.agent_token.as_str()) {
        return Some(detail(401, "Invalid agent token."));
    }
    tenant_check(shared, ctx)
}

/// A job as Ray reports it.
pub(crate) fn ray_job(j: &Job) -> Value {
    json!({
        "job_id": j.id, "submission_id": j.id, "status": j.status(),
        "entrypoint": format!("python -m plugin.{}", j.action),
        "start_time": rfc3339(j.created_at), "end_time": if j.is_terminal() { json!(rfc3339(j.created_at + j.duration)) } else { Value::Null },
        "message": if j.is_terminal() { format!("Job finished: {}", j.status()) } else { "Job is running.".to_owned() },
        "metadata": {"action": j.action},
    })
}

fn find_cached<'a>(state: &'a State, lookup: &str) -> Option<(i64, &'a Value)> {
    if let Ok(id) = lookup.parse::<i64>() {
        return state.agent_releases.get(&id).map(|r| (id, r));
    }
    let (code, version) = lookup.rsplit_once('@')?;
    state
        .agent_releases
        .iter()
        .find(|(_, r)| r["plugin"] == code && r["version"] == version)
        .map(|(id, r)| (*id, r))
}

fn list_releases(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let items: Vec<Value> = state
        .agent_releases
        .values()
        .filter(|r| ctx.q("plugin").is_none_or(|p| r["plugin"] == p))
        .cloned()
        .collect();
    paginate(ctx, items, shared.config.page_size, |v| v)
}

fn get_release(shared: &Shared, lookup: &str) -> Resp {
    match find_cached(&shared.state(), lookup) {
        Some((_, r)) => json_resp(200, r),
        None => not_found(),
    }
}

fn delete_release(shared: &Shared, lookup: &str) -> Resp {
    let mut state = shared.state();
    match find_cached(&state, lookup).map(|(id, _)| id) {
        Some(id) => {
            state.agent_releases.remove(&id);
            no_content()
        }
        None => not_found(),
    }
}

/// Fetches a release from the backend into the agent's cache.
fn create_release(shared: &Shared, ctx: &Ctx) -> Resp {
    let body = match ctx.json() {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return detail(400, "Expected an object."),
        Err(r) => return r,
    };
    let (Some(code), Some(version)) = (body["plugin"].as_str(), body["version"].as_str()) else {
        return field_error("plugin", "Both plugin and version are required.");
    };
    let mut state = shared.state();
    if let Some((_, cached)) = find_cached(&state, &format!("{code}@{version}")) {
        return json_resp(200, cached);
    }
    let Some((_, backend)) = state.release_by_lookup(&format!("{code}@{version}")) else {
        return detail(
            404,
            &format!("Plugin release {code}@{version} not found on the backend."),
        );
    };
    let backend = backend.clone();
    let id = state.id();
    let cached = json!({
        "id": id, "plugin": code, "version": version, "config": backend["config"],
        "requirements": backend["requirements"], "created": rfc3339(SystemTime::now()),
    });
    state.agent_releases.insert(id, cached.clone());
    json_resp(201, &cached)
}

/// Runs an action of a cached release (or a debug run without one): starts a job.
fn run(shared: &Shared, ctx: &Ctx, lookup: Option<&str>) -> Resp {
    let body = match ctx.json() {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return detail(400, "Expected an object."),
        Err(r) => return r,
    };
    let Some(action) = body["action"].as_str().filter(|a| !a.is_empty()) else {
        return json_resp(
            422,
            &json!({"detail": [{"loc": ["body", "action"], "msg": "Field required", "type": "missing"}]}),
        );
    };
    let mut state = shared.state();
    if let Some(lookup) = lookup
        && find_cached(&state, lookup).is_none()
    {
        return detail(
            404,
            &format!("Plugin release {lookup} is not cached on this agent."),
        );
    }
    let id = match body["job_id"].as_str() {
        Some(j) if !j.is_empty() && state.job(j).is_none() => j.to_owned(),
        _ => state.uuid(),
    };
    let job = Job::new(
        id.clone(),
        action,
        body.get("params").cloned().unwrap_or(json!({})),
        None,
        shared.config.job_duration,
        shared.config.log_lines,
    );
    if let Some(lookup) = lookup
        && let Some((_, release)) = find_cached(&state, lookup)
        && release["config"]["actions"][action]["method"] == "serve"
    {
        let name = format!(
            "{}@{}",
            release["plugin"].as_str().unwrap_or_default(),
            release["version"].as_str().unwrap_or_default()
        );
        let replicas = body["params"]["num_replicas"].as_i64().unwrap_or(1).max(1);
        crate::agent_ray::deploy(
            &mut state,
            &name,
            action,
            replicas,
            shared.config.job_duration,
        );
    }
    state.push_job(job);
    json_resp(200, &json!({"job_id": id, "status": "PENDING"}))
}
