//! A directory owned by a generator: compared with, or made to hold exactly, the generated
//! files (used by `schemas` and `codegen`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

/// File name → file contents.
pub type Generated = BTreeMap<String, String>;

/// A difference between the generated schemas and a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file exists with other contents.
    Differs(String),
    /// No such file.
    Missing(String),
    /// A file or directory no model produces.
    Extra(String),
}

impl Drift {
    fn name(&self) -> &str {
        match self {
            Self::Differs(n) | Self::Missing(n) | Self::Extra(n) => n,
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Differs(n) => write!(f, "{n}: differs from the generated file"),
            Self::Missing(n) => write!(f, "{n}: missing"),
            Self::Extra(n) => write!(f, "{n}: extra (nothing generates it)"),
        }
    }
}

/// An entry of the output directory.
struct Entry {
    name: String,
    is_dir: bool,
}

/// The entries of `dir` (none when it does not exist).
fn entries(dir: &Path) -> Result<Vec<Entry>, String> {
    let read = match fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot stat {}: {e}", entry.path().display()))?;
        out.push(Entry {
            name: entry.file_name().to_string_lossy().into_owned(),
            is_dir: kind.is_dir(),
        });
    }
    Ok(out)
}

/// Reads a file, `None` when it does not exist.
fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Every file of `dir` that differs from `expected`, is missing, or is extra; sorted by name.
pub fn compare(expected: &Generated, dir: &Path) -> Result<Vec<Drift>, String> {
    let mut drift = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in entries(dir)? {
        match expected.get(&entry.name) {
            Some(text) if !entry.is_dir => {
                seen.insert(entry.name.clone());
                let current = read_if_exists(&dir.join(&entry.name))?;
                if current.as_deref() != Some(text.as_bytes()) {
                    drift.push(Drift::Differs(entry.name));
                }
            }
            _ => drift.push(Drift::Extra(entry.name)),
        }
    }
    for name in expected.keys().filter(|n| !seen.contains(*n)) {
        drift.push(Drift::Missing(name.clone()));
    }
    drift.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(drift)
}

/// What [`write()`] changed.
#[derive(Debug, Default)]
pub struct WriteSummary {
    /// Files created or rewritten.
    pub written: Vec<String>,
    /// Extra files deleted.
    pub removed: Vec<String>,
}

/// Makes `dir` hold exactly `expected`: writes files whose bytes differ, deletes extra files.
/// An extra directory is an error (it is left alone).
pub fn write(expected: &Generated, dir: &Path) -> Result<WriteSummary, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let entries = entries(dir)?;
    // Refuse before changing anything.
    if let Some(sub) = entries.iter().find(|e| e.is_dir) {
        return Err(format!(
            "{} is a directory, not a generated file; remove it",
            dir.join(&sub.name).display()
        ));
    }
    let mut summary = WriteSummary::default();
    for entry in entries {
        if expected.contains_key(&entry.name) {
            continue;
        }
        let path = dir.join(&entry.name);
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        summary.removed.push(entry.name);
    }
    for (name, text) in expected {
        let path = dir.join(name);
        if read_if_exists(&path)?.as_deref() == Some(text.as_bytes()) {
            continue;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        summary.written.push(name.clone());
    }
    summary.removed.sort();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn compare_and_write_report_every_kind_of_drift() {
        let dir = tempfile::tempdir().unwrap();
        let schemas = dir.path().join("schemas");
        let expected: Generated = [
            ("A.json".to_owned(), "{}\n".to_owned()),
            ("B.json".to_owned(), "[]\n".to_owned()),
            ("C.json".to_owned(), "1\n".to_owned()),
        ]
        .into_iter()
        .collect();

        // No directory: everything is missing.
        let drift = compare(&expected, &schemas).unwrap();
        assert_eq!(
            drift,
            ["A.json", "B.json", "C.json"].map(|n| Drift::Missing(n.to_owned()))
        );

        let summary = write(&expected, &schemas).unwrap();
        assert_eq!(summary.written.len(), 3);
        assert!(compare(&expected, &schemas).unwrap().is_empty());
        // Regenerating writes nothing.
        let summary = write(&expected, &schemas).unwrap();
        assert!(summary.written.is_empty() && summary.removed.is_empty());

        fs::write(schemas.join("A.json"), "{ }\n").unwrap();
        fs::remove_file(schemas.join("B.json")).unwrap();
        fs::write(schemas.join("Old.json"), "{}\n").unwrap();
        fs::create_dir(schemas.join("sub")).unwrap();
        let drift = compare(&expected, &schemas).unwrap();
        assert_eq!(
            drift,
            vec![
                Drift::Differs("A.json".to_owned()),
                Drift::Missing("B.json".to_owned()),
                Drift::Extra("Old.json".to_owned()),
                Drift::Extra("sub".to_owned()),
            ]
        );
        assert_eq!(
            drift[0].to_string(),
            "A.json: differs from the generated file"
        );

        // An extra directory is refused; without it, write repairs everything.
        assert!(write(&expected, &schemas).unwrap_err().contains("sub"));
        fs::remove_dir(schemas.join("sub")).unwrap();
        let summary = write(&expected, &schemas).unwrap();
        assert_eq!(summary.written, vec!["A.json", "B.json"]);
        assert_eq!(summary.removed, vec!["Old.json"]);
        assert!(compare(&expected, &schemas).unwrap().is_empty());
    }
}
