//! Bad flags are Unknown with the reason, never a problem.

use npd_test_support::run;

use crate::util::BIN;

#[test]
fn bad_flags_are_unknown() {
    for args in [
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
    ] {
        let r = run(BIN, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(
            r.line().starts_with("bad flags: "),
            "{args:?}: {}",
            r.stdout
        );
    }
}

#[test]
fn help_shows_an_example_rule() {
    let r = run(BIN, &["--help"]);
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .contains("\"path\": \"/opt/npd-checks/bin/npd-tcp\""));
}
