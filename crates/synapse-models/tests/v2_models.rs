//! The generated v2 models (`--features v2`).
//!
//! - Every example of the OpenAPI document (`tests/fixtures/v2/examples.json`, written by
//!   `cargo xtask codegen`) decodes into its model and encodes back to the same JSON (plus the
//!   defaults a request body writes), unknown keys included; an example that contradicts its
//!   schema (the fixture lists how) fails to decode.
//! - The field kinds: required, required-nullable, optional, tri-state request fields,
//!   defaults, open enums (string and integer), the open union, free-form values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use synapse_models::v2::*;
use synapse_models::{JobId, Nullable, ProjectId, Timestamp};

/// Decodes `value` as `T` and encodes it again.
fn reencode<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let model: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&model).map_err(|e| e.to_string())
}

/// `reencode` for the model named `schema`; `None` when the name is not in this list.
fn reencode_as(schema: &str, value: &Value) -> Option<Result<Value, String>> {
    macro_rules! by_name {
        ($($ty:ident),+ $(,)?) => {
            match schema {
                $( stringify!($ty) => Some(reencode::<$ty>(value)), )+
                _ => None,
            }
        };
    }
    by_name![
        AnnotationConfigurationSchemaV2Response,
        DataCollectionV2CreateRequest,
        DataUnitV2BulkCreateRequest,
        DataUnitV2BulkCreateResult,
        FileSpecificationSchemaV2Response,
        GroundTruthV2Detail,
        JobConsoleLogsV2Response,
        JobLogV2BulkCreateRequest,
        JobLogV2CreateRequest,
        JobV2Detail,
        PaginatedDataCollectionV2ListList,
        PaginatedDataUnitV2ListList,
        PaginatedJobV2ListList,
        PaginatedProjectV2ListList,
        PaginatedTaskV2ListList,
        PatchedJobV2PartialUpdateRequest,
        ProjectV2CreateRequest,
        TargetRoleCreate,
        TargetRoleCreateRequest,
        TaskV2BulkCreateRequest,
        TaskV2BulkCreateResult,
        UserMeSerializerV2,
    ]
}

fn examples() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/v2/examples.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A copy with an unknown key added to the object and to the first item of its `results`.
fn with_unknown_keys(value: &Value) -> Value {
    let mut value = value.clone();
    let extra = json!({"nested": [1, null, {"k": "v"}]});
    if let Some(map) = value.as_object_mut() {
        map.insert("x_added_by_test".to_owned(), extra.clone());
        if let Some(first) = map
            .get_mut("results")
            .and_then(Value::as_array_mut)
            .and_then(|items| items.first_mut())
            .and_then(Value::as_object_mut)
        {
            first.insert("x_added_by_test".to_owned(), extra);
        }
    }
    value
}

#[test]
fn document_examples_round_trip_through_their_models() {
    let examples = examples();
    assert_eq!(
        examples.len(),
        31,
        "the document's examples of component schemas"
    );
    let mut covered = BTreeSet::new();
    let mut refused = 0;
    for example in &examples {
        let schema = example["schema"].as_str().unwrap();
        let label = format!(
            "{} {} {}",
            example["operation"], example["in"], example["example"]
        );
        let value = &example["value"];
        let violations = example["violations"].as_array().unwrap();
        let result = reencode_as(schema, value)
            .unwrap_or_else(|| panic!("{label}: add {schema} to reencode_as"));
        covered.insert(schema);
        if violations.is_empty() {
            let written = result.unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(written, example["expected"], "{label}");
            // Unknown keys survive, at the top and inside list items.
            let value = with_unknown_keys(value);
            let expected = with_unknown_keys(&example["expected"]);
            let written = reencode_as(schema, &value).unwrap().unwrap();
            assert_eq!(written, expected, "{label}: unknown keys");
        } else {
            // The models refuse it, naming one of the keys the fixture found missing.
            let error = result.expect_err(&label);
            let named = violations.iter().any(|v| {
                let key = v.as_str().unwrap().split('`').nth(1).unwrap_or_default();
                error.contains(&format!("missing field `{key}`"))
            });
            assert!(named, "{label}: {error} (violations: {violations:?})");
            refused += 1;
        }
    }
    assert_eq!(covered.len(), 22);
    // GroundTruthV2Detail x3 and JobV2Detail x3 omit required keys (one is a dry-run answer
    // of another shape), the two job-log requests omit `event` and `datetime`.
    assert_eq!(refused, 8);
}

#[test]
fn request_defaults_are_written_when_absent() {
    let example = examples()
        .into_iter()
        .find(|e| e["schema"] == "JobLogV2CreateRequest")
        .unwrap();
    // The document's example lacks the required `event` and `datetime`; with them it decodes,
    // and the defaults of `step` and `level` are written.
    let mut value = example["value"].clone();
    value["event"] = json!("train");
    value["datetime"] = json!("2026-05-08T09:55:00Z");
    let request: JobLogV2CreateRequest = serde_json::from_value(value).unwrap();
    assert_eq!(request.step, "");
    assert!(request.level.is_unknown(), "the example spells it INFO");
    assert_eq!(request.level.as_str(), "INFO");
    let written = serde_json::to_value(&request).unwrap();
    assert_eq!(written["step"], "");
    assert_eq!(written["level"], "INFO");
    assert_eq!(written["event"], "train");
    assert!(!written.as_object().unwrap().contains_key("file"));

    let minimal: JobLogV2CreateRequest = serde_json::from_value(json!({
        "event": "e", "data": null, "datetime": "2026-05-08T09:55:00Z"
    }))
    .unwrap();
    assert_eq!(minimal.level, JobLogLevel::Info);
    assert_eq!(
        serde_json::to_value(&minimal).unwrap(),
        json!({"event": "e", "step": "", "level": "info", "data": null, "datetime": "2026-05-08T09:55:00Z"})
    );
}

#[test]
fn required_fields_must_be_present_and_required_nullable_ones_may_be_null() {
    // `AccessTokenV2Detail.last_used` is required and nullable.
    let token = json!({"id": 7, "description": "ci", "last_used": null});
    let decoded: AccessTokenV2Detail = serde_json::from_value(token.clone()).unwrap();
    assert_eq!(decoded.last_used, None);
    let written = serde_json::to_value(&decoded).unwrap();
    assert_eq!(
        written["last_used"],
        Value::Null,
        "written as null, not dropped"
    );
    assert_eq!(written, token);

    let mut missing = token.as_object().unwrap().clone();
    missing.remove("last_used");
    let error = serde_json::from_value::<AccessTokenV2Detail>(Value::Object(missing)).unwrap_err();
    assert!(
        error.to_string().contains("missing field `last_used`"),
        "{error}"
    );
}

#[test]
fn ids_and_timestamps_use_the_crate_types() {
    let project = json!({
        "id": 12, "title": "Cars", "category": "image", "category_display": "이미지",
        "created": "2026-01-15T09:00:00", "is_archived": false, "task_count": 3
    });
    let decoded: ProjectV2List = serde_json::from_value(project.clone()).unwrap();
    assert_eq!(decoded.id, ProjectId(12));
    assert_eq!(decoded.category, ProjectCategory::Image);
    // Kept as received (no offset).
    assert_eq!(decoded.created, Timestamp::from("2026-01-15T09:00:00"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), project);

    let job: JobV2Embedded = serde_json::from_value(json!({
        "id": "6f1c2a10-0000-4000-8000-000000000001", "status": "ARCHIVED", "action": "train",
        "created": "2026-05-08T09:55:00Z", "completed": null
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(job.id, JobId::from("6f1c2a10-0000-4000-8000-000000000001"));
    assert!(job.status.is_unknown());
    assert_eq!(job.status.as_str(), "ARCHIVED");
}

#[test]
fn patch_bodies_leave_out_clear_or_set_nullable_fields() {
    // `PatchedDataUnitV2CreateRequest.group` is optional and nullable.
    let mut patch = PatchedDataUnitV2CreateRequest::default();
    assert_eq!(serde_json::to_value(&patch).unwrap(), json!({}));
    patch.group = Nullable::Null;
    patch.meta = Some(json!({"a": null}));
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        json!({"group": null, "meta": {"a": null}})
    );
    patch.group = Nullable::Value(4);
    assert_eq!(serde_json::to_value(&patch).unwrap()["group"], 4);

    let decoded: PatchedDataUnitV2CreateRequest =
        serde_json::from_value(json!({"group": null})).unwrap();
    assert_eq!(decoded.group, Nullable::Null);
    assert_eq!(decoded.data_collection, None);
    assert!(
        decoded.extra.is_empty(),
        "a tri-state null is not an unknown key"
    );
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        json!({"group": null})
    );
}

#[test]
fn open_enums_keep_unknown_values() {
    let status: WorkshopStatus = serde_json::from_value(json!(2)).unwrap();
    assert_eq!(status, WorkshopStatus::Restricted);
    let other: WorkshopStatus = serde_json::from_value(json!(9)).unwrap();
    assert_eq!(other, WorkshopStatus::Unknown(9));
    assert_eq!(serde_json::to_value(other).unwrap(), json!(9));
    assert_eq!(WorkshopStatus::KNOWN, &[0, 1, 2, 3]);

    assert_eq!(Caution::from(""), Caution::Blank);
    assert_eq!(
        ContainerHealthState::from("unknown"),
        ContainerHealthState::UnknownState
    );
    assert!(ContainerHealthState::from("degraded").is_unknown());
}

#[test]
fn the_statistics_union_is_chosen_by_kind_and_keeps_other_kinds() {
    let class = json!({
        "kind": "class", "computed_at": null, "realtime": true, "results": []
    });
    let decoded: ProjectStatisticsV2 =
        serde_json::from_value(class.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(decoded, ProjectStatisticsV2::Class(_)),
        "{decoded:?}"
    );
    assert_eq!(decoded.tag(), Some("class"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), class);

    let future = json!({"kind": "latency", "p50": 3});
    let decoded: ProjectStatisticsV2 = serde_json::from_value(future.clone()).unwrap();
    assert_eq!(decoded, ProjectStatisticsV2::Unknown(future.clone()));
    assert_eq!(decoded.tag(), Some("latency"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), future);

    // A known kind with a broken body is an error, not an unknown value.
    let error =
        serde_json::from_value::<ProjectStatisticsV2>(json!({"kind": "class"})).unwrap_err();
    assert!(error.to_string().contains("missing field"), "{error}");
}

#[test]
fn models_have_json_schemas() {
    let schema = schemars::schema_for!(AccessTokenV2Detail).to_value();
    let required = schema["required"].as_array().unwrap();
    assert!(required.contains(&json!("last_used")), "{schema}");
    assert_eq!(schema["additionalProperties"], json!(true));
    let union = schemars::schema_for!(ProjectStatisticsV2).to_value();
    assert_eq!(union["anyOf"].as_array().unwrap().len(), 5, "{union}");
}
