//! Deterministic sample values of schemas, for the generated request tests: the smallest
//! JSON a schema accepts with every required key (a value of the first enum member, of the
//! string format, `1` for integers …).

use serde_json::{Map, Value, json};

/// Deepest nesting followed; deeper required values are `null`.
const MAX_DEPTH: usize = 8;

/// A sample of `schema`, references resolved in `components`.
pub fn sample(schema: &Value, components: &Map<String, Value>) -> Value {
    walk(schema, components, 0)
}

fn walk(schema: &Value, components: &Map<String, Value>, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return match components.get(name) {
            Some(target) => walk(target, components, depth + 1),
            None => Value::Null,
        };
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return walk(first, components, depth + 1);
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && let Some(first) = values.iter().find(|v| !v.is_null())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!(string_sample(schema)),
        Some("integer") => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
            json!(min.max(1))
        }
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => {
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            json!([walk(&item, components, depth + 1)])
        }
        Some("object") | None if schema.get("properties").is_some() => {
            object(schema, components, depth)
        }
        Some("object") => json!({}),
        _ => json!("sample"),
    }
}

fn string_sample(schema: &Value) -> &'static str {
    match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2026-01-15T09:00:00Z",
        Some("date") => "2026-01-15",
        Some("uuid") => "550e8400-e29b-41d4-a716-446655440000",
        Some("email") => "user@example.com",
        Some("uri") => "https://example.com/sample",
        Some("binary") => "sample.zip",
        Some("password") => "sample-password",
        _ => "sample",
    }
}

fn object(schema: &Value, components: &Map<String, Value>, depth: usize) -> Value {
    let mut out = Map::new();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (key, prop) in props {
            if !required.contains(&key.as_str()) || prop.get("readOnly") == Some(&json!(true)) {
                continue;
            }
            out.insert(key.clone(), walk(prop, components, depth + 1));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_follow_the_schema() {
        let components: Map<String, Value> = serde_json::from_value(json!({
            "Tag": {"type": "object", "required": ["name", "id"], "properties": {
                "id": {"type": "integer", "readOnly": true},
                "name": {"type": "string"},
                "color": {"type": "string"}}}
        }))
        .expect("components");
        let schema = json!({"type": "object", "required": ["tags", "when", "kind", "n"],
            "properties": {
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                "when": {"type": "string", "format": "date-time"},
                "kind": {"type": "string", "enum": [null, "a", "b"]},
                "n": {"type": "integer", "minimum": 5},
                "skip": {"type": "boolean"}}});
        assert_eq!(
            sample(&schema, &components),
            json!({"tags": [{"name": "sample"}], "when": "2026-01-15T09:00:00Z",
                   "kind": "a", "n": 5})
        );
    }
}
