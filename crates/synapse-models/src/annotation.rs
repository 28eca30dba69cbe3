//! Annotation and HITL models: projects,
//! tasks, task tags, assignments and the request bodies of `create_tasks`, `set_tags_*` and
//! `annotate_task_data`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{
    AssignmentId, DataCollectionId, DataUnitId, ProjectId, RawJson, Ref, TaskId, TaskTagId,
    TenantId, Timestamp, UserId,
};

open_enum! {
    /// `action` of `POST tasks/set_tags/` and `POST assignments/set_tags/` (default `add`;
    /// the Python SDK types it as a free string).
    pub enum SetTagsAction (exact, Default) {
        /// Add the tags.
        #[default]
        Add = "add",
        /// Remove the tags.
        Remove = "remove",
    }
}

open_enum! {
    /// `action` of an annotate body (v2 `TaskV2AnnotateRequestRequest.action`, default
    /// `submit`; the Python SDK's own callers send `submit`).
    pub enum AnnotateAction (exact, Default) {
        /// Save a draft.
        Save = "save",
        /// Submit the annotation.
        #[default]
        Submit = "submit",
    }
}

open_enum! {
    /// `?schema=` of `annotate_task_data` and `Task.schema`.
    pub enum TaskDataSchema (exact) {
        /// Validate against the data-manager schema v1.
        DmSchemaV1 = "dm_schema_v1",
        /// Skip the server's DM-schema validation.
        Any = "any",
    }
}

open_enum! {
    /// Category of a project (v2 `ProjectV2Detail.category`).
    pub enum ProjectCategory (exact) {
        /// Images.
        Image = "image",
        /// Videos.
        Video = "video",
        /// Audio.
        Audio = "audio",
        /// Text.
        Text = "text",
        /// Point clouds.
        Pcd = "pcd",
        /// Prompts.
        Prompt = "prompt",
        /// Time series.
        TimeSeries = "time_series",
    }
}

open_enum! {
    /// Category of a task tag (v2 `TaskTagV2Detail.category`).
    pub enum TaskTagCategory (exact) {
        /// Export tag.
        Export = "export",
        /// Project tag.
        Project = "project",
    }
}

open_enum! {
    /// Labelling status of an assignment (v2 `AssignmentV2Detail.status_label`).
    pub enum AssignmentLabelStatus (exact) {
        /// Waiting.
        StandBy = "stand_by",
        /// Being labelled.
        InProgress = "in_progress",
        /// Labelled.
        Completed = "completed",
        /// Skipped.
        Skipped = "skipped",
    }
}

open_enum! {
    /// Review status of an assignment (v2 `AssignmentV2Detail.status_review`).
    pub enum AssignmentReviewStatus (exact) {
        /// Waiting.
        StandBy = "stand_by",
        /// Under review.
        InProgress = "in_progress",
        /// Rejected.
        Rejected = "rejected",
        /// Accepted.
        Completed = "completed",
        /// Skipped.
        Skipped = "skipped",
    }
}

wire_struct! {
    /// A project (`GET projects/{id}/`): v2 `ProjectV2Detail` plus the v1 relation names.
    pub struct Project {
        /// Project id.
        pub id: Option<ProjectId>,
        /// Tenant id (v2).
        pub tenant_id: Option<TenantId>,
        /// v1: the data collection (id, or the object when expanded).
        pub data_collection: Option<Ref<Map<String, Value>>>,
        /// v2: the data collection id.
        pub data_collection_id: Option<DataCollectionId>,
        /// Title.
        pub title: Option<String>,
        /// Description.
        pub description: Option<String>,
        /// Category.
        pub category: Option<ProjectCategory>,
        /// Human-readable category.
        pub category_display: Option<String>,
        /// Annotation configuration (free-form).
        pub configuration: Option<RawJson>,
        /// Settings (free-form).
        pub settings: Option<RawJson>,
        /// Caution (`sensitive_content` or empty).
        pub caution: Option<String>,
        /// Access level (`public`, `partially_public`, `private`).
        pub access_level: Option<String>,
        /// Maximum assignments per task (0 = unlimited).
        pub count_max_assignments_per_task: Option<i64>,
        /// Whether tasks can be discarded.
        pub can_discard: Option<bool>,
        /// Whether the workforce is enabled.
        pub enable_workforce: Option<bool>,
        /// Whether the project is archived.
        pub is_archived: Option<bool>,
        /// Creation time.
        pub created: Option<Timestamp>,
        /// Number of tasks.
        pub task_count: Option<i64>,
    }
}

wire_struct! {
    /// A task (`GET tasks/{id}/`, items of `GET sdk/tasks/`, `sdk/tasks/data/`,
    /// `sdk/tasks/files/`): v2 `TaskV2Detail` plus the v1 relation names and `files`.
    pub struct Task {
        /// Task id.
        pub id: Option<TaskId>,
        /// v1: the project (id, or the object when expanded).
        pub project: Option<Ref<Map<String, Value>>>,
        /// v2: the project id.
        pub project_id: Option<ProjectId>,
        /// v1: the data unit (id, or the object with `expand=data_unit`, which carries `files`).
        pub data_unit: Option<Ref<Map<String, Value>>>,
        /// v2: the data unit id.
        pub data_unit_id: Option<DataUnitId>,
        /// Workshop id.
        pub workshop_id: Option<i64>,
        /// Free-form metadata.
        pub meta: Option<RawJson>,
        /// Annotation data.
        pub data: Option<RawJson>,
        /// Schema of `data`.
        pub schema: Option<TaskDataSchema>,
        /// Whether the task is discarded.
        pub is_discarded: Option<bool>,
        /// Whether the task has annotation data.
        pub has_data: Option<bool>,
        /// `sdk/tasks/…` lists: an object (name → URL or `{url, …}`) or an array of file-info
        /// objects. URLs are returned untouched (nothing is downloaded).
        pub files: Option<RawJson>,
        /// Creation time.
        pub created: Option<Timestamp>,
    }
}

wire_struct! {
    /// A task tag (`GET task_tags/{id}/`, items of `GET task_tags/`): v2 `TaskTagV2Detail`.
    pub struct TaskTag {
        /// Tag id.
        pub id: Option<TaskTagId>,
        /// v1: the project (id or object).
        pub project: Option<Ref<Map<String, Value>>>,
        /// v2: the project id.
        pub project_id: Option<ProjectId>,
        /// Name.
        pub name: Option<String>,
        /// Category.
        pub category: Option<TaskTagCategory>,
        /// Description.
        pub description: Option<String>,
        /// Free-form metadata.
        pub meta: Option<RawJson>,
        /// Creation time.
        pub created: Option<Timestamp>,
    }
}

wire_struct! {
    /// An assignment (`GET assignments/{id}/`, items of `GET sdk/assignments/…`):
    /// v2 `AssignmentV2Detail` plus the v1 relation names and `files`.
    pub struct Assignment {
        /// Assignment id.
        pub id: Option<AssignmentId>,
        /// v1: the user (id or object).
        pub user: Option<Ref<Map<String, Value>>>,
        /// v2: the user id.
        pub user_id: Option<UserId>,
        /// v1: the task (id or object).
        pub task: Option<Ref<Map<String, Value>>>,
        /// v2: the task id.
        pub task_id: Option<TaskId>,
        /// v1: the reviewer (id or object).
        pub reviewer: Option<Ref<Map<String, Value>>>,
        /// v2: the reviewer id.
        pub reviewer_id: Option<UserId>,
        /// Labelling status.
        pub status_label: Option<AssignmentLabelStatus>,
        /// Review status.
        pub status_review: Option<AssignmentReviewStatus>,
        /// Whether the assignment is confirmed.
        pub is_confirmed: Option<bool>,
        /// Whether it is discarded.
        pub is_discarded: Option<bool>,
        /// Annotation data.
        pub data: Option<RawJson>,
        /// Tag ids.
        pub tags: Option<Vec<i64>>,
        /// `sdk/assignments/…` lists: the files (URLs untouched, nothing downloaded).
        pub files: Option<RawJson>,
        /// Creation time.
        pub created: Option<Timestamp>,
    }
}

/// Body of `POST tasks/`, in wire order: one project and one object per task to create
/// (e.g. `{"data_unit": 789}`). Unknown keys are not representable (the Python SDK rejects
/// them).
///
/// ```
/// use synapse_models::TaskCreateRequest;
/// let req = TaskCreateRequest::new(1, [serde_json::json!({"data_unit": 5})])?;
/// assert_eq!(serde_json::to_string(&req)?, r#"{"project":1,"data":[{"data_unit":5}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCreateRequest {
    /// Project the tasks belong to.
    pub project: ProjectId,
    /// One object per task (e.g. `{"data_unit": 789}`).
    pub data: Vec<Map<String, Value>>,
}

impl TaskCreateRequest {
    /// A request for `project` with one task per item; every item must be a JSON object.
    pub fn new(
        project: impl Into<ProjectId>,
        items: impl IntoIterator<Item = Value>,
    ) -> Result<Self, crate::ModelError> {
        let data = items
            .into_iter()
            .map(|item| match item {
                Value::Object(map) => Ok(map),
                _ => Err(crate::ModelError::InvalidField {
                    field: "data",
                    reason: "every task item must be a JSON object".to_owned(),
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            project: project.into(),
            data,
        })
    }
}

/// Body of `POST tasks/set_tags/` and `POST assignments/set_tags/`, in wire order; `action`
/// (default `add`) is always sent. Unknown keys are not representable (the Python SDK
/// rejects them, including the documented `task_ids`/`tag_ids`).
///
/// ```
/// use synapse_models::SetTagsRequest;
/// let req = SetTagsRequest::new([1, 2], [10]);
/// assert_eq!(serde_json::to_string(&req)?, r#"{"ids":[1,2],"tags":[10],"action":"add"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTagsRequest {
    /// Task or assignment ids.
    pub ids: Vec<i64>,
    /// Tag ids.
    pub tags: Vec<i64>,
    /// Add or remove (default `add`, always sent).
    #[serde(default)]
    pub action: SetTagsAction,
}

impl SetTagsRequest {
    /// Adds `tags` to `ids`.
    pub fn new(ids: impl IntoIterator<Item = i64>, tags: impl IntoIterator<Item = i64>) -> Self {
        Self {
            ids: ids.into_iter().collect(),
            tags: tags.into_iter().collect(),
            action: SetTagsAction::Add,
        }
    }

    /// Sets the action (e.g. [`SetTagsAction::Remove`]).
    pub fn action(mut self, action: SetTagsAction) -> Self {
        self.action = action;
        self
    }
}

/// The annotate body the Python SDK's own callers send to
/// `PUT tasks/{id}/annotate_task_data/`: `{"action": …, "data": …}` (both always sent;
/// `action` defaults to `submit`). The endpoint itself takes any JSON; this is a convenience.
///
/// ```
/// use synapse_models::AnnotateRequest;
/// let req = AnnotateRequest::submit(serde_json::json!({"objects": []}));
/// assert_eq!(serde_json::to_string(&req)?, r#"{"action":"submit","data":{"objects":[]}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AnnotateRequest {
    /// `save` or `submit` (default `submit`).
    #[serde(default)]
    pub action: AnnotateAction,
    /// The annotation data (may be `null`).
    #[serde(default)]
    pub data: Value,
}

impl AnnotateRequest {
    /// `{"action": "submit", "data": data}`.
    pub fn submit(data: Value) -> Self {
        Self {
            action: AnnotateAction::Submit,
            data,
        }
    }

    /// `{"action": "save", "data": data}`.
    pub fn save(data: Value) -> Self {
        Self {
            action: AnnotateAction::Save,
            data,
        }
    }
}
