//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and nothing on the host is looked at before they are valid.

use crate::util::{FileHost, BIN};
use npd_test_support::{assert_bad_flags, FakeHost};

#[test]
fn bad_flags_are_unknown() {
    assert_bad_flags(
        BIN,
        &[
            &[][..],
            &["--path", "/x"],
            &["--problem-if-exists"],
            &["--path", "x", "--problem-if-exists"],
            &["--path", "/a/[b", "--problem-if-exists"],
            &[
                "--path",
                "/x",
                "--problem-if-exists",
                "--problem-if-missing",
            ],
            &["--path", "/x", "--problem-if-older-than", "10"],
            &["--path", "/x", "--problem-if-older-than", "0s"],
            &["--path", "/x", "--problem-if-contains", "(x"],
            &["--path", "/x", "--problem-if-contains", ""],
            &["--path", "/x", "--problem-if-exists", "--if-missing", "ok"],
            &[
                "--path",
                "/x",
                "--problem-if-contains",
                "a",
                "--if-missing",
                "maybe",
            ],
            &[
                "--path",
                "/x",
                "--problem-if-contains",
                "a",
                "--max-read",
                "0",
            ],
            &["--path", "/x", "--problem-if-exists", "--timeout", "soon"],
        ],
    );
}

#[test]
fn flags_are_checked_before_the_host_is_read() {
    let h = FakeHost::new();
    h.symlink("/loop", "/loop");
    let r = h.run(&["--path", "/loop", "--problem-if-contains", "("]);
    assert!(r.line().starts_with("bad flags: "), "{}", r.line());
}

#[test]
fn max_output_cuts_the_line() {
    let h = FakeHost::new();
    h.write("/var/run/reboot-required", b"");
    let r = h.run(&[
        "--path",
        "/var/run/reboot-required",
        "--problem-if-exists",
        "--max-output",
        "12",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "/var/run/reb\n"));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "check_file_age",
            "--problem-if-older-than",
            "own mount table",
            "Exit codes: 0 OK, 1 problem found (NonOK), 2 could not check (Unknown).",
        ],
    );
}
