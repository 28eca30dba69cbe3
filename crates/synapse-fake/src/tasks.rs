//! Tasks: created from data units of their project's collection (each with an assignment of
//! the HITL domain), read, annotated, tagged and listed. The tables live with the projects
//! in the annotation domain.
//!
//! - `POST tasks/` `{"project": id, "data": [{"data_unit": id, "meta"?: {…}}, …]}`: one task
//!   per item, all or nothing, each unit from the project's data collection; every task gets
//!   one assignment (the HITL domain) waiting for its labeller;
//! - `GET tasks/{id}/` (`fields=a,b`, `expand=data_unit` embeds the unit with its files);
//! - `PUT tasks/{id}/annotate_task_data/` (`?schema=dm_schema_v1|any`): the body is the
//!   serializer `{"action": "save"|"submit", "data": …}` (other keys dropped); `data` becomes
//!   the task's, and its assignment moves to `in_progress` (save) or `completed` (submit);
//! - `POST tasks/set_tags/` `{"ids", "tags", "action": "add"|"remove"}` (`?project=`);
//! - `GET sdk/tasks/` (as `GET tasks/{id}/` per item), `GET sdk/tasks/data/` (`{id, data}`),
//!   `GET sdk/tasks/files/` (`{id, data_unit, files: [{name, url, …}]}`, or `files` keyed by
//!   name with [`FakeConfig::files_by_name`](crate::FakeConfig::files_by_name)), filtered by
//!   `project` and `tags` (any of the comma-separated ids).
//!
//! Errors are Django REST Framework's: 404 `{"detail": "Not found."}`, 400 naming every bad
//! field (`{"data": [{}, {"data_unit": ["…"]}]}` for a bad item of a list).

use http::Method;
use serde_json::{Map, Value, json};

use crate::annotation::{
    Task, expands, ids_filter, int_filter, parse_id, select_fields, set_tags, unit_files,
};
use crate::data_collections::DataState;
use crate::respond::{
    Ctx, Form, ListView, Resp, field_error, json_resp, not_found, paginate, type_name,
};
use crate::routes::{Route, answer};
use crate::server::Shared;

/// Tasks.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::POST, "tasks/", |s, c, _| create_tasks(s, c)),
    answer(Method::POST, "tasks/set_tags/", |s, c, _| {
        set_tags::<Task>(s, c)
    }),
    answer(Method::GET, "tasks/{id}/", |s, c, id| get_task(s, c, id)),
    answer(Method::PUT, "tasks/{id}/annotate_task_data/", |s, c, id| {
        annotate_task_data(s, c, id)
    }),
    answer(Method::GET, "sdk/tasks/", |s, c, _| {
        list_tasks(s, c, ListView::Full)
    }),
    answer(Method::GET, "sdk/tasks/data/", |s, c, _| {
        list_tasks(s, c, ListView::Data)
    }),
    answer(Method::GET, "sdk/tasks/files/", |s, c, _| {
        list_tasks(s, c, ListView::Files)
    }),
];

const SCHEMAS: [&str; 2] = ["dm_schema_v1", "any"];

/// One checked item of `POST tasks/`.
struct TaskDraft {
    data_unit: i64,
    meta: Value,
}

/// Checks one item of `data`: its errors (empty when valid) and the draft.
fn check_task_item(
    data: &DataState,
    collection: Option<i64>,
    item: &Value,
) -> (Map<String, Value>, Option<TaskDraft>) {
    let mut errors = Map::new();
    let Some(item) = item.as_object() else {
        errors.insert(
            "non_field_errors".into(),
            json!([format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(item)
            )]),
        );
        return (errors, None);
    };
    let unit = match item.get("data_unit") {
        None => {
            errors.insert("data_unit".into(), json!(["This field is required."]));
            None
        }
        Some(Value::Null) => {
            errors.insert("data_unit".into(), json!(["This field may not be null."]));
            None
        }
        Some(Value::Number(n)) => match n.as_i64().filter(|id| data.unit_collection(*id).is_some())
        {
            Some(id) => Some(id),
            None => {
                errors.insert(
                    "data_unit".into(),
                    json!([format!("Invalid pk \"{n}\" - object does not exist.")]),
                );
                None
            }
        },
        Some(other) => {
            errors.insert(
                "data_unit".into(),
                json!([format!(
                    "Incorrect type. Expected pk value, received {}.",
                    type_name(other)
                )]),
            );
            None
        }
    };
    if let (Some(unit), Some(collection)) = (unit, collection)
        && data.unit_collection(unit) != Some(collection)
    {
        errors.insert(
            "data_unit".into(),
            json!([format!(
                "Data unit {unit} is not in the project's data collection ({collection})."
            )]),
        );
    }
    let meta = match item.get("meta") {
        None | Some(Value::Null) => Value::Null,
        Some(m @ Value::Object(_)) => m.clone(),
        Some(other) => {
            errors.insert(
                "meta".into(),
                json!([format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    type_name(other)
                )]),
            );
            Value::Null
        }
    };
    let draft = unit
        .filter(|_| errors.is_empty())
        .map(|data_unit| TaskDraft { data_unit, meta });
    (errors, draft)
}

/// `POST tasks/`: every item checked, then all created (each with its assignment), or none.
fn create_tasks(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut guard = shared.state();
    let state = &mut *guard;
    let project = form.require_int("project");
    let collection = project.and_then(|id| match state.annotation.projects.get(&id) {
        Some(p) => p["data_collection"].as_i64(),
        None => {
            form.error(
                "project",
                format!("Invalid pk \"{id}\" - object does not exist."),
            );
            None
        }
    });
    let mut drafts = Vec::new();
    match form.require("data") {
        None => {}
        Some(Value::Array(items)) if items.is_empty() => {
            form.error("data", "This list may not be empty.");
        }
        Some(Value::Array(items)) => {
            let checked: Vec<_> = items
                .iter()
                .map(|item| check_task_item(&state.data, collection, item))
                .collect();
            if checked.iter().any(|(errors, _)| !errors.is_empty()) {
                let errors: Vec<Value> = checked
                    .into_iter()
                    .map(|(errors, _)| Value::Object(errors))
                    .collect();
                form.nested("data", Value::Array(errors));
            } else {
                drafts = checked.into_iter().filter_map(|(_, d)| d).collect();
            }
        }
        Some(other) => form.error(
            "data",
            format!(
                "Expected a list of items but got type \"{}\".",
                type_name(&other)
            ),
        ),
    }
    if let Err(resp) = form.finish(&["project", "data"]) {
        return resp;
    }
    let Some(project) = project else {
        return not_found();
    };
    let annotation = &mut state.annotation;
    let mut created = Vec::new();
    for draft in drafts {
        let id = annotation.add_task(project, draft.data_unit, draft.meta);
        if let Some(task) = annotation.tasks.get(&id) {
            created.push(annotation.task_json(&state.data, task, false));
        }
    }
    json_resp(201, &Value::Array(created))
}

fn get_task(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let state = shared.state();
    let annotation = &state.annotation;
    match parse_id(id).and_then(|id| annotation.tasks.get(&id)) {
        Some(task) => {
            let value = annotation.task_json(&state.data, task, expands(ctx, "data_unit"));
            json_resp(200, &select_fields(ctx, value))
        }
        None => not_found(),
    }
}

/// `PUT tasks/{id}/annotate_task_data/`: stores `data`; `?schema=` (or else the task's own
/// schema) decides the check: `dm_schema_v1` wants an object (or null), `any` takes anything.
fn annotate_task_data(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let mut guard = shared.state();
    let state = &mut *guard;
    let Some(task) = parse_id(id).and_then(|id| state.annotation.tasks.get_mut(&id)) else {
        return not_found();
    };
    let schema = match ctx.q("schema") {
        None => None,
        Some(s) if SCHEMAS.contains(&s) => Some(s.to_owned()),
        Some(other) => {
            return field_error("schema", &format!("\"{other}\" is not a valid choice."));
        }
    };
    let mut form = match Form::new(ctx) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let action = form
        .optional_choice("action", &["save", "submit"])
        .unwrap_or_else(|| "submit".to_owned());
    let data = form.get("data").cloned().unwrap_or(Value::Null);
    let effective = schema.clone().unwrap_or_else(|| task.schema.clone());
    if effective == "dm_schema_v1" && !(data.is_object() || data.is_null()) {
        form.error(
            "data",
            format!(
                "Invalid DM schema v1 data: expected a dictionary, got {}.",
                type_name(&data)
            ),
        );
    }
    if let Err(resp) = form.finish(&["action", "data"]) {
        return resp;
    }
    let task_id = task.id;
    state.annotation.annotate(task_id, data, schema, &action);
    let annotation = &state.annotation;
    match annotation.tasks.get(&task_id) {
        Some(task) => json_resp(200, &annotation.task_json(&state.data, task, false)),
        None => not_found(),
    }
}

/// `GET sdk/tasks/…`: filters `project` and `tags` (tasks with any of them), oldest first.
/// Each item is the task (`fields`, `expand=data_unit` honoured), `{id, data}`, or
/// `{id, data_unit, files: [...]}` as `view` says.
fn list_tasks(shared: &Shared, ctx: &Ctx, view: ListView) -> Resp {
    let (project, tags) = match (int_filter(ctx, "project"), ids_filter(ctx, "tags")) {
        (Ok(p), Ok(t)) => (p, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let state = shared.state();
    let annotation = &state.annotation;
    let tasks: Vec<&Task> = annotation
        .tasks
        .values()
        .filter(|t| project.is_none_or(|p| t.project == p))
        .filter(|t| {
            tags.as_ref()
                .is_none_or(|wanted| t.tags.iter().any(|tag| wanted.contains(tag)))
        })
        .collect();
    let expand = expands(ctx, "data_unit");
    paginate(ctx, tasks, shared.config.page_size, |t| match view {
        ListView::Full => select_fields(ctx, annotation.task_json(&state.data, t, expand)),
        ListView::Data => json!({"id": t.id, "data": t.data}),
        ListView::Files => json!({
            "id": t.id, "data_unit": t.data_unit, "files": unit_files(&state.data, t.data_unit, shared.config.files_by_name),
        }),
    })
}
