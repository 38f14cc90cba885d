//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and no socket is touched before they are valid; --help.

use npd_test_support::assert_bad_flags;

use crate::util::BIN;

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--require", "disk"][..],
            &["--require", ""],
            &["--max-latency", "soon"],
            &["--max-latency", "0s"],
            &["--socket", "run/containerd/containerd.sock"],
            &["--timeout", "soon"],
            &["--no-such-flag"],
        ],
    );
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "--require runtime: RuntimeReady only",
            "[default: 2s]",
            "cni plugin not initialized",
            "connection refused",
        ],
    );
}
