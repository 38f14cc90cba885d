//! End-to-end tests of the `npd-limits` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on kernel files the test writes itself (a fake
//!   `<root>/proc`): each limit healthy and exceeded, thresholds, several problems,
//!   conntrack not loaded, debounce. Prefer this: it is exact.
//! - `broken.rs`: files that are missing, unreadable, empty or garbled, a conntrack
//!   half there, another network namespace: Unknown, never a problem.
//! - `real.rs`: this machine's own /proc (`--host-root /`).
//! - `flags.rs`: bad flags (Unknown), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-limits.json against this binary.
//!
//! `util.rs` writes fake hosts in the kernel's formats; running the binary (bounded in
//! time, a fresh state dir) is `npd_test_support`.

mod broken;
mod fixtures;
mod flags;
mod real;
mod shipped_config;
mod util;
