//! End-to-end tests of the `npd-cpu` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on host files the test writes itself (a fake
//!   `<root>/proc` and `/sys`): load per CPU, CPU counts, pressure. Prefer this: it
//!   is exact and independent of the machine.
//! - `broken.rs`: files that are missing, unreadable, empty, garbled or never
//!   answer; a kernel without PSI.
//! - `real.rs`: this machine's own /proc and /sys (`--host-root /`), including a
//!   run pinned to one CPU that must still count them all.
//! - `flags.rs`: bad flags (Unknown, never a problem), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-cpu.json against this binary.
//!
//! `util.rs` writes fake hosts in the kernel's formats; running the binary (bounded in
//! time, a fresh state dir) is `npd_test_support`.

mod broken;
mod fixtures;
mod flags;
mod real;
mod shipped_config;
mod util;
