//! The fake's v2 API over real HTTP: per resource a realistic flow (create, read, list across
//! cursor pages, update, delete), the envelope and request id of every answer, the v2 error
//! body of bad requests, state shared with the v1 routes, and the live tail of a running job.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::StreamExt;
use md5::{Digest, Md5};
use reqwest::Method;
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::Sha256;
use synapse_fake::{FakeConfig, FakeServer, V2Shape};

/// The fake's access token, sent bare as v2 wants it.
const TOKEN: &str = "fake-access-token";

/// What came back: the status, the `X-Request-ID` header, the content type and the body
/// (`Null` when empty).
#[derive(Debug)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    content_type: Option<String>,
    body: Value,
}

/// A v2 client of one fake, remembering every request id it saw.
struct V2 {
    http: reqwest::Client,
    origin: String,
    ids: std::sync::Mutex<Vec<String>>,
}

impl V2 {
    fn new(fake: &FakeServer) -> Self {
        V2 {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            origin: format!("http://{}", fake.addr()),
            ids: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// `METHOD /v2/<path>` with the v2 credentials (and a JSON body).
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        let mut req = self
            .http
            .request(method, format!("{}/v2/{path}", self.origin))
            .header("SYNAPSE-ACCESS-TOKEN", TOKEN)
            .header("SYNAPSE-Tenant", "acme");
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        self.send(req).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let a = read(req.send().await.expect("send")).await;
        if let Some(id) = &a.request_id {
            self.ids.lock().expect("ids").push(id.clone());
        }
        a
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// A request to a v1 route (v1 credentials), its JSON body.
    async fn v1(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/{path}", self.origin))
            .header("Synapse-Access-Token", format!("Token {TOKEN}"));
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let a = read(req.send().await.expect("send")).await;
        (a.status, a.body)
    }

    /// Every page of a cursor list, `per_page` items at a time, following `next_cursor`:
    /// the items and how many pages it took. Checks each page's envelope and cursors.
    async fn walk(&self, path: &str, per_page: usize) -> (Vec<Value>, usize) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let url = match &cursor {
                None => format!("{path}{sep}per_page={per_page}"),
                Some(c) => format!("{path}{sep}per_page={per_page}&cursor={}", encode(c)),
            };
            let a = self.get(&url).await;
            let page = data(&a, 200);
            let pagination = &a.body["meta"]["pagination"];
            assert_eq!(pagination["per_page"], per_page, "{url}");
            assert_eq!(
                pagination["previous_cursor"].is_null(),
                pages == 0,
                "a previous cursor on every page but the first: {url}"
            );
            let page = page.as_array().expect("a page is an array").clone();
            assert!(page.len() <= per_page, "{url}");
            pages += 1;
            items.extend(page);
            match pagination["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages < 100, "runaway walk of {path}");
        }
        (items, pages)
    }

    /// How many distinct request ids were seen, and how many in all.
    fn request_ids(&self) -> (usize, usize) {
        let ids = self.ids.lock().expect("ids");
        let distinct: BTreeSet<&String> = ids.iter().collect();
        (distinct.len(), ids.len())
    }
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn read(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request_id = header("x-request-id");
    let content_type = header("content-type");
    let bytes = resp.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Answer {
        status,
        request_id,
        content_type,
        body,
    }
}

/// Whether `id` reads as the fake's request ids do: `req_` and twelve hex digits.
fn is_request_id(id: &str) -> bool {
    id.strip_prefix("req_")
        .is_some_and(|hex| hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The `data` of a successful enveloped answer with `status`, after checking that the body
/// has exactly `data` and `meta` and that `meta.request_id` is the header's.
#[track_caller]
fn data(a: &Answer, status: u16) -> Value {
    assert_eq!(a.status, status, "{:#}", a.body);
    let id = a.request_id.as_deref().expect("an X-Request-ID header");
    assert!(is_request_id(id), "{id}");
    assert_eq!(a.content_type.as_deref(), Some("application/json"));
    let keys: Vec<&String> = a.body.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["data", "meta"], "{:#}", a.body);
    assert_eq!(a.body["meta"]["request_id"], id);
    a.body["data"].clone()
}

/// An answer without a body, with its request id.
#[track_caller]
fn empty(a: &Answer, status: u16) {
    assert_eq!(a.status, status, "{:#}", a.body);
    assert_eq!(a.body, Value::Null);
    assert!(is_request_id(a.request_id.as_deref().unwrap_or_default()));
}

/// The details of a v2 error answer with `status` and `code`, after checking the body's
/// shape and that `meta.request_id` is the header's.
#[track_caller]
fn error(a: &Answer, status: u16, code: &str) -> Vec<Value> {
    assert_eq!(a.status, status, "{:#}", a.body);
    let id = a.request_id.as_deref().expect("an X-Request-ID header");
    assert!(is_request_id(id), "{id}");
    assert_eq!(a.content_type.as_deref(), Some("application/json"));
    let keys: Vec<&String> = a.body.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["error", "meta"], "{:#}", a.body);
    assert_eq!(a.body["meta"]["request_id"], id);
    let e = &a.body["error"];
    assert_eq!(e["code"], code, "{:#}", a.body);
    assert!(!e["message"].as_str().unwrap_or_default().is_empty());
    e["details"].as_array().cloned().unwrap_or_default()
}

/// The fields the details of an error name, sorted, each once.
fn fields(details: &[Value]) -> Vec<String> {
    let set: BTreeSet<String> = details
        .iter()
        .map(|d| d["field"].as_str().expect("a field").to_owned())
        .collect();
    set.into_iter().collect()
}

/// A multipart body of text `fields` and an optional `file` part: its content type and
/// bytes.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "v2fakeboundary7d3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, content)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fake that requires the tenant the helpers send.
async fn fake() -> FakeServer {
    FakeServer::start_with(FakeConfig {
        tenant: Some("acme".to_owned()),
        ..FakeConfig::default()
    })
    .await
    .expect("fake")
}

/// `n` data units in the data collection every fake starts with (through the v1 routes):
/// their ids.
async fn data_units(api: &V2, n: usize) -> Vec<i64> {
    let mut units = Vec::new();
    for i in 0..n {
        let content = format!("frame {i}").into_bytes();
        let (content_type, body) = multipart(&[], Some((&format!("f{i}.jpg"), &content)));
        let a = api
            .send(
                api.http
                    .post(format!("{}/data_files/", api.origin))
                    .header("Synapse-Access-Token", format!("Token {TOKEN}"))
                    .header("Content-Type", content_type)
                    .body(body),
            )
            .await;
        assert_eq!(a.status, 201, "{:#}", a.body);
        let checksum = hex(&Md5::digest(&content));
        assert_eq!(a.body["checksum"], checksum);
        let unit = json!({"data_collection": 1, "files": {"image_1": {"checksum": checksum, "path": format!("f{i}.jpg")}}});
        let (status, body) = api.v1(Method::POST, "data_units/", Some(&unit)).await;
        assert_eq!(status, 201, "{body:#}");
        units.push(body["id"].as_i64().expect("unit id"));
    }
    units
}

/// Creates a plugin with a runnable release `1.0.0` through the v1 routes: the plugin's id.
async fn runnable_plugin(api: &V2, code: &str) -> i64 {
    let (status, plugin) = api
        .v1(
            Method::POST,
            "plugins/",
            Some(&json!({"code": code, "name": "Trainer", "category": "neural_net"})),
        )
        .await;
    assert_eq!(status, 201, "{plugin:#}");
    let release = json!({"plugin": code, "version": "1.0.0", "config": {"actions": {"train": {}}}});
    let (status, body) = api
        .v1(Method::POST, "plugin_releases/", Some(&release))
        .await;
    assert_eq!(status, 201, "{body:#}");
    plugin["id"].as_i64().expect("plugin id")
}

/// Runs the plugin's `train` action through the v1 route: the job's id.
async fn run(api: &V2, code: &str) -> String {
    let (status, job) = api
        .v1(
            Method::POST,
            &format!("plugins/{code}/run/"),
            Some(&json!({"action": "train", "params": {"epochs": 3}})),
        )
        .await;
    assert_eq!(status, 201, "{job:#}");
    job["id"].as_str().expect("job id").to_owned()
}

#[tokio::test]
async fn projects_are_created_listed_across_pages_updated_and_deleted() {
    let fake = fake().await;
    let api = V2::new(&fake);
    // A project seeded through the control plane is a v2 project too.
    let seeded = fake
        .seed(json!({"projects": [{"title": "Seeded", "data_collection": 1}]}))
        .expect("seed");
    let seeded_id = seeded["project_ids"][0].as_i64().expect("id");
    let p = data(&api.get(&format!("projects/{seeded_id}/")).await, 200);
    assert_eq!(p["title"], "Seeded");
    assert_eq!(p["data_collection_id"], 1);
    assert_eq!(p["category"], "image");
    assert_eq!(p["task_count"], 0);

    let mut created = Vec::new();
    for i in 0..5 {
        let body = json!({"title": format!("Batch {i}"), "category": "video",
                          "configuration": {"classes": ["car"]}, "access_level": "public", "junk": 1});
        let p = data(&api.post("projects/", &body).await, 201);
        assert_eq!(p["title"], format!("Batch {i}"));
        assert_eq!(p["category_display"], "Video");
        assert_eq!(p["access_level"], "public");
        assert_eq!(p["data_collection_id"], Value::Null);
        assert!(p.get("junk").is_none(), "undeclared keys are dropped");
        created.push(p["id"].as_i64().expect("id"));
    }

    // Two projects every fake starts with, the seeded one and the five: eight, oldest first.
    let (items, pages) = api.walk("projects/", 2).await;
    assert_eq!((items.len(), pages), (8, 4));
    let ids: Vec<i64> = items
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(&ids[3..], &created[..]);
    let keys: BTreeSet<&str> = items[0]
        .as_object()
        .expect("item")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "category",
            "category_display",
            "created",
            "id",
            "is_archived",
            "task_count",
            "title"
        ])
    );
    let (videos, pages) = api.walk("projects/?category=video", 2).await;
    assert_eq!((videos.len(), pages), (5, 3));
    let (on_collection, _) = api.walk("projects/?data_collection=1", 10).await;
    assert_eq!(on_collection.len(), 3);

    // Read after write, through both APIs.
    let id = created[0];
    let p = data(
        &api.patch(
            &format!("projects/{id}/"),
            &json!({"title": "Renamed", "data_collection": 1}),
        )
        .await,
        200,
    );
    assert_eq!(
        (p["title"].as_str(), p["category"].as_str()),
        (Some("Renamed"), Some("video"))
    );
    assert_eq!(
        data(&api.get(&format!("projects/{id}/")).await, 200)["data_collection_id"],
        1
    );
    let (status, v1) = api.v1(Method::GET, &format!("projects/{id}/"), None).await;
    assert_eq!((status, v1["title"].as_str()), (200, Some("Renamed")));

    // PUT wants the create's required fields.
    let details = error(
        &api.put(&format!("projects/{id}/"), &json!({"title": "X"}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["category", "configuration"]);
    let p = data(
        &api.put(
            &format!("projects/{id}/"),
            &json!({"title": "Put", "category": "text", "configuration": {}}),
        )
        .await,
        200,
    );
    assert_eq!(
        (p["title"].as_str(), p["category_display"].as_str()),
        (Some("Put"), Some("Text"))
    );

    // A 400 names every bad field at once; nothing is created.
    let bad = json!({"title": "", "category": "smell", "configuration": [1], "access_level": "secret",
                     "can_discard": "yes", "data_collection": 99});
    let details = error(&api.post("projects/", &bad).await, 400, "VALIDATION_ERROR");
    assert_eq!(
        fields(&details),
        [
            "access_level",
            "can_discard",
            "category",
            "configuration",
            "data_collection",
            "title"
        ]
    );
    let details = error(
        &api.get("projects/?category=smell&data_collection=x").await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["category", "data_collection"]);
    // A dry run checks and changes nothing.
    let dry = data(
        &api.post(
            "projects/?dry_run=true",
            &json!({"title": "Dry", "category": "image", "configuration": {}}),
        )
        .await,
        200,
    );
    assert_eq!(
        dry,
        json!({"dry_run": true, "action": "create", "target": null})
    );
    assert_eq!(api.walk("projects/", 50).await.0.len(), 8);

    // Delete: 204 without a body, then 404 with the v2 error body.
    empty(&api.delete(&format!("projects/{id}/")).await, 204);
    error(&api.get(&format!("projects/{id}/")).await, 404, "NOT_FOUND");
    error(
        &api.delete(&format!("projects/{id}/")).await,
        404,
        "NOT_FOUND",
    );
    error(&api.get("projects/abc/").await, 404, "NOT_FOUND");
    assert_eq!(api.walk("projects/", 50).await.0.len(), 7);
    // A cursor that does not decode is a 404.
    error(&api.get("projects/?cursor=%21%21").await, 404, "NOT_FOUND");

    let (distinct, all) = api.request_ids();
    assert_eq!(distinct, all, "every answer has its own request id");
    assert!(all > 20);
}

#[tokio::test]
async fn a_previous_cursor_leads_back_to_the_page_before() {
    let fake = fake().await;
    let api = V2::new(&fake);
    fake.seed_jobs(5);
    let first = api.get("jobs/?per_page=2").await;
    let next = first.body["meta"]["pagination"]["next_cursor"]
        .as_str()
        .expect("next")
        .to_owned();
    let second = api
        .get(&format!("jobs/?per_page=2&cursor={}", encode(&next)))
        .await;
    let previous = second.body["meta"]["pagination"]["previous_cursor"]
        .as_str()
        .expect("previous")
        .to_owned();
    let back = api
        .get(&format!("jobs/?per_page=2&cursor={}", encode(&previous)))
        .await;
    assert_eq!(data(&back, 200), data(&first, 200));
    assert_eq!(
        back.body["meta"]["pagination"]["previous_cursor"],
        Value::Null
    );
    assert_ne!(data(&second, 200), data(&first, 200));
}

#[tokio::test]
async fn task_tags_statistics_and_membership_of_a_project() {
    let fake = fake().await;
    let api = V2::new(&fake);

    // Project 1 starts with three task tags, one of them for export.
    let (tags, pages) = api.walk("projects/1/tags/", 2).await;
    assert_eq!((tags.len(), pages), (3, 2));
    assert_eq!(
        api.walk("projects/1/tags/?category=export", 2)
            .await
            .0
            .len(),
        1
    );
    let tag = data(
        &api.post(
            "projects/1/tags/",
            &json!({"name": "rainy", "category": "project", "meta": {"color": "blue"}}),
        )
        .await,
        201,
    );
    assert_eq!(
        (tag["project_id"].as_i64(), tag["name"].as_str()),
        (Some(1), Some("rainy"))
    );
    let tag_id = tag["id"].as_i64().expect("id");
    let tag = data(
        &api.patch(
            &format!("projects/1/tags/{tag_id}/"),
            &json!({"name": "wet"}),
        )
        .await,
        200,
    );
    assert_eq!(
        (tag["name"].as_str(), tag["meta"]["color"].as_str()),
        (Some("wet"), Some("blue"))
    );
    assert_eq!(
        data(&api.get(&format!("projects/1/tags/{tag_id}/")).await, 200)["name"],
        "wet"
    );
    error(
        &api.get(&format!("projects/2/tags/{tag_id}/")).await,
        404,
        "NOT_FOUND",
    );
    let details = error(
        &api.post(
            "projects/1/tags/",
            &json!({"name": "", "category": "later"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["category", "name"]);
    let derived = data(
        &api.get(&format!("projects/1/tags/{tag_id}/permissions/"))
            .await,
        200,
    );
    assert_eq!(
        (
            derived["parent_model"].as_str(),
            derived["parent_id"].as_i64()
        ),
        (Some("project"), Some(1))
    );
    empty(
        &api.delete(&format!("projects/1/tags/{tag_id}/")).await,
        204,
    );
    assert_eq!(api.walk("projects/1/tags/", 10).await.0.len(), 3);

    // Statistics: one row per configured class.
    let stats = data(&api.get("projects/1/statistics/class/").await, 200);
    assert_eq!(stats["kind"], "class");
    let classes: Vec<&str> = stats["results"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["class_name"].as_str())
        .collect();
    assert_eq!(classes, ["car", "truck", "bus"]);
    let details = error(
        &api.get("projects/1/statistics/mood/?datetime=soon").await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["datetime", "kind"]);

    // Permissions and roles.
    empty(
        &api.get("projects/1/check_permission/?permission=view")
            .await,
        200,
    );
    error(
        &api.get("projects/99/check_permission/?permission=view")
            .await,
        404,
        "NOT_FOUND",
    );
    assert_eq!(
        data(&api.get("projects/1/permissions/").await, 200)["role"]["code"],
        "owner"
    );
    assert_eq!(
        data(&api.get("projects/1/roles/").await, 200)["roles"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    assert_eq!(
        data(&api.get("projects/1/grantable_roles/").await, 200)["roles"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(
        data(&api.get("projects/default_roles/").await, 200),
        json!({"roles": ["owner", "manager", "member", "viewer"]})
    );
    let details = error(
        &api.post("projects/1/invite/", &json!({"member_roles": [{"member": 7, "role": "manager"}], "group_roles": [{"group": 2}]}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["group_roles[0].role"]);
    let invited = data(
        &api.post(
            "projects/1/invite/",
            &json!({"member_roles": [{"member": 7, "role": "manager"}]}),
        )
        .await,
        200,
    );
    assert_eq!(
        invited,
        json!({"member_roles": [{"member": 7, "role": "manager"}], "group_roles": []})
    );

    // A join request: asked, seen waiting, accepted with a role, then only the user's own.
    empty(
        &api.post("projects/2/join_requests/", &json!({})).await,
        201,
    );
    error(
        &api.post("projects/2/join_requests/", &json!({})).await,
        400,
        "VALIDATION_ERROR",
    );
    let waiting = api.walk("projects/2/join_requests/", 10).await.0;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["user"]["email"], "owner@synapse.test");
    let details = error(
        &api.patch("projects/2/join_requests/", &json!({"status": "accepted"}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["role"]);
    let confirmed = data(
        &api.patch(
            "projects/2/join_requests/",
            &json!({"status": "accepted", "role": "member"}),
        )
        .await,
        200,
    );
    assert_eq!(confirmed, json!({"status": "accepted", "role": "member"}));
    error(
        &api.patch("projects/2/join_requests/", &json!({"status": "rejected"}))
            .await,
        404,
        "NOT_FOUND",
    );
    assert!(api.walk("projects/2/join_requests/", 10).await.0.is_empty());
    let mine = api
        .walk("projects/my_join_requests/?status=accepted", 10)
        .await
        .0;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0]["object_id"].as_i64(), mine[0]["role"].as_str()),
        (Some(2), Some("member"))
    );
    assert!(mine[0]["accepted"].is_string());
    let request_id = mine[0]["id"].as_i64().expect("id");
    assert_eq!(
        data(
            &api.get(&format!("projects/my_join_requests/{request_id}/"))
                .await,
            200
        )["status"],
        "accepted"
    );
    error(
        &api.get(&format!("data-collections/my_join_requests/{request_id}/"))
            .await,
        404,
        "NOT_FOUND",
    );
    assert_eq!(
        api.walk("projects/2/my_join_requests/", 10).await.0.len(),
        1
    );
    assert!(
        api.walk("projects/1/my_join_requests/", 10)
            .await
            .0
            .is_empty()
    );
    assert!(
        api.walk("projects/my_join_requests/?status=stand_by", 10)
            .await
            .0
            .is_empty()
    );
}

#[tokio::test]
async fn review_tags_of_a_project() {
    let fake = fake().await;
    let api = V2::new(&fake);

    // A project starts without review tags.
    assert_eq!(api.walk("projects/1/review-tags/", 1).await, (vec![], 1));

    // A dry run checks the body and stores nothing.
    assert_eq!(
        data(
            &api.post(
                "projects/1/review-tags/?dry_run=true",
                &json!({"name": "misaligned"})
            )
            .await,
            200
        ),
        json!({"dry_run": true, "action": "create", "target": null})
    );
    let first = data(
        &api.post(
            "projects/1/review-tags/",
            &json!({"name": "misaligned", "background_color": "#FF0000",
                    "description": "The box is off its object."}),
        )
        .await,
        201,
    );
    let keys: BTreeSet<&str> = first
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "background_color",
            "created",
            "description",
            "id",
            "name",
            "project_id"
        ])
    );
    assert_eq!(
        (
            first["project_id"].as_i64(),
            first["name"].as_str(),
            first["background_color"].as_str(),
            first["description"].as_str()
        ),
        (
            Some(1),
            Some("misaligned"),
            Some("#FF0000"),
            Some("The box is off its object.")
        )
    );
    // Without a colour or a description: the defaults.
    let second = data(
        &api.post("projects/1/review-tags/", &json!({"name": "Missed object"}))
            .await,
        201,
    );
    assert_eq!(
        (
            second["background_color"].as_str(),
            second["description"].as_str()
        ),
        (Some("#FFFFFF"), Some(""))
    );
    let (first_id, second_id) = (
        first["id"].as_i64().expect("id"),
        second["id"].as_i64().expect("id"),
    );
    assert!(second_id > first_id);

    // One per page: two pages, oldest first, each item a `ReviewTagV2List`.
    let (tags, pages) = api.walk("projects/1/review-tags/", 1).await;
    assert_eq!(pages, 2);
    assert_eq!(
        tags,
        [
            json!({"id": first_id, "name": "misaligned", "background_color": "#FF0000",
                   "created": first["created"]}),
            json!({"id": second_id, "name": "Missed object", "background_color": "#FFFFFF",
                   "created": second["created"]}),
        ]
    );
    // `name` matches a part of the name, in any case.
    let (found, _) = api.walk("projects/1/review-tags/?name=MIS", 1).await;
    assert_eq!(found, tags);
    let (found, _) = api.walk("projects/1/review-tags/?name=object", 10).await;
    assert_eq!(found, [tags[1].clone()]);
    // Another project has its own.
    assert_eq!(
        api.walk("projects/2/review-tags/", 10).await.0,
        Vec::<Value>::new()
    );

    // A bad body: every bad field named, nothing stored.
    let details = error(
        &api.post(
            "projects/1/review-tags/",
            &json!({"name": "x".repeat(51), "background_color": "#FF00FF00",
                    "description": ["not", "text"]}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&details),
        ["background_color", "description", "name"]
    );
    let details = error(
        &api.post("projects/1/review-tags/", &json!({"background_color": ""}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["background_color", "name"]);
    // A name the project already has; the same name in another project is fine.
    let details = error(
        &api.post(
            "projects/1/review-tags/?dry_run=true",
            &json!({"name": "misaligned"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["name"]);
    data(
        &api.post("projects/2/review-tags/", &json!({"name": "misaligned"}))
            .await,
        201,
    );
    assert_eq!(api.walk("projects/1/review-tags/", 10).await.0, tags);

    // Permissions and roles derive from the project.
    empty(
        &api.get(&format!(
            "projects/1/review-tags/{first_id}/check_permission/?permission=view"
        ))
        .await,
        200,
    );
    let derived = data(
        &api.get(&format!("projects/1/review-tags/{first_id}/permissions/"))
            .await,
        200,
    );
    assert_eq!(
        (
            derived["parent_model"].as_str(),
            derived["parent_id"].as_i64(),
            derived["is_derived"].as_bool()
        ),
        (Some("project"), Some(1), Some(true))
    );
    let roles = data(
        &api.get(&format!("projects/1/review-tags/{second_id}/roles/"))
            .await,
        200,
    );
    assert_eq!(
        (
            roles["parent_id"].as_i64(),
            roles["roles"].as_array().map(Vec::len)
        ),
        (Some(1), Some(4))
    );
    // A tag under another project, or one that does not exist: 404.
    for path in [
        format!("projects/2/review-tags/{first_id}/permissions/"),
        format!("projects/2/review-tags/{first_id}/check_permission/"),
        "projects/1/review-tags/999/roles/".to_owned(),
    ] {
        error(&api.get(&path).await, 404, "NOT_FOUND");
    }

    // An unknown project: 404 to a list and to a create.
    error(&api.get("projects/99/review-tags/").await, 404, "NOT_FOUND");
    error(
        &api.post("projects/99/review-tags/", &json!({"name": "late"}))
            .await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn tasks_are_created_one_or_in_bulk_annotated_fetched_and_deleted() {
    let fake = fake().await;
    let api = V2::new(&fake);
    let units = data_units(&api, 5).await;

    let task = data(
        &api.post(
            "tasks/",
            &json!({"project": 1, "data_unit": units[0], "meta": {"source": "cam-1"}}),
        )
        .await,
        201,
    );
    assert_eq!(
        (
            task["project_id"].as_i64(),
            task["data_unit_id"].as_i64(),
            task["has_data"].as_bool()
        ),
        (Some(1), Some(units[0]), Some(false))
    );
    assert_eq!(
        (task["schema"].as_str(), task["meta"]["source"].as_str()),
        (Some("dm_schema_v1"), Some("cam-1"))
    );
    let first = task["id"].as_i64().expect("id");
    let details = error(
        &api.post(
            "tasks/",
            &json!({"project": 99, "data_unit": "x", "workshop": 3, "meta": [1]}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&details),
        ["data_unit", "meta", "project", "workshop"]
    );

    // Bulk: a task per unit that has none yet; a repeat skips them all.
    let bulk = json!({"project": 1, "data_unit_ids": units});
    assert_eq!(
        data(&api.post("tasks/bulk-create/", &bulk).await, 201),
        json!({"created_count": 4, "skipped_count": 1})
    );
    assert_eq!(
        data(&api.post("tasks/bulk-create/", &bulk).await, 201),
        json!({"created_count": 0, "skipped_count": 5})
    );
    let details = error(
        &api.post(
            "tasks/bulk-create/",
            &json!({"project": 1, "data_unit_ids": [units[0], 999]}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["data_unit_ids"]);
    let (tasks, pages) = api.walk("tasks/?project=1", 2).await;
    assert_eq!((tasks.len(), pages), (5, 3));
    assert!(api.walk("tasks/?project=2", 2).await.0.is_empty());
    let ids: Vec<i64> = tasks
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect();

    // Annotation: saved data is the task's, through both APIs.
    let annotated = data(
        &api.put(
            &format!("tasks/{first}/annotate-task-data/"),
            &json!({"action": "save", "data": {"boxes": [[1, 2, 3, 4]]}}),
        )
        .await,
        200,
    );
    assert_eq!(
        (annotated["has_data"].as_bool(), &annotated["data"]),
        (Some(true), &json!({"boxes": [[1, 2, 3, 4]]}))
    );
    let (_, v1) = api.v1(Method::GET, &format!("tasks/{first}/"), None).await;
    assert_eq!(v1["data"], json!({"boxes": [[1, 2, 3, 4]]}));
    assert_eq!(api.walk("tasks/?has_data=true", 10).await.0.len(), 1);
    assert_eq!(api.walk("tasks/?has_data=false", 10).await.0.len(), 4);
    let details = error(
        &api.put(
            &format!("tasks/{}/annotate-task-data/", ids[1]),
            &json!({"action": "save", "data": [1]}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["data"]);
    data(
        &api.put(
            &format!("tasks/{}/annotate-task-data/?schema=any", ids[1]),
            &json!({"action": "submit", "data": [1]}),
        )
        .await,
        200,
    );
    assert_eq!(
        data(&api.get(&format!("tasks/{}/", ids[1])).await, 200)["schema"],
        "any"
    );

    // Bulk fetch: the order asked, unknown ids dropped, data inline or presigned.
    let fetched = data(
        &api.post(
            "tasks/bulk-fetch/?response_mode=inline",
            &json!({"ids": [ids[1], 999_999, first]}),
        )
        .await,
        200,
    );
    let got: Vec<i64> = fetched
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(got, [ids[1], first]);
    assert_eq!(fetched[1]["data"], json!({"boxes": [[1, 2, 3, 4]]}));
    assert!(fetched[1]["files_manifest"]["image_1"]["url"].is_string());
    let presigned = data(
        &api.post(
            "tasks/bulk-fetch/?response_mode=presigned",
            &json!({"ids": [first], "response_mode": "inline"}),
        )
        .await,
        200,
    );
    let url = presigned[0]["data"].as_str().expect("a URL").to_owned();
    let stored: Value = serde_json::from_slice(
        &reqwest::get(&url)
            .await
            .expect("GET presigned")
            .bytes()
            .await
            .expect("bytes"),
    )
    .expect("json");
    assert_eq!(stored, json!({"boxes": [[1, 2, 3, 4]]}));
    let too_many: Vec<i64> = (1..=201).collect();
    let details = error(
        &api.post("tasks/bulk-fetch/", &json!({"ids": too_many}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["ids"]);

    // Update and delete.
    let patched = data(
        &api.patch(
            &format!("tasks/{first}/"),
            &json!({"meta": {"source": "cam-2"}}),
        )
        .await,
        200,
    );
    assert_eq!(
        (
            patched["meta"]["source"].as_str(),
            patched["data_unit_id"].as_i64()
        ),
        (Some("cam-2"), Some(units[0]))
    );
    let details = error(
        &api.put(&format!("tasks/{first}/"), &json!({"meta": {}}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["data_unit", "project"]);
    let roles = data(&api.get(&format!("tasks/{first}/roles/")).await, 200);
    assert_eq!(
        (roles["parent_model"].as_str(), roles["parent_id"].as_i64()),
        (Some("project"), Some(1))
    );
    empty(
        &api.get(&format!("tasks/{first}/check_permission/?permission=view"))
            .await,
        200,
    );
    empty(&api.delete(&format!("tasks/{first}/")).await, 204);
    error(&api.get(&format!("tasks/{first}/")).await, 404, "NOT_FOUND");
    assert_eq!(api.walk("tasks/", 10).await.0.len(), 4);
    assert_eq!(data(&api.get("projects/1/").await, 200)["task_count"], 4);
}

#[tokio::test]
async fn data_collections_their_groups_and_a_presigned_upload() {
    let fake = fake().await;
    let api = V2::new(&fake);

    let body = json!({"name": "Night drives", "category": "image", "file_specifications": [
        {"name": "image_1", "file_type": "image", "is_required": true, "is_primary": true, "function_type": "main"},
        {"name": "gps", "file_type": "data"}]});
    let dc = data(&api.post("data-collections/", &body).await, 201);
    let id = dc["id"].as_i64().expect("id");
    assert_eq!(
        (dc["name"].as_str(), dc["category_display"].as_str()),
        (Some("Night drives"), Some("Image"))
    );
    let specs = dc["file_specifications"].as_array().expect("specs");
    assert_eq!(specs.len(), 2);
    assert_eq!(
        (
            specs[0]["file_type_display"].as_str(),
            specs[1]["is_required"].as_bool()
        ),
        (Some("Image"), Some(false))
    );
    let bad = json!({"name": "", "category": "smell", "file_specifications": [
        {"name": "a", "file_type": "image"}, {"file_type": "bogus"}]});
    let details = error(
        &api.post("data-collections/", &bad).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&details),
        [
            "category",
            "file_specifications[1].file_type",
            "file_specifications[1].name",
            "name"
        ]
    );
    let (all, pages) = api.walk("data-collections/", 1).await;
    assert_eq!((all.len(), pages), (2, 2));
    assert_eq!(
        api.walk("data-collections/?category=image", 5)
            .await
            .0
            .len(),
        2
    );
    assert!(
        api.walk("data-collections/?category=audio", 5)
            .await
            .0
            .is_empty()
    );

    let dc = data(
        &api.patch(
            &format!("data-collections/{id}/"),
            &json!({"description": "After dark"}),
        )
        .await,
        200,
    );
    assert_eq!(
        (dc["description"].as_str(), dc["name"].as_str()),
        (Some("After dark"), Some("Night drives"))
    );
    let details = error(
        &api.put(&format!("data-collections/{id}/"), &json!({"name": "N"}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["category"]);
    let dc = data(
        &api.put(
            &format!("data-collections/{id}/"),
            &json!({"name": "Nights", "category": "video"}),
        )
        .await,
        200,
    );
    assert_eq!(
        (
            dc["category_display"].as_str(),
            dc["file_specifications"].as_array().map(Vec::len)
        ),
        (Some("Video"), Some(2))
    );
    // A project on it counts.
    data(
        &api.post(
            "projects/",
            &json!({"title": "P", "category": "video", "configuration": {}, "data_collection": id}),
        )
        .await,
        201,
    );
    assert_eq!(
        data(&api.get(&format!("data-collections/{id}/")).await, 200)["count_projects"],
        1
    );

    // Data groups.
    for name in ["day", "night"] {
        let g = data(
            &api.post(
                &format!("data-collections/{id}/groups/"),
                &json!({"name": name}),
            )
            .await,
            201,
        );
        assert_eq!(
            (g["name"].as_str(), g["data_collection_id"].as_i64()),
            (Some(name), Some(id))
        );
    }
    let details = error(
        &api.post(
            &format!("data-collections/{id}/groups/"),
            &json!({"name": "day"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["name"]);
    let groups = api.walk(&format!("data-collections/{id}/groups/"), 1).await;
    assert_eq!((groups.0.len(), groups.1), (2, 2));
    let day = groups.0[0]["id"].as_i64().expect("id");
    assert_eq!(
        data(
            &api.get(&format!("data-collections/{id}/groups/{day}/"))
                .await,
            200
        )["name"],
        "day"
    );
    assert_eq!(
        data(
            &api.get(&format!("data-collections/{id}/groups/{day}/permissions/"))
                .await,
            200
        )["parent_model"],
        "data_collection"
    );
    error(
        &api.get(&format!("data-collections/1/groups/{day}/")).await,
        404,
        "NOT_FOUND",
    );
    empty(
        &api.delete(&format!("data-collections/{id}/groups/{day}/"))
            .await,
        204,
    );
    assert_eq!(
        api.walk(&format!("data-collections/{id}/groups/"), 5)
            .await
            .0
            .len(),
        1
    );

    // The presigned upload: reserve, PUT to storage without credentials, finalize.
    let content = b"\xff\xd8 a night frame".to_vec();
    let reserved = data(
        &api.post(
            &format!("data-collections/{id}/upload-urls/"),
            &json!({"files": [{"filename": "n.jpg", "size": content.len()}]}),
        )
        .await,
        200,
    );
    let file = &reserved["files"][0];
    assert_eq!(
        (file["filename"].as_str(), &file["multipart"]),
        (Some("n.jpg"), &Value::Null)
    );
    assert!(reserved["expires_at"].is_string());
    let put = reqwest::Client::new()
        .put(file["presigned_url"].as_str().expect("url"))
        .body(content.clone())
        .send()
        .await
        .expect("PUT");
    assert_eq!(put.status(), 200);
    let finalize = json!({"files": [{"file_key": file["file_key"], "checksum": hex(&Sha1::digest(&content)), "size": content.len()}]});
    let done = data(
        &api.post(
            &format!("data-collections/{id}/finalize-upload/"),
            &finalize,
        )
        .await,
        200,
    );
    assert_eq!(
        (
            done["created_count"].as_u64(),
            done["failed_count"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(
        (
            done["results"][0]["success"].as_bool(),
            done["results"][0]["created"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let again = data(
        &api.post(
            &format!("data-collections/{id}/finalize-upload/"),
            &finalize,
        )
        .await,
        200,
    );
    assert_eq!(
        again["results"][0]["created"], false,
        "the same content is one data file"
    );
    let details = error(
        &api.post(
            &format!("data-collections/{id}/upload-urls/"),
            &json!({"files": [{"filename": "", "size": 0}], "expiration": 5}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&details),
        ["expiration", "files[0].filename", "files[0].size"]
    );
    error(
        &api.post("data-collections/99/upload-urls/", &json!({"files": []}))
            .await,
        404,
        "NOT_FOUND",
    );

    // Delete: its project goes on without it.
    empty(&api.delete(&format!("data-collections/{id}/")).await, 204);
    error(
        &api.get(&format!("data-collections/{id}/")).await,
        404,
        "NOT_FOUND",
    );
    let (projects, _) = api.walk("projects/?category=video", 10).await;
    let p = data(
        &api.get(&format!("projects/{}/", projects[0]["id"])).await,
        200,
    );
    assert_eq!(p["data_collection_id"], Value::Null);
}

#[tokio::test]
async fn jobs_of_v1_runs_are_reported_stopped_and_logged_in_v2() {
    let fake = fake().await;
    let api = V2::new(&fake);
    fake.seed_jobs(7);
    let (jobs, pages) = api.walk("jobs/", 3).await;
    assert_eq!((jobs.len(), pages), (7, 3));
    assert!(
        jobs.iter()
            .all(|j| j["status"] == "SUCCEEDED" && j["is_active"] == false)
    );
    assert_eq!(api.walk("jobs/?action=train", 3).await.0.len(), 4);
    let details = error(&api.get("jobs/?status=DONE").await, 400, "VALIDATION_ERROR");
    assert_eq!(fields(&details), ["status"]);

    // A job a v1 plugin run starts is a v2 job.
    runnable_plugin(&api, "trainer").await;
    let id = run(&api, "trainer").await;
    let job = data(&api.get(&format!("jobs/{id}/")).await, 200);
    assert_eq!(
        (job["action"].as_str(), job["params"]["epochs"].as_i64()),
        (Some("train"), Some(3))
    );
    assert_eq!(job["plugin_release"]["version"], "1.0.0");
    assert_eq!(job["plugin_release_id"], job["plugin_release"]["id"]);
    assert_eq!(api.walk("jobs/", 50).await.0.len(), 8);

    // Reports: allowed transitions only.
    let job = data(
        &api.patch(
            &format!("jobs/{id}/"),
            &json!({"status": "RUNNING", "progress_record": {"overall": 50}}),
        )
        .await,
        200,
    );
    assert_eq!(
        (
            job["status"].as_str(),
            job["progress_record"]["overall"].as_i64()
        ),
        (Some("RUNNING"), Some(50))
    );
    let details = error(
        &api.patch(&format!("jobs/{id}/"), &json!({"status": "PENDING"}))
            .await,
        400,
        "INVALID_TRANSITION",
    );
    assert_eq!(details[0]["current_status"], "RUNNING");
    assert_eq!(details[0]["requested_status"], "PENDING");
    let details = error(
        &api.patch(
            &format!("jobs/{id}/"),
            &json!({"status": "DONE", "meta": 1}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["meta", "status"]);

    // The user stops it; an ended job cannot be stopped.
    let job = data(
        &api.post(&format!("jobs/{id}/stop/"), &json!({})).await,
        200,
    );
    assert_eq!(
        (job["status"].as_str(), job["is_active"].as_bool()),
        (Some("STOPPED"), Some(false))
    );
    assert!(job["completed"].is_string());
    let details = error(
        &api.post(&format!("jobs/{id}/stop/"), &json!({})).await,
        409,
        "INVALID_STATE",
    );
    assert_eq!(details[0]["current_status"], "STOPPED");
    error(
        &api.patch(&format!("jobs/{id}/"), &json!({"status": "SUCCEEDED"}))
            .await,
        400,
        "INVALID_TRANSITION",
    );
    data(
        &api.patch(&format!("jobs/{id}/"), &json!({"status": "STOPPED"}))
            .await,
        200,
    );
    let (_, v1) = api.v1(Method::GET, &format!("jobs/{id}/"), None).await;
    assert_eq!(v1["status"], "STOPPED");
    let logs = data(&api.get(&format!("jobs/{id}/console_logs/")).await, 200)["logs"].clone();
    let lines = logs.as_array().expect("lines");
    assert!(
        lines
            .last()
            .and_then(Value::as_str)
            .is_some_and(|l| l.ends_with("Job stopped by user"))
    );

    // Log entries: one, a batch, and one through v1's `logs/`.
    let entry = data(
        &api.post(
            &format!("jobs/{id}/logs/"),
            &json!({"event": "epoch", "data": {"loss": 0.5}, "datetime": "2026-01-02T03:04:05Z"}),
        )
        .await,
        201,
    );
    assert_eq!(
        (
            entry["job_id"].as_str(),
            entry["level"].as_str(),
            entry["step"].as_str()
        ),
        (Some(id.as_str()), Some("info"), Some(""))
    );
    assert_eq!(entry["data"], json!({"loss": 0.5}));
    let details = error(
        &api.post(
            &format!("jobs/{id}/logs/"),
            &json!({"level": "loud", "datetime": "yesterday"}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["data", "datetime", "event", "level"]);
    let batch: Vec<Value> = (0..3)
        .map(|i| json!({"event": "metric", "step": format!("s{i}"), "level": "debug", "data": {"i": i}, "datetime": "2026-01-02T03:04:05Z"}))
        .collect();
    let created = data(
        &api.post(&format!("jobs/{id}/logs/bulk/"), &json!({"logs": batch}))
            .await,
        201,
    );
    assert_eq!(created.as_array().map(Vec::len), Some(3));
    let mut with_bad = batch.clone();
    with_bad[1] = json!({"data": {}, "datetime": "2026-01-02T03:04:05Z"});
    let details = error(
        &api.post(&format!("jobs/{id}/logs/bulk/"), &json!({"logs": with_bad}))
            .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["logs[1].event"]);
    let huge: Vec<Value> = (0..1001).map(|_| batch[0].clone()).collect();
    let details = error(
        &api.post(&format!("jobs/{id}/logs/bulk/"), &json!({"logs": huge}))
            .await,
        400,
        "BULK_SIZE_EXCEEDED",
    );
    assert_eq!(
        (
            details[0]["received"].as_u64(),
            details[0]["limit"].as_u64()
        ),
        (Some(1001), Some(1000))
    );
    // Multipart, with a file: stored, and readable at the entry's `file` URL.
    let (content_type, body) = multipart(
        &[
            ("event", "plot"),
            ("data", "{\"epoch\": 3}"),
            ("datetime", "2026-01-02T03:04:06Z"),
        ],
        Some(("loss.png", b"\x89PNG a plot")),
    );
    let plot = data(
        &api.send(
            api.http
                .post(format!("{}/v2/jobs/{id}/logs/", api.origin))
                .header("SYNAPSE-ACCESS-TOKEN", TOKEN)
                .header("Content-Type", content_type)
                .body(body),
        )
        .await,
        201,
    );
    assert_eq!(plot["data"], json!({"epoch": 3}));
    let file = reqwest::get(plot["file"].as_str().expect("a file URL"))
        .await
        .expect("GET file");
    assert_eq!(
        file.bytes().await.expect("bytes").as_ref(),
        b"\x89PNG a plot"
    );
    let (status, _) = api
        .v1(
            Method::POST,
            "logs/",
            Some(&json!({"job": id, "message": "from v1", "level": "warning", "event": "note"})),
        )
        .await;
    assert_eq!(status, 201);

    let (entries, pages) = api.walk(&format!("job-logs/?job={id}"), 2).await;
    assert_eq!(
        (entries.len(), pages),
        (6, 3),
        "nothing of the refused batches"
    );
    let warning = api.walk("job-logs/?level=warning", 2).await.0;
    assert_eq!(warning.len(), 1);
    let detail = data(
        &api.get(&format!("job-logs/{}/", warning[0]["id"])).await,
        200,
    );
    assert_eq!(
        (detail["job_id"].as_str(), &detail["data"]),
        (Some(id.as_str()), &json!({"message": "from v1"}))
    );
    assert_eq!(api.walk("job-logs/?event=metric", 10).await.0.len(), 3);
    error(&api.get("job-logs/999999/").await, 404, "NOT_FOUND");
    error(
        &api.get("jobs/00000000-0000-4000-8000-ffffffffffff/").await,
        404,
        "NOT_FOUND",
    );
    error(
        &api.post("jobs/nope/logs/", &json!({})).await,
        404,
        "NOT_FOUND",
    );
}

/// The events of a server-sent event stream, as JSON, until it ends.
async fn sse_events(resp: reqwest::Response) -> Vec<Value> {
    let mut stream = resp.bytes_stream();
    let mut text = String::new();
    let read = async {
        while let Some(chunk) = stream.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("the stream ends");
    text.split("\n\n")
        .flat_map(|frame| frame.lines())
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).expect("JSON event"))
        .collect()
}

#[tokio::test]
async fn the_console_tail_of_a_running_job_streams_until_it_ends() {
    let fake = fake().await;
    let api = V2::new(&fake);
    runnable_plugin(&api, "tailed").await;
    let id = run(&api, "tailed").await;
    let resp = api
        .http
        .get(format!("{}/v2/jobs/{id}/tail_console_logs/", api.origin))
        .header("SYNAPSE-ACCESS-TOKEN", TOKEN)
        .send()
        .await
        .expect("GET tail");
    assert_eq!(resp.status(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert!(header("content-type").is_some_and(|c| c.starts_with("text/event-stream")));
    assert!(is_request_id(&header("x-request-id").unwrap_or_default()));
    let events = sse_events(resp).await;
    assert_eq!(
        events.first(),
        Some(&json!({"type": "connected", "job_id": id}))
    );
    let last = events.last().expect("events");
    assert_eq!(
        (last["type"].as_str(), last["message"].as_str()),
        (Some("complete"), Some("Job SUCCEEDED"))
    );
    let lines: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "log")
        .filter_map(|e| e["data"].as_str())
        .collect();
    assert_eq!(lines.len(), FakeConfig::default().log_lines);
    let console = data(&api.get(&format!("jobs/{id}/console_logs/")).await, 200)["logs"].clone();
    assert_eq!(json!(lines), console);

    // A job that does not exist: the stream opens, then says so.
    let resp = api
        .http
        .get(format!(
            "{}/v2/jobs/00000000-0000-4000-8000-ffffffffffff/tail_console_logs/",
            api.origin
        ))
        .header("SYNAPSE-ACCESS-TOKEN", TOKEN)
        .send()
        .await
        .expect("GET tail");
    assert_eq!(resp.status(), 200);
    let events = sse_events(resp).await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1],
        json!({"type": "error", "message": "Job not found"})
    );
}

#[tokio::test]
async fn plugins_and_releases_with_conflicts_and_an_archive() {
    let fake = fake().await;
    let api = V2::new(&fake);
    let created = data(
        &api.post("plugins/", &json!({"code": "yolo", "name": "YOLO", "category": "neural_net",
                                      "tasks": ["object_detection"], "debug": false, "version": "0.1.0"}))
            .await,
        201,
    );
    let plugin = created["id"].as_i64().expect("id");
    assert_eq!(
        (created["code"].as_str(), created["is_active"].as_bool()),
        (Some("yolo"), Some(true))
    );
    assert_eq!(
        (
            created["release"]["version"].as_str(),
            created["release"]["is_released"].as_bool()
        ),
        (Some("0.1.0"), Some(false))
    );
    let details = error(
        &api.post(
            "plugins/",
            &json!({"code": "yolo", "name": "Again", "category": "export"}),
        )
        .await,
        409,
        "CONFLICT",
    );
    assert_eq!(fields(&details), ["code"]);
    let details = error(
        &api.post(
            "plugins/",
            &json!({"code": "bad code", "category": "custom", "supported_data_types": ["smell"]}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        fields(&details),
        ["category", "code", "name", "supported_data_types"]
    );
    // Form data, as the Python client sends it without a file: text values.
    let (content_type, body) = multipart(
        &[
            ("code", "exporter"),
            ("name", "Exporter"),
            ("category", "export"),
            ("tasks", "[\"coco\"]"),
            ("debug", "true"),
        ],
        None,
    );
    let exporter = data(
        &api.send(
            api.http
                .post(format!("{}/v2/plugins/", api.origin))
                .header("SYNAPSE-ACCESS-TOKEN", TOKEN)
                .header("Content-Type", content_type)
                .body(body),
        )
        .await,
        201,
    );
    assert_eq!(exporter["category"], "export");
    assert_eq!(api.walk("plugins/", 1).await, (vec![created.clone(), exporter.clone()].into_iter().map(|p| {
        json!({"id": p["id"], "code": p["code"], "name": p["name"], "category": p["category"], "is_active": p["is_active"], "created": p["created"]})
    }).collect::<Vec<_>>(), 2));
    assert_eq!(api.walk("plugins/?category=export", 5).await.0.len(), 1);
    let renamed = data(
        &api.patch(
            &format!("plugins/{plugin}/"),
            &json!({"name": "YOLO v8", "code": "ignored"}),
        )
        .await,
        200,
    );
    assert_eq!(
        (renamed["name"].as_str(), renamed["code"].as_str()),
        (Some("YOLO v8"), Some("yolo"))
    );
    let (_, v1) = api
        .v1(Method::GET, &format!("plugins/{plugin}/"), None)
        .await;
    assert_eq!(v1["name"], "YOLO v8");

    // A release: multipart only, its archive's SHA-256.
    let archive = b"PK\x03\x04 a plugin archive".to_vec();
    let sha = hex(&Sha256::digest(&archive));
    let send_release = |fields: Vec<(&'static str, String)>| {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (content_type, body) = multipart(&borrowed, Some(("yolo.zip", &archive)));
        api.send(
            api.http
                .post(format!("{}/v2/plugin-releases/", api.origin))
                .header("SYNAPSE-ACCESS-TOKEN", TOKEN)
                .header("Content-Type", content_type)
                .body(body),
        )
    };
    let release = data(
        &send_release(vec![
            ("plugin", plugin.to_string()),
            ("version", "1.0.0".into()),
            ("sha256", sha.clone()),
        ])
        .await,
        201,
    );
    let release_id = release["id"].as_i64().expect("id");
    assert_eq!(
        (
            release["plugin"]["code"].as_str(),
            release["is_released"].as_bool()
        ),
        (Some("yolo"), Some(false))
    );
    let details = error(
        &send_release(vec![
            ("plugin", plugin.to_string()),
            ("version", "1.0.0".into()),
            ("sha256", sha.clone()),
        ])
        .await,
        409,
        "CONFLICT",
    );
    assert_eq!(fields(&details), ["version"]);
    let details = error(
        &send_release(vec![
            ("plugin", "999".into()),
            ("version", "2.0.0".into()),
            ("sha256", "00".repeat(32)),
        ])
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(fields(&details), ["plugin", "sha256"]);
    error(
        &api.post(
            "plugin-releases/",
            &json!({"plugin": plugin, "version": "3.0.0", "sha256": sha}),
        )
        .await,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    );
    let locked = data(
        &api.post(
            &format!("plugin-releases/{release_id}/release/"),
            &json!({}),
        )
        .await,
        200,
    );
    assert_eq!(locked["is_released"], true);
    assert_eq!(
        data(
            &api.post(
                &format!("plugin-releases/{release_id}/release/"),
                &json!({})
            )
            .await,
            200
        ),
        locked
    );
    let (releases, _) = api
        .walk(&format!("plugin-releases/?plugin={plugin}"), 1)
        .await;
    let versions: Vec<&str> = releases
        .iter()
        .filter_map(|r| r["version"].as_str())
        .collect();
    assert_eq!(versions, ["0.1.0", "1.0.0"]);

    // It runs through v1 (its latest release), and cannot go while its job runs.
    let job = run(&api, "yolo").await;
    let running = data(&api.get(&format!("jobs/{job}/")).await, 200);
    assert_eq!(running["plugin_release_id"], release_id);
    let details = error(
        &api.delete(&format!("plugin-releases/{release_id}/")).await,
        409,
        "CONFLICT",
    );
    assert_eq!(fields(&details), ["id"]);
    data(
        &api.post(&format!("jobs/{job}/stop/"), &json!({})).await,
        200,
    );
    empty(
        &api.delete(&format!("plugin-releases/{release_id}/")).await,
        204,
    );
    error(
        &api.get(&format!("plugin-releases/{release_id}/")).await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn the_plain_shape_answers_bare_bodies_and_linked_pages() {
    let fake = FakeServer::start_with(FakeConfig {
        v2_shape: V2Shape::Plain,
        ..FakeConfig::default()
    })
    .await
    .expect("fake");
    let api = V2::new(&fake);
    fake.seed_jobs(5);
    let a = api.get("projects/1/").await;
    assert_eq!((a.status, a.body["id"].as_i64()), (200, Some(1)));
    assert!(a.body.get("data").is_none() && a.body.get("meta").is_none());
    assert!(is_request_id(a.request_id.as_deref().unwrap_or_default()));

    // Pages link to each other with absolute URLs carrying the cursor.
    let mut url = format!("{}/v2/jobs/?per_page=2&action=train", api.origin);
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let page = api
            .send(api.http.get(&url).header("SYNAPSE-ACCESS-TOKEN", TOKEN))
            .await;
        assert_eq!(page.status, 200);
        let keys: Vec<&String> = page.body.as_object().expect("page").keys().collect();
        assert_eq!(keys, ["next", "previous", "results"]);
        assert_eq!(page.body["previous"].is_null(), pages == 0);
        pages += 1;
        items.extend(page.body["results"].as_array().expect("results").clone());
        match page.body["next"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(&format!("{}/v2/jobs/?", api.origin)),
                    "{next}"
                );
                assert!(
                    next.contains("action=train") && next.contains("cursor="),
                    "{next}"
                );
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!((items.len(), pages), (3, 2));
    // Errors keep the v2 error body.
    error(&api.get("projects/99/").await, 404, "NOT_FOUND");
}

#[tokio::test]
async fn v2_credentials_tenant_and_the_trailing_slash() {
    let fake = fake().await;
    let api = V2::new(&fake);
    let get = |headers: &[(&str, &str)]| {
        let mut req = api.http.get(format!("{}/v2/projects/", api.origin));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        api.send(req)
    };
    error(&get(&[]).await, 401, "NOT_AUTHENTICATED");
    // v1's form of the access token is not v2's.
    error(
        &get(&[("SYNAPSE-ACCESS-TOKEN", "Token fake-access-token")]).await,
        401,
        "AUTHENTICATION_FAILED",
    );
    error(
        &get(&[("SYNAPSE-ACCESS-TOKEN", "wrong")]).await,
        401,
        "AUTHENTICATION_FAILED",
    );
    error(
        &get(&[("SYNAPSE-ACCESS-TOKEN", TOKEN), ("SYNAPSE-Tenant", "other")]).await,
        403,
        "PERMISSION_DENIED",
    );
    for headers in [
        vec![("SYNAPSE-ACCESS-TOKEN", TOKEN)],
        vec![("SYNAPSE-ACCESS-TOKEN", TOKEN), ("SYNAPSE-Tenant", "acme")],
        vec![
            ("SYNAPSE-ACCESS-TOKEN", TOKEN),
            ("SYNAPSE-Tenant", "Token acme"),
        ],
        vec![
            ("Authorization", "Token fake-access-token"),
            ("SYNAPSE-Tenant", "acme"),
        ],
        vec![("Authorization", "Bearer fake-access-token")],
    ] {
        let a = get(&headers).await;
        assert_eq!(
            data(&a, 200).as_array().map(Vec::len),
            Some(2),
            "{headers:?}"
        );
    }
    // As on v1, a path without its slash is redirected, before any credential check.
    let a = api
        .send(
            api.http
                .get(format!("{}/v2/projects?per_page=1", api.origin)),
        )
        .await;
    assert_eq!(a.status, 301);
    let resp = api
        .http
        .get(format!("{}/v2/projects?per_page=1", api.origin))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/v2/projects/?per_page=1")
    );
    // An unknown v2 path: the credential check, then the v2 404.
    error(&api.get("nowhere/").await, 404, "NOT_FOUND");
}
