//! Jobs.

use crate::{
    Agent, JobErrorType, JobId, JobQueueReason, JobStatus, PluginReleaseId, PluginReleaseSummary,
    RawJson, Ref, Timestamp,
};

wire_struct! {
    /// A job (`GET jobs/{id}/`, items of `GET jobs/`): v2 detail/list/embedded shapes and the
    /// v1 keys, all optional.
    pub struct Job {
        /// Job id (UUID string, or an integer on older servers).
        pub id: Option<JobId>,
        /// Status.
        pub status: Option<JobStatus>,
        /// Action name (`train`, `deployment`, …).
        pub action: Option<String>,
        /// Run parameters.
        pub params: Option<RawJson>,
        /// Progress record written by the SDK's job logger.
        pub progress_record: Option<RawJson>,
        /// Metrics record written by the SDK's job logger.
        pub metrics_record: Option<RawJson>,
        /// Result (`{"error": …}` on reported failures).
        pub result: Option<RawJson>,
        /// Free-form metadata (`meta.queue`, `meta.error`).
        pub meta: Option<RawJson>,
        /// Queue state (null when not queued).
        pub queue: Option<Box<JobQueueState>>,
        /// Error details (null unless failed).
        pub error: Option<Box<JobError>>,
        /// Whether the job is active.
        pub is_active: Option<bool>,
        /// Release id (v2).
        pub plugin_release_id: Option<PluginReleaseId>,
        /// Release: id (v1) or embedded summary.
        pub plugin_release: Option<Ref<Box<PluginReleaseSummary>>>,
        /// Last modification time.
        pub modified: Option<Timestamp>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// Completion time (null until terminal).
        pub completed: Option<Timestamp>,
        /// v1: agent id or embedded agent.
        pub agent: Option<Ref<Box<Agent>>>,
        /// v1: start time.
        pub started: Option<Timestamp>,
        /// v1: finish time.
        pub finished: Option<Timestamp>,
        /// v1: console logs.
        pub console_logs: Option<RawJson>,
        /// v1: logs (`?expand=logs`).
        pub logs: Option<RawJson>,
    }
}

impl Job {
    /// Overall progress 0–100 from `progress_record.current_progress.overall`.
    pub fn progress_percent(&self) -> Option<f64> {
        self.progress_record
            .as_ref()?
            .to_value()
            .pointer("/current_progress/overall")?
            .as_f64()
    }

    /// `true` when the status is terminal (`STOPPED`, `SUCCEEDED`, `FAILED`).
    pub fn is_terminal(&self) -> bool {
        self.status.as_ref().is_some_and(JobStatus::is_terminal)
    }

    /// The release id, from `plugin_release_id` or `plugin_release`.
    pub fn release_id(&self) -> Option<PluginReleaseId> {
        self.plugin_release_id
            .or_else(|| match self.plugin_release.as_ref()? {
                Ref::Id(id) => Some(PluginReleaseId(*id)),
                Ref::Object(summary) => summary.id,
                Ref::Other(_) => None,
            })
    }
}

wire_struct! {
    /// Where a job waits in the agent's queue.
    pub struct JobQueueState {
        /// Position (0- or 1-based, agent dependent).
        pub position: Option<i64>,
        /// Why it waits.
        pub reason: Option<JobQueueReason>,
        /// What blocks it.
        pub blockers: Option<Vec<String>>,
        /// When the state was last updated.
        pub updated_at: Option<Timestamp>,
    }
}

wire_struct! {
    /// Why a job failed.
    pub struct JobError {
        /// Error kind.
        pub error_type: Option<JobErrorType>,
        /// User-facing message.
        pub message: Option<String>,
    }
}

// A page's jobs are moved several times on their way to the caller (into the page, through the
// item stream); the rarely present nested records are boxed to keep that cheap.
const _: () = assert!(std::mem::size_of::<Job>() <= 768);
