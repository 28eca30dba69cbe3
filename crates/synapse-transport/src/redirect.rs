//! Redirects: the one set of rules for following them, for the Synapse API (same origin
//! only) and for storage hosts (any origin, never from https to http).

use http::Method;
use http::header::{AUTHORIZATION, COOKIE, HeaderName, LOCATION, PROXY_AUTHORIZATION};
use url::Url;

use crate::request::redact_url;
use crate::urls::{origin, same_origin};
use crate::{Error, Request, Response, Transport};

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;

/// Where a redirect may lead.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// Only the origin of this URL (the API's base): credentials never leave it.
    Origin(&'a Url),
    /// Any origin, except from https to http (storage hosts, presigned URLs).
    Anywhere,
}

/// Decides whether to follow a redirect: 301/302/303 for GET and HEAD only (following them
/// would turn another method into a GET and drop its body), 307/308 for any method (the body
/// is rebuilt from its description), at most [`MAX_REDIRECTS`] hops, within `scope`.
pub(crate) fn next_hop(
    request: &Request,
    response: &Response,
    hops: usize,
    scope: Scope<'_>,
) -> Result<Option<Url>, Error> {
    let status = response.status.as_u16();
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let refuse = |location: String, reason: &str| Error::Redirect {
        method: request.method.clone(),
        url: request.display_url(),
        status,
        location,
        reason: reason.to_owned(),
    };
    let Ok(target) = request.full_url().join(location) else {
        return Err(refuse(
            "<invalid>".to_owned(),
            "the Location is not a valid URL",
        ));
    };
    match scope {
        Scope::Origin(base) if !same_origin(&target, base) => {
            return Err(refuse(
                origin(&target),
                "it points to another origin; credentials never leave the configured host",
            ));
        }
        Scope::Anywhere if request.url.scheme() == "https" && target.scheme() != "https" => {
            return Err(refuse(origin(&target), "it downgrades https to http"));
        }
        _ => {}
    }
    if !matches!(target.scheme(), "http" | "https") {
        return Err(refuse(origin(&target), "it is not an http(s) URL"));
    }
    let shown = {
        let mut visible = target.clone();
        if request.secret_query {
            visible.set_query(None);
            visible.set_fragment(None);
        }
        redact_url(&visible, &request.secret_segments)
    };
    if hops >= MAX_REDIRECTS {
        return Err(refuse(shown, "too many redirects"));
    }
    if matches!(status, 301..=303) && !matches!(request.method, Method::GET | Method::HEAD) {
        return Err(refuse(
            shown,
            "following it would turn the request into a GET and drop its body",
        ));
    }
    Ok(Some(target))
}

/// Sends a request to a storage host (a presigned URL, a file download) through
/// `transport`, following redirects to any origin (object stores answer
/// `307 Temporary Redirect` routinely), never from https to http, at most
/// [`MAX_REDIRECTS`] hops. A 307/308 re-sends the method and the body (a file body is read
/// again from the file); a 301/302/303 is followed for GET and HEAD only. A hop to another
/// origin drops any credential header. The final response is returned whatever its status.
///
/// ```no_run
/// # async fn demo(storage: &dyn synapse_transport::Transport) -> Result<(), synapse_transport::Error> {
/// use synapse_transport::{Method, Request, Url, send_following_redirects};
/// let url = Url::parse("https://bucket.s3.example/key?X-Amz-Signature=…").expect("url");
/// let response = send_following_redirects(storage, Request::new(Method::GET, url)).await?;
/// # Ok(()) }
/// ```
pub async fn send_following_redirects(
    transport: &dyn Transport,
    request: Request,
) -> Result<Response, Error> {
    let mut request = request;
    let mut hops = 0usize;
    loop {
        let response = transport.send(request.clone()).await?;
        let Some(target) = next_hop(&request, &response, hops, Scope::Anywhere)? else {
            return Ok(response);
        };
        if !same_origin(&target, &request.url) {
            let credentials: Vec<HeaderName> = request
                .headers
                .iter()
                .filter(|(name, value)| {
                    value.is_sensitive()
                        || [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE].contains(name)
                })
                .map(|(name, _)| name.clone())
                .collect();
            for name in credentials {
                request.headers.remove(name);
            }
        }
        request.url = target;
        request.query.clear();
        hops += 1;
    }
}
