//! The server: listener, connection tasks, auth, fault injection and dispatch.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::faults::{Fault, FaultAction};
use crate::respond::{Ctx, Resp, detail, json_resp};
use crate::routes::{Action, Api};
use crate::state::State;

/// Settings of a [`FakeServer`].
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The address to listen on; the default, `127.0.0.1:0`, is the loopback interface and
    /// a port the system picks ([`FakeServer::addr`] tells which).
    pub bind: SocketAddr,
    /// The token the backend accepts (`Synapse-Access-Token: Token <t>` or
    /// `Authorization: Token <t>`).
    pub access_token: String,
    /// The agent token (`SYNAPSE-Agent: Token <t>` on the backend, bare `Authorization` on
    /// the agent).
    pub agent_token: String,
    /// The tenant code required at start; a request naming another tenant gets 403. `None`
    /// accepts any. [`FakeServer::set_tenant`] (or `PUT /_fake/tenant`) changes it later.
    pub tenant: Option<String>,
    /// How long a plugin run takes from start to end.
    pub job_duration: Duration,
    /// How many console lines a run writes.
    pub log_lines: usize,
    /// Page size when the request gives none.
    pub page_size: usize,
    /// The origin used in absolute links (`next`, upload `url`) instead of the request's
    /// `Host` — e.g. to act as a misconfigured proxy that links to another host.
    pub link_origin: Option<String>,
    /// Extra time spent on every job-list page (to measure prefetching).
    pub page_delay: Duration,
    /// Part size of presigned multipart uploads: a reserved file larger than this gets a
    /// multipart upload with parts of this size instead of one presigned URL (the platform
    /// switches at about 100 MiB).
    pub presigned_part_size: u64,
    /// The `files` of `sdk/tasks/files/` and `sdk/assignments/files/` items as an object
    /// keyed by file-specification name (`{"image_1": {"url": …, …}}`) instead of the default
    /// list of file-info objects (`[{"name": "image_1", "url": …, …}]`): the spec records
    /// both shapes.
    pub files_by_name: bool,
    /// Whether the agent accepts the WebSocket log tail (`jobs/{id}/logs/` upgraded);
    /// `false` acts as an agent without it: the handshake gets the plain log (`200`), so a
    /// client falls back to the HTTP stream.
    pub agent_websocket: bool,
    /// How the backend tail's `log` events carry a console line (the platform sends both).
    pub tail_log_shape: TailLogShape,
    /// `agents/` and `storages/` answer a bare JSON array of every item instead of a DRF page
    /// (the platform has answered both ways).
    pub bare_array_lists: bool,
    /// How the v2 API (`/v2/…`) shapes its successful answers: the `{data, meta}` envelope
    /// the platform sends, or the bare bodies its published schemas describe (both are
    /// recorded).
    #[cfg(feature = "v2")]
    pub v2_shape: V2Shape,
}

/// How the v2 API shapes a successful answer ([`FakeConfig::v2_shape`]).
#[cfg(feature = "v2")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum V2Shape {
    /// `{"data": …, "meta": {"request_id": …}}`; a list's `data` is the page's items and its
    /// `meta.pagination` holds `next_cursor`, `previous_cursor` (bare cursor tokens) and
    /// `per_page`.
    #[default]
    Envelope,
    /// The bare object; a list is `{"next", "previous", "results"}` with `next` and
    /// `previous` absolute URLs carrying the `cursor` query parameter. The request id is
    /// then only in the `X-Request-ID` header.
    Plain,
}

/// How a `log` event of the backend tail (`jobs/{id}/tail_console_logs/`) carries its line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TailLogShape {
    /// `{"type": "log", "data": "<line>"}`.
    #[default]
    Plain,
    /// `{"type": "log", "data": "data: {\"type\": \"log\", \"message\": \"<line>\"}"}`: the
    /// line wrapped in a nested event, as text.
    Nested,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            access_token: "fake-access-token".to_owned(),
            agent_token: "fake-agent-token".to_owned(),
            tenant: None,
            job_duration: Duration::from_millis(1500),
            log_lines: 12,
            page_size: 100,
            link_origin: None,
            page_delay: Duration::ZERO,
            presigned_part_size: 100 * 1024 * 1024,
            files_by_name: false,
            agent_websocket: true,
            tail_log_shape: TailLogShape::Plain,
            bare_array_lists: false,
            #[cfg(feature = "v2")]
            v2_shape: V2Shape::Envelope,
        }
    }
}

/// A request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// The method.
    pub method: Method,
    /// The path and query.
    pub path_and_query: String,
}

/// A request in the log, with the route it matched (`GET /jobs/{id}/`, or the raw path).
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The request.
    pub recorded: RecordedCall,
    /// `METHOD /pattern` of the route, or `METHOD /path` when no route has the path.
    pub route: String,
}

/// What all connections share.
pub(crate) struct Shared {
    pub config: FakeConfig,
    /// The address the fake listens on.
    pub addr: SocketAddr,
    state: Mutex<State>,
    faults: Mutex<Vec<Fault>>,
    calls: Mutex<Vec<Call>>,
    /// The tenant required now (starts as [`FakeConfig::tenant`]).
    tenant: Mutex<Option<String>>,
    /// How many v2 request ids were handed out.
    #[cfg(feature = "v2")]
    pub request_ids: std::sync::atomic::AtomicU64,
}

impl Shared {
    /// The armed faults.
    pub fn faults(&self) -> MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The request log.
    pub fn calls(&self) -> MutexGuard<'_, Vec<Call>> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The tenant required now, if any.
    pub fn tenant(&self) -> Option<String> {
        self.tenant
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Requires `tenant` from now on (`None`: any tenant).
    pub fn set_tenant(&self, tenant: Option<String>) {
        *self.tenant.lock().unwrap_or_else(|p| p.into_inner()) = tenant;
    }

    /// The backend base URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Locks the state (a panicked handler must not wedge the fake).
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take_fault(&self, method: &Method, path: &str) -> Option<FaultAction> {
        let mut faults = self.faults();
        let fault = faults.iter_mut().find(|f| f.matches(method, path))?;
        fault.times -= 1;
        let action = fault.action.clone();
        faults.retain(|f| f.times > 0);
        Some(action)
    }
}

/// A running fake; stops when dropped.
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl FakeServer {
    /// Starts a fake with default settings on 127.0.0.1 and an ephemeral port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(FakeConfig::default()).await
    }

    /// Starts a fake with `config`, listening on `config.bind`.
    ///
    /// # Errors
    /// The listener's: the address is in use, not local, or not permitted.
    pub async fn start_with(config: FakeConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            tenant: Mutex::new(config.tenant.clone()),
            config,
            addr,
            state: Mutex::new(State::default()),
            faults: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
            #[cfg(feature = "v2")]
            request_ids: std::sync::atomic::AtomicU64::new(0),
        });
        crate::backend::seed(&mut shared.state());
        let (tx, mut rx) = oneshot::channel::<()>();
        let accept_shared = shared.clone();
        tokio::spawn(async move {
            loop {
                let stream = tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => stream,
                        Err(_) => continue,
                    },
                };
                let shared = accept_shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
        });
        Ok(FakeServer {
            addr,
            shared,
            shutdown: Some(tx),
        })
    }

    /// The address it listens on (with the port the system picked, if the configured port
    /// was 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The backend base URL (`http://<addr>/`, e.g. `http://127.0.0.1:40123/`).
    pub fn url(&self) -> String {
        self.shared.url()
    }

    /// The agent base URL (`http://<addr>/agent/`).
    pub fn agent_url(&self) -> String {
        format!("http://{}/agent/", self.addr)
    }

    /// The control plane's base URL (`http://<addr>/_fake/`; see the crate docs).
    pub fn control_url(&self) -> String {
        crate::control::control_url(&self.shared)
    }

    /// The access token the backend accepts.
    pub fn access_token(&self) -> &str {
        &self.shared.config.access_token
    }

    /// The agent token.
    pub fn agent_token(&self) -> &str {
        &self.shared.config.agent_token
    }

    /// The tenant code it requires now, if any ([`FakeConfig::tenant`] at start,
    /// [`set_tenant`](Self::set_tenant) or `PUT /_fake/tenant` since).
    pub fn tenant(&self) -> Option<String> {
        self.shared.tenant()
    }

    /// Requires `tenant` from now on: a request naming another tenant gets 403 (`None`: any
    /// tenant). The same as `PUT /_fake/tenant`.
    pub fn set_tenant(&self, tenant: Option<String>) {
        self.shared.set_tenant(tenant);
    }

    /// Adds a fault for the next matching requests (the same list as `POST /_fake/faults`).
    pub fn inject(&self, fault: Fault) {
        self.shared.faults().push(fault);
    }

    /// Every request received so far (the log of `GET /_fake/calls`; control-plane requests
    /// are not in it).
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared
            .calls()
            .iter()
            .map(|c| c.recorded.clone())
            .collect()
    }

    /// How many requests had `method` and a path starting with `path_prefix`.
    pub fn count(&self, method: &Method, path_prefix: &str) -> usize {
        self.shared
            .calls()
            .iter()
            .filter(|c| {
                c.recorded.method == *method && c.recorded.path_and_query.starts_with(path_prefix)
            })
            .count()
    }

    /// How many plugin runs the backend has started (`POST plugins/{p}/run/`).
    pub fn runs(&self) -> u64 {
        self.shared.state().runs
    }

    /// Adds `n` finished jobs (for pagination tests and benchmarks); returns their ids. The
    /// same as `POST /_fake/seed` with `{"jobs": n}`.
    pub fn seed_jobs(&self, n: usize) -> Vec<String> {
        crate::control::seed_jobs(&mut self.shared.state(), n)
    }

    /// Adds a finished job whose console holds `lines` lines of `line_len` bytes (newline
    /// included); returns its id. `jobs/{id}/console_logs/` lists the lines; the tail
    /// endpoints send them as plain text lines (no events), as fast as the socket takes them.
    /// `POST /_fake/seed` with `{"log_job": lines}` does the same with 100-byte lines.
    pub fn seed_log_job(&self, lines: usize, line_len: usize) -> String {
        crate::control::seed_log_job(&mut self.shared.state(), lines, line_len)
    }

    /// Creates what `body` asks for, as `POST /_fake/seed` does (the same function): `{"jobs":
    /// N, "log_job": LINES, "plugins": [{…}], "releases": [{…}]}`, every key optional, all
    /// checked before anything is created. `Ok` holds the ids created (`job_ids`,
    /// `log_job_ids`, `plugin_ids`, `release_ids`, `project_ids`); `Err` the 400 body naming
    /// every bad field.
    pub fn seed(&self, body: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
        crate::control::seed(&self.shared, body)
    }

    /// The uploaded bytes' MD5 of a finished chunked upload, if it finished.
    pub fn upload_md5(&self, upload_id: &str) -> Option<String> {
        self.shared
            .state()
            .uploads
            .get(upload_id)
            .and_then(|u| u.completed.as_ref().map(|(_, md5)| md5.clone()))
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Why a connection was dropped on purpose.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn handle(shared: Arc<Shared>, mut req: Request<Incoming>) -> Result<Resp, Dropped> {
    let (ctx, path_and_query) = context(&shared, &req);
    // The control plane: no credentials, no faults, not in the request log.
    if crate::control::is_control(&ctx.path) {
        return Ok(crate::control::handle(&shared, ctx, req.into_body()).await);
    }
    let route = match api_of(&ctx).find(&ctx.method, &ctx.segments, ctx.slash) {
        Some((r, _)) => format!("{} {}{}", ctx.method, api_root(&ctx), r.path),
        None => format!("{} {}", ctx.method, ctx.path),
    };
    shared.calls().push(Call {
        recorded: RecordedCall {
            method: ctx.method.clone(),
            path_and_query: path_and_query.clone(),
        },
        route,
    });

    let mut truncate = false;
    let mut drop_after_read = false;
    match shared.take_fault(&ctx.method, &ctx.path) {
        Some(FaultAction::Status {
            status,
            retry_after,
            body,
        }) => {
            let mut resp = json_resp(status, &body);
            if let Some(ra) = retry_after.and_then(|v| http::HeaderValue::from_str(&v).ok()) {
                resp.headers_mut().insert(http::header::RETRY_AFTER, ra);
            }
            return Ok(resp);
        }
        Some(FaultAction::Delay(d)) => tokio::time::sleep(d).await,
        Some(FaultAction::DropBeforeRead) => return Err(Dropped),
        Some(FaultAction::DropAfterRead) => drop_after_read = true,
        Some(FaultAction::TruncateBody) => truncate = true,
        None => {}
    }

    // The agent's WebSocket log tail takes the connection over after its handshake.
    if let Some(resp) = crate::agent_ws::upgrade(&shared, &ctx, &mut req) {
        return Ok(resp);
    }
    let resp = match dispatch(&shared, ctx, req.into_body(), &path_and_query).await {
        Some(resp) => resp,
        None => return Err(Dropped),
    };
    if drop_after_read {
        return Err(Dropped);
    }
    if truncate {
        return Ok(truncated(resp).await);
    }
    Ok(resp)
}

/// What a handler sees of the request (its body not read yet), and the path with its query.
fn context(shared: &Shared, req: &Request<Incoming>) -> (Ctx, String) {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let origin = shared.config.link_origin.clone().unwrap_or_else(|| {
        req.headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|h| format!("http://{h}"))
            .unwrap_or_default()
    });
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let headers = req.headers().clone();
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(crate::respond::percent_decode)
        .collect();
    let ctx = Ctx {
        method,
        segments,
        slash: path.ends_with('/'),
        path,
        query,
        headers,
        body: Bytes::new(),
        origin,
    };
    (ctx, path_and_query)
}

/// The API a request is for: the agent's under `agent/`, the v2 backend's under `v2/` (with
/// the `v2` feature), else the backend's.
fn api_of(ctx: &Ctx) -> &'static Api {
    match ctx.segments.first().map(String::as_str) {
        Some("agent") => &crate::agent::API,
        #[cfg(feature = "v2")]
        Some("v2") => &crate::v2::API,
        _ => &crate::backend::API,
    }
}

/// Where the request's API starts (`/`, `/agent/` or `/v2/`).
fn api_root(ctx: &Ctx) -> &'static str {
    match ctx.segments.first().map(String::as_str) {
        Some("agent") => "/agent/",
        #[cfg(feature = "v2")]
        Some("v2") => "/v2/",
        _ => "/",
    }
}

/// Answers a request from its API's routes: the trailing-slash redirect, the credential
/// check, then the route's handler or 404. `None` when the request body could not be read.
async fn dispatch(
    shared: &Arc<Shared>,
    mut ctx: Ctx,
    body: Incoming,
    path_and_query: &str,
) -> Option<Resp> {
    if ctx.segments.first().map(String::as_str) == Some("_storage") {
        // The object store: presigned URLs, no Synapse credentials.
        return Some(crate::object_store::serve(shared, &ctx, body).await);
    }
    let api = api_of(&ctx);
    // As Django's APPEND_SLASH: the URL is resolved before any view (and its credential
    // check) runs, so the redirect needs no token.
    if api.append_slash && !ctx.slash && api.has_path(&ctx.segments, true) {
        return Some(append_slash(path_and_query));
    }
    let mut answer = None;
    if let Some((route, param)) = api.find(&ctx.method, &ctx.segments, ctx.slash) {
        match route.action {
            Action::Stream(kind) => {
                return Some(match (api.authorize)(shared, &ctx) {
                    Some(denied) => denied,
                    None => crate::uploads::streamed(shared, &ctx, kind, &param, body).await,
                });
            }
            Action::Answer(handler) => answer = Some((handler, Duration::ZERO, param)),
            Action::Page(handler) => answer = Some((handler, shared.config.page_delay, param)),
        }
    }
    ctx.body = body.collect().await.ok()?.to_bytes();
    if let Some(denied) = (api.authorize)(shared, &ctx) {
        return Some(denied);
    }
    let Some((handler, delay, param)) = answer else {
        return Some((api.not_found)(shared));
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Some(handler(shared, &ctx, &param))
}

/// `301 Moved Permanently` to the request's path with a `/` appended, query kept.
fn append_slash(path_and_query: &str) -> Resp {
    let location = match path_and_query.split_once('?') {
        Some((path, query)) => format!("{path}/?{query}"),
        None => format!("{path_and_query}/"),
    };
    let mut resp = Response::new(crate::respond::full(Bytes::new()));
    *resp.status_mut() = http::StatusCode::MOVED_PERMANENTLY;
    if let Ok(value) = http::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(http::header::LOCATION, value);
    }
    resp
}

/// The same response with a full `Content-Length` but only half the body, then a reset.
async fn truncated(resp: Resp) -> Resp {
    let (mut parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    parts.headers.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(bytes.len()),
    );
    let half = bytes.slice(..bytes.len() / 2);
    let stream = futures_util::stream::iter(vec![
        Ok(Frame::data(half)),
        Err(std::io::Error::other("truncated by fault injection")),
    ]);
    Response::from_parts(parts, BodyExt::boxed(StreamBody::new(stream)))
}

/// Checks the backend credentials: 401 without or with a wrong token, 403 for another tenant.
pub(crate) fn check_backend_auth(shared: &Shared, ctx: &Ctx) -> Option<Resp> {
    let cfg = &shared.config;
    let access = format!("Token {}", cfg.access_token);
    let agent = format!("Token {}", cfg.agent_token);
    let offered: Vec<&str> = ["synapse-access-token", "authorization", "synapse-agent"]
        .iter()
        .filter_map(|h| ctx.header(h))
        .collect();
    if offered.is_empty() {
        return Some(detail(401, "Authentication credentials were not provided."));
    }
    if !offered.iter().any(|v| *v == access || *v == agent) {
        return Some(detail(401, "Invalid token."));
    }
    tenant_check(shared, ctx)
}

/// 403 when the request names a tenant other than the configured one.
pub(crate) fn tenant_check(shared: &Shared, ctx: &Ctx) -> Option<Resp> {
    match (&shared.tenant(), ctx.header("synapse-tenant")) {
        (Some(t), Some(given)) if given != format!("Token {t}") => Some(detail(
            403,
            "You do not have permission to perform this action.",
        )),
        _ => None,
    }
}

/// A streamed `text/plain` response from a stream of chunks.
pub(crate) fn text_stream(
    stream: impl futures_util::Stream<Item = Bytes> + Send + Sync + 'static,
) -> Resp {
    let body = StreamBody::new(stream.map(|b| Ok::<_, std::io::Error>(Frame::data(b))));
    let mut resp = Response::new(BodyExt::boxed(body));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}
