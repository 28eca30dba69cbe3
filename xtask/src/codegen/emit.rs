//! Rust source text of the models: one file per module, `mod.rs` re-exporting them all.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::models::{EnumValues, Field, FieldKind, Item, Models, Ty};
use super::{HEADER, rustfmt};

/// What `mod.rs` says about the whole module (after its first line).
const MODULE_DOC: &str = "\
Every component schema of the document is a type here, with the schema's description as its
documentation, re-exported from the module of its resource (the `Projects` operations' models
in `projects`, models several resources share in `common`).

- **Structs** keep unknown keys in `extra` and write them back. A field the document lists as
  required is a plain `T` (absent is a decode error); required and nullable is an `Option<T>`
  that is always written (`None` as `null`); an optional field is an `Option<T>` that is not
  written when `None`.
- **Request bodies** (`…Request`) also have [`Nullable<T>`](crate::Nullable) for optional
  nullable fields, so a body can leave a field out, clear it with `null`, or set it; the
  document's defaults are written explicitly (`= value`).
- **Enums** are open: known variants plus `Unknown`, so a value the server adds later still
  decodes. `oneOf` schemas with a discriminator are open unions (`Unknown` keeps the value).
- Timestamps are [`Timestamp`](crate::Timestamp)s kept as received; ids are the crate's id
  newtypes; free-form values are `serde_json::Value` or `Map`.";

/// Renders every file of `crates/synapse-models/src/v2/`, by file name.
pub fn render(models: &Models, title: &str) -> Result<BTreeMap<String, String>, String> {
    let mut by_module: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    let mut module_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (module, item) in &models.items {
        by_module.entry(module.as_str()).or_default().push(item);
        module_of.insert(item.name(), module.as_str());
    }
    let mut files = BTreeMap::new();
    for (module, items) in &by_module {
        let summary = models
            .modules
            .get(*module)
            .cloned()
            .unwrap_or_else(|| format!("Models of `{module}`."));
        let text = render_module(module, &summary, items, &module_of)?;
        files.insert(format!("{module}.rs"), rustfmt::format(&text)?);
    }
    let mut root = String::new();
    writeln!(root, "{HEADER}").ok();
    writeln!(
        root,
        "//! Typed models of the {title}, generated from its OpenAPI document."
    )
    .ok();
    writeln!(root, "//!").ok();
    for line in MODULE_DOC.lines() {
        writeln!(root, "//! {line}").ok();
    }
    writeln!(root).ok();
    for module in by_module.keys() {
        writeln!(root, "mod {module};").ok();
    }
    writeln!(root).ok();
    for module in by_module.keys() {
        writeln!(root, "pub use {module}::*;").ok();
    }
    files.insert("mod.rs".to_owned(), rustfmt::format(&root)?);
    Ok(files)
}

/// One module's source (before rustfmt).
pub fn render_module(
    module: &str,
    summary: &str,
    items: &[&Item],
    module_of: &BTreeMap<&str, &str>,
) -> Result<String, String> {
    let mut body = String::new();
    let mut imports = Imports::default();
    for item in items {
        render_item(&mut body, item, &mut imports);
    }
    let mut out = String::new();
    writeln!(out, "{HEADER}").ok();
    writeln!(out, "//! {summary}").ok();
    writeln!(out).ok();
    let mut uses = Vec::new();
    if imports.btree_map {
        uses.push("use std::collections::BTreeMap;".to_owned());
    }
    match (imports.json_map, imports.json_value) {
        (true, true) => uses.push("use serde_json::{Map, Value};".to_owned()),
        (true, false) => uses.push("use serde_json::Map;".to_owned()),
        (false, true) => uses.push("use serde_json::Value;".to_owned()),
        (false, false) => {}
    }
    if !imports.krate.is_empty() {
        uses.push(format!("use crate::{};", braced(&imports.krate)));
    }
    let local: BTreeSet<&str> = items.iter().map(|i| i.name()).collect();
    let mut siblings: BTreeSet<String> = BTreeSet::new();
    for name in &imports.models {
        if local.contains(name.as_str()) {
            continue;
        }
        if !module_of.contains_key(name.as_str()) {
            return Err(format!("{module}: {name} is not generated"));
        }
        // Through `mod.rs`'s re-exports.
        siblings.insert(name.clone());
    }
    if !siblings.is_empty() {
        uses.push(format!("use super::{};", braced(&siblings)));
    }
    for u in uses {
        writeln!(out, "{u}").ok();
    }
    if !out.ends_with("\n\n") {
        writeln!(out).ok();
    }
    out.push_str(&body);
    Ok(out)
}

fn braced(items: &BTreeSet<String>) -> String {
    if items.len() == 1 {
        items.iter().next().cloned().unwrap_or_default()
    } else {
        format!(
            "{{{}}}",
            items.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    }
}

/// The names a module uses from elsewhere.
#[derive(Default)]
struct Imports {
    btree_map: bool,
    json_map: bool,
    json_value: bool,
    krate: BTreeSet<String>,
    models: BTreeSet<String>,
}

impl Imports {
    fn ty(&mut self, ty: &Ty) -> String {
        match ty {
            Ty::Prim(p) => (*p).to_owned(),
            Ty::Crate(name) => {
                self.krate.insert((*name).to_owned());
                (*name).to_owned()
            }
            Ty::Value => {
                self.json_value = true;
                "Value".to_owned()
            }
            Ty::JsonMap => {
                self.json_map = true;
                self.json_value = true;
                "Map<String, Value>".to_owned()
            }
            Ty::StrMap(inner) => {
                self.btree_map = true;
                format!("BTreeMap<String, {}>", self.ty(inner))
            }
            Ty::Model(name) => {
                self.models.insert(name.clone());
                name.clone()
            }
            Ty::Vec(inner) => format!("Vec<{}>", self.ty(inner)),
            Ty::Option(inner) => format!("Option<{}>", self.ty(inner)),
            Ty::Nullable(inner) => {
                self.krate.insert("Nullable".to_owned());
                format!("Nullable<{}>", self.ty(inner))
            }
            Ty::EnumRef(index) => format!("Enum{index}"),
        }
    }
}

fn doc(out: &mut String, indent: &str, lines: &[String]) {
    for line in lines {
        if line.is_empty() {
            writeln!(out, "{indent}///").ok();
        } else {
            writeln!(out, "{indent}/// {line}").ok();
        }
    }
}

fn render_item(out: &mut String, item: &Item, imports: &mut Imports) {
    match item {
        Item::Struct {
            name,
            doc: lines,
            fields,
        } => {
            writeln!(out, "wire_struct! {{").ok();
            if fields.iter().any(|f| f.kind == FieldKind::Required) {
                writeln!(out, "    #[wire(no_default)]").ok();
            }
            doc(out, "    ", lines);
            writeln!(out, "    pub struct {name} {{").ok();
            for field in fields {
                render_field(out, field, imports);
            }
            writeln!(out, "    }}").ok();
            writeln!(out, "}}").ok();
        }
        Item::Union {
            name,
            doc: lines,
            tag,
            variants,
        } => {
            writeln!(out, "open_union! {{").ok();
            doc(out, "    ", lines);
            writeln!(out, "    pub enum {name} (tag = {tag:?}) {{").ok();
            for (variant, value, ty) in variants {
                imports.models.insert(ty.clone());
                writeln!(out, "        /// `{tag}` is `{value:?}`.").ok();
                writeln!(out, "        {variant} = {value:?} => {ty},").ok();
            }
            writeln!(out, "    }}").ok();
            writeln!(out, "}}").ok();
        }
        Item::Enum(def) => {
            match &def.values {
                EnumValues::Str(values) => {
                    writeln!(out, "open_enum! {{").ok();
                    doc(out, "    ", &def.doc);
                    writeln!(out, "    pub enum {} (exact) {{", def.name).ok();
                    for ((variant, vdoc), value) in def.variants.iter().zip(values) {
                        writeln!(out, "        /// {vdoc}").ok();
                        writeln!(out, "        {variant} = {value:?},").ok();
                    }
                }
                EnumValues::Int(values) => {
                    writeln!(out, "open_int_enum! {{").ok();
                    doc(out, "    ", &def.doc);
                    writeln!(out, "    pub enum {} {{", def.name).ok();
                    for ((variant, vdoc), value) in def.variants.iter().zip(values) {
                        writeln!(out, "        /// {vdoc}").ok();
                        writeln!(out, "        {variant} = {value},").ok();
                    }
                }
            }
            writeln!(out, "    }}").ok();
            writeln!(out, "}}").ok();
        }
        Item::Alias {
            name,
            doc: lines,
            ty,
        } => {
            doc(out, "", lines);
            let ty = imports.ty(ty);
            writeln!(out, "pub type {name} = {ty};").ok();
        }
    }
    writeln!(out).ok();
}

fn render_field(out: &mut String, field: &Field, imports: &mut Imports) {
    doc(out, "        ", &field.doc);
    let mut options = Vec::new();
    if field.name != field.key {
        options.push(format!("rename = {:?}", field.key));
    }
    if field.kind == FieldKind::Required {
        options.push("required".to_owned());
    }
    if !options.is_empty() {
        writeln!(out, "        #[wire({})]", options.join(", ")).ok();
    }
    let ty = imports.ty(&field.ty);
    match &field.kind {
        FieldKind::Default(expr) => writeln!(out, "        pub {}: {ty} = {expr},", field.name),
        _ => writeln!(out, "        pub {}: {ty},", field.name),
    }
    .ok();
}
