//! Processes in D state (uninterruptible sleep) across runs: how long counts, what
//! starts the count over (leaving D, a reused PID, a reboot, a long gap), and which
//! kernel threads are judged.

use super::{d_state, node_at, BOOT, D_OK, REBOOT};
use crate::util::ProcessHost;
use npd_test_support::assert_says;

#[test]
fn a_process_in_d_longer_than_the_limit_is_a_problem() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(500, "rsync", 'D', 90_000, Some(10));
    // The first run cannot know since when: it records.
    let r = d_state(state.path(), &host, &[]);
    assert_eq!((r.code, r.line()), (0, D_OK), "{}", r.stderr);
    host.boot(BOOT, 1300);
    assert_eq!(d_state(state.path(), &host, &[]).code, 0);
    host.boot(BOOT, 1301);
    let r = d_state(state.path(), &host, &["--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "rsync 500 in D state for 5m1s > 5m"),
        "{}",
        r.stderr
    );
    assert_says(&r.stderr, &["d state: rsync 500 in D for 5m1s"]);
}

#[test]
fn leaving_d_state_or_running_starts_over() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(500, "rsync", 'D', 90_000, Some(10))
        .started(501, "tar", 'D', 90_000, Some(20));
    d_state(state.path(), &host, &[]);
    // rsync left D for a moment; tar stayed in D but was scheduled (heavy I/O).
    host.boot(BOOT, 1100)
        .started(500, "rsync", 'S', 90_000, Some(11))
        .started(501, "tar", 'D', 90_000, Some(25));
    d_state(state.path(), &host, &[]);
    host.boot(BOOT, 1200)
        .started(500, "rsync", 'D', 90_000, Some(12));
    d_state(state.path(), &host, &[]);
    host.boot(BOOT, 1390);
    let r = d_state(state.path(), &host, &[]);
    assert_eq!((r.code, r.line()), (0, D_OK), "{}", r.stderr);
    host.boot(BOOT, 1501);
    let r = d_state(state.path(), &host, &[]);
    assert_eq!(
        (r.code, r.line()),
        (1, "2 processes in D state > 5m, longest tar 501 for 6m41s")
    );
    // Gone: forgotten.
    host.remove("proc/501");
    host.remove("proc/500");
    host.boot(BOOT, 1530);
    assert_eq!(d_state(state.path(), &host, &[]).line(), D_OK);
}

#[test]
fn a_reused_pid_is_another_process() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(500, "rsync", 'D', 90_000, Some(10));
    d_state(state.path(), &host, &[]);
    host.boot(BOOT, 1200)
        .started(500, "rsync", 'D', 115_000, Some(10));
    d_state(state.path(), &host, &[]);
    host.boot(BOOT, 1400);
    assert_eq!(d_state(state.path(), &host, &[]).code, 0);
    host.boot(BOOT, 1501);
    assert_eq!(
        d_state(state.path(), &host, &[]).line(),
        "rsync 500 in D state for 5m1s > 5m"
    );
}

#[test]
fn kernel_threads_count_unless_only_selected_processes_are_judged() {
    let state = tempfile::tempdir().unwrap();
    let selected = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.kernel_task(300, "jbd2/sda1-8", 'D', 40)
        .started(700, "kubelet", 'D', 95_000, Some(3));
    let only_kubelet = [
        "--name",
        "kubelet",
        "--min",
        "0",
        "--d-state-of",
        "selected",
    ];
    d_state(state.path(), &host, &[]);
    d_state(selected.path(), &host, &only_kubelet);
    host.boot(BOOT, 1200);
    d_state(state.path(), &host, &[]);
    d_state(selected.path(), &host, &only_kubelet);
    host.boot(BOOT, 1400);
    let r = d_state(state.path(), &host, &[]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "2 processes in D state > 5m, longest jbd2/sda1-8 300 for 6m40s"
        )
    );
    let r = d_state(selected.path(), &host, &only_kubelet);
    assert_eq!(
        (r.code, r.line()),
        (1, "kubelet 700 in D state for 6m40s > 5m")
    );
    let r = d_state(
        selected.path(),
        &host,
        &["--name", "containerd", "--d-state-of", "selected"],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "containerd running; containerd not stuck in D state")
    );
}

#[test]
fn a_reboot_or_a_long_gap_only_records() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(500, "rsync", 'D', 90_000, Some(10));
    d_state(state.path(), &host, &[]);
    host.boot(BOOT, 1200);
    d_state(state.path(), &host, &[]);
    // A new boot: the PID and start time are another process's.
    host.boot(REBOOT, 1500);
    let r = d_state(state.path(), &host, &["--explain"]);
    assert_eq!((r.code, r.line()), (0, D_OK));
    assert_says(&r.stderr, &["rebooted"]);
    // Nothing said what it did for the 10 minutes without a run.
    host.boot(REBOOT, 2100);
    let r = d_state(state.path(), &host, &["--explain"]);
    assert_eq!((r.code, r.line()), (0, D_OK));
    assert_says(&r.stderr, &["longer than the limit"]);
    host.boot(REBOOT, 2300);
    assert_eq!(d_state(state.path(), &host, &[]).code, 0);
    host.boot(REBOOT, 2401);
    assert_eq!(d_state(state.path(), &host, &[]).code, 1);
}

#[test]
fn a_quiet_host_leaves_the_kept_file_as_it_is_and_still_times_a_new_wait() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    d_state(state.path(), &host, &[]);
    let kept = || {
        let files: Vec<_> = std::fs::read_dir(state.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".d-state.json"))
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        std::fs::read_to_string(&files[0]).unwrap()
    };
    let first = kept();
    host.boot(BOOT, 1030);
    assert_eq!(d_state(state.path(), &host, &[]).line(), D_OK);
    assert_eq!(kept(), first, "nothing in D before nor now: no rewrite");
    // Long after the kept run, a process enters D: timed from the run that finds it.
    host.boot(BOOT, 2000)
        .started(500, "rsync", 'D', 90_000, Some(10));
    d_state(state.path(), &host, &[]);
    assert_ne!(kept(), first);
    host.boot(BOOT, 2300);
    assert_eq!(d_state(state.path(), &host, &[]).line(), D_OK);
    host.boot(BOOT, 2301);
    assert_eq!(
        d_state(state.path(), &host, &[]).line(),
        "rsync 500 in D state for 5m1s > 5m"
    );
}
