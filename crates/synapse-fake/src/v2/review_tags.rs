//! `/v2/projects/{project}/review-tags/`: a project's review tags (the labels a reviewer
//! puts on an assignment), listed, created, and with the permissions and roles they derive
//! from their project. The v1 API has no review tags, so the table is the v2 API's own.

use std::collections::BTreeMap;
use std::time::SystemTime;

use http::Method;
use serde_json::{Value, json};

use super::membership::{self, Target};
use super::projects::{exists, parent};
use super::respond::{self, int_id, pair};
use crate::respond::{Ctx, Resp};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// The colour of a review tag created without one.
pub(crate) const DEFAULT_COLOR: &str = "#FFFFFF";

/// The review tags of every project: one id sequence.
#[derive(Default)]
pub(crate) struct ReviewTagState {
    tags: BTreeMap<i64, Value>,
    next_tag: i64,
}

impl ReviewTagState {
    /// Drops the review tags of a deleted project.
    pub(crate) fn remove_project(&mut self, project: i64) {
        self.tags.retain(|_, t| t["project"] != project);
    }
}

/// A project's review tags and what they derive from the project.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "projects/{project}/review-tags/", |s, c, p| {
        list(s, c, p)
    }),
    answer(
        Method::POST,
        "projects/{project}/review-tags/",
        |s, c, p| create(s, c, p),
    ),
    answer(
        Method::GET,
        "projects/{project}/review-tags/{id}/check_permission/",
        |s, _, ids| membership::check_permission(s, tag_parent(s, ids).is_some()),
    ),
    answer(
        Method::GET,
        "projects/{project}/review-tags/{id}/permissions/",
        |s, _, ids| membership::derived_permissions(s, Target::Project, tag_parent(s, ids)),
    ),
    answer(
        Method::GET,
        "projects/{project}/review-tags/{id}/roles/",
        |s, _, ids| membership::derived_roles(s, Target::Project, tag_parent(s, ids)),
    ),
];

/// A review tag as `ReviewTagV2Detail`.
fn detail(tag: &Value) -> Value {
    json!({
        "id": tag["id"], "project_id": tag["project"], "name": tag["name"],
        "background_color": tag["background_color"], "description": tag["description"],
        "created": tag["created"],
    })
}

/// The parent project (id, title) of the review tag the path names (`{project}/{id}`), if
/// it exists in that project.
fn tag_parent(shared: &Shared, ids: &str) -> Option<(i64, String)> {
    let (project, id) = pair(ids)?;
    let (project, id) = (int_id(project)?, int_id(id)?);
    let state = shared.state();
    state
        .v2
        .review_tags
        .tags
        .get(&id)
        .filter(|t| t["project"] == project)?;
    parent(&state.annotation, project)
}

/// Whether `project` already has a review tag named `name`.
fn taken(state: &State, project: i64, name: &str) -> bool {
    state
        .v2
        .review_tags
        .tags
        .values()
        .any(|t| t["project"] == project && t["name"] == name)
}

/// `GET projects/{project}/review-tags/` (`name`: a part of the name, any case).
fn list(shared: &Shared, ctx: &Ctx, project: &str) -> Resp {
    let Some(project) = exists(shared, project) else {
        return respond::not_found(shared);
    };
    let name = ctx.q("name").map(str::to_lowercase);
    let state = shared.state();
    let items: Vec<(i64, &Value)> = state
        .v2
        .review_tags
        .tags
        .iter()
        .filter(|(_, t)| t["project"] == project)
        .filter(|(_, t)| {
            name.as_deref().is_none_or(|n| {
                t["name"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains(n))
            })
        })
        .map(|(id, t)| (*id, t))
        .collect();
    respond::page(shared, ctx, items, |t| {
        json!({
            "id": t["id"], "name": t["name"], "background_color": t["background_color"],
            "created": t["created"],
        })
    })
}

/// `POST projects/{project}/review-tags/` (`name`, at most 50 characters and unique in the
/// project; `background_color`, at most 7; `description`), `?dry_run=true` validating only.
fn create(shared: &Shared, ctx: &Ctx, project: &str) -> Resp {
    let Some(project) = exists(shared, project) else {
        return respond::not_found(shared);
    };
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    respond::require_all(&mut form, &["name"]);
    let name = respond::optional_text(&mut form, "name", 50, false);
    let color = respond::optional_text(&mut form, "background_color", 7, false);
    let description = respond::optional_text(&mut form, "description", usize::MAX, true);
    let mut state = shared.state();
    if let Some(name) = &name
        && taken(&state, project, name)
    {
        form.error(
            "name",
            format!("The project already has a review tag named \"{name}\"."),
        );
    }
    if let Err(resp) = respond::finish(shared, form, &["name", "background_color", "description"]) {
        return resp;
    }
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "create", Value::Null),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let tags = &mut state.v2.review_tags;
    tags.next_tag += 1;
    let id = tags.next_tag;
    let tag = json!({
        "id": id, "project": project, "name": name.unwrap_or_default(),
        "background_color": color.unwrap_or_else(|| DEFAULT_COLOR.to_owned()),
        "description": description.unwrap_or_default(),
        "created": rfc3339(SystemTime::now()),
    });
    let answer = detail(&tag);
    tags.tags.insert(id, tag);
    respond::created(shared, answer)
}
