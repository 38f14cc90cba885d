//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and nothing is read before they are valid.

use crate::util::{CpuHost, BIN};
use npd_test_support::{assert_bad_flags, run, FakeHost};

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--check", "steal"][..],
            &["--check", ""],
            &["--max-load-per-cpu", "0"],
            &["--max-load-per-cpu", "-2"],
            &["--max-load-per-cpu", "four"],
            &["--max-load-per-cpu", "NaN"],
            &["--load-average", "10m"],
            &["--load-average", "5"],
            &["--max-psi-some", "101"],
            &["--max-psi-some", "lots"],
            &["--no-such-flag"],
            &["--timeout", "0"],
            &["--recover-after", "x"],
        ],
    );
}

#[test]
fn flags_are_checked_before_anything_is_read() {
    let host = FakeHost::new();
    let r = run(BIN, &["--host-root", host.root(), "--load-average", "2m"]);
    assert!(r.line().starts_with("bad flags: "), "{}", r.stdout);
}

#[test]
fn percent_signs_are_accepted_and_never_printed() {
    let host = FakeHost::healthy();
    host.pressure(95.0);
    let r = host.run_plugin(BIN, &["--check", "psi", "--max-psi-some", "90%"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "CPU PSI some avg10 95 pct > max 90")
    );
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::healthy();
    host.loadavg(0.0, 40.0, 0.0);
    let r = run(BIN, &["--host-root", host.root(), "--max-output", "16"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "load per CPU 10\n"));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(BIN, &["check_load", "sched_getaffinity"]);
}
