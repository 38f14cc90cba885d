//! The plugin on this machine's own process table (`--host-root /`): what a fake table
//! cannot show. Other work on the machine may start processes meanwhile, so these
//! tests assert on what they started themselves, never on exact totals.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use npd_test_support::{run, run_in, Reaped};

use crate::util::BIN;

/// Starts `program` (with `argv0` if given) sleeping 30 seconds at most.
fn sleeper(program: &Path, argv0: Option<&str>) -> Reaped {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut cmd = Command::new(program);
        cmd.arg("30")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(a) = argv0 {
            cmd.arg0(a);
        }
        match cmd.spawn() {
            Ok(child) => return Reaped(child),
            // A copy just written may still be open for writing in a child another
            // test thread forked at that moment: retry until that child has exec'd.
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("cannot start {}: {e}", program.display()),
        }
    }
}

/// Waits until the kernel shows `pid` in a state from `states`.
fn wait_for_state(pid: u32, states: &[char]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(stat) = fs::read(format!("/proc/{pid}/stat")) {
            let stat = npd_plugin::procstat::parse_stat(&stat).unwrap();
            if states.contains(&char::from(stat.state)) {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "pid {pid} never reached {states:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn sleep_binary() -> &'static Path {
    ["/bin/sleep", "/usr/bin/sleep"]
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("no sleep binary")
}

#[test]
fn a_long_name_is_found_on_the_real_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("kube-controller-manager");
    fs::copy(sleep_binary(), &exe).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
    let child = sleeper(&exe, None);
    let pid = child.0.id();
    wait_for_state(pid, &['S', 'R']);
    // The kernel keeps 15 bytes of it.
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
    assert_eq!(comm.trim_end(), "kube-controller");

    let r = run(
        BIN,
        &[
            "--host-root",
            "/",
            "--name",
            "kube-controller-manager",
            "--explain",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "kube-controller-manager running"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&pid.to_string()), "{}", r.stderr);

    let r = run(
        BIN,
        &["--host-root", "/", "--name", "kube-controller-mangler"],
    );
    assert_eq!(
        (r.code, r.line()),
        (1, "kube-controller-mangler not running (0 < min 1)")
    );
}

#[test]
fn a_real_zombie_is_counted_with_its_parent() {
    // This test process is the parent that does not reap (until the guards drop), so
    // no zombie outlives the test.
    let children: Vec<Reaped> = (0..3)
        .map(|_| {
            Reaped(
                Command::new("/bin/sh")
                    .args(["-c", "exit 0"])
                    .stdin(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    for c in &children {
        wait_for_state(c.0.id(), &['Z']);
    }
    let r = run(
        BIN,
        &["--host-root", "/", "--max-zombies", "0", "--explain"],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.line().contains(" zombie processes > max 0, "),
        "{}",
        r.stdout
    );
    let first_zombie = format!("{}", children[0].0.id());
    assert!(
        r.stderr.contains(&first_zombie) || r.stderr.contains("..."),
        "{}",
        r.stderr
    );
    let huge = run(BIN, &["--host-root", "/", "--max-zombies", "100000"]);
    assert_eq!((huge.code, huge.line()), (0, "zombies within limit"));
}

#[test]
fn the_plugin_never_counts_itself() {
    // Its own command line holds the pattern; no other process's does.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let marker = format!("npd-self-{}-{nanos}", std::process::id());
    let r = run(BIN, &["--host-root", "/", "--cmdline", &marker]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.line(), format!("/{marker}/ not running (0 < min 1)"));
}

#[test]
fn a_pattern_finds_a_real_command_line() {
    let marker = format!("python3 /opt/npd-test-{}/service.py", std::process::id());
    let child = sleeper(sleep_binary(), Some(&marker));
    wait_for_state(child.0.id(), &['S', 'R']);
    let pattern = format!("npd-test-{}/service\\.py( |$)", std::process::id());
    let r = run(
        BIN,
        &[
            "--host-root",
            "/",
            "--cmdline",
            &pattern,
            "--max",
            "1",
            "--explain",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&child.0.id().to_string()), "{}", r.stderr);
    drop(child);
    let r = run(BIN, &["--host-root", "/", "--cmdline", &pattern]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

/// A name of our own for the kernel (at most 15 bytes), so that no other process on
/// the machine matches.
fn own_name(prefix: &str) -> String {
    format!("{prefix}{}", std::process::id() % 10_000_000)
}

#[test]
fn a_real_service_restarted_again_and_again_is_a_restart_loop() {
    // The kernel names a process after the file it was started from: a symlink
    // to sleep gives it a name no other process has.
    let dir = tempfile::tempdir().unwrap();
    let name = own_name("npdr");
    let exe = dir.path().join(&name);
    std::os::unix::fs::symlink(sleep_binary(), &exe).unwrap();
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        "/",
        "--name",
        &name,
        "--min",
        "0",
        "--max-restarts",
        "2",
        "--within",
        "30m",
    ];
    let mut running = sleeper(&exe, None);
    wait_for_state(running.0.id(), &['S', 'R']);
    let expected = format!("{name} not restarting in a loop");
    for restart in 0..=3 {
        let r = run_in(BIN, state.path(), &args);
        if restart < 3 {
            assert_eq!((r.code, r.line()), (0, expected.as_str()), "{}", r.stderr);
        } else {
            assert_eq!(
                (r.code, r.line().to_string()),
                (1, format!("{name} restarted 3 times in 30m > max 2"))
            );
        }
        // Stop it and start it again, as a supervisor does.
        drop(running);
        running = sleeper(&exe, None);
        wait_for_state(running.0.id(), &['S', 'R']);
    }
}

/// A process held in the kernel: the parent of a vfork waits in D state (killable,
/// as ps shows it) until its child execs or exits, and does not run meanwhile.
struct HeldInD {
    parent: libc::pid_t,
    child: libc::pid_t,
}

extern "C" fn vfork_child(arg: *mut libc::c_void) -> libc::c_int {
    let fd = arg as usize as libc::c_int;
    // SAFETY: async-signal-safe calls only, on memory shared with the waiting parent.
    unsafe {
        let pid = libc::getpid().to_ne_bytes();
        libc::write(fd, pid.as_ptr().cast(), pid.len());
        let ts = libc::timespec {
            tv_sec: 30,
            tv_nsec: 0,
        };
        libc::nanosleep(&ts, std::ptr::null_mut());
        libc::_exit(0)
    }
}

impl HeldInD {
    fn start(name: &str) -> HeldInD {
        let mut fds = [0; 2];
        // SAFETY: pipe2 into an array of two descriptors.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let mut stack = vec![0u8; 256 * 1024];
        let name = std::ffi::CString::new(name).unwrap();
        // SAFETY: the forked child makes only async-signal-safe calls (prctl, clone,
        // waitpid, _exit) on memory allocated before the fork.
        let parent = unsafe { libc::fork() };
        assert!(parent >= 0);
        if parent == 0 {
            unsafe {
                libc::prctl(libc::PR_SET_NAME, name.as_ptr());
                let top = stack.as_mut_ptr().add(stack.len()) as usize & !15;
                let child = libc::clone(
                    vfork_child,
                    top as *mut libc::c_void,
                    libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                    fds[1] as usize as *mut libc::c_void,
                );
                if child > 0 {
                    libc::waitpid(child, std::ptr::null_mut(), 0);
                }
                libc::_exit(0);
            }
        }
        let mut pid = [0u8; 4];
        // SAFETY: reads at most 4 bytes into `pid`; closes our copies of the pipe.
        let n = unsafe { libc::read(fds[0], pid.as_mut_ptr().cast(), 4) };
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        let held = HeldInD {
            parent,
            child: if n == 4 { i32::from_ne_bytes(pid) } else { 0 },
        };
        assert_eq!(n, 4, "the vfork child never said its PID");
        held
    }
}

impl Drop for HeldInD {
    fn drop(&mut self) {
        // SAFETY: signals and reaps processes this test started.
        unsafe {
            if self.child > 0 {
                libc::kill(self.child, libc::SIGKILL);
            }
            libc::kill(self.parent, libc::SIGKILL);
            libc::waitpid(self.parent, std::ptr::null_mut(), 0);
        }
    }
}

#[test]
fn a_real_process_held_in_d_state_is_reported_after_the_limit() {
    let name = own_name("npdd");
    let held = HeldInD::start(&name);
    wait_for_state(held.parent as u32, &['D']);
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        "/",
        "--name",
        &name,
        "--min",
        "0",
        "--max-d-state-for",
        "3s",
        "--d-state-of",
        "selected",
        "--explain",
    ];
    let ok = format!("{name} not stuck in D state");
    let first = std::time::Instant::now();
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, ok.as_str()), "{}", r.stderr);
    // Runs closer together than the limit, as NPD's are (a gap longer than the limit
    // only records, so on a slow machine a run may start the count again: the loop
    // gives it time).
    let want = format!("{name} {} in D state for ", held.parent);
    let mut reported = None;
    while reported.is_none() && first.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(500));
        let r = run_in(BIN, state.path(), &args);
        match r.code {
            0 => assert_eq!(r.line(), ok, "{}", r.stderr),
            _ => {
                assert_eq!(r.code, 1, "{}", r.stderr);
                reported = Some((r.line().to_string(), first.elapsed()));
            }
        }
    }
    let (line, after) = reported.expect("never reported in 20s");
    assert!(
        line.starts_with(&want) && line.ends_with(" > 3s"),
        "{line:?}"
    );
    assert!(
        after >= Duration::from_secs(3),
        "reported after only {after:?}"
    );
    // Released, it runs again: no longer a problem.
    drop(held);
    let r = run_in(BIN, state.path(), &args);
    assert_eq!((r.code, r.line()), (0, ok.as_str()), "{}", r.stderr);
}
