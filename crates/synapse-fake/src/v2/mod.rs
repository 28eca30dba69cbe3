//! The v2 API under `/v2/` (the `v2` feature): projects (with their task tags, review tags
//! and statistics), tasks, data collections (with their data groups and presigned uploads),
//! jobs, job logs, plugins and plugin releases, each in its own module, over the same tables
//! as the v1 routes, so that what one API writes the other reads.
//!
//! Answers follow [`respond`]: the `{data, meta}` envelope (or the bare shape), a request id
//! on every answer, cursor pages, and the v2 error body. Credentials are v2's: the access
//! token bare in `SYNAPSE-ACCESS-TOKEN`, or `Authorization: Token …` (or `Bearer …`); the
//! tenant in `SYNAPSE-Tenant` raw, or with the `Token ` prefix.

mod data_collections;
mod job_logs;
mod jobs;
mod membership;
mod plugin_releases;
mod plugins;
mod projects;
pub(crate) mod respond;
mod review_tags;
mod tasks;

use crate::respond::{Ctx, Resp};
use crate::routes::Api;
use crate::server::Shared;

/// What the v2 API adds to the fake's tables (the rest it shares with the v1 routes).
#[derive(Default)]
pub(crate) struct V2State {
    /// Join requests.
    pub(crate) membership: membership::MembershipState,
    /// Projects' review tags.
    pub(crate) review_tags: review_tags::ReviewTagState,
}

/// The v2 API's routes (every path ends in `/`; a path without it is redirected).
pub(crate) const API: Api = Api {
    routes: &[
        projects::ROUTES,
        review_tags::ROUTES,
        tasks::ROUTES,
        data_collections::ROUTES,
        jobs::ROUTES,
        job_logs::ROUTES,
        plugins::ROUTES,
        plugin_releases::ROUTES,
    ],
    prefix: 1,
    authorize: check_auth,
    append_slash: true,
    not_found: respond::not_found,
};

/// Checks v2 credentials: 401 without any or with a wrong one (the v1 form `Token <t>` of
/// the access token included), 403 for another tenant.
fn check_auth(shared: &Shared, ctx: &Ctx) -> Option<Resp> {
    let cfg = &shared.config;
    let access = ctx.header("synapse-access-token");
    let authorization = ctx.header("authorization");
    if access.is_none() && authorization.is_none() {
        return Some(respond::error(
            shared,
            401,
            "NOT_AUTHENTICATED",
            "Authentication credentials were not provided.",
            None,
        ));
    }
    let token_ok = |t: &str| t == cfg.access_token || t == cfg.agent_token;
    let valid = access.is_some_and(|t| t == cfg.access_token)
        || authorization.is_some_and(|a| {
            a.strip_prefix("Token ")
                .or_else(|| a.strip_prefix("Bearer "))
                .is_some_and(token_ok)
        });
    if !valid {
        return Some(respond::error(
            shared,
            401,
            "AUTHENTICATION_FAILED",
            "Invalid token.",
            None,
        ));
    }
    match (shared.tenant(), ctx.header("synapse-tenant")) {
        (Some(t), Some(given)) if given != t && given != format!("Token {t}") => {
            Some(respond::error(
                shared,
                403,
                "PERMISSION_DENIED",
                "You do not have permission to perform this action.",
                None,
            ))
        }
        _ => None,
    }
}
