//! `/v2/plugin-releases/`: plugin releases (the same table as the v1 `plugin_releases/`, so a
//! release created here runs through v1's `plugins/{p}/run/`), created from an uploaded
//! archive, locked by `release/`, and deleted unless a running job uses them.

use http::Method;
use md5::Md5;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::respond::{self, Query, int_id};
use crate::object_store::hex;
use crate::respond::{Ctx, Resp};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;

/// Plugin releases.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "plugin-releases/", |s, c, _| list(s, c)),
    answer(Method::POST, "plugin-releases/", |s, c, _| create(s, c)),
    answer(Method::GET, "plugin-releases/{id}/", |s, _, id| {
        retrieve(s, id)
    }),
    answer(Method::DELETE, "plugin-releases/{id}/", |s, c, id| {
        destroy(s, c, id)
    }),
    answer(Method::POST, "plugin-releases/{id}/release/", |s, c, id| {
        release(s, c, id)
    }),
];

/// A release as `PluginReleaseV2Detail`.
fn detail(state: &State, id: i64, r: &Value) -> Value {
    let plugin = r["plugin"].as_i64().unwrap_or_default();
    let object = |v: &Value| if v.is_object() { v.clone() } else { json!({}) };
    json!({
        "id": id, "plugin_id": plugin, "plugin": super::plugins::embedded(state, plugin),
        "version": r["version"], "readme": r.get("readme").cloned().unwrap_or(json!("")),
        "config": object(&r["config"]), "run_schema": object(&r["config"]["run_schema"]),
        "installation_schema": object(&r["config"]["installation_schema"]),
        "available_actions": r["available_actions"], "created": r["created"],
        "author_id": 1,
        "author": {"id": 1, "email": "owner@synapse.test", "name": "Fake Owner"},
        "meta": object(&r["meta"]), "debug": r["debug"], "is_released": r["is_released"],
    })
}

/// `GET plugin-releases/`: filters `plugin` (id) and `debug`.
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let plugin = query.int("plugin");
    let debug = query.boolean("debug");
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, (i64, &Value))> = state
        .releases
        .iter()
        .filter(|(_, r)| plugin.is_none_or(|p| r["plugin"] == p))
        .filter(|(_, r)| debug.is_none_or(|d| r["debug"] == d))
        .map(|(id, r)| (*id, (*id, r)))
        .collect();
    respond::page(shared, ctx, items, |(id, r)| {
        json!({
            "id": id, "plugin_id": r["plugin"], "version": r["version"], "created": r["created"],
            "debug": r["debug"], "is_released": r["is_released"],
        })
    })
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match int_id(id).and_then(|id| state.releases.get(&id).map(|r| (id, r))) {
        Some((id, r)) => respond::ok(shared, 200, detail(&state, id, r)),
        None => respond::not_found(shared),
    }
}

/// `POST plugin-releases/`: multipart form data only (`plugin` id, `version`, `sha256` of the
/// archive, the archive as `file`; any other body is a 415). The SHA-256 must be the
/// archive's; a version the plugin already has is a 409.
fn create(shared: &Shared, ctx: &Ctx) -> Resp {
    let content_type = ctx.header("content-type").unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        let media = content_type.split(';').next().unwrap_or_default();
        return respond::error(
            shared,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!("Unsupported media type \"{media}\" in request."),
            None,
        );
    }
    let (body, files) = match respond::body_with_files(shared, ctx) {
        Ok(pair) => pair,
        Err(resp) => return resp,
    };
    let mut form = match respond::into_form(shared, body) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    respond::require_all(&mut form, &["plugin", "version", "sha256"]);
    let state = shared.state();
    let plugin = form.optional_int("plugin", 1);
    let plugin_code = plugin.and_then(|id| match state.plugins.get(&id) {
        Some(p) => p["code"].as_str().map(str::to_owned),
        None => {
            form.error(
                "plugin",
                format!("Invalid pk \"{id}\" - object does not exist."),
            );
            None
        }
    });
    let version = form.optional_str("version");
    let sha256 = form.optional_str("sha256").map(|s| s.to_ascii_lowercase());
    let archive = files.iter().find(|f| f.name == "file");
    match (archive, &sha256) {
        (None, _) => form.error("file", "No file was submitted."),
        (Some(file), Some(given)) => {
            let actual = hex(&Sha256::digest(&file.data));
            if *given != actual {
                form.error(
                    "sha256",
                    format!("The archive's SHA-256 is {actual}, not {given}."),
                );
            }
        }
        (Some(_), None) => {}
    }
    if let Err(resp) = respond::finish(shared, form, &["plugin", "version", "sha256"]) {
        return resp;
    }
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let (Some(code), Some(version), Some(file)) = (plugin_code, version, archive) else {
        return respond::not_found(shared);
    };
    if state
        .release_by_lookup(&format!("{code}@{version}"))
        .is_some()
    {
        return respond::conflict(
            shared,
            "version",
            &format!("The plugin already has a release {version}."),
        );
    }
    if dry_run {
        return respond::dry_run_answer(shared, "create", Value::Null);
    }
    drop(state);
    let mut state = shared.state();
    let mut fields = Map::new();
    fields.insert("plugin".to_owned(), json!(code));
    fields.insert("version".to_owned(), json!(version));
    fields.insert(
        "config".to_owned(),
        json!({"code": code, "version": version, "actions": {}}),
    );
    let facts = json!({
        "filename": file.filename, "size": file.data.len(),
        "md5": hex(&Md5::digest(&file.data)), "sha256": sha256,
    });
    let release = crate::uploads::insert_release(&mut state, fields, Some(facts));
    let id = release["id"].as_i64().unwrap_or_default();
    if let Some(r) = state.releases.get_mut(&id) {
        r["is_released"] = json!(false);
    }
    match state.releases.get(&id) {
        Some(r) => respond::created(shared, detail(&state, id, r)),
        None => respond::not_found(shared),
    }
}

/// `DELETE plugin-releases/{id}/`: 409 while a job runs on the release (it is in use), else
/// the release goes.
fn destroy(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(id) = int_id(id).filter(|id| state.releases.contains_key(id)) else {
        return respond::not_found(shared);
    };
    let running = state
        .jobs
        .iter()
        .filter(|j| j.plugin_release == Some(id) && !j.is_terminal())
        .count();
    if running > 0 {
        return respond::conflict(
            shared,
            "id",
            &format!("The release is in use: {running} job(s) running on it."),
        );
    }
    if dry_run {
        return respond::dry_run_answer(shared, "destroy", json!(id));
    }
    state.releases.remove(&id);
    respond::empty(shared, 204)
}

/// `POST plugin-releases/{id}/release/`: locks the release (`is_released`); again is the
/// same answer.
fn release(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(id) = int_id(id).filter(|id| state.releases.contains_key(id)) else {
        return respond::not_found(shared);
    };
    if dry_run {
        return respond::dry_run_answer(shared, "release", json!(id));
    }
    if let Some(r) = state.releases.get_mut(&id) {
        r["is_released"] = json!(true);
    }
    match state.releases.get(&id) {
        Some(r) => respond::ok(shared, 200, detail(&state, id, r)),
        None => respond::not_found(shared),
    }
}
