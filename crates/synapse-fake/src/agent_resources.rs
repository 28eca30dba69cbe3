//! Resource gatekeeping on the agent: the cluster snapshot (cached for the policy's TTL),
//! the feasibility dry run, and the runtime policy (read, patched, read back).

use std::time::{Duration, Instant, SystemTime};

use http::Method;
use serde_json::{Map, Value, json};

use crate::agent_ray::{NODES, busy_gpus};
use crate::respond::{Ctx, Form, Resp, field_error, json_resp};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// The resource routes of the agent.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "resources/cluster/", |s, c, _| cluster(s, c)),
    answer(Method::POST, "resources/feasibility/", |s, c, _| {
        feasibility(s, c)
    }),
    answer(Method::GET, "resources/policy/", |s, _, _| {
        json_resp(200, &Value::Object(s.state().agent.resources.policy()))
    }),
    answer(Method::PATCH, "resources/policy/", |s, c, _| {
        update_policy(s, c)
    }),
];

/// The runtime policy's keys with their defaults (an `AgentRuntimePolicy`).
const POLICY: &[(&str, PolicyValue)] = &[
    ("max_concurrent_jobs", PolicyValue::Count(3)),
    ("max_concurrent_serve_replicas", PolicyValue::Count(16)),
    ("gatekeeping_enabled", PolicyValue::Flag(true)),
    ("cpu_max_utilization_percent", PolicyValue::Percent(90.0)),
    ("memory_max_utilization_percent", PolicyValue::Percent(90.0)),
    ("gpu_max_utilization_percent", PolicyValue::Percent(90.0)),
    ("gpu_max_memory_percent", PolicyValue::Percent(90.0)),
    ("max_concurrent_ray_jobs", PolicyValue::Count(0)),
    ("resource_cache_ttl_seconds", PolicyValue::Seconds(5.0)),
];

/// The type (and default) of a policy key.
#[derive(Clone, Copy)]
enum PolicyValue {
    /// A non-negative integer (0 = unlimited / off).
    Count(i64),
    /// A boolean.
    Flag(bool),
    /// A percentage in (0, 100].
    Percent(f64),
    /// Non-negative seconds.
    Seconds(f64),
}

/// The agent's runtime policy (keys set so far) and its cached snapshot.
#[derive(Default)]
pub(crate) struct ResourceState {
    set: Map<String, Value>,
    cached: Option<(Instant, Value)>,
}

impl ResourceState {
    /// The effective policy: every key, set or default.
    pub fn policy(&self) -> Map<String, Value> {
        POLICY
            .iter()
            .map(|(k, d)| {
                let v = self.set.get(*k).cloned().unwrap_or_else(|| match d {
                    PolicyValue::Count(n) => json!(n),
                    PolicyValue::Flag(b) => json!(b),
                    PolicyValue::Percent(f) | PolicyValue::Seconds(f) => json!(f),
                });
                ((*k).to_owned(), v)
            })
            .collect()
    }

    fn number(&self, key: &str) -> f64 {
        self.policy()[key].as_f64().unwrap_or_default()
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A fresh `ClusterResourceSnapshot`: each running job uses 1 CPU and 2 GiB (and the GPUs
/// its `params.num_gpus` asks for), each running Serve replica 1 CPU and 1 GiB.
fn collect(state: &State) -> Value {
    let running_jobs = state.jobs.iter().filter(|j| !j.is_terminal()).count() as i64;
    let replicas: i64 = state
        .agent
        .ray
        .serve_apps
        .values()
        .map(|a| a.live_replicas())
        .sum();
    let cpu_total: f64 = NODES.iter().map(|n| n.cpus).sum();
    let mem_total: f64 = NODES.iter().map(|n| n.memory).sum();
    let cpu_used = ((running_jobs + replicas) as f64).min(cpu_total);
    let mem_used = (running_jobs as f64 * 2.0 * GIB + replicas as f64 * GIB).min(mem_total);
    let counter =
        |total: f64, used: f64| json!({"total": total, "used": used, "available": total - used});
    let mut busy = busy_gpus(state);
    let total_gpus: usize = NODES.iter().map(|n| n.gpus.len()).sum();
    let used_gpus = busy;
    let mut gpu_mem_total = 0_i64;
    let mut gpu_mem_used = 0_i64;
    let mut utilizations = Vec::new();
    let nodes: Vec<Value> = NODES
        .iter()
        .map(|n| {
            let here = busy.min(n.gpus.len());
            busy -= here;
            let gpus = n.gpu_devices(here);
            for g in &gpus {
                gpu_mem_total += g["memory_total"].as_i64().unwrap_or(0);
                gpu_mem_used += g["memory_used"].as_i64().unwrap_or(0);
                utilizations.push(g["utilization_gpu"].as_f64().unwrap_or(0.0));
            }
            // The jobs run on the GPU worker; the head node only coordinates.
            let (cpu, mem) = if n.head {
                (0.0, 0.0)
            } else {
                (cpu_used, mem_used)
            };
            json!({
                "node_id": n.id, "host_name": n.host, "ip": n.ip, "is_head_node": n.head,
                "state": "ALIVE",
                "accelerator_type": if n.gpus.is_empty() { Value::Null } else { json!("A100") },
                "cpu": counter(n.cpus, cpu), "memory": counter(n.memory, mem), "gpus": gpus,
            })
        })
        .collect();
    let max_util = utilizations.iter().copied().fold(0.0, f64::max);
    let avg_util = if utilizations.is_empty() {
        0.0
    } else {
        utilizations.iter().sum::<f64>() / utilizations.len() as f64
    };
    let mb = 1024 * 1024;
    json!({
        "collected_at": rfc3339(SystemTime::now()),
        "stale": false,
        "cpu": counter(cpu_total, cpu_used),
        "memory": counter(mem_total, mem_used),
        "gpu": {
            "total_gpus": total_gpus, "available_gpus": total_gpus - used_gpus,
            "total_memory_bytes": gpu_mem_total * mb,
            "available_memory_bytes": (gpu_mem_total - gpu_mem_used) * mb,
            "max_utilization": max_util, "avg_utilization": avg_util,
        },
        "object_store": counter(mem_total * 0.3, 0.0),
        "running_jobs": running_jobs,
        "total_serve_replicas": replicas,
        "node_counts": {"total": NODES.len(), "alive": NODES.len(), "dead": 0},
        "nodes": nodes,
    })
}

/// `GET resources/cluster/?use_cache=true|false`: with the cache (the default), the last
/// snapshot while it is younger than the policy's `resource_cache_ttl_seconds`; without it,
/// a fresh one (which becomes the cached one).
fn cluster(shared: &Shared, ctx: &Ctx) -> Resp {
    let use_cache = match ctx.q("use_cache").map(str::to_ascii_lowercase).as_deref() {
        None | Some("true" | "1") => true,
        Some("false" | "0") => false,
        Some(_) => return field_error("use_cache", "Must be a valid boolean."),
    };
    let mut state = shared.state();
    let ttl = Duration::from_secs_f64(
        state
            .agent
            .resources
            .number("resource_cache_ttl_seconds")
            .max(0.0),
    );
    if use_cache
        && let Some((at, snapshot)) = &state.agent.resources.cached
        && at.elapsed() < ttl
    {
        return json_resp(200, snapshot);
    }
    let snapshot = collect(&state);
    state.agent.resources.cached = Some((Instant::now(), snapshot.clone()));
    json_resp(200, &snapshot)
}

/// A number field (an int or a float) of the feasibility body, at least `min`.
fn number(form: &mut Form, field: &str, min: f64) -> Option<f64> {
    let n = form.require(field)?.as_f64();
    match n {
        Some(n) if n >= min => Some(n),
        Some(_) => {
            form.error(
                field,
                format!("Ensure this value is greater than or equal to {min}."),
            );
            None
        }
        None => {
            form.error(field, "A valid number is required.");
            None
        }
    }
}

/// `POST resources/feasibility/`: whether a workload of `kind` would be admitted now,
/// against the free resources (under the policy's utilization limits) and its concurrency
/// limits; `reasons` are codes, `messages` their explanations.
fn feasibility(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let kind = form.require_choice("kind", &["job", "serve", "container", "task"]);
    let cpus = number(&mut form, "num_cpus", 0.0);
    let gpus = number(&mut form, "num_gpus", 0.0);
    let memory = match form.get("memory_bytes") {
        None => Some(None),
        Some(v) => match v.as_u64() {
            Some(n) => Some(Some(n as f64)),
            None => {
                form.error("memory_bytes", "A valid non-negative integer is required.");
                None
            }
        },
    };
    let replicas = match form.require("replicas").map(|v| v.as_i64()) {
        Some(Some(n)) if n >= 1 => Some(n),
        Some(_) => {
            form.error("replicas", "A valid integer of at least 1 is required.");
            None
        }
        None => None,
    };
    if form.get("metadata").is_some_and(|m| !m.is_object()) {
        form.error("metadata", "Expected a dictionary of items.");
    }
    if let Err(r) = form.finish(&[]) {
        return r;
    }
    let (Some(kind), Some(cpus), Some(gpus), Some(memory), Some(replicas)) =
        (kind, cpus, gpus, memory, replicas)
    else {
        return field_error("kind", "Invalid request.");
    };
    let mut state = shared.state();
    let snapshot = collect(&state);
    state.agent.resources.cached = Some((Instant::now(), snapshot.clone()));
    let res = &state.agent.resources;
    let policy = res.policy();
    let mut reasons: Vec<&str> = Vec::new();
    let mut messages: Vec<String> = Vec::new();
    if policy["gatekeeping_enabled"] == true {
        let r = replicas as f64;
        let room = |counter: &Value, limit: f64| {
            let total = counter["total"].as_f64().unwrap_or(0.0);
            let used = counter["used"].as_f64().unwrap_or(0.0);
            (total * limit / 100.0 - used).max(0.0)
        };
        let cpu_room = room(&snapshot["cpu"], res.number("cpu_max_utilization_percent"));
        if cpus * r > cpu_room {
            reasons.push("insufficient_cpu");
            messages.push(format!(
                "{} CPUs requested; {cpu_room} available under the utilization limit.",
                cpus * r
            ));
        }
        let mem_room = room(
            &snapshot["memory"],
            res.number("memory_max_utilization_percent"),
        );
        if let Some(bytes) = memory
            && bytes * r > mem_room
        {
            reasons.push("insufficient_memory");
            messages.push(format!(
                "{} bytes of memory requested; {mem_room} available under the utilization limit.",
                bytes * r
            ));
        }
        let free_gpus = snapshot["gpu"]["available_gpus"].as_f64().unwrap_or(0.0);
        if gpus * r > free_gpus {
            reasons.push("insufficient_gpu");
            messages.push(format!(
                "{} GPUs requested; {free_gpus} available.",
                gpus * r
            ));
        }
        let running = snapshot["running_jobs"].as_i64().unwrap_or(0);
        let max_jobs = policy["max_concurrent_jobs"].as_i64().unwrap_or(0);
        if kind == "job" && max_jobs > 0 && running >= max_jobs {
            reasons.push("max_concurrent_jobs");
            messages.push(format!("{running} jobs running; the limit is {max_jobs}."));
        }
        let max_ray = policy["max_concurrent_ray_jobs"].as_i64().unwrap_or(0);
        if kind == "job" && max_ray > 0 && running >= max_ray {
            reasons.push("max_concurrent_ray_jobs");
            messages.push(format!(
                "{running} Ray jobs running; the limit is {max_ray}."
            ));
        }
        let serving = snapshot["total_serve_replicas"].as_i64().unwrap_or(0);
        let max_replicas = policy["max_concurrent_serve_replicas"]
            .as_i64()
            .unwrap_or(0);
        if kind == "serve" && max_replicas > 0 && serving + replicas > max_replicas {
            reasons.push("max_concurrent_serve_replicas");
            messages.push(format!(
                "{serving} Serve replicas running and {replicas} requested; the limit is {max_replicas}."
            ));
        }
    }
    json_resp(
        200,
        &json!({"allowed": reasons.is_empty(), "reasons": reasons, "messages": messages, "kind": kind}),
    )
}

/// `PATCH resources/policy/`: sets the given keys (each checked; every bad one named at
/// once), ignores keys it does not know, answers the effective policy.
fn update_policy(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut set = Map::new();
    for (key, kind) in POLICY {
        let Some(value) = form.get(key).cloned() else {
            continue;
        };
        let ok = match kind {
            PolicyValue::Count(_) => value.as_i64().filter(|n| *n >= 0).map(|n| json!(n)),
            PolicyValue::Flag(_) => value.as_bool().map(|b| json!(b)),
            PolicyValue::Percent(_) => value
                .as_f64()
                .filter(|f| *f > 0.0 && *f <= 100.0)
                .map(|f| json!(f)),
            PolicyValue::Seconds(_) => value.as_f64().filter(|f| *f >= 0.0).map(|f| json!(f)),
        };
        match ok {
            Some(v) => {
                set.insert((*key).to_owned(), v);
            }
            None => form.error(
                key,
                match kind {
                    PolicyValue::Count(_) => "A valid non-negative integer is required.",
                    PolicyValue::Flag(_) => "Must be a valid boolean.",
                    PolicyValue::Percent(_) => {
                        "A number greater than 0 and at most 100 is required."
                    }
                    PolicyValue::Seconds(_) => "A valid non-negative number is required.",
                },
            ),
        }
    }
    if let Err(r) = form.finish(&[]) {
        return r;
    }
    let mut state = shared.state();
    let resources = &mut state.agent.resources;
    resources.set.extend(set);
    resources.cached = None;
    json_resp(200, &Value::Object(resources.policy()))
}
