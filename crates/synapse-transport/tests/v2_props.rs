//! v2 props tests.
