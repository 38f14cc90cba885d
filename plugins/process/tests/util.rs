//! Running `npd-process` as NPD would (no stdin, stdout and stderr captured, a bound on
//! the wait) and writing fake process tables for it to judge.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-process");

/// PF_KTHREAD, as the kernel marks kernel threads in the stat flags.
pub const PF_KTHREAD: u64 = 0x0020_0000;
/// Flags of an ordinary process (PF_FORKNOEXEC | PF_RANDOMIZE as seen on a shell).
const USER_FLAGS: u64 = 0x0040_0100;

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The answer line without its newline.
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

/// Runs the plugin with `args` and a state dir of its own.
pub fn run(args: &[&str]) -> Output {
    run_with(args, |_| {})
}

/// Runs the plugin after `setup` adjusted the command (user, environment).
pub fn run_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_in_with(state.path(), args, setup)
}

/// Runs the plugin with the state dir `state`, kept from run to run by the test.
pub fn run_in(state: &Path, args: &[&str]) -> Output {
    run_in_with(state, args, |_| {})
}

fn run_in_with(state: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--state-dir")
        .arg(state)
        .env_remove("HOST_ROOT")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut cmd);
    let child = cmd.spawn().expect("spawn npd-process");
    let mut guard = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "npd-process ran for 20s: {args:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    guard
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    guard
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

/// A child process that is killed and reaped when the test lets go of it, pass or fail.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd` as user and group `nobody`, for tests of permissions (root reads
/// everything whatever the mode bits say).
pub fn as_nobody(cmd: &mut Command) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A fake host: `<root>/proc/<pid>/{stat,comm,statm,cmdline}` written by the test.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

impl FakeHost {
    pub fn new() -> FakeHost {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("proc")).unwrap();
        FakeHost { dir }
    }

    /// A host whose root has no /proc at all.
    pub fn without_proc() -> FakeHost {
        FakeHost {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn proc(&self) -> PathBuf {
        self.dir.path().join("proc")
    }

    /// An ordinary running process started as `argv`.
    pub fn process(&self, pid: u32, comm: &str, argv: &[&str]) -> &FakeHost {
        self.task(pid, comm, 'S', 1, USER_FLAGS, 1, argv)
    }

    /// A zombie of `parent` (no command line any more).
    pub fn zombie(&self, pid: u32, comm: &str, parent: u32) -> &FakeHost {
        self.task(pid, comm, 'Z', parent, USER_FLAGS, 1, &[])
    }

    /// A kernel thread, marked the way the kernel marks it.
    pub fn kernel_thread(&self, pid: u32, comm: &str) -> &FakeHost {
        self.task(pid, comm, 'I', 2, PF_KTHREAD, 1, &[])
    }

    /// Any task; `argv` becomes its NUL-separated cmdline.
    #[allow(clippy::too_many_arguments)]
    pub fn task(
        &self,
        pid: u32,
        comm: &str,
        state: char,
        ppid: u32,
        flags: u64,
        threads: u32,
        argv: &[&str],
    ) -> &FakeHost {
        let dir = self.proc().join(pid.to_string());
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("stat"),
            stat_line(pid, comm, state, ppid, flags, threads),
        )
        .unwrap();
        fs::write(dir.join("comm"), format!("{comm}\n")).unwrap();
        let no_memory = state == 'Z' || flags & PF_KTHREAD != 0 || ppid == 2 || pid == 2;
        let statm = if no_memory {
            "0 0 0 0 0 0 0\n"
        } else {
            "3000 500 300 20 0 400 0\n"
        };
        fs::write(dir.join("statm"), statm).unwrap();
        let mut cmdline = Vec::new();
        for arg in argv {
            cmdline.extend_from_slice(arg.as_bytes());
            cmdline.push(0);
        }
        fs::write(dir.join("cmdline"), cmdline).unwrap();
        self
    }

    /// The host's boot (`boot_id`) and how long ago it began (`uptime`, seconds).
    pub fn boot(&self, boot_id: &str, uptime_s: u64) -> &FakeHost {
        let random = self.proc().join("sys/kernel/random");
        fs::create_dir_all(&random).unwrap();
        fs::write(random.join("boot_id"), format!("{boot_id}\n")).unwrap();
        fs::write(self.proc().join("uptime"), format!("{uptime_s}.00 12.34\n")).unwrap();
        self
    }

    /// A process in `state` started `start` ticks after boot, with its `status`
    /// holding `switches` context switches (no `status` when `None`).
    pub fn started(
        &self,
        pid: u32,
        comm: &str,
        state: char,
        start: u64,
        switches: Option<u64>,
    ) -> &FakeHost {
        self.process(pid, comm, &[comm]);
        let dir = self.proc().join(pid.to_string());
        let line = stat_line(pid, comm, state, 1, USER_FLAGS, 1).replacen(
            " 4242 ",
            &format!(" {start} "),
            1,
        );
        fs::write(dir.join("stat"), line).unwrap();
        match switches {
            Some(n) => fs::write(
                dir.join("status"),
                format!(
                    "Name:\t{comm}\nState:\t{state}\nPid:\t{pid}\n\
                     voluntary_ctxt_switches:\t{n}\nnonvoluntary_ctxt_switches:\t0\n"
                ),
            )
            .unwrap(),
            None => {
                let _ = fs::remove_file(dir.join("status"));
            }
        }
        self
    }

    /// A kernel thread in `state` with `switches` context switches.
    pub fn kernel_task(&self, pid: u32, comm: &str, state: char, switches: u64) -> &FakeHost {
        self.task(pid, comm, state, 2, PF_KTHREAD, 1, &[]);
        let status = format!(
            "Name:\t{comm}\nvoluntary_ctxt_switches:\t{switches}\n\
             nonvoluntary_ctxt_switches:\t0\n"
        );
        fs::write(self.proc().join(format!("{pid}/status")), status).unwrap();
        self
    }

    /// A `/proc/<pid>/stat` with exactly these bytes.
    pub fn raw_stat(&self, pid: u32, bytes: &[u8]) -> &FakeHost {
        let dir = self.proc().join(pid.to_string());
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("stat"), bytes).unwrap();
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        Path::new(self.root()).join(rel)
    }
}

/// A stat line as the kernel writes it: all 52 fields, the interesting ones set.
pub fn stat_line(pid: u32, comm: &str, state: char, ppid: u32, flags: u64, threads: u32) -> String {
    format!(
        "{pid} ({comm}) {state} {ppid} {pid} {pid} 0 -1 {flags} 120 0 0 0 3 1 0 0 20 0 \
         {threads} 0 4242 1234567 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 \
         0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    )
}
