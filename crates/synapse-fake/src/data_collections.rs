//! Data collections, data files and data units: the collection every fake starts with,
//! files registered as data files (a multipart upload, or a finished chunked upload), and
//! units built from those files' checksums.
//!
//! - `GET data_collections/`, `GET data_collections/{id}/` (`expand=file_specifications`
//!   embeds the collection's file specifications);
//! - `POST data_files/` (multipart `file`, or JSON `{"chunked_upload": id}`): the file is
//!   stored under its checksum — the MD5 of its content, as lower-case hex — so the same
//!   content is one data file; `POST data_files/verify_checksums/`;
//! - `POST data_units/` (one unit or a list, all or nothing), `GET data_units/` (filter
//!   `data_collection`), `GET data_units/{id}/` (`expand=files` embeds the unit's files).
//!
//! Errors are Django REST Framework's: 404 `{"detail": "Not found."}`, 400 with field errors
//! (`{"files": ["…"]}`; a list body gets one error object per item, `{}` for a valid one).

use std::collections::BTreeMap;
use std::time::SystemTime;

use http::Method;

use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use crate::multipart::parse;
use crate::respond::{
    Ctx, Resp, field_error, json_resp, non_empty_names, not_found, paginate, type_name,
};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::time::rfc3339;

/// Data collections, data files and data units.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "data_collections/", |s, c, _| {
        list_collections(s, c)
    }),
    answer(Method::GET, "data_collections/{id}/", |s, c, id| {
        get_collection(s, c, id)
    }),
    answer(Method::POST, "data_files/", |s, c, _| create_file(s, c)),
    answer(Method::POST, "data_files/verify_checksums/", |s, c, _| {
        verify_checksums(s, c)
    }),
    answer(Method::GET, "data_units/", |s, c, _| list_units(s, c)),
    answer(Method::POST, "data_units/", |s, c, _| create_units(s, c)),
    answer(Method::GET, "data_units/{id}/", |s, c, id| {
        get_unit(s, c, id)
    }),
];

/// The data-collection tables: one id sequence per table, as a database has.
pub(crate) struct DataState {
    pub(crate) collections: BTreeMap<i64, Value>,
    files: BTreeMap<i64, DataFile>,
    pub(crate) units: BTreeMap<i64, Unit>,
    /// `(collection, parent group, name)` → group id.
    pub(crate) groups: BTreeMap<(i64, Option<i64>, String), i64>,
    /// The last data-collection id handed out (v2 creates collections).
    #[cfg(feature = "v2")]
    pub(crate) next_collection: i64,
    next_file: i64,
    next_unit: i64,
    pub(crate) next_group: i64,
}

/// A stored data file.
struct DataFile {
    id: i64,
    checksum: String,
    size: u64,
    url: String,
    created: String,
    /// Registered from a chunked upload (its answer then has no `file`).
    chunked: bool,
}

/// A stored data unit: its files by specification name, in the order they were given.
pub(crate) struct Unit {
    id: i64,
    pub(crate) collection: i64,
    pub(crate) group: Option<i64>,
    checksum: String,
    meta: Value,
    created: String,
    files: Vec<(String, UnitFile)>,
}

struct UnitFile {
    data_file: i64,
    path: Option<String>,
}

impl Default for DataState {
    /// One image collection: a required primary `image_1` and an optional `data_meta_1`.
    fn default() -> Self {
        let spec = |id: i64, name: &str, description: &str, file_type: &str, main: bool| {
            json!({
                "id": id, "name": name, "description": description, "file_type": file_type,
                "file_type_display": display(file_type), "configuration": {},
                "is_sequential": false, "is_required": main, "is_primary": main,
                "function_type": if main { "main" } else { "meta" }, "index": 1,
            })
        };
        let collection = json!({
            "id": 1, "tenant_id": 1, "name": "Street scenes",
            "description": "Dash-cam frames, each with optional sensor metadata.",
            "category": "image", "category_display": "Image", "meta": {}, "caution": "",
            "access_level": "private", "is_archived": false,
            "created": rfc3339(SystemTime::now()), "count_projects": 0,
            "file_specifications": [
                spec(1, "image_1", "Camera frame", "image", true),
                spec(2, "data_meta_1", "Sensor metadata (JSON)", "data", false),
            ],
        });
        DataState {
            collections: BTreeMap::from([(1, collection)]),
            files: BTreeMap::new(),
            units: BTreeMap::new(),
            groups: BTreeMap::new(),
            #[cfg(feature = "v2")]
            next_collection: 1,
            next_file: 0,
            next_unit: 0,
            next_group: 0,
        }
    }
}

pub(crate) fn display(file_type: &str) -> String {
    match file_type {
        "pcd" => "PCD".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A collection as the API shows it: file specifications only when expanded.
fn collection_json(collection: &Value, ctx: &Ctx) -> Value {
    let mut c = collection.clone();
    let expanded = ctx
        .query
        .iter()
        .any(|(k, v)| k == "expand" && v.split(',').any(|f| f == "file_specifications"));
    if !expanded && let Some(o) = c.as_object_mut() {
        o.remove("file_specifications");
    }
    c
}

pub(crate) fn list_collections(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let items: Vec<Value> = state
        .data
        .collections
        .values()
        .map(|c| collection_json(c, ctx))
        .collect();
    paginate(ctx, items, shared.config.page_size, |v| v)
}

pub(crate) fn get_collection(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let state = shared.state();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|i| state.data.collections.get(&i))
    {
        Some(c) => json_resp(200, &collection_json(c, ctx)),
        None => not_found(),
    }
}

fn file_json(f: &DataFile) -> Value {
    let mut v = json!({
        "id": f.id, "file": f.url, "checksum": f.checksum, "size": f.size,
        "created_at": f.created, "updated_at": f.created,
    });
    if f.chunked
        && let Some(o) = v.as_object_mut()
    {
        o.remove("file");
    }
    v
}

/// `POST data_files/`: a multipart `file`, or `{"chunked_upload": id}` naming a finished
/// chunked upload. The same content answers with the data file it already is (200).
pub(crate) fn create_file(shared: &Shared, ctx: &Ctx) -> Resp {
    let content_type = ctx.header("content-type").unwrap_or_default().to_owned();
    let mut state = shared.state();
    let (checksum, size, name, chunked) = if content_type.starts_with("multipart/form-data") {
        let Some(parts) = parse(&content_type, &ctx.body) else {
            return json_resp(400, &json!({"detail": "Multipart form parse error."}));
        };
        let Some(part) = parts
            .iter()
            .find(|p| p.name == "file" && p.filename.is_some())
        else {
            return field_error("file", "No file was submitted.");
        };
        if part.data.is_empty() {
            return field_error("file", "The submitted file is empty.");
        }
        let name = part.filename.clone().unwrap_or_default();
        (
            hex(&Md5::digest(&part.data)),
            part.data.len() as u64,
            name,
            false,
        )
    } else {
        let body = match ctx.json() {
            Ok(v) => v,
            Err(r) => return r,
        };
        let id = match body.get("chunked_upload") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return field_error("file", "No file was submitted."),
        };
        let Some(upload) = state.uploads.get(&id) else {
            return field_error(
                "chunked_upload",
                &format!("Invalid pk \"{id}\" - object does not exist."),
            );
        };
        let Some((_, md5)) = &upload.completed else {
            return field_error("chunked_upload", "The chunked upload is not complete.");
        };
        (md5.clone(), upload.offset, upload.filename.clone(), true)
    };
    if let Some(existing) = state.data.files.values().find(|f| f.checksum == checksum) {
        return json_resp(200, &file_json(existing));
    }
    state.data.next_file += 1;
    let file = DataFile {
        id: state.data.next_file,
        url: ctx.absolute(&format!("/media/data_files/{checksum}/{name}")),
        checksum,
        size,
        created: rfc3339(SystemTime::now()),
        chunked,
    };
    let answer = file_json(&file);
    state.data.files.insert(file.id, file);
    json_resp(201, &answer)
}

/// `POST data_files/verify_checksums/` `{"checksums": [...]}`: the known ones, in order.
pub(crate) fn verify_checksums(shared: &Shared, ctx: &Ctx) -> Resp {
    let body = match ctx.json() {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(asked) = body.get("checksums").and_then(Value::as_array) else {
        return field_error("checksums", "This field is required.");
    };
    let state = shared.state();
    let existing: Vec<&Value> = asked
        .iter()
        .filter(|c| {
            c.as_str()
                .is_some_and(|c| state.data.files.values().any(|f| f.checksum == c))
        })
        .collect();
    json_resp(200, &json!({ "existing_checksums": existing }))
}

/// A unit to create, once its fields are checked.
struct Draft {
    collection: i64,
    files: Vec<(String, UnitFile)>,
    checksums: Vec<String>,
    meta: Value,
    groups: Vec<String>,
}

/// Checks one unit of a `POST data_units/` body; `Err` holds DRF field errors.
fn check_unit(state: &DataState, item: &Value) -> Result<Draft, Map<String, Value>> {
    let mut errors = Map::new();
    let error = |errors: &mut Map<String, Value>, field: &str, message: String| {
        errors.insert(field.to_owned(), json!([message]));
    };
    let Some(item) = item.as_object() else {
        error(
            &mut errors,
            "non_field_errors",
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(item)
            ),
        );
        return Err(errors);
    };
    let collection = match item.get("data_collection") {
        None | Some(Value::Null) => {
            error(
                &mut errors,
                "data_collection",
                "This field is required.".to_owned(),
            );
            None
        }
        Some(Value::Number(n)) => match n.as_i64().and_then(|i| state.collections.get(&i)) {
            Some(c) => Some(c),
            None => {
                error(
                    &mut errors,
                    "data_collection",
                    format!("Invalid pk \"{n}\" - object does not exist."),
                );
                None
            }
        },
        // DRF looks a string up as the key it spells (`"5"` is 5), as the Python SDK sends
        // the caller's value unchanged.
        Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
            match s
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|i| state.collections.get(&i))
            {
                Some(c) => Some(c),
                None => {
                    error(
                        &mut errors,
                        "data_collection",
                        format!("Invalid pk \"{s}\" - object does not exist."),
                    );
                    None
                }
            }
        }
        Some(other) => {
            error(
                &mut errors,
                "data_collection",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    type_name(other)
                ),
            );
            None
        }
    };
    let mut files = Vec::new();
    let mut checksums = Vec::new();
    match item.get("files") {
        None | Some(Value::Null) => {
            error(&mut errors, "files", "This field is required.".to_owned())
        }
        Some(Value::Object(given)) if given.is_empty() => error(
            &mut errors,
            "files",
            "This dictionary may not be empty.".to_owned(),
        ),
        Some(Value::Object(given)) => {
            let specs: Vec<&Value> = collection
                .and_then(|c| c["file_specifications"].as_array())
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            let mut problems = Vec::new();
            for (name, file) in given {
                let known = specs.iter().any(|s| s["name"] == name.as_str());
                if collection.is_some() && !known {
                    problems.push(format!("Unknown file specification \"{name}\"."));
                    continue;
                }
                let Some(checksum) = file
                    .get("checksum")
                    .and_then(Value::as_str)
                    .filter(|c| !c.is_empty())
                else {
                    problems.push(format!("\"{name}\": a checksum is required."));
                    continue;
                };
                match state.files.values().find(|f| f.checksum == checksum) {
                    Some(f) => {
                        files.push((
                            name.clone(),
                            UnitFile {
                                data_file: f.id,
                                path: file.get("path").and_then(Value::as_str).map(str::to_owned),
                            },
                        ));
                        checksums.push(format!("{name}:{checksum}"));
                    }
                    None => problems.push(format!(
                        "\"{name}\": no data file has checksum \"{checksum}\"."
                    )),
                }
            }
            for spec in specs.iter().filter(|s| s["is_required"] == true) {
                let name = spec["name"].as_str().unwrap_or_default();
                if !given.contains_key(name) {
                    problems.push(format!("Missing required file specification \"{name}\"."));
                }
            }
            if !problems.is_empty() {
                errors.insert("files".to_owned(), json!(problems));
            }
        }
        Some(other) => error(
            &mut errors,
            "files",
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(other)
            ),
        ),
    }
    let meta = match item.get("meta") {
        None | Some(Value::Null) => json!({}),
        Some(m @ Value::Object(_)) => m.clone(),
        Some(other) => {
            error(
                &mut errors,
                "meta",
                format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    type_name(other)
                ),
            );
            Value::Null
        }
    };
    let groups = match item
        .get("groups")
        .filter(|v| !v.is_null())
        .map(non_empty_names)
    {
        None => Vec::new(),
        Some(Some(names)) => names,
        Some(None) => {
            error(
                &mut errors,
                "groups",
                "Expected a list of non-empty names.".to_owned(),
            );
            Vec::new()
        }
    };
    match collection.and_then(|c| c["id"].as_i64()) {
        Some(collection) if errors.is_empty() => Ok(Draft {
            collection,
            files,
            checksums,
            meta,
            groups,
        }),
        _ => Err(errors),
    }
}

impl DataState {
    /// Registers a file already in storage (a confirmed presigned upload) under its
    /// checksum: the data file with that checksum and whether it was created now (the same
    /// content is one data file).
    pub(crate) fn register_file(&mut self, checksum: &str, size: u64, url: String) -> (i64, bool) {
        if let Some(existing) = self.files.values().find(|f| f.checksum == checksum) {
            return (existing.id, false);
        }
        self.next_file += 1;
        let file = DataFile {
            id: self.next_file,
            checksum: checksum.to_owned(),
            size,
            url,
            created: rfc3339(SystemTime::now()),
            chunked: false,
        };
        self.files.insert(file.id, file);
        (self.next_file, true)
    }

    /// The group a chain of names ends in, created as needed (outermost first).
    fn group(&mut self, collection: i64, names: &[String]) -> Option<i64> {
        let mut parent = None;
        for name in names {
            let key = (collection, parent, name.clone());
            let id = match self.groups.get(&key) {
                Some(id) => *id,
                None => {
                    self.next_group += 1;
                    self.groups.insert(key, self.next_group);
                    self.next_group
                }
            };
            parent = Some(id);
        }
        parent
    }

    fn create(&mut self, draft: Draft) -> i64 {
        let group = self.group(draft.collection, &draft.groups);
        let mut checksums = draft.checksums;
        checksums.sort();
        self.next_unit += 1;
        let unit = Unit {
            id: self.next_unit,
            collection: draft.collection,
            group,
            // The unit's own key: the MD5 of its sorted `name:checksum` lines.
            checksum: hex(&Md5::digest(checksums.join("\n").as_bytes())),
            meta: draft.meta,
            created: rfc3339(SystemTime::now()),
            files: draft.files,
        };
        self.units.insert(unit.id, unit);
        self.next_unit
    }

    /// A unit as the API shows it; `files` (keyed by specification name) when expanded.
    fn unit_json(&self, unit: &Unit, ctx: &Ctx) -> Value {
        let expanded = ctx
            .query
            .iter()
            .any(|(k, v)| k == "expand" && v.split(',').any(|f| f == "files"));
        self.unit_value(unit, expanded)
    }

    /// A unit by id as the API shows it, with its `files` when `files` is set (as
    /// `expand=files`): for the routes of other domains that embed units.
    pub(crate) fn unit_by_id(&self, id: i64, files: bool) -> Option<Value> {
        self.units.get(&id).map(|unit| self.unit_value(unit, files))
    }

    /// The data collection a unit belongs to, if the unit exists.
    pub(crate) fn unit_collection(&self, id: i64) -> Option<i64> {
        self.units.get(&id).map(|unit| unit.collection)
    }

    /// A data collection by id, as stored (with its file specifications).
    pub(crate) fn collection(&self, id: i64) -> Option<&Value> {
        self.collections.get(&id)
    }

    /// A unit as the API shows it, with `files` (keyed by specification name) or without.
    fn unit_value(&self, unit: &Unit, expanded: bool) -> Value {
        let mut v = json!({
            "id": unit.id, "data_collection": unit.collection, "group_id": unit.group,
            "checksum": unit.checksum, "meta": unit.meta, "created": unit.created,
        });
        if expanded {
            let specs = self
                .collections
                .get(&unit.collection)
                .and_then(|c| c["file_specifications"].as_array());
            let mut files = Map::new();
            for (name, file) in &unit.files {
                let Some(data_file) = self.files.get(&file.data_file) else {
                    continue;
                };
                let spec = specs.and_then(|s| s.iter().find(|s| s["name"] == name.as_str()));
                let field = |key: &str| spec.map(|s| s[key].clone()).unwrap_or(Value::Null);
                files.insert(
                    name.clone(),
                    json!({
                        "url": data_file.url, "checksum": data_file.checksum,
                        "size": data_file.size, "path": file.path,
                        "file_type": field("file_type"), "is_primary": field("is_primary"),
                        "meta": {},
                    }),
                );
            }
            v["files"] = Value::Object(files);
        }
        v
    }
}

/// `POST data_units/`: one unit (an object) or several (a list), created only when every one
/// is valid; answers with what it was given: one unit, or a list.
pub(crate) fn create_units(shared: &Shared, ctx: &Ctx) -> Resp {
    let body = match ctx.json() {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut state = shared.state();
    let data = &mut state.data;
    match body {
        Value::Array(items) => {
            if items.is_empty() {
                return json_resp(
                    400,
                    &json!({"non_field_errors": ["This list may not be empty."]}),
                );
            }
            let checked: Vec<_> = items.iter().map(|i| check_unit(data, i)).collect();
            if checked.iter().any(Result::is_err) {
                let errors: Vec<Value> = checked
                    .into_iter()
                    .map(|c| Value::Object(c.err().unwrap_or_default()))
                    .collect();
                return json_resp(400, &json!(errors));
            }
            let ids: Vec<i64> = checked
                .into_iter()
                .flatten()
                .map(|draft| data.create(draft))
                .collect();
            let units: Vec<Value> = ids
                .iter()
                .filter_map(|id| data.units.get(id))
                .map(|u| data.unit_json(u, ctx))
                .collect();
            json_resp(201, &json!(units))
        }
        item => match check_unit(data, &item) {
            Ok(draft) => {
                let id = data.create(draft);
                match data.units.get(&id) {
                    Some(unit) => json_resp(201, &data.unit_json(unit, ctx)),
                    None => not_found(),
                }
            }
            Err(errors) => json_resp(400, &Value::Object(errors)),
        },
    }
}

/// `GET data_units/`: filter `data_collection` (a number), oldest first.
pub(crate) fn list_units(shared: &Shared, ctx: &Ctx) -> Resp {
    let collection = match ctx.q("data_collection").map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return field_error("data_collection", "Enter a number."),
    };
    let state = shared.state();
    let data = &state.data;
    let units: Vec<&Unit> = data
        .units
        .values()
        .filter(|u| collection.is_none_or(|c| u.collection == c))
        .collect();
    paginate(ctx, units, shared.config.page_size, |u| {
        data.unit_json(u, ctx)
    })
}

pub(crate) fn get_unit(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let state = shared.state();
    let data = &state.data;
    match id.parse::<i64>().ok().and_then(|i| data.units.get(&i)) {
        Some(unit) => json_resp(200, &data.unit_json(unit, ctx)),
        None => not_found(),
    }
}
