//! Bad flags are Unknown (exit 2, never a problem), --help documents the plugin,
//! --max-output cuts the line.

use crate::util::{reading, BIN};
use npd_test_support::{assert_bad_flags, run};

#[test]
fn bad_flags_are_unknown() {
    assert_bad_flags(
        BIN,
        &[
            &["--max-esterror", "100"][..],
            &["--max-esterror", "-5ms"],
            &["--max-maxerror", "16s"],
            &["--max-maxerror", "1d"],
            &["--no-such-flag"],
            &["--timeout", "0s"],
            &["--adjtimex-reading", "status=0x40 color=blue"],
        ],
    );
}

#[test]
fn help_has_the_example_rule_and_notes_and_hides_the_seam() {
    let r = run(BIN, &["--help"]);
    assert_eq!(r.code, 0);
    for text in [
        "Example NPD rule:",
        "/opt/npd-checks/bin/npd-clock",
        "--max-esterror",
        "--max-maxerror",
        "--trust-unsync-flag",
        "check_ntp.sh",
        "rtcsync",
        "Exit codes: 0 OK, 1 problem found (NonOK), 2 could not check (Unknown).",
    ] {
        assert!(r.stdout.contains(text), "{text:?} missing from --help");
    }
    assert!(!r.stdout.contains("adjtimex-reading"));
    let rule_start = r.stdout.find("Example NPD rule:\n").unwrap() + 18;
    let rule_end = r.stdout[rule_start..].find("}\n").unwrap() + rule_start + 1;
    let rule: serde_json::Value = serde_json::from_str(&r.stdout[rule_start..rule_end]).unwrap();
    assert_eq!(rule["path"], "/opt/npd-checks/bin/npd-clock");
}

#[test]
fn max_output_cuts_the_line() {
    let r = reading("status=0x40 maxerror=16000000", &["--max-output", "12"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "clock not sy\n");
}

#[test]
fn the_example_rule_of_help_is_accepted() {
    npd_test_support::assert_example_rule_accepted(BIN);
}
