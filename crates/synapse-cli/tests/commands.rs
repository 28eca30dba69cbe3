//! The real binary against the embedded fake: settings, jobs, serve applications, models
//! and the exit codes.

mod support;

use support::{Env, code, json_out, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_written_config_logs_the_binary_in() {
    let env = Env::start().await;
    let ids = env.fake.seed_jobs(3);
    env.write_python_config();
    let output = env.run(&["job", "list", "--json"]).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let jobs = json_out(&output);
    assert_eq!(jobs.as_array().map(Vec::len), Some(3), "{jobs}");
    for id in ids {
        assert!(
            jobs.as_array()
                .expect("array")
                .iter()
                .any(|j| j["id"] == id.as_str()),
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credentials_is_exit_code_3() {
    let env = Env::start().await;
    let output = env.run(&["job", "list"]).await;
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("synapse login"),
        "{}",
        stderr(&output)
    );
}
