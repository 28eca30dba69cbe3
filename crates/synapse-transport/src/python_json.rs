//! JSON text exactly as Python's `json.dumps` writes it with its defaults, for JSON carried
//! as text inside a form field (a release's `config`, a container's `params`): a server that
//! stores the text sees the same bytes the Python SDK sends.
//!
//! The defaults reproduced: `", "` and `": "` separators, the caller's key order,
//! `ensure_ascii` (every non-ASCII character and DEL as `\uXXXX`, astral characters as
//! surrogate pairs) and floats as Python's `repr` (`1e-05`, `1e+16`, `100.0`).

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};

use crate::Error;

/// `json.dumps(value)` with Python's defaults.
///
/// ```
/// use synapse_transport::python_json;
/// let v = serde_json::json!({"name": "Café — 東京", "lr": 1e-5, "epochs": 10, "tags": []});
/// assert_eq!(
///     python_json::to_string(&v)?,
///     r#"{"name": "Caf\u00e9 \u2014 \u6771\u4eac", "lr": 1e-05, "epochs": 10, "tags": []}"#
/// );
/// # Ok::<(), synapse_transport::Error>(())
/// ```
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut out = Vec::with_capacity(128);
    let mut serializer = Serializer::with_formatter(&mut out, PythonFormatter);
    value
        .serialize(&mut serializer)
        .map_err(|e| Error::InvalidInput {
            message: format!("cannot encode JSON text: {e}"),
            source: Some(Box::new(e)),
        })?;
    // Only ASCII is ever written.
    String::from_utf8(out).map_err(|e| Error::invalid_input(format!("JSON text: {e}")))
}

/// A float as Python's `repr` writes it: the shortest digits that read back the same, in
/// positional notation when the decimal exponent is in `-4..16`, else as `d.ddde±XX`.
///
/// ```
/// use synapse_transport::python_json::float_repr;
/// assert_eq!(float_repr(1.0), "1.0");
/// assert_eq!(float_repr(0.0001), "0.0001");
/// assert_eq!(float_repr(0.00001), "1e-05");
/// assert_eq!(float_repr(1e16), "1e+16");
/// assert_eq!(float_repr(1234567890123456.0), "1234567890123456.0");
/// assert_eq!(float_repr(-2.5e-7), "-2.5e-07");
/// assert_eq!(float_repr(f64::NAN), "NaN");
/// ```
pub fn float_repr(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d[.ddd]e[-]N`.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if value.is_sign_negative() { "-" } else { "" };
    // Python's rule: positional when -4 <= exp < 16.
    let body = if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{exp_sign}{:02}", exp.unsigned_abs())
    };
    format!("{sign}{body}")
}

/// serde_json's formatter with Python's separators, `ensure_ascii` and float `repr`.
struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        w.write_all(float_repr(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        // Python has no f32: the value is widened, as a Python float would hold it.
        self.write_f64(w, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() && c != '\u{7f}' {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        // Python writes the same short escapes and lower-case `\u00XX` as serde_json.
        let s: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"\\/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(w, "\\u{byte:04x}"),
        };
        w.write_all(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_dumps_bytes() {
        // Each expected string is what CPython 3.11's json.dumps prints for the same value.
        let cases = [
            (serde_json::json!({}), "{}"),
            (serde_json::json!([]), "[]"),
            (
                serde_json::json!({"b": 1, "a": [1, 2.5, null, true]}),
                r#"{"b": 1, "a": [1, 2.5, null, true]}"#,
            ),
            (
                serde_json::json!({"nested": {"x": {"y": []}}}),
                r#"{"nested": {"x": {"y": []}}}"#,
            ),
            (
                serde_json::json!("tab\there \"q\" \\ \u{1} \u{7f} é 😀"),
                r#""tab\there \"q\" \\ \u0001 \u007f \u00e9 \ud83d\ude00""#,
            ),
            (
                serde_json::json!([100.0, 0.1, 1e22, 1e-7, 123456789.125, -0.0]),
                "[100.0, 0.1, 1e+22, 1e-07, 123456789.125, -0.0]",
            ),
            (
                serde_json::json!(12345678901234567890u64),
                "12345678901234567890",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(to_string(&value).expect("encodes"), expected);
        }
    }

    #[test]
    fn float_repr_matches_python_across_the_boundaries() {
        let cases = [
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (123456780000000.0, "123456780000000.0"),
            (0.00030000000000000003, "0.00030000000000000003"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e-4, "0.0001"),
            (1.5e-4, "0.00015"),
            (1e-5, "1e-05"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (0.0, "0.0"),
            (3.0, "3.0"),
            (0.3, "0.3"),
            (2.0 / 3.0, "0.6666666666666666"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_repr(value), expected, "{value:e}");
        }
    }
}
