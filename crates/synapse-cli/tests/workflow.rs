//! The day-to-day session, end to end with the real binary against the fake: login, publish
//! a plugin, run it following its log, read the log back, and an upload that a fault stops
//! mid-way and `--resume` finishes.

mod support;

use std::time::Duration;

use support::{Env, code, json_out, stderr, stdout};
use synapse_fake::{Fault, Method};

fn plugin_dir(root: &std::path::Path) -> std::path::PathBuf {
    let dir = root.join("hello-plugin");
    std::fs::create_dir_all(dir.join("plugin")).expect("mkdir");
    std::fs::write(
        dir.join("config.yaml"),
        "name: Hello\ncode: hello\nversion: 1.0.0\ncategory: neural_net\nactions:\n  train:\n    entrypoint: plugin.train:Train\n    method: job\n",
    )
    .expect("config");
    std::fs::write(dir.join("plugin").join("train.py"), "print('hi')\n").expect("code");
    std::fs::write(dir.join(".gitignore"), "*.ckpt\n").expect("ignore");
    std::fs::write(dir.join("big.ckpt"), "not shipped").expect("ckpt");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_publish_run_follow_logs_and_a_resumed_upload() {
    let env = Env::start().await;
    let work = tempfile::tempdir().expect("work");

    // 1. login (token on stdin; never printed).
    let host = env.fake.url();
    let token = format!("{}\n", env.fake.access_token());
    let output = env
        .run_with(&["login", "--host", &host, "--token-stdin"], Some(&token))
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));

    // 2. publish.
    let dir = plugin_dir(work.path());
    let dir = dir.to_str().expect("path");
    let output = env
        .run(&["--json", "plugin", "publish", "--path", dir])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let release = json_out(&output);
    assert_eq!(release["version"], "1.0.0", "{release}");

    // 3. run, following the job's log to its end.
    let output = env
        .run(&["plugin", "run", "train", "-p", "hello", "--follow"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let followed = stdout(&output);
    assert!(!followed.trim().is_empty(), "no log lines were streamed");
    assert!(
        stderr(&output).contains("ended SUCCEEDED"),
        "{}",
        stderr(&output)
    );

    // 4. the job's log, read back, holds the lines that were streamed.
    let output = env.run(&["--json", "job", "list", "--limit", "1"]).await;
    let job = json_out(&output)[0]["id"]
        .as_str()
        .expect("job id")
        .to_owned();
    let output = env.run(&["job", "logs", &job]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    for line in followed.lines() {
        assert!(
            stdout(&output).contains(line),
            "{line:?} missing from the log"
        );
    }

    // 5. an upload stopped by a fault after its first chunk, then resumed.
    let file = work.path().join("data.bin");
    std::fs::write(&file, vec![3u8; 4 * 1024 * 1024]).expect("write");
    let file = file.to_str().expect("path").to_owned();
    env.slow_chunk_puts(150);
    let mut child = env.command();
    child.args(["upload", &file, "--chunk-mib", "1", "--retries", "0"]);
    let run = tokio::task::spawn_blocking(move || child.output().expect("run"));
    let uploads = env.home.path().join(".synapse").join("uploads");
    let started = std::time::Instant::now();
    while std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0) == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "no checkpoint");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    env.clear_faults().await;
    env.fake.inject(
        Fault::status(503, 1000)
            .method(Method::PUT)
            .path("/chunked_upload/"),
    );
    let output = run.await.expect("join");
    // The fault answers before reading the chunk: the client sees the 5xx (exit 5) or, when
    // the answer lands while the chunk is still being written, a broken write (exit 6).
    assert!(matches!(code(&output), 5 | 6), "{}", stderr(&output));
    env.clear_faults().await;
    let output = env
        .run(&["--json", "upload", &file, "--resume", "--chunk-mib", "1"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["size"], 4 * 1024 * 1024);
}
