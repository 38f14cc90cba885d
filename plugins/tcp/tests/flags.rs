//! Bad flags are Unknown with the reason, never a problem.

use npd_test_support::assert_bad_flags;

use crate::util::BIN;

#[test]
fn bad_flags_are_unknown() {
    assert_bad_flags(
        BIN,
        &[
            &[][..],
            &["--connect", "127.0.0.1"],
            &["--connect", "127.0.0.1:0"],
            &["--connect", "127.0.0.1:70000"],
            &["--connect", ":80"],
            &["--connect", "::1:80"],
            &["--connect", "127.0.0.1:80", "--send", "\\q"],
            &["--connect", "127.0.0.1:80", "--expect", ""],
            &["--connect", "127.0.0.1:80", "--max-latency", "fast"],
            &["--connect", "127.0.0.1:80", "--bogus"],
        ],
    );
}

#[test]
fn help_shows_an_example_rule_that_is_accepted() {
    npd_test_support::assert_example_rule_accepted(BIN);
}
