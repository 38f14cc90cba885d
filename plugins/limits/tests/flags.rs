//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and nothing is read before they are valid; --help and --max-output.

use crate::util::{LimitsHost, BIN};
use npd_test_support::{assert_bad_flag_says, assert_bad_flags, run, FakeHost};

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--check", "memory"][..],
            &["--check", ""],
            &["--max-pids-used", "lots"],
            &["--max-threads-used", "101"],
            &["--max-files-used", "-5"],
            &["--max-conntrack-used", "90"],
            &["--check", "pids", "--max-files-used", "80"],
            &["--timeout", "soon"],
            &["--no-such-flag"],
        ],
    );
}

#[test]
fn a_threshold_without_its_check_says_what_to_add() {
    let why = "--max-conntrack-used needs --check conntrack";
    assert_bad_flag_says(BIN, &["--max-conntrack-used", "80"], why);
}

#[test]
fn flags_are_checked_before_anything_is_read() {
    let host = FakeHost::new();
    let r = run(BIN, &["--host-root", host.root(), "--max-pids-used", "x"]);
    assert!(
        r.line().starts_with("bad flags: --max-pids-used: "),
        "{}",
        r.stdout
    );
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::healthy();
    host.conntrack(262_144, 262144).file_nr(2_400_000, 2466174);
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--check",
            "files,conntrack",
            "--max-output",
            "20",
        ],
    );
    assert_eq!((r.code, r.line()), (1, "conntrack 100 pct of"));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "hostNetwork: true",
            "[default: 90]",
            "EKS node monitoring agent",
            "network_problem.sh",
            "hostPID",
        ],
    );
}
