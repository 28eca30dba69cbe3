//! The fake's in-memory state.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use md5::Md5;
use serde_json::{Map, Value, json};

use crate::time::{log_stamp, rfc3339};

/// A job the fake runs: its status moves with time (PENDING → RUNNING → SUCCEEDED/FAILED)
/// and its console lines appear as it progresses.
pub(crate) struct Job {
    pub id: String,
    pub action: String,
    pub params: Value,
    pub plugin_release: Option<i64>,
    /// The agent it was run on (`agent` of the run), if any.
    pub agent: Option<i64>,
    pub started: Instant,
    pub created_at: SystemTime,
    pub duration: Duration,
    pub lines: Vec<String>,
    pub fail: bool,
    pub status_override: Option<String>,
    pub patched: Map<String, Value>,
    /// Pre-serialised JSON of a job that can no longer change (seeded, finished jobs).
    pub cached: Option<String>,
    /// A pre-rendered console body for tailing (benchmark jobs: plain lines, no events).
    pub raw_tail: Option<bytes::Bytes>,
}

impl Job {
    /// A job running `action` for `duration`, writing `n_lines` console lines.
    pub fn new(
        id: String,
        action: &str,
        params: Value,
        plugin_release: Option<i64>,
        duration: Duration,
        n_lines: usize,
    ) -> Self {
        let created_at = SystemTime::now();
        let fail = params.get("fail").and_then(Value::as_bool).unwrap_or(false);
        let epochs = n_lines.saturating_sub(2).max(1);
        let mut lines = Vec::with_capacity(n_lines);
        if n_lines > 0 {
            lines.push(format!(
                "{} [INFO] Plugin started: action={action}",
                log_stamp(created_at)
            ));
        }
        for i in 1..n_lines.saturating_sub(1) {
            let t = created_at + duration.mul_f64(i as f64 / n_lines as f64);
            let loss = 1.0 / (i as f64 + 1.0);
            lines.push(format!(
                "{} [INFO] epoch {i}/{epochs} loss={loss:.4}",
                log_stamp(t)
            ));
        }
        if n_lines > 1 {
            let outcome = if fail {
                "[ERROR] Action failed"
            } else {
                "[INFO] Action complete"
            };
            lines.push(format!("{} {outcome}", log_stamp(created_at + duration)));
        }
        Job {
            id,
            action: action.to_owned(),
            params,
            plugin_release,
            agent: None,
            started: Instant::now(),
            created_at,
            duration,
            lines,
            fail,
            status_override: None,
            patched: Map::new(),
            cached: None,
            raw_tail: None,
        }
    }

    /// The job's JSON text (cached while nothing can change it).
    pub fn json_text(&self) -> String {
        match &self.cached {
            Some(text) => text.clone(),
            None => self.to_json().to_string(),
        }
    }

    /// Progress in `[0, 1]`.
    pub fn fraction(&self) -> f64 {
        if self.duration.is_zero() {
            return 1.0;
        }
        (self.started.elapsed().as_secs_f64() / self.duration.as_secs_f64()).min(1.0)
    }

    /// The wire status.
    pub fn status(&self) -> &str {
        if let Some(s) = &self.status_override {
            return s;
        }
        let f = self.fraction();
        if f >= 1.0 {
            if self.fail { "FAILED" } else { "SUCCEEDED" }
        } else if f < 0.1 {
            "PENDING"
        } else {
            "RUNNING"
        }
    }

    /// True once the job has ended.
    pub fn is_terminal(&self) -> bool {
        matches!(self.status(), "SUCCEEDED" | "FAILED" | "STOPPED")
    }

    /// Stops a running job: its console ends with a last line, its status becomes `STOPPED`
    /// (and its tail ends).
    pub fn stop(&mut self) {
        let written = self.visible_lines();
        self.lines.truncate(written);
        self.lines.push(format!(
            "{} [WARN] Job stopped by user",
            log_stamp(SystemTime::now())
        ));
        self.duration = self.started.elapsed();
        self.status_override = Some("STOPPED".to_owned());
        self.cached = None;
    }

    /// How many console lines have been written so far.
    pub fn visible_lines(&self) -> usize {
        if self.is_terminal() {
            return self.lines.len();
        }
        ((self.fraction() * self.lines.len() as f64) as usize).min(self.lines.len())
    }

    /// The console lines written so far; for a job with a pre-rendered console, its lines.
    pub fn console(&self) -> Vec<&str> {
        match &self.raw_tail {
            Some(raw) => std::str::from_utf8(raw)
                .unwrap_or_default()
                .lines()
                .collect(),
            None => self.lines[..self.visible_lines()]
                .iter()
                .map(String::as_str)
                .collect(),
        }
    }

    /// The job as the v1 API shows it.
    pub fn to_json(&self) -> Value {
        let status = self.status();
        let terminal = self.is_terminal();
        let overall = (self.fraction() * 10_000.0).round() / 100.0;
        let mut v = json!({
            "id": self.id,
            "status": status,
            "action": self.action,
            "params": self.params,
            "is_active": !terminal,
            "plugin_release": self.plugin_release,
            "plugin_release_id": self.plugin_release,
            "agent": self.agent,
            "progress_record": {"current_progress": {"overall": overall, "step": self.action}},
            "metrics_record": {"record": {"steps": {self.action.clone(): {"loss": 1.0 / (1.0 + 10.0 * self.fraction())}}}},
            "result": if status == "SUCCEEDED" { json!({"accuracy": 0.93, "model": "weights/best.pt"}) } else { Value::Null },
            "meta": {},
            "queue": if status == "PENDING" { json!({"position": 0, "reason": "slots_full", "blockers": [], "updated_at": rfc3339(self.created_at)}) } else { Value::Null },
            "error": if status == "FAILED" { json!({"error_type": "execution_error", "message": "The action raised an error."}) } else { Value::Null },
            "created": rfc3339(self.created_at),
            "modified": rfc3339(SystemTime::now()),
            "completed": if terminal { json!(rfc3339(self.created_at + self.duration)) } else { Value::Null },
        });
        if let Some(obj) = v.as_object_mut() {
            for (k, val) in &self.patched {
                obj.insert(k.clone(), val.clone());
            }
        }
        v
    }
}

/// A chunked upload in progress: the bytes are hashed as they arrive, not kept.
pub(crate) struct Upload {
    pub id: String,
    pub filename: String,
    pub offset: u64,
    pub total: u64,
    pub hasher: Md5,
    pub created_at: SystemTime,
    pub completed: Option<(SystemTime, String)>,
    /// The bytes received so far, kept only when the upload's total is at most
    /// [`KEPT_BYTES`](crate::object_store::KEPT_BYTES) (a model file is served back from
    /// them).
    pub content: Option<Vec<u8>>,
}

/// Everything the fake stores.
#[derive(Default)]
pub(crate) struct State {
    next_id: i64,
    next_uuid: u64,
    pub plugins: BTreeMap<i64, Value>,
    pub releases: BTreeMap<i64, Value>,
    pub jobs: Vec<Job>,
    pub job_index: HashMap<String, usize>,
    pub logs: Vec<Value>,
    pub serve_apps: BTreeMap<i64, Value>,
    pub storages: BTreeMap<i64, Value>,
    pub agents: BTreeMap<i64, Value>,
    pub uploads: HashMap<String, Upload>,
    pub agent_releases: BTreeMap<i64, Value>,
    /// Data collections, data files and data units.
    pub data: crate::data_collections::DataState,
    /// The object store behind presigned URLs.
    pub objects: crate::object_store::ObjectStore,
    /// Presigned-upload reservations.
    pub bulk: crate::bulk_upload::BulkState,
    /// Models, ground truths, their events and dataset versions.
    pub ml: crate::ml::MlState,
    /// Projects, tasks, task tags and assignments.
    pub annotation: crate::annotation::AnnotationState,
    /// The agent's Serve applications, policy, system and containers.
    pub agent: crate::agent::AgentState,
    /// What the v2 API adds: join requests.
    #[cfg(feature = "v2")]
    pub v2: crate::v2::V2State,
    pub runs: u64,
    /// Rendered job-list pages of jobs that can no longer change, by request; cleared
    /// whenever a job is added or updated.
    pub page_cache: HashMap<String, bytes::Bytes>,
}

impl State {
    /// The next integer id.
    pub fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// The next UUID-shaped id.
    pub fn uuid(&mut self) -> String {
        self.next_uuid += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next_uuid)
    }

    /// Adds a job.
    pub fn push_job(&mut self, job: Job) {
        self.page_cache.clear();
        self.job_index.insert(job.id.clone(), self.jobs.len());
        self.jobs.push(job);
    }

    /// A job by id.
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.job_index.get(id).and_then(|&i| self.jobs.get(i))
    }

    /// A job by id, mutable.
    pub fn job_mut(&mut self, id: &str) -> Option<&mut Job> {
        self.page_cache.clear();
        match self.job_index.get(id) {
            Some(&i) => self.jobs.get_mut(i),
            None => None,
        }
    }

    /// A plugin by id or code.
    pub fn plugin_by_ref(&self, r: &str) -> Option<(i64, &Value)> {
        self.plugins
            .iter()
            .find(|(id, p)| id.to_string() == r || p["code"].as_str() == Some(r))
            .map(|(id, p)| (*id, p))
    }

    /// A release by id or `code@version`.
    pub fn release_by_lookup(&self, lookup: &str) -> Option<(i64, &Value)> {
        if let Ok(id) = lookup.parse::<i64>() {
            return self.releases.get(&id).map(|r| (id, r));
        }
        let (code, version) = lookup.rsplit_once('@')?;
        let (plugin_id, _) = self.plugin_by_ref(code)?;
        self.releases
            .iter()
            .find(|(_, r)| {
                r["plugin"].as_i64() == Some(plugin_id) && r["version"].as_str() == Some(version)
            })
            .map(|(id, r)| (*id, r))
    }
}
