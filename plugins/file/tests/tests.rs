//! End-to-end tests of the `npd-file` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on a host tree the test writes itself (files under
//!   `--host-root`, ages set with set_times, a fake `proc/1/mountinfo`): each rule's
//!   OK, problem and Unknown, missing, unreadable, empty and garbage files. Prefer
//!   this: it is exact and independent of the machine.
//! - `real.rs`: the real host (`--host-root /`): a file aged with `touch -d`, the
//!   real mount table.
//! - `hung_mount.rs`: a FUSE mount that never answers (root and FUSE needed; in CI
//!   it must run, elsewhere it warns and skips).
//! - `flags.rs`: bad flags (Unknown, never a problem), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-file.json against this binary.
//!
//! Trees are `npd_test_support::FakeHost`s, which `util.rs` runs the binary on;
//! running it (bounded in time, a fresh state dir) is `npd_test_support`.

mod fixtures;
mod flags;
mod hung_mount;
mod real;
mod shipped_config;
mod util;
