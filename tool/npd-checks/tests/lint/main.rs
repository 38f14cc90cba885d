//! `npd-checks lint` end to end: one broken config per finding, under
//! `tests/fixtures/lint/`, each asserted to the exact line, plus a clean config.
//!
//! Where a new test belongs: a new finding gets a fixture named after it and a test
//! here (`rules.rs`: what a config declares; `timing.rs`: timeouts and intervals;
//! `paths.rs`: the plugins it runs, and lint's own usage); how a result turns into
//! conditions belongs in `run.rs`.

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use common::{fixtures, plugin_dir, run_in, Out};

const LIMIT: Duration = Duration::from_secs(30);

/// Lints `files` (names under tests/fixtures/lint) with the plugin dir `dir`.
fn lint_with(dir: &std::path::Path, files: &[&str]) -> Out {
    let mut args = vec!["lint", "--plugin-dir", dir.to_str().unwrap()];
    args.extend_from_slice(files);
    run_in(&fixtures("lint"), &args, LIMIT)
}

/// Asserts that linting `file` finds exactly `finding`, and what the summary says.
fn finds(file: &str, finding: &str, summary: &str) {
    let dir = plugin_dir();
    let out = lint_with(dir.path(), &[file]);
    let finding = finding.replace("{DIR}", dir.path().to_str().unwrap());
    assert_eq!(
        out.stdout,
        format!("{finding}\n{summary}\n"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 1);
}

const ONE_ERROR: &str = "1 file: 1 error, 0 warnings";
const ONE_FATAL: &str = "1 file: 1 error (1 that NPD refuses to start on), 0 warnings";
const ONE_WARNING: &str = "1 file: 0 errors, 1 warning";

mod paths;
mod rules;
mod timing;
