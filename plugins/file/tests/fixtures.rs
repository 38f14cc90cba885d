//! Judgements on host trees the test writes: each rule healthy, each problem, and
//! what is Unknown (missing, unreadable, garbage, empty inputs included).

use std::time::Duration;

use crate::util::{FileHost, BIN};
use npd_test_support::{assert_one_npd_line, is_root, FakeHost, FuseMount, Invocation};

const REBOOT: [&str; 3] = ["--path", "/var/run/reboot-required", "--problem-if-exists"];

fn host_with_var_run() -> FakeHost {
    let h = FakeHost::new();
    h.dir("/run").symlink("/var/run", "/run");
    h
}

#[test]
fn reboot_required_absent_is_ok_with_a_stable_line() {
    let h = host_with_var_run();
    let r = h.run(&REBOOT);
    assert_eq!((r.code, r.line()), (0, "/var/run/reboot-required absent"));
    assert_one_npd_line(&r, 80);
}

#[test]
fn reboot_required_present_through_the_var_run_link() {
    let h = host_with_var_run();
    h.write("/run/reboot-required", b"*** System restart required ***\n");
    let r = h.run(&REBOOT);
    assert_eq!((r.code, r.line()), (1, "/run/reboot-required exists"));
    // Empty, the flag still says the same.
    h.write("/run/reboot-required", b"");
    assert_eq!(h.run(&REBOOT).code, 1);
}

#[test]
fn any_of_several_files_by_wildcard() {
    let h = FakeHost::new();
    h.write("/etc/maint/a.flag", b"")
        .write("/etc/maint/b.flag", b"");
    let r = h.run(&["--path", "/etc/maint/*.flag", "--problem-if-exists"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/etc/maint/a.flag exists (+1 more)")
    );
    let r = h.run(&["--path", "/etc/maint/*.nothing", "--problem-if-missing"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "no file matches /etc/maint/*.nothing")
    );
    let r = h.run(&[
        "--path",
        "/etc/maint/none",
        "--path",
        "/etc/maint/b.*",
        "--problem-if-missing",
    ]);
    assert_eq!(
        (r.code, r.line()),
        (0, "/etc/maint/none or /etc/maint/b.* present")
    );
}

#[test]
fn a_required_file_missing_is_a_problem() {
    let h = FakeHost::new();
    let r = h.run(&[
        "--path",
        "/etc/kubernetes/kubelet.conf",
        "--problem-if-missing",
    ]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/etc/kubernetes/kubelet.conf missing")
    );
    h.write("/etc/kubernetes/kubelet.conf", b"");
    let r = h.run(&[
        "--path",
        "/etc/kubernetes/kubelet.conf",
        "--problem-if-missing",
    ]);
    assert_eq!(
        (r.code, r.line()),
        (0, "/etc/kubernetes/kubelet.conf present")
    );
}

#[test]
fn a_heartbeat_fresh_stale_and_missing() {
    let h = FakeHost::new();
    let args = [
        "--path",
        "/var/lib/backup/heartbeat",
        "--problem-if-older-than",
        "15m",
    ];
    h.write("/var/lib/backup/heartbeat", b"");
    h.age("/var/lib/backup/heartbeat", Duration::from_secs(60));
    let fresh = h.run(&args);
    assert_eq!(
        (fresh.code, fresh.line()),
        (0, "/var/lib/backup/heartbeat modified within 15m")
    );
    h.age("/var/lib/backup/heartbeat", Duration::from_secs(14 * 60));
    assert_eq!(h.run(&args).line(), fresh.line(), "OK lines carry no ages");
    h.age("/var/lib/backup/heartbeat", Duration::from_secs(7800));
    let r = h.run(&args);
    assert_eq!(
        (r.code, r.line()),
        (1, "/var/lib/backup/heartbeat modified 2h10m ago > 15m")
    );
    let h = FakeHost::new();
    let r = h.run(&args);
    assert_eq!((r.code, r.line()), (1, "/var/lib/backup/heartbeat missing"));
    let mut ok = args.to_vec();
    ok.extend(["--if-missing", "ok"]);
    assert_eq!(h.run(&ok).code, 0);
    let mut unknown = args.to_vec();
    unknown.extend(["--if-missing", "unknown"]);
    let r = h.run(&unknown);
    assert_eq!((r.code, r.line()), (2, "/var/lib/backup/heartbeat missing"));
}

#[test]
fn the_newest_of_several_heartbeats_decides() {
    let h = FakeHost::new();
    h.write("/run/beats/a", b"").write("/run/beats/b", b"");
    h.age("/run/beats/a", Duration::from_secs(3600));
    h.age("/run/beats/b", Duration::from_secs(10));
    let args = ["--path", "/run/beats/*", "--problem-if-older-than", "5m"];
    assert_eq!(h.run(&args).code, 0);
    h.age("/run/beats/b", Duration::from_secs(600));
    let r = h.run(&args);
    assert_eq!(
        (r.code, r.line()),
        (1, "/run/beats/b modified 10m ago > 5m")
    );
}

#[test]
fn a_modification_time_in_the_future_is_fresh() {
    let h = FakeHost::new();
    h.write("/beat", b"");
    let f = std::fs::File::options()
        .write(true)
        .open(h.path("/beat"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(3600))
        .unwrap();
    assert_eq!(
        h.run(&["--path", "/beat", "--problem-if-older-than", "1m"])
            .code,
        0
    );
}

#[test]
fn contents_matching_a_pattern() {
    let h = FakeHost::new();
    h.write("/etc/node/status", b"state=ok\nmode=normal\n");
    let args = [
        "--path",
        "/etc/node/status",
        "--problem-if-contains",
        "^state=(failed|degraded)",
    ];
    let r = h.run(&args);
    assert_eq!(
        (r.code, r.line()),
        (
            0,
            "/etc/node/status has no line matching /^state=(failed|degraded)/"
        )
    );
    h.write("/etc/node/status", b"mode=normal\nstate=degraded\n");
    let r = h.run(&args);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "/etc/node/status line 2 matches /^state=(failed|degraded)/"
        )
    );
}

#[test]
fn empty_and_garbage_contents_are_read_as_they_are() {
    let h = FakeHost::new();
    h.write("/f", b"");
    assert_eq!(
        h.run(&["--path", "/f", "--problem-if-contains", "x"]).code,
        0
    );
    h.write("/f", b"\x00\xff\xfe garbage \x01\nERROR 100% bad\n");
    let r = h.run(&["--path", "/f", "--problem-if-contains", "ERROR.*%"]);
    assert_eq!((r.code, r.line()), (1, "/f line 2 matches /ERROR.* pct /"));
    assert_one_npd_line(&r, 80);
}

#[test]
fn a_big_file_is_read_only_up_to_the_limit() {
    let h = FakeHost::new();
    let mut big = b"fine\n".repeat(1000);
    big.extend_from_slice(b"PANIC\n");
    h.write("/log", &big);
    let args = [
        "--path",
        "/log",
        "--problem-if-contains",
        "PANIC",
        "--max-read",
        "1000",
    ];
    let r = h.run(&args);
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "/log: no match in its first 1000 bytes, more not read (--max-read)"
        )
    );
    let r = h.run(&["--path", "/log", "--problem-if-contains", "PANIC"]);
    assert_eq!((r.code, r.line()), (1, "/log line 1001 matches /PANIC/"));
}

#[test]
fn a_file_to_search_that_is_missing_a_directory_or_a_fifo_is_unknown() {
    let h = FakeHost::new();
    h.dir("/d");
    let r = h.run(&["--path", "/nothing", "--problem-if-contains", "x"]);
    assert_eq!((r.code, r.line()), (2, "/nothing missing"));
    let r = h.run(&["--path", "/d", "--problem-if-contains", "x"]);
    assert_eq!((r.code, r.line()), (2, "/d is a directory"));
    h.fifo("/fifo");
    let r = h.run(&["--path", "/fifo", "--problem-if-contains", "x"]);
    assert_eq!((r.code, r.line()), (2, "/fifo is not a regular file"));
}

#[test]
fn unreadable_files_and_directories_are_unknown_never_a_problem() {
    if !is_root() {
        npd_test_support::skip(
            "unreadable_files_and_directories_are_unknown_never_a_problem",
            "needs root to switch to nobody",
        );
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let h = FakeHost::new();
    h.write("/secret/dir/file", b"PANIC\n")
        .write("/open/file", b"PANIC\n");
    std::fs::set_permissions(h.path("/secret"), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(h.path("/open/file"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let args = |path: &'static str| {
        vec![
            "--host-root".to_string(),
            h.root().to_string(),
            "--path".into(),
            path.into(),
        ]
    };
    let go = |mut a: Vec<String>, more: &[&str]| {
        a.extend(more.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        Invocation::new(BIN, &a).as_nobody().go()
    };
    let r = go(args("/secret/dir/file"), &["--problem-if-exists"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "cannot read /secret/dir: permission denied")
    );
    let r = go(args("/secret/*/file"), &["--problem-if-missing"]);
    assert_eq!(r.code, 2, "{}", r.line());
    let r = go(args("/open/file"), &["--problem-if-contains", "PANIC"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "cannot read /open/file: permission denied")
    );
}

/// A healthy FUSE mount (a network filesystem would do the same): files there are
/// stat'ed in a helper, never read, and wildcards are not expanded there, whatever the
/// host's table says.
#[test]
fn files_on_a_network_mount_are_stated_in_a_helper_and_never_read() {
    let h = FakeHost::new();
    h.mountinfo("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
    let source = tempfile::tempdir().unwrap();
    std::fs::write(source.path().join("beat"), b"PANIC\n").unwrap();
    std::fs::create_dir_all(h.path("/mnt/nfs")).unwrap();
    let Some(_mount) = FuseMount::passthrough("network mount", source.path(), &h.path("/mnt/nfs"))
    else {
        return;
    };
    let r = h.run(&[
        "--path",
        "/mnt/nfs/beat",
        "--problem-if-exists",
        "--explain",
    ]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/mnt/nfs/beat exists"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("on fuse mount /mnt/nfs"), "{}", r.stderr);
    let r = h.run(&["--path", "/mnt/nfs/beat", "--problem-if-older-than", "1h"]);
    assert_eq!(r.code, 0, "{}", r.line());
    let r = h.run(&["--path", "/mnt/nfs/gone", "--problem-if-missing"]);
    assert_eq!((r.code, r.line()), (1, "/mnt/nfs/gone missing"));
    let r = h.run(&["--path", "/mnt/nfs/beat", "--problem-if-contains", "PANIC"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.line(),
        "/mnt/nfs/beat is on fuse mount /mnt/nfs: contents are not read there (a read can"
    );
    let r = h.run(&["--path", "/mnt/nfs/*", "--problem-if-exists"]);
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .contains("wildcards are not expanded on fuse mount"),
        "{}",
        r.line()
    );
}

#[test]
fn the_host_mount_table_is_not_needed_and_garbage_there_changes_nothing() {
    // Which calls are safe comes from this process's own mounts, never from the
    // host's table: a fixture's, garbled or missing, decides nothing.
    let h = FakeHost::new();
    h.write("/x", b"");
    h.write("/proc/1/mountinfo", b"garbage\n\n\x00\xff\n");
    assert_eq!(h.run(&["--path", "/x", "--problem-if-exists"]).code, 1);
    let h = FakeHost::new();
    h.write("/x", b"");
    let r = h.run(&["--path", "/x", "--problem-if-exists"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn symlink_loops_are_unknown() {
    let h = FakeHost::new();
    h.symlink("/a", "/b").symlink("/b", "/a");
    let r = h.run(&["--path", "/a", "--problem-if-exists"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "cannot resolve /a: too many levels of symbolic links")
    );
}
