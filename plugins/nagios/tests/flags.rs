//! Bad flags and plugins that cannot run are Unknown, never a problem.

use npd_test_support::{assert_bad_flags, run};

use crate::util::BIN;

#[test]
fn bad_flags_are_unknown() {
    assert_bad_flags(
        BIN,
        &[
            &[][..],
            &["--"],
            &["--", ""],
            &["--bogus", "--", "/bin/true"],
            &["/bin/true"],
        ],
    );
}

#[test]
fn a_missing_or_unrunnable_plugin_is_unknown() {
    let r = run(BIN, &["--", "/nonexistent/check_x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.line().starts_with("cannot run /nonexistent/check_x"),
        "{}",
        r.line()
    );
    let r = run(BIN, &["--", "/etc/hostname"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn help_shows_an_example_rule_that_is_accepted() {
    npd_test_support::assert_example_rule_accepted(BIN);
}
