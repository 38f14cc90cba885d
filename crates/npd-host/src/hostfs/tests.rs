use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::*;

fn local(fs: &HostFs, path: &str) -> (PathBuf, PathBuf) {
    match fs.resolve(path).unwrap() {
        Reach::Local { host, real, .. } => (host, real),
        other => panic!("{path}: {other:?}"),
    }
}

fn tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    fs::create_dir_all(r.join("data/containerd")).unwrap();
    fs::create_dir_all(r.join("var/lib")).unwrap();
    fs::create_dir_all(r.join("run")).unwrap();
    fs::write(r.join("run/reboot-required"), b"").unwrap();
    symlink("/data/containerd", r.join("var/lib/containerd")).unwrap();
    symlink("../../data", r.join("var/lib/rel")).unwrap();
    symlink("/run", r.join("var/run")).unwrap();
    symlink("../../../../../../run", r.join("var/lib/escape")).unwrap();
    symlink("/loop", r.join("loop")).unwrap();
    tmp
}

#[test]
fn symlinks_are_followed_as_the_host_follows_them() {
    let tmp = tree();
    let fs = HostFs::new(tmp.path());
    let r = tmp.path();
    assert_eq!(local(&fs, "/"), (PathBuf::from("/"), r.to_path_buf()));
    assert_eq!(
        local(&fs, "/var/lib/containerd"),
        (PathBuf::from("/data/containerd"), r.join("data/containerd"))
    );
    assert_eq!(
        local(&fs, "/var/lib/rel/containerd/").0,
        PathBuf::from("/data/containerd")
    );
    assert_eq!(
        local(&fs, "/var/run/reboot-required").0,
        PathBuf::from("/run/reboot-required")
    );
    // `..` never climbs above the host root, in a path or in a link's target.
    assert_eq!(local(&fs, "/../../data").0, PathBuf::from("/data"));
    assert_eq!(local(&fs, "/var/lib/escape").0, PathBuf::from("/run"));
}

#[test]
fn a_missing_component_is_named_and_a_loop_is_an_error() {
    let tmp = tree();
    let fs = HostFs::new(tmp.path());
    match fs.resolve("/var/lib/containerd/x/y").unwrap() {
        Reach::Missing(p) => assert_eq!(p, PathBuf::from("/data/containerd/x")),
        other => panic!("{other:?}"),
    }
    match fs.resolve("/run/reboot-required/below").unwrap() {
        Reach::Missing(p) => assert_eq!(p, PathBuf::from("/run/reboot-required/below")),
        other => panic!("{other:?}"),
    }
    let err = fs.resolve("/loop/x").unwrap_err();
    assert_eq!(err.to_string(), "/loop: too many levels of symbolic links");
}

#[test]
fn a_host_root_that_does_not_exist_is_an_error_for_every_path() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = HostFs::new(tmp.path().join("nothing"));
    let err = fs.resolve("/etc").unwrap_err();
    assert_eq!(err.path, tmp.path().join("nothing"));
    assert_eq!(err.error.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn mounts_are_classified_by_this_process_own_table() {
    let fs = HostFs::new("/");
    // The mount of /proc, however this process sees it.
    let proc_id = match fs.resolve("/proc/self").unwrap() {
        Reach::Local { mount, .. } => mount,
        other => panic!("{other:?}"),
    };
    assert_eq!(fs.classify(proc_id), MountKind::Local);
    // An ID no mount has is of unknown kind (after one more read of the table).
    assert_eq!(fs.classify(u64::MAX), MountKind::Unknown);
}

#[test]
fn kernel_files_open_under_the_host_root() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("proc/pressure")).unwrap();
    fs::write(tmp.path().join("proc/pressure/memory"), b"some").unwrap();
    fs::write(tmp.path().join("proc/meminfo"), b"MemTotal: 1 kB\n").unwrap();
    let hfs = HostFs::new(tmp.path());
    let text = std::io::read_to_string(hfs.open_file("/proc/meminfo").unwrap()).unwrap();
    assert_eq!(text, "MemTotal: 1 kB\n");
    assert!(hfs.open_file("/proc/pressure/memory").is_ok());
    let err = hfs.open_file("/proc/vmstat").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    // The machine's own: /proc/self is a link inside procfs.
    let real = HostFs::new("/");
    assert!(real.open_file("/proc/self/status").is_ok());
    assert!(real.kernel_dir("/proc").is_ok());
}

/// A FUSE mount that never answers: the walk stops at its root without a single call
/// to it, however the path reaches it, and wherever it is mounted.
#[test]
fn a_hung_mount_is_never_entered() {
    let Some(mount) = npd_test_support::HungMount::start("hostfs hung mount") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    symlink(mount.path(), tmp.path().join("link")).unwrap();
    for with_openat2 in [true, false] {
        super::sys::set_openat2(with_openat2);
        never_entered(&mount, &tmp);
    }
    super::sys::set_openat2(true);
}

fn never_entered(mount: &npd_test_support::HungMount, tmp: &tempfile::TempDir) {
    let started = Instant::now();
    let hfs = HostFs::new("/");
    let below = mount.path().join("a/../b/c");
    for path in [mount.path().to_path_buf(), below, tmp.path().join("link/x")] {
        match hfs.resolve(&path).unwrap() {
            Reach::Guarded(g) => {
                assert_eq!(g.kind, MountKind::CanHang("fuse".into()), "{path:?}");
                assert_eq!(g.mount_point, mount.path(), "{path:?}");
            }
            other => panic!("{path:?}: {other:?}"),
        }
    }
    let err = hfs
        .open_file(&format!("{}/file", mount.name()))
        .unwrap_err();
    assert!(err.to_string().contains("fuse mount"), "{err}");
    // Under a host root that holds the mount, the same.
    let parent = mount.path().parent().unwrap();
    let name = mount.path().file_name().unwrap();
    let under = HostFs::new(parent);
    match under.resolve(Path::new("/").join(name).join("x")).unwrap() {
        Reach::Guarded(g) => {
            assert_eq!(g.host, Path::new("/").join(name).join("x"));
            assert_eq!(g.mount_host, Path::new("/").join(name));
        }
        other => panic!("{other:?}"),
    }
    // A host root inside the hung mount: nothing under it is looked up.
    let inside = HostFs::new(mount.path().join("root"));
    match inside.resolve("/etc/hostname").unwrap() {
        Reach::Guarded(g) => assert_eq!(g.mount_point, mount.path()),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A kernel file that is a mount of its own (lxcfs puts FUSE files over /proc files in
/// containers): never read through the cheap way; read when that mount is local,
/// refused in words when it can hang.
#[test]
fn kernel_files_on_mounts_of_their_own_are_walked_carefully() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("proc/pressure")).unwrap();
    fs::create_dir_all(tmp.path().join("proc/hung")).unwrap();
    let source = tempfile::tempdir().unwrap();
    fs::write(source.path().join("memory"), b"some avg10=0.00").unwrap();
    let Some(_local) = npd_test_support::FuseMount::passthrough(
        "kernel file on a mount",
        source.path(),
        &tmp.path().join("proc/pressure"),
    ) else {
        return;
    };
    let Some(_hung) = npd_test_support::HungMount::start_at(
        "kernel file on a mount",
        &tmp.path().join("proc/hung"),
    ) else {
        return;
    };
    let hfs = HostFs::new(tmp.path());
    let started = Instant::now();
    // A FUSE mount that answers is still one that can hang: not read here.
    let err = hfs.open_file("/proc/pressure/memory").unwrap_err();
    assert!(
        err.to_string().contains("fuse mount /proc/pressure"),
        "{err}"
    );
    let err = hfs.open_file("/proc/hung/x").unwrap_err();
    assert!(err.to_string().contains("fuse mount /proc/hung"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A local bind mount inside /proc (containers bind /proc/sys read-only onto itself):
/// the cheap open stops at it, the careful walk finds it local, and the file is read.
#[test]
fn a_local_mount_inside_a_kernel_directory_is_read() {
    if !npd_test_support::is_root() {
        npd_test_support::skip("local mount in /proc", "not root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("proc/sys/fs")).unwrap();
    fs::write(tmp.path().join("proc/sys/fs/file-nr"), b"1 0 9\n").unwrap();
    let sys = tmp.path().join("proc/sys");
    let bind = |args: &[&str]| {
        let ok = std::process::Command::new("mount")
            .args(args)
            .arg(&sys)
            .arg(&sys)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "mount {args:?}");
    };
    bind(&["--bind"]);
    let hfs = HostFs::new(tmp.path());
    let text = std::io::read_to_string(hfs.open_file("/proc/sys/fs/file-nr").unwrap());
    let _ = std::process::Command::new("umount")
        .arg("-l")
        .arg(&sys)
        .status();
    assert_eq!(text.unwrap(), "1 0 9\n");
}

/// The host's table adds to what a run knows of mount IDs only when it is the
/// kernel's (read from a real procfs under the host root), never a fixture's file.
#[test]
fn a_host_table_is_taken_only_from_a_real_procfs() {
    let proc_id = match HostFs::new("/").resolve("/proc/self").unwrap() {
        Reach::Local { mount, .. } => mount,
        other => panic!("{other:?}"),
    };
    // A table that says /proc is a FUSE mount: only the kernel could say so.
    let lie = format!("{proc_id} 1 0:99 / /proc rw - fuse.liar liar rw\n");
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("proc/1")).unwrap();
    let fixture = HostFs::new(tmp.path());
    let lie = MountTable::parse(lie.as_bytes()).unwrap();
    fixture.offer_host_table(&lie);
    assert_eq!(fixture.classify(proc_id), MountKind::Local);
    // Under host root /, the table offered is taken as the kernel's (the plugin read
    // it from /proc/1/mountinfo): nothing else is read for an ID it lists.
    let real = HostFs::new("/");
    real.offer_host_table(&lie);
    assert_eq!(
        real.classify(proc_id),
        MountKind::CanHang("fuse.liar".into())
    );
}
