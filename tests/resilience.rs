//! Faults over real HTTP: retried reads, never-replayed writes, resumed uploads, truncated
//! bodies and foreign `next` links.

use futures_util::StreamExt;
use synapse_backend::models::{JobId, PluginCode, PluginCreate, PluginReleaseCreateRequest};
use synapse_backend::{BackendClient, ChunkedUploadOptions, Error};
use synapse_e2e::{md5_hex, start, start_with};
use synapse_fake::{FakeConfig, Fault, FaultAction};
use synapse_transport::{Method, PaginationError, RetryPolicy};

async fn plugin_with_release(client: &BackendClient) {
    client
        .create_plugin(PluginCreate {
            name: Some("P".into()),
            code: Some(PluginCode::new("p1").expect("code")),
            category: Some("custom".into()),
            ..Default::default()
        })
        .await
        .expect("plugin");
    client
        .create_plugin_release(PluginReleaseCreateRequest::new(
            PluginCode::new("p1").expect("code"),
            "1.0.0",
        ))
        .await
        .expect("release");
}

#[tokio::test]
async fn a_503_burst_on_a_get_is_retried_and_succeeds() {
    let (fake, client) = start().await;
    let ids = fake.seed_jobs(1);
    fake.inject(
        Fault::status(503, 2)
            .method(Method::GET)
            .path("/jobs/")
            .retry_after("0"),
    );
    let job = client.get_job(ids[0].as_str()).await.expect("retried");
    assert_eq!(job.id.map(|i| i.to_string()), Some(ids[0].clone()));
    assert_eq!(fake.count(&Method::GET, "/jobs/"), 3);
}

#[tokio::test]
async fn a_503_on_a_plugin_run_is_not_replayed() {
    let (fake, client) = start().await;
    plugin_with_release(&client).await;
    fake.inject(Fault::status(503, 1).path("/run/"));
    let err = client
        .run_plugin(PluginCode::new("p1").expect("code"))
        .await
        .expect_err("503 is returned");
    assert_eq!(err.status_code(), Some(503));
    assert_eq!(
        fake.count(&Method::POST, "/plugins/p1/run/"),
        1,
        "exactly one run request"
    );
    // The run went through once the fault passed: a caller's own retry is the only retry.
    client
        .run_plugin(PluginCode::new("p1").expect("code"))
        .await
        .expect("second run");
    assert_eq!(fake.runs(), 1);
}

#[tokio::test]
async fn a_run_whose_answer_is_lost_is_not_replayed_either() {
    let (fake, client) = start().await;
    plugin_with_release(&client).await;
    // The server starts the job, then the connection drops before the answer.
    fake.inject(Fault::new(FaultAction::DropAfterRead, 1).path("/run/"));
    let err = client
        .run_plugin(PluginCode::new("p1").expect("code"))
        .await
        .expect_err("answer lost");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
    assert_eq!(fake.runs(), 1, "one job started, no duplicate");
}

#[tokio::test]
async fn an_upload_interrupted_by_a_dropped_connection_resumes_to_a_verified_md5() {
    for action in [FaultAction::DropAfterRead, FaultAction::DropBeforeRead] {
        let (fake, client) = start().await;
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("model.bin");
        let data: Vec<u8> = (0..600_000u32).map(|i| (i * 31 % 256) as u8).collect();
        std::fs::write(&path, &data).expect("write");
        // The second chunk (the first PUT to the upload's own URL) loses its connection.
        fake.inject(
            Fault::new(action.clone(), 1)
                .method(Method::PUT)
                .path("/chunked_upload/0"),
        );
        let upload = client
            .create_chunked_upload(&path)
            .options(ChunkedUploadOptions::default().chunk_size(200_000))
            .await
            .expect("resumed");
        assert_eq!(upload.recoveries, 1, "{action:?}");
        assert_eq!(upload.md5, md5_hex(&data));
        assert_eq!(
            fake.upload_md5(&upload.id.to_string()),
            Some(md5_hex(&data)),
            "{action:?}"
        );
        assert_eq!(
            fake.count(&Method::GET, "/chunked_upload/"),
            1,
            "one state check"
        );
    }
}

#[tokio::test]
async fn a_truncated_body_is_a_typed_error() {
    let (fake, _) = start().await;
    let client = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let ids = fake.seed_jobs(1);
    fake.inject(Fault::new(FaultAction::TruncateBody, 1).path("/jobs/"));
    let err = client
        .get_job(ids[0].as_str())
        .await
        .expect_err("truncated");
    assert!(matches!(err, Error::ResponseIncomplete { .. }), "{err:?}");
    // With the default policy the same GET is retried and succeeds.
    let (fake, client) = start().await;
    let ids = fake.seed_jobs(1);
    fake.inject(Fault::new(FaultAction::TruncateBody, 1).path("/jobs/"));
    client.get_job(ids[0].as_str()).await.expect("retried");
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused() {
    let (fake, client) = start_with(FakeConfig {
        link_origin: Some("http://evil.example".into()),
        ..FakeConfig::default()
    })
    .await;
    fake.seed_jobs(150);
    let items: Vec<_> = client.list_jobs().items().collect().await;
    assert_eq!(items.iter().filter(|r| r.is_ok()).count(), 100);
    match items.last() {
        Some(Err(Error::Pagination(PaginationError::OffOrigin { got, .. }))) => {
            assert_eq!(got, "http://evil.example:80")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        fake.count(&Method::GET, "/jobs/"),
        1,
        "the foreign page is never requested"
    );
}

#[tokio::test]
async fn a_delayed_answer_hits_the_read_timeout_and_a_patient_client_waits() {
    let (fake, _) = start().await;
    let ids = fake.seed_jobs(1);
    let id = JobId::from(ids[0].as_str());
    let impatient = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .read_timeout(std::time::Duration::from_millis(100))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    fake.inject(
        Fault::new(FaultAction::Delay(std::time::Duration::from_millis(400)), 1).path("/jobs/"),
    );
    let err = impatient.get_job(&id).await.expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.status_code(), Some(408));
    fake.inject(
        Fault::new(FaultAction::Delay(std::time::Duration::from_millis(150)), 1).path("/jobs/"),
    );
    let patient = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .build()
        .expect("client");
    patient.get_job(&id).await.expect("waited");
}
