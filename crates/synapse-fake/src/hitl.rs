//! HITL: assignments, one per task, created with the task (see the annotation domain) and
//! moved along by its annotation (`in_progress` after a save, `completed` after a submit).
//!
//! - `GET assignments/{id}/`;
//! - `GET sdk/assignments/` (the assignment), `GET sdk/assignments/data/` (`{id, data}`),
//!   `GET sdk/assignments/files/` (`{id, task, files: [{name, url, …}]}`, the files of the
//!   task's data unit; keyed by name with
//!   [`FakeConfig::files_by_name`](crate::FakeConfig::files_by_name)), filtered by `project`, `tasks` and `tags` (any of the comma-separated
//!   ids) and `status_label`;
//! - `POST assignments/set_tags/` `{"ids", "tags", "action": "add"|"remove"}` (`?project=`);
//!   the tags are the task tags of the assignment's project.

use http::Method;
use serde_json::{Value, json};

use crate::annotation::{Assignment, ids_filter, int_filter, parse_id, set_tags, unit_files};
use crate::respond::{Ctx, ListView, Resp, json_resp, not_found, paginate};
use crate::routes::{Route, answer};
use crate::server::Shared;

/// Assignments.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::POST, "assignments/set_tags/", |s, c, _| {
        set_tags::<Assignment>(s, c)
    }),
    answer(Method::GET, "assignments/{id}/", |s, _, id| {
        get_assignment(s, id)
    }),
    answer(Method::GET, "sdk/assignments/", |s, c, _| {
        list_assignments(s, c, ListView::Full)
    }),
    answer(Method::GET, "sdk/assignments/data/", |s, c, _| {
        list_assignments(s, c, ListView::Data)
    }),
    answer(Method::GET, "sdk/assignments/files/", |s, c, _| {
        list_assignments(s, c, ListView::Files)
    }),
];

const LABEL_STATUSES: [&str; 4] = ["stand_by", "in_progress", "completed", "skipped"];

/// An assignment as the API shows it: the fake's one labeller (user 1), no reviewer yet.
fn assignment_json(a: &Assignment) -> Value {
    json!({
        "id": a.id, "project": a.project, "task": a.task, "user": 1, "reviewer": null,
        "status_label": a.status_label, "status_review": "stand_by",
        "is_confirmed": a.status_label == "completed", "is_discarded": false,
        "data": a.data, "tags": a.tags, "created": a.created,
    })
}

fn get_assignment(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match parse_id(id).and_then(|id| state.annotation.assignments.get(&id)) {
        Some(a) => json_resp(200, &assignment_json(a)),
        None => not_found(),
    }
}

/// `GET sdk/assignments/…`: filters `project`, `tasks`, `tags`, `status_label`. Each item is
/// the assignment, `{id, data}`, or `{id, task, files: [...]}` as `view` says.
fn list_assignments(shared: &Shared, ctx: &Ctx, view: ListView) -> Resp {
    let filters = (
        int_filter(ctx, "project"),
        ids_filter(ctx, "tasks"),
        ids_filter(ctx, "tags"),
    );
    let (project, tasks, tags) = match filters {
        (Ok(p), Ok(t), Ok(g)) => (p, t, g),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
    };
    let status = ctx.q("status_label");
    if let Some(s) = status
        && !LABEL_STATUSES.contains(&s)
    {
        return json_resp(
            400,
            &json!({"status_label": [format!(
                "Select a valid choice. {s} is not one of the available choices."
            )]}),
        );
    }
    let state = shared.state();
    let annotation = &state.annotation;
    let items: Vec<&Assignment> = annotation
        .assignments
        .values()
        .filter(|a| project.is_none_or(|p| a.project == p))
        .filter(|a| tasks.as_ref().is_none_or(|t| t.contains(&a.task)))
        .filter(|a| {
            tags.as_ref()
                .is_none_or(|wanted| a.tags.iter().any(|t| wanted.contains(t)))
        })
        .filter(|a| status.is_none_or(|s| a.status_label == s))
        .collect();
    paginate(ctx, items, shared.config.page_size, |a| match view {
        ListView::Full => assignment_json(a),
        ListView::Data => json!({"id": a.id, "data": a.data}),
        ListView::Files => {
            let unit = annotation.tasks.get(&a.task).map(|t| t.data_unit);
            let by_name = shared.config.files_by_name;
            let files = unit.map_or(json!([]), |u| unit_files(&state.data, u, by_name));
            json!({"id": a.id, "task": a.task, "files": files})
        }
    })
}
