//! End-to-end tests of the `npd-cri` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `containerd.rs`: against a real containerd the test starts (root and Debian's
//!   containerd package needed; skipped outside CI otherwise): ready, NetworkReady
//!   false without CNI config, latency, --explain, a containerd without its CRI plugin.
//! - `sockets.rs`: sockets the test holds itself: none there, refused, accepting and
//!   never answering, answering garbage, not a socket, the default paths.
//! - `flags.rs`: bad flags (Unknown), --help and its example rule.
//! - `shipped_config.rs`: npd-config/npd-cri.json against this binary.
//!
//! `util.rs` starts containerd and the test's own sockets, and runs the binary under a
//! host root.

mod containerd;
mod flags;
mod shipped_config;
mod sockets;
mod util;
