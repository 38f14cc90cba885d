//! A FUSE mount that never answers (tests/fixtures/hangfs.py at the repository's
//! top): npd-file answers by --timeout with stdout closed, and repeated runs leave at
//! most one stuck helper. Needs root, FUSE and python3-fusepy.

use std::time::{Duration, Instant};

use npd_test_support::{run_in, stuck_processes, HungMount};

use crate::util::BIN;

/// Beyond --timeout: process start, the answer, the test's own scheduling.
const MARGIN: Duration = Duration::from_millis(400);

#[test]
fn a_file_on_a_hung_mount_is_unknown_in_time_with_at_most_one_stuck_helper() {
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
