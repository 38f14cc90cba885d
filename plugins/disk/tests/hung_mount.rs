//! A mount that never answers (a FUSE filesystem whose daemon blocks every call):
//! npd-disk reports it in time, its stdout reaches end of file (no stuck helper holds
//! it), and repeated runs leave at most one stuck helper. Needs root and FUSE; in CI it
//! must run, elsewhere it warns and skips.

mod common;

use std::time::{Duration, Instant};

use common::BIN;
use npd_test_support::{run, stuck_processes, HungMount};

/// What a run may take beyond its --timeout: process start, the answer, the test's
/// own scheduling.
const MARGIN: Duration = Duration::from_millis(400);

#[test]
fn a_hung_mount_is_reported_in_time_with_at_most_one_stuck_helper() {
    let Some(mount) = HungMount::start("hung-mount test") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--path",
        mount.name(),
        "--path",
        "/",
        "--timeout",
        "1s",
        "--state-dir",
        state.path().to_str().unwrap(),
        "--host-root",
        "/",
    ];
    let want = format!("{} not responding after 1s", mount.name());
    for round in 0..3 {
        let r = run(BIN, &args);
        assert_eq!(
            (r.code, r.line()),
            (1, want.as_str()),
            "round {round}: {}",
            r.stderr
        );
        // `took` runs until stdout reached end of file.
        assert!(
            r.took < Duration::from_secs(1) + MARGIN,
            "round {round} took {:?}",
            r.took
        );
        assert!(
            stuck_processes("npd-disk") <= 1,
            "round {round} left a second stuck helper"
        );
    }
    assert_eq!(stuck_processes("npd-disk"), 1);
    let markers = std::fs::read_dir(state.path().join("hung"))
        .unwrap()
        .filter(|e| {
            e.as_ref().is_ok_and(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("hung-") && !name.ends_with(".lock")
            })
        })
        .count();
    assert_eq!(markers, 1);

    // Killing the daemon frees the stuck helper.
    drop(mount);
    let deadline = Instant::now() + Duration::from_secs(5);
    while stuck_processes("npd-disk") > 0 {
        assert!(
            Instant::now() < deadline,
            "helper still stuck after unmount"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
