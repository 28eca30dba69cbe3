//! URL building as the spec fixes it: base validation, joining, path-segment encoding,
//! query merging and origin checks.

use url::Url;

use crate::Error;

/// Validates a base URL: absolute `http(s)`, no query, no fragment; a path prefix is allowed.
pub fn parse_base_url(base: &str) -> Result<Url, Error> {
    let url = Url::parse(base.trim()).map_err(|e| Error::InvalidInput {
        message: format!("base URL {base:?} is not a valid absolute URL: {e}"),
        source: Some(Box::new(e)),
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(Error::invalid_input(format!(
            "base URL must use http or https, not {:?}",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input("base URL has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            "base URL must not contain a query or a fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "base URL must not embed credentials; use the client's token options",
        ));
    }
    Ok(url)
}

/// Joins a path to the base: absolute `http://`/`https://` URLs are used as they are,
/// otherwise `base.rstrip('/') + '/' + path.lstrip('/')`. Trailing slashes are kept exactly.
pub fn join(base: &Url, path: &str) -> Result<Url, Error> {
    if path.starts_with("http://") || path.starts_with("https://") {
        return Url::parse(path).map_err(|e| Error::InvalidInput {
            message: format!("cannot build a URL from {path:?}: {e}"),
            source: Some(Box::new(e)),
        });
    }
    // The base (no query, no fragment: `parse_base_url`) is parsed already: setting the joined
    // path, then the query and the fragment, gives the URL that parsing the joined text
    // gives, without parsing (and IDNA-mapping) the host again for every request.
    // Parsing drops trailing C0 controls and spaces of the whole text, hence of the path.
    let rest = path
        .trim_start_matches('/')
        .trim_end_matches(|c: char| c <= ' ');
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (rest, None),
    };
    let (relative, query) = match before_fragment.split_once('?') {
        Some((relative, query)) => (relative, Some(query)),
        None => (before_fragment, None),
    };
    let mut url = base.clone();
    url.set_path(&format!(
        "{}/{}",
        base.path().trim_end_matches('/'),
        relative
    ));
    url.set_query(query);
    url.set_fragment(fragment);
    Ok(url)
}

/// Builds a relative path from segments, each percent-encoded as one segment.
///
/// A segment that is empty, `.` or `..` (also once percent-decoded, e.g. `%2e%2E`) is
/// refused with [`Error::InvalidInput`]: URL joining would drop or climb it, and the request
/// would reach another resource (`jobs/../` is `/`).
///
/// ```
/// use synapse_transport::urls::path;
/// assert_eq!(path(["plugins", "42", "run"], true)?, "plugins/42/run/");
/// assert_eq!(path(["jobs", "a/b c"], true)?, "jobs/a%2Fb%20c/");
/// assert!(path(["jobs", ".."], true).is_err());
/// assert!(path(["jobs", ""], true).is_err());
/// # Ok::<(), synapse_transport::Error>(())
/// ```
pub fn path<I, S>(segments: I, trailing_slash: bool) -> Result<String, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    // Room for a few plain segments (an id, a UUID, a code) without growing.
    let mut out = String::with_capacity(64);
    for (i, seg) in segments.into_iter().enumerate() {
        let seg = seg.as_ref();
        check_segment(seg)?;
        if i > 0 {
            out.push('/');
        }
        encode_into(&mut out, seg, is_segment_char);
    }
    if trailing_slash {
        out.push('/');
    }
    Ok(out)
}

/// Refuses a path parameter that is empty, `.` or `..`, in any percent-encoding.
///
/// ```
/// use synapse_transport::urls::check_segment;
/// assert!(check_segment("550e8400").is_ok());
/// assert!(check_segment("...").is_ok());
/// for bad in ["", ".", "..", "%2e", "%2E%2e", ".%2E"] {
///     assert!(check_segment(bad).is_err(), "{bad}");
/// }
/// ```
pub fn check_segment(segment: &str) -> Result<(), Error> {
    if segment.is_empty() {
        return Err(Error::invalid_input(
            "a path parameter is empty; ids and codes must not be empty",
        ));
    }
    if is_dot_segment(segment) {
        return Err(Error::invalid_input(format!(
            "the path parameter {segment:?} is a dot segment; it would change the route"
        )));
    }
    Ok(())
}

/// True for `.` and `..`, also percent-encoded (once or twice).
fn is_dot_segment(segment: &str) -> bool {
    if !segment.contains('%') {
        // Nothing to decode (the usual id or code).
        return segment == "." || segment == "..";
    }
    let once = percent_decode(segment);
    let twice = percent_decode(&once);
    [segment, once.as_str(), twice.as_str()]
        .iter()
        .any(|s| *s == "." || *s == "..")
}

/// Refuses a request path (relative, or an absolute URL) whose path part has a dot segment
/// (`.`, `..`, also percent-encoded) or an empty segment between two others (`a//b`): URL
/// joining would silently send the request somewhere else.
///
/// ```
/// use synapse_transport::urls::check_path;
/// assert!(check_path("jobs/7/?page=2").is_ok());
/// assert!(check_path("https://h.example/api/v1/jobs/").is_ok());
/// for bad in ["jobs/../", "jobs/./", "jobs//", "jobs/%2e%2e/x", "https://h/a/../b"] {
///     assert!(check_path(bad).is_err(), "{bad}");
/// }
/// ```
pub fn check_path(path: &str) -> Result<(), Error> {
    let absolute = path.starts_with("http://") || path.starts_with("https://");
    let rest = match path.split_once("://") {
        Some((_, rest)) if absolute => rest.find('/').map_or("", |i| &rest[i..]),
        _ => path,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path_part = rest[..end].trim_start_matches('/');
    if path_part.is_empty() {
        return Ok(());
    }
    let mut segments = path_part.split('/').peekable();
    while let Some(seg) = segments.next() {
        let empty_inside = seg.is_empty() && segments.peek().is_some();
        if empty_inside || is_dot_segment(seg) {
            return Err(Error::invalid_input(format!(
                "the request path {:?} has an empty or dot segment; \
                 it would reach another resource than the one named",
                crate::error::escape_controls(&path[..path.len().min(200)])
            )));
        }
    }
    Ok(())
}

/// Encodes one path segment: RFC 3986 `pchar`s stay raw; `/ ? # %`, space, controls,
/// other delimiters and non-ASCII are percent-encoded (upper-case hex, UTF-8).
///
/// For valid ids (integers, UUIDs, `code@version` from `[A-Za-z0-9._-]`, 40-hex tokens)
/// the output equals the Python SDK's raw interpolation.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    encode_into(&mut out, segment, is_segment_char);
    out
}

/// An RFC 3986 `pchar` other than `%`: kept raw in a path segment.
fn is_segment_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

/// Encodes a release lookup as `get_plugin_release_by_lookup` does: everything except
/// unreserved characters and `@`. An empty, `.` or `..` lookup is refused (see
/// [`check_segment`]).
pub fn encode_lookup(lookup: &str) -> Result<String, Error> {
    check_segment(lookup)?;
    let mut out = String::with_capacity(lookup.len());
    encode_into(&mut out, lookup, |b| {
        b.is_ascii_alphanumeric() || b"-._~@".contains(&b)
    });
    Ok(out)
}

/// Appends `input` to `out`, each byte `keep` refuses as `%XX` (upper-case hex); runs of
/// kept bytes are copied whole.
fn encode_into(out: &mut String, input: &str, keep: impl Fn(u8) -> bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if keep(b) {
            continue;
        }
        // A non-empty `start..i` holds kept bytes only, all ASCII: both ends are char
        // boundaries (an empty one may start inside a character whose bytes are escaped).
        if start < i {
            out.push_str(&input[start..i]);
        }
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
        start = i + 1;
    }
    if start < bytes.len() {
        out.push_str(&input[start..]);
    }
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Merges the client's default query pairs with the caller's.
///
/// Defaults come first; a caller key that is also a default takes the default's position
/// with the caller's value; defaults whose key the URL already carries are skipped (so a
/// followed `next` link never gets `url_host` twice).
pub fn merge_query(
    url: &Url,
    defaults: &[(String, String)],
    caller: &[(String, String)],
) -> Vec<(String, String)> {
    let existing: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let mut out: Vec<(String, String)> = Vec::with_capacity(defaults.len() + caller.len());
    for (k, v) in defaults {
        if existing.iter().any(|e| e == k) {
            continue;
        }
        let value = caller
            .iter()
            .find(|(ck, _)| ck == k)
            .map(|(_, cv)| cv.clone())
            .unwrap_or_else(|| v.clone());
        out.push((k.clone(), value));
    }
    for (k, v) in caller {
        if defaults.iter().any(|(dk, _)| dk == k) && !existing.iter().any(|e| e == k) {
            continue;
        }
        out.push((k.clone(), v.clone()));
    }
    out
}

/// `scheme://host:port` with the default port made explicit.
pub fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

/// True when scheme, host and port (default ports normalised) are equal.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    let same_host = match (a.host_str(), b.host_str()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    };
    a.scheme() == b.scheme() && same_host && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `join` does for a relative path, spelled out: parse the joined text.
    fn join_by_parsing(base: &Url, path: &str) -> Option<Url> {
        let text = format!(
            "{}/{}",
            base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        Url::parse(&text).ok()
    }

    proptest::proptest! {
        #[test]
        fn joining_equals_parsing_the_joined_text(
            path in "[ -~]{0,24}|[a-z/%?#.é \t\n\r\x00\x1f]{0,16}",
            base in proptest::sample::select(vec![
                "https://api.example.com/api/v1/",
                "https://api.example.com/api/v1",
                "http://127.0.0.1:8787/",
                "http://[::1]:9/x/",
            ]),
        ) {
            let base = parse_base_url(base).expect("base");
            if !(path.starts_with("http://") || path.starts_with("https://")) {
                let joined = join(&base, &path).ok();
                proptest::prop_assert_eq!(joined, join_by_parsing(&base, &path));
            }
        }
    }

    /// Percent-encoding spelled out byte by byte: what `encode_into` must equal.
    fn encode_bytewise(input: &str, keep: impl Fn(u8) -> bool) -> String {
        input
            .bytes()
            .map(|b| {
                if keep(b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn encoding_equals_escaping_byte_by_byte(input in "\\PC{0,12}|[a-z%/ .é€😀@]{0,12}") {
            proptest::prop_assert_eq!(
                encode_segment(&input),
                encode_bytewise(&input, is_segment_char)
            );
            if let Ok(lookup) = encode_lookup(&input) {
                proptest::prop_assert_eq!(
                    lookup,
                    encode_bytewise(&input, |b| b.is_ascii_alphanumeric() || b"-._~@".contains(&b))
                );
            }
            if let Ok(joined) = path(["a", input.as_str(), "b"], true) {
                proptest::prop_assert_eq!(
                    joined,
                    format!("a/{}/b/", encode_bytewise(&input, is_segment_char))
                );
            }
        }
    }

    #[test]
    fn encoding_escapes_every_byte_of_a_multibyte_character() {
        assert_eq!(encode_segment("é"), "%C3%A9");
        assert_eq!(encode_segment("aé/b"), "a%C3%A9%2Fb");
        assert_eq!(encode_segment("😀x"), "%F0%9F%98%80x");
        assert_eq!(encode_segment(""), "");
        assert_eq!(
            path(["jobs", "a b", "€"], false).ok().as_deref(),
            Some("jobs/a%20b/%E2%82%AC")
        );
    }

    fn base() -> Url {
        parse_base_url("https://api.example.com/api/v1/").expect("base")
    }

    #[test]
    fn base_validation() {
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("https://x/?a=1").is_err());
        assert!(parse_base_url("https://x/#f").is_err());
        assert!(parse_base_url("not a url").is_err());
        assert!(parse_base_url("https://u:p@x/").is_err());
        assert!(parse_base_url("http://127.0.0.1:8000").is_ok());
    }

    #[test]
    fn joining_keeps_trailing_slashes_and_absolute_urls() {
        let b = base();
        assert_eq!(
            join(&b, "/plugins/1/").expect("join").as_str(),
            "https://api.example.com/api/v1/plugins/1/"
        );
        assert_eq!(
            join(&b, "plugin_releases/yolo@1.0").expect("join").as_str(),
            "https://api.example.com/api/v1/plugin_releases/yolo@1.0"
        );
        assert_eq!(
            join(&b, "https://other.example.com/x/?page=2")
                .expect("join")
                .as_str(),
            "https://other.example.com/x/?page=2"
        );
    }

    #[test]
    fn segment_encoding() {
        assert_eq!(
            encode_segment("550e8400-e29b-41d4-a716-446655440000"),
            "550e8400-e29b-41d4-a716-446655440000"
        );
        assert_eq!(encode_segment("yolov8@1.0.0"), "yolov8@1.0.0");
        assert_eq!(encode_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_segment("é"), "%C3%A9");
        assert_eq!(
            encode_lookup("team/yolo v8@1.0.0").expect("lookup"),
            "team%2Fyolo%20v8@1.0.0"
        );
        assert_eq!(encode_lookup("1.0.0+b").expect("lookup"), "1.0.0%2Bb");
        assert!(encode_lookup("..").is_err());
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }

    #[test]
    fn query_merge_order_and_override() {
        let b = base();
        let d = vec![("url_host".to_owned(), "internal".to_owned())];
        let c = vec![
            ("status".to_owned(), "running".to_owned()),
            ("url_host".to_owned(), "mine".to_owned()),
        ];
        assert_eq!(
            merge_query(&b, &d, &c),
            vec![
                ("url_host".to_owned(), "mine".to_owned()),
                ("status".to_owned(), "running".to_owned())
            ]
        );
        let next = Url::parse("https://api.example.com/api/v1/jobs/?page=2&url_host=internal")
            .expect("url");
        assert!(merge_query(&next, &d, &[]).is_empty());
    }

    #[test]
    fn origins() {
        let a = Url::parse("https://h.example.com/x").expect("url");
        let b = Url::parse("https://H.example.com:443/y?z").expect("url");
        let c = Url::parse("http://h.example.com/x").expect("url");
        let d = Url::parse("https://h.example.com:8443/x").expect("url");
        assert!(same_origin(&a, &b));
        assert!(!same_origin(&a, &c));
        assert!(!same_origin(&a, &d));
        assert_eq!(origin(&a), "https://h.example.com:443");
    }
}
