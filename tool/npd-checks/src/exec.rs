//! Runs a plugin the way NPD does (`pkg/custompluginmonitor/plugin/plugin.go`,
//! `pkg/util/exec_unix.go`) and turns what it did into NPD's result.
//!
//! NPD execs the path directly (no shell) with the rule's args, the environment and
//! working directory it has itself, stdin from /dev/null and a process group of its own.
//! It reads stdout and stderr to their end (keeping the first 4096 bytes of each), then
//! waits for the process. When the timeout passes first, it SIGKILLs the process group
//! and replaces the message. A process that left the group and still holds a pipe keeps
//! NPD reading until it exits: here that wait is bounded, and the holders are found in
//! /proc, reported and killed.
//!
//! Not here: what the result does to conditions ([`crate::npd_state`]).

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::golang;

/// NPD keeps at most this many bytes of a plugin's stdout (and of its stderr).
pub const OUTPUT_LIMIT: usize = 4096;
/// How long a killed plugin gets to release its pipes before its holders are hunted.
pub const GRACE: Duration = Duration::from_secs(1);
/// NPD's message when the process cannot be started (including a timeout that had
/// already expired: Go refuses to start a command whose context is done).
pub const START_ERROR: &str = "Error in starting plugin. Please check the error log";

/// How the process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal { signal: i32, core: bool },
}

impl Exit {
    /// Go's `os.ProcessState.String()`.
    pub fn go_state(self) -> String {
        match self {
            Exit::Code(c) => format!("exit status {c}"),
            Exit::Signal { signal, core } => format!(
                "signal: {}{}",
                golang::signal_name(signal),
                if core { " (core dumped)" } else { "" }
            ),
        }
    }
}

/// A process found holding the plugin's stdout or stderr after the plugin was killed.
#[derive(Debug, Clone)]
pub struct Holder {
    pub pid: i32,
    pub name: String,
    /// Whether it is still in the plugin's process group (then it ignores SIGKILL: it
    /// is stuck in the kernel) or left it (setsid/setpgid).
    pub in_group: bool,
    pub killed: bool,
}

/// Everything observed about one run.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Why the process could not be started (NPD logs it and answers [`START_ERROR`]).
    pub start_error: Option<String>,
    /// `None` when it could not be started or was never reaped.
    pub exit: Option<Exit>,
    pub pid: i32,
    /// The first [`OUTPUT_LIMIT`] bytes of stdout, and how many were written in all.
    pub stdout: Vec<u8>,
    pub stdout_total: u64,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
    pub elapsed: Duration,
    /// Processes that held a pipe open after the timeout kill: NPD's monitor would
    /// have waited for them.
    pub holders: Vec<Holder>,
    /// The pipes were still open (or the process unreaped) when this run gave up.
    pub still_blocked: bool,
}

impl Execution {
    /// Whether NPD's monitor would have been stuck on this run beyond its timeout.
    pub fn would_block(&self) -> bool {
        !self.holders.is_empty() || self.still_blocked
    }
}

#[derive(Default)]
struct Capture {
    data: Vec<u8>,
    total: u64,
    done: bool,
}

type Shared = Arc<Mutex<Capture>>;

fn lock(c: &Shared) -> std::sync::MutexGuard<'_, Capture> {
    c.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `program` with `args` under `timeout`, as NPD would.
pub fn run(program: &Path, args: &[String], timeout: Duration) -> Execution {
    let start = Instant::now();
    let mut ex = Execution {
        start_error: None,
        exit: None,
        pid: 0,
        stdout: Vec::new(),
        stdout_total: 0,
        stderr: Vec::new(),
        timed_out: false,
        elapsed: Duration::ZERO,
        holders: Vec::new(),
        still_blocked: false,
    };
    if timeout.is_zero() {
        ex.start_error = Some("context deadline exceeded (the timeout is not positive)".into());
        return ex;
    }
    let spawned = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            ex.start_error = Some(e.to_string());
            ex.elapsed = start.elapsed();
            return ex;
        }
    };
    ex.pid = child.id() as i32;
    let (out, err) = (Shared::default(), Shared::default());
    let mut inodes = Vec::new();
    if let Some(pipe) = child.stdout.take() {
        inodes.extend(inode(pipe.as_raw_fd()));
        reader(pipe, out.clone());
    }
    if let Some(pipe) = child.stderr.take() {
        inodes.extend(inode(pipe.as_raw_fd()));
        reader(pipe, err.clone());
    }
    let pid = ex.pid;
    let finished = || lock(&out).done && lock(&err).done && exited(pid);

    if !wait_until(start + timeout, &finished) {
        ex.timed_out = true;
        // NPD kills the group; Go's CommandContext kills the process itself too.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            libc::kill(pid, libc::SIGKILL);
        }
        if !wait_until(Instant::now() + GRACE, &finished) {
            ex.holders = pipe_holders(&inodes, pid);
            for h in &mut ex.holders {
                h.killed = unsafe { libc::kill(h.pid, libc::SIGKILL) } == 0;
            }
            ex.still_blocked = !wait_until(Instant::now() + GRACE, &finished);
        }
    }
    ex.elapsed = start.elapsed();
    ex.exit = reap(&mut child);
    let (o, e) = (lock(&out), lock(&err));
    ex.stdout = o.data.clone();
    ex.stdout_total = o.total;
    ex.stderr = e.data.clone();
    ex
}

fn reader(mut pipe: impl Read + Send + 'static, into: Shared) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut c = lock(&into);
                    let room = OUTPUT_LIMIT.saturating_sub(c.data.len()).min(n);
                    c.data.extend_from_slice(&buf[..room]);
                    c.total += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        lock(&into).done = true;
    });
}

/// Polls `done` until it holds or `deadline` passes.
fn wait_until(deadline: Instant, done: &dyn Fn() -> bool) -> bool {
    loop {
        if done() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(5)));
    }
}

/// Whether the child has exited, without reaping it: its pid stays reserved, so the
/// process group can still be signalled safely.
fn exited(pid: i32) -> bool {
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    rc == 0 && unsafe { info.si_pid() } != 0
}

fn reap(child: &mut Child) -> Option<Exit> {
    let status = child.try_wait().ok()??;
    Some(match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(signal)) => Exit::Signal {
            signal,
            core: status.core_dumped(),
        },
        (None, None) => return None,
    })
}

fn inode(fd: i32) -> Option<u64> {
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    (unsafe { libc::fstat(fd, &mut st) } == 0).then_some(st.st_ino)
}

/// The processes (other than this one) that hold one of the pipes `inodes`.
fn pipe_holders(inodes: &[u64], pgid: i32) -> Vec<Holder> {
    let me = std::process::id() as i32;
    let targets: Vec<String> = inodes.iter().map(|i| format!("pipe:[{i}]")).collect();
    let mut holders = Vec::new();
    for pid in npd_plugin::procstat::pids(Path::new("/proc")) {
        let pid = pid as i32;
        if pid == me {
            continue;
        }
        let dir = Path::new("/proc").join(pid.to_string());
        let Ok(fds) = std::fs::read_dir(dir.join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .map(|l| targets.iter().any(|t| l.as_os_str() == t.as_str()))
                .unwrap_or(false)
        });
        if holds {
            let name = std::fs::read_to_string(dir.join("comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            let in_group = unsafe { libc::getpgid(pid) } == pgid;
            holders.push(Holder {
                pid,
                name,
                in_group,
                killed: false,
            });
        }
    }
    holders
}

/// NPD's verdict on a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    NonOk,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::NonOk => "NonOK",
            Status::Unknown => "Unknown",
        }
    }
}

/// The result NPD hands its monitor: the status and the message, as bytes (a cut
/// message may end inside a UTF-8 character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub message: Vec<u8>,
}

/// What NPD makes of a run of the rule whose configured path is `rule_path`:
/// trim, the timeout message, the cut to `max_output` bytes, the exit-code mapping.
/// `None` when NPD would still be waiting (the pipes never closed).
pub fn verdict(ex: &Execution, rule_path: &str, max_output: usize) -> Option<Verdict> {
    if ex.start_error.is_some() {
        return Some(Verdict {
            status: Status::Unknown,
            message: START_ERROR.as_bytes().to_vec(),
        });
    }
    if ex.still_blocked {
        return None;
    }
    let exit = ex.exit?;
    let mut output = golang::trim_space(&ex.stdout).to_vec();
    if ex.timed_out {
        output = format!(
            "Timeout when running plugin {}: state - {}. output - {}",
            golang::quote(rule_path.as_bytes()),
            exit.go_state(),
            golang::quote(&output)
        )
        .into_bytes();
    }
    output.truncate(max_output);
    let status = match exit {
        Exit::Code(0) => Status::Ok,
        Exit::Code(1) => Status::NonOk,
        _ => Status::Unknown,
    };
    Some(Verdict {
        status,
        message: output,
    })
}
