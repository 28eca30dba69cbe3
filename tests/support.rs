//! Shared set-up of the end-to-end tests: each test starts its own fake on its own port.

use std::time::Duration;

use serde_json::{Value, json};
use synapse_backend::BackendClient;
use synapse_backend::models::{PluginCode, PluginCreate, TaskCreateRequest};
use synapse_fake::{FakeConfig, FakeServer};
use synapse_transport::{ApiErrorKind, RetryPolicy};

/// A retry policy with the default rules and millisecond backoffs, so tests stay fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
}

/// Starts a fake with `config` and a client for it over real HTTP.
pub async fn start_with(config: FakeConfig) -> (FakeServer, BackendClient) {
    let fake = FakeServer::start_with(config).await.expect("fake starts");
    let client = BackendClient::builder(fake.url())
        .without_env()
        .access_token(fake.access_token())
        .retry_policy(fast_retries())
        .build()
        .expect("client");
    (fake, client)
}

/// Starts a fake with short jobs (300 ms, 6 console lines).
pub async fn start() -> (FakeServer, BackendClient) {
    start_with(FakeConfig {
        job_duration: Duration::from_millis(300),
        log_lines: 6,
        ..FakeConfig::default()
    })
    .await
}

/// A fake with short jobs (300 ms, 6 console lines) and `config`'s other settings, the
/// backend plugin `yolov8` with release `1.0.0` (actions `train` as a job, `inference` on
/// Ray Serve, `gradio`) cached on the agent, and an agent client for it.
pub async fn start_agent(config: FakeConfig) -> (FakeServer, synapse_agent::AgentClient) {
    use synapse_backend::models::PluginReleaseCreateRequest;
    let (fake, backend) = start_with(config).await;
    create_plugin(&backend, "yolov8", "YOLO").await;
    let code = PluginCode::new("yolov8").expect("code");
    let mut release = PluginReleaseCreateRequest::new(code, "1.0.0");
    release.config = json!({"actions": {
        "train": {"entrypoint": "plugin.train.train", "method": "job"},
        "inference": {"entrypoint": "plugin.inference.app", "method": "serve"},
        "gradio": {"entrypoint": "plugin.gradio_interface.app", "method": "job"},
    }})
    .as_object()
    .cloned();
    backend
        .create_plugin_release(release)
        .await
        .expect("release");
    let agent = synapse_agent::AgentClient::builder(fake.agent_url(), fake.agent_token())
        .retry_policy(fast_retries())
        .build()
        .expect("agent");
    agent
        .create_plugin_release("yolov8", "1.0.0")
        .await
        .expect("cached on the agent");
    (fake, agent)
}

/// Creates the backend plugin `code` named `name` (category `neural_net`).
pub async fn create_plugin(client: &BackendClient, code: &str, name: &str) {
    client
        .create_plugin(PluginCreate {
            name: Some(name.into()),
            code: Some(PluginCode::new(code).expect("code")),
            category: Some("neural_net".into()),
            ..Default::default()
        })
        .await
        .expect("plugin");
}

/// Runs `action` of the release `yolov8@1.0.0` cached on the agent with `params`; the job id.
pub async fn run_action(agent: &synapse_agent::AgentClient, action: &str, params: Value) -> String {
    agent
        .run_plugin_release("yolov8@1.0.0", action)
        .params(params.as_object().cloned().expect("object"))
        .await
        .expect("run")
        .job_id()
        .expect("job_id")
        .to_owned()
}

/// Asserts that an agent call failed with the fake's 404 `{"detail": "Not found."}`.
pub fn assert_not_found(err: synapse_agent::Error) {
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.body_json(), Some(&json!({"detail": "Not found."})));
}

/// The JSON body of a backend call that must fail with an API error of `kind`.
pub fn api_error(
    result: Result<impl std::fmt::Debug, synapse_backend::Error>,
    kind: ApiErrorKind,
) -> Value {
    let err = result.expect_err("the call fails");
    assert_eq!(err.api().map(|a| a.kind), Some(kind), "{err}");
    err.body_json().cloned().expect("a JSON error body")
}

/// The JSON body of a backend call that must fail with exactly `status`, an API error of
/// `kind`.
pub fn api_error_status(
    result: Result<impl std::fmt::Debug, synapse_backend::Error>,
    status: u16,
    kind: ApiErrorKind,
) -> Value {
    let err = result.expect_err("the call fails");
    assert_eq!(err.status_code(), Some(status), "{err}");
    let api = err.api().expect("an API error");
    assert_eq!(api.kind, kind);
    api.body_json().cloned().expect("a JSON error body")
}

/// The settings of [`start`]: jobs of 300 ms with 6 console lines.
pub fn short_jobs() -> FakeConfig {
    FakeConfig {
        job_duration: Duration::from_millis(300),
        log_lines: 6,
        ..FakeConfig::default()
    }
}

/// MD5 of `data` as lower-case hex.
pub fn md5_hex(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub mod raw {
    //! A neutral HTTP/1.1 server on 127.0.0.1 that records every request exactly as it
    //! arrived (head and body bytes) and answers from a script: for tests of what goes on
    //! the wire, and of answers a real server would rarely give.

    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// One request as it arrived.
    #[derive(Debug, Clone)]
    pub struct RawRequest {
        /// `PUT`, `GET`, …
        pub method: String,
        /// The request target (`/path?query`).
        pub target: String,
        /// Header lines as sent (name, value), in order.
        pub headers: Vec<(String, String)>,
        /// The body (Content-Length or chunked, decoded).
        pub body: Vec<u8>,
    }

    impl RawRequest {
        /// Every value of a header (case-insensitive name).
        pub fn header_values(&self, name: &str) -> Vec<&str> {
            self.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .collect()
        }

        /// The single value of a header, if sent.
        pub fn header(&self, name: &str) -> Option<&str> {
            self.header_values(name).first().copied()
        }
    }

    /// What the server answers.
    #[derive(Debug, Clone)]
    pub struct RawReply {
        /// Status code.
        pub status: u16,
        /// Extra headers (Content-Length is added).
        pub headers: Vec<(String, String)>,
        /// The body.
        pub body: Vec<u8>,
        /// A WebSocket answer: `101` with the handshake's accept key, then these raw
        /// frames, then the connection closes.
        pub websocket: Option<Vec<Vec<u8>>>,
    }

    impl RawReply {
        /// A reply with a JSON body.
        pub fn json(status: u16, body: serde_json::Value) -> Self {
            RawReply {
                status,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.to_string().into_bytes(),
                websocket: None,
            }
        }

        /// A reply with raw bytes.
        pub fn bytes(status: u16, body: impl Into<Vec<u8>>) -> Self {
            RawReply {
                status,
                headers: Vec::new(),
                body: body.into(),
                websocket: None,
            }
        }

        /// Accepts a WebSocket handshake, then sends `frames` (see [`ws_text`]) and closes.
        pub fn websocket(frames: Vec<Vec<u8>>) -> Self {
            RawReply {
                status: 101,
                headers: Vec::new(),
                body: Vec::new(),
                websocket: Some(frames),
            }
        }

        /// Adds a header.
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.headers.push((name.into(), value.into()));
            self
        }
    }

    type Handler = Arc<dyn Fn(&RawRequest) -> RawReply + Send + Sync>;

    /// A running server; it stops when dropped.
    pub struct RawServer {
        addr: std::net::SocketAddr,
        requests: Arc<Mutex<Vec<RawRequest>>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for RawServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl RawServer {
        /// Starts a server answering every request with `handler`.
        pub async fn start(
            handler: impl Fn(&RawRequest) -> RawReply + Send + Sync + 'static,
        ) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            let requests = Arc::new(Mutex::new(Vec::new()));
            let handler: Handler = Arc::new(handler);
            let record = requests.clone();
            let task = tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    let handler = handler.clone();
                    let record = record.clone();
                    tokio::spawn(serve(sock, handler, record));
                }
            });
            RawServer {
                addr,
                requests,
                task,
            }
        }

        /// `http://127.0.0.1:<port>` followed by `path`.
        pub fn url(&self, path: &str) -> String {
            format!("http://{}{path}", self.addr)
        }

        /// Every request received so far.
        pub fn requests(&self) -> Vec<RawRequest> {
            self.requests.lock().expect("lock").clone()
        }
    }

    async fn serve(mut sock: TcpStream, handler: Handler, record: Arc<Mutex<Vec<RawRequest>>>) {
        let mut buf = Vec::new();
        loop {
            let Some(request) = read_request(&mut sock, &mut buf).await else {
                return;
            };
            let reply = handler(&request);
            if let Some(frames) = &reply.websocket {
                let key = request.header("sec-websocket-key").unwrap_or("").to_owned();
                record.lock().expect("lock").push(request);
                let head = format!(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                    ws_accept(&key)
                );
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for frame in frames {
                    if sock.write_all(frame).await.is_err() {
                        return;
                    }
                }
                let _ = sock.flush().await;
                // Read what the client answers (a close) until it hangs up.
                let mut sink = [0u8; 256];
                let _ =
                    tokio::time::timeout(std::time::Duration::from_secs(3), sock.read(&mut sink))
                        .await;
                return;
            }
            record.lock().expect("lock").push(request);
            let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
            for (k, v) in &reply.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
            if sock.write_all(head.as_bytes()).await.is_err()
                || sock.write_all(&reply.body).await.is_err()
            {
                return;
            }
        }
    }

    /// `Sec-WebSocket-Accept` for a key (RFC 6455).
    fn ws_accept(key: &str) -> String {
        use base64::Engine;
        use sha1::{Digest, Sha1};
        let mut sha = Sha1::new();
        sha.update(key.as_bytes());
        sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
        base64::engine::general_purpose::STANDARD.encode(sha.finalize())
    }

    /// An unmasked text frame, as a server sends it.
    pub fn ws_text(text: &str) -> Vec<u8> {
        let mut frame = vec![0x81];
        let len = text.len();
        if len < 126 {
            frame.push(len as u8);
        } else {
            frame.push(126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        frame.extend_from_slice(text.as_bytes());
        frame
    }

    /// A close frame with code 1000.
    pub fn ws_close() -> Vec<u8> {
        vec![0x88, 0x02, 0x03, 0xe8]
    }

    async fn fill(sock: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<RawRequest> {
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            if !fill(sock, buf).await {
                return None;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end);
        let mut lines = head.split("\r\n");
        let mut first = lines.next()?.split(' ');
        let method = first.next()?.to_owned();
        let target = first.next()?.to_owned();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect();
        let find = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        if let Some(len) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
            while buf.len() < len {
                if !fill(sock, buf).await {
                    return None;
                }
            }
            body = buf.drain(..len).collect();
        } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            loop {
                let line_end = loop {
                    if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                        break p;
                    }
                    if !fill(sock, buf).await {
                        return None;
                    }
                };
                let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
                let size = usize::from_str_radix(size_text.trim(), 16).ok()?;
                buf.drain(..line_end + 2);
                while buf.len() < size + 2 {
                    if !fill(sock, buf).await {
                        return None;
                    }
                }
                body.extend(buf.drain(..size));
                buf.drain(..2);
                if size == 0 {
                    break;
                }
            }
        }
        Some(RawRequest {
            method,
            target,
            headers,
            body,
        })
    }
}

/// Uploads `n` small distinct JPEG files into the data collection every fake starts with (its
/// primary specification `image_1`), one data unit each; the units' ids, in order.
pub async fn upload_units(client: &BackendClient, n: u8) -> Vec<i64> {
    use synapse_backend::DataUnitUpload;
    let dir = tempfile::tempdir().expect("tmp");
    let units: Vec<DataUnitUpload> = (0..n)
        .map(|i| {
            let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
            bytes.extend((0..500u32).map(|b| (b as u8).wrapping_add(i)));
            let path = dir.path().join(format!("frame-{i}.jpg"));
            std::fs::write(&path, &bytes).expect("write");
            DataUnitUpload::new().file("image_1", path)
        })
        .collect();
    let report = client.upload_data_collection(1, units).await;
    assert!(report.is_complete(), "{report:?}");
    report.unit_ids().into_iter().map(i64::from).collect()
}

/// Creates one task per unit in `project`, checking each created task's project, unit and
/// empty data; their ids, in order.
pub async fn create_tasks(client: &BackendClient, project: i64, units: &[i64]) -> Vec<i64> {
    let items = units.iter().map(|u| json!({"data_unit": u}));
    let request = TaskCreateRequest::new(project, items).expect("request");
    let created = client.create_tasks(request).await.expect("created");
    let created = created.as_array().expect("a list of tasks");
    assert_eq!(created.len(), units.len());
    created
        .iter()
        .zip(units)
        .map(|(task, unit)| {
            assert_eq!(task["project"], project);
            assert_eq!(task["data_unit"], *unit);
            assert_eq!(task["data"], Value::Null);
            task["id"].as_i64().expect("id")
        })
        .collect()
}
