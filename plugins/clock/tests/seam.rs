//! Judgements on kernel readings the test chooses, through the hidden
//! `--adjtimex-reading` flag (fields as in `struct timex`, errors in microseconds).

use crate::util::{reading, BIN};
use npd_test_support::{assert_one_npd_line, run_in};

#[test]
fn a_synchronized_clock_is_ok_with_a_stable_message() {
    // chrony with rtcsync: PLL and NANO set, small errors.
    let a = reading("status=0x2001 maxerror=35000 esterror=420", &[]);
    let b = reading("status=0x2001 maxerror=812000 esterror=90000", &[]);
    assert_eq!((a.code, a.line()), (0, "clock is synchronized"));
    assert_eq!(b.line(), a.line(), "an OK message carries no numbers");
    assert_one_npd_line(&a, 80);
}

#[test]
fn chrony_without_rtcsync_keeps_the_flag_set_and_is_still_synchronized() {
    let r = reading("status=0x2041 maxerror=35000 esterror=420", &[]);
    assert_eq!(
        (r.code, r.line()),
        (0, "clock is synchronized"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_flag_alone_is_a_problem_when_trusted() {
    let r = reading(
        "status=0x41 maxerror=35000 esterror=420",
        &["--trust-unsync-flag"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.line(),
        "clock not synchronized: kernel flag STA_UNSYNC set"
    );
}

#[test]
fn time_error_without_the_unsync_bit_is_an_error_state_when_trusted() {
    // PPS time discipline requested but no PPS signal: the kernel answers TIME_ERROR.
    let r = reading(
        "ret=5 status=0x0005 maxerror=1000 esterror=10",
        &["--trust-unsync-flag"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.line(), "clock in error state (TIME_ERROR, status 0x0005)");
    let r = reading("ret=5 status=0x0005 maxerror=1000 esterror=10", &[]);
    assert_eq!(r.code, 0, "{}", r.line());
}

#[test]
fn maxerror_at_the_kernel_limit_is_unsynchronized() {
    // What a booting kernel, a stopped daemon after 9 hours, or chrony without
    // sources shows.
    let r = reading("ret=5 status=0x40 maxerror=16000000 esterror=16000000", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.line(), "clock not synchronized: maxerror 16s >= 16s");
    assert_one_npd_line(&r, 80);
    // Even with the flag cleared (a daemon that set a huge maxerror).
    let r = reading("status=0x1 maxerror=16500000", &[]);
    assert_eq!(r.line(), "clock not synchronized: maxerror 16.5s >= 16s");
}

#[test]
fn errors_above_their_limits() {
    let r = reading("status=0x2001 maxerror=35000 esterror=250000", &[]);
    assert_eq!(
        (r.code, r.line()),
        (1, "clock estimated error 250ms > 100ms")
    );
    let r = reading("status=0x1 maxerror=7200000 esterror=0", &[]);
    assert_eq!((r.code, r.line()), (1, "clock max error 7.2s > 5s"));
    let r = reading("status=0x1 maxerror=7200000 esterror=300000", &[]);
    assert_eq!(r.line(), "clock max error 7.2s > 5s (+1 more)");
}

#[test]
fn limits_are_strictly_greater_and_can_be_changed_or_off() {
    let at = "status=0x1 maxerror=5000000 esterror=100000";
    assert_eq!(reading(at, &[]).code, 0);
    let r = reading(at, &["--max-esterror", "50ms", "--max-maxerror", "2s"]);
    assert_eq!(r.line(), "clock max error 5s > 2s (+1 more)");
    let r = reading(at, &["--max-esterror", "off", "--max-maxerror", "off"]);
    assert_eq!(r.code, 0);
}

#[test]
fn a_failing_syscall_is_unknown() {
    let r = reading("errno=1", &[]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.line(),
        "adjtimex failed: permission denied (a seccomp profile that forbids it?)"
    );
}

#[test]
fn a_nonsensical_reading_is_unknown() {
    let r = reading("status=0x1 maxerror=-5", &[]);
    assert_eq!(r.code, 2, "{}", r.line());
    assert!(r.line().contains("negative"), "{}", r.line());
}

#[test]
fn explain_prints_every_field_and_the_rule() {
    let r = reading(
        "status=0x2001 maxerror=35000 esterror=420 offset=-1200 freq=655360",
        &["--explain"],
    );
    assert_eq!(r.code, 0);
    for text in [
        "state TIME_OK (0)",
        "status 0x2001 (PLL,NANO)",
        "maxerror 35000us",
        "esterror 420us",
        "offset -1200ns",
        "freq 10.000 ppm",
        "maxerror >= 16s",
        "maxerror > 5s or esterror > 100ms",
    ] {
        assert!(
            r.stderr.contains(text),
            "{text:?} missing from:\n{}",
            r.stderr
        );
    }
    assert_eq!(r.stdout, "clock is synchronized\n");
}

#[test]
fn fail_after_holds_back_one_bad_sample() {
    let state = tempfile::tempdir().unwrap();
    let bad = "status=0x40 maxerror=16000000";
    let good = "status=0x1 maxerror=1000";
    let run = |fields: &str| {
        run_in(
            BIN,
            state.path(),
            &[
                "--adjtimex-reading",
                fields,
                "--fail-after",
                "2",
                "--state-key",
                "k",
            ],
        )
    };
    assert_eq!(run(bad).code, 0, "one unsynchronized sample is not enough");
    assert_eq!(run(good).code, 0);
    assert_eq!(run(bad).code, 0);
    let r = run(bad);
    assert_eq!(
        (r.code, r.line()),
        (1, "clock not synchronized: maxerror 16s >= 16s")
    );
}
