//! `synapse upload` against the fake: a fault mid-upload leaves a checkpoint that
//! `--resume` continues from; Ctrl-C does the same; the MD5 matches the file.

mod support;

use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use support::{Env, code, json_out, stderr};
use synapse_fake::{Fault, Method};

const MIB: usize = 1024 * 1024;

fn file_of(dir: &std::path::Path, mib: usize) -> (std::path::PathBuf, String) {
    let bytes: Vec<u8> = (0..mib * MIB).map(|i| (i * 7 % 251) as u8).collect();
    let path = dir.join("weights.bin");
    std::fs::write(&path, &bytes).expect("write");
    let md5: String = Md5::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (path, md5)
}

fn checkpoints(env: &Env) -> Vec<serde_json::Value> {
    let dir = env.home.path().join(".synapse").join("uploads");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice(&b).ok())
        .collect()
}

async fn wait_for_checkpoint(env: &Env) -> serde_json::Value {
    let start = Instant::now();
    loop {
        if let Some(cp) = checkpoints(env)
            .into_iter()
            .find(|c| c["offset"].as_u64() > Some(0))
        {
            return cp;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no checkpoint was written"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_mid_upload_leaves_a_checkpoint_that_resume_finishes() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = tempfile::tempdir().expect("dir");
    let (file, md5) = file_of(dir.path(), 6);
    let path = file.to_str().expect("utf-8 path").to_owned();

    // Chunks are slowed so that the fault lands after the first acknowledged chunk.
    env.slow_chunk_puts(150);
    let mut child = env.command();
    child.args([
        "--json",
        "upload",
        &path,
        "--chunk-mib",
        "1",
        "--retries",
        "0",
    ]);
    let run = tokio::task::spawn_blocking(move || child.output().expect("run"));
    let first = wait_for_checkpoint(&env).await;
    env.clear_faults().await;
    env.fake.inject(
        Fault::status(500, 1000)
            .method(Method::PUT)
            .path("/chunked_upload/"),
    );
    let output = run.await.expect("join");
    // The fault answers before reading the chunk: the client sees the 5xx (exit 5) or, when
    // the answer lands while the chunk is still being written, a broken write (exit 6).
    assert!(matches!(code(&output), 5 | 6), "{}", stderr(&output));
    assert!(stderr(&output).contains("--resume"), "{}", stderr(&output));
    let left = checkpoints(&env);
    assert_eq!(left.len(), 1, "{left:?}");
    let offset = left[0]["offset"].as_u64().expect("offset");
    assert!(
        offset >= first["offset"].as_u64().expect("first") && offset < 6 * MIB as u64,
        "{left:?}"
    );

    env.clear_faults().await;
    let output = env
        .run(&["--json", "upload", &path, "--resume", "--chunk-mib", "1"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let done = json_out(&output);
    assert_eq!(done["md5"], md5.as_str(), "{done}");
    assert_eq!(done["size"], 6 * MIB);
    assert_eq!(done["id"], left[0]["id"], "the same upload was continued");
    assert!(
        checkpoints(&env).is_empty(),
        "a finished upload removes its checkpoint"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_with_130_and_resume_continues() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = tempfile::tempdir().expect("dir");
    let (file, md5) = file_of(dir.path(), 6);
    let path = file.to_str().expect("utf-8 path").to_owned();

    env.slow_chunk_puts(150);
    let mut child = env.command();
    child
        .args(["upload", &path, "--chunk-mib", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = child.spawn().expect("spawn");
    let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("pid");
    let first = wait_for_checkpoint(&env).await;
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("SIGINT");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().expect("wait"))
        .await
        .expect("join");
    assert_eq!(code(&output), 130, "{}", stderr(&output));
    assert!(stderr(&output).contains("--resume"), "{}", stderr(&output));
    let left = checkpoints(&env);
    assert_eq!(left.len(), 1);
    assert!(left[0]["offset"].as_u64() >= first["offset"].as_u64());

    env.clear_faults().await;
    let output = env.run(&["--json", "upload", &path, "--resume"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["md5"], md5.as_str());
    assert!(checkpoints(&env).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_without_a_checkpoint_is_a_usage_error() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = tempfile::tempdir().expect("dir");
    let (file, _) = file_of(dir.path(), 1);
    let output = env
        .run(&["upload", file.to_str().expect("path"), "--resume"])
        .await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no interrupted upload"),
        "{}",
        stderr(&output)
    );
}
