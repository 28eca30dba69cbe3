//! Open string enums of the integration domain.

open_enum! {
    /// Status of a job (`PENDING`, `RUNNING`, `STOPPED`, `SUCCEEDED`, `FAILED`).
    ///
    /// Read aliases (case-insensitive): `pending`/`queued`, `running`, `stopped`,
    /// `succeeded`/`completed`, `failed`. Written always in upper case.
    pub enum JobStatus (ignore_case) {
        /// Waiting (also: queued on the agent for capacity).
        Pending = "PENDING" | "queued",
        /// In progress.
        Running = "RUNNING",
        /// Stopped.
        Stopped = "STOPPED",
        /// Finished successfully.
        Succeeded = "SUCCEEDED" | "completed",
        /// Finished with a failure.
        Failed = "FAILED",
    }
}

impl JobStatus {
    /// `true` for `Stopped`, `Succeeded` and `Failed` (an unknown status is not terminal).
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Stopped | Self::Succeeded | Self::Failed)
    }
}

open_enum! {
    /// Storage category (`internal`, `external`); read case-insensitively.
    pub enum StorageCategory (ignore_case) {
        /// Platform-internal storage.
        Internal = "internal",
        /// Customer-provided storage.
        External = "external",
    }
}

open_enum! {
    /// Backend storage provider code; read case-insensitively (`AMAZON_S3` → `amazon_s3`).
    pub enum StorageProvider (ignore_case) {
        /// Amazon S3.
        AmazonS3 = "amazon_s3",
        /// Azure Blob Storage.
        Azure = "azure",
        /// DigitalOcean Spaces.
        DigitalOcean = "digital_ocean",
        /// A file system path on the agent.
        FileSystem = "file_system",
        /// FTP server.
        Ftp = "ftp",
        /// SFTP server.
        Sftp = "sftp",
        /// MinIO (S3 compatible).
        Minio = "minio",
        /// Google Cloud Storage.
        Gcp = "gcp",
        /// Synology NAS.
        Synology = "synology",
        /// SMB share.
        Smb = "smb",
    }
}

impl StorageProvider {
    /// The Python SDK's storage-layer registry key (`amazon_s3` → `s3`), if it has one.
    pub fn registry_key(&self) -> Option<&'static str> {
        match self {
            Self::AmazonS3 | Self::Minio => Some("s3"),
            Self::FileSystem => Some("local"),
            Self::Sftp => Some("sftp"),
            Self::Gcp => Some("gcs"),
            Self::Synology => Some("synology"),
            Self::Smb => Some("smb"),
            _ => None,
        }
    }

    /// Whether the bulk (presigned) upload supports this provider: `amazon_s3`, `minio`,
    /// `gcp`, `azure`, and the raw registry keys `s3` and `gcs`.
    pub fn supports_presigned_upload(&self) -> bool {
        match self {
            Self::AmazonS3 | Self::Minio | Self::Gcp | Self::Azure => true,
            Self::Unknown(value) => matches!(value.as_str(), "s3" | "gcs"),
            _ => false,
        }
    }
}

open_enum! {
    /// Plugin category (the union of the SDK's and v2's sets).
    pub enum PluginCategory (exact) {
        /// Neural network (training / inference).
        NeuralNet = "neural_net",
        /// Export.
        Export = "export",
        /// Upload.
        Upload = "upload",
        /// Smart annotation tool.
        SmartTool = "smart_tool",
        /// Pre-annotation.
        PreAnnotation = "pre_annotation",
        /// Post-annotation.
        PostAnnotation = "post_annotation",
        /// Data validation.
        DataValidation = "data_validation",
        /// Custom (SDK only; the plugin-config default).
        Custom = "custom",
        /// Converter (v2 only).
        Converter = "converter",
    }
}

open_enum! {
    /// Log level of log entries and job logs; read case-insensitively, written lower case.
    pub enum LogLevel (ignore_case, Default) {
        /// Debug.
        Debug = "debug",
        /// Info (the default).
        #[default]
        Info = "info",
        /// Success.
        Success = "success",
        /// Warning.
        Warning = "warning",
        /// Danger.
        Danger = "danger",
        /// Error.
        Error = "error",
        /// Critical.
        Critical = "critical",
    }
}

open_enum! {
    /// How a plugin action runs (`method` of an action in a release config).
    pub enum RunMethod (exact, Default) {
        /// A backend job.
        Job = "job",
        /// A task (the default).
        #[default]
        Task = "task",
        /// A Ray Serve application.
        Serve = "serve",
        /// A REST API call.
        Restapi = "restapi",
    }
}

open_enum! {
    /// Status of a serve application (mirrors the backend's `ServeApplication.Status`).
    pub enum ServeApplicationStatus (exact) {
        /// Not started yet.
        NotStarted = "NOT_STARTED",
        /// Deploying.
        Deploying = "DEPLOYING",
        /// Running (ready).
        Running = "RUNNING",
        /// Deployment failed.
        DeployFailed = "DEPLOY_FAILED",
        /// Being deleted.
        Deleting = "DELETING",
        /// Unhealthy.
        Unhealthy = "UNHEALTHY",
        /// Unavailable (backend specific).
        Unavailable = "UNAVAILABLE",
    }
}

impl ServeApplicationStatus {
    /// `true` when the application is ready (`RUNNING`).
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Running)
    }

    /// `true` for the terminal failures `DEPLOY_FAILED`, `UNHEALTHY`, `UNAVAILABLE`.
    pub fn is_failed(&self) -> bool {
        matches!(
            self,
            Self::DeployFailed | Self::Unhealthy | Self::Unavailable
        )
    }
}

open_enum! {
    /// Status of a backend agent (only `connected` is documented).
    pub enum AgentStatus (exact) {
        /// Connected.
        Connected = "connected",
    }
}

impl AgentStatus {
    /// `true` when the status equals `connected`, ignoring case.
    pub fn is_connected(&self) -> bool {
        self.as_str().eq_ignore_ascii_case("connected")
    }
}

open_enum! {
    /// Why a job waits in the agent's queue (v2 `JobQueueState.reason`; examples only).
    pub enum JobQueueReason (exact) {
        /// All execution slots are taken.
        SlotsFull = "slots_full",
        /// No GPU available.
        GpuUnavailable = "gpu_unavailable",
        /// Waiting for a dependency.
        DependencyPending = "dependency_pending",
    }
}

open_enum! {
    /// Kind of a job failure (v2 `JobError.error_type`).
    pub enum JobErrorType (exact) {
        /// Resources unavailable.
        ResourceUnavailable = "resource_unavailable",
        /// Validation error.
        ValidationError = "validation_error",
        /// Plugin not found.
        PluginNotFound = "plugin_not_found",
        /// Execution error.
        ExecutionError = "execution_error",
        /// Timeout.
        Timeout = "timeout",
        /// Infrastructure failure.
        Infrastructure = "infrastructure",
        /// Unknown failure (the wire value `unknown`).
        UnknownError = "unknown",
    }
}

open_enum! {
    /// `type` of a server-sent event of `tail_console_logs`.
    pub enum TailEventType (exact) {
        /// Stream connected (`job_id`).
        Connected = "connected",
        /// A log line (`data` or `message`).
        Log = "log",
        /// The job completed (`message`).
        Complete = "complete",
        /// An error (`message`).
        Error = "error",
    }
}

open_enum! {
    /// Purpose of a storage session (`read` is the default).
    pub enum StoragePurpose (exact, Default) {
        /// Read access.
        #[default]
        Read = "read",
        /// Write access.
        Write = "write",
    }
}
