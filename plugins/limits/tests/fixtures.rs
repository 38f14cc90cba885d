//! Judgements on kernel files the test writes itself: each limit healthy and exceeded,
//! thresholds strictly greater-than, several problems, conntrack not loaded, debounce.

use crate::util::{LimitsHost, BIN, PID_MAX, THREADS_MAX};
use npd_test_support::{run, run_in, FakeHost};

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, args)
}

#[test]
fn a_healthy_host_is_ok_with_a_stable_message() {
    let host = FakeHost::healthy();
    assert_eq!(
        answer(&host, &[]),
        (0, "PID, thread and file handle usage is normal".into())
    );
    assert_eq!(
        answer(&host, &["--check", "conntrack"]),
        (0, "conntrack usage is normal".into())
    );
    // A different load says the same thing: NPD would patch the Node otherwise.
    host.tasks(9000)
        .file_nr(900_000, 2466174)
        .conntrack(200_000, 262144);
    assert_eq!(
        answer(&host, &["--check", "pids,threads,files,conntrack"]),
        (
            0,
            "PID, thread, file handle and conntrack usage is normal".into()
        )
    );
}

#[test]
fn pids_over_the_threshold_of_pid_max() {
    let host = FakeHost::healthy();
    host.tasks(24000);
    assert_eq!(
        answer(&host, &["--check", "pids"]),
        (1, "PIDs 73.2 pct of pid_max 32768 > 70".into())
    );
    assert_eq!(
        answer(&host, &["--check", "pids", "--max-pids-used", "75"]).0,
        0
    );
}

#[test]
fn threads_over_the_threshold_of_threads_max() {
    let host = FakeHost::healthy();
    host.write(PID_MAX, "4194304\n").tasks(150_000);
    assert_eq!(
        answer(&host, &[]),
        (1, "threads 77.8 pct of threads-max 192729 > 70".into())
    );
}

#[test]
fn file_handles_over_the_threshold_of_file_max() {
    let host = FakeHost::healthy();
    host.file_nr(2_000_000, 2466174);
    assert_eq!(
        answer(&host, &["--check", "files"]),
        (1, "file handles 81.1 pct of file-max 2466174 > 70".into())
    );
    // systemd's file-max: never near.
    host.file_nr(2_000_000, i64::MAX as u64);
    assert_eq!(answer(&host, &["--check", "files"]).0, 0);
}

#[test]
fn conntrack_over_the_threshold_of_nf_conntrack_max() {
    let host = FakeHost::healthy();
    host.conntrack(249_037, 262144);
    assert_eq!(
        answer(&host, &["--check", "conntrack"]),
        (1, "conntrack 95 pct of nf_conntrack_max 262144 > 90".into())
    );
    // 249037 of 262144 is a hair over 95: the message shows it.
    assert_eq!(
        answer(
            &host,
            &["--check", "conntrack", "--max-conntrack-used", "95%"],
        ),
        (
            1,
            "conntrack 95.0001 pct of nf_conntrack_max 262144 > 95".into()
        )
    );
    assert_eq!(
        answer(
            &host,
            &["--check", "conntrack", "--max-conntrack-used", "96"]
        )
        .0,
        0
    );
}

#[test]
fn exactly_at_the_threshold_is_not_a_problem() {
    let host = FakeHost::healthy();
    host.tasks(700).write(PID_MAX, "1000\n");
    assert_eq!(answer(&host, &["--check", "pids"]).0, 0);
    host.tasks(701);
    assert_eq!(
        answer(&host, &["--check", "pids"]),
        (1, "PIDs 70.1 pct of pid_max 1000 > 70".into())
    );
    // Rounding must not print "70 pct > 70".
    host.tasks(70_001).write(PID_MAX, "100000\n");
    assert_eq!(
        answer(&host, &["--check", "pids"]),
        (1, "PIDs 70.001 pct of pid_max 100000 > 70".into())
    );
}

#[test]
fn several_problems_name_the_fullest_first() {
    let host = FakeHost::healthy();
    host.tasks(25000)
        .write(THREADS_MAX, "30000\n")
        .file_nr(1_800_000, 2466174)
        .conntrack(262_144, 262144);
    assert_eq!(
        answer(&host, &["--check", "pids,threads,files,conntrack"]),
        (
            1,
            "conntrack 100 pct of nf_conntrack_max 262144 > 90 (+3 more)".into()
        )
    );
    assert_eq!(
        answer(&host, &["--check", "pids", "--check", "threads"]),
        (
            1,
            "threads 83.3 pct of threads-max 30000 > 70 (+1 more)".into()
        )
    );
}

#[test]
fn conntrack_not_loaded_is_ok_when_asked_for() {
    let host = FakeHost::without_conntrack();
    assert_eq!(
        answer(&host, &["--check", "conntrack"]),
        (0, "conntrack not loaded".into())
    );
    assert_eq!(
        answer(&host, &["--check", "files,conntrack"]),
        (
            0,
            "file handle usage is normal; conntrack not loaded".into()
        )
    );
    // Not asked for: never looked at.
    assert_eq!(answer(&host, &[]).0, 0);
}

#[test]
fn explain_prints_every_value_and_rule() {
    let host = FakeHost::healthy();
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--check",
            "pids,threads,files,conntrack",
            "--explain",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    npd_test_support::assert_says(
        &r.stderr,
        &[
            "3104 tasks",
            "pid_max: 32768",
            "threads-max: 192729",
            "12409 allocated, 0 unused, file-max 2466174",
            "nf_conntrack_count: 1000",
            "nf_conntrack_max: 262144",
            "pids: 3104 of pid_max 32768 = 9.5 pct, --max-pids-used > 70: ok",
            "conntrack: 1000 of nf_conntrack_max 262144 = 0.4 pct, --max-conntrack-used > 90: ok",
        ],
    );
    assert_eq!(
        r.line(),
        "PID, thread, file handle and conntrack usage is normal"
    );
}

#[test]
fn fail_after_needs_consecutive_bad_samples() {
    let host = FakeHost::healthy();
    host.conntrack(250_000, 262144);
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--check",
        "conntrack",
        "--fail-after",
        "3",
    ];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    let third = run_in(BIN, state.path(), &args);
    assert_eq!(
        (third.code, third.line()),
        (1, "conntrack 95.4 pct of nf_conntrack_max 262144 > 90")
    );
}
