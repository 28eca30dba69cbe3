//! Membership, permissions and roles, shared by the v2 resources that have them.
//!
//! The fake has one user, the owner of everything (`FAKE_USER`), so every permission check of
//! an existing object passes. Top-level objects (projects, data collections) have the
//! membership set: `check_permission`, `permissions`, `roles`, `grantable_roles`,
//! `default_roles`, `invite` and join requests (the user asks to join, the owner accepts or
//! rejects, the user reads their own requests). Child objects (tasks, task tags, data groups)
//! have the permission trio, derived from their parent.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::respond::{self, Query};
use crate::respond::{Ctx, Form, Resp, type_name};
use crate::server::Shared;
use crate::time::rfc3339;

/// A kind of top-level object that has members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A project.
    Project,
    /// A data collection.
    DataCollection,
}

impl Target {
    /// The model's name, as `parent_model` spells it.
    fn model(self) -> &'static str {
        match self {
            Target::Project => "project",
            Target::DataCollection => "data_collection",
        }
    }

    /// The permission codes of the model.
    fn permissions(self) -> Vec<String> {
        let app = match self {
            Target::Project => "annotation.project",
            Target::DataCollection => "data.data_collection",
        };
        [
            "read",
            "change",
            "delete",
            "invite",
            "read_join_request",
            "change_join_request",
        ]
        .iter()
        .map(|p| format!("{app}.{p}"))
        .collect()
    }
}

/// The fake's one user.
fn fake_user() -> Value {
    json!({"id": 1, "email": "owner@synapse.test", "name": "Fake Owner", "thumbnail": ""})
}

/// The roles of a top-level object, highest first: `(id, code, display name)`.
const ROLES: [(i64, &str, &str); 4] = [
    (1, "owner", "Owner"),
    (2, "manager", "Manager"),
    (3, "member", "Member"),
    (4, "viewer", "Viewer"),
];

/// The role objects of `target`, from the role named `from` down.
fn roles(target: Target, from: usize) -> Vec<Value> {
    let all = target.permissions();
    ROLES
        .iter()
        .enumerate()
        .skip(from)
        .map(|(rank, (id, code, name))| {
            // Each lower role has one permission fewer: the last of the list.
            let kept: Vec<&String> = all
                .iter()
                .take(all.len() - rank.min(all.len() - 1))
                .collect();
            json!({"id": id, "code": code, "display_name": name, "permissions": kept})
        })
        .collect()
}

/// A join request: the fake's user asking to become a member of an object.
struct JoinRequest {
    id: i64,
    target: Target,
    object_id: i64,
    status: String,
    role: String,
    created: String,
    accepted: Option<String>,
    rejected: Option<String>,
}

impl JoinRequest {
    /// As `MemberRoleJoinRequestMyRead`.
    fn mine(&self) -> Value {
        json!({
            "id": self.id, "status": self.status, "role": self.role, "object_id": self.object_id,
            "created": self.created, "accepted": self.accepted, "rejected": self.rejected,
        })
    }

    /// As `MemberRoleJoinRequestRead` (what the object's owner sees).
    fn read(&self) -> Value {
        json!({"id": self.id, "user": fake_user(), "created": self.created})
    }
}

/// The join requests (their own table and id sequence).
#[derive(Default)]
pub(crate) struct MembershipState {
    requests: BTreeMap<i64, JoinRequest>,
    next_request: i64,
}

/// `GET …/{id}/check_permission/` (`permission=`): 200 without a body, as the owner holds
/// every permission of an object that exists.
pub(crate) fn check_permission(shared: &Shared, exists: bool) -> Resp {
    if exists {
        respond::empty(shared, 200)
    } else {
        respond::not_found(shared)
    }
}

/// `GET {id}/permissions/` of a top-level object: the owner's role and permissions.
pub(crate) fn permissions(shared: &Shared, target: Target, exists: bool) -> Resp {
    if !exists {
        return respond::not_found(shared);
    }
    respond::ok(
        shared,
        200,
        json!({
            "role": {"id": 1, "display_name": "Owner", "code": "owner"},
            "permissions": target.permissions(),
            "role_source": "member_role",
        }),
    )
}

/// `GET {id}/roles/` of a top-level object: every role with its permissions.
pub(crate) fn role_list(shared: &Shared, target: Target, exists: bool) -> Resp {
    if !exists {
        return respond::not_found(shared);
    }
    respond::ok(shared, 200, json!({"roles": roles(target, 0)}))
}

/// `GET {id}/grantable_roles/`: the roles the owner may grant (all but owner).
pub(crate) fn grantable_roles(shared: &Shared, target: Target, exists: bool) -> Resp {
    if !exists {
        return respond::not_found(shared);
    }
    respond::ok(shared, 200, json!({"roles": roles(target, 1)}))
}

/// `GET default_roles/`: the codes of the roles every new object has.
pub(crate) fn default_roles(shared: &Shared) -> Resp {
    let codes: Vec<&str> = ROLES.iter().map(|(_, code, _)| *code).collect();
    respond::ok(shared, 200, json!({"roles": codes}))
}

/// `GET …/permissions/` of a child object: the owner's permissions, derived from the parent.
pub(crate) fn derived_permissions(
    shared: &Shared,
    target: Target,
    parent: Option<(i64, String)>,
) -> Resp {
    let Some((parent_id, parent_name)) = parent else {
        return respond::not_found(shared);
    };
    respond::ok(
        shared,
        200,
        json!({
            "user_id": 1, "has_access": true, "access_via": "derived",
            "parent_model": target.model(), "parent_id": parent_id, "parent_name": parent_name,
            "user_role": "owner", "permissions": target.permissions(), "can_invite": true,
            "is_derived": true,
        }),
    )
}

/// `GET …/roles/` of a child object: its parent's roles.
pub(crate) fn derived_roles(
    shared: &Shared,
    target: Target,
    parent: Option<(i64, String)>,
) -> Resp {
    let Some((parent_id, parent_name)) = parent else {
        return respond::not_found(shared);
    };
    let roles: Vec<Value> = roles(target, 0)
        .into_iter()
        .map(|mut r| {
            if let Some(o) = r.as_object_mut()
                && let Some(code) = o.remove("code")
            {
                o.insert("name".to_owned(), code);
            }
            r
        })
        .collect();
    respond::ok(
        shared,
        200,
        json!({
            "parent_model": target.model(), "parent_id": parent_id,
            "parent_name": parent_name, "roles": roles,
        }),
    )
}

/// One list of `TargetRoleCreateRequest` (`member_roles` with `member`, `group_roles` with
/// `group`): its items as answered, or the field's errors.
fn role_bindings(form: &Form, field: &str, key: &str) -> Result<Vec<Value>, Value> {
    let Some(value) = form.get(field) else {
        return Ok(Vec::new());
    };
    let Some(items) = value.as_array() else {
        return Err(json!([format!(
            "Expected a list of items but got type \"{}\".",
            type_name(value)
        )]));
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        let mut e = Map::new();
        let who = item.get(key).and_then(Value::as_i64);
        if who.is_none() {
            let message = if item.get(key).is_some() {
                "A valid integer is required."
            } else {
                "This field is required."
            };
            e.insert(key.to_owned(), json!([message]));
        }
        let role = item
            .get("role")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty());
        match role {
            Some(r) if !ROLES.iter().any(|(_, code, _)| *code == r) => {
                e.insert(
                    "role".to_owned(),
                    json!([format!("\"{r}\" is not a valid choice.")]),
                );
            }
            None => {
                e.insert("role".to_owned(), json!(["This field is required."]));
            }
            _ => {}
        }
        if e.is_empty() {
            out.push(json!({key: who, "role": role}));
        }
        errors.push(Value::Object(e));
    }
    if out.len() == items.len() {
        Ok(out)
    } else {
        Err(Value::Array(errors))
    }
}

/// `POST {id}/invite/` `{"member_roles": [{member, role}], "group_roles": [{group, role}]}`:
/// the bindings granted (role codes as `roles` lists them).
pub(crate) fn invite(shared: &Shared, ctx: &Ctx, exists: bool) -> Resp {
    if !exists {
        return respond::not_found(shared);
    }
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let members = role_bindings(&form, "member_roles", "member");
    let groups = role_bindings(&form, "group_roles", "group");
    for (field, result) in [("member_roles", &members), ("group_roles", &groups)] {
        if let Err(e) = result {
            form.nested(field, e.clone());
        }
    }
    if let Err(resp) = respond::finish(shared, form, &["member_roles", "group_roles"]) {
        return resp;
    }
    match respond::dry_run(shared, ctx) {
        Ok(true) => respond::dry_run_answer(shared, "invite", Value::Null),
        Ok(false) => respond::ok(
            shared,
            200,
            json!({
                "member_roles": members.unwrap_or_default(),
                "group_roles": groups.unwrap_or_default(),
            }),
        ),
        Err(resp) => resp,
    }
}

/// `GET {id}/join_requests/`: the requests waiting on the object (`stand_by` only).
pub(crate) fn pending_requests(
    shared: &Shared,
    ctx: &Ctx,
    target: Target,
    id: Option<i64>,
) -> Resp {
    let Some(id) = id else {
        return respond::not_found(shared);
    };
    let state = shared.state();
    let items: Vec<(i64, &JoinRequest)> = state
        .v2
        .membership
        .requests
        .values()
        .filter(|r| r.target == target && r.object_id == id && r.status == "stand_by")
        .map(|r| (r.id, r))
        .collect();
    respond::page(shared, ctx, items, JoinRequest::read)
}

/// `POST {id}/join_requests/`: the user asks to join (201 without a body); a second request
/// while one waits is a 400.
pub(crate) fn request_join(shared: &Shared, ctx: &Ctx, target: Target, id: Option<i64>) -> Resp {
    let Some(id) = id else {
        return respond::not_found(shared);
    };
    let form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    // `content_type` and `object_id` are write-only hints; the path names the object.
    if let Err(resp) = respond::finish(shared, form, &["content_type", "object_id"]) {
        return resp;
    }
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let membership = &mut state.v2.membership;
    if membership
        .requests
        .values()
        .any(|r| r.target == target && r.object_id == id && r.status == "stand_by")
    {
        return respond::invalid_field(
            shared,
            "non_field_errors",
            "A join request for this object is already waiting.",
        );
    }
    if dry_run {
        return respond::dry_run_answer(shared, "request_join", json!(id));
    }
    membership.next_request += 1;
    let request = JoinRequest {
        id: membership.next_request,
        target,
        object_id: id,
        status: "stand_by".to_owned(),
        role: "member".to_owned(),
        created: rfc3339(SystemTime::now()),
        accepted: None,
        rejected: None,
    };
    membership.requests.insert(request.id, request);
    respond::empty(shared, 201)
}

/// `PATCH {id}/join_requests/` `{"status", "role"}`: the owner accepts (a `role` is then
/// required) or rejects the request waiting on the object; 404 when none waits.
pub(crate) fn confirm_request(shared: &Shared, ctx: &Ctx, target: Target, id: Option<i64>) -> Resp {
    let Some(id) = id else {
        return respond::not_found(shared);
    };
    let mut form = match respond::form(shared, ctx) {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let status = form.optional_choice("status", &["stand_by", "accepted", "rejected"]);
    let role = form.optional_str("role");
    if let Some(r) = &role
        && r.chars().count() > 15
    {
        form.error("role", "Ensure this field has no more than 15 characters.");
    }
    if status.as_deref() == Some("accepted") && role.is_none() {
        form.error("role", "A role is required to accept a join request.");
    }
    if let Err(resp) = respond::finish(shared, form, &["status", "role"]) {
        return resp;
    }
    let dry_run = match respond::dry_run(shared, ctx) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let mut state = shared.state();
    let Some(request) = state
        .v2
        .membership
        .requests
        .values_mut()
        .find(|r| r.target == target && r.object_id == id && r.status == "stand_by")
    else {
        return respond::not_found(shared);
    };
    if dry_run {
        return respond::dry_run_answer(shared, "confirm_join_request", json!(request.id));
    }
    let now = rfc3339(SystemTime::now());
    if let Some(status) = status {
        match status.as_str() {
            "accepted" => request.accepted = Some(now),
            "rejected" => request.rejected = Some(now),
            _ => {}
        }
        request.status = status;
    }
    if let Some(role) = role {
        request.role = role;
    }
    respond::ok(
        shared,
        200,
        json!({"status": request.status, "role": request.role}),
    )
}

/// `GET my_join_requests/` (`status=`), or `GET {id}/my_join_requests/` with `object`: the
/// user's own requests on objects of this kind.
pub(crate) fn my_requests(shared: &Shared, ctx: &Ctx, target: Target, object: Option<i64>) -> Resp {
    let mut query = Query::new(ctx);
    let status = query.choice("status", &["accepted", "rejected", "stand_by"]);
    if let Err(resp) = query.finish(shared) {
        return resp;
    }
    let state = shared.state();
    let items: Vec<(i64, &JoinRequest)> = state
        .v2
        .membership
        .requests
        .values()
        .filter(|r| r.target == target)
        .filter(|r| object.is_none_or(|o| r.object_id == o))
        .filter(|r| status.is_none_or(|s| r.status == s))
        .map(|r| (r.id, r))
        .collect();
    respond::page(shared, ctx, items, JoinRequest::mine)
}

/// `GET my_join_requests/{id}/`: one of the user's requests on an object of this kind.
pub(crate) fn my_request(shared: &Shared, target: Target, id: &str) -> Resp {
    let state = shared.state();
    match respond::int_id(id)
        .and_then(|id| state.v2.membership.requests.get(&id))
        .filter(|r| r.target == target)
    {
        Some(request) => respond::ok(shared, 200, request.mine()),
        None => respond::not_found(shared),
    }
}
