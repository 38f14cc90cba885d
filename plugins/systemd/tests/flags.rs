//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and the bus is not asked before they are valid; --help and its example.

use npd_test_support::{assert_bad_flags, run};

use crate::util::BIN;

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &[][..],
            &["--unit", ""],
            &["--unit", "kube let"],
            &["--unit", "kubelet", "--max-activating", "soon"],
            &["--unit", "kubelet", "--max-activating", "0s"],
            &["--unit", "kubelet", "--max-restarts", "3"],
            &["--unit", "kubelet", "--within", "30m"],
            &[
                "--unit",
                "kubelet",
                "--max-restarts",
                "-1",
                "--within",
                "30m",
            ],
            &[
                "--unit",
                "kubelet.socket",
                "--max-restarts",
                "3",
                "--within",
                "30m",
            ],
            &[
                "--unit",
                "kubelet",
                "--max-restarts",
                "3",
                "--within",
                "10ms",
            ],
            &["--unit", "kubelet", "--only-restarts"],
            &["--unit", "kubelet", "--timeout", "soon"],
            &["--unit", "kubelet", "--no-such-flag"],
        ],
    );
}

#[test]
fn flags_are_checked_before_the_bus_is_asked() {
    // No bus under this root: a bad flag is still named.
    let r = run(BIN, &["--host-root", "/nonexistent", "--unit", "a b"]);
    assert_eq!(r.code, 2);
    assert!(
        r.line().starts_with("bad flags: --unit \"a b\""),
        "{}",
        r.stdout
    );
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(BIN, &["NRestarts", "[default: 5m]", "--allow-missing"]);
}
