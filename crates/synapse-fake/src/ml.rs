//! ML: models (a model file comes from a finished chunked upload and is served back from
//! the object store), ground truths, their history events and dataset versions.
//!
//! - `GET models/` (`is_released`, `project`), `GET models/{id}/` (`expand=metrics`),
//!   `POST models/` (`ModelCreateRequest`: `name`, `plugin` code, `version`, `checkpoint`,
//!   `chunked_upload`, `configuration`, `description`; undeclared keys dropped);
//! - `GET ground_truths/`, `GET sdk/ground_truth_events/` and its `data/` and `files/`
//!   variants (filters `ground_truth_dataset_versions` — repeated keys —,
//!   `ground_truth_dataset`, `category`; `fields` and `expand=data` on the events);
//! - `GET ground_truth_dataset_versions/` (`ground_truth_dataset`, `is_archived`),
//!   `GET ground_truth_dataset_versions/{id}/`.
//!
//! Every fake starts with a released model and two ground-truth datasets: dataset 1 with
//! version 1 (5 ground truths), dataset 2 with versions 2 (archived, 50 ground truths) and
//! 3 (130 ground truths, 20 of them updated since: 150 events, 130 linked to the version).
//! Dataset versions link events (a ground truth is in a version when one of its events is).
//! Every ground truth has an image and its annotation JSON in storage.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use http::Method;
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

use crate::object_store::{Object, presigned_url};
use crate::respond::{Ctx, Form, ListView, Resp, json_resp, not_found, paginate, type_name};
use crate::routes::{Route, answer};
use crate::server::Shared;
use crate::state::State;
use crate::time::rfc3339;

/// The ML routes.
pub(crate) const ROUTES: &[Route] = &[
    answer(Method::GET, "models/", |s, c, _| list_models(s, c)),
    answer(Method::POST, "models/", |s, c, _| create_model(s, c)),
    answer(Method::GET, "models/{id}/", |s, c, id| get_model(s, c, id)),
    answer(Method::GET, "ground_truths/", |s, c, _| {
        list_ground_truths(s, c)
    }),
    answer(Method::GET, "sdk/ground_truth_events/", |s, c, _| {
        list_events(s, c, ListView::Full)
    }),
    answer(Method::GET, "sdk/ground_truth_events/data/", |s, c, _| {
        list_events(s, c, ListView::Data)
    }),
    answer(Method::GET, "sdk/ground_truth_events/files/", |s, c, _| {
        list_events(s, c, ListView::Files)
    }),
    answer(Method::GET, "ground_truth_dataset_versions/", |s, c, _| {
        list_versions(s, c)
    }),
    answer(
        Method::GET,
        "ground_truth_dataset_versions/{id}/",
        |s, c, id| get_version(s, c, id),
    ),
];

/// How long the URLs of served files stay valid.
const URL_LIFETIME: Duration = Duration::from_secs(3600);

/// The ML tables.
#[derive(Default)]
pub(crate) struct MlState {
    models: BTreeMap<i64, Model>,
    next_model: i64,
    versions: BTreeMap<i64, Version>,
    ground_truths: BTreeMap<i64, GroundTruth>,
    events: BTreeMap<i64, GtEvent>,
}

/// A stored model.
struct Model {
    /// Its fields as the API shows them, `file` and `metrics` aside.
    fields: Map<String, Value>,
    /// Where its file is in the object store.
    file_key: Option<String>,
    /// What `expand=metrics` embeds.
    metrics: Value,
}

/// A ground-truth dataset version: the events it links.
struct Version {
    id: i64,
    dataset: i64,
    version: String,
    description: String,
    is_archived: bool,
    created: String,
    events: BTreeSet<i64>,
}

/// A ground truth (its latest state).
struct GroundTruth {
    id: i64,
    dataset: i64,
    data_unit: i64,
    project: i64,
    category: &'static str,
    data: Value,
    classes: Vec<String>,
}

/// A history event of a ground truth.
struct GtEvent {
    id: i64,
    ground_truth: i64,
    label: &'static str,
    data: Value,
    created: String,
}

/// A ground truth's annotation: `n` boxes of its classes.
fn annotation(gt: i64, revision: i64) -> (Value, Vec<String>) {
    let classes = ["car", "pedestrian", "cyclist"];
    let n = 1 + (gt + revision) % 3;
    let boxes: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("b{gt}-{i}"), "classification": {"class": classes[(i as usize) % 3]},
                   "data": [10 * i + revision, 20 * i, 64, 48]})
        })
        .collect();
    let mut used: Vec<String> = (0..n.min(3))
        .map(|i| classes[i as usize].to_owned())
        .collect();
    used.dedup();
    (json!({ "bounding_box": boxes }), used)
}

fn category(gt: i64) -> &'static str {
    match gt % 10 {
        0..=6 => "train",
        7 | 8 => "validation",
        _ => "test",
    }
}

/// The ground truths, events, versions and the released model every fake starts with;
/// their files go into the object store.
pub(crate) fn seed(state: &mut State) {
    let created = rfc3339(SystemTime::now());
    let ml = &mut state.ml;
    let versions = [
        (1, 1, "1.0", "First labelled batch", false),
        (2, 2, "1.0", "Initial release", true),
        (3, 2, "2.0", "Relabelled, with the night scenes", false),
    ];
    for (id, dataset, version, description, is_archived) in versions {
        ml.versions.insert(
            id,
            Version {
                id,
                dataset,
                version: version.to_owned(),
                description: description.to_owned(),
                is_archived,
                created: created.clone(),
                events: BTreeSet::new(),
            },
        );
    }
    let mut event_id = 0;
    for gt in 1..=135 {
        let dataset = if gt <= 5 { 1 } else { 2 };
        let (data, classes) = annotation(gt, 0);
        event_id += 1;
        let insert = event_id;
        ml.events.insert(
            insert,
            GtEvent {
                id: insert,
                ground_truth: gt,
                label: "ground_truth.insert",
                data: data.clone(),
                created: created.clone(),
            },
        );
        let mut latest = (insert, data, classes);
        if (6..=25).contains(&gt) {
            let (data, classes) = annotation(gt, 1);
            event_id += 1;
            ml.events.insert(
                event_id,
                GtEvent {
                    id: event_id,
                    ground_truth: gt,
                    label: "ground_truth.update",
                    data: data.clone(),
                    created: created.clone(),
                },
            );
            latest = (event_id, data, classes);
        }
        let link = |ml: &mut MlState, version: i64, event: i64| {
            if let Some(v) = ml.versions.get_mut(&version) {
                v.events.insert(event);
            }
        };
        match gt {
            1..=5 => link(ml, 1, insert),
            _ => {
                if gt <= 55 {
                    link(ml, 2, insert);
                }
                link(ml, 3, latest.0);
            }
        }
        let image = format!("\u{ff}\u{d8}\u{ff}\u{e0} frame {gt:04}");
        state.objects.put(
            &gt_key(gt, "image_1.jpg"),
            Object::new(image.into_bytes(), Some("image/jpeg")),
        );
        state.objects.put(
            &gt_key(gt, "data_meta_1.json"),
            Object::new(latest.1.to_string().into_bytes(), Some("application/json")),
        );
        ml.ground_truths.insert(
            gt,
            GroundTruth {
                id: gt,
                dataset,
                data_unit: 1000 + gt,
                project: dataset,
                category: category(gt),
                data: latest.1,
                classes: latest.2,
            },
        );
    }
    let weights = b"\x80\x02fake yolov8n weights, trained on coco".to_vec();
    state
        .objects
        .put("models/1/yolov8n.pt", Object::new(weights, None));
    let ml = &mut state.ml;
    ml.next_model = 1;
    let fields = json!({
        "id": 1, "name": "yolov8n-coco", "category": "neural_net", "is_released": true,
        "is_external": false, "created": created, "tenant_id": 1, "neural_net_id": null,
        "dataset_id": null, "project": null, "plugin": null, "version": null, "checkpoint": null,
        "description": "YOLOv8n trained on COCO", "configuration": {"input_size": 640},
    });
    ml.models.insert(
        1,
        Model {
            fields: fields.as_object().cloned().unwrap_or_default(),
            file_key: Some("models/1/yolov8n.pt".to_owned()),
            metrics: json!({"mAP50": 0.525, "mAP50-95": 0.372}),
        },
    );
}

fn gt_key(gt: i64, name: &str) -> String {
    format!("ground_truths/{gt}/{name}")
}

/// Whether `expand` (repeated or comma-separated) names `field`.
fn expands(ctx: &Ctx, field: &str) -> bool {
    ctx.query
        .iter()
        .any(|(k, v)| k == "expand" && v.split(',').any(|f| f == field))
}

/// A boolean filter value, as django-filter reads it; `Err` is its 400.
fn bool_filter(ctx: &Ctx, field: &str) -> Result<Option<bool>, Resp> {
    match ctx.q(field) {
        None | Some("") => Ok(None),
        Some("true" | "True" | "1") => Ok(Some(true)),
        Some("false" | "False" | "0") => Ok(Some(false)),
        Some(other) => Err(choice_error(field, other)),
    }
}

fn choice_error(field: &str, value: &str) -> Resp {
    json_resp(
        400,
        &json!({ field: [format!("Select a valid choice. {value} is not one of the available choices.")] }),
    )
}

fn model_json(ctx: &Ctx, model: &Model) -> Value {
    let mut v = Value::Object(model.fields.clone());
    v["file"] = match &model.file_key {
        Some(key) => json!(presigned_url(ctx, &Method::GET, key, URL_LIFETIME, &[])),
        None => Value::Null,
    };
    if expands(ctx, "metrics") {
        v["metrics"] = model.metrics.clone();
    }
    v
}

fn list_models(shared: &Shared, ctx: &Ctx) -> Resp {
    let released = match bool_filter(ctx, "is_released") {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let project = match ctx.q("project").map(str::parse::<i64>) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            return json_resp(400, &json!({"project": ["Enter a number."]}));
        }
    };
    let state = shared.state();
    let models: Vec<&Model> = state
        .ml
        .models
        .values()
        .filter(|m| released.is_none_or(|r| m.fields["is_released"] == r))
        .filter(|m| project.is_none_or(|p| m.fields["project"] == p))
        .collect();
    paginate(ctx, models, shared.config.page_size, |m| model_json(ctx, m))
}

fn get_model(shared: &Shared, ctx: &Ctx, id: &str) -> Resp {
    let state = shared.state();
    match id.parse::<i64>().ok().and_then(|i| state.ml.models.get(&i)) {
        Some(m) => json_resp(200, &model_json(ctx, m)),
        None => not_found(),
    }
}

/// The fields of `ModelCreateRequest`; any other key is dropped.
const MODEL_FIELDS: [&str; 7] = [
    "name",
    "plugin",
    "version",
    "checkpoint",
    "chunked_upload",
    "configuration",
    "description",
];

/// `POST models/`: the model, with the file of its finished chunked upload stored as
/// `models/<id>/<file name>`.
fn create_model(shared: &Shared, ctx: &Ctx) -> Resp {
    let mut form = match Form::new(ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    form.require_str("name");
    let plugin = form.optional_str("plugin").and_then(|code| {
        let found = state
            .plugins
            .iter()
            .find(|(_, p)| p["code"] == code.as_str());
        match found {
            Some((id, p)) => Some((*id, p["category"].clone(), code)),
            None => {
                form.error("plugin", format!("Object with code={code} does not exist."));
                None
            }
        }
    });
    form.optional_str("version");
    let checkpoint = match form.get("checkpoint").cloned() {
        None => None,
        Some(Value::Number(n)) => match n.as_i64().filter(|i| state.ml.models.contains_key(i)) {
            Some(i) => Some(i),
            None => {
                form.error(
                    "checkpoint",
                    format!("Invalid pk \"{n}\" - object does not exist."),
                );
                None
            }
        },
        Some(other) => {
            form.error(
                "checkpoint",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    type_name(&other)
                ),
            );
            None
        }
    };
    let upload = match form.get("chunked_upload").cloned() {
        None => None,
        Some(v @ (Value::String(_) | Value::Number(_))) => {
            let id = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            match state.uploads.get(&id) {
                Some(u) if u.completed.is_some() => Some(id),
                Some(_) => {
                    form.error("chunked_upload", "The chunked upload is not complete.");
                    None
                }
                None => {
                    form.error(
                        "chunked_upload",
                        format!("Invalid pk \"{id}\" - object does not exist."),
                    );
                    None
                }
            }
        }
        Some(other) => {
            form.error(
                "chunked_upload",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    type_name(&other)
                ),
            );
            None
        }
    };
    if let Some(c) = form.get("configuration")
        && !c.is_object()
    {
        let message = format!(
            "Expected a dictionary of items but got type \"{}\".",
            type_name(c)
        );
        form.error("configuration", message);
    }
    if let Some(d) = form.get("description")
        && !d.is_string()
    {
        form.error("description", "Not a valid string.");
    }
    let body = match form.finish(&MODEL_FIELDS) {
        Ok(body) => body,
        Err(resp) => return resp,
    };
    state.ml.next_model += 1;
    let id = state.ml.next_model;
    let file_key = upload.and_then(|upload_id| {
        let upload = state.uploads.get(&upload_id)?;
        let (_, md5) = upload.completed.as_ref()?;
        let name = upload.filename.replace('/', "_");
        let object = Object {
            size: upload.offset,
            md5: md5.clone(),
            sha1: upload
                .content
                .as_ref()
                .map(|c| crate::object_store::hex(&Sha1::digest(c)))
                .unwrap_or_default(),
            content: upload.content.clone().map(bytes::Bytes::from),
            content_type: None,
        };
        let key = format!("models/{id}/{name}");
        state.objects.put(&key, object);
        Some(key)
    });
    let field = |k: &str| body.get(k).filter(|v| !v.is_null()).cloned();
    let fields = json!({
        "id": id, "name": field("name"),
        "category": plugin.as_ref().map(|(_, c, _)| c.clone()),
        "is_released": false, "is_external": false, "created": rfc3339(SystemTime::now()),
        "tenant_id": 1, "neural_net_id": plugin.as_ref().map(|(p, _, _)| *p),
        "dataset_id": null, "project": null,
        "plugin": plugin.as_ref().map(|(_, _, code)| code.clone()),
        "version": field("version"), "checkpoint": checkpoint,
        "description": field("description").unwrap_or(json!("")),
        "configuration": field("configuration").unwrap_or(json!({})),
    });
    let model = Model {
        fields: fields.as_object().cloned().unwrap_or_default(),
        file_key,
        metrics: json!({}),
    };
    let answer = model_json(ctx, &model);
    state.ml.models.insert(id, model);
    json_resp(201, &answer)
}

/// The ground-truth filters of a request.
struct GtFilter {
    /// Events of any of these versions (none: all).
    events: Option<BTreeSet<i64>>,
    dataset: Option<i64>,
    category: Option<String>,
}

impl GtFilter {
    /// `ground_truth_dataset_versions` (repeated, each a known version),
    /// `ground_truth_dataset`, `category`; `Err` is django-filter's 400.
    fn parse(ml: &MlState, ctx: &Ctx) -> Result<GtFilter, Resp> {
        let mut events: Option<BTreeSet<i64>> = None;
        let mut bad = Vec::new();
        for (_, v) in ctx
            .query
            .iter()
            .filter(|(k, _)| k == "ground_truth_dataset_versions")
        {
            match v.parse::<i64>().ok().and_then(|id| ml.versions.get(&id)) {
                Some(version) => events
                    .get_or_insert_with(BTreeSet::new)
                    .extend(&version.events),
                None => bad.push(format!(
                    "Select a valid choice. {v} is not one of the available choices."
                )),
            }
        }
        let mut errors = Map::new();
        if !bad.is_empty() {
            errors.insert("ground_truth_dataset_versions".into(), json!(bad));
        }
        let dataset = match ctx.q("ground_truth_dataset").filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(id) if ml.versions.values().any(|x| x.dataset == id) => Some(id),
                _ => {
                    errors.insert(
                        "ground_truth_dataset".into(),
                        json!([
                            "Select a valid choice. That choice is not one of the available choices."
                        ]),
                    );
                    None
                }
            },
        };
        let category = match ctx.q("category").filter(|v| !v.is_empty()) {
            None => None,
            Some(c @ ("train" | "validation" | "test")) => Some(c.to_owned()),
            Some(other) => {
                errors.insert(
                    "category".into(),
                    json!([format!(
                        "Select a valid choice. {other} is not one of the available choices."
                    )]),
                );
                None
            }
        };
        if !errors.is_empty() {
            return Err(json_resp(400, &Value::Object(errors)));
        }
        Ok(GtFilter {
            events,
            dataset,
            category,
        })
    }

    fn ground_truth(&self, gt: &GroundTruth) -> bool {
        self.dataset.is_none_or(|d| gt.dataset == d)
            && self.category.as_deref().is_none_or(|c| gt.category == c)
    }
}

/// A ground truth's files, keyed by specification name (`image_1`, `data_meta_1`).
fn files_json(shared_objects: &crate::object_store::ObjectStore, ctx: &Ctx, gt: i64) -> Value {
    let mut files = Map::new();
    for (name, file, file_type, primary) in [
        ("image_1", "image_1.jpg", "image", true),
        ("data_meta_1", "data_meta_1.json", "data", false),
    ] {
        let key = gt_key(gt, file);
        let object = shared_objects.get(&key);
        files.insert(
            name.to_owned(),
            json!({
                "url": presigned_url(ctx, &Method::GET, &key, URL_LIFETIME, &[]),
                "file_type": file_type, "is_primary": primary,
                "size": object.map(|o| o.size), "checksum": object.map(|o| o.sha1.clone()),
            }),
        );
    }
    Value::Object(files)
}

/// Keeps only the `fields` asked for (repeated or comma-separated), when any are.
fn only_fields(ctx: &Ctx, mut v: Value) -> Value {
    let wanted: Vec<&str> = ctx
        .query
        .iter()
        .filter(|(k, _)| k == "fields")
        .flat_map(|(_, v)| v.split(','))
        .filter(|f| !f.is_empty())
        .collect();
    if !wanted.is_empty()
        && let Some(o) = v.as_object_mut()
    {
        o.retain(|k, _| wanted.contains(&k.as_str()));
    }
    v
}

fn list_ground_truths(shared: &Shared, ctx: &Ctx) -> Resp {
    let state = shared.state();
    let ml = &state.ml;
    let filter = match GtFilter::parse(ml, ctx) {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let in_versions: Option<BTreeSet<i64>> = filter.events.as_ref().map(|events| {
        events
            .iter()
            .filter_map(|e| ml.events.get(e))
            .map(|e| e.ground_truth)
            .collect()
    });
    let gts: Vec<&GroundTruth> = ml
        .ground_truths
        .values()
        .filter(|gt| in_versions.as_ref().is_none_or(|s| s.contains(&gt.id)))
        .filter(|gt| filter.ground_truth(gt))
        .collect();
    paginate(ctx, gts, shared.config.page_size, |gt| {
        json!({
            "id": gt.id, "ground_truth_dataset_id": gt.dataset, "data_unit_id": gt.data_unit,
            "category": gt.category, "project_id": gt.project, "data": gt.data,
            "classes": gt.classes, "files": files_json(&state.objects, ctx, gt.id),
        })
    })
}

/// `GET sdk/ground_truth_events/…`: each item is the event (`data` when expanded, files by
/// name), `{id, data}`, or the event with its files as a list, as `view` says.
fn list_events(shared: &Shared, ctx: &Ctx, view: ListView) -> Resp {
    let state = shared.state();
    let ml = &state.ml;
    let filter = match GtFilter::parse(ml, ctx) {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let events: Vec<(&GtEvent, &GroundTruth)> = ml
        .events
        .values()
        .filter(|e| filter.events.as_ref().is_none_or(|s| s.contains(&e.id)))
        .filter_map(|e| ml.ground_truths.get(&e.ground_truth).map(|gt| (e, gt)))
        .filter(|(_, gt)| filter.ground_truth(gt))
        .collect();
    let with_data = expands(ctx, "data");
    paginate(ctx, events, shared.config.page_size, |(e, gt)| {
        let data_text = e.data.to_string();
        let mut v = json!({
            "id": e.id, "pgh_id": e.id, "pgh_obj_id": gt.id, "pgh_label": e.label,
            "pgh_created_at": e.created, "data_unit_id": gt.data_unit,
            "ground_truth_dataset_id": gt.dataset, "category": gt.category,
            "data_size": data_text.len(), "data_digest": crate::object_store::hex(&Sha1::digest(data_text.as_bytes())),
            "data_content_type": "application/json",
        });
        match view {
            ListView::Full => {
                v["files"] = files_json(&state.objects, ctx, gt.id);
                if with_data {
                    v["data"] = e.data.clone();
                }
            }
            ListView::Data => v = json!({"id": e.id, "data": e.data}),
            ListView::Files => {
                let files: Vec<Value> = files_json(&state.objects, ctx, gt.id)
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, f)| {
                        let mut f = f.clone();
                        f["name"] = json!(name);
                        f
                    })
                    .collect();
                v["files"] = json!(files);
            }
        }
        only_fields(ctx, v)
    })
}

fn version_json(v: &Version) -> Value {
    json!({
        "id": v.id, "version": v.version, "created": v.created,
        "ground_truth_dataset_id": v.dataset, "description": v.description,
        "is_archived": v.is_archived,
    })
}

fn list_versions(shared: &Shared, ctx: &Ctx) -> Resp {
    let archived = match bool_filter(ctx, "is_archived") {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let state = shared.state();
    let ml = &state.ml;
    let dataset = match ctx.q("ground_truth_dataset").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(id) if ml.versions.values().any(|x| x.dataset == id) => Some(id),
            _ => {
                return json_resp(
                    400,
                    &json!({"ground_truth_dataset": [
                        "Select a valid choice. That choice is not one of the available choices."
                    ]}),
                );
            }
        },
    };
    let versions: Vec<&Version> = ml
        .versions
        .values()
        .filter(|v| dataset.is_none_or(|d| v.dataset == d))
        .filter(|v| archived.is_none_or(|a| v.is_archived == a))
        .collect();
    paginate(ctx, versions, shared.config.page_size, version_json)
}

fn get_version(shared: &Shared, _ctx: &Ctx, id: &str) -> Resp {
    let state = shared.state();
    match id
        .parse::<i64>()
        .ok()
        .and_then(|i| state.ml.versions.get(&i))
    {
        Some(v) => json_resp(200, &version_json(v)),
        None => not_found(),
    }
}
