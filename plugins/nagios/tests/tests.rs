//! End-to-end tests of the `npd-nagios` binary, running real plugins.
//!
//! Where a new test belongs:
//! - `mapping.rs`: exit codes and output of real monitoring-plugins (check_dummy
//!   gives every code) and of scripts (other codes, signals, perfdata, floods).
//! - `processes.rs`: plugins that hang, fork, setsid or keep stdout open: the answer
//!   comes by the deadline and no process survives the run.
//! - `flags.rs`: bad flags and a plugin that cannot be run (Unknown), --help.
//!
//! `util.rs` writes scripts and finds Debian's plugins; running the binary as NPD does
//! (bounded and timed, its state dir before `--`) is `npd_test_support`.

mod flags;
mod mapping;
mod processes;
mod util;
