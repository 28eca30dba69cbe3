//! v2 cursor tests.
