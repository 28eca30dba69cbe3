//! Runs a plugin action on this machine through Python: `python3` (or `$SYNAPSE_PYTHON`)
//! runs a short script calling `synapse_sdk.plugins.runner.run_plugin` and prints the
//! result as JSON. The arguments go on its stdin; what the plugin prints goes to its
//! stderr; output is bounded and the run has a time limit (`SYNAPSE_LOCAL_RUN_TIMEOUT`,
//! in seconds, default 600).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::mcp::reply::ToolError;

/// The most of the child's stdout kept (the result).
const MAX_STDOUT: usize = 8 << 20;
/// The most of the child's stderr kept (its tail goes into error messages).
const MAX_STDERR: usize = 64 << 10;
/// How much of stderr an error message quotes.
const STDERR_TAIL: usize = 2000;
/// The line prefix of the script's answer.
const MARKER: &str = "@@synapse-result@@";

/// The script: reads `{path, action, params, mode}`, runs the action with stdout sent to
/// stderr, then prints one marked JSON line: `{"ok": result}` or `{"error": message}`.
const SCRIPT: &str = r#"
import json, sys
args = json.load(sys.stdin)
out = sys.stdout
def answer(value, code):
    out.write("\n@@synapse-result@@" + json.dumps(value, default=str) + "\n")
    out.flush()
    sys.exit(code)
try:
    from synapse_sdk.plugins.runner import run_plugin
except ImportError as e:
    answer({"missing": sys.executable + " cannot import synapse_sdk's plugin runner (" + str(e) + "): pip install synapse-sdk, or set SYNAPSE_PYTHON to a Python that has it"}, 3)
sys.stdout = sys.stderr
try:
    result = run_plugin(plugin_code=args["path"], action=args["action"], params=args["params"], mode=args["mode"])
except BaseException as e:
    answer({"error": type(e).__name__ + ": " + str(e)}, 1)
answer({"ok": result}, 0)
"#;

/// The Python interpreter to use.
fn python() -> String {
    std::env::var("SYNAPSE_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".to_owned())
}

/// The time limit.
fn timeout() -> Duration {
    let secs = std::env::var("SYNAPSE_LOCAL_RUN_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(600);
    Duration::from_secs(secs)
}

/// Reads a pipe to its end, keeping at most `max` bytes (the first ones, or with `tail` the
/// last ones).
async fn read_bounded(mut pipe: impl AsyncRead + Unpin, max: usize, tail: bool) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut chunk = vec![0u8; 16 << 10];
    loop {
        match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > max {
                    if tail {
                        let cut = kept.len() - max;
                        kept.drain(..cut);
                    } else {
                        kept.truncate(max);
                    }
                }
            }
        }
    }
    kept
}

/// The last `STDERR_TAIL` characters of stderr, for messages.
fn tail_of(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    let start = text
        .char_indices()
        .rev()
        .nth(STDERR_TAIL)
        .map(|(i, _)| i)
        .unwrap_or(0);
    text[start..].to_owned()
}

/// Runs `action` of the plugin at `path`; its result, or a tool error saying why not.
pub async fn run(
    path: &Path,
    action: &str,
    params: &Map<String, Value>,
    mode: &str,
) -> Result<Value, ToolError> {
    let python = python();
    let mut child = tokio::process::Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .current_dir(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ToolError::new(format!(
                    "Python was not found ({python}): running a plugin locally needs Python 3 with synapse-sdk (pip install synapse-sdk); set SYNAPSE_PYTHON to choose the interpreter"
                ))
            } else {
                ToolError::new(format!("cannot start {python}: {e}"))
            }
        })?;
    let input = json!({"path": path.display().to_string(), "action": action, "params": params, "mode": mode});
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.to_string().as_bytes()).await;
        drop(stdin);
    }
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let work = async {
        let out = async {
            match stdout {
                Some(pipe) => read_bounded(pipe, MAX_STDOUT, false).await,
                None => Vec::new(),
            }
        };
        let err = async {
            match stderr {
                Some(pipe) => read_bounded(pipe, MAX_STDERR, true).await,
                None => Vec::new(),
            }
        };
        let (out, err) = tokio::join!(out, err);
        let status = child.wait().await;
        (out, err, status)
    };
    let limit = timeout();
    let Ok((out, err, status)) = tokio::time::timeout(limit, work).await else {
        return Err(ToolError::new(format!(
            "the local run did not finish within {} s (SYNAPSE_LOCAL_RUN_TIMEOUT) and was stopped",
            limit.as_secs()
        )));
    };
    let out = String::from_utf8_lossy(&out);
    let answer: Option<Value> = out
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(MARKER))
        .and_then(|text| serde_json::from_str(text).ok());
    match answer {
        Some(Value::Object(mut answer)) => {
            if let Some(result) = answer.remove("ok") {
                return Ok(result);
            }
            let message = answer
                .remove("missing")
                .or_else(|| answer.remove("error"))
                .and_then(|m| m.as_str().map(str::to_owned))
                .unwrap_or_else(|| "the local run failed".to_owned());
            let tail = tail_of(&err);
            Err(ToolError::new(if tail.is_empty() {
                message
            } else {
                format!("{message}\n{tail}")
            }))
        }
        _ => {
            let code = status
                .ok()
                .and_then(|s| s.code())
                .map(|c| c.to_string())
                .unwrap_or_else(|| "a signal".to_owned());
            Err(ToolError::new(format!(
                "{python} ended ({code}) without a result: {}",
                tail_of(&err)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_of_stderr_is_bounded() {
        let long = "x".repeat(5000);
        assert_eq!(tail_of(long.as_bytes()).len(), STDERR_TAIL + 1);
        assert_eq!(tail_of(b"  short \n"), "short");
    }
}
