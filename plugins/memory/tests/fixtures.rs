//! Judgements on host files written by the test, so that the answer is exact:
//! available memory, pressure, and OOM kills counted across runs sharing a state dir.

use crate::util::{MemoryHost, BIN};
use npd_test_support::{run, run_in, FakeHost};

#[test]
fn healthy_host() {
    let host = FakeHost::healthy();
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!((r.code, r.line()), (0, "memory available normal"));
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    assert_eq!((r.code, r.line()), (0, "memory pressure normal"));
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--check",
            "available,psi,oom-kills",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            0,
            "no new OOM kills; memory available normal; memory pressure normal"
        )
    );
}

#[test]
fn little_memory_available_names_the_share_and_the_limit() {
    let host = FakeHost::healthy();
    // 16 GiB, 1 GiB available: 6.25 pct.
    host.meminfo(16 << 20, 1 << 20);
    let r = run(BIN, &["--host-root", host.root(), "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "memory available 6.3 pct < min 10 (1.0 of 16.0 GiB)")
    );
    assert!(r.stderr.contains("MemAvailable 1048576 kB"), "{}", r.stderr);
    let r = run(BIN, &["--host-root", host.root(), "--min-available", "6"]);
    assert_eq!((r.code, r.line()), (0, "memory available normal"));
}

#[test]
fn exactly_at_the_limit_is_not_a_problem() {
    let host = FakeHost::healthy();
    host.meminfo(1000, 100);
    let r = run(BIN, &["--host-root", host.root(), "--min-available", "10"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    host.meminfo(100000, 9999);
    let r = run(BIN, &["--host-root", host.root(), "--min-available", "10"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "memory available 9.99 pct < min 10 (0.0 of 0.1 GiB)")
    );
}

#[test]
fn pressure_full_comes_before_some() {
    let host = FakeHost::healthy();
    host.pressure(72.5, 31.0);
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "memory PSI full avg10 31 pct > max 20 (+1 more)")
    );
    let r = host.run_plugin(BIN, &["--check", "psi", "--max-psi-full", "100"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "memory PSI some avg10 72.5 pct > max 50")
    );
    host.pressure(50.0, 20.0);
    let r = run(BIN, &["--host-root", host.root(), "--check", "psi"]);
    assert_eq!((r.code, r.line()), (0, "memory pressure normal"));
}

#[test]
fn oom_kills_first_run_takes_a_baseline() {
    let host = FakeHost::healthy();
    host.oom_kills(57);
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--check",
        "oom-kills",
        "--explain",
    ];
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"), "{}", r.stderr);
    assert!(r.stderr.contains("baseline taken"), "{}", r.stderr);
    // Nothing happened since.
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"));
    assert!(
        r.stderr.contains("0 since the previous run"),
        "{}",
        r.stderr
    );
}

#[test]
fn oom_kills_since_the_previous_run_are_reported_once() {
    let host = FakeHost::healthy();
    let state = tempfile::tempdir().unwrap();
    let args = ["--host-root", host.root(), "--check", "oom-kills"];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    host.oom_kills(5);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "3 OOM kills since the previous run > max 0 (5 since boot)"
        )
    );
    // The next run starts from 5: the same kills are not news again.
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"));
    host.oom_kills(6);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "1 OOM kill since the previous run > max 0 (6 since boot)"
        )
    );
}

#[test]
fn oom_kills_within_a_tolerance() {
    let host = FakeHost::healthy();
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--check",
        "oom-kills",
        "--max-oom-kills",
        "2",
    ];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    host.oom_kills(4);
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    host.oom_kills(7);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "3 OOM kills since the previous run > max 2 (7 since boot)"
        )
    );
}

#[test]
fn a_counter_that_went_backwards_is_a_reboot_and_a_new_baseline() {
    let host = FakeHost::healthy();
    host.oom_kills(40);
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--check",
        "oom-kills",
        "--explain",
    ];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    host.oom_kills(1);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, "no new OOM kills"));
    assert!(r.stderr.contains("the host rebooted"), "{}", r.stderr);
    host.oom_kills(3);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "2 OOM kills since the previous run > max 0 (3 since boot)"
        )
    );
}

#[test]
fn rules_with_other_flags_keep_their_own_counts() {
    let host = FakeHost::healthy();
    let state = tempfile::tempdir().unwrap();
    let a = ["--host-root", host.root(), "--check", "oom-kills"];
    let b = [
        "--host-root",
        host.root(),
        "--check",
        "oom-kills",
        "--max-oom-kills",
        "1",
    ];
    assert_eq!(run_in(BIN, state.path(), &a).code, 0);
    host.oom_kills(4);
    // b's first run: a baseline, whatever a counted.
    assert_eq!(run_in(BIN, state.path(), &b).code, 0);
    assert_eq!(run_in(BIN, state.path(), &a).code, 1);
}

#[test]
fn a_problem_stands_when_another_check_cannot_read() {
    let host = FakeHost::healthy();
    host.meminfo(16 << 20, 1 << 20);
    std::fs::remove_file(host.path("proc/pressure/memory")).unwrap();
    let r = run(
        BIN,
        &["--host-root", host.root(), "--check", "available,psi"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.line().starts_with("memory available 6.3 pct"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("no PSI: "), "{}", r.stderr);
}
