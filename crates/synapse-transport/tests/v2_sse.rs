//! v2 sse tests.
