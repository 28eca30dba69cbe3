//! A small `multipart/form-data` parser for the fake's upload endpoints.

use bytes::Bytes;

/// One parsed part.
pub(crate) struct FormPart {
    pub name: String,
    pub filename: Option<String>,
    pub data: Bytes,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        match haystack[i..].iter().position(|&b| b == first) {
            Some(p) => i += p,
            None => return None,
        }
        if i + needle.len() <= haystack.len() && &haystack[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn param(header: &str, key: &str) -> Option<String> {
    let pat = format!("{key}=\"");
    let start = header.find(&pat)? + pat.len();
    let end = header[start..].find('"')? + start;
    Some(header[start..end].to_owned())
}

/// Parses `body` with the boundary of `content_type`; `None` when it is not multipart or
/// is malformed.
pub(crate) fn parse(content_type: &str, body: &Bytes) -> Option<Vec<FormPart>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"')
        .to_owned();
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        pos += 2; // CRLF after the boundary line
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let disposition = head
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let name = param(disposition, "name")?;
        let filename = param(disposition, "filename");
        let data_start = head_end + 4;
        let end_delim = format!("\r\n{delim}");
        let data_end = find(body, end_delim.as_bytes(), data_start)?;
        parts.push(FormPart {
            name,
            filename,
            data: body.slice(data_start..data_end),
        });
        pos = data_end + end_delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_files() {
        let body = Bytes::from_static(
            b"--XY\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\nm.bin\r\n--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\n\x00\r\n\x01\r\n--XY--\r\n",
        );
        let parts = parse("multipart/form-data; boundary=XY", &body).expect("parsed");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "filename");
        assert_eq!(&parts[0].data[..], b"m.bin");
        assert_eq!(parts[1].filename.as_deref(), Some("file"));
        assert_eq!(&parts[1].data[..], b"\x00\r\n\x01");
        assert!(parse("application/json", &body).is_none());
    }
}
