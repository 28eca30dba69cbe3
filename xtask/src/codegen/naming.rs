//! Rust names from OpenAPI names: types, fields, enum variants, modules.

/// Rust keywords (strict and reserved, 2024 edition) that cannot name a field.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The words of a name: split at `_`, `-`, spaces and other non-alphanumerics, and at case
/// changes (`dataCollection` → `data`, `Collection`; `HTTPServer` → `HTTP`, `Server`;
/// `V2Detail` → `V2`, `Detail`: a capital after a digit starts a word).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_ascii_uppercase() => {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            }
            _ => false,
        };
        if boundary && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.push(c);
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `PascalCase` of a name; words that are all capitals are lowered first (`PENDING` →
/// `Pending`), so is the rest of every word (`dm_schema_v1` → `DmSchemaV1`).
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            let all_caps = word.chars().all(|c| !c.is_ascii_lowercase());
            if all_caps {
                out.push_str(&rest.to_ascii_lowercase());
            } else {
                out.push_str(&rest);
            }
        }
    }
    out
}

/// A type name from a component name: kept when it is already a Rust type name, else its
/// `PascalCase` (`_LineageModel` → `LineageModel`).
pub fn type_name(component: &str) -> String {
    let valid = component.starts_with(|c: char| c.is_ascii_uppercase())
        && component.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        component.to_owned()
    } else {
        pascal(component)
    }
}

/// `snake_case` of a name.
pub fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// The Rust field for a wire key: `snake_case`, a leading digit prefixed with `n`, a keyword
/// suffixed with `_`, `type` named `kind` (unless `taken("kind")`: the struct has a `kind`
/// key).
pub fn field_name(key: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let mut name = snake(key);
    if name.is_empty() {
        name = "field".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if name == "type" && !taken("kind") {
        return "kind".to_owned();
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// An enum variant for a wire value: `PascalCase`; the empty string is `Blank`; a leading digit
/// is prefixed with `V`.
pub fn variant_name(value: &str) -> String {
    let name = pascal(value);
    if name.is_empty() {
        return "Blank".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// The module (file stem) of an OpenAPI tag: `Ground Truth Datasets` → `ground_truth_datasets`,
/// `Async_Jobs` → `async_jobs`.
pub fn module_name(tag: &str) -> String {
    snake(tag)
}

/// The `PascalCase` words of a tag's singular: `Ground Truth Datasets` → `GroundTruthDataset`.
pub fn tag_singular(tag: &str) -> String {
    let name = pascal(tag);
    match name.strip_suffix('s') {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => name,
    }
}

/// The family of a component: its words before `V2` (or, without `V2`, before a trailing
/// `Request`/`Response`/`Result`), without a leading `Patched`: `PatchedDataCollectionV2UpdateRequest`
/// → `DataCollection`.
pub fn family(component: &str) -> Vec<String> {
    let mut ws = words(&type_name(component));
    if ws.first().is_some_and(|w| w == "Patched") {
        ws.remove(0);
    }
    if let Some(at) = ws.iter().position(|w| w == "V2") {
        ws.truncate(at);
        return ws;
    }
    while ws.len() > 1
        && ws
            .last()
            .is_some_and(|w| matches!(w.as_str(), "Request" | "Response" | "Result"))
    {
        ws.pop();
    }
    ws
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_joins_names() {
        assert_eq!(
            words("PatchedDataCollectionV2UpdateRequest").join(" "),
            "Patched Data Collection V2 Update Request"
        );
        assert_eq!(words("_LineageModel"), ["Lineage", "Model"]);
        assert_eq!(pascal("stand_by"), "StandBy");
        assert_eq!(pascal("PENDING"), "Pending");
        assert_eq!(pascal("dm_schema_v1"), "DmSchemaV1");
        assert_eq!(type_name("_LineageModel"), "LineageModel");
        assert_eq!(type_name("ProjectV2List"), "ProjectV2List");
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(variant_name(""), "Blank");
        assert_eq!(variant_name("3d"), "V3d");
        assert_eq!(module_name("Async_Jobs"), "async_jobs");
        assert_eq!(
            module_name("Ground Truth Datasets"),
            "ground_truth_datasets"
        );
        assert_eq!(tag_singular("Ground Truth Datasets"), "GroundTruthDataset");
        assert_eq!(tag_singular("Account"), "Account");
        assert_eq!(
            family("PatchedDataCollectionV2UpdateRequest"),
            ["Data", "Collection"]
        );
        assert_eq!(
            family("GroundTruthEventBulkDataRequestRequest").concat(),
            "GroundTruthEventBulkData"
        );
    }

    #[test]
    fn field_names_avoid_keywords() {
        let none = |_: &str| false;
        let kind_taken = |k: &str| k == "kind";
        assert_eq!(field_name("type", &none), "kind");
        assert_eq!(field_name("type", &kind_taken), "type_");
        assert_eq!(field_name("match", &none), "match_");
        assert_eq!(field_name("2fa", &none), "n2fa");
        assert_eq!(field_name("created_at", &none), "created_at");
        assert_eq!(field_name("schema", &none), "schema");
    }
}
