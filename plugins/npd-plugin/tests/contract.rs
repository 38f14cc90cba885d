//! The contract's guarantees, one by one, checked on a real process: the
//! `contract-fixture` plugin, which misbehaves on request.
//!
//! Where a new test belongs: a guarantee every plugin inherits from `npd_plugin::run`
//! goes here; a plugin's own judgement goes in that plugin's crate.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use npd_test_support::{is_root, run, Invocation, Run};

const FIXTURE: &str = env!("CARGO_BIN_EXE_contract-fixture");

fn fixture(args: &[&str]) -> Run {
    run(FIXTURE, args)
}

#[test]
fn ok_problem_unknown_map_to_0_1_2() {
    assert_eq!(fixture(&["--behave", "ok"]).code, 0);
    assert_eq!(fixture(&["--behave", "problem"]).code, 1);
    let r = fixture(&["--behave", "error", "--message", "cannot read /x"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, "cannot read /x\n"));
}

#[test]
fn an_error_of_kind_problem_is_1_and_debounced_like_a_problem() {
    let r = fixture(&["--behave", "err-problem", "--message", "refused"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "refused\n"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let run = |behave: &str| {
        let r = fixture(&[
            "--behave",
            behave,
            "--message",
            behave,
            "--state-dir",
            dir,
            "--fail-after",
            "2",
            "--state-key",
            "rule",
        ]);
        (r.code, r.stdout.trim_end().to_string())
    };
    assert_eq!(run("ok"), (0, "ok".into()));
    assert_eq!(run("err-problem"), (0, "ok".into()));
    assert_eq!(run("err-problem"), (1, "err-problem".into()));
}

#[test]
fn bad_flags_are_unknown_with_the_reason() {
    let r = fixture(&["--no-such-flag"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.starts_with("bad flags: "), "{}", r.stdout);
    assert!(r.stdout.contains("--no-such-flag"), "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 1);

    let r = fixture(&["--behave", "ok", "--timeout", "soon"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("invalid duration"), "{}", r.stdout);

    let r = fixture(&["--behave", "ok", "--timeout", "0s"]);
    assert_eq!(r.code, 2, "{}", r.stdout);

    // Validation beyond the parser (the plugin's configure step) is bad flags too.
    let r = fixture(&["--behave", "stat"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (2, "bad flags: --behave stat needs --path\n")
    );
}

#[test]
fn a_panic_is_unknown_never_101() {
    let r = fixture(&["--behave", "panic", "--message", "index out of range"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "internal error (panic): index out of range\n");
    assert!(r.stderr.contains("panic at"), "{}", r.stderr);
}

#[test]
fn output_is_one_ascii_line_cut_at_max_output_bytes() {
    let long = "é".repeat(100) + " and more";
    let r = fixture(&["--behave", "problem", "--message", &long]);
    let line = r.stdout.strip_suffix('\n').unwrap();
    assert!(line.is_ascii());
    assert_eq!(line.len(), 80);
    assert_eq!(r.stdout.matches('\n').count(), 1);

    let r = fixture(&[
        "--behave",
        "problem",
        "--message",
        "abc def ghi",
        "--max-output",
        "7",
    ]);
    assert_eq!(r.stdout, "abc def\n");

    let r = fixture(&["--behave", "problem", "--message", "line one\nline two"]);
    assert_eq!(r.stdout, "line one line two\n");
}

#[test]
fn percent_signs_never_reach_npd() {
    let r = fixture(&["--behave", "problem", "--message", "/var 95% full"]);
    assert_eq!(r.stdout, "/var 95 pct full\n");
}

#[test]
fn an_empty_message_still_says_something() {
    let r = fixture(&["--behave", "ok", "--message", ""]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "OK\n"));
}

#[test]
fn the_answer_comes_before_the_timeout_whatever_the_check_does() {
    let started = Instant::now();
    let r = fixture(&["--behave", "sleep", "--timeout", "500ms"]);
    let took = started.elapsed();
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "no answer in 500ms while sleeping on purpose\n");
    assert!(took < Duration::from_millis(900), "took {took:?}");
}

#[test]
fn help_and_version_exit_0_and_help_shows_a_rule() {
    let r = fixture(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Example NPD rule:"));
    assert!(r.stdout.contains("\"path\""));
    assert!(r.stdout.contains("--host-root"));
    let r = fixture(&["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("contract-fixture "), "{}", r.stdout);
}

#[test]
fn explain_goes_to_stderr_and_leaves_stdout_alone() {
    let plain = fixture(&["--behave", "problem", "--message", "m"]);
    let explained = fixture(&["--behave", "problem", "--message", "m", "--explain"]);
    assert_eq!(plain.stdout, explained.stdout);
    assert!(explained.stderr.contains("behaving as Problem"));
    assert!(explained.stderr.contains("answer: NonOK (m)"));
    assert!(!plain.stderr.contains("behaving as"));
}

#[test]
fn lint_args_reports_the_timeout_without_checking() {
    let r = fixture(&["--behave", "sleep", "--timeout", "3s", "--lint-args"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "{\"timeout_ms\":3000}\n"));
    let r = fixture(&["--behave", "bogus", "--lint-args"]);
    assert_eq!(r.code, 2);
}

#[test]
fn debounce_counts_like_failure_and_success_thresholds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    // The test varies the plugin's flags to play the subject's health, so it names the
    // state key; in NPD one rule always passes the same flags.
    let run = |behave: &str| {
        let r = fixture(&[
            "--behave",
            behave,
            "--message",
            behave,
            "--state-dir",
            dir,
            "--fail-after",
            "3",
            "--recover-after",
            "2",
            "--state-key",
            "rule",
        ]);
        (r.code, r.stdout.trim_end().to_string())
    };
    assert_eq!(run("ok"), (0, "ok".into()));
    assert_eq!(run("problem"), (0, "ok".into()));
    assert_eq!(run("problem"), (0, "ok".into()));
    assert_eq!(run("problem"), (1, "problem".into()));
    // Unknown is never held back, and does not count either way.
    assert_eq!(run("error"), (2, "error".into()));
    assert_eq!(run("ok"), (1, "problem".into()));
    assert_eq!(run("ok"), (0, "ok".into()));
    // Health seen again changes nothing: the state is not written again (a rename on
    // the node's disk for every run of every rule).
    use std::os::unix::fs::MetadataExt;
    let file = tmp.path().join("contract-fixture.rule.debounce.json");
    let inode = fs::metadata(&file).unwrap().ino();
    for _ in 0..3 {
        assert_eq!(run("ok"), (0, "ok".into()));
    }
    assert_eq!(fs::metadata(&file).unwrap().ino(), inode);
    // A problem changes it, and counts toward --fail-after as before.
    assert_eq!(run("problem"), (0, "ok".into()));
    assert_ne!(fs::metadata(&file).unwrap().ino(), inode);
}

#[test]
fn debounce_state_is_keyed_by_the_plugin_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let run = |message: &str| {
        fixture(&[
            "--behave",
            "problem",
            "--message",
            message,
            "--state-dir",
            dir,
            "--fail-after",
            "2",
        ])
        .code
    };
    assert_eq!(run("a"), 0);
    assert_eq!(run("b"), 0, "different flags, different counters");
    assert_eq!(run("a"), 1);
    // --state-key lets two spellings share one history.
    let keyed = |message: &str| {
        fixture(&[
            "--behave",
            "problem",
            "--message",
            message,
            "--state-dir",
            dir,
            "--fail-after",
            "2",
            "--state-key",
            "shared",
        ])
        .code
    };
    assert_eq!(keyed("c"), 0);
    assert_eq!(keyed("d"), 1);
}

#[test]
fn a_broken_state_dir_never_hides_a_problem() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the directory should be: it can be neither created nor used.
    let blocked = tmp.path().join("blocked");
    fs::write(&blocked, b"").unwrap();
    let r = fixture(&[
        "--behave",
        "problem",
        "--message",
        "bad",
        "--fail-after",
        "5",
        "--state-dir",
        blocked.to_str().unwrap(),
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "bad\n"));
    assert!(
        r.stderr.contains("answering without debounce"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_corrupt_debounce_state_is_reported_and_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let args = [
        "--behave",
        "problem",
        "--message",
        "bad",
        "--fail-after",
        "3",
        "--state-key",
        "k",
        "--state-dir",
        dir,
    ];
    fs::write(
        tmp.path().join("contract-fixture.k.debounce.json"),
        b"\x00garbage",
    )
    .unwrap();
    let r = fixture(&args);
    assert_eq!(r.code, 1, "undebounced while the state is unreadable");
    assert!(r.stderr.contains("corrupt state"), "{}", r.stderr);
    // Started over: the next problem is the second in a row.
    assert_eq!(fixture(&args).code, 0);
    assert_eq!(fixture(&args).code, 1);
}

#[test]
fn a_read_only_state_dir_degrades_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tmp.path().join("ro");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
    let args = [
        "--behave",
        "problem",
        "--message",
        "bad",
        "--fail-after",
        "2",
        "--state-dir",
        dir.to_str().unwrap(),
    ];
    // Root writes whatever the mode bits say: it tries as nobody.
    let r = if is_root() {
        Invocation::new(FIXTURE, &args).as_nobody().go()
    } else {
        fixture(&args)
    };
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("warning:"), "{}", r.stderr);
}

#[test]
fn a_binary_in_a_tree_closed_to_others_still_runs_as_nobody() {
    if !is_root() {
        npd_test_support::skip(
            "a_binary_in_a_tree_closed_to_others_still_runs_as_nobody",
            "not root",
        );
        return;
    }
    // A clone in root's home (mode 0700) builds its binaries where nobody cannot go.
    let home = tempfile::tempdir().unwrap();
    fs::set_permissions(home.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let bin = home.path().join("contract-fixture");
    fs::copy(FIXTURE, &bin).unwrap();
    let r = Invocation::new(
        bin.to_str().unwrap(),
        &["--behave", "ok", "--message", "ran"],
    )
    .as_nobody()
    .go();
    assert_eq!((r.code, r.line()), (0, "ran"), "{}", r.stderr);
}

#[test]
fn measurement_state_persists_and_its_absence_is_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    assert_eq!(
        fixture(&["--behave", "count", "--state-dir", dir]).stdout,
        "run 1\n"
    );
    assert_eq!(
        fixture(&["--behave", "count", "--state-dir", dir]).stdout,
        "run 2\n"
    );

    let blocked = tmp.path().join("file");
    fs::write(&blocked, b"").unwrap();
    let r = fixture(&[
        "--behave",
        "count",
        "--state-dir",
        blocked.to_str().unwrap(),
    ]);
    assert_eq!(
        r.code, 2,
        "a check that needs state cannot judge without it"
    );
    assert!(r.stdout.starts_with("state dir "), "{}", r.stdout);
}

#[test]
fn host_paths_are_read_under_the_host_root() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("etc")).unwrap();
    fs::write(tmp.path().join("etc/marker"), b"x").unwrap();
    let root = tmp.path().to_str().unwrap();
    let state = tmp.path().join("state");
    let state = state.to_str().unwrap();
    let r = fixture(&[
        "--behave",
        "stat",
        "--path",
        "/etc/marker",
        "--host-root",
        root,
        "--state-dir",
        state,
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = fixture(&[
        "--behave",
        "stat",
        "--path",
        "/etc/absent",
        "--host-root",
        root,
        "--state-dir",
        state,
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("not found"), "{}", r.stdout);
    // HOST_ROOT is the same flag from the environment.
    let r = Invocation::new(
        FIXTURE,
        &[
            "--behave",
            "stat",
            "--path",
            "/etc/marker",
            "--state-dir",
            state,
        ],
    )
    .env("HOST_ROOT", root)
    .go();
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn metrics_dir_gets_a_textfile_per_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics = tmp.path().join("metrics");
    let m = metrics.to_str().unwrap();
    let file = metrics.join("npd-checks-contract-fixture-r1.prom");
    let value = |name: &str| -> f64 {
        let text = fs::read_to_string(&file).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name}{{check=\"contract-fixture\",rule=\"r1\"}}")))
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let common = [
        "--metrics-dir",
        m,
        "--state-key",
        "r1",
        "--timeout",
        "300ms",
    ];
    let with = |behave: &str| {
        let mut args = vec!["--behave", behave];
        args.extend(common);
        fixture(&args)
    };

    assert_eq!(with("problem").code, 1);
    assert_eq!(value("npd_check_status"), 1.0);
    assert_eq!(value("npd_check_timeouts_total"), 0.0);
    let judged = value("npd_check_last_success_timestamp_seconds");
    assert!(judged > 1.6e9);
    assert!(value("npd_check_duration_seconds") < 5.0);

    assert_eq!(with("sleep").code, 2);
    assert_eq!(value("npd_check_status"), 2.0);
    assert_eq!(value("npd_check_timeouts_total"), 1.0);
    assert_eq!(value("npd_check_last_success_timestamp_seconds"), judged);

    assert_eq!(with("sleep").code, 2);
    assert_eq!(value("npd_check_timeouts_total"), 2.0);
    let leftovers = fs::read_dir(&metrics).unwrap().count();
    assert_eq!(leftovers, 1, "only the .prom file, no temporary files");
}

#[test]
fn only_if_exists_judges_where_the_path_is_and_says_so_elsewhere() {
    let host = tempfile::tempdir().unwrap();
    fs::create_dir_all(host.path().join("run/containerd")).unwrap();
    fs::write(host.path().join("run/containerd/containerd.sock"), b"").unwrap();
    std::os::unix::fs::symlink("/run", host.path().join("var-run")).unwrap();
    let root = host.path().to_str().unwrap();
    let gated = |path: &str| {
        fixture(&[
            "--behave",
            "problem",
            "--message",
            "containerd not running",
            "--host-root",
            root,
            "--only-if-exists",
            path,
        ])
    };
    // Present, also through a symlink followed as the host follows it: judged.
    for present in ["/run/containerd/containerd.sock", "/var-run/containerd"] {
        let r = gated(present);
        assert_eq!(
            (r.code, r.line()),
            (1, "containerd not running"),
            "{present}"
        );
    }
    // Absent: OK, with a line that says nothing was judged (and never changes).
    let r = gated("/var/run/crio/crio.sock");
    assert_eq!(
        (r.code, r.line()),
        (0, "not judged: no /var/run/crio/crio.sock on this host")
    );
    let r = gated("run/crio");
    assert_eq!(r.code, 2);
    assert!(r.line().starts_with("bad flags: "), "{}", r.line());
}
