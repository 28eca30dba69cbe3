//! Requests to storage hosts (presigned PUTs, file downloads): through the client's
//! credential-free storage transport, with the object store's redirects followed (at most 10
//! hops, never from https to http), its error bodies reduced to their `<Code>` and
//! `<Message>` (a full body can hold `StringToSign` or an access key id), and retries under
//! [`RetryPolicy::storage`]: the transport's one retry engine with the storage classifier.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use synapse_transport::classify::xml_tag;
use synapse_transport::{
    Error, HeaderMap, Request, Response, ResponseBody, RetryPolicy, RetryTransport, Transport,
    send_following_redirects,
};

/// The storage transport with redirects followed and error bodies reduced (one attempt;
/// [`StorageHosts`] retries it).
#[derive(Debug)]
struct StorageHops {
    inner: Arc<dyn Transport>,
}

#[async_trait]
impl Transport for StorageHops {
    async fn send(&self, request: Request) -> Result<Response, Error> {
        let response = send_following_redirects(&*self.inner, request).await?;
        if response.status.is_success() {
            return Ok(response);
        }
        let status = response.status;
        let headers = response.headers.clone();
        let body = reduce(&headers, response.body).await;
        Ok(Response::buffered(status, headers, body))
    }
}

/// Parsed for `<Code>` and `<Message>`.
const PARSED_BYTES: usize = 8 * 1024;
/// Counted, at most, for the body length.
const COUNTED_BYTES: usize = 1024 * 1024;

/// A storage error body reduced to what diagnoses it: the store's `Code` and `Message`
/// (URL queries removed), the `Content-Type`, the `Server` and the body's length.
async fn reduce(headers: &HeaderMap, body: ResponseBody) -> String {
    let mut head = Vec::new();
    let mut length = 0usize;
    let mut complete = true;
    match body {
        ResponseBody::Buffered(b) => {
            head.extend_from_slice(&b[..b.len().min(PARSED_BYTES)]);
            length = b.len();
        }
        ResponseBody::Stream(mut stream) => {
            while let Some(chunk) = stream.next().await {
                let Ok(chunk) = chunk else {
                    complete = false;
                    break;
                };
                let room = PARSED_BYTES.saturating_sub(head.len());
                head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                length += chunk.len();
                if length > COUNTED_BYTES {
                    complete = false;
                    break;
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&head);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut out = String::from("<Error>");
    let mut element = |tag: &str, value: &str| {
        let value = xml_escape(&strip_url_queries(value));
        out.push_str(&format!("<{tag}>{value}</{tag}>"));
    };
    if let Some(code) = xml_tag(&text, "Code") {
        element("Code", &code);
    }
    if let Some(message) = xml_tag(&text, "Message") {
        element("Message", &message);
    }
    if let Some(content_type) = header("content-type") {
        element("ContentType", content_type);
    }
    if let Some(server) = header("server") {
        element("Server", server);
    }
    let shown = if complete {
        length.to_string()
    } else {
        format!("{length}+")
    };
    element("BodyLength", &shown);
    out.push_str("</Error>");
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` with the query of every URL in it removed (a message can quote a signed URL).
fn strip_url_queries(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .unwrap_or(tail.len());
        let url = &tail[..end];
        out.push_str(url.split_once('?').map_or(url, |(kept, _)| kept));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The storage hosts as one operation sees them: every request through
/// [`StorageHops`], retried under [`RetryPolicy::storage`].
#[derive(Debug)]
pub(crate) struct StorageHosts {
    transport: RetryTransport<StorageHops>,
}

impl StorageHosts {
    /// The client's storage transport, with `retries` retries per request.
    pub(crate) fn new(inner: Arc<dyn Transport>, retries: u32) -> Self {
        StorageHosts {
            transport: RetryTransport::new(StorageHops { inner }, RetryPolicy::storage(retries)),
        }
    }

    /// Sends `request`: its URL's query (a presigned URL's signature) is never shown in an
    /// error or a log, and an answer other than a success is the error, with the reduced
    /// body.
    pub(crate) async fn send(&self, mut request: Request) -> Result<Response, Error> {
        request.redact_query();
        let response = self.transport.send(request.clone()).await?;
        if response.status.is_success() {
            return Ok(response);
        }
        Err(response
            .into_api_error(request.method.clone(), request.display_url())
            .await
            .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn error_bodies_keep_only_their_diagnosis() {
        let mut headers = HeaderMap::new();
        headers.insert("server", "AmazonS3".parse().expect("header"));
        headers.insert("content-type", "application/xml".parse().expect("header"));
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>See \
                    https://b.test/k?X-Amz-Signature=abc for details</Message>\
                    <StringToSign>AWS4 secret</StringToSign><AWSAccessKeyId>AKIA1</AWSAccessKeyId>\
                    </Error>";
        let reduced = reduce(&headers, ResponseBody::Buffered(body.into())).await;
        assert_eq!(
            reduced,
            format!(
                "<Error><Code>SignatureDoesNotMatch</Code><Message>See https://b.test/k for \
                 details</Message><ContentType>application/xml</ContentType>\
                 <Server>AmazonS3</Server><BodyLength>{}</BodyLength></Error>",
                body.len()
            )
        );
    }

    #[tokio::test]
    async fn a_huge_or_broken_body_is_counted_up_to_a_bound() {
        let chunks = (0..200).map(|_| Ok(vec![b'x'; 8192].into()));
        let stream: synapse_transport::ByteStream = Box::pin(futures_util::stream::iter(chunks));
        let stream = ResponseBody::Stream(stream);
        let reduced = reduce(&HeaderMap::new(), stream).await;
        assert_eq!(
            reduced,
            format!("<Error><BodyLength>{}+</BodyLength></Error>", 129 * 8192)
        );
    }
}
