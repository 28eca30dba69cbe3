//! `/v2/tasks/`: tasks (the same table as the v1 task routes; each new task gets its
//! assignment, as there), their bulk RPCs, annotation and permission trio.

use std::time::Duration;

use http::Method;
use serde_json::{Value, json};

use super::membership::{self, Target};
use super::respond::{self, Query, int_id};
use crate::annotation::{AnnotationState, Task, unit_files};
use crate::object_store::{Object, presigned_url};
use crate::respond::{Ctx, Form, Resp, type_name};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;

/// Tasks (literal paths before `{id}` ones).
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "tasks/", |s, c, _| list(s, c)),
    answer(Method::POST, "tasks/", |s, c, _| create(s, c)),
    answer(Method::POST, "tasks/bulk-fetch/", |s, c, _| {
        bulk_fetch(s, c)
    }),
    answer(Method::POST, "tasks/bulk-create/", |s, c, _| {
        bulk_create(s, c)
    }),
    answer(Method::GET, "tasks/{id}/", |s, _, id| retrieve(s, id)),
    answer(Method::PUT, "tasks/{id}/", |s, c, id| {
        update(s, c, id, false)
    }),
    answer(Method::PATCH, "tasks/{id}/", |s, c, id| {
        update(s, c, id, true)
    }),
    answer(Method::DELETE, "tasks/{id}/", |s, c, id| destroy(s, c, id)),
    answer(Method::PUT, "tasks/{id}/annotate-task-data/", |s, c, id| {
        annotate(s, c, id)
    }),
    answer(Method::GET, "tasks/{id}/check_permission/", |s, _, id| {
        membership::check_permission(s, parent(s, id).is_some())
    }),
    answer(Method::GET, "tasks/{id}/permissions/", |s, _, id| {
        membership::derived_permissions(s, Target::Project, parent(s, id))
    }),
    answer(Method::GET, "tasks/{id}/roles/", |s, _, id| {
        membership::derived_roles(s, Target::Project, parent(s, id))
    }),
];

const SCHEMAS: [&str; 2] = ["dm_schema_v1", "any"];

/// The most ids one bulk fetch takes.
const FETCH_LIMIT: usize = 200;

/// The most data units one bulk create takes.
const CREATE_LIMIT: usize = 1000;

/// How long a presigned task-data URL of a bulk fetch stays valid.
const DATA_URL_LIFETIME: Duration = Duration::from_secs(3600);

/// The project (id, title) of the task the path names.
fn parent(shared: &Shared, id: &str) -> Option<(i64, String)> {
    let state = shared.state();
    let task = int_id(id).and_then(|id| state.annotation.tasks.get(&id))?;
    super::projects::parent(&state.annotation, task.project)
}

/// A task as `TaskV2Detail`.
fn detail(task: &Task) -> Value {
    json!({
        "id": task.id, "project_id": task.project, "data_unit_id": task.data_unit,
        "workshop_id": null, "meta": task.meta, "data": task.data, "schema": task.schema,
        "is_discarded": false, "has_data": !task.data.is_null(), "created": task.created,
    })
}

/// A task as `TaskV2List`.
fn summary(task: &Task) -> Value {
    json!({
        "id": task.id, "project_id": task.project, "data_unit_id": task.data_unit,
        "is_discarded": false, "has_data": !task.data.is_null(), "created": task.created,
    })
}

/// `GET tasks/`: filters `project`, `has_data`, `is_discarded` and `schema`.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let project = query.int("project");
    let has_data = query.boolean("has_data");
    let discarded = query.boolean("is_discarded");
    let schema = query.choice("schema", &SCHEMAS);
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, &Task)> = state
        .annotation
        .tasks
        .values()
        .filter(|t| project.is_none_or(|p| t.project == p))
        .filter(|t| has_data.is_none_or(|h| h != t.data.is_null()))
        .filter(|_| discarded != Some(true))
        .filter(|t| schema.is_none_or(|s| t.schema == s))
        .map(|t| (t.id, t))
        .collect();
    respond::page(shared, ctx, items, summary)
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match int_id(id).and_then(|id| state.annotation.tasks.get(&id)) {
        Some(task) => respond::ok(shared, 200, detail(task)),
        None => respond::not_found(shared),
    }
}

/// A checked task body.
struct Fields {
    project: Option<i64>,
    data_unit: Option<i64>,
    meta: Option<Value>,
}

/// Checks a task body (`TaskV2CreateRequest`; with `partial`, nothing required): the
/// project and data unit must exist and the unit be in the project's data collection (the
/// task's current ones stand in for those a partial body leaves out); `workshop` must be
/// null, as the fake has no workshops.
fn check(
    shared: &Shared,
    state: &State,
    mut form: Form,
    current: Option<&Task>,
) -> Result<Fields, Resp> {
    if current.is_none() {
        respond::require_all(&mut form, &["project", "data_unit"]);
    }
    let pk = |form: &mut Form, field: &str, found: &dyn Fn(i64) -> bool| {
        let value = form.get(field)?.clone();
        match value.as_i64() {
            Some(id) if found(id) => Some(id),
            Some(id) => {
                form.error(
                    field,
                    format!("Invalid pk \"{id}\" - object does not exist."),
                );
                None
            }
            None => {
                form.error(
                    field,
                    format!(
                        "Incorrect type. Expected pk value, received {}.",
                        type_name(&value)
                    ),
                );
                None
            }
        }
    };
    let project = pk(&mut form, "project", &|id| {
        state.annotation.projects.contains_key(&id)
    });
    let data_unit = pk(&mut form, "data_unit", &|id| {
        state.data.unit_collection(id).is_some()
    });
    pk(&mut form, "workshop", &|_| false);
    let meta = respond::optional_object(&mut form, "meta");
    let project_id = project.or(current.map(|t| t.project));
    let unit_id = data_unit.or(current.map(|t| t.data_unit));
    if let (Some(p), Some(u)) = (project_id, unit_id)
        && (project.is_some() || data_unit.is_some())
    {
        let collection = state
            .annotation
            .projects
            .get(&p)
            .and_then(|p| p["data_collection"].as_i64());
        if state.data.unit_collection(u) != collection {
            form.error(
                "data_unit",
                format!("Data unit {u} is not in the data collection of project {p}."),
            );
        }
    }
    respond::finish(shared, form, &["project", "data_unit", "workshop", "meta"])?;
    Ok(Fields {
        project,
        data_unit,
        meta,
    })
}

/// `POST tasks/`: one task (with its assignment).
fn create(shared: &Shared, ctx: &Ctx) -> Resp {
    let form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let fields = match check(shared, &state, form, None) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    if dry_run {
        return respond::dry_run_answer(shared, "create", Value::Null);
    }
    let (Some(project), Some(unit)) = (fields.project, fields.data_unit) else {
        return respond::not_found(shared);
    };
    let annotation = &mut state.annotation;
    let id = annotation.add_task(project, unit, fields.meta.unwrap_or(Value::Null));
    match annotation.tasks.get(&id) {
        Some(task) => respond::created(shared, detail(task)),
        None => respond::not_found(shared),
    }
}

/// `PUT tasks/{id}/` (project and data unit required) or `PATCH` (`partial`).
fn update(shared: &Shared, ctx: &Ctx, id: &str, partial: bool) -> Resp {
    let form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut guard = shared.state();
    let state = &mut *guard;
    let Some(task) = int_id(id).and_then(|id| state.annotation.tasks.get(&id)) else {
        return respond::not_found(shared);
    };
    let task_id = task.id;
    let fields = match check(shared, state, form, partial.then_some(task)) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    let action = if partial { "partial_update" } else { "update" };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, action, json!(task_id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let annotation = &mut state.annotation;
    let Some(task) = annotation.tasks.get_mut(&task_id) else {
        return respond::not_found(shared);
    };
    if let Some(project) = fields.project {
        task.project = project;
    }
    if let Some(unit) = fields.data_unit {
        task.data_unit = unit;
    }
    if let Some(meta) = fields.meta {
        task.meta = meta;
    }
    let project = task.project;
    let answer = detail(task);
    for assignment in annotation
        .assignments
        .values_mut()
        .filter(|a| a.task == task_id)
    {
        assignment.project = project;
    }
    respond::ok(shared, 200, answer)
}

/// `DELETE tasks/{id}/`: the task goes, with its assignments.
fn destroy(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let Some(id) = int_id(id).filter(|id| shared.state().annotation.tasks.contains_key(id)) else {
        return respond::not_found(shared);
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "destroy", json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut state = shared.state();
    state.annotation.tasks.remove(&id);
    state.annotation.assignments.retain(|_, a| a.task != id);
    respond::empty(shared, 204)
}

/// A required list of integer ids of at most `limit` items (at least one), every bad item
/// named.
fn id_list(form: &mut Form, field: &str, limit: usize) -> Option<Vec<i64>> {
    let value = form.require(field)?;
    let Some(items) = value.as_array() else {
        form.error(
            field,
            format!(
                "Expected a list of items but got type \"{}\".",
                type_name(&value)
            ),
        );
        return None;
    };
    if items.is_empty() {
        form.error(field, "This list may not be empty.");
        return None;
    }
    if items.len() > limit {
        form.error(
            field,
            format!("Ensure this field has no more than {limit} elements."),
        );
        return None;
    }
    let ids: Option<Vec<i64>> = items.iter().map(Value::as_i64).collect();
    if ids.is_none() {
        form.error(field, "A valid integer is required.");
    }
    ids
}

/// `POST tasks/bulk-fetch/` `{"ids": [...]}` (at most 200; `?response_mode=inline|presigned`,
/// the query winning over the body): the tasks that exist, in the order asked, each with its
/// annotation `data` (inline, or a presigned URL that reads it back from storage) and its
/// data unit's files by specification name.
fn bulk_fetch(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let ids = id_list(&mut form, "ids", FETCH_LIMIT);
    let mut query = Query::new(ctx);
    let from_query = query.choice("response_mode", &["inline", "presigned"]);
    let from_body = form.optional_choice("response_mode", &["inline", "presigned"]);
    let query_ok = query.finish(shared);
    if let Err(resp) = respond::finish(shared, form, &["ids", "response_mode"]) {
        return resp;
    }
    if let Err(resp) = query_ok {
        return resp;
    }
    let presigned = from_query.map(str::to_owned).or(from_body).as_deref() == Some("presigned");
    let mut guard = shared.state();
    let state = &mut *guard;
    let mut items = Vec::new();
    for id in ids.unwrap_or_default() {
        let Some(task) = state.annotation.tasks.get(&id) else {
            continue;
        };
        let data = if presigned {
            let key = format!("tasks/{id}/data.json");
            state.objects.put(
                &key,
                Object::new(task.data.to_string(), Some("application/json")),
            );
            json!(presigned_url(
                ctx,
                &Method::GET,
                &key,
                DATA_URL_LIFETIME,
                &[]
            ))
        } else {
            task.data.clone()
        };
        items.push(json!({
            "id": task.id, "project_id": task.project, "data_unit_id": task.data_unit,
            "data": data, "files_manifest": unit_files(&state.data, task.data_unit, true),
        }));
    }
    respond::ok(shared, 200, Value::Array(items))
}

/// `POST tasks/bulk-create/` `{"project", "data_unit_ids": [...]}` (at most 1000): a task
/// for each unit that has none in the project yet (`created_count`; the others
/// `skipped_count`). Every unit must exist and be in the project's data collection, or the
/// whole batch is a 400.
fn bulk_create(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let project = form.require_int("project");
    let collection = project.and_then(|id| match state.annotation.projects.get(&id) {
        Some(p) => Some(p["data_collection"].as_i64()),
        None => {
            form.error(
                "project",
                format!("Invalid pk \"{id}\" - object does not exist."),
            );
            None
        }
    });
    let units = id_list(&mut form, "data_unit_ids", CREATE_LIMIT).unwrap_or_default();
    let outside: Vec<String> = units
        .iter()
        .filter(|u| match state.data.unit_collection(**u) {
            None => true,
            Some(c) => collection.is_some_and(|want| want != Some(c)),
        })
        .map(i64::to_string)
        .collect();
    if !outside.is_empty() {
        form.error(
            "data_unit_ids",
            format!(
                "Unknown data units, or not in the project's data collection: {}.",
                outside.join(", ")
            ),
        );
    }
    if let Err(resp) = respond::finish(shared, form, &["project", "data_unit_ids"]) {
        return resp;
    }
    let Some(project) = project else {
        return respond::not_found(shared);
    };
    let asked = units.len();
    let annotation: &mut AnnotationState = &mut state.annotation;
    let mut wanted: Vec<i64> = Vec::new();
    for unit in units {
        let exists = annotation
            .tasks
            .values()
            .any(|t| t.project == project && t.data_unit == unit);
        if !exists && !wanted.contains(&unit) {
            wanted.push(unit);
        }
    }
    let created = wanted.len();
    let skipped = asked - created;
    if dry_run {
        return respond::dry_run_answer(shared, "bulk_create", json!(project));
    }
    for unit in wanted {
        annotation.add_task(project, unit, Value::Null);
    }
    respond::created(
        shared,
        json!({"created_count": created, "skipped_count": skipped}),
    )
}

/// `PUT tasks/{id}/annotate-task-data/` `{"action": "save"|"submit", "data"}` (`?schema=`,
/// else the task's own: `dm_schema_v1` wants an object or null, `any` takes anything): the
/// task with its new data; its assignment moves to `in_progress` or `completed`.
fn annotate(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut query = Query::new(ctx);
    let schema = query.choice("schema", &SCHEMAS).map(str::to_owned);
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(task) = int_id(id).and_then(|id| state.annotation.tasks.get(&id)) else {
        return respond::not_found(shared);
    };
    let task_id = task.id;
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
    if let Err(resp) = respond::finish(shared, form, &["action", "data"]) {
        return resp;
    }
    if dry_run {
        return respond::dry_run_answer(shared, "annotate_task_data", json!(task_id));
    }
    state.annotation.annotate(task_id, data, schema, &action);
    match state.annotation.tasks.get(&task_id) {
        Some(task) => respond::ok(shared, 200, detail(task)),
        None => respond::not_found(shared),
    }
}
