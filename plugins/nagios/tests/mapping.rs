//! Nagios verdicts to NPD verdicts.

use npd_test_support::run;

use crate::util::{check_dummy, Script, BIN};

#[test]
fn check_dummy_gives_every_verdict() {
    let Some(dummy) = check_dummy("check_dummy_gives_every_verdict") else {
        return;
    };
    for (state, code, line) in [
        ("0", 0, "check_dummy OK"),
        ("1", 0, "check_dummy OK"),
        ("2", 1, "CRITICAL: disk on fire"),
        ("3", 2, "UNKNOWN: disk on fire"),
    ] {
        let r = run(BIN, &["--", &dummy, state, "disk on fire"]);
        assert_eq!((r.code, r.line()), (code, line), "state {state}");
    }
    let r = run(BIN, &["--warning-is-problem", "--", &dummy, "1", "almost"]);
    assert_eq!((r.code, r.line()), (1, "WARNING: almost"));
    let r = run(BIN, &["--keep-ok-output", "--", &dummy, "0", "fine"]);
    assert_eq!((r.code, r.line()), (0, "OK: fine"));
    // check_dummy's own usage error is its UNKNOWN.
    let r = run(BIN, &["--", &dummy, "7"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn perfdata_and_further_lines_are_dropped_and_percent_never_survives() {
    let s = Script::new("echo 'CRITICAL - / 97% used | /=97%;90;95'\necho 'long text'\nexit 2");
    let r = run(BIN, &["--", s.path()]);
    assert_eq!((r.code, r.line()), (1, "CRITICAL - / 97 pct used"));
}

#[test]
fn other_codes_signals_and_silence_are_unknown_or_named() {
    let s = Script::new("exit 4");
    let r = run(BIN, &["--", s.path()]);
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "check_script exited 4: check_script ? (exit 4) without output"
        )
    );
    let s = Script::new("kill -9 $$");
    let r = run(BIN, &["--", s.path()]);
    assert_eq!((r.code, r.line()), (2, "check_script killed by signal 9"));
    let s = Script::new("exit 2");
    let r = run(BIN, &["--", s.path()]);
    assert_eq!(
        (r.code, r.line()),
        (1, "check_script CRITICAL (exit 2) without output")
    );
}

#[test]
fn a_flood_of_output_is_cut_to_one_line() {
    let s = Script::new("head -c 3000000 /dev/zero | tr '\\0' x; echo; exit 2");
    let r = run(BIN, &["--", s.path()]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout.len(), 81);
}
