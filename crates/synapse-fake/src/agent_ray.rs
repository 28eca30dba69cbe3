//! Ray on the agent: stopping a job, the cluster's nodes, the tasks of the jobs, GPU status
//! and Ray Serve applications — each as Ray reports it (bare arrays, never paginated).

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::Method;
use serde_json::{Value, json};

use crate::respond::{Resp, json_resp, no_content, not_found};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::{Job, State};

/// The Ray routes of the agent.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::POST, "jobs/{id}/stop/", |s, _, id| stop_job(s, id)),
    answer(Method::GET, "gpu_status/", |s, _, _| {
        json_resp(200, &gpu_status(&s.state()))
    }),
    answer(Method::GET, "nodes/", |_, _, _| {
        json_resp(200, &json!(NODES.iter().map(Node::ray).collect::<Vec<_>>()))
    }),
    answer(Method::GET, "nodes/{id}/", |_, _, id| {
        match NODES.iter().find(|n| n.id == id) {
            Some(n) => json_resp(200, &n.ray()),
            None => not_found(),
        }
    }),
    answer(Method::GET, "tasks/", |s, _, _| {
        let state = s.state();
        let tasks: Vec<Value> = state
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| task(i, j))
            .collect();
        json_resp(200, &json!(tasks))
    }),
    answer(Method::GET, "tasks/{id}/", |s, _, id| {
        let state = s.state();
        match state
            .jobs
            .iter()
            .enumerate()
            .find(|(i, _)| task_id(*i) == id)
        {
            Some((i, j)) => json_resp(200, &task(i, j)),
            None => not_found(),
        }
    }),
    answer(Method::GET, "serve_applications/", |s, _, _| {
        let state = s.state();
        let apps: Vec<Value> = state
            .agent
            .ray
            .serve_apps
            .values()
            .map(ServeApp::ray)
            .collect();
        json_resp(200, &json!(apps))
    }),
    answer(
        Method::GET,
        "serve_applications/{name}/",
        |s, _, name| match s.state().agent.ray.serve_apps.get(name) {
            Some(app) => json_resp(200, &app.ray()),
            None => not_found(),
        },
    ),
    answer(
        Method::DELETE,
        "serve_applications/{name}/",
        |s, _, name| match s.state().agent.ray.serve_apps.remove(name) {
            Some(_) => no_content(),
            None => not_found(),
        },
    ),
];

/// The agent's Ray Serve applications, by name (`code@version`).
#[derive(Default)]
pub(crate) struct RayState {
    /// Deployed applications.
    pub serve_apps: BTreeMap<String, ServeApp>,
}

/// A Ray Serve application: `DEPLOYING` for its deployment time, then `RUNNING`.
pub(crate) struct ServeApp {
    name: String,
    action: String,
    replicas: i64,
    deployed_at: SystemTime,
    started: Instant,
    deploy_time: Duration,
}

impl ServeApp {
    /// Whether it has finished deploying.
    fn running(&self) -> bool {
        self.started.elapsed() >= self.deploy_time
    }

    /// Its replicas once running (for the resource snapshot).
    pub fn live_replicas(&self) -> i64 {
        if self.running() { self.replicas } else { 0 }
    }

    /// As Ray Serve's REST API reports an application.
    fn ray(&self) -> Value {
        let running = self.running();
        let code = self.name.split('@').next().unwrap_or_default();
        let deployed = self
            .deployed_at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        json!({
            "name": self.name,
            "route_prefix": format!("/{code}"),
            "docs_path": null,
            "status": if running { "RUNNING" } else { "DEPLOYING" },
            "message": "",
            "last_deployed_time_s": deployed,
            "deployed_app_config": {
                "name": self.name,
                "route_prefix": format!("/{code}"),
                "import_path": format!("plugin.{}:app", self.action),
            },
            "deployments": {
                "PluginDeployment": {
                    "name": "PluginDeployment",
                    "status": if running { "HEALTHY" } else { "UPDATING" },
                    "message": "",
                    "replica_states": if running { json!({"RUNNING": self.replicas}) } else { json!({"STARTING": self.replicas}) },
                }
            },
        })
    }
}

/// Deploys (or redeploys) the Serve application `name` of an action run on Serve.
pub(crate) fn deploy(
    state: &mut State,
    name: &str,
    action: &str,
    replicas: i64,
    deploy_time: Duration,
) {
    state.agent.ray.serve_apps.insert(
        name.to_owned(),
        ServeApp {
            name: name.to_owned(),
            action: action.to_owned(),
            replicas,
            deployed_at: SystemTime::now(),
            started: Instant::now(),
            deploy_time,
        },
    );
}

/// One GPU of a node.
pub(crate) struct Gpu {
    /// The product name.
    pub name: &'static str,
    /// Its UUID.
    pub uuid: &'static str,
    /// Its memory, in MB.
    pub memory_mb: i64,
}

/// A node of the fake's Ray cluster.
pub(crate) struct Node {
    /// Ray's node id (56 hex digits).
    pub id: &'static str,
    /// The node's address.
    pub ip: &'static str,
    /// Its host name.
    pub host: &'static str,
    /// Whether it is the head node.
    pub head: bool,
    /// Its CPUs.
    pub cpus: f64,
    /// Its memory, in bytes.
    pub memory: f64,
    /// Its GPUs.
    pub gpus: &'static [Gpu],
}

/// The cluster: a CPU head node and a worker with two GPUs.
pub(crate) const NODES: &[Node] = &[
    Node {
        id: "4c1f2e9a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a",
        ip: "10.0.0.2",
        host: "ray-head",
        head: true,
        cpus: 8.0,
        memory: 32.0 * GIB,
        gpus: &[],
    },
    Node {
        id: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b",
        ip: "10.0.0.3",
        host: "ray-gpu-worker-1",
        head: false,
        cpus: 16.0,
        memory: 64.0 * GIB,
        gpus: &[
            Gpu {
                name: "NVIDIA A100-SXM4-40GB",
                uuid: "GPU-5a1c7e2b-0f3d-4e6a-9b8c-1d2e3f4a5b6c",
                memory_mb: 40_960,
            },
            Gpu {
                name: "NVIDIA A100-SXM4-40GB",
                uuid: "GPU-7c3e9a4d-2b5f-4c8e-8d0a-3f4a5b6c7d8e",
                memory_mb: 40_960,
            },
        ],
    },
];

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

impl Node {
    /// As Ray's state API reports a node.
    fn ray(&self) -> Value {
        let mut total = json!({
            "CPU": self.cpus,
            "memory": self.memory,
            "object_store_memory": self.memory * 0.3,
            format!("node:{}", self.ip): 1.0,
        });
        if !self.gpus.is_empty() {
            total["GPU"] = json!(self.gpus.len() as f64);
            total["accelerator_type:A100"] = json!(1.0);
        }
        json!({
            "node_id": self.id,
            "node_ip": self.ip,
            "node_name": self.host,
            "is_head_node": self.head,
            "state": "ALIVE",
            "state_message": null,
            "resources_total": total,
            "labels": {"ray.io/node_id": self.id},
            "start_time_ms": CLUSTER_START_MS,
            "end_time_ms": 0,
        })
    }

    /// The node's GPUs as `GpuDevice`s (memory in MB); `busy` of them are in use.
    pub fn gpu_devices(&self, busy: usize) -> Vec<Value> {
        self.gpus
            .iter()
            .enumerate()
            .map(|(index, g)| {
                let used = if index < busy { g.memory_mb / 2 } else { 0 };
                json!({
                    "index": index, "name": g.name, "uuid": g.uuid,
                    "utilization_gpu": if index < busy { 85.0 } else { 0.0 },
                    "memory_used": used, "memory_total": g.memory_mb,
                    "processes_pids": if index < busy { json!({"4242": used}) } else { Value::Null },
                    "memory_used_ratio": used as f64 / g.memory_mb as f64,
                })
            })
            .collect()
    }
}

/// When the cluster started, in Unix milliseconds (a fixed instant).
const CLUSTER_START_MS: u64 = 1_767_225_600_000;

/// GPUs in use: one per running job that asked for a GPU (`params.num_gpus`), at most all.
pub(crate) fn busy_gpus(state: &State) -> usize {
    let wanted: f64 = state
        .jobs
        .iter()
        .filter(|j| !j.is_terminal())
        .map(|j| j.params["num_gpus"].as_f64().unwrap_or(0.0))
        .sum();
    let total: usize = NODES.iter().map(|n| n.gpus.len()).sum();
    (wanted.ceil() as usize).min(total)
}

/// `GET gpu_status/`: every GPU of the cluster, by node.
fn gpu_status(state: &State) -> Value {
    let mut busy = busy_gpus(state);
    let mut total = 0;
    let nodes: Vec<Value> = NODES
        .iter()
        .filter(|n| !n.gpus.is_empty())
        .map(|n| {
            let here = busy.min(n.gpus.len());
            busy -= here;
            total += n.gpus.len();
            json!({"node_id": n.id, "host_name": n.host, "ip": n.ip, "gpus": n.gpu_devices(here)})
        })
        .collect();
    let used = busy_gpus(state);
    json!({
        "gpu_available": total > used,
        "total_gpus": total,
        "available_gpus": total - used,
        "nodes": nodes,
    })
}

/// Ray's task id of the job at `index` (48 hex digits).
fn task_id(index: usize) -> String {
    format!("{:040x}01000000", index + 1)
}

/// The driver task of a job, as Ray's state API reports a task.
fn task(index: usize, job: &Job) -> Value {
    let (state, error) = match job.status() {
        "PENDING" => ("PENDING_NODE_ASSIGNMENT", Value::Null),
        "RUNNING" => ("RUNNING", Value::Null),
        "SUCCEEDED" => ("FINISHED", Value::Null),
        "STOPPED" => ("FAILED", json!("TASK_CANCELLED")),
        _ => ("FAILED", json!("TASK_EXECUTION_EXCEPTION")),
    };
    json!({
        "task_id": task_id(index),
        "attempt_number": 0,
        "name": format!("plugin.{}", job.action),
        "func_or_class_name": format!("plugin.{}", job.action),
        "state": state,
        "job_id": format!("{:08x}", index + 1),
        "actor_id": null,
        "type": "NORMAL_TASK",
        "language": "PYTHON",
        "required_resources": {"CPU": 1.0},
        "node_id": NODES[1].id,
        "error_type": error,
    })
}

/// `POST jobs/{id}/stop/`: a running job stops (its status becomes `STOPPED`, its console
/// ends with a last line and its tail with `complete`); a finished one is left alone.
fn stop_job(shared: &Shared, id: &str) -> Resp {
    let mut state = shared.state();
    let Some(job) = state.job_mut(id) else {
        return not_found();
    };
    if job.is_terminal() {
        return json_resp(
            200,
            &json!({"job_id": id, "stopped": false, "status": job.status()}),
        );
    }
    job.stop();
    json_resp(
        200,
        &json!({"job_id": id, "stopped": true, "status": "STOPPED"}),
    )
}
