//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem; --help, the example rule, --max-output.

use npd_test_support::{assert_bad_flag_says, assert_bad_flags, run, FakeHost};

use crate::util::{GpuHost, BIN};

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--check", "memory"][..],
            &["--check", ""],
            &["--expected-gpus", "lots"],
            &["--expected-gpus", "-1"],
            &["--expected-gpus", "0"],
            &["--check", "xid", "--expected-gpus", "4"],
            &["--critical-xids", "79"],
            &["--check", "xid", "--critical-xids", "79,x"],
            &["--check", "xid", "--critical-xids", ""],
            &["--dcgm-url", "http://127.0.0.1:9400/metrics"],
            &[
                "--check",
                "dcgm",
                "--dcgm-url",
                "https://127.0.0.1:9400/metrics",
            ],
            &["--check", "dcgm", "--dcgm-url", "127.0.0.1:9400"],
            &["--timeout", "soon"],
            &["--no-such-flag"],
        ],
    );
}

#[test]
fn a_flag_without_its_check_says_what_to_add() {
    let why = "--dcgm-url needs --check dcgm";
    assert_bad_flag_says(BIN, &["--dcgm-url", "http://127.0.0.1:1/"], why);
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "Driver not loaded while GPUs are on the bus",
            "the first run reads it since boot",
        ],
    );
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::plain();
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--expected-gpus",
            "8",
            "--max-output",
            "12",
        ],
    );
    assert_eq!((r.code, r.line()), (1, "0 GPUs on th"));
}
