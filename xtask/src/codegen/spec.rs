//! The OpenAPI document: loading, references, operations, and which tags use which schemas.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use openapiv3::{OpenAPI, Operation, ReferenceOr, Schema};
use serde_json::Value;

/// Prefix of a reference to a component schema.
const SCHEMA_REF: &str = "#/components/schemas/";

/// Reads and parses the document (YAML).
pub fn load(path: &Path) -> Result<OpenAPI, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a document from YAML (or JSON) text.
pub fn parse(text: &str) -> Result<OpenAPI, String> {
    serde_yaml_ng::from_str(text).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))
}

/// The component name of a `#/components/schemas/<name>` reference.
pub fn ref_name(reference: &str) -> Result<&str, String> {
    reference
        .strip_prefix(SCHEMA_REF)
        .ok_or_else(|| format!("unsupported reference {reference:?} (only {SCHEMA_REF}…)"))
}

/// The component schemas, in document order.
pub fn schemas(spec: &OpenAPI) -> Vec<(&str, &ReferenceOr<Schema>)> {
    spec.components
        .as_ref()
        .map(|c| c.schemas.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// One operation with its method and path.
pub struct Op<'a> {
    /// Lowercase HTTP method.
    pub method: &'a str,
    /// The path template.
    pub path: &'a str,
    /// The operation.
    pub op: &'a Operation,
}

/// Every operation, by path in document order, then by method in `openapiv3`'s fixed order.
pub fn operations(spec: &OpenAPI) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    for (path, item) in spec.paths.iter() {
        if let ReferenceOr::Item(item) = item {
            for (method, op) in item.iter() {
                out.push(Op { method, path, op });
            }
        }
    }
    out
}

/// Every component name referenced anywhere inside a serialisable value.
pub fn refs_in<T: serde::Serialize>(value: &T) -> Result<Vec<String>, String> {
    let value =
        serde_json::to_value(value).map_err(|e| format!("cannot walk the document: {e}"))?;
    let mut out = Vec::new();
    collect_refs(&value, &mut out);
    Ok(out)
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix(SCHEMA_REF) {
                            out.push(name.to_owned());
                        }
                    }
                    _ => collect_refs(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The first tag of every operation that uses each component schema, directly (in its
/// parameters, request body or responses) or, for a schema no operation names, through the
/// schemas that reference it.
pub fn owning_tags(spec: &OpenAPI) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in operations(spec) {
        let Some(tag) = op.op.tags.first() else {
            continue;
        };
        let refs = refs_in(&(&op.op.parameters, &op.op.request_body, &op.op.responses))?;
        for name in refs {
            direct.entry(name).or_default().insert(tag.clone());
        }
    }
    // Who references whom.
    let mut referrers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, schema) in schemas(spec) {
        for target in refs_in(schema)? {
            if target != name {
                referrers.entry(target).or_default().insert(name.to_owned());
            }
        }
    }
    let mut out = BTreeMap::new();
    for (name, _) in schemas(spec) {
        let mut seen = BTreeSet::new();
        let tags = owners_of(name, &direct, &referrers, &mut seen);
        out.insert(name.to_owned(), tags);
    }
    Ok(out)
}

fn owners_of(
    name: &str,
    direct: &BTreeMap<String, BTreeSet<String>>,
    referrers: &BTreeMap<String, BTreeSet<String>>,
    seen: &mut BTreeSet<String>,
) -> BTreeSet<String> {
    if let Some(tags) = direct.get(name) {
        return tags.clone();
    }
    if !seen.insert(name.to_owned()) {
        return BTreeSet::new();
    }
    let mut out = BTreeSet::new();
    for referrer in referrers.get(name).into_iter().flatten() {
        out.extend(owners_of(referrer, direct, referrers, seen));
    }
    out
}
