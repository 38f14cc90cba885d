//! Running npd-process on fake process tables (`npd_test_support::ProcessHost`).

#![allow(dead_code)]

use std::path::Path;

use npd_test_support::{run_in, FakeHost, Invocation, Run};
pub use npd_test_support::{stat_line, ProcessHost};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-process");

/// Runs npd-process on `host` with `flags` and a fresh state dir.
pub fn check(host: &FakeHost, flags: &[&str]) -> Run {
    Invocation::new(BIN, &on(host, flags)).go()
}

/// Runs npd-process on `host` with `flags` and `state` as its state dir, which the
/// runs of one test share.
pub fn check_in(state: &Path, host: &FakeHost, flags: &[&str]) -> Run {
    run_in(BIN, state, &on(host, flags))
}

fn on<'a>(host: &'a FakeHost, flags: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--host-root", host.root()];
    args.extend_from_slice(flags);
    args
}
