//! System log monitor configs (`"plugin"` kmsg, journald, filelog) end to end: clean
//! fixtures under `tests/fixtures/syslog/`, one broken variant per finding (made from a
//! fixture in a temporary directory, the file keeping its name), and `run` with and
//! without `--log-lines`.
//!
//! Where a new test belongs: a new system log monitor finding or `--log-lines`
//! behaviour goes here (`findings.rs`, `run.rs`); custom plugin monitor findings in
//! `lint/`.

#[path = "../common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use common::{fixtures, run_in, Out};

const LIMIT: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures("syslog").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Writes `config` as `name` into `dir` and lints it.
fn lint_as(dir: &Path, name: &str, config: &Value, extra: &[&str]) -> Out {
    std::fs::write(
        dir.join(name),
        serde_json::to_string_pretty(config).unwrap(),
    )
    .unwrap();
    let mut args = vec!["lint"];
    args.extend_from_slice(extra);
    args.push(name);
    run_in(dir, &args, LIMIT)
}

/// Asserts that the kernel-monitor fixture changed by `change` lints to exactly
/// `finding` (then `summary`).
fn finds(change: impl FnOnce(&mut Value), finding: &str, summary: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = fixture("kernel-monitor.json");
    change(&mut config);
    let out = lint_as(tmp.path(), "kernel-monitor.json", &config, &[]);
    assert_eq!(
        out.stdout,
        format!("kernel-monitor.json: {finding}\n{summary}\n"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 1);
}

const ONE_ERROR: &str = "1 file: 1 error, 0 warnings";
const ONE_FATAL: &str = "1 file: 1 error (1 that NPD refuses to start on), 0 warnings";

mod findings;
mod run;
