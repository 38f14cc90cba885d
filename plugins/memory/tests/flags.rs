//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and nothing is read before they are valid.

use crate::util::{MemoryHost, BIN};
use npd_test_support::{assert_bad_flags, run, FakeHost};

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--check", "swap"][..],
            &["--check", ""],
            &["--min-available", "ten"],
            &["--min-available", "101"],
            &["--min-available", "-1"],
            &["--max-psi-some", "200"],
            &["--max-psi-full", "x%"],
            &["--max-oom-kills", "-1"],
            &["--max-oom-kills", "many"],
            &["--no-such-flag"],
            &["--timeout", "soon"],
            &["--timeout", "0s"],
            &["--fail-after", "0"],
        ],
    );
}

#[test]
fn flags_are_checked_before_anything_is_read() {
    let host = FakeHost::new();
    let r = run(BIN, &["--host-root", host.root(), "--min-available", "x"]);
    assert!(r.line().starts_with("bad flags: "), "{}", r.stdout);
}

#[test]
fn percent_signs_are_accepted_and_never_printed() {
    let host = FakeHost::healthy();
    host.meminfo(1000, 50);
    let r = run(BIN, &["--host-root", host.root(), "--min-available", "10%"]);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains('%'), "{}", r.stdout);
    assert!(r.line().contains(" pct < min 10 "), "{}", r.stdout);
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::healthy();
    host.meminfo(16 << 20, 1 << 20);
    let r = run(BIN, &["--host-root", host.root(), "--max-output", "20"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "memory available 6.3\n"));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "\"temporary\"",
            "systemd-oomd",
            "\"reason\": \"OOMKillsDetected\"",
            "memory.available below 100Mi",
            "check_swap",
        ],
    );
}
