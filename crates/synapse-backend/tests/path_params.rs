//! Path parameters that would change the route (empty, `.`, `..`, in any encoding) are
//! refused with `InvalidInput` before any request, by every method that puts a caller's
//! value in a path. Integer ids cannot spell a dot segment; the methods taking them are
//! covered by their types.

use futures_util::StreamExt;
use synapse_backend::models::{ChunkedUploadId, JobId, JobStatus, PluginRef};
use synapse_backend::{BackendClient, Error};
use synapse_transport::RetryPolicy;
use synapse_transport::mock::MockTransport;

const BAD: [&str; 7] = ["", ".", "..", "%2e", "%2E%2e", ".%2e", "%252e%252e"];

fn client(mock: &MockTransport) -> BackendClient {
    BackendClient::builder("https://synapse.test/api/")
        .without_env()
        .access_token("acc-secret")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

fn assert_refused<T: std::fmt::Debug>(what: &str, bad: &str, result: Result<T, Error>) {
    match result {
        Err(Error::InvalidInput { message, .. }) => {
            assert!(
                message.contains("path parameter") || message.ends_with(" is empty"),
                "{what}({bad:?}): {message}"
            );
        }
        other => panic!("{what}({bad:?}) was not refused: {other:?}"),
    }
}

#[tokio::test]
async fn every_string_path_parameter_is_refused_before_any_request() {
    let mock = MockTransport::new();
    let c = client(&mock);
    for bad in BAD {
        let job = JobId::from(bad);
        assert_refused("get_job", bad, c.get_job(job.clone()).await);
        assert_refused(
            "update_job",
            bad,
            c.update_job(job.clone()).status(JobStatus::Running).await,
        );
        assert_refused(
            "list_job_console_logs",
            bad,
            c.list_job_console_logs(job.clone()).await,
        );
        let first = c
            .tail_job_console_logs(job.clone())
            .events()
            .next()
            .await
            .expect("one item");
        assert_refused("tail_job_console_logs", bad, first);
        assert_refused("run_plugin", bad, c.run_plugin(PluginRef::from(bad)).await);
        assert_refused(
            "get_plugin_release_by_lookup",
            bad,
            c.get_plugin_release_by_lookup(bad).await,
        );
        assert_refused(
            "get_chunked_upload",
            bad,
            c.get_chunked_upload(ChunkedUploadId::from(bad)).await,
        );
        assert_refused("health_check_agent", bad, c.health_check_agent(bad).await);
    }
    assert_eq!(mock.request_count(), 0, "{:#?}", mock.requests());
}

#[tokio::test]
async fn the_core_refuses_dot_and_empty_segments_in_any_path() {
    let mock = MockTransport::new();
    let c = client(&mock);
    for path in [
        "jobs/../",
        "jobs/./",
        "jobs//x/",
        "jobs/%2e%2E/",
        "https://synapse.test/api/a/../b/",
    ] {
        let result = c.core().get(path).send().await;
        assert!(
            matches!(result, Err(Error::InvalidInput { .. })),
            "{path}: {result:?}"
        );
    }
    assert_eq!(mock.request_count(), 0);
}
