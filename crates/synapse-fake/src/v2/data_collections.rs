//! `/v2/data-collections/`: data collections (the same table as the v1 routes, with the
//! collection every fake starts with), their membership, data groups (the groups the v1
//! data units are filed under) and the presigned upload flow (the object store behind the
//! v1 bulk upload).

use std::time::SystemTime;

use http::Method;
use serde_json::{Map, Value, json};

use super::membership::{self, Target};
use super::respond::{self, Query, int_id, pair};
use crate::annotation::ACCESS_LEVELS;
use crate::bulk_upload;
use crate::data_collections::{DataState, display};
use crate::respond::{Ctx, Form, Resp, type_name};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// Data collections, their groups and uploads (literal paths before `{id}` ones).
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "data-collections/", |s, c, _| list(s, c)),
    answer(Method::POST, "data-collections/", |s, c, _| create(s, c)),
    answer(Method::GET, "data-collections/default_roles/", |s, _, _| {
        membership::default_roles(s)
    }),
    answer(
        Method::GET,
        "data-collections/my_join_requests/",
        |s, c, _| membership::my_requests(s, c, Target::DataCollection, None),
    ),
    answer(
        Method::GET,
        "data-collections/my_join_requests/{join_request_id}/",
        |s, _, id| membership::my_request(s, Target::DataCollection, id),
    ),
    answer(Method::GET, "data-collections/{id}/", |s, _, id| {
        retrieve(s, id)
    }),
    answer(Method::PUT, "data-collections/{id}/", |s, c, id| {
        update(s, c, id, false)
    }),
    answer(Method::PATCH, "data-collections/{id}/", |s, c, id| {
        update(s, c, id, true)
    }),
    answer(Method::DELETE, "data-collections/{id}/", |s, c, id| {
        destroy(s, c, id)
    }),
    answer(
        Method::POST,
        "data-collections/{id}/upload-urls/",
        |s, c, id| upload_urls(s, c, id),
    ),
    answer(
        Method::POST,
        "data-collections/{id}/finalize-upload/",
        |s, c, id| finalize_upload(s, c, id),
    ),
    answer(
        Method::GET,
        "data-collections/{id}/check_permission/",
        |s, _, id| membership::check_permission(s, exists(s, id).is_some()),
    ),
    answer(
        Method::GET,
        "data-collections/{id}/permissions/",
        |s, _, id| membership::permissions(s, Target::DataCollection, exists(s, id).is_some()),
    ),
    answer(Method::GET, "data-collections/{id}/roles/", |s, _, id| {
        membership::role_list(s, Target::DataCollection, exists(s, id).is_some())
    }),
    answer(
        Method::GET,
        "data-collections/{id}/grantable_roles/",
        |s, _, id| membership::grantable_roles(s, Target::DataCollection, exists(s, id).is_some()),
    ),
    answer(Method::POST, "data-collections/{id}/invite/", |s, c, id| {
        membership::invite(s, c, exists(s, id).is_some())
    }),
    answer(
        Method::GET,
        "data-collections/{id}/join_requests/",
        |s, c, id| membership::pending_requests(s, c, Target::DataCollection, exists(s, id)),
    ),
    answer(
        Method::POST,
        "data-collections/{id}/join_requests/",
        |s, c, id| membership::request_join(s, c, Target::DataCollection, exists(s, id)),
    ),
    answer(
        Method::PATCH,
        "data-collections/{id}/join_requests/",
        |s, c, id| membership::confirm_request(s, c, Target::DataCollection, exists(s, id)),
    ),
    answer(
        Method::GET,
        "data-collections/{id}/my_join_requests/",
        |s, c, id| match exists(s, id) {
            Some(id) => membership::my_requests(s, c, Target::DataCollection, Some(id)),
            None => respond::not_found(s),
        },
    ),
    answer(
        Method::GET,
        "data-collections/{collection}/groups/",
        |s, c, dc| list_groups(s, c, dc),
    ),
    answer(
        Method::POST,
        "data-collections/{collection}/groups/",
        |s, c, dc| create_group(s, c, dc),
    ),
    answer(
        Method::GET,
        "data-collections/{collection}/groups/{id}/",
        |s, _, ids| retrieve_group(s, ids),
    ),
    answer(
        Method::DELETE,
        "data-collections/{collection}/groups/{id}/",
        |s, c, ids| destroy_group(s, c, ids),
    ),
    answer(
        Method::GET,
        "data-collections/{collection}/groups/{id}/check_permission/",
        |s, _, ids| membership::check_permission(s, group_parent(s, ids).is_some()),
    ),
    answer(
        Method::GET,
        "data-collections/{collection}/groups/{id}/permissions/",
        |s, _, ids| {
            membership::derived_permissions(s, Target::DataCollection, group_parent(s, ids))
        },
    ),
    answer(
        Method::GET,
        "data-collections/{collection}/groups/{id}/roles/",
        |s, _, ids| membership::derived_roles(s, Target::DataCollection, group_parent(s, ids)),
    ),
];

const CATEGORIES: [&str; 6] = ["image", "video", "audio", "text", "pcd", "data"];
const FILE_TYPES: [&str; 6] = ["audio", "data", "image", "pcd", "text", "video"];
const FUNCTION_TYPES: [&str; 4] = ["main", "sub", "meta", ""];

/// The id of the data collection the path names, if it exists.
fn exists(shared: &Shared, id: &str) -> Option<i64> {
    int_id(id).filter(|id| shared.state().data.collections.contains_key(id))
}

/// How many projects use a data collection.
fn count_projects(state: &State, id: i64) -> usize {
    state
        .annotation
        .projects
        .values()
        .filter(|p| p["data_collection"] == id)
        .count()
}

/// A data collection as `DataCollectionV2Detail`.
fn detail(state: &State, id: i64) -> Option<Value> {
    let mut c = state.data.collections.get(&id)?.clone();
    c["count_projects"] = json!(count_projects(state, id));
    Some(c)
}

/// `GET data-collections/` (`category`).
fn list(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut query = Query::new(ctx);
    let category = query.choice("category", &CATEGORIES);
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, &Value)> = state
        .data
        .collections
        .iter()
        .filter(|(_, c)| category.is_none_or(|want| c["category"] == want))
        .map(|(id, c)| (*id, c))
        .collect();
    respond::page(shared, ctx, items, |c| {
        let id = c["id"].as_i64().unwrap_or_default();
        json!({
            "id": id, "name": c["name"], "category": c["category"],
            "category_display": c["category_display"], "access_level": c["access_level"],
            "is_archived": c["is_archived"], "created": c["created"],
            "count_projects": count_projects(&state, id),
        })
    })
}

fn retrieve(shared: &Shared, id: &str) -> Resp {
    let state = shared.state();
    match int_id(id).and_then(|id| detail(&state, id)) {
        Some(collection) => respond::ok(shared, 200, collection),
        None => respond::not_found(shared),
    }
}

/// The writable fields of a data collection.
const FIELDS: [&str; 7] = [
    "name",
    "description",
    "category",
    "meta",
    "caution",
    "access_level",
    "file_specifications",
];

/// The file specifications of a body, checked (`name` unique, at most 50 characters;
/// `file_type`; the optional fields typed): the items' declared fields, or one error
/// object per item.
fn check_specs(value: &Value) -> Result<Vec<Map<String, Value>>, Value> {
    let Some(items) = value.as_array() else {
        return Err(json!([format!(
            "Expected a list of items but got type \"{}\".",
            type_name(value)
        )]));
    };
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for item in items {
        let Ok(mut form) = Form::from_value(item.clone()) else {
            errors.push(json!({"non_field_errors": [format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(item)
            )]}));
            continue;
        };
        respond::require_all(&mut form, &["name", "file_type"]);
        if let Some(name) = respond::optional_text(&mut form, "name", 50, false) {
            if names.contains(&name) {
                form.error("name", format!("The name \"{name}\" is used twice."));
            }
            names.push(name);
        }
        form.optional_choice("file_type", &FILE_TYPES);
        respond::optional_text(&mut form, "description", usize::MAX, true);
        respond::optional_object(&mut form, "configuration");
        for flag in ["is_sequential", "is_required", "is_primary"] {
            respond::optional_bool(&mut form, flag);
        }
        if form.get("function_type").and_then(Value::as_str) != Some("") {
            form.optional_choice("function_type", &FUNCTION_TYPES);
        }
        form.optional_int("index", i64::from(i32::MIN));
        match form.checked(&[
            "name",
            "description",
            "file_type",
            "configuration",
            "is_sequential",
            "is_required",
            "is_primary",
            "function_type",
            "index",
        ]) {
            Ok(fields) => {
                specs.push(fields);
                errors.push(json!({}));
            }
            Err(e) => errors.push(Value::Object(e)),
        }
    }
    if specs.len() == items.len() {
        Ok(specs)
    } else {
        Err(Value::Array(errors))
    }
}

/// Checks a data-collection body (`DataCollectionV2CreateRequest`, its update form, or with
/// `partial` the patched one): its declared fields, or a 400 naming every bad field.
fn check(shared: &Shared, mut form: Form, required: &[&str]) -> Result<Map<String, Value>, Resp> {
    respond::require_all(&mut form, required);
    respond::optional_text(&mut form, "name", 100, false);
    respond::optional_text(&mut form, "description", usize::MAX, true);
    form.optional_choice("category", &CATEGORIES);
    respond::optional_object(&mut form, "meta");
    if form.get("caution").and_then(Value::as_str) != Some("") {
        form.optional_choice("caution", &["sensitive_content"]);
    }
    form.optional_choice("access_level", &ACCESS_LEVELS);
    if let Some(specs) = form.get("file_specifications").cloned()
        && let Err(errors) = check_specs(&specs)
    {
        form.nested("file_specifications", errors);
    }
    respond::finish(shared, form, &FIELDS)
}

/// Stored file specifications from checked ones (ids continue the highest in use).
fn specifications(data: &DataState, specs: &[Value]) -> Value {
    let mut next = data
        .collections
        .values()
        .flat_map(|c| {
            c["file_specifications"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|s| s["id"].as_i64())
        .max()
        .unwrap_or(0);
    let stored: Vec<Value> = specs
        .iter()
        .map(|spec| {
            next += 1;
            let field = |key: &str, default: Value| spec.get(key).cloned().unwrap_or(default);
            let file_type = field("file_type", json!("data"));
            json!({
                "id": next, "name": field("name", json!("")),
                "description": field("description", json!("")),
                "file_type": file_type,
                "file_type_display": display(file_type.as_str().unwrap_or_default()),
                "configuration": field("configuration", json!({})),
                "is_sequential": field("is_sequential", json!(false)),
                "is_required": field("is_required", json!(false)),
                "is_primary": field("is_primary", json!(false)),
                "function_type": field("function_type", json!("")),
                "index": field("index", json!(1)),
            })
        })
        .collect();
    Value::Array(stored)
}

/// Writes checked fields into a stored collection.
fn apply(data: &DataState, collection: &mut Value, fields: Map<String, Value>) {
    for (key, value) in fields {
        match key.as_str() {
            "category" => {
                collection["category_display"] = json!(display(value.as_str().unwrap_or_default()));
                collection["category"] = value;
            }
            "file_specifications" => {
                let specs = value.as_array().cloned().unwrap_or_default();
                collection["file_specifications"] = specifications(data, &specs);
            }
            _ => collection[key.as_str()] = value,
        }
    }
}

/// `POST data-collections/`.
fn create(shared: &Shared, ctx: &Ctx) -> Resp {
    let fields = match respond::form(shared, ctx)
        .and_then(|f| check(shared, f, &["name", "category", "file_specifications"]))
    {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "create", Value::Null),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut guard = shared.state();
    let state = &mut *guard;
    state.data.next_collection += 1;
    let id = state.data.next_collection;
    let mut collection = json!({
        "id": id, "tenant_id": 1, "name": "", "description": "", "category": "data",
        "category_display": "Data", "meta": {}, "caution": "", "access_level": "private",
        "is_archived": false, "created": rfc3339(SystemTime::now()), "count_projects": 0,
        "file_specifications": [],
    });
    apply(&state.data, &mut collection, fields);
    state.data.collections.insert(id, collection);
    match detail(state, id) {
        Some(c) => respond::created(shared, c),
        None => respond::not_found(shared),
    }
}

/// `PUT data-collections/{id}/` (`name` and `category` required) or `PATCH` (`partial`);
/// `file_specifications`, when given, replace the collection's.
fn update(shared: &Shared, ctx: &Ctx, id: &str, partial: bool) -> Resp {
    let Some(id) = exists(shared, id) else {
        return respond::not_found(shared);
    };
    let required: &[&str] = if partial { &[] } else { &["name", "category"] };
    let fields = match respond::form(shared, ctx).and_then(|f| check(shared, f, required)) {
        Ok(fields) => fields,
        Err(resp) => return resp,
    };
    let action = if partial { "partial_update" } else { "update" };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, action, json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut guard = shared.state();
    let state = &mut *guard;
    let Some(mut collection) = state.data.collections.remove(&id) else {
        return respond::not_found(shared);
    };
    apply(&state.data, &mut collection, fields);
    state.data.collections.insert(id, collection);
    match detail(state, id) {
        Some(c) => respond::ok(shared, 200, c),
        None => respond::not_found(shared),
    }
}

/// `DELETE data-collections/{id}/`: the collection goes with its data units and groups; its
/// projects keep going without one.
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
    state.data.collections.remove(&id);
    state.data.units.retain(|_, u| u.collection != id);
    state.data.groups.retain(|(c, _, _), _| *c != id);
    for project in state.annotation.projects.values_mut() {
        if project["data_collection"] == id {
            project["data_collection"] = Value::Null;
        }
    }
    respond::empty(shared, 204)
}

/// `POST data-collections/{id}/upload-urls/` `{"files": [{filename, size, content_type}],
/// "expiration"}`: a storage key and a presigned `PUT` URL (or a multipart upload) per file.
fn upload_urls(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    if exists(shared, id).is_none() {
        return respond::not_found(shared);
    }
    let body = match respond::json_object(shared, ctx) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let request = match bulk_upload::reservation(body) {
        Ok(checked) => checked,
        Err(errors) => return respond::invalid(shared, &errors),
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => respond::dry_run_answer(shared, "upload_urls", Value::Null),
        Ok(false) => respond::ok(
            shared,
            200,
            bulk_upload::reserve_checked(shared, ctx, request),
        ),
        Err(resp) => resp,
    }
}

/// `POST data-collections/{id}/finalize-upload/` `{"files": [{file_key, checksum, size,
/// multipart?}]}`: each stored file registered as a data file under its checksum (an existing
/// checksum reuses its data file), a result per file.
fn finalize_upload(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    if exists(shared, id).is_none() {
        return respond::not_found(shared);
    }
    let body = match respond::json_object(shared, ctx) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    let files = match bulk_upload::check_confirmed(&body) {
        Ok(files) => files,
        Err(e) => {
            let mut errors = Map::new();
            errors.insert("files".to_owned(), e);
            return respond::invalid(shared, &errors);
        }
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => respond::dry_run_answer(shared, "finalize_upload", Value::Null),
        Ok(false) => respond::ok(
            shared,
            200,
            bulk_upload::confirm_checked(shared, ctx, files),
        ),
        Err(resp) => resp,
    }
}

/// The group the path names (`{collection}/{id}`): `(collection, id, name)`.
fn group(data: &DataState, ids: &str) -> Option<(i64, i64, String)> {
    let (collection, id) = pair(ids)?;
    let (collection, id) = (int_id(collection)?, int_id(id)?);
    data.groups
        .iter()
        .find(|((c, _, _), g)| *c == collection && **g == id)
        .map(|((c, _, name), g)| (*c, *g, name.clone()))
}

/// The data collection (id, name) of the group the path names.
fn group_parent(shared: &Shared, ids: &str) -> Option<(i64, String)> {
    let state = shared.state();
    let (collection, _, _) = group(&state.data, ids)?;
    let name = state.data.collections.get(&collection)?["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Some((collection, name))
}

/// `GET data-collections/{collection}/groups/`: every group of the collection.
fn list_groups(shared: &Shared, ctx: &Ctx, collection: &str) -> Resp {
    let Some(collection) = exists(shared, collection) else {
        return respond::not_found(shared);
    };
    let state = shared.state();
    let mut items: Vec<(i64, (i64, &String))> = state
        .data
        .groups
        .iter()
        .filter(|((c, _, _), _)| *c == collection)
        .map(|((_, _, name), id)| (*id, (*id, name)))
        .collect();
    items.sort_by_key(|(id, _)| *id);
    respond::page(
        shared,
        ctx,
        items,
        |(id, name)| json!({"id": id, "name": name}),
    )
}

/// `POST data-collections/{collection}/groups/` `{"name"}` (at most 100 characters, unique
/// among the collection's top-level groups).
fn create_group(shared: &Shared, ctx: &Ctx, collection: &str) -> Resp {
    let Some(collection) = exists(shared, collection) else {
        return respond::not_found(shared);
    };
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    respond::require_all(&mut form, &["name"]);
    let name = respond::optional_text(&mut form, "name", 100, false);
    let mut state = shared.state();
    if let Some(name) = &name
        && state
            .data
            .groups
            .contains_key(&(collection, None, name.clone()))
    {
        form.error(
            "name",
            format!("The data collection already has a group named \"{name}\"."),
        );
    }
    if let Err(resp) = respond::finish(shared, form, &["name"]) {
        return resp;
    }
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "create", Value::Null),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let name = name.unwrap_or_default();
    state.data.next_group += 1;
    let id = state.data.next_group;
    state
        .data
        .groups
        .insert((collection, None, name.clone()), id);
    respond::created(
        shared,
        json!({"id": id, "data_collection_id": collection, "name": name}),
    )
}

fn retrieve_group(shared: &Shared, ids: &str) -> Resp {
    let state = shared.state();
    match group(&state.data, ids) {
        Some((collection, id, name)) => respond::ok(
            shared,
            200,
            json!({"id": id, "data_collection_id": collection, "name": name}),
        ),
        None => respond::not_found(shared),
    }
}

/// `DELETE data-collections/{collection}/groups/{id}/`: the group goes; its units (and
/// groups under it) stay, without it.
fn destroy_group(shared: &Shared, ctx: &Ctx, ids: &str) -> Resp {
    let Some((_, id, _)) = group(&shared.state().data, ids) else {
        return respond::not_found(shared);
    };
    match respond::dry_run(shared, ctx) {
        Ok(true) => return respond::dry_run_answer(shared, "destroy", json!(id)),
        Ok(false) => {}
        Err(resp) => return resp,
    }
    let mut state = shared.state();
    let data = &mut state.data;
    data.groups.retain(|_, g| *g != id);
    let children: Vec<i64> = data
        .groups
        .iter()
        .filter(|((_, parent, _), _)| *parent == Some(id))
        .map(|(_, g)| *g)
        .collect();
    for child in children {
        let Some(key) = data
            .groups
            .iter()
            .find(|(_, g)| **g == child)
            .map(|(k, _)| k.clone())
        else {
            continue;
        };
        data.groups.remove(&key);
        data.groups.insert((key.0, None, key.2), child);
    }
    for unit in data.units.values_mut() {
        if unit.group == Some(id) {
            unit.group = None;
        }
    }
    respond::empty(shared, 204)
}
