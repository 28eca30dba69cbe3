//! v2 tracing tests.
