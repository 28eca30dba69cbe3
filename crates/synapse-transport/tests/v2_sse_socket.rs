//! v2 sse_socket tests.
