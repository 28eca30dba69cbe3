//! Explicit file downloads: what the Python SDK's `url_conversion` does implicitly.
//!
//! The Python SDK downloads the files a response references (`get_model`'s `file`, the
//! `files` of data units and ground truths in list-all mode) into a temp media cache and
//! rewrites the URLs to local paths, as a side effect of reading. This SDK never downloads
//! implicitly: responses keep the server's URLs. When local files are wanted, call
//! [`BackendClient::download_files`] for a list of URLs, or
//! [`BackendClient::localize_files`] to rewrite chosen fields of a JSON value the way
//! `url_conversion` does.
//!
//! Downloads go through the client's storage transport: no Synapse credentials and no
//! `url_host` reach storage hosts; redirects are followed (at most 10 hops, never from
//! https to http); a refused connection, a timeout before the answer, a 5xx or a 429 is
//! retried with backoff ([`DownloadOptions::max_retries`]), and errors never show a
//! presigned URL's query. Bodies are streamed to disk (never held in memory), with
//! bounded concurrency; each file is written under a temporary name and renamed when
//! complete, so a partial download never passes for a cached file. File names follow the
//! Python cache (MD5 of the URL without its query, plus the URL's extension), so a file
//! already present is reused. `data:` URIs are decoded instead of fetched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use futures_util::StreamExt;
use md5::{Digest, Md5};
use serde_json::Value;
use synapse_transport::{Error, Method, ReadTimeout, Request, ResponseMode, Url};
use tokio::io::AsyncWriteExt;

use crate::BackendClient;
use crate::storage_hosts::StorageHosts;

/// Options of [`BackendClient::download_files`].
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    dir: PathBuf,
    max_concurrency: usize,
    read_timeout: Duration,
    max_retries: u32,
}

impl DownloadOptions {
    /// Downloads into `dir` (created if missing), 8 at a time, 30 s read timeout, each URL
    /// retried at most twice.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DownloadOptions {
            dir: dir.into(),
            max_concurrency: 8,
            read_timeout: Duration::from_secs(30),
            max_retries: 2,
        }
    }

    /// Retries of each URL after a transient failure (0 = one attempt).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Most downloads in flight at once (at least 1).
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n.max(1);
        self
    }

    /// Per-read timeout of each download (as the Python SDK's 30 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }
}

/// The cache file name of `url`: MD5 of the URL without its query, plus its extension.
fn cache_name(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let digest: String = Md5::digest(without_query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let ext = if url.starts_with("data:") {
        url.strip_prefix("data:")
            .and_then(|r| r.split([';', ',']).next())
            .and_then(|mime| mime.split('/').nth(1))
            .map(|sub| format!(".{sub}"))
            .unwrap_or_default()
    } else {
        Path::new(without_query.rsplit('/').next().unwrap_or(""))
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default()
    };
    format!("{digest}{ext}")
}

/// The URL without query and fragment, for messages (presigned signatures live there).
fn shown(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_owned()
}

impl BackendClient {
    /// Downloads every URL into `options.dir` and returns, in input order, each local path
    /// or the error of that URL (one failure does not stop the others). See the
    /// [module documentation](self).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::DownloadOptions;
    /// let model = client.get_model(7).await?;
    /// if let Some(url) = &model.file {
    ///     let paths = client.download_files(&[url], DownloadOptions::new("media")).await;
    ///     println!("{:?}", paths[0]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_files<S: AsRef<str>>(
        &self,
        urls: &[S],
        options: DownloadOptions,
    ) -> Vec<Result<PathBuf, Error>> {
        if let Err(e) = tokio::fs::create_dir_all(&options.dir).await {
            let dir = options.dir.clone();
            return urls
                .iter()
                .map(|_| {
                    Err(Error::io(
                        Some(dir.clone()),
                        std::io::Error::new(e.kind(), e.to_string()),
                    ))
                })
                .collect();
        }
        let jobs = urls.iter().enumerate().map(|(i, url)| {
            let url = url.as_ref().to_owned();
            let options = &options;
            async move { (i, self.download_one(&url, options).await) }
        });
        let mut results: Vec<(usize, Result<PathBuf, Error>)> = futures_util::stream::iter(jobs)
            .buffer_unordered(options.max_concurrency)
            .collect()
            .await;
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    async fn download_one(&self, url: &str, options: &DownloadOptions) -> Result<PathBuf, Error> {
        let target = options.dir.join(cache_name(url));
        if tokio::fs::try_exists(&target).await.unwrap_or(false) {
            return Ok(target);
        }
        let temp = target.with_extension(format!("part{}", std::process::id()));
        let io = |e: std::io::Error| Error::io(Some(temp.clone()), e);
        if let Some(rest) = url.strip_prefix("data:") {
            let (_, payload) = rest
                .split_once(',')
                .ok_or_else(|| Error::invalid_input("a data: URI without a comma"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(payload.trim())
                .map_err(|e| Error::invalid_input(format!("a data: URI is not base64: {e}")))?;
            tokio::fs::write(&temp, bytes).await.map_err(io)?;
        } else {
            let parsed = Url::parse(url).map_err(|e| {
                Error::invalid_input(format!("cannot download {}: {e}", shown(url)))
            })?;
            let mut request = Request::new(Method::GET, parsed);
            request.response_mode = ResponseMode::Stream;
            request.read_timeout = ReadTimeout::After(options.read_timeout);
            let storage = StorageHosts::new(self.settings.storage.clone(), options.max_retries);
            let response = storage.send(request).await?;
            let mut body = response.into_stream();
            let mut file = tokio::fs::File::create(&temp).await.map_err(io)?;
            while let Some(chunk) = body.next().await {
                match chunk {
                    Ok(bytes) => file.write_all(&bytes).await.map_err(io)?,
                    Err(e) => {
                        drop(file);
                        let _ = tokio::fs::remove_file(&temp).await;
                        return Err(e);
                    }
                }
            }
            file.flush().await.map_err(io)?;
        }
        tokio::fs::rename(&temp, &target).await.map_err(io)?;
        Ok(target)
    }

    /// Downloads the files referenced in the `fields` of `value` (an object, or an array of
    /// objects) and rewrites them in place to local paths, as the Python SDK's
    /// `url_conversion` does: a URL string becomes the path; an object `{url, …}` gets
    /// `path` in place of `url`; arrays and objects of those are walked. Returns the URLs that
    /// failed with their errors (their values are left untouched).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::DownloadOptions;
    /// let page = client.list_data_units().await?;
    /// let mut units = serde_json::to_value(&page.results).expect("serialisable");
    /// let failed = client.localize_files(&mut units, &["files"], DownloadOptions::new("media")).await;
    /// assert!(failed.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn localize_files(
        &self,
        value: &mut Value,
        fields: &[&str],
        options: DownloadOptions,
    ) -> Vec<(String, Error)> {
        let mut urls = Vec::new();
        visit(value, fields, &mut |s| urls.push(s.to_owned()));
        urls.sort();
        urls.dedup();
        let results = self.download_files(&urls, options).await;
        let mut done = std::collections::HashMap::new();
        let mut failed = Vec::new();
        for (url, result) in urls.into_iter().zip(results) {
            match result {
                Ok(path) => {
                    done.insert(url, path.to_string_lossy().into_owned());
                }
                Err(e) => failed.push((url, e)),
            }
        }
        rewrite(value, fields, &done);
        failed
    }
}

/// Calls `f` with every URL held in the named fields of `value`.
fn visit(value: &Value, fields: &[&str], f: &mut impl FnMut(&str)) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| visit(v, fields, f)),
        Value::Object(map) => {
            for field in fields {
                if let Some(v) = map.get(*field) {
                    urls_in(v, f);
                }
            }
        }
        _ => {}
    }
}

fn urls_in(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) if is_url(s) => f(s),
        Value::Array(items) => items.iter().for_each(|i| urls_in(i, f)),
        Value::Object(map) => match map.get("url") {
            Some(Value::String(s)) if is_url(s) => f(s),
            _ => map.values().for_each(|i| urls_in(i, f)),
        },
        _ => {}
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("data:")
}

fn rewrite(value: &mut Value, fields: &[&str], done: &std::collections::HashMap<String, String>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, fields, done)),
        Value::Object(map) => {
            for field in fields {
                if let Some(v) = map.get_mut(*field) {
                    rewrite_urls(v, done);
                }
            }
        }
        _ => {}
    }
}

fn rewrite_urls(v: &mut Value, done: &std::collections::HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(p) = done.get(s.as_str()) {
                *s = p.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_urls(i, done)),
        Value::Object(map) => {
            let local = match map.get("url") {
                Some(Value::String(s)) => done.get(s.as_str()).cloned(),
                _ => None,
            };
            match local {
                Some(path) => {
                    map.remove("url");
                    map.insert("path".to_owned(), Value::String(path));
                }
                None => map.values_mut().for_each(|i| rewrite_urls(i, done)),
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names_ignore_the_query_and_keep_the_extension() {
        let a = cache_name("https://cdn.test/m/a.jpg?X-Amz-Signature=1");
        let b = cache_name("https://cdn.test/m/a.jpg?X-Amz-Signature=2");
        assert_eq!(a, b);
        assert!(a.ends_with(".jpg") && a.len() == 32 + 4);
        assert!(cache_name("data:image/png;base64,AAAA").ends_with(".png"));
        assert_eq!(shown("https://s.test/k?sig=secret"), "https://s.test/k");
    }
}
