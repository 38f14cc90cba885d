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

/// One run that behaves as `behave` (and says so), debounced with `thresholds` in
/// `dir`. Tests vary the flags to play the subject's health, so the state key is
/// named; in NPD one rule always passes the same flags.
fn debounced(dir: &str, thresholds: &[&str], behave: &str) -> (i32, String) {
    let mut args = vec![
        "--behave",
        behave,
        "--message",
        behave,
        "--state-dir",
        dir,
        "--state-key",
        "rule",
    ];
    args.extend(thresholds);
    let r = fixture(&args);
    (r.code, r.stdout.trim_end().to_string())
}

mod answer;
mod host;
mod state;
