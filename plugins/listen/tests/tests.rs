//! End-to-end tests of the `npd-listen` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `fixtures.rs`: a judgement on socket tables the test writes itself (a fake
//!   `<root>/proc/1/net`): ports bound or not, addresses and wildcards, IPv6, UDP,
//!   states that do not count, debounce. Prefer this: it is exact.
//! - `broken.rs`: tables that are missing, unreadable, empty or garbled, a read that
//!   never returns: Unknown, never a problem.
//! - `real.rs`: real sockets this test opens on 127.0.0.1, seen through this
//!   machine's kernel (`--host-root /`).
//! - `sources.rs`: which way the sockets are read (netlink sock_diag, or the
//!   tables under the host root) and that both answer alike: a fixture root holding
//!   copies of the real tables, a network namespace of its own, netlink refused.
//! - `flags.rs`: bad flags (Unknown), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-listen-openstack-control-plane.json against
//!   this binary.
//!
//! `util.rs` writes socket tables in the kernel's format; running the binary (bounded
//! in time, a fresh state dir) is `npd_test_support`.

mod broken;
mod fixtures;
mod flags;
mod real;
mod shipped_config;
mod sources;
mod util;
