//! A mount that never answers (a FUSE filesystem whose daemon blocks every call):
//! npd-disk reports it in time, its stdout reaches end of file (no stuck helper holds
//! it), and repeated runs leave at most one stuck helper. Needs root and FUSE; in CI it
//! must run, elsewhere it warns and skips.

mod common;

use std::time::{Duration, Instant};

use common::BIN;
use npd_test_support::{one_at_a_time, run, stuck_processes, Chroot, HungMount, Invocation};

/// What a run may take beyond its --timeout: process start, the answer, the test's
/// own scheduling.
const MARGIN: Duration = Duration::from_millis(400);

#[test]
fn a_hung_mount_is_reported_in_time_with_at_most_one_stuck_helper() {
    let _turn = one_at_a_time();
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
        // However full this machine's own disk is: the test is about the hung mount.
        "--max-used",
        "100",
        "--max-inodes-used",
        "100",
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

/// The answer of `inv`, `want` with exit `code`, by the deadline, the process gone.
fn answered_in_time(inv: Invocation, code: i32, want: &str) {
    let r = inv.go();
    assert_eq!((r.code, r.line()), (code, want), "{}", r.stderr);
    // `took` runs until the process exited and its stdout reached end of file.
    assert!(
        r.took < Duration::from_secs(1) + MARGIN,
        "took {:?}: {}",
        r.took,
        r.stderr
    );
}

/// A hung mount that PID 1's table does not list (made in a mount namespace of its
/// own, as a systemd unit with PrivateTmp or a container makes them): the plugin,
/// run in that namespace with host root `/`, still answers and exits in time, and
/// repeated runs leave one stuck helper.
#[test]
fn a_hung_mount_in_a_private_mount_namespace_is_reported_in_time() {
    let _turn = one_at_a_time();
    let Some(mount) = HungMount::start_private("private-namespace hung-mount test") else {
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
        // However full this machine's own disk is: the test is about the hung mount.
        "--max-used",
        "100",
        "--max-inodes-used",
        "100",
        "--state-dir",
        state.path().to_str().unwrap(),
        "--host-root",
        "/",
    ];
    let want = format!("{} not responding after 1s", mount.name());
    let before = stuck_processes("npd-disk");
    for _ in 0..3 {
        answered_in_time(mount.join(Invocation::new(BIN, &args)), 1, &want);
        assert!(stuck_processes("npd-disk") <= before + 1);
    }
    // A path below the mount, through a symlink outside it: the same helper.
    let link = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(mount.path(), link.path().join("l")).unwrap();
    let below = format!("{}/l/below", link.path().display());
    let args = [
        "--path",
        &below,
        "--timeout",
        "1s",
        "--state-dir",
        state.path().to_str().unwrap(),
    ];
    answered_in_time(
        mount.join(Invocation::new(BIN, &args)),
        1,
        &format!("{below} not responding after 1s"),
    );
    assert_eq!(stuck_processes("npd-disk"), before + 1);
}

/// Inside a chroot, mount points are not where PID 1's table says. With /proc bound
/// in, a hung mount is reported in time and a local path beside it measured; with no
/// /proc at all there is no host table to judge by, which is said in time.
#[test]
fn a_hung_mount_inside_a_chroot_is_reported_in_time() {
    let _turn = one_at_a_time();
    for with_proc in [true, false] {
        let Some(root) = Chroot::new("chroot hung-mount test", BIN, &["/mnt/hung"], with_proc)
        else {
            return;
        };
        let Some(_mount) = HungMount::start_at("chroot hung-mount test", &root.path("/mnt/hung"))
        else {
            return;
        };
        let args = [
            "--path",
            "/mnt/hung",
            "--path",
            "/state",
            "--timeout",
            "1s",
            // However full this machine's own disk is: the test is about the hung mount.
            "--max-used",
            "100",
            "--max-inodes-used",
            "100",
            "--state-dir",
            "/state",
            "--host-root",
            "/",
        ];
        if with_proc {
            answered_in_time(
                root.invocation(&args),
                1,
                "/mnt/hung not responding after 1s",
            );
            let local = [
                "--path",
                "/state",
                "--timeout",
                "1s",
                "--state-dir",
                "/state",
            ];
            let r = root.invocation(&local).go();
            assert_eq!(r.code, 0, "{}", r.line());
        } else {
            let no_table = "cannot read /proc/1/mountinfo: not found";
            answered_in_time(root.invocation(&args), 2, no_table);
        }
    }
}

/// Inside a chroot, PID 1's table names the chroot's mounts by paths outside it: with
/// host root / npd-disk reports from this process's own view, and judges the tmpfs the
/// path is on, not the filesystem under the chroot.
#[test]
fn a_chroot_is_judged_by_its_own_view_of_the_mounts() {
    let Some(root) = Chroot::new("chroot mounts test", BIN, &["/mnt/ro"], true) else {
        return;
    };
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(root.path("/mnt/ro"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mount a read-only tmpfs in the chroot");
    let args = [
        "--path",
        "/mnt/ro",
        "--path",
        "/state",
        "--check",
        "read-only",
    ];
    let r = root
        .invocation(&[&args[..], &["--state-dir", "/state", "--explain"]].concat())
        .go();
    let _ = std::process::Command::new("umount")
        .arg(root.path("/mnt/ro"))
        .status();
    assert_eq!(
        (r.code, r.line()),
        (1, "/mnt/ro mounted read-only"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("reporting its own view"), "{}", r.stderr);
}
