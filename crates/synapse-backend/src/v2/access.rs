//! The three access reads every v2 object has, whatever its resource: `check_permission/`,
//! `permissions/` and `roles/` under the object's path. One builder each serves every
//! resource (57 operations); the resource handles build them with the object's path.

use serde_json::Value;
use synapse_transport::v2::{NoContent, V2Response};
use synapse_transport::{Call, CallInfo, Client, Error, Operation, RequestBuilder, Response};

/// The object's path with the access read's last segment, as the request's target.
fn target(object: &[String], last: &str) -> Result<String, Error> {
    synapse_transport::urls::path(
        object
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(last)),
        true,
    )
}

/// `GET <object>/check_permission/`: whether the caller may access the object (200 with no
/// body, else the error). The Python SDK always sends `?permission=`; set it with
/// [`permission`](Self::permission).
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct CheckPermission {
    call: Call,
    object: Vec<String>,
    permission: Option<String>,
}

impl CheckPermission {
    /// The call through `client` for the object at the path `object` (its segments).
    pub(crate) fn new(client: &Client, object: Vec<String>) -> Self {
        Self {
            call: Call::new(client.clone()),
            object,
            permission: None,
        }
    }

    /// The permission to check (`view`, …); the document does not declare this key, the
    /// Python SDK always sends it.
    pub fn permission(mut self, value: impl Into<String>) -> Self {
        self.permission = Some(value.into());
        self
    }
}

impl Operation for CheckPermission {
    type Output = NoContent;

    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .get(target(&self.object, "check_permission"))
            .query_opt("permission", self.permission.as_ref())
    }

    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        synapse_transport::v2::unit(response, call).await
    }
}
synapse_transport::fluent!(CheckPermission);

/// `GET <object>/permissions/` or `GET <object>/roles/`: the caller's permissions on the
/// object, or the object's roles (an object the document leaves untyped).
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct AccessRead {
    call: Call,
    object: Vec<String>,
    last: &'static str,
}

impl AccessRead {
    /// `GET <object>/permissions/` through `client`.
    pub(crate) fn permissions(client: &Client, object: Vec<String>) -> Self {
        Self::new(client, object, "permissions")
    }

    /// `GET <object>/roles/` through `client`.
    pub(crate) fn roles(client: &Client, object: Vec<String>) -> Self {
        Self::new(client, object, "roles")
    }

    fn new(client: &Client, object: Vec<String>, last: &'static str) -> Self {
        Self {
            call: Call::new(client.clone()),
            object,
            last,
        }
    }
}

impl Operation for AccessRead {
    type Output = V2Response<Value>;

    fn prepare(&self) -> RequestBuilder {
        self.call.client().get(target(&self.object, self.last))
    }

    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        synapse_transport::v2::json(response, call).await
    }
}
synapse_transport::fluent!(AccessRead);
