//! The yardsticks: the same work as the SDK, written plainly — reqwest with a
//! `serde_json::Value` per answer, a hyper-level client, and the chunked-upload protocol
//! with its MD5.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Empty};
use md5::{Digest, Md5};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::{Res, Target};

/// A hyper-level HTTP/1 client: no middleware, no redirects, no retries.
pub struct HyperClient {
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        Empty<Bytes>,
    >,
    token: http::HeaderValue,
}

impl HyperClient {
    /// A client sending the target's access token.
    pub fn new(t: &Target) -> Res<HyperClient> {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        Ok(HyperClient {
            client,
            token: http::HeaderValue::from_str(&format!("Token {}", t.token))?,
        })
    }

    /// GETs `url` and parses the answer into a `Value`.
    pub async fn get_json(&self, url: &str) -> Res<Value> {
        let request = http::Request::get(url)
            .header("Synapse-Access-Token", self.token.clone())
            .body(Empty::new())?;
        let response = self.client.request(request).await?;
        if !response.status().is_success() {
            return Err(format!("GET {url}: {}", response.status()).into());
        }
        let body = response.into_body().collect().await?.to_bytes();
        Ok(serde_json::from_slice(&body)?)
    }
}

const BOUNDARY: &str = "synapse-bench-raw-boundary";

/// Uploads `path` with the chunked-upload protocol the SDK speaks — each chunk a multipart
/// PUT with `Content-Range` (the first to `chunked_upload/`, the rest to the upload's
/// `url`), the file's MD5 computed as the chunks stream, then the finalising POST — and
/// returns the server's checksum and the MD5 sent.
pub async fn chunked_upload(
    t: &Target,
    raw: &reqwest::Client,
    path: &std::path::Path,
    chunk: u64,
) -> Res<(String, String)> {
    let size = tokio::fs::metadata(path).await?.len();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .to_owned();
    let hasher = Arc::new(Mutex::new(Md5::new()));
    let mut url = t.join("chunked_upload/");
    let mut offset = 0u64;
    while offset < size {
        let len = chunk.min(size - offset);
        let mut file = tokio::fs::File::open(path).await?;
        file.seek(std::io::SeekFrom::Start(offset)).await?;
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\n{name}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\n"
        );
        let tail = format!("\r\n--{BOUNDARY}--\r\n");
        let length = head.len() as u64 + len + tail.len() as u64;
        let md5 = hasher.clone();
        let data = tokio_util::io::ReaderStream::with_capacity(file.take(len), 256 * 1024).map(
            move |piece| {
                if let (Ok(bytes), Ok(mut md5)) = (&piece, md5.lock()) {
                    md5.update(bytes);
                }
                piece
            },
        );
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(head))])
            .chain(data)
            .chain(futures_util::stream::iter([Ok(Bytes::from(tail))]));
        let answer = raw
            .put(&url)
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(
                "Content-Range",
                format!("bytes {}-{}/{}", offset, offset + len - 1, size),
            )
            .header(reqwest::header::CONTENT_LENGTH, length)
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await?
            .error_for_status()?;
        let state: Value = serde_json::from_slice(&answer.bytes().await?)?;
        url = state["url"]
            .as_str()
            .ok_or("the chunk's answer has no url")?
            .to_owned();
        offset += len;
    }
    let md5: String = hasher
        .lock()
        .map_err(|_| "the MD5 lock is poisoned")?
        .clone()
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let answer = raw
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&serde_json::json!({ "md5": md5 }))?)
        .send()
        .await?
        .error_for_status()?;
    let done: Value = serde_json::from_slice(&answer.bytes().await?)?;
    let checksum = done["checksum"].as_str().unwrap_or("?").to_owned();
    Ok((checksum, md5))
}
