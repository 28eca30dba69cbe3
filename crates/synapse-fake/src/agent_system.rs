//! System management on the agent: its compose configuration, the image tags it runs, and
//! updates and restarts. An operation recreates the agent's containers: for the configured
//! job duration it is in progress (a second one gets 409) and `health/` answers 503.

use std::time::{Duration, Instant, SystemTime};

use http::Method;
use serde_json::{Value, json};

use crate::respond::{Ctx, Form, Resp, detail, json_resp};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::time::rfc3339;

/// The system routes of the agent.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "system/status/", |s, _, _| status(s)),
    answer(Method::GET, "system/compose-config/", |_, _, _| {
        json_resp(
            200,
            &json!({
                "working_dir": WORKING_DIR,
                "config_files": [format!("{WORKING_DIR}/docker-compose.yml"), format!("{WORKING_DIR}/docker-compose.gpu.yml")],
                "is_gpu_mode": true,
            }),
        )
    }),
    answer(Method::POST, "system/update/", |s, c, _| update(s, c)),
    answer(Method::POST, "system/restart/", |s, c, _| restart(s, c)),
];

/// Where the agent's compose files live.
const WORKING_DIR: &str = "/opt/synapse-agent";

/// The image tags the agent runs and the operation under way.
pub(crate) struct SystemState {
    api_tag: String,
    worker_tag: String,
    operation: Option<Operation>,
}

impl Default for SystemState {
    fn default() -> Self {
        SystemState {
            api_tag: "latest".to_owned(),
            worker_tag: "latest-gpu".to_owned(),
            operation: None,
        }
    }
}

/// An update or restart: what, since when, for how long.
struct Operation {
    kind: &'static str,
    started_at: SystemTime,
    started: Instant,
    lasts: Duration,
}

impl SystemState {
    /// The operation under way, if it has not finished yet.
    fn current(&self) -> Option<&Operation> {
        self.operation
            .as_ref()
            .filter(|op| op.started.elapsed() < op.lasts)
    }
}

/// `GET health/`: `{"status": "ok"}`, or 503 while the containers are being recreated.
pub(crate) fn health(shared: &Shared) -> Resp {
    match shared.state().agent.system.current() {
        None => json_resp(200, &json!({"status": "ok"})),
        Some(op) => json_resp(
            503,
            &json!({"status": "unavailable", "detail": format!("The agent is restarting ({}).", op.kind)}),
        ),
    }
}

/// `GET system/status/`.
fn status(shared: &Shared) -> Resp {
    let state = shared.state();
    let system = &state.agent.system;
    let op = system.current();
    json_resp(
        200,
        &json!({
            "in_progress": op.is_some(),
            "operation": op.map(|o| o.kind),
            "started_at": op.map(|o| rfc3339(o.started_at)),
            "api_tag": system.api_tag,
            "worker_tag": system.worker_tag,
        }),
    )
}

/// Starts an operation, or 409 when one is under way.
fn start(shared: &Shared, kind: &'static str) -> Result<(), Resp> {
    let mut state = shared.state();
    let system = &mut state.agent.system;
    if let Some(op) = system.current() {
        return Err(detail(
            409,
            &format!("A system {} is already in progress.", op.kind),
        ));
    }
    system.operation = Some(Operation {
        kind,
        started_at: SystemTime::now(),
        started: Instant::now(),
        lasts: shared.config.job_duration,
    });
    Ok(())
}

/// `POST system/update/`: body `{"api_tag", "worker_tag"}` (either optional) or `null`
/// (the default tags, `latest` and `latest-gpu`): pulls the images, recreates the
/// containers.
fn update(shared: &Shared, ctx: &Ctx) -> Resp {
    let body = if ctx.body.is_empty() {
        Value::Null
    } else {
        match ctx.json() {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
    let body = if body.is_null() { json!({}) } else { body };
    let mut form = match Form::from_value(body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let api_tag = form.optional_str("api_tag");
    let worker_tag = form.optional_str("worker_tag");
    if let Err(r) = form.finish(&["api_tag", "worker_tag"]) {
        return r;
    }
    let api_tag = api_tag.unwrap_or_else(|| "latest".to_owned());
    let worker_tag = worker_tag.unwrap_or_else(|| "latest-gpu".to_owned());
    if let Err(r) = start(shared, "update") {
        return r;
    }
    {
        let mut state = shared.state();
        state.agent.system.api_tag = api_tag.clone();
        state.agent.system.worker_tag = worker_tag.clone();
    }
    json_resp(
        200,
        &json!({
            "status": "success",
            "message": "System update started",
            "pull_output": format!("{api_tag}: Pulling from synapse/agent-api\nStatus: Downloaded newer image for synapse/agent-api:{api_tag}\n{worker_tag}: Pulling from synapse/agent-worker\nStatus: Downloaded newer image for synapse/agent-worker:{worker_tag}\n"),
            "up_output": "Container synapse-agent-worker  Recreated\nContainer synapse-agent-api  Recreated\n",
        }),
    )
}

/// `POST system/restart/` (no body): recreates the containers with the current images.
fn restart(shared: &Shared, _ctx: &Ctx) -> Resp {
    if let Err(r) = start(shared, "restart") {
        return r;
    }
    json_resp(
        200,
        &json!({
            "status": "success",
            "message": "System restart started",
            "up_output": "Container synapse-agent-worker  Recreated\nContainer synapse-agent-api  Recreated\n",
        }),
    )
}
