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
        id: JobId => "id",
        /// Status.
        status: JobStatus => "status",
        /// Action name (`train`, `deployment`, …).
        action: String => "action",
        /// Run parameters.
        params: RawJson => "params",
        /// Progress record written by the SDK's job logger.
        progress_record: RawJson => "progress_record",
        /// Metrics record written by the SDK's job logger.
        metrics_record: RawJson => "metrics_record",
        /// Result (`{"error": …}` on reported failures).
        result: RawJson => "result",
        /// Free-form metadata (`meta.queue`, `meta.error`).
        meta: RawJson => "meta",
        /// Queue state (null when not queued).
        queue: JobQueueState => "queue",
        /// Error details (null unless failed).
        error: JobError => "error",
        /// Whether the job is active.
        is_active: bool => "is_active",
        /// Release id (v2).
        plugin_release_id: PluginReleaseId => "plugin_release_id",
        /// Release: id (v1) or embedded summary.
        plugin_release: Ref<PluginReleaseSummary> => "plugin_release",
        /// Last modification time.
        modified: Timestamp => "modified",
        /// Creation time.
        created: Timestamp => "created",
        /// Completion time (null until terminal).
        completed: Timestamp => "completed",
        /// v1: agent id or embedded agent.
        agent: Ref<Box<Agent>> => "agent",
        /// v1: start time.
        started: Timestamp => "started",
        /// v1: finish time.
        finished: Timestamp => "finished",
        /// v1: console logs.
        console_logs: RawJson => "console_logs",
        /// v1: logs (`?expand=logs`).
        logs: RawJson => "logs",
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
        position: i64 => "position",
        /// Why it waits.
        reason: JobQueueReason => "reason",
        /// What blocks it.
        blockers: Vec<String> => "blockers",
        /// When the state was last updated.
        updated_at: Timestamp => "updated_at",
    }
}

wire_struct! {
    /// Why a job failed.
    pub struct JobError {
        /// Error kind.
        error_type: JobErrorType => "error_type",
        /// User-facing message.
        message: String => "message",
    }
}
