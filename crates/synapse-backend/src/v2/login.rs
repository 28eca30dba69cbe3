//! `auth.login`, written by hand: the password is a [`Secret`], the client's own
//! `Authorization` header is not sent, and the token comes back as a [`Secret`].

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use synapse_transport::urls::path;
use synapse_transport::v2::V2Response;
use synapse_transport::{
    Call, CallInfo, Client, Error, Operation, RequestBuilder, Response, Secret,
};

/// Signs in with an email and a password: `POST /users/login/` (`user_login`), as
/// `client.auth().login(email, password)`.
///
/// The body is `{"email": …, "password": …}`. The client's other credential headers (access
/// token, tenant) go with it, as the Python SDK sends them, but not its `Authorization`
/// header: a login proves who the caller is by the password alone. The password shows as
/// `***` in `Debug` and in errors; only the request's body carries it.
///
/// The answer's [`LoginResponse::token`] is a DRF token: a client that uses it is built with
/// [`drf_token`](crate::v2::BackendV2ClientBuilder::drf_token) (`Authorization: Token <t>`).
///
/// ```no_run
/// # async fn demo() -> Result<(), synapse_backend::Error> {
/// use synapse_backend::v2::BackendV2Client;
/// let anonymous = BackendV2Client::builder("https://api.synapse.sh")
///     .tenant("acme")
///     .without_env()
///     .build()?;
/// let login = anonymous.auth().login("ada@example.com", "correct horse").await?;
/// let client = BackendV2Client::builder("https://api.synapse.sh")
///     .drf_token(login.token.clone())
///     .tenant("acme")
///     .without_env()
///     .build()?;
/// let me = client.account().me().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct AuthLogin {
    call: Call,
    email: String,
    password: Secret,
}

impl AuthLogin {
    /// The call through `client`.
    pub(crate) fn new(client: &Client, email: String, password: Secret) -> Self {
        Self {
            call: Call::new(client.clone()),
            email,
            password,
        }
    }
}

impl Operation for AuthLogin {
    type Output = V2Response<LoginResponse>;

    fn prepare(&self) -> RequestBuilder {
        self.call
            .client()
            .post(path(["users", "login"], true))
            .without_header("authorization")
            .json(&serde_json::json!({
                "email": self.email,
                "password": self.password.expose(),
            }))
            .redact_body()
    }

    async fn decode(response: Response, call: CallInfo) -> Result<Self::Output, Error> {
        synapse_transport::v2::json(response, call).await
    }
}
synapse_transport::fluent!(AuthLogin);

/// The answer of [`AuthLogin`]: the DRF token (`Debug` shows `***`).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct LoginResponse {
    /// The DRF token, for [`drf_token`](crate::v2::BackendV2ClientBuilder::drf_token).
    pub token: Secret,
    /// Keys this crate does not model, kept verbatim.
    pub extra: Map<String, Value>,
}

impl fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginResponse")
            .field("token", &self.token)
            .field("extra", &self.extra)
            .finish()
    }
}

impl<'de> Deserialize<'de> for LoginResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            token: String,
            #[serde(flatten)]
            extra: Map<String, Value>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(LoginResponse {
            token: Secret::new(wire.token),
            extra: wire.extra,
        })
    }
}
