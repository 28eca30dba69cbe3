//! A credential that never prints.

use std::fmt;

use http::HeaderValue;

use crate::Error;

/// A token or other credential. `Debug` and `Display` print `***`; use
/// [`Secret::expose`] only where the value must go on the wire.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty credential (treated as absent, as the Python SDK does).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A sensitive header value `prefix + secret` (e.g. `Token abc`); rejects CR, LF and
    /// other bytes a header cannot carry, without echoing the value.
    pub fn header_value(&self, prefix: &str) -> Result<HeaderValue, Error> {
        if self.0.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(Error::invalid_input(
                "a credential contains a line break and cannot be sent in a header",
            ));
        }
        let mut value = HeaderValue::from_str(&format!("{prefix}{}", self.0)).map_err(|_| {
            Error::invalid_input("a credential contains characters a header cannot carry")
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_and_rejects_line_breaks() {
        let s = Secret::new("tok-123");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        let v = s.header_value("Token ").expect("valid");
        assert!(v.is_sensitive());
        assert_eq!(v.to_str().expect("ascii"), "Token tok-123");
        let err = Secret::new("a\r\nX-Evil: 1")
            .header_value("Token ")
            .expect_err("CRLF");
        assert!(!err.to_string().contains("Evil"));
    }
}
