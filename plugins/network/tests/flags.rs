//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and nothing is read before they are valid; --help and --max-output.

use crate::util::{NetHost, BIN};
use npd_test_support::{assert_bad_flag_says, assert_bad_flags, run, FakeHost};

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--check", "links"][..],
            &["--check", ""],
            &["--family", "ipv5"],
            &["--interface", ""],
            &["--interface", "eth0/1"],
            &["--interface", "[eth"],
            &["--interface", "a-name-far-too-long"],
            &["--min-matches", "-1"],
            &["--min-matches", "1", "--interface", "eth0"],
            &["--check", "forwarding", "--interface", "eth0"],
            &["--check", "interfaces", "--family", "both"],
            &["--timeout", "soon"],
            &["--no-such-flag"],
        ],
    );
}

#[test]
fn a_flag_without_its_check_says_what_to_add() {
    let args = ["--check", "default-route", "--interface", "eth0"];
    assert_bad_flag_says(BIN, &args, "--interface needs --check interfaces");
}

#[test]
fn flags_are_checked_before_anything_is_read() {
    let host = FakeHost::new();
    let r = run(BIN, &["--host-root", host.root(), "--family", "x"]);
    assert!(r.line().starts_with("bad flags: "), "{}", r.stdout);
    assert_eq!(r.code, 2);
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::healthy();
    host.state("eth0", "0x1003", "lowerlayerdown");
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--interface",
            "eth0",
            "--max-output",
            "20",
        ],
    );
    assert_eq!((r.code, r.line()), (1, "eth0 not running (lo"));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "hostNetwork: true",
            "[default: ipv4]",
            "hostPID",
            "main table",
            "--min-matches",
        ],
    );
}
