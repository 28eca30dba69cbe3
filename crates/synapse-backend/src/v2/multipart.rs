//! `multipart/form-data` bodies of the operations that upload a file: the request model's
//! fields as text parts, then the file streamed from disk.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use synapse_transport::{Error, FileRange, Multipart, RequestBuilder};

/// Size of the buffer the file is hashed through.
const HASH_BUF: usize = 256 * 1024;

/// Sets `body` (and the file, as the part `file.0`) as the request's multipart body; a body
/// that cannot be encoded or a file that cannot be read fails the request before sending.
///
/// `filled` names fields that hold the file's SHA-256 (lower-case hex): when the model leaves
/// one out, it is computed from the file and sent after the model's own fields.
pub(crate) fn attach<T: Serialize>(
    builder: RequestBuilder,
    body: &T,
    file: Option<(&str, &Path)>,
    filled: &[&str],
) -> RequestBuilder {
    match form(body, file, filled) {
        Ok(form) => builder.multipart(form),
        Err(e) => builder.validated(Err(e)),
    }
}

/// The multipart body: one text part per field the model writes, in its order, `null`
/// left out; then the computed fields; then the file.
pub(crate) fn form<T: Serialize>(
    body: &T,
    file: Option<(&str, &Path)>,
    filled: &[&str],
) -> Result<Multipart, Error> {
    let value = serde_json::to_value(body)
        .map_err(|e| Error::invalid_input(format!("the request body cannot be encoded: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(Error::invalid_input(
            "a multipart request body must be an object",
        ));
    };
    let mut form = Multipart::new();
    for (name, value) in &fields {
        if let Some(text) = text(value) {
            form = form.text(name.as_str(), text);
        }
    }
    let range = match file {
        Some((_, path)) => Some(FileRange::whole(path)?),
        None => None,
    };
    for name in filled {
        if fields.get(*name).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let Some((_, path)) = file else {
            return Err(Error::invalid_input(format!(
                "`{name}` is computed from the file, and there is none"
            )));
        };
        form = form.text(*name, sha256_hex(path)?);
    }
    if let (Some((part, path)), Some(range)) = (file, range) {
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::invalid_input(format!("{} has no file name", path.display())))?;
        form = form.file(part, filename, range);
    }
    Ok(form)
}

/// A field's text: strings as they are, numbers and booleans as JSON writes them
/// (`true`/`false`), objects and arrays as JSON text; `None` for `null`.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The SHA-256 of a file's content in lower-case hex.
fn sha256_hex(path: &Path) -> Result<String, Error> {
    let io = |e| Error::io(Some(path.to_path_buf()), e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUF];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use synapse_transport::PartData;

    /// The parts as `(name, filename, text)`; file parts give their path's content.
    fn parts(form: &Multipart) -> Vec<(String, Option<String>, String)> {
        form.parts()
            .iter()
            .map(|p| {
                let data = match &p.data {
                    PartData::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    PartData::File(f) => {
                        String::from_utf8_lossy(&std::fs::read(&f.path).expect("read")).into_owned()
                    }
                    other => panic!("unexpected part {other:?}"),
                };
                (p.name.clone(), p.filename.clone(), data)
            })
            .collect()
    }

    fn part(name: &str, filename: Option<&str>, data: &str) -> (String, Option<String>, String) {
        (
            name.to_owned(),
            filename.map(str::to_owned),
            data.to_owned(),
        )
    }

    #[test]
    fn fields_become_text_parts_in_model_order_and_the_file_comes_last() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("plugin-1.0.0.zip");
        std::fs::write(&path, b"PK\x03\x04 archive").expect("write");
        let body = json!({
            "code": "yolo", "plugin": 42, "debug": false, "ratio": 1.5,
            "tasks": ["object_detection"], "meta": {"a": 1}, "data_type": null,
        });
        let form = form(&body, Some(("file", &path)), &[]).expect("form");
        assert_eq!(
            parts(&form),
            [
                part("code", None, "yolo"),
                part("plugin", None, "42"),
                part("debug", None, "false"),
                part("ratio", None, "1.5"),
                part("tasks", None, r#"["object_detection"]"#),
                part("meta", None, r#"{"a":1}"#),
                part("file", Some("plugin-1.0.0.zip"), "PK\x03\x04 archive"),
            ]
        );
    }

    #[test]
    fn a_missing_digest_is_computed_from_the_file_and_a_given_one_is_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("a.zip");
        std::fs::write(&path, b"abc").expect("write");
        // SHA-256 of "abc".
        let digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let computed = form(
            &json!({"plugin": 1, "version": "1.0"}),
            Some(("file", &path)),
            &["sha256"],
        )
        .expect("form");
        assert_eq!(
            parts(&computed),
            [
                part("plugin", None, "1"),
                part("version", None, "1.0"),
                part("sha256", None, digest),
                part("file", Some("a.zip"), "abc"),
            ]
        );
        let given = form(
            &json!({"plugin": 1, "sha256": "beef"}),
            Some(("file", &path)),
            &["sha256"],
        )
        .expect("form");
        assert_eq!(
            parts(&given),
            [
                part("plugin", None, "1"),
                part("sha256", None, "beef"),
                part("file", Some("a.zip"), "abc"),
            ]
        );
    }

    #[test]
    fn a_missing_file_fails_before_sending() {
        let dir = tempfile::tempdir().expect("tmp");
        let missing = dir.path().join("nope.zip");
        let err = form(&json!({"plugin": 1}), Some(("file", &missing)), &["sha256"])
            .expect_err("no file");
        assert!(
            matches!(&err, Error::Io { path: Some(p), .. } if *p == missing),
            "{err:?}"
        );
        let err = form(&json!({"plugin": 1}), None, &["sha256"]).expect_err("no file");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let err = form(&json!([1]), None, &[]).expect_err("not an object");
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
}
