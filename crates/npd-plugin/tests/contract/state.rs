//! What a plugin remembers between runs: debounce counts keyed by its flags, state
//! dirs that are broken, corrupt or read-only, measurements kept across runs, and a
//! binary run as nobody.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::{fixture, FIXTURE};
use npd_test_support::{is_root, Invocation};

#[test]
fn debounce_counts_like_failure_and_success_thresholds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let run = |behave: &str| {
        crate::debounced(dir, &["--fail-after", "3", "--recover-after", "2"], behave)
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
