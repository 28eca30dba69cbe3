//! Which optional fields of a wire struct arrived as an explicit `null`.

use std::fmt;

/// The optional fields of a wire struct that arrived as an explicit `null` (not absent), one
/// bit per field in declaration order (a struct has at most 64 fields).
///
/// A field still unset is written back as `null`, so a decoded value re-serialises as it
/// arrived; setting the field writes its value instead; [`WireNulls::clear`] omits them all.
/// Read it with the struct's `was_null(key)`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WireNulls(u64);

impl WireNulls {
    /// True when no field arrived as `null`.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many fields arrived as `null`.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Forgets every recorded `null`: unset fields are then omitted when written.
    pub fn clear(&mut self) {
        self.0 = 0;
    }

    /// Records field `index` (declaration order) as `null`; used by the generated decoders.
    #[doc(hidden)]
    #[inline]
    pub fn mark(&mut self, index: usize) {
        if index < 64 {
            self.0 |= 1 << index;
        }
    }

    /// Whether field `index` (declaration order) arrived as `null`.
    #[doc(hidden)]
    #[inline]
    pub fn has(self, index: usize) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }
}

impl fmt::Debug for WireNulls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<u32> = (0..64).filter(|i| self.0 & (1u64 << i) != 0).collect();
        f.debug_tuple("WireNulls").field(&fields).finish()
    }
}

/// The index of `key` in `fields`, at compile time (`usize::MAX` when absent).
#[doc(hidden)]
pub const fn field_index(fields: &[&str], key: &str) -> usize {
    let mut i = 0;
    while i < fields.len() {
        let (a, b) = (fields[i].as_bytes(), key.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    usize::MAX
}
