//! The real binary against the embedded fake: `plugin package`, `publish`, `run` and
//! `releases`.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::{Env, code, json_out, stderr, stdout};

/// Writes `text` at `root/name`, creating directories.
fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A plugin `hello` 1.0.0 with ignore files, caches and requirements.
fn plugin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("plugin dir");
    let root = dir.path();
    write(
        root,
        "config.yaml",
        "code: hello\nname: Hello\nversion: 1.0.0\ncategory: neural_net\ndescription: Says hello\nactions:\n  train:\n    entrypoint: plugin.train:Train\n    method: job\n",
    );
    write(root, "plugin/__init__.py", "");
    write(root, "plugin/train.py", "class Train:\n    pass\n");
    write(root, "plugin/__pycache__/train.cpython-312.pyc", "bytecode");
    write(
        root,
        "requirements.txt",
        "# deps\nnumpy>=1.26\n\nrequests==2.32.0\n",
    );
    write(root, ".gitignore", "outputs/\n*.ckpt\n");
    write(root, "outputs/run1/result.json", "{}");
    write(root, "weights.ckpt", "w");
    write(
        root,
        ".synapseignore",
        "docs/\n!docs/keep.md\n*.md\n!README.md\n",
    );
    write(root, "docs/notes.md", "n");
    write(root, "README.md", "# Hello\n");
    write(root, "CHANGES.md", "c");
    write(root, ".venv/bin/python", "x");
    write(root, "train.log", "l");
    dir
}

/// The entries of a zip, in order.
fn zip_entries(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    (0..zip.len())
        .map(|i| {
            let entry = zip.by_index(i).expect("entry");
            String::from_utf8(entry.name_raw().to_vec()).expect("utf-8")
        })
        .collect()
}

/// Runs the binary in `dir` (for commands reading `./config.yaml`).
async fn run_in(env: &Env, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = env.command();
    cmd.current_dir(dir).args(args);
    tokio::task::spawn_blocking(move || cmd.stdin(std::process::Stdio::null()).output())
        .await
        .expect("join")
        .expect("run")
}

/// Publishes the plugin in `dir`, asserting success; the created release.
async fn publish(env: &Env, dir: &Path) -> Value {
    let path = dir.to_str().expect("utf-8 path");
    let output = env
        .run(&["plugin", "publish", "--path", path, "--json"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    json_out(&output)
}

const EXPECTED: [&str; 6] = [
    ".synapseignore",
    "README.md",
    "config.yaml",
    "plugin/__init__.py",
    "plugin/train.py",
    "requirements.txt",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_honours_the_ignore_files_and_gives_the_same_bytes_twice() {
    let env = Env::start().await;
    let dir = plugin_dir();
    let out = tempfile::tempdir().expect("out");
    let mut digests = Vec::new();
    for name in ["a.zip", "b.zip"] {
        let zip = out.path().join(name);
        let output = env
            .run(&[
                "plugin",
                "package",
                "--path",
                dir.path().to_str().expect("utf-8"),
                "-o",
                zip.to_str().expect("utf-8"),
                "--json",
            ])
            .await;
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let report = json_out(&output);
        assert_eq!(zip_entries(&zip), EXPECTED);
        assert_eq!(report["files"], serde_json::json!(EXPECTED));
        assert_eq!(report["code"], "hello");
        assert_eq!(report["version"], "1.0.0");
        assert_eq!(
            report["size"].as_u64(),
            Some(std::fs::metadata(&zip).expect("meta").len())
        );
        digests.push(report["md5"].as_str().expect("md5").to_owned());
    }
    assert_eq!(digests[0], digests[1]);
    assert_eq!(
        std::fs::read(out.path().join("a.zip")).expect("a"),
        std::fs::read(out.path().join("b.zip")).expect("b")
    );
    // No network: a package never calls the platform.
    assert!(env.fake.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_writes_code_version_zip_in_the_current_directory_and_skips_itself() {
    let env = Env::start().await;
    let dir = plugin_dir();
    for _ in 0..2 {
        let output = run_in(&env, dir.path(), &["plugin", "package"]).await;
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert!(stdout(&output).contains("6 files"), "{}", stdout(&output));
    }
    assert_eq!(zip_entries(&dir.path().join("hello-1.0.0.zip")), EXPECTED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_config_is_exit_2_with_its_errors() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path(), "config.yaml", "name: Nameless\n");
    let output = env
        .run(&[
            "plugin",
            "package",
            "--path",
            dir.path().to_str().expect("utf-8"),
        ])
        .await;
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("Missing required field: 'code'"), "{err}");
    assert!(err.contains("No actions defined"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_creates_the_plugin_and_its_release_which_releases_lists() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = plugin_dir();
    let release = publish(&env, dir.path()).await;
    assert_eq!(release["version"], "1.0.0");
    assert_eq!(
        release["requirements"],
        serde_json::json!(["numpy>=1.26", "requests==2.32.0"])
    );
    assert_eq!(release["config"]["code"], "hello");
    assert_eq!(release["debug"], false);
    let posts: Vec<String> = env
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST")
        .map(|c| c.path_and_query)
        .collect();
    // The release was refused (no plugin), the plugin created, the release sent again.
    assert_eq!(
        posts,
        ["/plugin_releases/", "/plugins/", "/plugin_releases/"],
        "{posts:?}"
    );
    // The archive the fake received is the one `plugin package` builds.
    let out = tempfile::tempdir().expect("out");
    let zip = out.path().join("hello.zip");
    let packaged = env
        .run(&[
            "plugin",
            "package",
            "--path",
            dir.path().to_str().expect("utf-8"),
            "-o",
            zip.to_str().expect("utf-8"),
            "--json",
        ])
        .await;
    let md5 = json_out(&packaged)["md5"].clone();
    assert_eq!(release["archive"]["md5"], md5);
    assert_eq!(release["archive"]["filename"], "hello-1.0.0.zip");

    let output = env
        .run(&["plugin", "releases", "-p", "hello", "--json"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let list = json_out(&output);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], release["id"]);
    assert_eq!(list[0]["version"], "1.0.0");

    // A second version, from the flag; the plugin now exists, so one POST.
    let before = env.fake.calls().len();
    let output = env
        .run(&[
            "plugin",
            "publish",
            "--path",
            dir.path().to_str().expect("utf-8"),
            "--version",
            "1.1.0",
            "--debug",
            "--json",
        ])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let second = json_out(&output);
    assert_eq!(
        (
            &second["version"],
            &second["debug"],
            &second["config"]["version"]
        ),
        (
            &Value::from("1.1.0"),
            &Value::from(true),
            &Value::from("1.1.0")
        )
    );
    let calls = env.fake.calls();
    let new_posts: Vec<_> = calls[before..]
        .iter()
        .filter(|c| c.method == "POST")
        .collect();
    assert_eq!(new_posts.len(), 1, "{new_posts:?}");
    let output = env.run(&["plugin", "releases", "-p", "hello"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("ID"), "{text}");
    assert!(text.contains("1.1.0") && text.contains("1.0.0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_release_is_exit_1_with_the_servers_message() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = plugin_dir();
    publish(&env, dir.path()).await;
    let output = env
        .run(&[
            "plugin",
            "publish",
            "--path",
            dir.path().to_str().expect("utf-8"),
        ])
        .await;
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_sends_nothing() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = plugin_dir();
    let output = env
        .run(&[
            "plugin",
            "publish",
            "--path",
            dir.path().to_str().expect("utf-8"),
            "--dry-run",
            "--json",
        ])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json_out(&output);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["files"], serde_json::json!(EXPECTED));
    assert!(env.fake.calls().is_empty(), "{:?}", env.fake.calls());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_follow_streams_the_log_and_exits_with_the_jobs_outcome() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = plugin_dir();
    publish(&env, dir.path()).await;
    // From ./config.yaml, as a person in the plugin's directory would.
    let output = run_in(&env, dir.path(), &["plugin", "run", "train", "--follow"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let log = stdout(&output);
    assert!(log.contains("Plugin started: action=train"), "{log}");
    assert!(log.contains("Action complete"), "{log}");
    assert!(
        stderr(&output).contains("ended SUCCEEDED"),
        "{}",
        stderr(&output)
    );

    let output = env
        .run(&[
            "plugin",
            "run",
            "train",
            "-p",
            "hello@1.0.0",
            "--params",
            r#"{"fail": true}"#,
            "--follow",
        ])
        .await;
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Action failed"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("ended FAILED"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_without_follow_prints_the_started_job() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = plugin_dir();
    publish(&env, dir.path()).await;
    let output = env
        .run(&["plugin", "run", "train", "-p", "hello", "--json"])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let job = json_out(&output);
    let id = job["id"].as_str().expect("job id").to_owned();
    assert_eq!(job["action"], "train");
    let output = env.run(&["job", "get", &id, "--json"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_out(&output)["id"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_run_follows_the_agents_job() {
    let env = Env::start().await;
    env.write_python_config();
    let dir = plugin_dir();
    publish(&env, dir.path()).await;
    let agent = synapse_agent::AgentClient::builder(env.fake.agent_url(), env.fake.agent_token())
        .build()
        .expect("agent client");
    agent
        .create_plugin_release("hello", "1.0.0")
        .await
        .expect("cache the release on the agent");
    let output = env
        .run(&[
            "plugin",
            "run",
            "train",
            "-p",
            "hello@1.0.0",
            "--agent",
            "--follow",
        ])
        .await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let log = stdout(&output);
    assert!(log.contains("Action complete"), "{log}");
    let agent_runs = env
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST" && c.path_and_query.contains("hello@1.0.0/run"))
        .count();
    assert_eq!(agent_runs, 1, "{:?}", env.fake.calls());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn params_that_are_not_a_json_object_are_exit_2() {
    let env = Env::start().await;
    env.write_python_config();
    for params in ["[1, 2]", "{not json"] {
        let output = env
            .run(&["plugin", "run", "train", "-p", "hello", "--params", params])
            .await;
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        assert!(stderr(&output).contains("--params"), "{}", stderr(&output));
    }
    assert!(env.fake.calls().is_empty());
}
