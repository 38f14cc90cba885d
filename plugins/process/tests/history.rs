//! Checks that compare runs (restart loops, D state) on fake process tables: several
//! runs share one state dir, and the test moves the host's clock (`uptime`) and boot
//! (`boot_id`) between them.

use std::fs;
use std::path::Path;

use npd_test_support::{FakeHost, Run};

use crate::util::{check_in, ProcessHost};

const BOOT: &str = "4a1f6c2e-0d3b-4e8a-9c1f-2b7d5e6f8a90";
const REBOOT: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";

/// A node whose clock stands at `uptime` seconds after boot.
fn node_at(uptime: u64) -> FakeHost {
    let host = FakeHost::with_proc();
    host.process(1, "systemd", &["/sbin/init"])
        .kernel_thread(2, "kthreadd")
        .process(610, "containerd", &["/usr/bin/containerd"])
        .boot(BOOT, uptime);
    host
}

fn d_state(state: &Path, host: &FakeHost, extra: &[&str]) -> Run {
    let mut flags = vec!["--max-d-state-for", "5m"];
    flags.extend_from_slice(extra);
    check_in(state, host, &flags)
}

fn restarts(state: &Path, host: &FakeHost) -> Run {
    check_in(
        state,
        host,
        &[
            "--name",
            "kubelet",
            "--min",
            "0",
            "--max-restarts",
            "3",
            "--within",
            "30m",
        ],
    )
}

const D_OK: &str = "no process stuck in D state";
const RESTARTS_OK: &str = "kubelet not restarting in a loop";

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
    assert!(
        r.stderr.contains("d state: rsync 500 in D for 5m1s"),
        "{}",
        r.stderr
    );
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
    assert!(r.stderr.contains("rebooted"), "{}", r.stderr);
    // Nothing said what it did for the 10 minutes without a run.
    host.boot(REBOOT, 2100);
    let r = d_state(state.path(), &host, &["--explain"]);
    assert_eq!((r.code, r.line()), (0, D_OK));
    assert!(r.stderr.contains("longer than the limit"), "{}", r.stderr);
    host.boot(REBOOT, 2300);
    assert_eq!(d_state(state.path(), &host, &[]).code, 0);
    host.boot(REBOOT, 2401);
    assert_eq!(d_state(state.path(), &host, &[]).code, 1);
}

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
fn an_unusable_state_dir_is_unknown_but_a_problem_still_wins() {
    let host = node_at(1000);
    host.started(700, "kubelet", 'S', 50_000, None);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, b"").unwrap();
    let r = restarts(&file, &host);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line()
            .starts_with("restart counts need state: state dir "),
        "{}",
        r.stdout
    );
    let r = d_state(&file, &host, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line().starts_with("D state durations need state: "),
        "{}",
        r.stdout
    );
    // Another check of the same rule sees a problem: it is the answer.
    let r = check_in(
        &file,
        &host,
        &["--name", "etcd", "--max-restarts", "3", "--within", "30m"],
    );
    assert_eq!((r.code, r.line()), (1, "etcd not running (0 < min 1)"));
    assert!(
        r.stderr.contains("restart counts need state"),
        "{}",
        r.stderr
    );
    // And with nothing wrong elsewhere, the blind check is Unknown, not OK.
    let r = check_in(
        &file,
        &host,
        &[
            "--name",
            "kubelet",
            "--max-restarts",
            "3",
            "--within",
            "30m",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn corrupt_state_is_unknown_once_then_starts_over() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.started(700, "kubelet", 'S', 50_000, None)
        .started(500, "rsync", 'D', 90_000, Some(1));
    let both = |host: &FakeHost| {
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
                "--max-d-state-for",
                "5m",
                "--state-key",
                "both",
            ],
        )
    };
    let r = both(&host);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for purpose in ["starts", "d-state"] {
        let path = state
            .path()
            .join(format!("npd-process.both.{purpose}.json"));
        assert!(path.exists(), "{}", path.display());
        fs::write(&path, b"{\"boot_id\": 7").unwrap();
    }
    let r = both(&host);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.line().starts_with("corrupt state "), "{}", r.stdout);
    assert!(
        r.stderr.contains("D state times start over"),
        "{}",
        r.stderr
    );
    // The kubelet restarted meanwhile: the run after the corrupt one counts it.
    host.remove("proc/700");
    host.boot(BOOT, 1030)
        .started(701, "kubelet", 'S', 102_500, None);
    let r = both(&host);
    assert_eq!(
        (r.code, r.line()),
        (1, "kubelet restarted 1 time in 30m > max 0"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_host_without_boot_id_or_uptime_is_unknown() {
    let state = tempfile::tempdir().unwrap();
    let host = node_at(1000);
    host.remove("proc/sys/kernel/random/boot_id");
    let r = d_state(state.path(), &host, &[]);
    assert_eq!(r.code, 2);
    assert!(r.line().ends_with("/boot_id: not found"), "{}", r.stdout);
    host.boot(BOOT, 1000);
    host.write("proc/uptime", b"soon\n");
    let r = d_state(state.path(), &host, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .ends_with("/proc/uptime: garbage (not seconds since boot)"),
        "{}",
        r.stdout
    );
}
