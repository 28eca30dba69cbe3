//! Plumbing of the schema tests, shared by `synapse-models` and `synapse-agent` (which
//! includes this file by path): the committed `schemas/` compiled with `boon`, the names a
//! source file re-exports, decode → encode helpers and the walk over `tests/fixtures/`.
//! Paths are relative to the manifest directory of the crate under test.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `schemas/` at the workspace root (both crates sit two levels below it).
pub fn schemas_dir() -> PathBuf {
    manifest_dir().join("../../schemas")
}

pub fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `tests/fixtures/<name>.json`.
pub fn fixture(name: &str) -> Value {
    read_json(&manifest_dir().join(format!("tests/fixtures/{name}.json")))
}

/// Every schema of `schemas/`, parsed and compiled.
pub struct Committed {
    pub compiled: boon::Schemas,
    pub index: BTreeMap<String, boon::SchemaIndex>,
    pub values: BTreeMap<String, Value>,
}

impl Committed {
    pub fn load() -> Self {
        let dir = schemas_dir();
        let mut compiler = boon::Compiler::new();
        let mut compiled = boon::Schemas::new();
        let mut index = BTreeMap::new();
        let mut values = BTreeMap::new();
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `cargo xtask schemas` at the workspace root)",
                dir.display()
            )
        });
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let stem = name
                .strip_suffix(".json")
                .unwrap_or_else(|| panic!("schemas/{name} is not a .json file"));
            let value = read_json(&path);
            let loc = path.canonicalize().unwrap();
            let idx = compiler
                .compile(loc.to_str().unwrap(), &mut compiled)
                .unwrap_or_else(|e| panic!("schemas/{name} does not compile: {e:#}"));
            index.insert(stem.to_owned(), idx);
            values.insert(stem.to_owned(), value);
        }
        assert!(!index.is_empty(), "schemas/ is empty");
        Self {
            compiled,
            index,
            values,
        }
    }

    pub fn validate(&self, name: &str, instance: &Value) -> Result<(), String> {
        let idx = self
            .index
            .get(name)
            .unwrap_or_else(|| panic!("no schemas/{name}.json"));
        self.compiled
            .validate(instance, *idx)
            .map_err(|e| format!("{e:#}"))
    }

    pub fn schema(&self, name: &str) -> &Value {
        self.values
            .get(name)
            .unwrap_or_else(|| panic!("no schemas/{name}.json"))
    }

    #[track_caller]
    pub fn assert_valid(&self, name: &str, instance: &Value, what: &str) {
        if let Err(e) = self.validate(name, instance) {
            panic!("{what} does not validate against schemas/{name}.json:\n{e}");
        }
    }

    /// Every fixture file is mapped in `fixtures` (a new one must name its model); each, and
    /// its decode → encode, validates against its model's schema; each part (JSON pointer)
    /// validates against the schema it names.
    pub fn check_fixtures(
        &self,
        fixtures: &[(&str, &str, Reencode)],
        parts: &[(&str, &str, &str)],
    ) {
        let dir = manifest_dir().join("tests/fixtures");
        let mut on_disk = BTreeSet::new();
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() && path.extension().is_some_and(|e| e == "json") {
                on_disk.insert(path.file_stem().unwrap().to_str().unwrap().to_owned());
            }
        }
        let mapped: BTreeSet<String> = fixtures.iter().map(|(f, ..)| (*f).to_owned()).collect();
        assert_eq!(on_disk, mapped, "fixtures on disk vs FIXTURES");

        for (name, model, reencode) in fixtures {
            let value = fixture(name);
            self.assert_valid(model, &value, &format!("fixture {name}.json"));
            let encoded = reencode(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
            self.assert_valid(model, &encoded, &format!("re-encoded fixture {name}.json"));
        }
        for (name, pointer, model) in parts {
            let value = fixture(name);
            let part = value
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{name}.json has no {pointer}"));
            self.assert_valid(model, part, &format!("{name}.json{pointer}"));
        }
    }
}

/// The names a source file (relative to the manifest directory) re-exports with `pub use`.
pub fn public_names_in(file: &str) -> BTreeSet<String> {
    let text = fs::read_to_string(manifest_dir().join(file)).unwrap();
    let mut names = BTreeSet::new();
    for item in text.split("pub use ").skip(1) {
        let item = item.split(';').next().unwrap();
        let list = match item.split_once('{') {
            Some((_, rest)) => rest.trim_end().trim_end_matches('}').to_owned(),
            None => item.rsplit("::").next().unwrap().to_owned(),
        };
        names.extend(
            list.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        );
    }
    names
}

pub type Reencode = fn(&Value) -> Result<Value, String>;

/// Decodes into `T` and encodes again.
pub fn reencode<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

pub type Decodes = fn(&Value) -> bool;

pub fn decodes<T: DeserializeOwned>(value: &Value) -> bool {
    serde_json::from_value::<T>(value.clone()).is_ok()
}
