//! The v2 API over real HTTP.
