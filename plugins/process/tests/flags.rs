//! Flags: anything wrong with them is Unknown (exit 2) with the reason, never a problem,
//! and nothing is read before they are valid.

use npd_test_support::{assert_bad_flags, run, FakeHost};

use crate::util::{check, ProcessHost, BIN};

#[test]
fn nothing_to_check_is_bad_flags() {
    let r = run(BIN, &[]);
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "bad flags: nothing to check: give a --name, --cmdline or --max-* flag"
        )
    );
}

#[test]
fn a_bad_pattern_is_bad_flags_with_the_reason() {
    let r = run(BIN, &["--cmdline", "python (nova"]);
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "bad flags: --cmdline \"python (nova\": found open group without closing ')'"
        )
    );
    let r = run(BIN, &["--cmdline", "[z-a]"]);
    assert_eq!(r.code, 2);
    assert!(
        r.line().starts_with("bad flags: --cmdline \"[z-a]\": "),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_values_are_bad_flags() {
    assert_bad_flags(
        BIN,
        &[
            &["--name", "kubelet", "--min", "one"][..],
            &["--name", "kubelet", "--max", "-1"],
            &["--max-zombies", "many"],
            &["--name", "kubelet", "--min", "2", "--max", "1"],
            &["--name", "/usr/bin/kubelet"],
            &["--name", ""],
            &["--name", "kubelet", "--no-such-flag"],
            &["--name", "kubelet", "--timeout", "soon"],
            &["--name", "kubelet", "--max-restarts", "3"],
            &["--name", "kubelet", "--within", "30m"],
            &["--max-restarts", "3", "--within", "30m"],
            &["--name", "kubelet", "--max-restarts", "3", "--within", "30"],
            &[
                "--name",
                "kubelet",
                "--max-restarts",
                "-1",
                "--within",
                "30m",
            ],
            &["--max-d-state-for", "0s"],
            &["--max-d-state-for", "5 minutes"],
            &["--max-d-state-for", "5m", "--d-state-of", "some"],
            &["--max-d-state-for", "5m", "--d-state-of", "selected"],
            &["--max-zombies", "1", "--d-state-of", "all"],
        ],
    );
}

#[test]
fn flags_are_checked_before_proc_is_read() {
    let host = FakeHost::new();
    let r = check(&host, &["--cmdline", "("]);
    assert!(r.line().starts_with("bad flags: "), "{}", r.stdout);
}

#[test]
fn the_line_is_cut_at_max_output() {
    let host = FakeHost::with_proc();
    host.process(1, "systemd", &["/sbin/init"]);
    let r = check(
        &host,
        &["--name", "kube-controller-manager", "--max-output", "30"],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "kube-controller-manager not ru\n")
    );
    // Never a '%', whatever the pattern holds: NPD reads the line as a format string.
    let r = check(&host, &["--cmdline", "100%"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/100 pct / not running (0 < min 1)")
    );
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(
        BIN,
        &[
            "--max-zombies 19",
            "--max-restarts 3 --within 30m",
            "hung-task",
            "--fail-after 2",
        ],
    );
}
