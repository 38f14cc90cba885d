//! End-to-end tests of the `npd-memory` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on host files the test writes itself (a fake
//!   `<root>/proc`): available memory, pressure, OOM kills across runs. Prefer this:
//!   it is exact and independent of the machine.
//! - `broken.rs`: files that are missing, unreadable, empty, garbled or never
//!   answer; a kernel without PSI or without the OOM counter; a state dir that
//!   cannot be used.
//! - `real.rs`: this machine's own /proc (`--host-root /`).
//! - `flags.rs`: bad flags (Unknown, never a problem), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-memory.json against this binary.
//!
//! `util.rs` writes fake hosts in the kernel's formats; running the binary (bounded in
//! time, a state dir of the test's choosing) is `npd_test_support`.

mod broken;
mod fixtures;
mod flags;
mod real;
mod shipped_config;
mod util;
