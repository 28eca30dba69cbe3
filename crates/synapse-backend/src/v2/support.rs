//! Small helpers the generated operations call.

use std::fmt::Display;

use synapse_transport::Error;

/// The most ids one bulk fetch accepts.
pub const MAX_BULK_IDS: usize = 200;

/// A query boolean as the Python SDK writes it: `True` or `False`.
pub(crate) fn python_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The values joined with commas (an `explode: false` array), or `None` when there are none.
pub(crate) fn joined<T: Display>(values: &[T]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    Some(
        values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// A bulk fetch takes 1 to [`MAX_BULK_IDS`] ids; anything else is refused before sending.
pub(crate) fn check_ids(count: usize) -> Result<(), Error> {
    if count == 0 {
        return Err(Error::invalid_input(
            "a bulk fetch needs at least one id (an empty fetch has nothing to return)",
        ));
    }
    if count > MAX_BULK_IDS {
        return Err(Error::invalid_input(format!(
            "a bulk fetch takes at most {MAX_BULK_IDS} ids, not {count}; split the ids into chunks"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_write_what_the_wire_expects() {
        assert_eq!(python_bool(true), "True");
        assert_eq!(python_bool(false), "False");
        assert_eq!(joined(&[1, 2, 3]).as_deref(), Some("1,2,3"));
        assert_eq!(joined::<i64>(&[]), None);
        assert!(check_ids(1).is_ok() && check_ids(MAX_BULK_IDS).is_ok());
        for bad in [0, MAX_BULK_IDS + 1] {
            let err = check_ids(bad).expect_err("refused");
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        }
    }
}
