//! The document's examples of component schemas, as a test fixture of the models.
//!
//! Every `examples` entry of a JSON request body or response whose schema is a component
//! reference becomes one entry of `examples.json`:
//!
//! - `value`: the example, with a response's `{data, meta}` envelope unwrapped (a list's
//!   `data` array becomes the page's `results`);
//! - `expected`: what the model writes back after decoding `value`: the same JSON plus the
//!   defaults a request body writes for the keys the example leaves out;
//! - `violations`: where the example contradicts its schema in a way the models refuse (a
//!   required key missing, `null` where the schema does not allow it, a JSON type the schema
//!   does not allow); when there are any, decoding the example must fail.

use std::collections::BTreeMap;

use openapiv3::{AdditionalProperties, OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::{Value, json};

use super::naming;
use super::spec;

/// The fixture's file name.
pub const FILE: &str = "examples.json";

/// `examples.json`, by file name.
pub fn generate(api: &OpenAPI) -> Result<BTreeMap<String, String>, String> {
    let components: BTreeMap<&str, &Schema> = spec::schemas(api)
        .into_iter()
        .filter_map(|(name, s)| match s {
            ReferenceOr::Item(s) => Some((name, s)),
            ReferenceOr::Reference { .. } => None,
        })
        .collect();
    let checker = Checker {
        components: &components,
    };
    let mut entries = Vec::new();
    for op in spec::operations(api) {
        let id = op.op.operation_id.clone().unwrap_or_default();
        let mut bodies = Vec::new();
        if let Some(ReferenceOr::Item(body)) = &op.op.request_body {
            bodies.push(("request".to_owned(), &body.content));
        }
        for (status, response) in &op.op.responses.responses {
            if let ReferenceOr::Item(response) = response {
                bodies.push((format!("response {status}"), &response.content));
            }
        }
        for (place, content) in bodies {
            let Some(media) = content.get("application/json") else {
                continue;
            };
            let Some(ReferenceOr::Reference { reference }) = &media.schema else {
                continue;
            };
            let component = spec::ref_name(reference)?;
            let schema = components
                .get(component)
                .ok_or_else(|| format!("{id}: reference to a missing component {component}"))?;
            for (name, example) in &media.examples {
                let ReferenceOr::Item(example) = example else {
                    continue;
                };
                let Some(raw) = &example.value else {
                    continue;
                };
                let value = if place == "request" {
                    raw.clone()
                } else {
                    unwrap_envelope(raw)
                };
                let mut violations = Vec::new();
                checker.check(schema, false, &value, "$", &mut violations);
                let mut expected = value.clone();
                checker.fill_defaults(component, schema, &mut expected);
                entries.push(json!({
                    "operation": id,
                    "method": op.method,
                    "path": op.path,
                    "in": place,
                    "example": name,
                    "schema": naming::type_name(component),
                    "value": value,
                    "expected": expected,
                    "violations": violations,
                }));
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&Value::Array(entries))
        .map_err(|e| format!("cannot render the examples: {e}"))?;
    text.push('\n');
    Ok([(FILE.to_owned(), text)].into_iter().collect())
}

/// A response body without its envelope: `{data, meta}` (exactly those keys) → `data`, and a
/// list's `data` array → `{"results": data}` (the page shape of the document).
fn unwrap_envelope(value: &Value) -> Value {
    match value.as_object() {
        Some(map) if map.len() == 2 && map.contains_key("data") && map.contains_key("meta") => {
            match &map["data"] {
                Value::Array(items) => json!({ "results": items }),
                data => data.clone(),
            }
        }
        _ => value.clone(),
    }
}

struct Checker<'a> {
    components: &'a BTreeMap<&'a str, &'a Schema>,
}

impl Checker<'_> {
    fn resolve<'s>(&'s self, schema: &'s ReferenceOr<Schema>) -> Option<&'s Schema> {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => spec::ref_name(reference)
                .ok()
                .and_then(|n| self.components.get(n).copied()),
        }
    }

    fn resolve_box<'s>(&'s self, schema: &'s ReferenceOr<Box<Schema>>) -> Option<&'s Schema> {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => spec::ref_name(reference)
                .ok()
                .and_then(|n| self.components.get(n).copied()),
        }
    }

    /// Records where `value` breaks `schema` in a way the models refuse. `nullable`: the
    /// referring schema allowed `null`.
    fn check(
        &self,
        schema: &Schema,
        nullable: bool,
        value: &Value,
        at: &str,
        out: &mut Vec<String>,
    ) {
        let nullable = nullable || schema.schema_data.nullable;
        if value.is_null() {
            let free = matches!(&schema.schema_kind, SchemaKind::Any(a) if a.typ.is_none());
            let enum_null = matches!(&schema.schema_kind,
                SchemaKind::Type(Type::String(s)) if s.enumeration.iter().any(Option::is_none));
            if !(nullable || free || enum_null) {
                out.push(format!("{at}: null where the schema does not allow it"));
            }
            return;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
                self.check_object(o.properties.iter().collect(), &o.required, value, at, out)
            }
            SchemaKind::Any(a) if !a.properties.is_empty() => {
                self.check_object(a.properties.iter().collect(), &a.required, value, at, out)
            }
            SchemaKind::Type(Type::Object(o)) => {
                self.check_map(o.additional_properties.as_ref(), value, at, out)
            }
            SchemaKind::Any(a) if a.typ.as_deref() == Some("object") => {
                self.check_map(a.additional_properties.as_ref(), value, at, out)
            }
            SchemaKind::Type(Type::String(_)) => expect(value.is_string(), "a string", at, out),
            SchemaKind::Type(Type::Integer(_)) => {
                expect(value.is_i64() || value.is_u64(), "an integer", at, out)
            }
            SchemaKind::Type(Type::Number(_)) => expect(value.is_number(), "a number", at, out),
            SchemaKind::Type(Type::Boolean(_)) => expect(value.is_boolean(), "a boolean", at, out),
            SchemaKind::Type(Type::Array(a)) => match value.as_array() {
                Some(items) => {
                    if let Some(item_schema) = a.items.as_ref().and_then(|i| self.resolve_box(i)) {
                        for (i, item) in items.iter().enumerate() {
                            self.check(item_schema, false, item, &format!("{at}[{i}]"), out);
                        }
                    }
                }
                None => out.push(format!("{at}: not an array")),
            },
            SchemaKind::AllOf { all_of } => {
                if let [one] = all_of.as_slice()
                    && let Some(target) = self.resolve(one)
                {
                    self.check(target, nullable, value, at, out);
                }
            }
            SchemaKind::OneOf { .. } => {
                let Some(d) = &schema.schema_data.discriminator else {
                    return;
                };
                let tag = value.get(&d.property_name).and_then(Value::as_str);
                if let Some(target) = tag
                    .and_then(|t| d.mapping.get(t))
                    .and_then(|r| spec::ref_name(r).ok())
                    .and_then(|n| self.components.get(n))
                {
                    self.check(target, false, value, at, out);
                }
            }
            SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } | SchemaKind::Any(_) => {}
        }
    }

    fn check_object(
        &self,
        properties: Vec<(&String, &ReferenceOr<Box<Schema>>)>,
        required: &[String],
        value: &Value,
        at: &str,
        out: &mut Vec<String>,
    ) {
        let Some(map) = value.as_object() else {
            out.push(format!("{at}: not an object"));
            return;
        };
        for key in required {
            if !map.contains_key(key) {
                out.push(format!("{at}: required key `{key}` missing"));
            }
        }
        for (key, property) in properties {
            let Some(item) = map.get(key) else {
                continue;
            };
            // An optional field decodes `null` as unset, whatever the schema says.
            if item.is_null() && !required.contains(key) {
                continue;
            }
            if let Some(schema) = self.resolve_box(property) {
                self.check(schema, false, item, &format!("{at}.{key}"), out);
            }
        }
    }

    fn check_map(
        &self,
        additional: Option<&AdditionalProperties>,
        value: &Value,
        at: &str,
        out: &mut Vec<String>,
    ) {
        let Some(map) = value.as_object() else {
            out.push(format!("{at}: not an object"));
            return;
        };
        if let Some(AdditionalProperties::Schema(schema)) = additional
            && let Some(schema) = self.resolve(schema)
        {
            for (key, item) in map {
                self.check(schema, false, item, &format!("{at}.{key}"), out);
            }
        }
    }

    /// Adds the defaults a request model writes (keys absent or `null`) to `value`.
    fn fill_defaults(&self, component: &str, schema: &Schema, value: &mut Value) {
        let properties: Vec<(&String, &ReferenceOr<Box<Schema>>)> = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => o.properties.iter().collect(),
            SchemaKind::Any(a) => a.properties.iter().collect(),
            _ => Vec::new(),
        };
        let Some(map) = value.as_object_mut() else {
            return;
        };
        let request = component.ends_with("Request");
        let required: &[String] = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => &o.required,
            SchemaKind::Any(a) => &a.required,
            _ => &[],
        };
        for (key, property) in properties {
            match property {
                ReferenceOr::Reference { reference } => {
                    let Ok(name) = spec::ref_name(reference) else {
                        continue;
                    };
                    if let (Some(target), Some(item)) =
                        (self.components.get(name), map.get_mut(key))
                    {
                        self.fill_defaults(name, target, item);
                    }
                }
                ReferenceOr::Item(inner) => {
                    let data = &inner.schema_data;
                    let defaulted = request
                        && !data.read_only
                        && !required.contains(key)
                        && data.default.is_some();
                    if defaulted && map.get(key).is_none_or(Value::is_null) {
                        map.insert(key.clone(), data.default.clone().unwrap_or(Value::Null));
                    }
                    if let Some(item) = map.get_mut(key) {
                        self.fill_inline(inner, item);
                    }
                }
            }
        }
    }

    /// Defaults inside arrays, maps and `allOf` wrappers of component objects.
    fn fill_inline(&self, schema: &Schema, value: &mut Value) {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                if let (Some(AdditionalProperties::Schema(inner)), Some(map)) =
                    (&o.additional_properties, value.as_object_mut())
                    && let ReferenceOr::Reference { reference } = inner.as_ref()
                    && let Ok(name) = spec::ref_name(reference)
                    && let Some(target) = self.components.get(name)
                {
                    for item in map.values_mut() {
                        self.fill_defaults(name, target, item);
                    }
                }
            }
            SchemaKind::Type(Type::Array(a)) => {
                if let (Some(ReferenceOr::Reference { reference }), Some(items)) =
                    (&a.items, value.as_array_mut())
                    && let Ok(name) = spec::ref_name(reference)
                    && let Some(target) = self.components.get(name)
                {
                    for item in items {
                        self.fill_defaults(name, target, item);
                    }
                }
            }
            SchemaKind::AllOf { all_of } => {
                if let [ReferenceOr::Reference { reference }] = all_of.as_slice()
                    && let Ok(name) = spec::ref_name(reference)
                    && let Some(target) = self.components.get(name)
                {
                    self.fill_defaults(name, target, value);
                }
            }
            _ => {}
        }
    }
}

fn expect(ok: bool, what: &str, at: &str, out: &mut Vec<String>) {
    if !ok {
        out.push(format!("{at}: not {what}"));
    }
}
