//! A FUSE mount that never answers (tests/fixtures/hangfs.py at the repository's
//! top): npd-file answers by --timeout with stdout closed, and repeated runs leave at
//! most one stuck helper. Needs root, FUSE and python3-fusepy.

use std::time::{Duration, Instant};

use npd_test_support::{one_at_a_time, run_in, stuck_processes, Chroot, HungMount, Invocation};

use crate::util::BIN;

/// Beyond --timeout: process start, the answer, the test's own scheduling.
const MARGIN: Duration = Duration::from_millis(400);

#[test]
fn a_file_on_a_hung_mount_is_unknown_in_time_with_at_most_one_stuck_helper() {
    let _turn = one_at_a_time();
    let Some(mount) = HungMount::start("hung-mount test") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let file = format!("{}/heartbeat", mount.name());
    let args = [
        "--path",
        file.as_str(),
        "--problem-if-older-than",
        "10m",
        "--timeout",
        "1s",
        "--host-root",
        "/",
    ];
    for round in 0..3 {
        let r = run_in(BIN, state.path(), &args);
        assert_eq!(r.code, 2, "round {round}: {} / {}", r.line(), r.stderr);
        assert!(
            r.line().starts_with("no answer in 1s from fuse"),
            "{}",
            r.line()
        );
        assert!(
            r.took < Duration::from_secs(1) + MARGIN,
            "round {round} took {:?}",
            r.took
        );
        assert!(
            stuck_processes("npd-file") <= 1,
            "round {round} left a second stuck helper"
        );
    }
    drop(mount);
    let deadline = Instant::now() + Duration::from_secs(5);
    while stuck_processes("npd-file") > 0 {
        assert!(
            Instant::now() < deadline,
            "helper still stuck after unmount"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A hung mount that neither PID 1's table nor the test's own lists (made in a mount
/// namespace of its own), and a chroot without /proc where no mount can be identified
/// at all: npd-file answers in time either way, and a local file beside the hung one is
/// still judged.
#[test]
fn a_hung_mount_no_table_lists_is_unknown_in_time() {
    let _turn = one_at_a_time();
    let Some(mount) = HungMount::start_private("private-namespace hung-mount test") else {
        return;
    };
    let file = format!("{}/heartbeat", mount.name());
    let args = ["--path", &file, "--problem-if-missing", "--timeout", "1s"];
    let r = mount.join(Invocation::new(BIN, &args)).go();
    assert_eq!(r.code, 2, "{}", r.line());
    assert!(
        r.line().starts_with("no answer in 1s from fuse mount"),
        "{}",
        r.line()
    );
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);

    let Some(root) = Chroot::new("chroot hung-mount test", BIN, &["/mnt/hung", "/etc"], false)
    else {
        return;
    };
    std::fs::write(root.path("/etc/flag"), b"").unwrap();
    let Some(_hung) = HungMount::start_at("chroot hung-mount test", &root.path("/mnt/hung")) else {
        return;
    };
    let hung = [
        "--path",
        "/mnt/hung/beat",
        "--problem-if-missing",
        "--timeout",
        "1s",
    ];
    let state = ["--state-dir", "/state"];
    let r = root.invocation(&[&hung[..], &state].concat()).go();
    assert_eq!(r.code, 2, "{}", r.line());
    assert!(
        r.line().starts_with("no answer in 1s from mount"),
        "{}",
        r.line()
    );
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
    let flag = [
        "--path",
        "/etc/flag",
        "--problem-if-exists",
        "--timeout",
        "1s",
    ];
    let r = root.invocation(&[&flag[..], &state].concat()).go();
    assert_eq!((r.code, r.line()), (1, "/etc/flag exists"), "{}", r.stderr);
}
