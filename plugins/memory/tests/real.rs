//! The plugin on this machine's own /proc (`--host-root /`): what a fake tree cannot
//! show. Memory use changes under the tests' feet, so they assert on what is stable:
//! the verdict at limits no machine can miss, and the shape of the answer.

use crate::util::BIN;
use npd_test_support::{run, run_in};

#[test]
fn real_meminfo_is_judged() {
    let r = run(
        BIN,
        &["--host-root", "/", "--min-available", "0", "--explain"],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "memory available normal"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("meminfo: MemTotal "), "{}", r.stderr);
    // No machine has all its memory available.
    let r = run(BIN, &["--host-root", "/", "--min-available", "100"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().starts_with("memory available "), "{}", r.stdout);
    assert!(r.line().contains(" pct < min 100 ("), "{}", r.stdout);
}

#[test]
fn real_pressure_is_judged_or_clearly_absent() {
    npd_test_support::assert_real_psi(
        BIN,
        "memory",
        &[
            "--check",
            "psi",
            "--max-psi-some",
            "100",
            "--max-psi-full",
            "100",
        ],
        "memory pressure normal",
    );
}

#[test]
fn real_oom_counter_takes_a_baseline_then_counts() {
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        "/",
        "--check",
        "oom-kills",
        "--max-oom-kills",
        "1000000",
        "--explain",
    ];
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"), "{}", r.stderr);
    assert!(r.stderr.contains("baseline taken"), "{}", r.stderr);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"), "{}", r.stderr);
    assert!(r.stderr.contains("since the previous run"), "{}", r.stderr);
}
