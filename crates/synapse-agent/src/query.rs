//! Caller query parameters.

/// Caller query parameters, in order: `&[("plugin", "yolov8"), ("page", "2")]`.
pub type Query<'a> = &'a [(&'a str, &'a str)];

/// Owned pairs for the transport.
pub(crate) fn query(params: Query<'_>) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
