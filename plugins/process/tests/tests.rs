//! End-to-end tests of the `npd-process` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on a process table the test writes itself (a fake
//!   `<root>/proc`): names, counts, patterns, zombies, kernel threads. Prefer this:
//!   it is exact and independent of the machine.
//! - `history/`: checks that compare runs (restart loops, D state) on fake tables,
//!   several runs sharing one state dir while the test moves the host's `uptime`
//!   and `boot_id`; an unusable or corrupt state dir.
//! - `broken.rs`: a fake /proc that is odd or broken (garbage stat lines, processes
//!   vanishing mid-scan, empty, missing, unreadable).
//! - `real.rs`: what only the real kernel can show (a 15-byte cut name, a real
//!   zombie, the plugin's own command line), with `--host-root /`. Every process a
//!   test starts is killed and reaped by a guard, even when the test fails.
//! - `flags.rs`: bad flags and patterns (Unknown, never a problem), --help,
//!   --max-output.
//! - `shipped_config.rs`: npd-config/npd-process.json against this binary.
//!
//! `util.rs` writes fake process tables in the kernel's formats; running the binary
//! (bounded in time, a state dir of the test's choosing) is `npd_test_support`.

mod broken;
mod fixtures;
mod flags;
mod history;
mod real;
mod shipped_config;
mod util;
