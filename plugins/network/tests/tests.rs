//! End-to-end tests of the `npd-network` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on tables, sysfs and sysctls the test writes itself
//!   (a fake `<root>`): each aspect healthy and bad, patterns, several problems,
//!   debounce. Prefer this: it is exact.
//! - `broken.rs`: files that are missing, unreadable, empty, garbled or never
//!   answer: Unknown, never a problem (but a problem seen elsewhere still is).
//! - `netns.rs`: real network namespaces the test makes (root): veth pairs set
//!   down, routes removed, forwarding off, judged with `--host-root /`.
//! - `flags.rs`: bad flags (Unknown), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-network.json against this binary.
//!
//! `util.rs` writes fake hosts in the kernel's formats; running the binary (bounded in
//! time, a fresh state dir) is `npd_test_support`.

mod broken;
mod fixtures;
mod flags;
mod netns;
mod shipped_config;
mod util;
