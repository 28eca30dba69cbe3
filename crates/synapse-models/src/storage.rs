//! Storages.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{
    ModelError, SecretValue, StorageCategory, StorageId, StorageProvider, StoragePurpose, Timestamp,
};

wire_struct! {
    /// A storage (`GET storages/{id}/?with_configuration=true`). `configuration` holds
    /// plaintext credentials and is redacted in `Debug`.
    pub struct Storage {
        /// Storage id.
        pub id: Option<StorageId>,
        /// Display name.
        pub name: Option<String>,
        /// `internal` or `external`.
        pub category: Option<StorageCategory>,
        /// Provider code (`amazon_s3`, …).
        pub provider: Option<StorageProvider>,
        /// Provider-specific configuration, including credentials (secret).
        pub configuration: Option<SecretValue>,
        /// Whether this is the tenant's default storage.
        pub is_default: Option<bool>,
    }
}

impl Storage {
    /// The `is_default` flag, `false` when absent.
    pub fn is_default(&self) -> bool {
        self.is_default.unwrap_or(false)
    }

    /// Decodes `configuration` into a typed view (e.g. [`S3Config`]).
    pub fn configuration_as<T: DeserializeOwned>(&self) -> Result<T, ModelError> {
        match &self.configuration {
            Some(c) => c.expose_as(),
            None => SecretValue::default().expose_as(),
        }
    }
}

wire_struct! {
    /// Answer of `POST storages/{id}/session/`: short-lived provider access.
    pub struct StorageSession {
        /// Provider code.
        pub provider: Option<StorageProvider>,
        /// Provider configuration with (possibly temporary) credentials (secret).
        pub configuration: Option<SecretValue>,
        /// When the session expires; absent/null = never.
        pub expires_at: Option<Timestamp>,
        /// Contract version; absent = 1 (the only supported one).
        pub contract_version: Option<i64>,
    }
}

impl StorageSession {
    /// The contract version, `1` when absent.
    pub fn contract_version_or_default(&self) -> i64 {
        self.contract_version.unwrap_or(1)
    }

    /// `true` when the contract version is the supported `1`.
    pub fn is_supported_contract(&self) -> bool {
        self.contract_version_or_default() == 1
    }

    /// Decodes `configuration` into a typed view.
    pub fn configuration_as<T: DeserializeOwned>(&self) -> Result<T, ModelError> {
        match &self.configuration {
            Some(c) => c.expose_as(),
            None => SecretValue::default().expose_as(),
        }
    }
}

/// Body of `POST storages/{id}/session/` (`{"purpose": "read"}` by default).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StorageSessionRequest {
    /// `read` (default) or `write`.
    #[serde(default)]
    pub purpose: StoragePurpose,
}

/// Body of `POST storages/` (unverified endpoint; pass-through: unknown keys in `extra`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StorageCreate {
    /// Display name.
    pub name: Option<String>,
    /// Provider code.
    pub provider: Option<StorageProvider>,
    /// `internal` or `external`.
    pub category: Option<StorageCategory>,
    /// Provider configuration including credentials (secret).
    pub configuration: Option<SecretValue>,
    /// Further keys, sent as given.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_sftp_port() -> u16 {
    22
}

fn default_root_path() -> String {
    "/".to_owned()
}

struct Redacted<'a, T>(&'a Option<T>);

impl<T> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(***)"),
            None => f.write_str("None"),
        }
    }
}

/// Typed view of an `amazon_s3` / `minio` configuration (the SDK's key names).
#[derive(Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct S3Config {
    /// Bucket name.
    pub bucket_name: String,
    /// Access key id.
    pub access_key: String,
    /// Secret access key (redacted in `Debug`).
    pub secret_key: String,
    /// Region (default `us-east-1`).
    #[serde(default = "default_region")]
    pub region_name: String,
    /// Custom endpoint URL (MinIO etc.).
    #[serde(default)]
    pub endpoint_url: Option<String>,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket_name", &self.bucket_name)
            .field("access_key", &"***")
            .field("secret_key", &"***")
            .field("region_name", &self.region_name)
            .field("endpoint_url", &self.endpoint_url)
            .finish()
    }
}

/// Typed view of a `file_system` configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FileSystemConfig {
    /// Root directory.
    pub location: String,
}

/// Typed view of a `gcp` configuration.
#[derive(Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GcsConfig {
    /// Bucket name.
    pub bucket_name: String,
    /// Service-account credentials: a file path or the key object (redacted in `Debug`).
    pub credentials: serde_json::Value,
    /// GCP project.
    #[serde(default)]
    pub project: Option<String>,
}

impl fmt::Debug for GcsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcsConfig")
            .field("bucket_name", &self.bucket_name)
            .field("credentials", &"***")
            .field("project", &self.project)
            .finish()
    }
}

/// Typed view of an `sftp` configuration.
#[derive(Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SftpConfig {
    /// Host name.
    pub host: String,
    /// User name.
    pub username: String,
    /// Password (redacted in `Debug`).
    #[serde(default)]
    pub password: Option<String>,
    /// Private key text (redacted in `Debug`).
    #[serde(default)]
    pub private_key: Option<String>,
    /// Passphrase of the private key (redacted in `Debug`).
    #[serde(default)]
    pub private_key_passphrase: Option<String>,
    /// Port (default 22).
    #[serde(default = "default_sftp_port")]
    pub port: u16,
    /// Root path (default `/`).
    #[serde(default = "default_root_path")]
    pub root_path: String,
}

impl fmt::Debug for SftpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SftpConfig")
            .field("host", &self.host)
            .field("username", &self.username)
            .field("password", &Redacted(&self.password))
            .field("private_key", &Redacted(&self.private_key))
            .field(
                "private_key_passphrase",
                &Redacted(&self.private_key_passphrase),
            )
            .field("port", &self.port)
            .field("root_path", &self.root_path)
            .finish()
    }
}
