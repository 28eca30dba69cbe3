//! Plugins: `get_plugin`, `create_plugin`, `update_plugin`, `run_plugin`.

use serde_json::Value;
use synapse_models::{Plugin, PluginCreate, PluginId, PluginRef, PluginRunRequest, PluginUpdate};
use synapse_transport::Error;
use synapse_transport::urls::path;

use crate::BackendClient;

impl BackendClient {
    /// `GET plugins/{plugin_id}/`.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// let plugin = client.get_plugin(42.into()).await?;
    /// println!("{:?} {:?}", plugin.code, plugin.category);
    /// # Ok(()) }
    /// ```
    pub async fn get_plugin(&self, plugin_id: PluginId) -> Result<Plugin, Error> {
        self.core
            .get(path(["plugins", &plugin_id.to_string()], true))
            .send_json()
            .await
    }

    /// `POST plugins/` with the body as given (the Python SDK passes it through).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{PluginCode, PluginCreate};
    /// let plugin = client
    ///     .create_plugin(&PluginCreate {
    ///         name: Some("YOLO v8".into()),
    ///         code: Some(PluginCode::new("yolov8")?),
    ///         category: Some("neural_net".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_plugin(&self, plugin: &PluginCreate) -> Result<Plugin, Error> {
        self.core.post("plugins/").json(plugin).send_json().await
    }

    /// `PUT plugins/{plugin_id}/` with the body as given, even when partial (the Python SDK
    /// uses PUT, not PATCH).
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::PluginUpdate;
    /// let update = PluginUpdate { description: Some("Detects objects".into()), ..Default::default() };
    /// client.update_plugin(42.into(), &update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_plugin(
        &self,
        plugin_id: PluginId,
        update: &PluginUpdate,
    ) -> Result<Plugin, Error> {
        self.core
            .put(path(["plugins", &plugin_id.to_string()], true))
            .json(update)
            .send_json()
            .await
    }

    /// Runs a plugin action: `POST plugins/{plugin}/run/`, where `plugin` is the id or the
    /// code. The body is the typed request, with `"language": "ko"` injected as the Python
    /// SDK does. Returns the job data or the action's direct result.
    ///
    /// **Never retried** once the request may have reached the server: the Python SDK
    /// re-sends it on 502/503/504 and can start the same job several times. A
    /// `gpu_unavailable` 503 is returned as `ApiErrorKind::GpuUnavailable` with its body.
    ///
    /// ```no_run
    /// # async fn demo(client: synapse_backend::BackendClient) -> Result<(), synapse_backend::Error> {
    /// use synapse_backend::models::{PluginCode, PluginRunRequest};
    /// let run = PluginRunRequest {
    ///     action: Some("train".into()),
    ///     params: serde_json::json!({"epochs": 10}).as_object().cloned(),
    ///     ..Default::default()
    /// };
    /// let job = client.run_plugin(PluginCode::new("yolov8")?, &run).await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_plugin(
        &self,
        plugin: impl Into<PluginRef>,
        request: &PluginRunRequest,
    ) -> Result<Value, Error> {
        let plugin = plugin.into();
        self.core
            .post(path(["plugins", &plugin.to_string(), "run"], true))
            .json(request)
            .send_value()
            .await
    }
}
