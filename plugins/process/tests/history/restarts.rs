//! Restart loops across runs: restarts counted within the window, forgotten outside
//! it, a PID reused by a restart, and a reboot that resets the count.

use std::fs;

use npd_test_support::FakeHost;

use super::{node_at, restarts, BOOT, REBOOT, RESTARTS_OK};
use crate::util::{check_in, ProcessHost};

#[test]
fn restarts_within_the_window_are_counted() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(700, "kubelet", 'S', 50_000, None);
    // Baseline: the running kubelet is not a restart.
    let r = restarts(state.path(), &host);
    assert_eq!((r.code, r.line()), (0, RESTARTS_OK), "{}", r.stderr);
    for (i, pid) in [701u32, 702, 703, 704].iter().enumerate() {
        host.remove(&format!("proc/{}", pid - 1));
        let now = 1030 + 30 * i as u64;
        host.boot(BOOT, now)
            .started(*pid, "kubelet", 'S', (now - 5) * 100, None);
        let r = restarts(state.path(), &host);
        if i < 3 {
            assert_eq!((r.code, r.line()), (0, RESTARTS_OK), "start {}", i + 1);
        } else {
            assert_eq!(
                (r.code, r.line()),
                (1, "kubelet restarted 4 times in 30m > max 3")
            );
        }
    }
    // The same instance seen again is no start; the first start (at 1025s) leaves
    // the window 30m later.
    host.boot(BOOT, 2824);
    assert_eq!(restarts(state.path(), &host).code, 1);
    host.boot(BOOT, 2826);
    let r = restarts(state.path(), &host);
    assert_eq!((r.code, r.line()), (0, RESTARTS_OK));
}

#[test]
fn restarts_outside_the_window_and_a_pid_reused_by_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(700, "kubelet", 'S', 50_000, None);
    restarts(state.path(), &host);
    // Restarts an hour apart never make 4 within 30m; the last reuses PID 700.
    for (i, pid) in [701u32, 702, 703, 704, 700].iter().enumerate() {
        let now = 1000 + 3600 * (i as u64 + 1);
        for entry in fs::read_dir(host.path("proc")).unwrap() {
            if entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("70")
            {
                fs::remove_dir_all(entry.unwrap().path()).unwrap();
            }
        }
        host.boot(BOOT, now)
            .started(*pid, "kubelet", 'S', (now - 10) * 100, None);
        let r = restarts(state.path(), &host);
        assert_eq!((r.code, r.line()), (0, RESTARTS_OK), "{}", r.stderr);
    }
    let r = check_in(
        state.path(),
        &host,
        &[
            "--name",
            "kubelet",
            "--min",
            "0",
            "--max-restarts",
            "0",
            "--within",
            "2h",
            "--state-key",
            "other",
        ],
    );
    assert_eq!(r.code, 0, "a new key records first");
}

#[test]
fn a_reboot_resets_the_count() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(700, "kubelet", 'S', 50_000, None);
    let strict = |host: &FakeHost| {
        check_in(
            state.path(),
            host,
            &[
                "--name",
                "kubelet",
                "--min",
                "0",
                "--max-restarts",
                "0",
                "--within",
                "30m",
                "--explain",
            ],
        )
    };
    assert_eq!(strict(&host).code, 0);
    // After the reboot, the kubelet started at boot is no restart, though its PID
    // and start time were never seen.
    host.remove("proc/700");
    host.boot(REBOOT, 60)
        .started(650, "kubelet", 'S', 1_000, None);
    let r = strict(&host);
    assert_eq!((r.code, r.line()), (0, RESTARTS_OK), "{}", r.stderr);
    assert!(r.stderr.contains("rebooted"), "{}", r.stderr);
    // Counting goes on from there.
    host.remove("proc/650");
    host.boot(REBOOT, 90)
        .started(651, "kubelet", 'S', 8_500, None);
    let r = strict(&host);
    assert_eq!(
        (r.code, r.line()),
        (1, "kubelet restarted 1 time in 30m > max 0")
    );
}

#[test]
fn a_steady_process_leaves_the_kept_file_as_it_is() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(700, "kubelet", 'S', 50_000, None);
    restarts(state.path(), &host);
    let kept = || {
        let files: Vec<_> = fs::read_dir(state.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".starts.json"))
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        fs::read_to_string(&files[0]).unwrap()
    };
    let first = kept();
    host.boot(BOOT, 1030);
    assert_eq!(restarts(state.path(), &host).line(), RESTARTS_OK);
    assert_eq!(kept(), first, "the same instance: no rewrite");
    // A restart is kept, and counted at the next runs.
    host.remove("proc/700");
    host.boot(BOOT, 1060)
        .started(701, "kubelet", 'S', 105_500, None);
    restarts(state.path(), &host);
    assert_ne!(kept(), first);
    assert!(kept().contains("[1055000]"), "{}", kept());
}
