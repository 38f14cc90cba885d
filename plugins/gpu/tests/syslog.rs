//! XIDs read with syslog(2) where /dev/kmsg is refused, as in a container that is not
//! privileged: this machine's own kernel log, with XID lines the test writes into it.
//! The device is refused the way a nodev mount refuses it (EACCES): the plugin runs in
//! a mount namespace of its own where `<host-root>/dev` is such a mount holding the
//! kernel log's device node. Root only.

use std::ffi::CString;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::sync::Mutex;

use npd_test_support::{is_root, skip, FakeHost, Invocation, Run};

use npd_gpu::config::DEFAULT_CRITICAL_XIDS;

use crate::util::{xid_line, GpuHost, BIN, BOOT_ID, KMSG};

/// The tests of this file write into the one kernel log of the machine: one at a
/// time, so that each sees only its own new lines.
static LOG: Mutex<()> = Mutex::new(());

/// How the plugin gets at the kernel log.
#[derive(Clone, Copy)]
enum Reader {
    /// /dev/kmsg refused (a nodev mount): syslog(2).
    Syscall,
    /// /dev/kmsg itself.
    Device,
}

/// A fake host with the GPU and this boot's id, whose kernel log is this machine's.
fn host(gpu: &str) -> FakeHost {
    let host = FakeHost::with_gpus(&[&format!("{gpu}.0")]);
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    host.write(BOOT_ID, boot).remove(KMSG);
    host
}

/// Runs the plugin on `host`: (exit code, line).
fn answer(host: &FakeHost, state: &Path, reader: Reader, args: &[&str]) -> (i32, String) {
    let r = run(host, state, reader, args);
    (r.code, r.line().to_string())
}

/// Runs the plugin on `host` with the kernel log's device refused or not.
fn run(host: &FakeHost, state: &Path, reader: Reader, args: &[&str]) -> Run {
    let mut all = vec!["--host-root", host.root()];
    all.extend_from_slice(args);
    let dev = CString::new(format!("{}/dev", host.root())).unwrap();
    let kmsg = CString::new(format!("{}/{KMSG}", host.root())).unwrap();
    let nodev = matches!(reader, Reader::Syscall);
    Invocation::new(BIN, &all)
        .state_dir(state)
        .setup(move |cmd| {
            // SAFETY: only system calls between fork and exec, on data made before.
            unsafe {
                cmd.pre_exec(move || in_own_mounts(&dev, &kmsg, nodev));
            }
        })
        .go()
}

/// In the child: a private mount namespace, a tmpfs on `dev` (nodev when asked) and
/// the kernel log's device node (1:11) in it.
fn in_own_mounts(dev: &CString, kmsg: &CString, nodev: bool) -> std::io::Result<()> {
    let check = |rc: libc::c_int| {
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    };
    let flags = if nodev { libc::MS_NODEV } else { 0 };
    // SAFETY: plain system calls on NUL-terminated strings that outlive them.
    unsafe {
        check(libc::unshare(libc::CLONE_NEWNS))?;
        check(libc::mount(
            c"none".as_ptr(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ))?;
        check(libc::mount(
            c"npd-gpu-test".as_ptr(),
            dev.as_ptr(),
            c"tmpfs".as_ptr(),
            flags,
            c"size=64k".as_ptr().cast(),
        ))?;
        check(libc::mknod(
            kmsg.as_ptr(),
            libc::S_IFCHR | 0o600,
            libc::makedev(1, 11),
        ))
    }
}

/// Writes an XID line into this machine's kernel log.
fn log_xid(gpu: &str, xid: u32) {
    let mut kmsg = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/kmsg")
        .unwrap();
    writeln!(kmsg, "<4>{}", xid_line(gpu, xid)).unwrap();
}

/// A number that differs from run to run of the tests.
fn salt() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    (nanos / 1000) ^ std::process::id()
}

/// A PCI address no earlier run of these tests is likely to have logged in this boot.
fn fresh_gpu() -> String {
    let s = salt();
    format!("0000:{:02x}:{:02x}", s % 256, (s >> 8) % 32)
}

/// An XID that is not critical by default.
fn other_xid() -> u32 {
    (1 + salt() % 998..)
        .chain(1..)
        .find(|x| !DEFAULT_CRITICAL_XIDS.contains(x) && *x <= 999)
        .unwrap()
}

fn usable(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    if !is_root() {
        skip(test, "needs root (a mount namespace, writing to /dev/kmsg)");
        return None;
    }
    Some(LOG.lock().unwrap_or_else(|e| e.into_inner()))
}

#[test]
fn a_refused_device_is_read_with_syslog_from_where_the_last_run_stopped() {
    let Some(_log) = usable("a_refused_device_is_read_with_syslog_from_where_the_last_run_stopped")
    else {
        return;
    };
    let gpu = fresh_gpu();
    let host = host(&gpu);
    // A critical XID stays for the boot. The first run reads the whole log since boot,
    // which may hold the XIDs of earlier runs of this test: --explain shows which
    // lines each run took.
    let state = tempfile::tempdir().unwrap();
    let crit = ["--check", "xid", "--explain"];
    let ours = format!("GPU {gpu} XID 79 (critical)");
    let r = run(&host, state.path(), Reader::Syscall, &crit);
    assert!(r.code < 2 && !r.stderr.contains(&ours), "{}", r.stderr);
    log_xid(&gpu, 79);
    let r = run(&host, state.path(), Reader::Syscall, &crit);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches(&ours).count(), 1, "{}", r.stderr);
    let r = run(&host, state.path(), Reader::Syscall, &crit);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains(&ours), "read again: {}", r.stderr);

    // Events: each line counted once, by the run after it.
    let other = ["--check", "xid-other"];
    let state = tempfile::tempdir().unwrap();
    let none = (0, "no new XID".to_string());
    assert_eq!(answer(&host, state.path(), Reader::Syscall, &other), none);
    let xid = other_xid();
    log_xid(&gpu, xid);
    log_xid(&gpu, xid);
    let twice = (1, format!("GPU {gpu} XID {xid} x2 since last run"));
    assert_eq!(answer(&host, state.path(), Reader::Syscall, &other), twice);
    assert_eq!(answer(&host, state.path(), Reader::Syscall, &other), none);
}

#[test]
fn the_cursor_holds_when_the_reader_changes() {
    let Some(_log) = usable("the_cursor_holds_when_the_reader_changes") else {
        return;
    };
    let gpu = fresh_gpu();
    let host = host(&gpu);
    let state = tempfile::tempdir().unwrap();
    let other = ["--check", "xid-other"];
    let none = (0, "no new XID".to_string());
    assert_eq!(answer(&host, state.path(), Reader::Device, &other), none);
    let xid = other_xid();
    log_xid(&gpu, xid);
    let once = (1, format!("GPU {gpu} XID {xid} x1 since last run"));
    assert_eq!(answer(&host, state.path(), Reader::Syscall, &other), once);
    assert_eq!(answer(&host, state.path(), Reader::Device, &other), none);
    log_xid(&gpu, xid);
    assert_eq!(answer(&host, state.path(), Reader::Device, &other), once);
    assert_eq!(answer(&host, state.path(), Reader::Syscall, &other), none);
}

#[test]
fn a_refused_syscall_is_unknown_and_names_the_capability() {
    let Some(_log) = usable("a_refused_syscall_is_unknown_and_names_the_capability") else {
        return;
    };
    let restricted = std::fs::read_to_string("/proc/sys/kernel/dmesg_restrict").unwrap();
    if restricted.trim() != "1" {
        skip(
            "a_refused_syscall_is_unknown_and_names_the_capability",
            "kernel.dmesg_restrict is 0: every user may read the kernel log",
        );
        return;
    }
    // Root-owned 0600 device node: refused to nobody, as is syslog(2) without
    // CAP_SYSLOG.
    let host = host(&fresh_gpu());
    let kmsg = CString::new(format!("{}/{KMSG}", host.root())).unwrap();
    // SAFETY: a plain system call on a NUL-terminated path.
    let rc = unsafe { libc::mknod(kmsg.as_ptr(), libc::S_IFCHR | 0o600, libc::makedev(1, 11)) };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    let state = tempfile::tempdir().unwrap();
    std::fs::set_permissions(state.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let r = Invocation::new(BIN, &["--host-root", host.root(), "--check", "xid"])
        .state_dir(state.path())
        .as_nobody()
        .go();
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "kernel log: /dev/kmsg refused, syslog(2) needs CAP_SYSLOG"
        ),
        "{}",
        r.stderr
    );
}
