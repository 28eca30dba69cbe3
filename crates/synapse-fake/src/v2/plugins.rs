//! `/v2/plugins/`: plugins (the same table as the v1 `plugins/`, so a plugin created here
//! can be run through v1's `plugins/{p}/run/`). A create bootstraps the plugin's first
//! release in the same step.

use http::Method;
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use super::respond::{self, Query, int_id};
use crate::multipart::FormPart;
use crate::object_store::hex;
use crate::respond::{Ctx, Form, Resp};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;

/// Plugins.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "plugins/", |s, c, _| list(s, c)),
    answer(Method::POST, "plugins/", |s, c, _| create(s, c)),
    answer(Method::GET, "plugins/{id}/", |s, _, id| retrieve(s, id)),
    answer(Method::PATCH, "plugins/{id}/", |s, c, id| update(s, c, id)),
];

/// The plugin categories v2 knows.
pub(crate) const CATEGORIES: [&str; 8] = [
    "neural_net",
    "export",
    "upload",
    "smart_tool",
    "pre_annotation",
    "post_annotation",
    "data_validation",
    "converter",
];

const DATA_TYPES: [&str; 5] = ["image", "text", "video", "pcd", "audio"];

/// A plugin as `PluginV2Detail`.
fn detail(id: i64, p: &Value) -> Value {
    json!({
        "id": id, "tenant_id": p["tenant_id"], "code": p["code"], "name": p["name"],
        "category": p["category"], "description": p["description"], "is_active": p["is_active"],
        "system_only": p["system_only"], "is_public": p["is_public"], "created": p["created"],
    })
}

/// A plugin as `PluginV2Embedded`.
pub(crate) fn embedded(state: &State, id: i64) -> Value {
    match state.plugins.get(&id) {
        Some(p) => {
            json!({"id": id, "code": p["code"], "name": p["name"], "category": p["category"]})
        }
        None => Value::Null,
    }
}

/// `GET plugins/`: filters `category` and `is_active`.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let category = query.choice("category", &CATEGORIES);
    let active = query.boolean("is_active");
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, (i64, &Value))> = state
        .plugins
        .iter()
        .filter(|(_, p)| category.is_none_or(|c| p["category"] == c))
        .filter(|(_, p)| active.is_none_or(|a| p["is_active"] == a))
        .map(|(id, p)| (*id, (*id, p)))
        .collect();
    respond::page(shared, ctx, items, |(id, p)| {
        json!({
            "id": id, "code": p["code"], "name": p["name"], "category": p["category"],
            "is_active": p["is_active"], "created": p["created"],
        })
    })
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match int_id(id).and_then(|id| state.plugins.get(&id).map(|p| (id, p))) {
        Some((id, p)) => respond::ok(shared, 200, detail(id, p)),
        None => respond::not_found(shared),
    }
}

/// The fields a create body declares (`file` is a part of a multipart body).
const FIELDS: [&str; 15] = [
    "code",
    "name",
    "category",
    "description",
    "source",
    "version",
    "data_type",
    "tasks",
    "annotation_category",
    "annotation_type",
    "smart_tool_type",
    "supported_data_types",
    "readme",
    "debug",
    "meta",
];

/// An optional list of strings, each one of `choices` when given.
fn string_list(form: &mut Form, field: &str, choices: Option<&[&str]>) {
    let Some(value) = form.get(field).cloned() else {
        return;
    };
    let Some(items) = value.as_array() else {
        form.error(field, "Expected a list of items.");
        return;
    };
    for item in items {
        match (item.as_str(), choices) {
            (None, _) => form.error(field, "Not a valid string."),
            (Some(s), Some(choices)) if !choices.contains(&s) => {
                form.error(field, format!("\"{s}\" is not a valid choice."));
            }
            _ => {}
        }
    }
}

/// `POST plugins/` (JSON, URL-encoded or multipart with the archive as `file`; form values
/// are text): the plugin, with its first release bootstrapped (`version`, default `0.0.0`;
/// from the archive when `source` is `file`). A code in use is a 409.
fn create(shared: &Shared, ctx: &Ctx) -> Resp {
    let (mut body, files) = match respond::body_with_files(shared, ctx) {
        Ok(pair) => pair,
        Err(resp) => return resp,
    };
    respond::coerce(
        &mut body,
        &["debug"],
        &["tasks", "supported_data_types", "meta"],
    );
    let mut form = match respond::into_form(shared, body) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    respond::require_all(&mut form, &["code", "name", "category"]);
    let code = form.optional_str("code");
    if code.as_deref().is_some_and(|c| {
        !c.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        form.error(
            "code",
            "Enter a valid code: letters, digits, hyphens and underscores.",
        );
    }
    form.optional_str("name");
    form.optional_choice("category", &CATEGORIES);
    respond::optional_text(&mut form, "description", usize::MAX, true);
    respond::optional_text(&mut form, "readme", usize::MAX, true);
    let source = form
        .optional_choice("source", &["scaffold", "file"])
        .unwrap_or_else(|| "scaffold".to_owned());
    form.optional_str("version");
    form.optional_choice("data_type", &DATA_TYPES);
    form.optional_choice(
        "annotation_category",
        &["image", "video", "audio", "text", "pcd", "prompt"],
    );
    form.optional_choice(
        "annotation_type",
        &["bbox", "polygon", "point", "line", "mask", "label"],
    );
    form.optional_choice(
        "smart_tool_type",
        &["interactive", "automatic", "semi_automatic"],
    );
    string_list(&mut form, "tasks", None);
    string_list(&mut form, "supported_data_types", Some(&DATA_TYPES));
    respond::optional_bool(&mut form, "debug");
    respond::optional_object(&mut form, "meta");
    let archive: Option<&FormPart> = files.iter().find(|f| f.name == "file");
    if source == "file" && archive.is_none() {
        form.error(
            "file",
            "An archive is required when the source is \"file\".",
        );
    }
    let fields = match respond::finish(shared, form, &FIELDS) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let code = code.unwrap_or_default();
    if state.plugins.values().any(|p| p["code"] == code) {
        return respond::conflict(
            shared,
            "code",
            &format!("A plugin with the code \"{code}\" already exists."),
        );
    }
    if dry_run {
        return respond::dry_run_answer(shared, "create", Value::Null);
    }
    let version = fields
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("0.0.0")
        .to_owned();
    let mut stored = fields;
    stored.remove("source");
    let plugin = crate::backend::insert_plugin(&mut state, stored);
    let id = plugin["id"].as_i64().unwrap_or_default();
    let facts = archive.map(|a| {
        json!({"filename": a.filename, "size": a.data.len(), "md5": hex(&Md5::digest(&a.data))})
    });
    let mut release = Map::new();
    release.insert("plugin".to_owned(), json!(code));
    release.insert("version".to_owned(), json!(version));
    release.insert(
        "config".to_owned(),
        json!({"name": plugin["name"], "code": code, "version": version,
               "category": plugin["category"], "actions": {}}),
    );
    let release = crate::uploads::insert_release(&mut state, release, facts);
    let release_id = release["id"].as_i64().unwrap_or_default();
    if let Some(r) = state.releases.get_mut(&release_id) {
        r["is_released"] = json!(false);
    }
    let mut answer = detail(id, &plugin);
    answer["release"] = json!({"id": release_id, "version": version, "is_released": false});
    respond::created(shared, answer)
}

/// `PATCH plugins/{id}/` (`name`, `description`).
fn update(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let Some(id) = int_id(id).filter(|id| shared.state().plugins.contains_key(id)) else {
        return respond::not_found(shared);
    };
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    form.optional_str("name");
    respond::optional_text(&mut form, "description", usize::MAX, true);
    let fields = match respond::finish(shared, form, &["name", "description"]) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "partial_update", json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut state = shared.state();
    let Some(plugin) = state.plugins.get_mut(&id) else {
        return respond::not_found(shared);
    };
    for (key, value) in fields {
        plugin[key.as_str()] = value;
    }
    respond::ok(shared, 200, detail(id, plugin))
}
