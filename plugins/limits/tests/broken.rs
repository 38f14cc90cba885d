//! Kernel files that are missing, unreadable, empty or garbled, a conntrack that is
//! half there, another network namespace: Unknown (exit 2) naming the file, never a
//! problem; except that a limit seen exhausted is still reported.

use crate::util::{LimitsHost, BIN, CT_COUNT, CT_MAX, FILE_NR, LOADAVG, PID_MAX, THREADS_MAX};
use npd_test_support::Broken::{Directory, Empty, Garbage, Missing, Unreadable};
use npd_test_support::Says::{Line, Part, Start};
use npd_test_support::{assert_broken, assert_read_times_out, assert_says, run, FakeHost};

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, args)
}

/// The flags of every broken-file test: `check`, and the whole line.
fn full(check: &str) -> [&str; 4] {
    ["--check", check, "--max-output", "400"]
}

#[test]
fn missing_files_are_unknown_naming_the_file() {
    for (rel, check) in [
        (LOADAVG, "pids"),
        (PID_MAX, "pids"),
        (THREADS_MAX, "threads"),
        (FILE_NR, "files"),
    ] {
        let host = FakeHost::healthy();
        let line = format!("cannot read {}: not found", host.path(rel).display());
        assert_broken(BIN, &host, rel, Missing, &full(check), Line(&line));
    }
}

#[test]
fn a_root_without_proc_is_unknown() {
    let host = FakeHost::new();
    assert_eq!(answer(&host, &[]).0, 2);
    // Conntrack must not take a wrong root for a missing module.
    let (code, line) = answer(&host, &["--check", "conntrack", "--max-output", "400"]);
    assert_eq!(
        (code, line),
        (
            2,
            format!(
                "cannot read {}: not found",
                host.path("proc/sys/net").display()
            )
        )
    );
}

#[test]
fn unreadable_files_are_unknown() {
    // Root reads whatever the mode bits say; a directory fails for everyone.
    for (rel, check) in [
        (LOADAVG, "threads"),
        (PID_MAX, "pids"),
        (FILE_NR, "files"),
        (CT_COUNT, "conntrack"),
        (CT_MAX, "conntrack"),
    ] {
        let host = FakeHost::healthy();
        let line = format!("cannot read {}: is a directory", host.path(rel).display());
        assert_broken(BIN, &host, rel, Directory, &full(check), Line(&line));
    }
}

#[test]
fn empty_files_are_unknown() {
    for (rel, check) in [
        (LOADAVG, "pids"),
        (THREADS_MAX, "threads"),
        (FILE_NR, "files"),
        (CT_COUNT, "conntrack"),
        (CT_MAX, "conntrack"),
    ] {
        let host = FakeHost::healthy();
        let line = format!("{} is empty", host.path(rel).display());
        assert_broken(BIN, &host, rel, Empty, &full(check), Line(&line));
    }
}

#[test]
fn garbage_is_unknown() {
    for (rel, text, check) in [
        (LOADAVG, "0.1 0.2 0.3\n", "pids"),
        (LOADAVG, "0.1 0.2 0.3 2/lots 5\n", "pids"),
        (PID_MAX, "many\n", "pids"),
        (PID_MAX, "-1\n", "pids"),
        (THREADS_MAX, "1e6\n", "threads"),
        (FILE_NR, "12409 0\n", "files"),
        (FILE_NR, "12409 0 x\n", "files"),
        (CT_COUNT, "1000 entries\n", "conntrack"),
        (CT_MAX, "\u{fffd}\u{fffd}\n", "conntrack"),
    ] {
        let host = FakeHost::healthy();
        let start = format!("{}: expected ", host.path(rel).display());
        let garbage = Garbage(text.as_bytes());
        assert_broken(BIN, &host, rel, garbage, &full(check), Start(&start));
    }
}

#[test]
fn a_limit_of_zero_is_unknown_not_an_infinite_share() {
    for (rel, text, check) in [
        (PID_MAX, "0\n", "pids"),
        (THREADS_MAX, "0\n", "threads"),
        (FILE_NR, "100 0 0\n", "files"),
    ] {
        let host = FakeHost::healthy();
        let part = Part("of 0 makes no sense");
        assert_broken(
            BIN,
            &host,
            rel,
            Garbage(text.as_bytes()),
            &full(check),
            part,
        );
    }
}

#[test]
fn a_conntrack_max_of_zero_is_no_limit() {
    // The kernel enforces nf_conntrack_max only when it is not 0.
    let host = FakeHost::healthy();
    host.conntrack(5_000_000, 0);
    assert_eq!(
        answer(&host, &["--check", "conntrack"]),
        (0, "conntrack usage is normal".into())
    );
}

#[test]
fn conntrack_half_there_is_unknown() {
    let host = FakeHost::healthy();
    host.remove(CT_MAX);
    let (code, line) = answer(&host, &["--check", "conntrack", "--max-output", "400"]);
    assert_eq!(
        (code, line),
        (
            2,
            format!("cannot read {}: not found", host.path(CT_MAX).display())
        )
    );
    let host = FakeHost::healthy();
    host.remove(CT_COUNT);
    let (code, line) = answer(&host, &["--check", "conntrack", "--max-output", "400"]);
    assert_eq!(
        (code, line),
        (
            2,
            format!("{} without nf_conntrack_count", host.path(CT_MAX).display())
        )
    );
}

#[test]
fn an_exhausted_limit_is_reported_even_when_another_cannot_be_read() {
    let host = FakeHost::healthy();
    host.tasks(30000).unreadable(THREADS_MAX);
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(
        (r.code, r.line()),
        (1, "PIDs 91.6 pct of pid_max 32768 > 70")
    );
    assert_says(&r.stderr, &["also could not check"]);
    // Without a problem, the blind spot makes the answer Unknown.
    host.tasks(3000);
    assert_eq!(run(BIN, &["--host-root", host.root()]).code, 2);
}

#[test]
fn conntrack_of_a_fixture_tree_is_judged_without_comparing_namespaces() {
    // A fixture's proc/1/net/dev is no namespace's table: nothing to compare.
    let host = FakeHost::healthy();
    host.conntrack(262_144, 262144);
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--check",
            "conntrack",
            "--explain",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_says(&r.stderr, &["network namespaces not compared ("]);
}

#[test]
fn a_file_denied_to_the_reader_is_unknown() {
    let host = FakeHost::healthy();
    let line = format!(
        "cannot read {}: permission denied",
        host.path(FILE_NR).display()
    );
    assert_broken(BIN, &host, FILE_NR, Unreadable, &full("files"), Line(&line));
}

#[test]
fn binary_garbage_is_unknown() {
    let host = FakeHost::healthy();
    let start = format!("cannot read {}: ", host.path(PID_MAX).display());
    let garbage = Garbage(b"\xff\xfe\x00\x01");
    assert_broken(BIN, &host, PID_MAX, garbage, &full("pids"), Start(&start));
    // A file far larger than any sysctl is garbage too.
    host.write(FILE_NR, "1 ".repeat(10_000));
    let (code, line) = answer(&host, &["--check", "files", "--max-output", "400"]);
    assert_eq!(code, 2, "{line}");
}

#[test]
fn a_read_that_never_returns_is_unknown_by_the_timeout() {
    assert_read_times_out(BIN, &FakeHost::healthy(), LOADAVG, &[]);
}
