//! Making server-supplied text safe to print or log.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes the characters of `text` that can rewrite a terminal or a log line: C0 and C1
/// control characters (ESC, CR, LF, TAB, DEL, …) and the Unicode bidirectional overrides
/// and isolates. `\n`, `\r` and `\t` become those two-character escapes; the others become
/// `\u{…}`. Text without such characters is returned as is, without copying.
///
/// Every text a server controls (error messages, bodies, locations) goes through this
/// before the SDK prints or logs it.
///
/// ```
/// use synapse_transport::escape_controls;
/// assert_eq!(escape_controls("plain"), "plain");
/// assert_eq!(escape_controls("a\r\nb\x1b[31m"), "a\\r\\nb\\u{1b}[31m");
/// assert_eq!(escape_controls("x\u{202e}y"), "x\\u{202e}y");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Truncates to at most `max` characters, appending `…` when cut.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_owned(),
    }
}
