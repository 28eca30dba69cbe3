//! The models part: every component schema of the document as a Rust model (an intermediate
//! form, rendered by [`super::emit`]).
//!
//! Mapping (the rules the generated module documents):
//!
//! | OpenAPI | Rust |
//! |---|---|
//! | object component | `wire_struct!` struct, unknown keys in `extra` |
//! | `required`, not `nullable` | `#[wire(required)] T` |
//! | `required`, `nullable` | `#[wire(required)] Option<T>` (always written, `None` as `null`) |
//! | optional | `Option<T>`, not written when `None` |
//! | optional `nullable`, in a `…Request` body | `Nullable<T>` (absent, `null` or a value) |
//! | read-only `<name>` or `<name>_id` of a response, `<name>` nullable in its family's requests | `Option<T>`, as if `nullable` (see [`nullable_relations`]) |
//! | `default`, in a `…Request` body | `T = default` (always written) |
//! | string `enum` | `open_enum!` (known variants + `Unknown`) |
//! | integer `enum` | `open_int_enum!` (known variants + `Unknown(i64)`) |
//! | `enum: []` and schemas without a type | `serde_json::Value` |
//! | `oneOf` + `discriminator` | `open_union!` (variants + `Unknown(Value)`) |
//! | `allOf` of one `$ref` | that type |
//! | object without properties | `Map<String, Value>`, or `BTreeMap<String, T>` for typed values |
//! | `format: date-time` | `Timestamp` (kept as received) |
//! | `format: binary` in a `…Request` body | no field: the file is an argument of the operation (sent as a multipart file part) |
//! | a field the client computes from that file (see [`CLIENT_FILLED`]) | optional, whatever `required` says |
//! | `format: uri`, `email`, `uuid`, `binary`, other strings | `String` |
//! | `integer` / `number` / `boolean` | `i64` / `f64` / `bool` |
//! | ids (see [`ID_TYPES`]) | the crate's id newtypes (`ProjectId`, `JobId`, …) |

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::docs;
use super::naming;
use super::spec;

/// The module of the schemas several resources share.
pub const COMMON: &str = "common";

/// Relation names whose integer ids (`<name>`, `<name>_id`, and `id` of `<Name>V2…` schemas)
/// get the crate's id newtypes; `job` ids are UUID strings (`JobId` keeps either form).
pub const ID_TYPES: &[(&str, &str)] = &[
    ("agent", "AgentId"),
    ("assignment", "AssignmentId"),
    ("data_collection", "DataCollectionId"),
    ("data_file", "DataFileId"),
    ("data_unit", "DataUnitId"),
    (
        "ground_truth_dataset_version",
        "GroundTruthDatasetVersionId",
    ),
    ("job", "JobId"),
    ("model", "ModelId"),
    ("plugin", "PluginId"),
    ("plugin_release", "PluginReleaseId"),
    ("project", "ProjectId"),
    ("storage", "StorageId"),
    ("task", "TaskId"),
    ("task_tag", "TaskTagId"),
    ("tenant", "TenantId"),
    ("user", "UserId"),
];

/// `(family, relation)` pairs left as plain integers: an experiment's `task` / `task_id` may
/// not be an annotation task (the document does not say).
const NOT_IDS: &[(&str, &str)] = &[("Experiment", "task")];

/// Required fields of request bodies that the client fills from the operation's file when
/// the caller leaves them out (`sha256` of the uploaded archive): `(component, key)`.
pub const CLIENT_FILLED: &[(&str, &str)] = &[("PluginReleaseV2CreateRequest", "sha256")];

/// Where the server differs from the document: fields it declares with one type but the
/// server sends with several, generated as `serde_json::Value`: `(component, key, what the
/// server sends)`. The note joins the field's documentation.
///
/// `TaskV2BulkFetch.data` is declared a string, but with `response_mode=inline` the server
/// sends the annotation itself (an object); with `presigned` it sends a URL.
pub const WIRE_VALUES: &[(&str, &str, &str)] = &[(
    "TaskV2BulkFetch",
    "data",
    "The server sends the annotation itself (an object) with `response_mode=inline`, a \
     presigned URL (a string) with `presigned`: kept as JSON.",
)];

/// Whether a property is a file (`type: string, format: binary`).
fn is_binary(property: &ReferenceOr<Box<Schema>>) -> bool {
    matches!(
        property,
        ReferenceOr::Item(schema) if matches!(
            &schema.schema_kind,
            SchemaKind::Type(Type::String(s))
                if s.format == VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
        )
    )
}

/// Names of enums that the automatic rule names badly, by `x-spec-enum-id`.
const ENUM_NAMES: &[(&str, &str)] = &[
    // labeler / reviewer (worker posts and workshop participation)
    ("324aff8aac1651d2", "WorkerRole"),
];

/// Variant names of integer enums (their labels are not English), by `x-spec-enum-id`.
const INT_VARIANTS: &[(&str, &[&str])] = &[
    // 차단 / 활성 / 작업 제한 / 비활성
    (
        "5dd539d0e8bebfca",
        &["Blocked", "Active", "Restricted", "Inactive"],
    ),
    // 개별 / 묶음 (1단계) / 묶음 (2단계)
    (
        "159e25e08b94fe3e",
        &["Individual", "BundleOneLevel", "BundleTwoLevels"],
    ),
];

/// A Rust type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `String`, `i64`, `f64`, `bool`.
    Prim(&'static str),
    /// A type of the crate root (`Timestamp`, `ProjectId`, …), imported from `crate`.
    Crate(&'static str),
    /// `serde_json::Value`.
    Value,
    /// `serde_json::Map<String, Value>`.
    JsonMap,
    /// `BTreeMap<String, T>`.
    StrMap(Box<Ty>),
    /// A generated type.
    Model(String),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `Option<T>`.
    Option(Box<Ty>),
    /// `Nullable<T>`.
    Nullable(Box<Ty>),
    /// An enum before naming (an index into the builder's enums).
    EnumRef(usize),
}

impl Ty {
    /// Whether `null` is one of the type's own values (so nullability needs no wrapper).
    fn holds_null(&self) -> bool {
        matches!(self, Ty::Value)
    }
}

/// How a struct field is decoded and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// `#[wire(required)]`.
    Required,
    /// No attribute: `Option<T>` or `Nullable<T>`.
    Optional,
    /// `= expr`.
    Default(String),
    /// `= <enum>::<variant>`, before the enum is named: the enum's index and the wire value.
    EnumDefault(usize, Value),
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust name.
    pub name: String,
    /// Wire key.
    pub key: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Full Rust type (with its `Option`/`Nullable`).
    pub ty: Ty,
    /// Kind.
    pub kind: FieldKind,
}

/// A generated item.
#[derive(Debug, Clone)]
pub enum Item {
    /// A `wire_struct!`.
    Struct {
        /// Rust name.
        name: String,
        /// Doc lines.
        doc: Vec<String>,
        /// Fields in document order.
        fields: Vec<Field>,
    },
    /// An `open_union!`.
    Union {
        /// Rust name.
        name: String,
        /// Doc lines.
        doc: Vec<String>,
        /// The tag key.
        tag: String,
        /// `(variant, tag value, type)`.
        variants: Vec<(String, String, String)>,
    },
    /// An `open_enum!` or `open_int_enum!`.
    Enum(EnumDef),
    /// `pub type Name = T;`
    Alias {
        /// Rust name.
        name: String,
        /// Doc lines.
        doc: Vec<String>,
        /// The aliased type.
        ty: Ty,
    },
}

impl Item {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            Item::Struct { name, .. } | Item::Union { name, .. } | Item::Alias { name, .. } => name,
            Item::Enum(e) => &e.name,
        }
    }
}

/// Known values of an enum.
#[derive(Debug, Clone, PartialEq)]
pub enum EnumValues {
    /// String values.
    Str(Vec<String>),
    /// Integer values.
    Int(Vec<i64>),
}

/// An enum, possibly shared by several fields.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Rust name.
    pub name: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// `(variant, doc)` in value order, with the values.
    pub variants: Vec<(String, String)>,
    /// The wire values.
    pub values: EnumValues,
    /// `(component, key)` of the fields using it.
    pub uses: Vec<(String, String)>,
}

/// A struct field's enum before naming.
struct PendingEnum {
    id: String,
    values: EnumValues,
    labels: BTreeMap<String, String>,
    uses: Vec<(String, String)>,
    title: Option<String>,
}

/// Every generated item, with its module.
pub struct Models {
    /// Items with their module, in component order (enums after the structs that first use
    /// them).
    pub items: Vec<(String, Item)>,
    /// Module → doc summary.
    pub modules: BTreeMap<String, String>,
}

impl Models {
    /// The string enums by their sorted wire values: the names of the enums that have
    /// exactly those values.
    pub fn string_enums(&self) -> BTreeMap<Vec<String>, Vec<String>> {
        let mut enums: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for (_, item) in &self.items {
            if let Item::Enum(EnumDef {
                name,
                values: EnumValues::Str(values),
                ..
            }) = item
            {
                let mut values = values.clone();
                values.sort();
                enums.entry(values).or_default().push(name.clone());
            }
        }
        enums
    }
}

/// Fails when an entry of [`WIRE_VALUES`] names a property the document does not have (the
/// document was fixed, or renamed it): the platform's document is checked before generating.
pub fn check_wire_values(api: &OpenAPI) -> Result<(), String> {
    let schemas: BTreeMap<&str, _> = spec::schemas(api).into_iter().collect();
    for (component, key, _) in WIRE_VALUES {
        let declared = match schemas.get(component) {
            Some(ReferenceOr::Item(schema)) => match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => o.properties.contains_key(*key),
                _ => false,
            },
            _ => false,
        };
        if !declared {
            return Err(format!(
                "WIRE_VALUES: the document has no property {component}.{key}"
            ));
        }
    }
    Ok(())
}

/// Builds the models of every component schema.
pub fn build(api: &OpenAPI) -> Result<Models, String> {
    let mut builder = Builder::new(api)?;
    let mut built = Vec::new();
    for (component, schema) in spec::schemas(api) {
        let ReferenceOr::Item(schema) = schema else {
            return Err(format!("component {component}: a reference, not a schema"));
        };
        built.push((component.to_owned(), builder.item(component, schema)?));
    }
    let defs = builder.name_enums()?;
    let mut enums: Vec<Option<EnumDef>> = defs.iter().cloned().map(Some).collect();
    // Modules.
    let owners = spec::owning_tags(api)?;
    let mut module_of: BTreeMap<String, String> = BTreeMap::new();
    let mut modules = BTreeMap::new();
    for (component, _) in &built {
        let tags = owners.get(component).cloned().unwrap_or_default();
        let module = choose_module(component, &tags);
        if module != COMMON
            && let Some(tag) = tags.iter().find(|t| naming::module_name(t) == module)
        {
            modules.insert(module.clone(), format!("Models of the `{tag}` operations."));
        }
        module_of.insert(component.clone(), module);
    }
    let mut items = Vec::new();
    for (component, mut item) in built {
        // A top-level enum component is its enum.
        if let Item::Alias {
            ty: Ty::EnumRef(index),
            doc,
            ..
        } = &item
            && let Some(mut def) = enums.get_mut(*index).and_then(Option::take)
        {
            def.doc = doc.clone();
            item = Item::Enum(def);
        }
        resolve_item(&mut item, &defs)?;
        items.push((module_of[&component].clone(), item));
    }
    for def in enums.into_iter().flatten() {
        let files: BTreeSet<&String> = def.uses.iter().map(|(c, _)| &module_of[c]).collect();
        let module = match files.into_iter().collect::<Vec<_>>().as_slice() {
            [one] => (*one).clone(),
            _ => COMMON.to_owned(),
        };
        items.push((module, Item::Enum(def)));
    }
    if items.iter().any(|(m, _)| m == COMMON) {
        modules.insert(
            COMMON.to_owned(),
            "Models shared by the operations of several resources.".to_owned(),
        );
    }
    let mut seen = BTreeSet::new();
    for (_, item) in &items {
        if !seen.insert(item.name().to_owned()) {
            return Err(format!("two generated items are named {}", item.name()));
        }
    }
    Ok(Models { items, modules })
}

/// Replaces enum indexes by the enums' names and enum defaults by their variants.
fn resolve_item(item: &mut Item, defs: &[EnumDef]) -> Result<(), String> {
    match item {
        Item::Struct { name, fields, .. } => {
            for field in fields {
                resolve_ty(&mut field.ty, defs);
                if let FieldKind::EnumDefault(index, value) = &field.kind {
                    let def = &defs[*index];
                    let position = match (&def.values, value) {
                        (EnumValues::Str(values), Value::String(s)) => {
                            values.iter().position(|v| v == s)
                        }
                        (EnumValues::Int(values), Value::Number(n)) => {
                            values.iter().position(|v| Some(*v) == n.as_i64())
                        }
                        _ => None,
                    };
                    let variant = position
                        .and_then(|p| def.variants.get(p))
                        .map(|(v, _)| v.clone())
                        .ok_or_else(|| {
                            format!(
                                "{name}.{}: default {value} is not a value of its enum",
                                field.key
                            )
                        })?;
                    field.kind = FieldKind::Default(format!("{}::{variant}", def.name));
                }
            }
        }
        Item::Alias { ty, .. } => resolve_ty(ty, defs),
        Item::Union { .. } | Item::Enum(_) => {}
    }
    Ok(())
}

fn resolve_ty(ty: &mut Ty, defs: &[EnumDef]) {
    match ty {
        Ty::EnumRef(index) => *ty = Ty::Model(defs[*index].name.clone()),
        Ty::StrMap(inner) | Ty::Vec(inner) | Ty::Option(inner) | Ty::Nullable(inner) => {
            resolve_ty(inner, defs)
        }
        _ => {}
    }
}

/// The module of a component used by `tags`: the one tag, else the tag whose singular starts the
/// component's family (the longest), else [`COMMON`].
fn choose_module(component: &str, tags: &BTreeSet<String>) -> String {
    if tags.len() == 1
        && let Some(tag) = tags.first()
    {
        return naming::module_name(tag);
    }
    let family = naming::family(component.strip_prefix("Paginated").unwrap_or(component)).concat();
    tags.iter()
        .filter(|t| family.starts_with(&naming::tag_singular(t)))
        .max_by_key(|t| naming::tag_singular(t).len())
        .map(|t| naming::module_name(t))
        .unwrap_or_else(|| COMMON.to_owned())
}

/// What a property's schema says besides its type.
#[derive(Default)]
struct Facts {
    nullable: bool,
    read_only: bool,
    write_only: bool,
    default: Option<Value>,
    title: Option<String>,
    description: Option<String>,
    example: Option<Value>,
    constraints: Vec<String>,
    /// The enum's index in `pending` when the type is an enum.
    enum_index: Option<usize>,
}

struct Builder {
    /// Component name → Rust name.
    type_names: BTreeMap<String, String>,
    pending: Vec<PendingEnum>,
    /// `(family, relation)` pairs a request of the family may set to `null`.
    nullable_relations: BTreeSet<(String, String)>,
}

/// The `(family, field)` pairs that a request body of the family declares nullable
/// (`TaskV2CreateRequest.workshop`, `ProjectV2CreateRequest.data_collection`,
/// `JobLogV2CreateRequest.file`).
///
/// The document marks the read-only `<field>` or `<field>_id` of the family's responses as
/// not nullable, but what a request may leave `null` reads back as `null` (a task without a
/// workshop has `workshop_id: null`, a log entry without a file `file: null`); a required
/// response field of such a pair is decoded as required and nullable, so a real answer does
/// not fail to decode.
fn nullable_relations(api: &OpenAPI) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for (component, schema) in spec::schemas(api) {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if !component.ends_with("Request") {
            continue;
        }
        let properties = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => &object.properties,
            SchemaKind::Any(any) => &any.properties,
            _ => continue,
        };
        for (key, property) in properties {
            if let ReferenceOr::Item(p) = property
                && p.schema_data.nullable
            {
                pairs.insert((naming::family(component).concat(), key.clone()));
            }
        }
    }
    pairs
}

impl Builder {
    fn new(api: &OpenAPI) -> Result<Self, String> {
        let mut type_names = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for (component, _) in spec::schemas(api) {
            let name = naming::type_name(component);
            if !seen.insert(name.clone()) {
                return Err(format!("two components are both named {name} in Rust"));
            }
            type_names.insert(component.to_owned(), name);
        }
        Ok(Self {
            type_names,
            pending: Vec::new(),
            nullable_relations: nullable_relations(api),
        })
    }

    fn item(&mut self, component: &str, schema: &Schema) -> Result<Item, String> {
        let name = self.type_names[component].clone();
        let doc = type_doc(component, schema);
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => self
                .structure(
                    component,
                    name,
                    doc,
                    object.properties.iter().collect(),
                    &object.required,
                ),
            SchemaKind::Any(any) if !any.properties.is_empty() => self.structure(
                component,
                name,
                doc,
                any.properties.iter().collect(),
                &any.required,
            ),
            SchemaKind::OneOf { one_of } => {
                let Some(discriminator) = &schema.schema_data.discriminator else {
                    return Err(format!("{component}: `oneOf` without a discriminator"));
                };
                let mut variants = Vec::new();
                for (value, reference) in &discriminator.mapping {
                    let target = spec::ref_name(reference)?;
                    variants.push((
                        naming::variant_name(value),
                        value.clone(),
                        self.type_names[target].clone(),
                    ));
                }
                if variants.len() != one_of.len() {
                    return Err(format!(
                        "{component}: the discriminator maps {} of {} `oneOf` schemas",
                        variants.len(),
                        one_of.len()
                    ));
                }
                Ok(Item::Union {
                    name,
                    doc,
                    tag: discriminator.property_name.clone(),
                    variants,
                })
            }
            _ => {
                // Enums, aliases, free-form objects: the same mapping as a field's type.
                let mut facts = Facts::default();
                let ty = self.kind_ty(component, "", schema, &mut facts)?;
                if let Some(index) = facts.enum_index {
                    // A top-level enum is named after its component.
                    self.pending[index].title = Some(name.clone());
                }
                Ok(Item::Alias { name, doc, ty })
            }
        }
    }

    fn structure(
        &mut self,
        component: &str,
        name: String,
        doc: Vec<String>,
        properties: Vec<(&String, &ReferenceOr<Box<Schema>>)>,
        required: &[String],
    ) -> Result<Item, String> {
        let request = component.ends_with("Request");
        let keys: BTreeSet<String> = properties.iter().map(|(k, _)| naming::snake(k)).collect();
        let mut fields = Vec::new();
        let mut names = BTreeSet::new();
        let mut files = Vec::new();
        for (key, property) in properties {
            if request && is_binary(property) {
                // A file: an argument of the operation, sent as a multipart part.
                files.push(format!("`{key}`"));
                continue;
            }
            let mut facts = Facts::default();
            let mut ty = self.property_ty(component, key, property, &mut facts)?;
            let wire_value = WIRE_VALUES
                .iter()
                .find(|(c, k, _)| *c == component && k == key)
                .map(|(_, _, note)| *note);
            if wire_value.is_some() {
                ty = Ty::Value;
            }
            let field_name = naming::field_name(key, &|n| keys.contains(n));
            if field_name == "extra" || !names.insert(field_name.clone()) {
                return Err(format!(
                    "{component}.{key}: the field name {field_name} is taken"
                ));
            }
            let filled = CLIENT_FILLED.contains(&(component, key.as_str()));
            let is_required = required.iter().any(|r| r == key) && !filled;
            let clearable = !request && facts.read_only && {
                let family = naming::family(component).concat();
                let relation = key.strip_suffix("_id").unwrap_or(key);
                self.nullable_relations
                    .contains(&(family, relation.to_owned()))
            };
            let nullable = (facts.nullable || clearable) && !ty.holds_null();
            let (ty, kind) = match (is_required, nullable) {
                (true, false) => (ty, FieldKind::Required),
                (true, true) => (Ty::Option(Box::new(ty)), FieldKind::Required),
                (false, _) if request && facts.default.is_some() && !facts.read_only => {
                    let default = facts.default.clone().unwrap_or(Value::Null);
                    if nullable {
                        return Err(format!(
                            "{component}.{key}: a nullable field with a default"
                        ));
                    }
                    let kind = self.default_expr(component, key, &ty, &default)?;
                    (ty, kind)
                }
                (false, true) if request => (Ty::Nullable(Box::new(ty)), FieldKind::Optional),
                (false, _) => (Ty::Option(Box::new(ty)), FieldKind::Optional),
            };
            let mut doc = field_doc(key, &facts, &kind, request);
            if let Some(note) = wire_value {
                doc.push(String::new());
                doc.push(note.to_owned());
            }
            if filled {
                doc.push(String::new());
                doc.push(
                    "Left out, the client computes it from the uploaded file before sending."
                        .to_owned(),
                );
            }
            fields.push(Field {
                name: field_name,
                key: key.clone(),
                doc,
                ty,
                kind,
            });
        }
        let mut doc = doc;
        if !files.is_empty() {
            doc.push(String::new());
            doc.push(format!(
                "The file ({}) is not a field: the operation takes it as a path and sends the \
                 body as `multipart/form-data`.",
                files.join(", ")
            ));
        }
        Ok(Item::Struct { name, doc, fields })
    }

    /// The type of a property (a reference or an inline schema).
    fn property_ty(
        &mut self,
        component: &str,
        key: &str,
        property: &ReferenceOr<Box<Schema>>,
        facts: &mut Facts,
    ) -> Result<Ty, String> {
        match property {
            ReferenceOr::Reference { reference } => self.ref_ty(reference),
            ReferenceOr::Item(schema) => {
                let data = &schema.schema_data;
                facts.nullable = data.nullable;
                facts.read_only = data.read_only;
                facts.write_only = data.write_only;
                facts.default = data.default.clone();
                facts.title = data.title.clone();
                facts.description = data.description.clone();
                facts.example = data.example.clone();
                self.kind_ty(component, key, schema, facts)
            }
        }
    }

    fn ref_ty(&self, reference: &str) -> Result<Ty, String> {
        let target = spec::ref_name(reference)?;
        self.type_names
            .get(target)
            .map(|n| Ty::Model(n.clone()))
            .ok_or_else(|| format!("reference to a missing component {target}"))
    }

    /// The type of an inline schema (its `nullable` etc. are read by the caller).
    fn kind_ty(
        &mut self,
        component: &str,
        key: &str,
        schema: &Schema,
        facts: &mut Facts,
    ) -> Result<Ty, String> {
        let data = &schema.schema_data;
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                push_len(&mut facts.constraints, s.min_length, s.max_length);
                if let Some(p) = &s.pattern {
                    facts.constraints.push(format!("pattern `{p}`"));
                }
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                if s.enumeration.iter().any(Option::is_none) {
                    facts.nullable = true;
                }
                if !values.is_empty() {
                    let index = self.enum_for(component, key, data, EnumValues::Str(values))?;
                    facts.enum_index = Some(index);
                    return Ok(Ty::EnumRef(index));
                }
                Ok(match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Ty::Crate("Timestamp"),
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => {
                        self.id_ty(component, key).unwrap_or(Ty::Prim("String"))
                    }
                    _ => Ty::Prim("String"),
                })
            }
            SchemaKind::Type(Type::Integer(i)) => {
                push_range(
                    &mut facts.constraints,
                    i.minimum.map(|v| v.to_string()),
                    i.maximum.map(|v| v.to_string()),
                );
                let values: Vec<i64> = i.enumeration.iter().flatten().copied().collect();
                if !values.is_empty() {
                    let index = self.enum_for(component, key, data, EnumValues::Int(values))?;
                    facts.enum_index = Some(index);
                    return Ok(Ty::EnumRef(index));
                }
                Ok(self.id_ty(component, key).unwrap_or(Ty::Prim("i64")))
            }
            SchemaKind::Type(Type::Number(n)) => {
                push_range(
                    &mut facts.constraints,
                    n.minimum.map(|v| v.to_string()),
                    n.maximum.map(|v| v.to_string()),
                );
                Ok(Ty::Prim("f64"))
            }
            SchemaKind::Type(Type::Boolean(_)) => Ok(Ty::Prim("bool")),
            SchemaKind::Type(Type::Array(a)) => {
                push_items(&mut facts.constraints, a.min_items, a.max_items);
                let item = match &a.items {
                    None => Ty::Value,
                    Some(ReferenceOr::Reference { reference }) => self.ref_ty(reference)?,
                    Some(ReferenceOr::Item(item)) => {
                        let mut inner = Facts::default();
                        let ty = self.kind_ty(component, key, item, &mut inner)?;
                        if item.schema_data.nullable && !ty.holds_null() {
                            Ty::Option(Box::new(ty))
                        } else {
                            ty
                        }
                    }
                };
                Ok(Ty::Vec(Box::new(item)))
            }
            SchemaKind::Type(Type::Object(o)) => {
                if !o.properties.is_empty() {
                    return Err(format!(
                        "{component}.{key}: an inline object with properties (give it a component)"
                    ));
                }
                self.map_ty(component, key, o.additional_properties.as_ref())
            }
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [ReferenceOr::Reference { reference }] => self.ref_ty(reference),
                _ => Err(format!(
                    "{component}.{key}: `allOf` of other than one reference"
                )),
            },
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => Err(
                format!("{component}.{key}: an inline `oneOf`/`anyOf`/`not` (give it a component)"),
            ),
            SchemaKind::Any(any) => {
                if !any.properties.is_empty() {
                    return Err(format!(
                        "{component}.{key}: an inline object with properties (give it a component)"
                    ));
                }
                if any.enumeration.iter().any(|v| !v.is_null()) {
                    return Err(format!("{component}.{key}: an enum of an unsupported kind"));
                }
                match any.typ.as_deref() {
                    Some("object") => {
                        self.map_ty(component, key, any.additional_properties.as_ref())
                    }
                    None => Ok(Ty::Value),
                    Some(other) => Err(format!(
                        "{component}.{key}: type {other} with unsupported keywords"
                    )),
                }
            }
        }
    }

    fn map_ty(
        &mut self,
        component: &str,
        key: &str,
        additional: Option<&AdditionalProperties>,
    ) -> Result<Ty, String> {
        match additional {
            None | Some(AdditionalProperties::Any(true)) => Ok(Ty::JsonMap),
            Some(AdditionalProperties::Any(false)) => Ok(Ty::JsonMap),
            Some(AdditionalProperties::Schema(schema)) => match schema.as_ref() {
                ReferenceOr::Reference { reference } => {
                    Ok(Ty::StrMap(Box::new(self.ref_ty(reference)?)))
                }
                ReferenceOr::Item(item) => {
                    let mut inner = Facts::default();
                    let ty = self.kind_ty(component, key, item, &mut inner)?;
                    Ok(if ty == Ty::Value {
                        Ty::JsonMap
                    } else {
                        Ty::StrMap(Box::new(ty))
                    })
                }
            },
        }
    }

    /// The id newtype of an id field, by its key and component.
    fn id_ty(&self, component: &str, key: &str) -> Option<Ty> {
        let relation = if key == "id" {
            naming::snake(&naming::family(component).concat())
        } else {
            key.strip_suffix("_id").unwrap_or(key).to_owned()
        };
        let family = naming::family(component).concat();
        if NOT_IDS.iter().any(|(f, r)| *f == family && *r == relation) {
            return None;
        }
        ID_TYPES
            .iter()
            .find(|(rel, _)| *rel == relation)
            .map(|(_, ty)| Ty::Crate(ty))
    }

    /// Registers a use of an enum and returns its index.
    fn enum_for(
        &mut self,
        component: &str,
        key: &str,
        data: &openapiv3::SchemaData,
        values: EnumValues,
    ) -> Result<usize, String> {
        let id = match data
            .extensions
            .get("x-spec-enum-id")
            .and_then(Value::as_str)
        {
            Some(id) => id.to_owned(),
            None => format!("{values:?}"),
        };
        let labels = data
            .description
            .as_deref()
            .map(docs::choice_labels)
            .unwrap_or_default();
        let index = match self.pending.iter().position(|p| p.id == id) {
            Some(index) => index,
            None => {
                self.pending.push(PendingEnum {
                    id,
                    values: match &values {
                        EnumValues::Str(_) => EnumValues::Str(Vec::new()),
                        EnumValues::Int(_) => EnumValues::Int(Vec::new()),
                    },
                    labels: BTreeMap::new(),
                    uses: Vec::new(),
                    title: None,
                });
                self.pending.len() - 1
            }
        };
        let pending = &mut self.pending[index];
        match (&mut pending.values, values) {
            (EnumValues::Str(known), EnumValues::Str(new)) => {
                for v in new {
                    if !known.contains(&v) {
                        known.push(v);
                    }
                }
            }
            (EnumValues::Int(known), EnumValues::Int(new)) => {
                for v in new {
                    if !known.contains(&v) {
                        known.push(v);
                    }
                }
            }
            _ => {
                return Err(format!(
                    "{component}.{key}: one enum id for strings and integers"
                ));
            }
        }
        for (value, label) in labels {
            pending.labels.entry(value).or_insert(label);
        }
        pending.uses.push((component.to_owned(), key.to_owned()));
        Ok(index)
    }

    /// Names the enums and returns their definitions (in first-use order).
    fn name_enums(&mut self) -> Result<Vec<EnumDef>, String> {
        let components: BTreeSet<String> = self.type_names.values().cloned().collect();
        let mut taken: BTreeSet<String> = components.clone();
        let mut out = Vec::new();
        for pending in &self.pending {
            let name = match (
                &pending.title,
                ENUM_NAMES.iter().find(|(id, _)| *id == pending.id),
            ) {
                (Some(title), _) => title.clone(),
                (None, Some((_, name))) => (*name).to_owned(),
                (None, None) => enum_name(pending, &taken),
            };
            if !taken.insert(name.clone()) && pending.title.is_none() {
                return Err(format!("enum name {name} is taken"));
            }
            // `Unknown` is the fallback variant: a wire value `unknown` gets the enum's last word
            // (`ContainerHealthState` → `UnknownState`).
            let last_word = naming::words(&name).last().cloned().unwrap_or_default();
            let variants: Vec<(String, String)> = variant_names(pending)
                .into_iter()
                .map(|v| {
                    if v == "Unknown" {
                        format!("Unknown{last_word}")
                    } else {
                        v
                    }
                })
                .zip(wire_texts(&pending.values))
                .map(|(name, wire)| {
                    let doc = variant_doc(&wire.0, pending.labels.get(&wire.1));
                    (name, doc)
                })
                .collect();
            let mut seen = BTreeSet::new();
            if let Some((dup, _)) = variants.iter().find(|(n, _)| !seen.insert(n.clone())) {
                return Err(format!("enum {name}: two values give the variant {dup}"));
            }
            let users: Vec<String> = pending
                .uses
                .iter()
                .map(|(c, k)| format!("`{}.{k}`", self.type_names[c]))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let doc = vec![format!("Values of {}.", join_list(&users))];
            out.push(EnumDef {
                name,
                doc,
                variants,
                values: pending.values.clone(),
                uses: pending.uses.clone(),
            });
        }
        Ok(out)
    }

    /// The Rust expression of a request field's default.
    fn default_expr(
        &self,
        component: &str,
        key: &str,
        ty: &Ty,
        value: &Value,
    ) -> Result<FieldKind, String> {
        let unsupported = || format!("{component}.{key}: default {value} for a {ty:?}");
        if let Ty::EnumRef(index) = ty {
            return Ok(FieldKind::EnumDefault(*index, value.clone()));
        }
        Ok(FieldKind::Default(match (ty, value) {
            (Ty::Prim("String"), Value::String(s)) if s.is_empty() => "String::new()".to_owned(),
            (Ty::Prim("String"), Value::String(s)) => format!("{s:?}.to_owned()"),
            (Ty::Prim("bool"), Value::Bool(b)) => b.to_string(),
            (Ty::Prim("i64"), Value::Number(n)) if n.is_i64() => n.to_string(),
            (Ty::Prim("f64"), Value::Number(n)) => {
                format!("{:?}", n.as_f64().ok_or_else(unsupported)?)
            }
            _ => return Err(unsupported()),
        }))
    }
}

/// The automatic name of an enum: the words its users' families share, plus the field name
/// (`JobV2Detail.status` and `JobV2List.status` → `JobStatus`); when that is taken, the first
/// user's family; then `…Enum`.
fn enum_name(pending: &PendingEnum, taken: &BTreeSet<String>) -> String {
    let key = pending
        .uses
        .first()
        .map(|(_, k)| k.as_str())
        .unwrap_or("value");
    let field = naming::pascal(key);
    let families: Vec<Vec<String>> = pending
        .uses
        .iter()
        .map(|(c, _)| naming::family(c))
        .collect();
    let mut common: Vec<String> = families.first().cloned().unwrap_or_default();
    for f in &families[1..] {
        let n = common.iter().zip(f).take_while(|(a, b)| a == b).count();
        common.truncate(n);
    }
    let candidates = [
        format!("{}{field}", common.concat()),
        format!(
            "{}{field}",
            families.first().map(|f| f.concat()).unwrap_or_default()
        ),
    ];
    for name in &candidates {
        if !taken.contains(name) {
            return name.clone();
        }
    }
    format!("{}Enum", candidates[1])
}

/// The variant names of an enum, in value order.
fn variant_names(pending: &PendingEnum) -> Vec<String> {
    match &pending.values {
        EnumValues::Str(values) => values.iter().map(|v| naming::variant_name(v)).collect(),
        EnumValues::Int(values) => {
            let names = INT_VARIANTS
                .iter()
                .find(|(id, _)| *id == pending.id)
                .map(|(_, n)| *n);
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    names
                        .and_then(|n| n.get(i))
                        .map(|n| (*n).to_owned())
                        .unwrap_or_else(|| format!("V{v}"))
                })
                .collect()
        }
    }
}

/// `(as written in docs, label key)` of each value: strings quoted, integers bare.
fn wire_texts(values: &EnumValues) -> Vec<(String, String)> {
    match values {
        EnumValues::Str(values) => values
            .iter()
            .map(|v| (format!("{v:?}"), v.clone()))
            .collect(),
        EnumValues::Int(values) => values
            .iter()
            .map(|v| (v.to_string(), v.to_string()))
            .collect(),
    }
}

fn variant_doc(wire: &str, label: Option<&String>) -> String {
    match label {
        Some(label) if !label.is_empty() => format!("`{wire}`: {label}"),
        _ => format!("`{wire}`."),
    }
}

fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn push_len(out: &mut Vec<String>, min: Option<usize>, max: Option<usize>) {
    match (min, max) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} characters")),
        (Some(a), None) => out.push(format!(
            "at least {a} character{}",
            if a == 1 { "" } else { "s" }
        )),
        (None, Some(b)) => out.push(format!("at most {b} characters")),
        (None, None) => {}
    }
}

fn push_items(out: &mut Vec<String>, min: Option<usize>, max: Option<usize>) {
    match (min, max) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} items")),
        (Some(a), None) => out.push(format!(
            "at least {a} item{}",
            if a == 1 { "" } else { "s" }
        )),
        (None, Some(b)) => out.push(format!("at most {b} items")),
        (None, None) => {}
    }
}

fn push_range(out: &mut Vec<String>, min: Option<String>, max: Option<String>) {
    match (min, max) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b}")),
        (Some(a), None) => out.push(format!("at least {a}")),
        (None, Some(b)) => out.push(format!("at most {b}")),
        (None, None) => {}
    }
}

/// The doc of a generated type: the schema's description (or title), else a sentence naming the
/// component.
fn type_doc(component: &str, schema: &Schema) -> Vec<String> {
    let data = &schema.schema_data;
    let text = data
        .description
        .as_deref()
        .or(data.title.as_deref())
        .filter(|t| !t.trim().is_empty());
    match text {
        Some(text) => docs::lines(text),
        None => vec![format!("The `{component}` schema.")],
    }
}

/// The doc of a field: its title and description (a bare choice list is left to the enum),
/// then what the schema says about it.
fn field_doc(key: &str, facts: &Facts, kind: &FieldKind, request: bool) -> Vec<String> {
    let description = facts.description.as_deref().filter(|d| {
        let left_to_the_enum = facts.enum_index.is_some() && docs::is_choice_list(d);
        !d.trim().is_empty() && !left_to_the_enum
    });
    let title = facts.title.as_deref().filter(|t| !t.trim().is_empty());
    let mut out = match (title, description) {
        (Some(t), Some(d)) if t.trim() != d.trim() => {
            let mut lines = docs::lines(&format!("{}.", t.trim_end_matches('.')));
            lines.push(String::new());
            lines.extend(docs::lines(d));
            lines
        }
        (_, Some(d)) => docs::lines(d),
        (Some(t), None) => docs::lines(&format!("{}.", t.trim_end_matches('.'))),
        (None, None) => vec![format!("The `{key}` value.")],
    };
    // (`readOnly` is not noted: such fields only appear in response schemas.)
    let mut notes = Vec::new();
    if facts.write_only {
        notes.push("write-only".to_owned());
    }
    notes.extend(facts.constraints.iter().cloned());
    match (&facts.default, kind) {
        (Some(d), FieldKind::Default(_)) => notes.push(format!("sent as `{d}` unless set")),
        (Some(d), _) if !request || facts.read_only => notes.push(format!("server default `{d}`")),
        _ => {}
    }
    if let Some(example) = &facts.example {
        notes.push(format!("example `{example}`"));
    }
    if !notes.is_empty() {
        out.push(String::new());
        let mut text = notes.join("; ");
        if let Some(first) = text.get(..1) {
            text = format!("{}{}", first.to_uppercase(), &text[1..]);
        }
        out.extend(docs::lines(&format!("{text}.")));
    }
    out
}
