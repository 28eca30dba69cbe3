//! Route tables: every path the fake serves, as a pattern with its method and handler. The
//! dispatcher, the backend's trailing-slash redirect and the crate docs' list of routes (checked
//! by a test) all read these tables.

use std::sync::Arc;

use http::Method;

use crate::respond::{Ctx, Resp};
use crate::server::Shared;

/// A handler: the shared state, the request (body read), and the value of the path's `{…}`
/// segment (empty when the pattern has none; for a pattern with two, both values joined by
/// `/`, e.g. `7/12` for `projects/{project}/tags/{id}/`).
pub(crate) type Handler = fn(&Arc<Shared>, &Ctx, &str) -> Resp;

/// A request body consumed as it streams in, never held whole (benchmarks measure memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Streamed {
    /// A chunk of a chunked upload (multipart, hashed as it arrives).
    Chunk,
    /// The benchmark's plain PUT (hashed and counted).
    RawUpload,
}

/// What a route does with a request.
pub(crate) enum Action {
    /// Reads the whole body, then answers.
    Answer(Handler),
    /// A job-list page: reads the whole body, then answers after the configured page delay.
    Page(Handler),
    /// Reads the body as it streams in.
    Stream(Streamed),
}

/// One route of an API.
pub(crate) struct Route {
    /// The method it answers.
    pub method: Method,
    /// The path under the API's root: literal segments and at most two `{name}`s, each
    /// standing for any one segment. A trailing `/` is part of the route.
    pub path: &'static str,
    /// What it does.
    pub action: Action,
}

/// A route that reads the whole body, then answers with `handler`.
pub(crate) const fn answer(method: Method, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        action: Action::Answer(handler),
    }
}

/// A job-list route: as [`answer`], after the configured page delay.
pub(crate) const fn page(method: Method, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        action: Action::Page(handler),
    }
}

/// A route whose body `kind` reads as it streams in.
pub(crate) const fn stream(method: Method, path: &'static str, kind: Streamed) -> Route {
    Route {
        method,
        path,
        action: Action::Stream(kind),
    }
}

/// An API: its routes, where they start, and who may call them.
pub(crate) struct Api {
    /// The routes, in groups (one per API domain, each kept in its domain's module); first
    /// match wins.
    pub routes: &'static [&'static [Route]],
    /// How many leading path segments name the API (`agent/` → 1).
    pub prefix: usize,
    /// The credential check: a response refusing the request, or `None`.
    pub authorize: fn(&Shared, &Ctx) -> Option<Resp>,
    /// Whether a path without its trailing slash is redirected to the route that has it
    /// (Django's `APPEND_SLASH`).
    pub append_slash: bool,
    /// The answer to a path no route has (after the credential check).
    pub not_found: fn(&Shared) -> Resp,
}

impl Api {
    /// The route for `method` and `segments` (the whole path's, prefix included) with its
    /// `{…}` value.
    pub fn find(
        &self,
        method: &Method,
        segments: &[String],
        slash: bool,
    ) -> Option<(&'static Route, String)> {
        let rest = segments.get(self.prefix..)?;
        self.all()
            .filter(|r| r.method == *method)
            .find_map(|r| param(r.path, rest, slash).map(|p| (r, p)))
    }

    /// Every route, group after group.
    pub fn all(&self) -> impl Iterator<Item = &'static Route> {
        self.routes.iter().flat_map(|group| group.iter())
    }

    /// Whether any route, whatever its method, has this path.
    pub fn has_path(&self, segments: &[String], slash: bool) -> bool {
        segments
            .get(self.prefix..)
            .is_some_and(|rest| self.all().any(|r| param(r.path, rest, slash).is_some()))
    }
}

/// The value of the `{…}` segments (empty if none; two joined by `/`) when `pattern` matches
/// the path's segments and trailing slash.
fn param(pattern: &str, segments: &[String], slash: bool) -> Option<String> {
    if pattern.ends_with('/') != slash {
        return None;
    }
    let mut values: Vec<&str> = Vec::new();
    let mut segments = segments.iter();
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        let segment = segments.next()?;
        if part.starts_with('{') {
            values.push(segment);
        } else if part != segment {
            return None;
        }
    }
    segments.next().is_none().then(|| values.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn patterns_match_segments_and_the_trailing_slash() {
        let p = "jobs/{id}/console_logs/";
        assert_eq!(
            param(p, &segs("jobs/7/console_logs"), true).as_deref(),
            Some("7")
        );
        assert_eq!(param(p, &segs("jobs/7/console_logs"), false), None);
        assert_eq!(param(p, &segs("jobs/7"), true), None);
        assert_eq!(param(p, &segs("jobs/7/console_logs/x"), true), None);
        assert_eq!(param("jobs/", &segs("jobs"), true).as_deref(), Some(""));
        assert_eq!(
            param(
                "plugin_releases/{lookup}",
                &segs("plugin_releases/a@1"),
                false
            )
            .as_deref(),
            Some("a@1")
        );
        assert_eq!(
            param(
                "projects/{project}/tags/{id}/",
                &segs("projects/7/tags/12"),
                true
            )
            .as_deref(),
            Some("7/12")
        );
        assert_eq!(
            param(
                "projects/{project}/tags/{id}/",
                &segs("projects/7/tags"),
                true
            ),
            None
        );
    }

    /// Every API with the prefix its routes are documented under.
    fn apis() -> Vec<(&'static Api, &'static str)> {
        vec![
            (&crate::backend::API, ""),
            (&crate::agent::API, "agent/"),
            #[cfg(feature = "v2")]
            (&crate::v2::API, "v2/"),
        ]
    }

    #[test]
    fn the_crate_docs_list_every_route_and_only_those() {
        let mut documented: Vec<(String, String)> = include_str!("lib.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! | `"))
            .filter_map(|row| {
                let (method, rest) = row.split_once("` | `")?;
                let (path, _) = rest.split_once('`')?;
                Some((method.to_owned(), path.to_owned()))
            })
            // The v2 rows document routes served only with the `v2` feature.
            .filter(|(_, path)| cfg!(feature = "v2") || !path.starts_with("v2/"))
            .collect();
        let mut served: Vec<(String, String)> = apis()
            .into_iter()
            .flat_map(|(api, prefix)| {
                api.all()
                    .map(move |r| (r.method.to_string(), format!("{prefix}{}", r.path)))
            })
            .collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
    }

    /// Every `{"method", "url"}` object in a JSON value, depth first.
    fn requests(value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                if let (Some(method), Some(url)) = (
                    map.get("method").and_then(|m| m.as_str()),
                    map.get("url").and_then(|u| u.as_str()),
                ) {
                    out.push((method.to_owned(), url.to_owned()));
                }
                map.values().for_each(|v| requests(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| requests(v, out)),
            _ => {}
        }
    }

    /// The v2 client's resources the fake's v2 serves (the ones a service touches most).
    const V2_RESOURCES: [&str; 7] = [
        "projects",
        "tasks",
        "data_collections",
        "jobs",
        "job_logs",
        "plugins",
        "plugin_releases",
    ];

    /// The SDK's request snapshots record every request its operations send; each one to the
    /// backend or the agent must be a route of the fake (for v2: of the resources above).
    #[test]
    fn every_request_the_sdk_sends_is_a_route() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut sent = Vec::new();
        for dir in [
            "synapse-backend/tests/snapshots",
            "synapse-agent/tests/snapshots",
        ] {
            let entries = std::fs::read_dir(root.join(dir)).expect("snapshot directory");
            for entry in entries {
                let path = entry.expect("entry").path();
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                // The v2 client's snapshots: only the resources the fake's v2 serves.
                if let Some(resource) = name
                    .strip_prefix("v2_operations__")
                    .and_then(|n| n.strip_suffix(".snap"))
                    && !(cfg!(feature = "v2") && V2_RESOURCES.contains(&resource))
                {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("snapshot");
                // An insta snapshot: a `---` header, then the value.
                let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
                    requests(&value, &mut sent);
                }
            }
        }
        let mut checked = 0;
        let mut missing = Vec::new();
        for (method, url) in &sent {
            let (api, prefix, rest) =
                if let Some(rest) = url.strip_prefix("https://synapse.test/v2/") {
                    // The v2 client's requests, checked when the fake speaks v2.
                    #[cfg(feature = "v2")]
                    {
                        (&crate::v2::API, "v2/", rest)
                    }
                    #[cfg(not(feature = "v2"))]
                    {
                        let _ = rest;
                        continue;
                    }
                } else if let Some(rest) = url.strip_prefix("https://synapse.test/") {
                    (&crate::backend::API, "", rest)
                } else if let Some(rest) = url.strip_prefix("http://agent.test:8000/") {
                    (&crate::agent::API, "agent/", rest)
                } else {
                    continue; // a storage host or a download, not the platform's API
                };
            let path = format!("{prefix}{}", rest.split('?').next().unwrap_or_default());
            let method = Method::from_bytes(method.as_bytes()).expect("method");
            if api
                .find(&method, &segs(&path), path.ends_with('/'))
                .is_none()
            {
                missing.push(format!("{method} /{path}"));
            }
            checked += 1;
        }
        missing.sort();
        missing.dedup();
        assert!(
            checked >= 150,
            "only {checked} requests found in the snapshots"
        );
        assert_eq!(
            missing,
            Vec::<String>::new(),
            "requests the fake does not serve"
        );
    }

    #[test]
    fn every_pattern_has_at_most_two_parameters() {
        for (api, _) in apis() {
            for r in api.all() {
                assert!(r.path.matches('{').count() <= 2, "{}", r.path);
            }
        }
    }
}
