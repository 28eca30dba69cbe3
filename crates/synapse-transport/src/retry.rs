//! Retries as a layer over any [`Transport`], driven by a [`RetryPolicy`].
//!
//! Deliberately safer than the Python SDK, which replays POST and PATCH on 502/503/504 and
//! can start a plugin run twice:
//! - GET, HEAD, PUT, DELETE and OPTIONS retry on the policy's statuses (429, 502, 503, 504 by
//!   default), on connection failures and on read timeouts or bodies cut short;
//! - POST and PATCH retry only when the request provably never left the client (DNS failure,
//!   connection refused, connect timeout), unless the request is marked idempotent;
//! - never retried: 500, 501, other 4xx, TLS failures, decode errors, and a stream that has
//!   been handed to the caller.
//!
//! Backoff is exponential with full jitter; `Retry-After` (seconds or HTTP date) replaces the
//! backoff of that step, capped; attempts and total time are bounded. The final failure is
//! [`Error::RetriesExhausted`] with the real status and body and every attempt's cause.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::error::{Attempt, ConnectKind, TimeoutKind};
use crate::{Error, Request, Response, Transport};

/// When and how often to retry.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_after_cap: Duration,
    total_budget: Option<Duration>,
    statuses: Vec<u16>,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff `uniform(0, min(30 s, 2 s·2^(n-1)))`, `Retry-After` capped at
    /// 60 s, a 90 s budget, statuses 429/502/503/504.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(60),
            total_budget: Some(Duration::from_secs(90)),
            statuses: vec![429, 502, 503, 504],
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff ceiling of the first retry; doubles each retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Largest backoff ceiling.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Largest honoured `Retry-After`.
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// Total time budget (sleeps included); `None` for no budget.
    pub fn total_budget(mut self, budget: Option<Duration>) -> Self {
        self.total_budget = budget;
        self
    }

    /// The statuses that are retried (for idempotent requests).
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Full jitter on (default) or off (deterministic backoff, for tests).
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The configured attempt limit.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Backoff ceiling before retry number `retry` (1-based).
    fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(31));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// What the layer decided about one attempt.
enum Verdict {
    Done,
    Retry { hint: Option<Duration> },
}

fn judge(policy: &RetryPolicy, request: &Request, result: &Result<Response, Error>) -> Verdict {
    match result {
        Ok(resp) => {
            if request.is_idempotent() && policy.statuses.contains(&resp.status.as_u16()) {
                let hint = resp
                    .headers
                    .get(http::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::retry_after::parse_retry_after);
                Verdict::Retry { hint }
            } else {
                Verdict::Done
            }
        }
        // Never sent: safe for every method.
        Err(Error::Connect { kind, .. }) if *kind != ConnectKind::Tls => {
            Verdict::Retry { hint: None }
        }
        Err(Error::Timeout {
            kind: TimeoutKind::Connect,
            ..
        }) => Verdict::Retry { hint: None },
        // May have reached the server: only idempotent requests.
        Err(Error::Timeout {
            kind: TimeoutKind::Read,
            ..
        })
        | Err(Error::ResponseIncomplete { .. })
            if request.is_idempotent() =>
        {
            Verdict::Retry { hint: None }
        }
        Err(_) => Verdict::Done,
    }
}

/// A [`Transport`] that retries another one according to a [`RetryPolicy`].
#[derive(Debug)]
pub struct RetryTransport<T> {
    inner: T,
    policy: RetryPolicy,
    rng: AtomicU64,
}

impl<T: Transport> RetryTransport<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, policy: RetryPolicy) -> Self {
        RetryTransport {
            inner,
            policy,
            rng: AtomicU64::new(seed()),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.policy.ceiling(retry);
        if !self.policy.jitter {
            return ceiling;
        }
        // xorshift64*: a fraction in [0, 1).
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.store(x, Ordering::Relaxed);
        let fraction = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(fraction)
    }
}

fn seed() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    RandomState::new().hash_one(0u8) | 1
}

#[async_trait]
impl<T: Transport> Transport for RetryTransport<T> {
    async fn send(&self, request: Request) -> Result<Response, Error> {
        if self.policy.max_attempts <= 1 {
            return self.inner.send(request).await;
        }
        let start = Instant::now();
        let mut history: Vec<Attempt> = Vec::new();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = self.inner.send(request.clone()).await;
            let hint = match judge(&self.policy, &request, &result) {
                Verdict::Done => return result,
                Verdict::Retry { hint } => hint,
            };
            let failure = match result {
                Ok(resp) => Error::from(
                    resp.into_api_error(request.method.clone(), request.display_url())
                        .await,
                ),
                Err(e) => e,
            };
            let delay = match hint {
                Some(d) => d.min(self.policy.retry_after_cap),
                None => self.backoff(attempt),
            };
            let over_budget = self
                .policy
                .total_budget
                .is_some_and(|budget| start.elapsed() + delay > budget);
            if attempt >= self.policy.max_attempts || over_budget {
                return Err(Error::RetriesExhausted {
                    method: request.method.clone(),
                    url: request.display_url(),
                    attempts: attempt,
                    elapsed: start.elapsed(),
                    last: Box::new(failure),
                    history,
                });
            }
            let cause = failure.to_string();
            tracing::warn!(
                method = %request.method,
                url = %request.display_url(),
                attempt,
                cause = %cause,
                delay_ms = delay.as_millis() as u64,
                "retrying request"
            );
            history.push(Attempt {
                attempt,
                cause,
                delay,
            });
            tokio::time::sleep(delay).await;
        }
    }
}
