//! v2 config tests.
