//! Formatting of generated source with the toolchain's `rustfmt` (the one `cargo fmt --check`
//! applies to the committed files, so the output is what the formatting check expects).

use std::io::Write as _;
use std::process::{Command, Stdio};

/// The edition the generated files are formatted for (the workspace's).
const EDITION: &str = "2024";

/// Formats Rust source text: `$RUSTFMT` or `rustfmt` from `PATH`, reading standard input.
pub fn format(source: &str) -> Result<String, String> {
    let program = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut child = Command::new(&program)
        .args(["--edition", EDITION, "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| format!("{program}: no standard input"))?;
    let text = source.to_owned();
    // Write from another thread so a large output cannot block on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{program} failed: {e}"))?;
    writer
        .join()
        .map_err(|_| format!("{program}: the writer thread panicked"))?
        .map_err(|e| format!("cannot write to {program}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{program} rejected the generated source ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("{program} wrote non-UTF-8 text: {e}"))
}
