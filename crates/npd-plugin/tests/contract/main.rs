//! The contract's guarantees, one by one, checked on a real process: the
//! `contract-fixture` plugin, which misbehaves on request.
//!
//! Where a new test belongs: a guarantee every plugin inherits from `npd_plugin::run`
//! goes here; a plugin's own judgement goes in that plugin's crate. Within:
//! - `answer.rs`: exit codes, the one line, the timeout, --help and the common flags.
//! - `state.rs`: debounce and what is kept in the state dir.
//! - `host.rs`: --host-root, --metrics-dir, --only-if-exists.

use npd_test_support::{run, Run};

const FIXTURE: &str = env!("CARGO_BIN_EXE_contract-fixture");

fn fixture(args: &[&str]) -> Run {
    run(FIXTURE, args)
}

mod answer;
mod host;
mod state;
