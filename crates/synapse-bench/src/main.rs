//! `synapse-bench`: measures the SDK against yardsticks doing the same work, so the SDK's
//! overhead is a ratio.
//!
//! ```sh
//! cargo build --release -p synapse-fake -p synapse-bench
//! target/release/synapse-bench                       # every scenario
//! target/release/synapse-bench list_all tail
//! target/release/synapse-bench --url https://host/ --token T --tail-job ID
//! ```
//!
//! Scenarios: `list_all` (every job, page by page), `get_job` (2,000 single-job requests),
//! `upload` (a 256 MiB chunked upload), `tail` (a job's console log through the tail endpoint),
//! `prefetch` (the job list walked sequentially, then 8 pages ahead), `decode` (one page of
//! 100 jobs decoded 1,000 times, with no network).
//!
//! Each scenario prints one line of `key=value` pairs per run (each the fastest of
//! `--repeat N` runs, default 5; an SDK line and its yardstick run in turns):
//! `scenario=NAME wall_s=… rate=… unit=… cpu_s=… peak_rss_mib=… base_rss_mib=… n=…`
//! (`wall_s`/`cpu_s` cover the operation only; `peak_rss_mib` is the process's maximum
//! resident set during it, `base_rss_mib` the resident set just before the clock starts;
//! `n` is what the run really counted: items, requests, chunks or lines). A scenario that
//! cannot run prints `scenario=NAME skipped="reason"` instead. The yardsticks are `raw_…`
//! (reqwest and a `serde_json::Value` per answer), `raw_get_job_hyper` (a hyper-level
//! client) and `raw_upload_chunked` (the SDK's chunked protocol with its MD5).
//!
//! By default each scenario starts the fake as a process of its own (`synapse-fake` beside
//! this program, or `$SYNAPSE_FAKE`), seeded for it (100,000 jobs for `list_all`, 2,000 for
//! `get_job`, a job with 200,000 console lines for `tail`, 20,000 jobs at 5 ms a page for
//! `prefetch`), pinned to core 0 while the bench keeps to core 1: the lines count the
//! client's cost only. `--in-process` runs the fake inside this process instead;
//! `--sdk-only` skips the yardsticks (for profiling).
//!
//! With `--url URL --token T`, every scenario runs against that server as it is: the list
//! scenarios walk whatever jobs it holds, `get_job` requests the jobs of its first page,
//! `tail` reads the console log of the job given with `--tail-job ID` (without it, `tail` is
//! skipped), and `raw_upload` needs the fake's `bench/raw_upload/` route (elsewhere it is
//! skipped).

mod child;
mod measure;
mod raw;

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use futures_util::StreamExt;
use serde_json::Value;
use synapse_backend::{BackendClient, ChunkedUploadOptions};
use synapse_fake::{FakeConfig, FakeServer};

use crate::child::ChildFake;

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
        keep_faster(&mut best, run().await?);
    }
    let best = best.ok_or("no run")?;
    Ok(best.with("runs", reps.max(1)))
}

/// Keeps `line` in `best` when it ran faster than what `best` holds.
fn keep_faster(best: &mut Option<measure::Line>, line: measure::Line) {
    if best.as_ref().is_none_or(|b| line.wall_s < b.wall_s) {
        *best = Some(line);
    }
}

/// The fastest of `reps` runs of an SDK line and of its yardstick, taken in turns (SDK,
/// yardstick, SDK, …) so that both meet the same moments of a noisy machine; then printed,
/// SDK first. With `--sdk-only` the yardstick does not run.
async fn duel<A, FA, B, FB>(reps: u32, mut sdk: A, mut yardstick: B) -> Res<()>
where
    A: FnMut() -> FA,
    FA: std::future::Future<Output = Res<measure::Line>>,
    B: FnMut() -> FB,
    FB: std::future::Future<Output = Res<measure::Line>>,
{
    let mut best: [Option<measure::Line>; 2] = [None, None];
    for _ in 0..reps.max(1) {
        keep_faster(&mut best[0], sdk().await?);
        if yardsticks() {
            keep_faster(&mut best[1], yardstick().await?);
        }
    }
    for line in best.into_iter().flatten() {
        line.with("runs", reps.max(1)).print();
    }
    Ok(())
}

/// A scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum Scenario {
    /// Every job, page by page.
    ListAll,
    /// Single-job requests.
    GetJob,
    /// A chunked upload.
    Upload,
    /// A job's console log through the tail endpoint.
    Tail,
    /// The job list walked sequentially, then with pages requested ahead.
    Prefetch,
    /// One page of 100 jobs, fetched once, decoded 1,000 times: typed, and as a `Value`.
    Decode,
}

/// Measures the SDK against a plain reqwest loop doing the same work.
#[derive(Debug, Parser)]
#[command(name = "synapse-bench")]
struct Options {
    /// The server to measure (default: an embedded fake for each scenario).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The access token for --url.
    #[arg(long, value_name = "T", requires = "url")]
    token: Option<String>,
    /// The job whose console log `tail` reads (with --url; the embedded fake makes its own).
    #[arg(long, value_name = "ID", requires = "url")]
    tail_job: Option<String>,
    /// Run the fake inside this process (the old mode: the fake's work counts on both
    /// lines) instead of as a process of its own on another core.
    #[arg(long, conflicts_with = "url")]
    in_process: bool,
    /// Only the SDK's lines, not the yardsticks' (to profile the SDK alone).
    #[arg(long)]
    sdk_only: bool,
    /// Runs of each scenario; each line is the fastest.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// The scenarios to run (default: all).
    #[arg(value_enum)]
    scenarios: Vec<Scenario>,
}

const LIST_N: usize = 100_000;
const GET_N: usize = 2_000;
const UPLOAD_MIB: u64 = 256;
const CHUNK_MIB: u64 = 50;
const TAIL_LINES: usize = 200_000;
const PREFETCH_N: usize = 20_000;

/// The server a scenario runs against.
enum Server {
    /// A server given by URL, used as it is.
    Url,
    /// The fake inside this process (held to keep it serving).
    InProcess { _fake: FakeServer },
    /// The fake as a process of its own.
    Child(ChildFake),
}

/// Where the scenarios run.
struct Target {
    url: String,
    token: String,
    server: Server,
    reps: u32,
    /// The job `tail` reads.
    tail_job: Option<String>,
    /// Jobs `get_job` requests.
    job_ids: Vec<String>,
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
    let options = Options::parse();
    // With the fake in a process of its own, the bench keeps to one core and the fake to the
    // other (before the runtime starts its threads, which inherit the pinning).
    let pinned = options.url.is_none() && !options.in_process && child::pin_self();
    SDK_ONLY.store(options.sdk_only, std::sync::atomic::Ordering::Relaxed);
    // A client that owns one core runs on one thread. A multi-thread runtime on that one
    // core hands every response from its worker to the main thread and back: perf showed
    // ~16% of the client's CPU in context switches, the scheduler's cost rather than the
    // clients'. Unpinned (`--url`, `--in-process`), tokio's default runtime.
    let mut builder = if pinned {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(options, pinned)) {
        eprintln!("synapse-bench: {e}");
        std::process::exit(1);
    }
}

async fn run(options: Options, pinned: bool) -> Res<()> {
    let chosen = if options.scenarios.is_empty() {
        <Scenario as clap::ValueEnum>::value_variants().to_vec()
    } else {
        options.scenarios.clone()
    };
    for &scenario in &chosen {
        let target = target(&options, scenario).await?;
        if let Server::Child(child) = &target.server {
            eprintln!(
                "# {scenario:?}: fake pid {} (pinned by {}), bench pinned: {}",
                child.pid(),
                child.pinning,
                pinned
            );
        }
        match scenario {
            Scenario::ListAll => list_all(&target).await?,
            Scenario::GetJob => get_job(&target).await?,
            Scenario::Upload => upload(&target).await?,
            Scenario::Tail => tail(&target).await?,
            Scenario::Prefetch => prefetch(&target).await?,
            Scenario::Decode => decode(&target).await?,
        }
    }
    Ok(())
}

/// The server of one scenario, holding the data it needs: the server given by URL as it
/// is, else a fake (a child process, or inside this process with `--in-process`) seeded
/// for the scenario.
async fn target(options: &Options, scenario: Scenario) -> Res<Target> {
    let page_delay_ms = if scenario == Scenario::Prefetch { 5 } else { 0 };
    if let Some(url) = &options.url {
        let mut target = Target {
            url: url.clone(),
            token: options.token.clone().unwrap_or_default(),
            server: Server::Url,
            reps: options.repeat,
            tail_job: options.tail_job.clone(),
            job_ids: Vec::new(),
        };
        if scenario == Scenario::GetJob {
            let page = target.client()?.list_jobs().page_size(100).await?;
            target.job_ids = page
                .results
                .into_iter()
                .filter_map(|j| j.id.map(|i| i.to_string()))
                .collect();
        }
        return Ok(target);
    }
    if options.in_process {
        let config = FakeConfig {
            page_delay: Duration::from_millis(page_delay_ms),
            ..FakeConfig::default()
        };
        let fake = FakeServer::start_with(config).await?;
        let mut job_ids = Vec::new();
        let mut tail_job = None;
        match scenario {
            Scenario::ListAll => drop(fake.seed_jobs(LIST_N)),
            Scenario::GetJob => job_ids = fake.seed_jobs(GET_N),
            Scenario::Tail => tail_job = Some(fake.seed_log_job(TAIL_LINES, 100)),
            Scenario::Prefetch => drop(fake.seed_jobs(PREFETCH_N)),
            Scenario::Decode => drop(fake.seed_jobs(100)),
            Scenario::Upload => {}
        }
        return Ok(Target {
            url: fake.url(),
            token: fake.access_token().to_owned(),
            server: Server::InProcess { _fake: fake },
            reps: options.repeat,
            tail_job,
            job_ids,
        });
    }
    let seed = match scenario {
        Scenario::ListAll => Some(format!("jobs={LIST_N}")),
        Scenario::GetJob => Some(format!("jobs={GET_N}")),
        Scenario::Tail => Some(format!("log_job={TAIL_LINES}")),
        Scenario::Prefetch => Some(format!("jobs={PREFETCH_N}")),
        Scenario::Decode => Some("jobs=100".to_owned()),
        Scenario::Upload => None,
    };
    let mut args = vec!["--page-delay-ms".to_owned(), page_delay_ms.to_string()];
    if let Some(seed) = seed {
        args.extend(["--seed".to_owned(), seed]);
    }
    let child = ChildFake::start(&args)?;
    Ok(Target {
        url: child.url.clone(),
        token: child.token.clone(),
        tail_job: child.log_job_ids.first().cloned(),
        job_ids: child.job_ids.clone(),
        server: Server::Child(child),
        reps: options.repeat,
    })
}

/// `--sdk-only`: the yardsticks' lines are not run.
static SDK_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True when the yardsticks' lines run.
fn yardsticks() -> bool {
    !SDK_ONLY.load(std::sync::atomic::Ordering::Relaxed)
}

/// Prints the line of a scenario that cannot run, and why.
fn skipped(scenario: &str, reason: &str) {
    println!("scenario={scenario} skipped={reason:?}");
}

/// Walks every page once, unmeasured, so that neither measured run pays for the server's first
/// rendering of a page (the fake keeps pages it has rendered; other servers cache too).
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
    warm_up(t).await?;
    let client = t.client()?;
    let raw = t.raw()?;
    let sdk = || async {
        let span = measure::begin();
        let mut jobs = client.list_jobs().items();
        let mut n = 0u64;
        while let Some(job) = jobs.next().await {
            n += u64::from(job?.id.is_some());
        }
        Ok(span.end("list_all", n, n as f64, "items/s"))
    };
    let yardstick = || async {
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
    };
    duel(t.reps, sdk, yardstick).await
}

async fn get_job(t: &Target) -> Res<()> {
    let ids = &t.job_ids;
    if ids.is_empty() {
        skipped("get_job", "the server lists no job");
        return Ok(());
    }
    let client = t.client()?;
    let raw = t.raw()?;
    let sdk = || async {
        let span = measure::begin();
        for i in 0..GET_N {
            client.get_job(ids[i % ids.len()].as_str()).await?;
        }
        Ok(span.end("get_job", GET_N as u64, GET_N as f64, "req/s"))
    };
    let yardstick = || async {
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
    };
    duel(t.reps, sdk, yardstick).await?;
    if !yardsticks() {
        return Ok(());
    }

    let hyper = raw::HyperClient::new(t)?;
    best_of(t.reps, || async {
        let span = measure::begin();
        for i in 0..GET_N {
            let url = t.join(&format!("jobs/{}/", ids[i % ids.len()]));
            hyper.get_json(&url).await?;
        }
        Ok(span.end("raw_get_job_hyper", GET_N as u64, GET_N as f64, "req/s"))
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
        // The server's checksum of what it stored (the SDK fails on a mismatch).
        let verified = done
            .response
            .checksum
            .as_deref()
            .map(|sum| sum.eq_ignore_ascii_case(&done.md5));
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

    if !yardsticks() {
        return Ok(());
    }
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
        Err(e) => skipped("raw_upload", &e.to_string()),
    }

    best_of(t.reps, || async {
        let span = measure::begin();
        let (checksum, md5) = raw::chunked_upload(t, &raw, path, CHUNK_MIB << 20).await?;
        Ok(span
            .end(
                "raw_upload_chunked",
                UPLOAD_MIB.div_ceil(CHUNK_MIB),
                UPLOAD_MIB as f64,
                "MiB/s",
            )
            .with("md5_verified", checksum.eq_ignore_ascii_case(&md5)))
    })
    .await?
    .print();
    Ok(())
}

async fn tail(t: &Target) -> Res<()> {
    let id = match &t.tail_job {
        Some(id) => id.clone(),
        None => {
            skipped(
                "tail",
                "--url needs --tail-job ID, the job whose console log is tailed",
            );
            return Ok(());
        }
    };
    let client = t.client()?;
    let raw = t.raw()?;
    let sdk = || async {
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
    };
    let yardstick = || async {
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
    };
    duel(t.reps, sdk, yardstick).await
}

async fn prefetch(t: &Target) -> Res<()> {
    warm_up(t).await?;
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

/// Decodes one page of jobs many times, with no network: the decoder's own cost.
async fn decode(t: &Target) -> Res<()> {
    const ROUNDS: usize = 1_000;
    let page = t
        .raw()?
        .get(t.join("jobs/?page_size=100"))
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let sdk = || async {
        let span = measure::begin();
        let mut n = 0u64;
        for _ in 0..ROUNDS {
            let jobs: synapse_models::Page<synapse_models::Job> =
                synapse_models::shared::from_bytes(&page)?;
            n += jobs.results.len() as u64;
        }
        Ok(span
            .end("decode", n, n as f64, "items/s")
            .with("page_bytes", page.len()))
    };
    let yardstick = || async {
        let span = measure::begin();
        let mut n = 0u64;
        for _ in 0..ROUNDS {
            let jobs: Value = serde_json::from_slice(&page)?;
            n += jobs["results"].as_array().map_or(0, |r| r.len() as u64);
        }
        Ok(span.end("raw_decode", n, n as f64, "items/s"))
    };
    duel(t.reps, sdk, yardstick).await
}
