//! Lenient field decoders mirroring the Python models: `null` counts as missing (the
//! default applies), integers may arrive as integral floats or numeric strings, floats as
//! integers or numeric strings.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (or an integral float, or a numeric string)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("integer {v} is out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom(format!("{v} is not an integer")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Some(i));
        }
        match t.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom(format!("{v:?} is not an integer"))),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number (or a numeric string)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match v.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Some(f)),
            _ => Err(E::custom(format!("{v:?} is not a number"))),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// An optional integer (`null` → `None`).
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// A required integer (`null` is rejected, as Python rejects it).
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    opt_int(d)?.ok_or_else(|| de::Error::custom("expected an integer, found null"))
}

/// An integer defaulting to `N` when `null`.
pub(crate) fn int_or<'de, D: Deserializer<'de>, const N: i64>(d: D) -> Result<i64, D::Error> {
    Ok(opt_int(d)?.unwrap_or(N))
}

/// An optional float (`null` → `None`).
pub(crate) fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(FloatVisitor)
}

/// A float defaulting to `0.0` when `null`.
pub(crate) fn float_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(opt_float(d)?.unwrap_or(0.0))
}

/// A float defaulting to `90.0` when `null` (the policy's utilization caps).
pub(crate) fn float_or_90<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(opt_float(d)?.unwrap_or(90.0))
}

/// A float defaulting to `5.0` when `null` (the policy's cache TTL).
pub(crate) fn float_or_5<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(opt_float(d)?.unwrap_or(5.0))
}

/// `true` when `null`.
pub(crate) fn bool_or_true<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

/// Any type, its `Default` when `null`.
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Default of `max_concurrent_jobs`.
pub(crate) fn three() -> i64 {
    3
}

/// Default of `max_concurrent_serve_replicas`.
pub(crate) fn sixteen() -> i64 {
    16
}

/// Default of the utilization caps.
pub(crate) fn ninety() -> f64 {
    90.0
}

/// Default of `resource_cache_ttl_seconds`.
pub(crate) fn five() -> f64 {
    5.0
}

/// Default `true`.
pub(crate) fn yes() -> bool {
    true
}
