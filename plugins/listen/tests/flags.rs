//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a
//! problem, and nothing is read before they are valid; --help and --max-output.

use crate::util::{ListenHost, BIN};
use npd_test_support::{run, FakeHost};

#[test]
fn bad_values_are_bad_flags() {
    for args in [
        &[][..],
        &["--tcp", "http"],
        &["--tcp", "0"],
        &["--tcp", "65536"],
        &["--udp", "-1"],
        &["--tcp", "localhost:5000"],
        &["--tcp", "::1:5000"],
        &["--udp", "10.0.0.1"],
        &["--tcp", ""],
        &["--tcp", "5000", "--timeout", "soon"],
        &["--tcp", "5000", "--no-such-flag"],
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
fn bad_flags_say_what_is_wrong() {
    let r = run(BIN, &[]);
    assert_eq!(r.line(), "bad flags: nothing to check: give --tcp or --udp");
    let r = run(BIN, &["--udp", "dhcp"]);
    assert_eq!(
        r.line(),
        "bad flags: --udp \"dhcp\": expected PORT, IPV4:PORT or [IPV6]:PORT"
    );
}

#[test]
fn flags_are_checked_before_anything_is_read() {
    let host = FakeHost::new();
    let r = run(
        BIN,
        &["--host-root", host.root(), "--tcp", "5000", "--tcp", "x"],
    );
    assert!(
        r.line().starts_with("bad flags: --tcp \"x\""),
        "{}",
        r.stdout
    );
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::quiet();
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--tcp",
            "5000",
            "--tcp",
            "35357",
            "--max-output",
            "24",
        ],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "no TCP listener on ports\n")
    );
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &["hostPID", "/proc/1/net/tcp", "qdhcp-", "--fail-after 2"],
    );
}
