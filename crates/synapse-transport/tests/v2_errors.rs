//! v2 errors tests.
