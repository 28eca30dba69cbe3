//! Rustdoc text from OpenAPI descriptions: made safe for `rustdoc -D warnings` and for
//! doctests, and the labels of drf-spectacular's enum choice lists.

use std::collections::BTreeMap;

/// Doc-comment lines from a description: trailing spaces and surrounding blank lines dropped,
/// leading indentation removed (an indented line would be a code block, hence a doctest),
/// fenced blocks marked `text`, and, outside code spans, `[`, `]`, `<`, `>` and a leading `#`
/// escaped and bare URLs put in `<…>` (rustdoc reads them as links, HTML and headings).
pub fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let line = raw.trim();
        if line.starts_with("```") {
            // Whatever the fence's language, its text is not a Rust doctest.
            out.push(if in_fence { "```" } else { "```text" }.to_owned());
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(raw.trim_end().to_owned());
        } else {
            out.push(escape_line(line));
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    // Collapse runs of blank lines.
    out.dedup_by(|a, b| a.is_empty() && b.is_empty());
    out
}

/// Escapes one line outside its code spans.
fn escape_line(line: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            if let Some(end) = closing_run(&chars, i + run, run) {
                out.extend(&chars[i..end + run]);
                i = end + run;
                continue;
            }
            out.extend(&chars[i..i + run]);
            i += run;
            continue;
        }
        let rest: String = chars[i..].iter().collect();
        if rest.starts_with("https://") || rest.starts_with("http://") {
            let len = rest
                .find(|c: char| c.is_whitespace() || c == '`' || c == '<' || c == '>')
                .unwrap_or(rest.len());
            let url = rest[..len].trim_end_matches(['.', ',', ';', ':', ')', ']', '\'', '"']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            i += url.chars().count();
            continue;
        }
        match chars[i] {
            '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(chars[i]);
            }
            '#' if out.is_empty() => out.push_str("\\#"),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The start of the next run of exactly `run` backticks at or after `from`.
fn closing_run(chars: &[char], from: usize, run: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if chars[j] == '`' {
            let len = chars[j..].iter().take_while(|&&c| c == '`').count();
            if len == run {
                return Some(j);
            }
            j += len;
        } else {
            j += 1;
        }
    }
    None
}

/// The labels of a drf-spectacular choice list (lines `` * `value` - label ``), by value.
pub fn choice_labels(description: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in description.lines() {
        if let Some((value, label)) = choice_line(line) {
            out.insert(value, label);
        }
    }
    out
}

/// Whether every non-blank line of a description is a choice-list line.
pub fn is_choice_list(description: &str) -> bool {
    let mut lines = description
        .lines()
        .filter(|l| !l.trim().is_empty())
        .peekable();
    lines.peek().is_some() && lines.all(|l| choice_line(l).is_some())
}

fn choice_line(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix("* `")?;
    let (value, rest) = rest.split_once('`')?;
    let label = rest.strip_prefix(" - ")?;
    Some((value.to_owned(), label.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_rustdoc_would_read_as_markup() {
        assert_eq!(
            lines("  see [docs] at https://example.com/x.\n\n\n    indented <b>\n"),
            [
                "see \\[docs\\] at <https://example.com/x>.",
                "",
                "indented \\<b\\>"
            ]
        );
        assert_eq!(lines("``a[0] <T>`` and `[x]`"), ["``a[0] <T>`` and `[x]`"]);
        assert_eq!(lines("# Title"), ["\\# Title"]);
        assert_eq!(
            lines("```python\nx = [1]\n```"),
            ["```text", "x = [1]", "```"]
        );
        assert_eq!(lines("unclosed ` tick [a]"), ["unclosed ` tick \\[a\\]"]);
    }

    #[test]
    fn reads_choice_lists() {
        let text = "* `image` - 이미지\n* `` - (blank)\n* `pcd` - PCD";
        let labels = choice_labels(text);
        assert_eq!(labels["image"], "이미지");
        assert_eq!(labels[""], "(blank)");
        assert!(is_choice_list(text));
        assert!(!is_choice_list("Kind.\n* `a` - A"));
        assert!(!is_choice_list(""));
    }
}
