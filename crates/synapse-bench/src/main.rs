//! `synapse-bench`: measures the SDK against a plain reqwest loop doing the same work, so
//! the SDK's overhead is a ratio.
//!
//! ```sh
//! cargo run --release -p synapse-bench                 # every scenario, embedded fake
//! cargo run --release -p synapse-bench -- list_all tail
//! cargo run --release -p synapse-bench -- --url https://host/ --token T get_job
//! ```
//!
//! Each scenario prints two lines of `key=value` pairs (each the fastest of `--repeat N` runs,
//! default 3):
//! `scenario=NAME wall_s=… rate=… unit=… cpu_s=… peak_rss_mib=… base_rss_mib=… n=…`
//! (`wall_s`/`cpu_s` cover the operation only; `peak_rss_mib` is the process's maximum
//! resident set during it, `base_rss_mib` the resident set just before the clock starts).
//! The embedded fake runs in this process, so its work is included on both lines alike.

mod measure;

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use synapse_backend::{BackendClient, ChunkedUploadOptions};
use synapse_fake::{FakeConfig, FakeServer};

type Res<T> = Result<T, Box<dyn Error>>;

/// Runs a measured operation `reps` times and keeps the fastest run (least disturbed by
/// other load on the machine); the line says how many runs there were.
async fn best_of<F, Fut>(reps: u32, mut run: F) -> Res<measure::Line>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Res<measure::Line>>,
{
    let mut best: Option<measure::Line> = None;
    for _ in 0..reps.max(1) {
        let line = run().await?;
        if best.as_ref().is_none_or(|b| line.wall_s < b.wall_s) {
            best = Some(line);
        }
    }
    let best = best.ok_or("no run")?;
    Ok(best.with("runs", reps.max(1)))
}

const SCENARIOS: [&str; 5] = ["list_all", "get_job", "upload", "tail", "prefetch"];
const LIST_N: usize = 100_000;
const GET_N: usize = 2_000;
const UPLOAD_MIB: u64 = 256;
const CHUNK_MIB: u64 = 50;
const TAIL_LINES: usize = 200_000;
const PREFETCH_N: usize = 20_000;

/// Where the scenarios run.
struct Target {
    url: String,
    token: String,
    fake: Option<FakeServer>,
    reps: u32,
}

impl Target {
    fn client(&self) -> Res<BackendClient> {
        Ok(BackendClient::builder(&self.url)
            .without_env()
            .access_token(&self.token)
            .build()?)
    }

    fn raw(&self) -> Res<reqwest::Client> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "Synapse-Access-Token",
            reqwest::header::HeaderValue::from_str(&format!("Token {}", self.token))?,
        );
        Ok(reqwest::Client::builder()
            .default_headers(headers)
            .build()?)
    }

    fn join(&self, path: &str) -> String {
        format!("{}/{}", self.url.trim_end_matches('/'), path)
    }
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run()) {
        eprintln!("synapse-bench: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut token = None;
    let mut chosen = Vec::new();
    let mut reps = 3u32;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--url" => url = args.next(),
            "--token" => token = args.next(),
            "--repeat" => {
                reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--repeat needs a positive number")?
            }
            s if SCENARIOS.contains(&s) => chosen.push(s.to_owned()),
            other => {
                return Err(format!("unknown argument {other:?}; scenarios: {SCENARIOS:?}").into());
            }
        }
    }
    if chosen.is_empty() {
        chosen = SCENARIOS.iter().map(|s| s.to_string()).collect();
    }
    for scenario in &chosen {
        let target = match &url {
            Some(u) => Target {
                url: u.clone(),
                token: token.clone().unwrap_or_default(),
                fake: None,
                reps,
            },
            None => {
                let config = FakeConfig {
                    page_delay: if scenario == "prefetch" {
                        Duration::from_millis(5)
                    } else {
                        Duration::ZERO
                    },
                    ..FakeConfig::default()
                };
                let fake = FakeServer::start_with(config).await?;
                Target {
                    url: fake.url(),
                    token: fake.access_token().to_owned(),
                    fake: Some(fake),
                    reps,
                }
            }
        };
        match scenario.as_str() {
            "list_all" => list_all(&target).await?,
            "get_job" => get_job(&target).await?,
            "upload" => upload(&target).await?,
            "tail" => tail(&target).await?,
            "prefetch" => prefetch(&target).await?,
            _ => {}
        }
    }
    Ok(())
}

/// Walks every page once, unmeasured, so the fake's pre-serialised pages exist before either
/// measured run (the fake renders a page on its first request).
async fn warm_up(t: &Target) -> Res<()> {
    let raw = t.raw()?;
    let mut next = Some(t.join("jobs/?page_size=100"));
    while let Some(url) = next.take() {
        let bytes = raw
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let page: Value = serde_json::from_slice(&bytes)?;
        next = page["next"].as_str().map(str::to_owned);
    }
    Ok(())
}

async fn list_all(t: &Target) -> Res<()> {
    if let Some(fake) = &t.fake {
        fake.seed_jobs(LIST_N);
        warm_up(t).await?;
    }
    let client = t.client()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        let mut jobs = client.list_jobs().items();
        let mut n = 0u64;
        while let Some(job) = jobs.next().await {
            n += u64::from(job?.id.is_some());
        }
        Ok(span.end("list_all", n, n as f64, "items/s"))
    })
    .await?
    .print();

    let raw = t.raw()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        let mut next = Some(t.join("jobs/?page_size=100"));
        let mut n = 0u64;
        while let Some(url) = next.take() {
            let bytes = raw
                .get(&url)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let page: Value = serde_json::from_slice(&bytes)?;
            n += page["results"].as_array().map_or(0, |r| r.len() as u64);
            next = page["next"].as_str().map(str::to_owned);
        }
        Ok(span.end("raw_list_all", n, n as f64, "items/s"))
    })
    .await?
    .print();
    Ok(())
}

async fn get_job(t: &Target) -> Res<()> {
    let ids: Vec<String> = match &t.fake {
        Some(fake) => fake.seed_jobs(GET_N),
        None => {
            let page = t.client()?.list_jobs().page_size(100).await?;
            page.results
                .into_iter()
                .filter_map(|j| j.id.map(|i| i.to_string()))
                .collect()
        }
    };
    if ids.is_empty() {
        return Err("no job to get".into());
    }
    let client = t.client()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        for i in 0..GET_N {
            client.get_job(ids[i % ids.len()].as_str()).await?;
        }
        Ok(span.end("get_job", GET_N as u64, GET_N as f64, "req/s"))
    })
    .await?
    .print();

    let raw = t.raw()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        for i in 0..GET_N {
            let url = t.join(&format!("jobs/{}/", ids[i % ids.len()]));
            let bytes = raw
                .get(&url)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let _: Value = serde_json::from_slice(&bytes)?;
        }
        Ok(span.end("raw_get_job", GET_N as u64, GET_N as f64, "req/s"))
    })
    .await?
    .print();
    Ok(())
}

/// A file of `mib` MiB of varied bytes, written in 1 MiB blocks.
fn make_file(mib: u64) -> Res<PathBuf> {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!("synapse-bench-{}.bin", std::process::id()));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut block = vec![0u8; 1 << 20];
    for i in 0..mib {
        for (j, b) in block.iter_mut().enumerate() {
            *b = ((j as u64).wrapping_mul(31).wrapping_add(i * 7) % 251) as u8;
        }
        f.write_all(&block)?;
    }
    f.flush()?;
    Ok(path)
}

async fn upload(t: &Target) -> Res<()> {
    let path = make_file(UPLOAD_MIB)?;
    let result = upload_both(t, &path).await;
    let _ = std::fs::remove_file(&path);
    result
}

async fn upload_both(t: &Target, path: &std::path::Path) -> Res<()> {
    let client = t.client()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        let done = client
            .create_chunked_upload(path)
            .options(
                ChunkedUploadOptions::default()
                    .chunk_size(CHUNK_MIB << 20)
                    .read_timeout(Duration::from_secs(120)),
            )
            .await?;
        let verified = t
            .fake
            .as_ref()
            .map(|f| f.upload_md5(&done.id.to_string()) == Some(done.md5.clone()));
        Ok(span
            .end(
                "upload",
                UPLOAD_MIB.div_ceil(CHUNK_MIB),
                UPLOAD_MIB as f64,
                "MiB/s",
            )
            .with(
                "md5_verified",
                verified.map_or("unknown".to_owned(), |v| v.to_string()),
            ))
    })
    .await?
    .print();

    let raw = t.raw()?;
    let line = best_of(t.reps, || async {
        let span = measure::begin();
        let file = tokio::fs::File::open(path).await?;
        let len = file.metadata().await?.len();
        let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
            file,
            256 * 1024,
        ));
        let resp = raw
            .put(t.join("bench/raw_upload/"))
            .header(reqwest::header::CONTENT_LENGTH, len)
            .body(body)
            .send()
            .await?
            .error_for_status()?;
        let answer: Value = serde_json::from_slice(&resp.bytes().await?)?;
        Ok(span
            .end("raw_upload", 1, UPLOAD_MIB as f64, "MiB/s")
            .with("md5", answer["md5"].as_str().unwrap_or("?")))
    })
    .await;
    match line {
        Ok(line) => line.print(),
        Err(e) => println!("scenario=raw_upload skipped=\"{e}\""),
    }
    Ok(())
}

async fn tail(t: &Target) -> Res<()> {
    let Some(fake) = &t.fake else {
        println!("scenario=tail skipped=needs_the_embedded_fake");
        return Ok(());
    };
    let id = fake.seed_log_job(TAIL_LINES, 100);
    let client = t.client()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        let started = std::time::Instant::now();
        let mut first = None;
        let mut lines = client.tail_job_console_logs(id.as_str()).lines();
        let mut n = 0u64;
        while let Some(line) = lines.next().await {
            line?;
            if first.is_none() {
                first = Some(started.elapsed().as_secs_f64());
            }
            n += 1;
        }
        let total = started.elapsed().as_secs_f64();
        let first_s = first.unwrap_or(f64::NAN);
        Ok(span
            .end("tail", n, n as f64, "lines/s")
            .with("first_line_s", format!("{first_s:.4}"))
            .with("first_before_end", first_s < total))
    })
    .await?
    .print();

    let raw = t.raw()?;
    best_of(t.reps, || async {
        let span = measure::begin();
        let resp = raw
            .get(t.join(&format!("jobs/{id}/tail_console_logs/")))
            .send()
            .await?
            .error_for_status()?;
        let mut stream = resp.bytes_stream();
        let mut n = 0u64;
        while let Some(chunk) = stream.next().await {
            n += chunk?.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        Ok(span.end("raw_tail", n, n as f64, "lines/s"))
    })
    .await?
    .print();
    Ok(())
}

async fn prefetch(t: &Target) -> Res<()> {
    if let Some(fake) = &t.fake {
        fake.seed_jobs(PREFETCH_N);
        warm_up(t).await?;
    }
    let client = t.client()?;
    for (name, pages) in [("prefetch_sequential", 0usize), ("prefetch", 8)] {
        best_of(t.reps, || async {
            let span = measure::begin();
            let mut jobs = client.list_jobs().items().prefetch(pages);
            let mut n = 0u64;
            while let Some(job) = jobs.next().await {
                job?;
                n += 1;
            }
            Ok(span
                .end(name, n, n as f64, "items/s")
                .with("pages_fetched", jobs.pages_fetched()))
        })
        .await?
        .print();
    }
    Ok(())
}
