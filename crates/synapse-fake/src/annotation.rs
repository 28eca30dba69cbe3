//! Annotation: projects and task tags, and the tables of the task and HITL domains (tasks,
//! assignments) with the helpers they share. Two image projects on the data collection every
//! fake starts with exist from the start, each with a few task tags; more come from
//! [`create_project`] (the control plane's seeding).
//!
//! - `GET projects/{id}/` (`task_count` counts the project's tasks);
//! - `GET task_tags/` (filters `project`, `category`), `GET task_tags/{id}/`.
//!
//! Errors are Django REST Framework's: 404 `{"detail": "Not found."}`, 400 naming every bad
//! field (`{"data": [{}, {"data_unit": ["…"]}]}` for a bad item of a list).

use std::collections::BTreeMap;
use std::time::SystemTime;

use http::Method;
use serde_json::{Map, Value, json};

use crate::data_collections::DataState;
use crate::respond::{
    Ctx, Form, Resp, field_error, json_resp, non_empty_names, not_found, paginate, type_name,
};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// Projects and task tags.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "projects/{id}/", |s, _, id| get_project(s, id)),
    answer(Method::GET, "task_tags/", |s, c, _| list_tags(s, c)),
    answer(Method::GET, "task_tags/{id}/", |s, _, id| get_tag(s, id)),
];

pub(crate) const CATEGORIES: [&str; 7] = [
    "image",
    "video",
    "audio",
    "text",
    "pcd",
    "prompt",
    "time_series",
];
pub(crate) const ACCESS_LEVELS: [&str; 3] = ["public", "partially_public", "private"];

/// The annotation tables (and the HITL domain's assignments): one id sequence per table.
pub(crate) struct AnnotationState {
    pub(crate) projects: BTreeMap<i64, Value>,
    pub(crate) tasks: BTreeMap<i64, Task>,
    pub(crate) tags: BTreeMap<i64, Value>,
    pub(crate) assignments: BTreeMap<i64, Assignment>,
    next_project: i64,
    pub(crate) next_task: i64,
    next_tag: i64,
    pub(crate) next_assignment: i64,
}

/// A stored task.
pub(crate) struct Task {
    pub id: i64,
    pub project: i64,
    pub data_unit: i64,
    pub meta: Value,
    pub data: Value,
    pub schema: String,
    pub tags: Vec<i64>,
    pub created: String,
}

/// A stored assignment: a task handed to a labeller.
pub(crate) struct Assignment {
    pub id: i64,
    pub task: i64,
    pub project: i64,
    pub status_label: String,
    pub data: Value,
    pub tags: Vec<i64>,
    pub created: String,
}

impl Default for AnnotationState {
    /// Two image projects on data collection 1, with their task tags.
    fn default() -> Self {
        let mut state = AnnotationState {
            projects: BTreeMap::new(),
            tasks: BTreeMap::new(),
            tags: BTreeMap::new(),
            assignments: BTreeMap::new(),
            next_project: 0,
            next_task: 0,
            next_tag: 0,
            next_assignment: 0,
        };
        let boxes = state.insert_project(project_fields(
            "Street scenes: vehicles",
            "Draw a box around every vehicle.",
            1,
            "image",
            json!({"tools": ["bounding_box"], "classes": ["car", "truck", "bus"]}),
        ));
        for (name, category) in [
            ("blurry", "project"),
            ("night", "project"),
            ("export-ready", "export"),
        ] {
            state.insert_tag(boxes, name, category);
        }
        let signs = state.insert_project(project_fields(
            "Street scenes: traffic signs",
            "Classify every traffic sign.",
            1,
            "image",
            json!({"tools": ["polygon"], "classes": ["stop", "yield"]}),
        ));
        for (name, category) in [("occluded", "project"), ("export-ready", "export")] {
            state.insert_tag(signs, name, category);
        }
        state
    }
}

/// A project's stored fields, defaults filled in.
fn project_fields(
    title: &str,
    description: &str,
    collection: i64,
    category: &str,
    configuration: Value,
) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("title".into(), json!(title));
    fields.insert("description".into(), json!(description));
    fields.insert("data_collection".into(), json!(collection));
    fields.insert("category".into(), json!(category));
    fields.insert("configuration".into(), configuration);
    fields
}

/// The display name of a category (`time_series` → `Time series`, `pcd` → `PCD`).
pub(crate) fn display(category: &str) -> String {
    match category {
        "pcd" => "PCD".to_owned(),
        other => {
            let text = other.replace('_', " ");
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

impl AnnotationState {
    /// Stores a project from checked fields; its id.
    pub(crate) fn insert_project(&mut self, fields: Map<String, Value>) -> i64 {
        self.next_project += 1;
        let id = self.next_project;
        let field = |key: &str, default: Value| fields.get(key).cloned().unwrap_or(default);
        let category = field("category", json!("image"));
        let project = json!({
            "id": id, "tenant_id": 1,
            "data_collection": field("data_collection", Value::Null),
            "title": field("title", json!("")),
            "description": field("description", json!("")),
            "category": category,
            "category_display": display(category.as_str().unwrap_or_default()),
            "configuration": field("configuration", json!({})),
            "settings": field("settings", json!({})),
            "caution": "",
            "access_level": field("access_level", json!("private")),
            "count_max_assignments_per_task": field("count_max_assignments_per_task", json!(1)),
            "can_discard": field("can_discard", json!(true)),
            "enable_workforce": field("enable_workforce", json!(false)),
            "is_archived": false,
            "created": rfc3339(SystemTime::now()),
        });
        self.projects.insert(id, project);
        id
    }

    /// Stores a task tag of `project`; its id.
    pub(crate) fn insert_tag(&mut self, project: i64, name: &str, category: &str) -> i64 {
        self.next_tag += 1;
        let id = self.next_tag;
        self.tags.insert(
            id,
            json!({
                "id": id, "project": project, "name": name, "category": category,
                "description": "", "meta": {}, "created": rfc3339(SystemTime::now()),
            }),
        );
        id
    }

    /// A project as the API shows it (`task_count` counted now).
    fn project_json(&self, id: i64) -> Option<Value> {
        let mut project = self.projects.get(&id)?.clone();
        project["task_count"] = json!(self.tasks.values().filter(|t| t.project == id).count());
        Some(project)
    }

    /// Creates a task of `project` on `data_unit`, with its assignment waiting for its
    /// labeller; the task's id.
    pub(crate) fn add_task(&mut self, project: i64, data_unit: i64, meta: Value) -> i64 {
        self.next_task += 1;
        let now = rfc3339(SystemTime::now());
        let task = Task {
            id: self.next_task,
            project,
            data_unit,
            meta,
            data: Value::Null,
            schema: "dm_schema_v1".to_owned(),
            tags: Vec::new(),
            created: now.clone(),
        };
        self.next_assignment += 1;
        let assignment = Assignment {
            id: self.next_assignment,
            task: task.id,
            project,
            status_label: "stand_by".to_owned(),
            data: Value::Null,
            tags: Vec::new(),
            created: now,
        };
        self.assignments.insert(assignment.id, assignment);
        self.tasks.insert(task.id, task);
        self.next_task
    }

    /// Stores a task's annotation `data` (and `schema`, when given); its assignments move
    /// to `completed` (`action` `submit`) or `in_progress` (`save`).
    pub(crate) fn annotate(
        &mut self,
        task: i64,
        data: Value,
        schema: Option<String>,
        action: &str,
    ) {
        let Some(row) = self.tasks.get_mut(&task) else {
            return;
        };
        row.data = data.clone();
        if let Some(schema) = schema {
            row.schema = schema;
        }
        let status = if action == "submit" {
            "completed"
        } else {
            "in_progress"
        };
        for assignment in self.assignments.values_mut().filter(|a| a.task == task) {
            assignment.status_label = status.to_owned();
            assignment.data = data.clone();
        }
    }

    /// The project a task tag belongs to.
    pub(crate) fn tag_project(&self, id: i64) -> Option<i64> {
        self.tags.get(&id).and_then(|t| t["project"].as_i64())
    }

    /// A task by id, as the API shows it (the data unit embedded with its files when
    /// `expand_unit`).
    pub(crate) fn task_json(&self, data: &DataState, task: &Task, expand_unit: bool) -> Value {
        let unit = if expand_unit {
            data.unit_by_id(task.data_unit, true)
                .unwrap_or(json!(task.data_unit))
        } else {
            json!(task.data_unit)
        };
        json!({
            "id": task.id, "project": task.project, "data_unit": unit, "workshop": null,
            "meta": task.meta, "data": task.data, "schema": task.schema, "tags": task.tags,
            "is_discarded": false, "has_data": !task.data.is_null(), "created": task.created,
        })
    }
}

/// The files of a data unit: a list of file-info objects (`name` = specification name), or
/// with `by_name` ([`FakeConfig::files_by_name`](crate::FakeConfig::files_by_name)) an object
/// keyed by specification name.
pub(crate) fn unit_files(data: &DataState, unit: i64, by_name: bool) -> Value {
    let files = data
        .unit_by_id(unit, true)
        .and_then(|u| u.get("files").and_then(Value::as_object).cloned())
        .unwrap_or_default();
    if by_name {
        return Value::Object(files);
    }
    Value::Array(
        files
            .into_iter()
            .map(|(name, mut info)| {
                if let Some(o) = info.as_object_mut() {
                    o.insert("name".to_owned(), Value::String(name));
                }
                info
            })
            .collect(),
    )
}

/// A checked project create body: its fields and the names of the task tags to create.
pub(crate) struct NewProject {
    fields: Map<String, Value>,
    tags: Vec<String>,
}

/// Checks a project create body (the control plane's seeding) against the state, creating
/// nothing: `title` and `data_collection` (an existing one) required; `description`,
/// `category` (default the collection's), `configuration`, `settings`, `access_level`,
/// `count_max_assignments_per_task`, `can_discard`, `enable_workforce`, and `tags` (names of
/// task tags to create with it) optional; other keys dropped. The project to insert, or the
/// errors naming every bad field.
pub(crate) fn project_form(
    state: &State,
    mut form: Form,
) -> Result<NewProject, Map<String, Value>> {
    form.require_str("title");
    let collection = form.require_int("data_collection").and_then(|id| {
        let found = state.data.collection(id);
        if found.is_none() {
            form.error(
                "data_collection",
                format!("Invalid pk \"{id}\" - object does not exist."),
            );
        }
        found.map(|c| c["category"].clone())
    });
    for key in ["description"] {
        if form.get(key).is_some_and(|v| !v.is_string()) {
            form.error(key, "Not a valid string.");
        }
    }
    form.optional_choice("category", &CATEGORIES);
    form.optional_choice("access_level", &ACCESS_LEVELS);
    if let Some(v) = form.get("count_max_assignments_per_task")
        && v.as_i64().is_none_or(|n| n < 0)
    {
        form.error(
            "count_max_assignments_per_task",
            "Ensure this value is a whole number greater than or equal to 0.",
        );
    }
    for key in ["can_discard", "enable_workforce"] {
        if form.get(key).is_some_and(|v| !v.is_boolean()) {
            form.error(key, "Must be a valid boolean.");
        }
    }
    for key in ["configuration", "settings"] {
        if form.get(key).is_some_and(|v| !v.is_object()) {
            form.error(key, "Expected a dictionary of items but got another type.");
        }
    }
    let tag_names = match form.get("tags").map(non_empty_names) {
        None => Vec::new(),
        Some(Some(names)) => names,
        Some(None) => {
            form.error("tags", "Expected a list of non-empty tag names.");
            Vec::new()
        }
    };
    let mut fields = form.checked(&[
        "title",
        "data_collection",
        "description",
        "category",
        "configuration",
        "settings",
        "access_level",
        "count_max_assignments_per_task",
        "can_discard",
        "enable_workforce",
    ])?;
    if !fields.contains_key("category")
        && let Some(category) =
            collection.filter(|c| CATEGORIES.contains(&c.as_str().unwrap_or_default()))
    {
        fields.insert("category".to_owned(), category);
    }
    Ok(NewProject {
        fields,
        tags: tag_names,
    })
}

/// Inserts a checked project with its task tags; the project as the API shows it.
pub(crate) fn insert_project(state: &mut State, project: NewProject) -> Option<Value> {
    let annotation = &mut state.annotation;
    let id = annotation.insert_project(project.fields);
    for name in &project.tags {
        annotation.insert_tag(id, name, "project");
    }
    annotation.project_json(id)
}

/// A path id as an integer (anything else matches no row).
pub(crate) fn parse_id(id: &str) -> Option<i64> {
    id.parse().ok()
}

fn get_project(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match parse_id(id).and_then(|id| state.annotation.project_json(id)) {
        Some(project) => json_resp(200, &project),
        None => not_found(),
    }
}

/// An integer query filter: absent, a number, or DRF's 400 `Enter a number.`.
pub(crate) fn int_filter(ctx: &Ctx, key: &str) -> Result<Option<i64>, Resp> {
    match ctx.q(key).map(|v| v.trim().parse::<i64>()) {
        None => Ok(None),
        Some(Ok(n)) => Ok(Some(n)),
        Some(Err(_)) => Err(field_error(key, "Enter a number.")),
    }
}

/// A multiple-id query filter (`tags=1,2` or repeated keys): absent, the ids, or a 400.
pub(crate) fn ids_filter(ctx: &Ctx, key: &str) -> Result<Option<Vec<i64>>, Resp> {
    let values: Vec<&str> = ctx
        .query
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Ok(None);
    }
    values
        .iter()
        .map(|v| v.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
        .map_err(|_| field_error(key, "Enter a whole number."))
}

/// Whether the request expands `field` (`expand=a,b`, or repeated keys).
pub(crate) fn expands(ctx: &Ctx, field: &str) -> bool {
    ctx.query
        .iter()
        .any(|(k, v)| k == "expand" && v.split(',').any(|f| f.trim() == field))
}

/// Only the `fields=a,b` of `value` (DRF's sparse fieldsets), when the request names some.
pub(crate) fn select_fields(ctx: &Ctx, value: Value) -> Value {
    let Some(fields) = ctx.q("fields") else {
        return value;
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| wanted.contains(&k.as_str()))
                .collect(),
        ),
        other => other,
    }
}

/// A required list of integers (`ids`, `tags`), every bad element named.
fn int_list(form: &mut Form, field: &str) -> Option<Vec<i64>> {
    match form.require(field)? {
        Value::Array(items) => {
            let ids: Vec<Option<i64>> = items
                .iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                })
                .collect();
            if ids.iter().any(Option::is_none) {
                form.error(field, "A valid integer is required.");
                return None;
            }
            Some(ids.into_iter().flatten().collect())
        }
        other => {
            form.error(
                field,
                format!(
                    "Expected a list of items but got type \"{}\".",
                    type_name(&other)
                ),
            );
            None
        }
    }
}

/// A checked `SetTagsRequest`.
struct SetTags {
    ids: Vec<i64>,
    tags: Vec<i64>,
    add: bool,
}

/// Checks a `{"ids", "tags", "action"}` body: `ids` must name rows `exists` knows (it gives
/// the row's project), `tags` existing task tags of those rows' projects; `action` is `add`
/// (the default) or `remove`. The checked request, or a 400 naming every bad field.
fn check_set_tags(
    ctx: &Ctx,
    annotation: &AnnotationState,
    exists: impl Fn(i64) -> Option<i64>,
) -> Result<SetTags, Resp> {
    let mut form = Form::new(ctx)?;
    let ids = int_list(&mut form, "ids");
    let tags = int_list(&mut form, "tags");
    let action = form.optional_choice("action", &["add", "remove"]);
    let mut projects = Vec::new();
    for id in ids.iter().flatten() {
        match exists(*id) {
            Some(project) => projects.push(project),
            None => form.error(
                "ids",
                format!("Invalid pk \"{id}\" - object does not exist."),
            ),
        }
    }
    for tag in tags.iter().flatten() {
        match annotation.tag_project(*tag) {
            None => form.error(
                "tags",
                format!("Invalid pk \"{tag}\" - object does not exist."),
            ),
            Some(p) if projects.iter().any(|q| *q != p) => form.error(
                "tags",
                format!("Tag {tag} belongs to project {p}, not to the project of every object."),
            ),
            Some(_) => {}
        }
    }
    form.finish(&["ids", "tags", "action"])?;
    let add = action.as_deref() != Some("remove");
    Ok(SetTags {
        ids: ids.unwrap_or_default(),
        tags: tags.unwrap_or_default(),
        add,
    })
}

/// Adds or removes `tags` on one row's tag list (order kept, no duplicates).
fn apply_tags(row: &mut Vec<i64>, tags: &[i64], add: bool) {
    if add {
        for tag in tags {
            if !row.contains(tag) {
                row.push(*tag);
            }
        }
    } else {
        row.retain(|t| !tags.contains(t));
    }
}

/// The answer to a set-tags request: what was applied.
fn set_tags_answer(request: &SetTags) -> Resp {
    json_resp(
        200,
        &json!({
            "ids": request.ids, "tags": request.tags,
            "action": if request.add { "add" } else { "remove" },
        }),
    )
}

/// A row that task tags are set on: a task or an assignment.
pub(crate) trait Tagged: Sized {
    /// The table of these rows.
    fn table(annotation: &AnnotationState) -> &BTreeMap<i64, Self>;
    /// The table of these rows, to change them.
    fn table_mut(annotation: &mut AnnotationState) -> &mut BTreeMap<i64, Self>;
    /// The row's project.
    fn project(&self) -> i64;
    /// The row's tag ids.
    fn tags_mut(&mut self) -> &mut Vec<i64>;
}

impl Tagged for Task {
    fn table(annotation: &AnnotationState) -> &BTreeMap<i64, Self> {
        &annotation.tasks
    }
    fn table_mut(annotation: &mut AnnotationState) -> &mut BTreeMap<i64, Self> {
        &mut annotation.tasks
    }
    fn project(&self) -> i64 {
        self.project
    }
    fn tags_mut(&mut self) -> &mut Vec<i64> {
        &mut self.tags
    }
}

impl Tagged for Assignment {
    fn table(annotation: &AnnotationState) -> &BTreeMap<i64, Self> {
        &annotation.assignments
    }
    fn table_mut(annotation: &mut AnnotationState) -> &mut BTreeMap<i64, Self> {
        &mut annotation.assignments
    }
    fn project(&self) -> i64 {
        self.project
    }
    fn tags_mut(&mut self) -> &mut Vec<i64> {
        &mut self.tags
    }
}

/// `POST tasks/set_tags/` and `POST assignments/set_tags/` on the rows of `T`'s table
/// (`?project=`: only that project's rows count as existing): the tags added to or removed
/// from every row named, or a 400 naming every bad field, nothing changed.
pub(crate) fn set_tags<T: Tagged>(shared: &Shared, ctx: &Ctx) -> Resp {
    let project = match int_filter(ctx, "project") {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut guard = shared.state();
    let annotation = &mut guard.annotation;
    let rows = T::table(annotation);
    let request = match check_set_tags(ctx, annotation, |id| {
        rows.get(&id)
            .map(T::project)
            .filter(|row| project.is_none_or(|p| *row == p))
    }) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let rows = T::table_mut(annotation);
    for id in &request.ids {
        if let Some(row) = rows.get_mut(id) {
            apply_tags(row.tags_mut(), &request.tags, request.add);
        }
    }
    set_tags_answer(&request)
}

/// `GET task_tags/`: filters `project` and `category`.
fn list_tags(shared: &Shared, ctx: &Ctx) -> Resp {
    let project = match int_filter(ctx, "project") {
        Ok(p) => p,
        Err(r) => return r,
    };
    let category = ctx.q("category");
    let state = shared.state();
    let tags: Vec<&Value> = state
        .annotation
        .tags
        .values()
        .filter(|t| project.is_none_or(|p| t["project"].as_i64() == Some(p)))
        .filter(|t| category.is_none_or(|c| t["category"].as_str() == Some(c)))
        .collect();
    paginate(ctx, tags, shared.config.page_size, Value::clone)
}

fn get_tag(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match parse_id(id).and_then(|id| state.annotation.tags.get(&id)) {
        Some(tag) => json_resp(200, tag),
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_is_created_with_its_tags_or_every_bad_field_is_named() {
        let mut state = State::default();
        let create = |state: &mut State, body: Value| {
            let form = Form::from_value(body).map_err(|_| Map::new())?;
            let project = project_form(state, form)?;
            insert_project(state, project).ok_or_else(Map::new)
        };
        let project = create(
            &mut state,
            json!({"title": "Signs", "data_collection": 1, "tags": ["dim"], "junk": 1}),
        )
        .expect("created");
        assert_eq!(project["id"], 3, "after the two seeded ones");
        assert_eq!(project["category"], "image", "the collection's category");
        assert_eq!(project["task_count"], 0);
        assert!(project.get("junk").is_none(), "undeclared keys dropped");
        let id = project["id"].as_i64().expect("id");
        assert!(
            state
                .annotation
                .tags
                .values()
                .any(|t| t["project"] == id && t["name"] == "dim")
        );

        let err = create(
            &mut state,
            json!({"title": "", "data_collection": 9, "category": "smell", "can_discard": "x"}),
        )
        .expect_err("invalid");
        assert_eq!(
            Value::Object(err),
            json!({
                "title": ["This field may not be blank."],
                "data_collection": ["Invalid pk \"9\" - object does not exist."],
                "category": ["\"smell\" is not a valid choice."],
                "can_discard": ["Must be a valid boolean."],
            })
        );
        assert_eq!(state.annotation.projects.len(), 3, "nothing created");
    }
}
