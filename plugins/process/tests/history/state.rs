//! The state the history checks keep: an unusable state dir (Unknown, but a problem
//! still wins), corrupt state (Unknown once, then a fresh start), and a host without
//! boot_id or uptime.

use std::fs;

use npd_test_support::FakeHost;

use super::{d_state, node_at, restarts, BOOT};
use crate::util::{check_in, ProcessHost};

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
