//! Tuning of mimalloc, the allocator of genzoo's binaries (the CLI and the speed bench).
//!
//! A training step allocates the same large activation and gradient buffers every step (tens of
//! MB each for EfficientNet's expanded channels at batch 128). mimalloc v3 purges memory that
//! has been free for `purge_delay` = 1,000 ms, returning it to the kernel, which then faults and
//! zeroes the pages again when the next step reuses them, which costs `mnist_efficientnet` a
//! measurable share of its steps per second (BENCHMARKS.md, "Speed: genzoo against PyTorch on
//! the CPU (issue 7)", the allocator's table).
//! A training process's memory is at its peak every step anyway, so nothing is gained by
//! handing it back between steps.
//!
//! The option is set through mimalloc's C API: mimalloc reads its environment variables once at
//! process start, before `main`, so a binary cannot set `MIMALLOC_PURGE_DELAY` for itself.

/// mimalloc v3's `mi_option_purge_delay` (the 16th entry of `mi_option_e` in `mimalloc.h`;
/// libmimalloc-sys names no constant for it). `purge_delay_default_is_v3s` checks the slot.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// `purge_delay = -1`: never purge.
const NEVER: std::ffi::c_long = -1;
/// The environment variable through which a user chooses the delay instead.
const ENV_PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

/// Keep freed memory for reuse instead of returning it to the kernel, unless the user set
/// `MIMALLOC_PURGE_DELAY` (which mimalloc has then already read). Call first thing in `main`
/// of a binary whose global allocator is mimalloc; harmless otherwise.
pub fn keep_freed_memory() {
    if std::env::var_os(ENV_PURGE_DELAY).is_none() {
        set_option(MI_OPTION_PURGE_DELAY, NEVER);
    }
}

#[allow(unsafe_code)]
fn set_option(option: libmimalloc_sys::mi_option_t, value: std::ffi::c_long) {
    // SAFETY: `mi_option_set` stores an integer in mimalloc's option table (bounds-checked
    // against `_mi_option_last` on the C side); it takes no pointers and may be called from any
    // thread at any time.
    unsafe { libmimalloc_sys::mi_option_set(option, value) }
}

#[cfg(test)]
#[allow(unsafe_code)]
fn get_option(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
    // SAFETY: `mi_option_get` reads an integer from mimalloc's option table (bounds-checked on
    // the C side); no pointers are involved.
    unsafe { libmimalloc_sys::mi_option_get(option) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slot is the purge delay: its v3 default (1,000 ms) sits there before tuning, -1
    /// after. (Skipped when the environment chooses the delay.)
    #[test]
    fn purge_delay_default_is_v3s() {
        if std::env::var_os(ENV_PURGE_DELAY).is_some() {
            return;
        }
        assert_eq!(get_option(MI_OPTION_PURGE_DELAY), 1000);
        keep_freed_memory();
        assert_eq!(get_option(MI_OPTION_PURGE_DELAY), NEVER);
    }
}
