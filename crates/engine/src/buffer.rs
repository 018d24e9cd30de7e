//! Fallible allocation. `vec![0.0; n]` aborts (a trap in wasm) when memory runs out; user
//! sizes must instead turn into an `OutOfMemory` error the caller can report.

use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use crate::error::{Error, Result, Status};

/// Set while worker threads run work that sized its buffers beforehand (evaluation chunks on
/// threads of their own): the allocator is not thread-safe (Debian's wasm32 standard library
/// is built without atomics), so a buffer that would have to grow then fails instead.
pub static FROZEN: AtomicBool = AtomicBool::new(false);

/// A zero-filled vector of `len` elements, or an OutOfMemory error naming `what`.
pub fn zeroed<T: Copy + Default>(len: usize, what: &str) -> Result<Vec<T>> {
    let bytes = len.saturating_mul(core::mem::size_of::<T>());
    if bytes > isize::MAX as usize {
        return Err(Error::oom(what, bytes));
    }
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::oom(what, bytes))?;
    v.resize(len, T::default());
    Ok(v)
}

/// Makes `v` hold at least `len` elements (contents unspecified), growing only when needed,
/// so steady-state training allocates nothing.
pub fn ensure_len<T: Copy + Default>(v: &mut Vec<T>, len: usize, what: &str) -> Result<()> {
    if v.len() < len {
        if FROZEN.load(Relaxed) {
            // No message: formatting one would allocate.
            return Err(Error { status: Status::OutOfMemory, message: String::new() });
        }
        let extra = len - v.len();
        v.try_reserve_exact(extra)
            .map_err(|_| Error::oom(what, len.saturating_mul(core::mem::size_of::<T>())))?;
        v.resize(len, T::default());
    }
    Ok(())
}

/// `a * b` or an error, for sizes that come from the user.
pub fn checked_mul(a: usize, b: usize, what: &str) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| Error::oom(what, usize::MAX))
}
