//! `/v2/projects/`: projects (the same table as the v1 `projects/{id}/`, so a project seeded
//! through the control plane or created here is one project), their membership, task tags
//! and statistics.

use std::time::SystemTime;

use http::Method;
use serde_json::{Map, Value, json};

use super::membership::{self, Target};
use super::respond::{self, Query, int_id, pair};
use crate::annotation::{ACCESS_LEVELS, AnnotationState, CATEGORIES, display};
use crate::respond::{Ctx, Form, Resp};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// Projects, their task tags and statistics (literal paths before `{id}` ones).
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "projects/", |s, c, _| list(s, c)),
    answer(Method::POST, "projects/", |s, c, _| create(s, c)),
    answer(Method::GET, "projects/default_roles/", |s, _, _| {
        membership::default_roles(s)
    }),
    answer(Method::GET, "projects/my_join_requests/", |s, c, _| {
        membership::my_requests(s, c, Target::Project, None)
    }),
    answer(
        Method::GET,
        "projects/my_join_requests/{join_request_id}/",
        |s, _, id| membership::my_request(s, Target::Project, id),
    ),
    answer(Method::GET, "projects/{id}/", |s, _, id| retrieve(s, id)),
    answer(Method::PUT, "projects/{id}/", |s, c, id| {
        update(s, c, id, false)
    }),
    answer(Method::PATCH, "projects/{id}/", |s, c, id| {
        update(s, c, id, true)
    }),
    answer(Method::DELETE, "projects/{id}/", |s, c, id| {
        destroy(s, c, id)
    }),
    answer(
        Method::GET,
        "projects/{id}/check_permission/",
        |s, _, id| membership::check_permission(s, exists(s, id).is_some()),
    ),
    answer(Method::GET, "projects/{id}/permissions/", |s, _, id| {
        membership::permissions(s, Target::Project, exists(s, id).is_some())
    }),
    answer(Method::GET, "projects/{id}/roles/", |s, _, id| {
        membership::role_list(s, Target::Project, exists(s, id).is_some())
    }),
    answer(Method::GET, "projects/{id}/grantable_roles/", |s, _, id| {
        membership::grantable_roles(s, Target::Project, exists(s, id).is_some())
    }),
    answer(Method::POST, "projects/{id}/invite/", |s, c, id| {
        membership::invite(s, c, exists(s, id).is_some())
    }),
    answer(Method::GET, "projects/{id}/join_requests/", |s, c, id| {
        membership::pending_requests(s, c, Target::Project, exists(s, id))
    }),
    answer(Method::POST, "projects/{id}/join_requests/", |s, c, id| {
        membership::request_join(s, c, Target::Project, exists(s, id))
    }),
    answer(Method::PATCH, "projects/{id}/join_requests/", |s, c, id| {
        membership::confirm_request(s, c, Target::Project, exists(s, id))
    }),
    answer(
        Method::GET,
        "projects/{id}/my_join_requests/",
        |s, c, id| match exists(s, id) {
            Some(id) => membership::my_requests(s, c, Target::Project, Some(id)),
            None => respond::not_found(s),
        },
    ),
    answer(Method::GET, "projects/{project}/tags/", |s, c, p| {
        list_tags(s, c, p)
    }),
    answer(Method::POST, "projects/{project}/tags/", |s, c, p| {
        create_tag(s, c, p)
    }),
    answer(Method::GET, "projects/{project}/tags/{id}/", |s, _, ids| {
        retrieve_tag(s, ids)
    }),
    answer(
        Method::PATCH,
        "projects/{project}/tags/{id}/",
        |s, c, ids| update_tag(s, c, ids),
    ),
    answer(
        Method::DELETE,
        "projects/{project}/tags/{id}/",
        |s, c, ids| destroy_tag(s, c, ids),
    ),
    answer(
        Method::GET,
        "projects/{project}/tags/{id}/check_permission/",
        |s, _, ids| membership::check_permission(s, tag_parent(s, ids).is_some()),
    ),
    answer(
        Method::GET,
        "projects/{project}/tags/{id}/permissions/",
        |s, _, ids| membership::derived_permissions(s, Target::Project, tag_parent(s, ids)),
    ),
    answer(
        Method::GET,
        "projects/{project}/tags/{id}/roles/",
        |s, _, ids| membership::derived_roles(s, Target::Project, tag_parent(s, ids)),
    ),
    answer(
        Method::GET,
        "projects/{project}/statistics/{kind}/",
        |s, c, ids| statistics(s, c, ids),
    ),
];

/// The id of the project the path names, if it exists.
pub(crate) fn exists(shared: &Shared, id: &str) -> Option<i64> {
    int_id(id).filter(|id| shared.state().annotation.projects.contains_key(id))
}

/// The project's id and title, for what derives from it.
pub(crate) fn parent(annotation: &AnnotationState, id: i64) -> Option<(i64, String)> {
    let project = annotation.projects.get(&id)?;
    Some((id, project["title"].as_str().unwrap_or_default().to_owned()))
}

/// How many tasks a project has.
fn task_count(annotation: &AnnotationState, id: i64) -> usize {
    annotation
        .tasks
        .values()
        .filter(|t| t.project == id)
        .count()
}

/// A project as `ProjectV2Detail`.
fn detail(annotation: &AnnotationState, id: i64) -> Option<Value> {
    let p = annotation.projects.get(&id)?;
    Some(json!({
        "id": id, "tenant_id": p["tenant_id"], "data_collection_id": p["data_collection"],
        "title": p["title"], "description": p["description"], "category": p["category"],
        "category_display": p["category_display"], "configuration": p["configuration"],
        "settings": p["settings"], "caution": p["caution"], "access_level": p["access_level"],
        "count_max_assignments_per_task": p["count_max_assignments_per_task"],
        "can_discard": p["can_discard"], "enable_workforce": p["enable_workforce"],
        "is_archived": p["is_archived"], "created": p["created"],
        "task_count": task_count(annotation, id),
    }))
}

/// A project as `ProjectV2List`.
fn summary(annotation: &AnnotationState, id: i64, p: &Value) -> Value {
    json!({
        "id": id, "title": p["title"], "category": p["category"],
        "category_display": p["category_display"], "created": p["created"],
        "is_archived": p["is_archived"], "task_count": task_count(annotation, id),
    })
}

/// `GET projects/`: filters `category` and `data_collection`.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let category = query.choice("category", &CATEGORIES);
    let collection = query.int("data_collection");
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let annotation = &state.annotation;
    let items: Vec<(i64, &Value)> = annotation
        .projects
        .iter()
        .filter(|(_, p)| category.is_none_or(|c| p["category"] == c))
        .filter(|(_, p)| collection.is_none_or(|c| p["data_collection"] == c))
        .map(|(id, p)| (*id, p))
        .collect();
    respond::page(shared, ctx, items, |p| {
        summary(annotation, p["id"].as_i64().unwrap_or_default(), p)
    })
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match int_id(id).and_then(|id| detail(&state.annotation, id)) {
        Some(project) => respond::ok(shared, 200, project),
        None => respond::not_found(shared),
    }
}

/// The writable fields of a project.
const FIELDS: [&str; 10] = [
    "title",
    "description",
    "category",
    "data_collection",
    "configuration",
    "caution",
    "access_level",
    "count_max_assignments_per_task",
    "can_discard",
    "enable_workforce",
];

/// Checks a project body (`ProjectV2CreateRequest`; with `partial`, its patched form where
/// nothing is required): its declared fields, or a 400 naming every bad field.
fn check(
    shared: &Shared,
    state: &State,
    mut form: Form,
    partial: bool,
) -> Result<Map<String, Value>, Resp> {
    if !partial {
        respond::require_all(&mut form, &["title", "category", "configuration"]);
    }
    respond::optional_text(&mut form, "title", 200, false);
    respond::optional_text(&mut form, "description", usize::MAX, true);
    form.optional_choice("category", &CATEGORIES);
    if let Some(value) = form.get("data_collection").cloned() {
        match value.as_i64() {
            Some(id) if state.data.collection(id).is_some() => {}
            Some(id) => form.error(
                "data_collection",
                format!("Invalid pk \"{id}\" - object does not exist."),
            ),
            None => form.error(
                "data_collection",
                "Incorrect type. Expected pk value, received another type.",
            ),
        }
    }
    respond::optional_object(&mut form, "configuration");
    if form.get("caution").and_then(Value::as_str) != Some("") {
        form.optional_choice("caution", &["sensitive_content"]);
    }
    form.optional_choice("access_level", &ACCESS_LEVELS);
    if let Some(n) = form.optional_int("count_max_assignments_per_task", 0)
        && n > i64::from(i32::MAX)
    {
        form.error(
            "count_max_assignments_per_task",
            format!("Ensure this value is less than or equal to {}.", i32::MAX),
        );
    }
    respond::optional_bool(&mut form, "can_discard");
    respond::optional_bool(&mut form, "enable_workforce");
    respond::finish(shared, form, &FIELDS)
}

/// Writes checked fields into a stored project.
fn apply(project: &mut Value, fields: Map<String, Value>) {
    for (key, value) in fields {
        if key == "category" {
            project["category_display"] = json!(display(value.as_str().unwrap_or_default()));
        }
        project[key.as_str()] = value;
    }
}

/// `POST projects/` (`?dry_run=true` validates only).
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
    let fields = match check(shared, &state, form, false) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    if dry_run {
        return respond::dry_run_answer(shared, "create", Value::Null);
    }
    let annotation = &mut state.annotation;
    let id = annotation.insert_project(Map::new());
    if let Some(project) = annotation.projects.get_mut(&id) {
        apply(project, fields);
    }
    match detail(annotation, id) {
        Some(project) => respond::created(shared, project),
        None => respond::not_found(shared),
    }
}

/// `PUT projects/{id}/` (every required field) or `PATCH` (`partial`).
fn update(shared: &Shared, ctx: &Ctx, id: &str, partial: bool) -> Resp {
    let Some(id) = exists(shared, id) else {
        return respond::not_found(shared);
    };
    let form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let fields = match check(shared, &state, form, partial) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    let action = if partial { "partial_update" } else { "update" };
    if dry_run {
        return respond::dry_run_answer(shared, action, json!(id));
    }
    let annotation = &mut state.annotation;
    match annotation.projects.get_mut(&id) {
        Some(project) => apply(project, fields),
        None => return respond::not_found(shared),
    }
    match detail(annotation, id) {
        Some(project) => respond::ok(shared, 200, project),
        None => respond::not_found(shared),
    }
}

/// `DELETE projects/{id}/`: the project goes, with its tasks (and their assignments), task
/// tags and review tags.
fn destroy(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let Some(id) = exists(shared, id) else {
        return respond::not_found(shared);
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "destroy", json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut state = shared.state();
    let annotation = &mut state.annotation;
    annotation.projects.remove(&id);
    annotation.tasks.retain(|_, t| t.project != id);
    annotation.assignments.retain(|_, a| a.project != id);
    annotation.tags.retain(|_, t| t["project"] != id);
    state.v2.review_tags.remove_project(id);
    respond::empty(shared, 204)
}

/// A task tag as `TaskTagV2Detail`.
fn tag_detail(tag: &Value) -> Value {
    json!({
        "id": tag["id"], "project_id": tag["project"], "name": tag["name"],
        "category": tag["category"], "description": tag["description"], "meta": tag["meta"],
        "created": tag["created"],
    })
}

/// The tag the path names (`{project}/{id}`), if it exists in that project.
fn tag_id(state: &State, ids: &str) -> Option<i64> {
    let (project, id) = pair(ids)?;
    let (project, id) = (int_id(project)?, int_id(id)?);
    state
        .annotation
        .tags
        .get(&id)
        .filter(|t| t["project"] == project)
        .map(|_| id)
}

/// The parent project (id, title) of the tag the path names.
fn tag_parent(shared: &Shared, ids: &str) -> Option<(i64, String)> {
    let state = shared.state();
    let id = tag_id(&state, ids)?;
    let project = state.annotation.tags.get(&id)?["project"].as_i64()?;
    parent(&state.annotation, project)
}

/// `GET projects/{project}/tags/` (`category`).
fn list_tags(shared: &Shared, ctx: &Ctx, project: &str) -> Resp {
    let Some(project) = exists(shared, project) else {
        return respond::not_found(shared);
    };
    let mut query = Query::new(ctx);
    let category = query.choice("category", &["export", "project"]);
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, &Value)> = state
        .annotation
        .tags
        .iter()
        .filter(|(_, t)| t["project"] == project)
        .filter(|(_, t)| category.is_none_or(|c| t["category"] == c))
        .map(|(id, t)| (*id, t))
        .collect();
    respond::page(
        shared,
        ctx,
        items,
        |t| json!({"id": t["id"], "name": t["name"], "category": t["category"], "created": t["created"]}),
    )
}

/// Checks a tag body (`TaskTagV2CreateRequest`, or with `partial` the patched one, where
/// `category` cannot change).
fn check_tag(shared: &Shared, mut form: Form, partial: bool) -> Result<Map<String, Value>, Resp> {
    if !partial {
        respond::require_all(&mut form, &["name", "category"]);
        form.optional_choice("category", &["export", "project"]);
    }
    respond::optional_text(&mut form, "name", 100, false);
    respond::optional_text(&mut form, "description", usize::MAX, true);
    respond::optional_object(&mut form, "meta");
    let declared: &[&str] = if partial {
        &["name", "description", "meta"]
    } else {
        &["name", "category", "description", "meta"]
    };
    respond::finish(shared, form, declared)
}

/// `POST projects/{project}/tags/`.
fn create_tag(shared: &Shared, ctx: &Ctx, project: &str) -> Resp {
    let Some(project) = exists(shared, project) else {
        return respond::not_found(shared);
    };
    let fields = match respond::form(shared, ctx).and_then(|f| check_tag(shared, f, false)) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "create", Value::Null),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let text = |key: &str| fields.get(key).and_then(Value::as_str).unwrap_or_default();
    let mut state = shared.state();
    let id = state
        .annotation
        .insert_tag(project, text("name"), text("category"));
    let Some(tag) = state.annotation.tags.get_mut(&id) else {
        return respond::not_found(shared);
    };
    for key in ["description", "meta"] {
        if let Some(value) = fields.get(key) {
            tag[key] = value.clone();
        }
    }
    respond::created(shared, tag_detail(tag))
}

fn retrieve_tag(shared: &Shared, ids: &str) -> Resp {
    let state = shared.state();
    match tag_id(&state, ids).and_then(|id| state.annotation.tags.get(&id)) {
        Some(tag) => respond::ok(shared, 200, tag_detail(tag)),
        None => respond::not_found(shared),
    }
}

/// `PATCH projects/{project}/tags/{id}/` (`name`, `description`, `meta`).
fn update_tag(shared: &Shared, ctx: &Ctx, ids: &str) -> Resp {
    let Some(id) = tag_id(&shared.state(), ids) else {
        return respond::not_found(shared);
    };
    let fields = match respond::form(shared, ctx).and_then(|f| check_tag(shared, f, true)) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "partial_update", json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut state = shared.state();
    let Some(tag) = state.annotation.tags.get_mut(&id) else {
        return respond::not_found(shared);
    };
    for (key, value) in fields {
        tag[key.as_str()] = value;
    }
    respond::ok(shared, 200, tag_detail(tag))
}

/// `DELETE projects/{project}/tags/{id}/`: the tag goes, and with it from every task and
/// assignment that had it.
fn destroy_tag(shared: &Shared, ctx: &Ctx, ids: &str) -> Resp {
    let Some(id) = tag_id(&shared.state(), ids) else {
        return respond::not_found(shared);
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "destroy", json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut state = shared.state();
    let annotation = &mut state.annotation;
    annotation.tags.remove(&id);
    for task in annotation.tasks.values_mut() {
        task.tags.retain(|t| *t != id);
    }
    for assignment in annotation.assignments.values_mut() {
        assignment.tags.retain(|t| *t != id);
    }
    respond::empty(shared, 204)
}

/// The kinds of project statistics.
const STATISTICS: [&str; 4] = ["class", "defect", "rejection", "worker"];

/// `GET projects/{project}/statistics/{kind}/` (`datetime`): computed now from the
/// project's assignments (`worker`: the one labeller's counts by status) and configuration
/// (`class`: one row per configured class); `rejection` and `defect` have no rows, as the
/// fake never rejects or reports an assignment.
fn statistics(shared: &Shared, ctx: &Ctx, ids: &str) -> Resp {
    let Some((project, kind)) = pair(ids) else {
        return respond::not_found(shared);
    };
    let Some(project) = exists(shared, project) else {
        return respond::not_found(shared);
    };
    let mut errors = Map::new();
    if !STATISTICS.contains(&kind) {
        errors.insert(
            "kind".to_owned(),
            json!([format!("\"{kind}\" is not a valid choice.")]),
        );
    }
    if ctx
        .q("datetime")
        .is_some_and(|t| crate::jobs::parse_time(t).is_none())
    {
        errors.insert("datetime".to_owned(), json!(["Datetime has wrong format."]));
    }
    if !errors.is_empty() {
        return respond::invalid(shared, &errors);
    }
    let state = shared.state();
    let annotation = &state.annotation;
    let results = match kind {
        "worker" => {
            let count = |status: &str| {
                annotation
                    .assignments
                    .values()
                    .filter(|a| a.project == project && a.status_label == status)
                    .count()
            };
            let total = annotation
                .assignments
                .values()
                .filter(|a| a.project == project)
                .count();
            let labeler = json!({
                "user_name": "Fake Owner", "user_email": "owner@synapse.test",
                "user_thumbnail": null, "total": total, "stand_by": count("stand_by"),
                "labeling": count("in_progress"), "skipped": count("skipped"),
                "completed": count("completed"), "reviewing": 0, "rejected": 0, "confirmed": 0,
            });
            json!({"labeler": if total > 0 { vec![labeler] } else { vec![] }, "reviewer": []})
        }
        "class" => {
            let classes = annotation
                .projects
                .get(&project)
                .and_then(|p| p["configuration"]["classes"].as_array().cloned())
                .unwrap_or_default();
            json!(
                classes
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|c| json!({
                        "class_name": c, "class_code": c, "assignment_count": 0,
                        "annotation_type": "bounding_box", "annotation_type_display": null,
                        "annotation_count": 0, "annotation_average_value": 0.0,
                    }))
                    .collect::<Vec<_>>()
            )
        }
        _ => json!([]),
    };
    respond::ok(
        shared,
        200,
        json!({
            "kind": kind, "computed_at": rfc3339(SystemTime::now()), "realtime": true,
            "results": results,
        }),
    )
}
