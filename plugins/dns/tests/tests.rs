//! End-to-end tests of the `npd-dns` binary against real DNS servers on 127.0.0.1.
//!
//! Where a new test belongs:
//! - `dnsmasq.rs`: answers of a real server (Debian's dnsmasq on a high port, local
//!   names only): names that resolve, NXDOMAIN, REFUSED, no record of the type,
//!   expected addresses, failover from a silent server.
//! - `peers.rs`: servers only a test can make misbehave (silent, SERVFAIL, garbage)
//!   and the host's resolv.conf under --host-root; deadlines are measured.
//! - `flags.rs`: bad flags (Unknown, never a problem), --help.
//! - `shipped_config.rs`: npd-config/npd-dns.json against this binary.
//!
//! `util.rs` starts dnsmasq and the scripted UDP peers; running the binary as NPD does
//! is `npd_test_support`.

mod dnsmasq;
mod flags;
mod peers;
mod shipped_config;
mod util;
