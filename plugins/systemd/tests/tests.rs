//! End-to-end tests of the `npd-systemd` binary, run as NPD runs it, against a real
//! dbus-daemon and a systemd manager served by python-dbusmock.
//!
//! Where a new test belongs:
//! - `states.rs`: a judgement on unit states the test sets: active, failed,
//!   activating too long, inactive, not installed, several units, --explain.
//! - `restarts.rs`: NRestarts across runs: the limit, the window, a reboot, a reset,
//!   a broken state dir.
//! - `broken.rs`: a bus that is missing, refuses, never answers or has no systemd on
//!   it, and replies of the wrong shape: Unknown, never a problem.
//! - `flags.rs`: bad flags (Unknown), --help, the example rule.
//! - `shipped_config.rs`: npd-config/npd-systemd.json against this binary.
//!
//! `util.rs` starts the bus and the mock (`mock_systemd.py`) and describes units as
//! systemd shows them; running the binary (bounded in time) is `npd_test_support`.

mod broken;
mod flags;
mod restarts;
mod shipped_config;
mod states;
mod util;
