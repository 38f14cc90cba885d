//! Bad flags are Unknown with the reason, never a problem.

use npd_test_support::assert_bad_flags;

use crate::util::BIN;

#[test]
fn bad_flags_are_unknown() {
    assert_bad_flags(
        BIN,
        &[
            &[][..],
            &["--name", "a..b"],
            &["--name", "bad name"],
            &["--name", "ok.test", "--server", "dns.example"],
            &["--name", "ok.test", "--server", "127.0.0.1:0"],
            &["--name", "ok.test", "--type", "MX"],
            &["--name", "ok.test", "--expect-address", "fd00::1"],
            &["--name", "ok.test", "--expect-address", "nope"],
            &["--name", "ok.test", "--max-latency", "0s"],
            &["--name", "ok.test", "--bogus"],
            &[
                "--name",
                "ok.test",
                "--server",
                "127.0.0.1",
                "--resolv-conf",
                "/etc/resolv.conf",
            ],
        ],
    );
}

#[test]
fn help_shows_an_example_rule_that_is_accepted() {
    npd_test_support::assert_example_rule_accepted(BIN);
}
