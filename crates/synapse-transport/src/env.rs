//! Where clients read `SYNAPSE_*` settings from: the process environment by default, or a
//! map in tests, so tests never mutate the process environment.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A source of environment variables.
pub trait EnvSource: Send + Sync + fmt::Debug {
    /// The value of `key`; empty values count as absent.
    fn var(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

/// A fixed set of variables (tests, or configuration from elsewhere). `Debug` shows the
/// keys only: values may be credentials.
#[derive(Clone, Default)]
pub struct MapEnv(HashMap<String, String>);

impl MapEnv {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a variable.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.0.insert(key.to_owned(), value.to_owned());
        self
    }
}

impl fmt::Debug for MapEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort();
        f.debug_tuple("MapEnv").field(&keys).finish()
    }
}

impl EnvSource for MapEnv {
    fn var(&self, key: &str) -> Option<String> {
        self.0.get(key).filter(|v| !v.is_empty()).cloned()
    }
}

impl<T: EnvSource + ?Sized> EnvSource for Arc<T> {
    fn var(&self, key: &str) -> Option<String> {
        (**self).var(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent_and_debug_hides_values() {
        let env = MapEnv::new().with("A", "secret-value").with("B", "");
        assert_eq!(env.var("A").as_deref(), Some("secret-value"));
        assert_eq!(env.var("B"), None);
        assert_eq!(env.var("C"), None);
        let shown = format!("{env:?}");
        assert!(shown.contains("\"A\"") && !shown.contains("secret-value"));
    }
}
