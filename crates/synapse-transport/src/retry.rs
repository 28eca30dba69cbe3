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
//!
//! A retry budget shared by every call of one client (a token bucket, as the AWS SDKs do)
//! stops a failure storm from multiplying traffic: each retry takes tokens (more after a
//! timeout), each success returns one; with the bucket empty, calls fail at once with
//! [`GiveUp::RetryBudget`] instead of retrying.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use std::sync::Arc;

use crate::classify::{ClassifyRetry, Outcome, RetryAction};
use crate::error::{Attempt, GiveUp};
use crate::{Error, Request, Response, Transport};

/// When and how often to retry: a chain of classifiers (see [`crate::classify`]) decides
/// whether an attempt is retried; the policy bounds attempts, time and shared budget, and
/// sets the backoff.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_after_cap: Duration,
    total_budget: Option<Duration>,
    statuses: Vec<u16>,
    /// A chain replacing the standard one (built from `statuses`).
    chain: Option<Vec<Arc<dyn ClassifyRetry>>>,
    jitter: bool,
    budget: Option<RetryBudget>,
}

/// A client-wide token bucket limiting retries under widespread failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    /// Tokens in a full bucket.
    pub capacity: u32,
    /// Tokens one retry takes.
    pub retry_cost: u32,
    /// Tokens one retry after a timeout takes.
    pub timeout_cost: u32,
    /// Tokens a successful call returns.
    pub success_refund: u32,
}

impl Default for RetryBudget {
    /// 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back per success (the AWS
    /// SDKs' standard mode): about 100 retries in a burst, then one per 5 successes.
    fn default() -> Self {
        RetryBudget {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1,
        }
    }
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
            chain: None,
            jitter: true,
            budget: Some(RetryBudget::default()),
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

    /// The policy of requests to storage hosts (presigned PUTs, downloads): up to
    /// `retries` retries of failures before or while sending, and of the object store's
    /// retryable answers ([`StorageErrors`](crate::classify::StorageErrors)); the wait before
    /// retry `n` is uniform in `[0, 0.5·2ⁿ⁻¹)` s; no time budget; no shared retry budget.
    pub fn storage(retries: u32) -> Self {
        use crate::classify::{
            IdempotencyVeto, NeverSent, RetryAfterHeader, StorageErrors, TransientFailures,
        };
        RetryPolicy {
            max_attempts: retries.saturating_add(1),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(3600),
            total_budget: None,
            budget: None,
            chain: Some(vec![
                Arc::new(NeverSent),
                Arc::new(IdempotencyVeto),
                Arc::new(TransientFailures),
                Arc::new(StorageErrors),
                Arc::new(RetryAfterHeader),
            ]),
            ..Self::default()
        }
    }

    /// Replaces the classifier chain (the standard one is
    /// [`NeverSent`](crate::classify::NeverSent) →
    /// [`IdempotencyVeto`](crate::classify::IdempotencyVeto) →
    /// [`TransientFailures`](crate::classify::TransientFailures) →
    /// [`RetryStatuses`](crate::classify::RetryStatuses) (the policy's statuses) →
    /// [`RetryAfterHeader`](crate::classify::RetryAfterHeader)).
    pub fn classifiers(mut self, chain: Vec<Arc<dyn ClassifyRetry>>) -> Self {
        self.chain = Some(chain);
        self
    }

    /// Asks the chain about one attempt: `None` to return it, else `Some(delay hint)`.
    fn decide(&self, request: &Request, outcome: Outcome<'_>) -> Option<Option<Duration>> {
        use crate::classify::{
            IdempotencyVeto, NeverSent, RetryAfterHeader, RetryStatuses, TransientFailures,
        };
        let standard: [&dyn ClassifyRetry; 5];
        let statuses = RetryStatuses(self.statuses.clone());
        let chain: Vec<&dyn ClassifyRetry> = match &self.chain {
            Some(chain) => chain.iter().map(|c| c.as_ref()).collect(),
            None => {
                standard = [
                    &NeverSent,
                    &IdempotencyVeto,
                    &TransientFailures,
                    &statuses,
                    &RetryAfterHeader,
                ];
                standard.to_vec()
            }
        };
        let action = chain
            .iter()
            .find_map(|c| c.classify(request, outcome))
            .unwrap_or(RetryAction::DoNotRetry);
        (action == RetryAction::Retry).then(|| chain.iter().find_map(|c| c.delay(request, outcome)))
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

    /// The client-wide retry budget (`None` turns it off).
    pub fn retry_budget(mut self, budget: Option<RetryBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// The configured attempt limit.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before retry number `retry` (1-based) after `failure`: the
    /// server's `Retry-After` when the failure carries one (capped), else the backoff,
    /// with full jitter unless it is off. Multi-request recoveries that cannot be a plain
    /// resend (the chunked upload's resynchronisation) pace themselves with it, so every
    /// wait in the SDK follows one policy.
    pub fn delay(&self, retry: u32, failure: Option<&Error>) -> Duration {
        if let Some(hint) = failure.and_then(Error::api).and_then(|e| e.retry_after) {
            return hint.min(self.retry_after_cap);
        }
        self.backoff(retry)
    }

    /// A server-given wait, capped as `Retry-After` is.
    #[cfg(feature = "v2")]
    pub(crate) fn cap_server_delay(&self, delay: Duration) -> Duration {
        delay.min(self.retry_after_cap)
    }

    /// The backoff before retry number `retry` (1-based): full jitter under the ceiling
    /// unless jitter is off.
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        if !self.jitter {
            return ceiling;
        }
        ceiling.mul_f64(fastrand::f64())
    }

    /// Backoff ceiling before retry number `retry` (1-based).
    fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(31));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// A [`Transport`] that retries another one according to a [`RetryPolicy`].
#[derive(Debug)]
pub struct RetryTransport<T> {
    inner: T,
    policy: RetryPolicy,
    tokens: AtomicU64,
}

impl<T: Transport> RetryTransport<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, policy: RetryPolicy) -> Self {
        let tokens = policy.budget.map_or(0, |b| u64::from(b.capacity));
        RetryTransport {
            inner,
            policy,
            tokens: AtomicU64::new(tokens),
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

    /// Tokens left in the shared retry budget.
    pub fn budget_tokens(&self) -> u64 {
        self.tokens.load(Ordering::Relaxed)
    }

    /// Takes `cost` tokens; false when the bucket holds fewer.
    fn take_tokens(&self, cost: u32) -> bool {
        let cost = u64::from(cost);
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Returns tokens after a success, up to the capacity.
    fn refund(&self) {
        if let Some(b) = self.policy.budget {
            let cap = u64::from(b.capacity);
            let add = u64::from(b.success_refund);
            let _ = self
                .tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    Some((t + add).min(cap))
                });
        }
    }
}

#[async_trait]
impl<T: Transport> Transport for RetryTransport<T> {
    /// Opened once: a WebSocket handshake is not retried (the caller decides what to do
    /// when it fails, e.g. fall back to another protocol).
    async fn websocket(&self, request: Request) -> Result<crate::WsStream, Error> {
        self.inner.websocket(request).await
    }

    async fn send(&self, request: Request) -> Result<Response, Error> {
        // A per-call policy replaces the client's for this request; the retry budget (the
        // token bucket) stays the client's.
        let custom = request.retry.clone();
        let policy: &RetryPolicy = custom.as_deref().unwrap_or(&self.policy);
        if policy.max_attempts <= 1 {
            return self.inner.send(request).await;
        }
        let start = Instant::now();
        let mut history: Vec<Attempt> = Vec::new();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = self.inner.send(request.clone()).await;
            let Some(hint) = policy.decide(&request, result.as_ref()) else {
                if result.as_ref().is_ok_and(|r| r.status.is_success()) {
                    self.refund();
                }
                return result;
            };
            let failure = match result {
                Ok(resp) => Error::from(
                    resp.into_api_error(request.method.clone(), request.display_url())
                        .await,
                ),
                Err(e) => e,
            };
            let delay = match hint {
                Some(d) => d.min(policy.retry_after_cap),
                None => policy.backoff(attempt),
            };
            let over_budget = policy
                .total_budget
                .is_some_and(|budget| start.elapsed() + delay > budget);
            let reason = if attempt >= policy.max_attempts {
                Some(GiveUp::Attempts)
            } else if over_budget {
                Some(GiveUp::TimeBudget)
            } else {
                let cost = self.policy.budget.map(|b| {
                    if failure.is_timeout() {
                        b.timeout_cost
                    } else {
                        b.retry_cost
                    }
                });
                match cost {
                    Some(cost) if !self.take_tokens(cost) => Some(GiveUp::RetryBudget),
                    _ => None,
                }
            };
            if let Some(reason) = reason {
                return Err(Error::RetriesExhausted {
                    reason,
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
