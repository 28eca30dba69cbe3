//! What the command prints: JSON for scripts (`--json`), or lines and tables for people,
//! with colour and progress bars only on a terminal (never with `--json` or `NO_COLOR`).
//! Text that came from a server is escaped before it reaches the terminal.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

use console::Style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

/// Where and how to print.
#[derive(Debug, Clone)]
pub struct Out {
    json: bool,
    styled: bool,
    progress: bool,
    width: usize,
}

impl Out {
    /// Reads the terminal: `--json`, `NO_COLOR`, whether stdout and stderr are terminals,
    /// and stdout's width (`COLUMNS` when it is not a terminal, else 100).
    pub fn detect(json: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let width = if stdout_tty {
            console::Term::stdout()
                .size_checked()
                .map(|(_, w)| w as usize)
        } else {
            None
        }
        .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()))
        .filter(|w| *w >= 20)
        .unwrap_or(100);
        Out {
            json,
            styled: stdout_tty && !no_color && !json,
            progress: stderr_tty && !no_color && !json,
            width,
        }
    }

    /// True with `--json`.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints a value as one line of JSON (`--json`).
    pub fn json(&self, value: &impl Serialize) {
        let text = serde_json::to_string(value)
            .unwrap_or_else(|e| format!("{{\"error\":\"cannot encode the output: {e}\"}}"));
        println!("{text}");
    }

    /// Prints a line for people (nothing with `--json`).
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.json {
            println!("{}", text.as_ref());
        }
    }

    /// `text` in green on a styled terminal.
    pub fn good(&self, text: &str) -> String {
        self.paint(Style::new().green(), text)
    }

    /// `text` in red on a styled terminal.
    pub fn bad(&self, text: &str) -> String {
        self.paint(Style::new().red(), text)
    }

    /// `text` in bold on a styled terminal.
    pub fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    /// `text` dimmed on a styled terminal.
    pub fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dim(), text)
    }

    fn paint(&self, style: Style, text: &str) -> String {
        style.force_styling(self.styled).apply_to(text).to_string()
    }

    /// Prints a table sized to the terminal: each column as wide as its widest cell, the
    /// widest columns cut (with `…`) until the row fits. Cells are escaped.
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>]) {
        if self.json {
            return;
        }
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| escape(c).into_owned()).collect())
            .collect();
        let widths = fit(headers, &rows, self.width);
        let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", self.bold(&render(&header, &widths)));
        for row in &rows {
            let _ = writeln!(out, "{}", render(row, &widths));
        }
    }

    /// A progress bar over `total` bytes on stderr, or `None` when bars are off (not a
    /// terminal, `--json`, `NO_COLOR`).
    pub fn bytes_bar(&self, total: u64, label: &str) -> Option<ProgressBar> {
        if !self.progress {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(label.to_owned());
        Some(bar)
    }
}

/// Column widths that fit `total` (two spaces between columns).
fn fit(headers: &[&str], rows: &[Vec<String>], total: usize) -> Vec<usize> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let gaps = 2 * widths.len().saturating_sub(1);
    while widths.iter().sum::<usize>() + gaps > total {
        let Some((i, widest)) = widths.iter().copied().enumerate().max_by_key(|(_, w)| *w) else {
            break;
        };
        if widest <= 4 {
            break;
        }
        widths[i] = widest - 1;
    }
    widths
}

fn render(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let count = cell.chars().count();
        if count > *width {
            line.extend(cell.chars().take(width.saturating_sub(1)));
            line.push('…');
        } else {
            line.push_str(cell);
            if i + 1 < cells.len() {
                line.extend(std::iter::repeat_n(' ', width - count));
            }
        }
    }
    line
}

/// Text from a server made safe for a terminal: control characters (escape sequences,
/// carriage returns, bells…) are shown as `\u{1b}`-style escapes; tabs are kept.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c != '\t' && (c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'))
}

/// A JSON value as a table cell: strings bare, null as `-`, anything else as JSON.
pub fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Prints one record: JSON with `--json`, else `key: value` lines (escaped).
pub fn print_record(out: &Out, record: &impl serde::Serialize) {
    if out.is_json() {
        out.json(record);
        return;
    }
    let value = serde_json::to_value(record).unwrap_or_default();
    match value.as_object() {
        Some(map) => {
            let rows: Vec<Vec<String>> =
                map.iter().map(|(k, v)| vec![k.clone(), text(v)]).collect();
            out.table(&["FIELD", "VALUE"], &rows);
        }
        None => out.line(escape(&text(&value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_terminal_sequences() {
        assert_eq!(escape("plain\ttext"), "plain\ttext");
        assert_eq!(escape("\u{1b}[2Jgone\r"), "\\u{1b}[2Jgone\\u{d}");
        assert_eq!(escape("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn a_table_fits_the_width_by_cutting_the_widest_column() {
        let rows = vec![vec!["1".to_owned(), "x".repeat(50), "ok".to_owned()]];
        let widths = fit(&["ID", "NAME", "STATUS"], &rows, 30);
        assert_eq!(widths.iter().sum::<usize>() + 4, 30);
        let line = render(&rows[0], &widths);
        assert!(line.chars().count() <= 30, "{line}");
        assert!(line.contains('…'));
    }
}
