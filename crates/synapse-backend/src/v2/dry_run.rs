//! Dry runs: an operation that declares `?dry_run=true` validates its request without
//! executing it, and answers `{"dry_run": true, "action": …, "target": …}` instead of its
//! model.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde_json::Value;
use synapse_transport::operation::HasCall;
use synapse_transport::v2::V2Response;
use synapse_transport::{Call, CallInfo, Error, Operation, Request, RequestBuilder, Response};

synapse_models::wire_struct! {
    #[wire(no_default)]
    /// The answer of a dry run: what the call would have done, and to what.
    ///
    /// Unknown keys are kept in `extra`.
    pub struct DryRunAnswer {
        /// Always `true`: the request was only validated.
        #[wire(required)]
        pub dry_run: bool,
        /// The action the call would have taken (e.g. `create`, `stop`).
        #[wire(required)]
        pub action: String,
        /// What the action would have applied to (an id, or `null` for a create).
        pub target: Option<Value>,
    }
}

/// An operation sent as a dry run (`?dry_run=true`), built by the operation's `.dry_run()`:
/// the same request, marked idempotent (a validation changes nothing, so it retries like a
/// `GET`), answered by a [`DryRunAnswer`].
///
/// Set the call's options (`.read_timeout()`, `.retry()`, …) on the operation before
/// `.dry_run()`; then await the dry run, or read its request with [`request`](Self::request).
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct DryRun<O> {
    op: O,
}

impl<O: Operation> DryRun<O> {
    /// The dry run of `op`, whose own `dry_run` flag is already set.
    pub(crate) fn new(op: O) -> Self {
        DryRun { op }
    }

    /// The exact request the dry run sends, finalised and without any IO.
    pub fn request(&self) -> Result<Request, Error> {
        synapse_transport::operation::request(self)
    }

    /// Sends the dry run and decodes its answer; awaiting the dry run does the same.
    pub async fn send(self) -> Result<V2Response<DryRunAnswer>, Error> {
        synapse_transport::operation::send(self).await
    }
}

impl<O: Operation> HasCall for DryRun<O> {
    fn call(&self) -> &Call {
        self.op.call()
    }

    fn call_mut(&mut self) -> &mut Call {
        self.op.call_mut()
    }
}

impl<O: Operation> Operation for DryRun<O> {
    type Output = V2Response<DryRunAnswer>;

    fn prepare(&self) -> RequestBuilder {
        self.op.prepare()
    }

    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        synapse_transport::v2::json(response, call).await
    }
}

impl<O: Operation> IntoFuture for DryRun<O> {
    type Output = Result<V2Response<DryRunAnswer>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
