//! Path parameters that would change the route (empty, `.`, `..`, in any encoding) are
//! refused with `InvalidInput` before any request, by every method that puts a caller's
//! value in a path.

mod common;

use futures_util::StreamExt;
use synapse_agent::Error;
use synapse_transport::mock::MockTransport;

const BAD: [&str; 7] = ["", ".", "..", "%2e", "%2E%2e", ".%2e", "%252e%252e"];

fn assert_refused<T: std::fmt::Debug>(what: &str, bad: &str, result: Result<T, Error>) {
    match result {
        Err(Error::InvalidInput { .. }) => {}
        other => panic!("{what}({bad:?}) was not refused: {other:?}"),
    }
}

/// The methods whose parameter is a raw path segment: the refusal names it.
fn assert_path_refused<T: std::fmt::Debug>(what: &str, bad: &str, result: Result<T, Error>) {
    match result {
        Err(Error::InvalidInput { message, .. }) if message.contains("path parameter") => {}
        other => panic!("{what}({bad:?}) was not refused as a path parameter: {other:?}"),
    }
}

#[tokio::test]
async fn every_string_path_parameter_is_refused_before_any_request() {
    let mock = MockTransport::new();
    let a = common::client(&mock);
    let timeout = std::time::Duration::from_secs(1);
    for bad in BAD {
        assert_path_refused("get_job", bad, a.get_job(bad).await);
        assert_path_refused("get_job_logs", bad, a.get_job_logs(bad).await);
        assert_path_refused("list_job_logs", bad, a.list_job_logs(bad).await);
        assert_path_refused("stop_job", bad, a.stop_job(bad).await);
        for (what, tail) in [
            ("stream_tail_job_logs", a.stream_tail_job_logs(bad)),
            ("tail_job_logs", a.tail_job_logs(bad)),
        ] {
            assert_refused(what, bad, tail.request());
            let first = tail.messages().next().await.expect("one item");
            assert_refused(what, bad, first);
        }
        assert_path_refused("get_node", bad, a.get_node(bad).await);
        assert_path_refused("get_task", bad, a.get_task(bad).await);
        assert_path_refused(
            "get_serve_application",
            bad,
            a.get_serve_application(bad).await,
        );
        assert_path_refused(
            "delete_serve_application",
            bad,
            a.delete_serve_application(bad).await,
        );
        assert_path_refused("get_build_status", bad, a.get_build_status(bad).await);
        assert_path_refused(
            "wait_for_build",
            bad,
            a.wait_for_build(bad)
                .timeout(timeout)
                .poll_interval(timeout)
                .await,
        );
        assert_path_refused(
            "get_docker_container",
            bad,
            a.get_docker_container(bad).await,
        );
        assert_path_refused(
            "delete_docker_container",
            bad,
            a.delete_docker_container(bad).await,
        );
        assert_path_refused(
            "stop_docker_container",
            bad,
            a.stop_docker_container(bad).await,
        );
        assert_path_refused(
            "start_docker_container",
            bad,
            a.start_docker_container(bad).await,
        );
        // Release lookups are validated as `code@version` or an id before they reach a path.
        assert_refused("get_plugin_release", bad, a.get_plugin_release(bad).await);
        assert_refused(
            "delete_plugin_release",
            bad,
            a.delete_plugin_release(bad).await,
        );
        assert_refused(
            "run_plugin_release",
            bad,
            a.run_plugin_release(bad, "train").await,
        );
    }
    assert_eq!(mock.request_count(), 0, "{:#?}", mock.requests());
}

#[test]
fn every_request_value_with_a_bad_path_parameter_is_refused() {
    let mock = MockTransport::new();
    let a = common::client(&mock);
    for bad in BAD {
        for (what, request) in [
            ("get_job", a.get_job(bad).request()),
            ("get_job_logs", a.get_job_logs(bad).request()),
            ("list_job_logs", a.list_job_logs(bad).request()),
            ("stop_job", a.stop_job(bad).request()),
            ("get_node", a.get_node(bad).request()),
            ("get_task", a.get_task(bad).request()),
            (
                "get_serve_application",
                a.get_serve_application(bad).request(),
            ),
            (
                "delete_serve_application",
                a.delete_serve_application(bad).request(),
            ),
            ("get_build_status", a.get_build_status(bad).request()),
            (
                "get_docker_container",
                a.get_docker_container(bad).request(),
            ),
            (
                "delete_docker_container",
                a.delete_docker_container(bad).request(),
            ),
            (
                "stop_docker_container",
                a.stop_docker_container(bad).request(),
            ),
            (
                "start_docker_container",
                a.start_docker_container(bad).request(),
            ),
        ] {
            assert_path_refused(what, bad, request);
        }
        for (what, request) in [
            ("get_plugin_release", a.get_plugin_release(bad).request()),
            (
                "delete_plugin_release",
                a.delete_plugin_release(bad).request(),
            ),
            (
                "run_plugin_release",
                a.run_plugin_release(bad, "train").request(),
            ),
            (
                "run_plugin_release_legacy",
                a.run_plugin_release_legacy(bad, serde_json::json!({}))
                    .request(),
            ),
        ] {
            assert_refused(what, bad, request);
        }
    }
    assert_eq!(mock.request_count(), 0);
}
