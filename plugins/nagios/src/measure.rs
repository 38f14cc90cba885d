//! Runs the plugin and cleans up after it: the one measurement of a run.
//!
//! The plugin gets its own process group, stdin and stderr on /dev/null, and a pipe
//! for stdout, which is read (the first 8 KiB kept, the rest drained) until the plugin
//! exits or the deadline. This process is a subreaper, so whatever the plugin leaves
//! behind (background jobs, a daemon that called setsid and still holds the pipe) is
//! reparented here; it is all killed and reaped before the answer, because a leftover
//! holding stdout would keep NPD waiting and a leftover per run is a fork storm.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use npd_plugin::{explain, Context, Error, Result};

use crate::config::Config;

/// Output kept for the first line.
const KEEP: usize = 8 << 10;
/// How long the cleanup may take after the deadline (processes in D state aside).
const CLEANUP: Duration = Duration::from_millis(200);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
}

#[derive(Debug)]
pub struct Ran {
    pub exit: Exit,
    pub first_line: String,
    pub output_len: usize,
    /// Processes left behind that had to be killed.
    pub killed: usize,
}

/// Runs the configured plugin by the deadline. A plugin that cannot be started was
/// not observed: Unobserved.
pub fn measure(config: &Config, ctx: &Context) -> Result<Ran> {
    ctx.waiting_for(format!("running {}", config.name));
    let ran = run(&config.program, &config.args, ctx.deadline())
        .map_err(|e| Error::unobserved(format!("cannot run {}: {e}", config.program.display())))?;
    explain!(
        ctx,
        "{}: {:?}, {} output bytes, {} leftover processes killed",
        config.name,
        ran.exit,
        ran.output_len,
        ran.killed
    );
    if !ran.first_line.is_empty() {
        explain!(ctx, "first line: {}", ran.first_line);
    }
    Ok(ran)
}

fn run(program: &Path, args: &[String], deadline: Instant) -> io::Result<Ran> {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let mut child = Command::new(program)
        .args(args.iter().map(OsStr::new))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()?;
    let pid = child.id() as i32;
    let mut out = child.stdout.take().expect("stdout is piped");
    set_nonblocking(out.as_raw_fd());
    let mut kept = Vec::new();
    let mut total = 0usize;
    let mut buf = [0u8; 8192];
    let mut exit = None;
    let mut open = true;
    // The plugin's run ends a little before the deadline, to leave time to clean up.
    let stop_at = deadline.checked_sub(CLEANUP / 2).unwrap_or(deadline);
    while exit.is_none() || open {
        // Read what is there.
        while open {
            match out.read(&mut buf) {
                Ok(0) => open = false,
                Ok(n) => {
                    total += n;
                    let room = KEEP.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        if exit.is_none() {
            if let Some(status) = child.try_wait()? {
                exit = Some(match (status.code(), status.signal()) {
                    (Some(c), _) => Exit::Code(c),
                    (None, Some(s)) => Exit::Signal(s),
                    _ => Exit::Code(-1),
                });
            }
        }
        // The plugin has exited: what it wrote is in the pipe already. A process
        // still holding the pipe open is a leftover, not more output to wait for.
        if exit.is_some() {
            drain(&mut out, &mut kept, &mut total);
            break;
        }
        let now = Instant::now();
        if now >= stop_at {
            break;
        }
        let wait = (stop_at - now).min(Duration::from_millis(20));
        poll_readable(out.as_raw_fd(), wait, open);
    }
    // Everything in the plugin's group, then whatever else was reparented here.
    // SAFETY: signals a process group we created.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let exit = match exit {
        Some(e) => e,
        None => {
            let _ = child.wait();
            Exit::TimedOut
        }
    };
    let killed = reap_everything(deadline + CLEANUP);
    let first_line = first_line(&kept);
    Ok(Ran {
        exit,
        first_line,
        output_len: total,
        killed,
    })
}

fn drain(out: &mut impl Read, kept: &mut Vec<u8>, total: &mut usize) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = out.read(&mut buf) {
        if n == 0 {
            break;
        }
        *total += n;
        let room = KEEP.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
}

#[doc(hidden)]
pub fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

fn set_nonblocking(fd: i32) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

fn poll_readable(fd: i32, wait: Duration, open: bool) {
    if !open {
        std::thread::sleep(wait.min(Duration::from_millis(5)));
        return;
    }
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // Short polls: the plugin's exit is noticed by try_wait, not by the pipe, which a
    // leftover may keep open.
    let ms = wait.as_millis().clamp(1, 20) as i32;
    // SAFETY: one pollfd on the stack.
    unsafe { libc::poll(&mut pfd, 1, ms) };
}

/// Kills and reaps every remaining child (as a subreaper, the plugin's orphans are
/// ours), again and again as killed ones leave orphans of their own, until none is
/// left or `until`. Returns how many were killed.
fn reap_everything(until: Instant) -> usize {
    let me = std::process::id() as i32;
    let mut killed = 0;
    loop {
        // Reap what has exited.
        loop {
            let mut status = 0;
            // SAFETY: waits for any child without blocking.
            let rc = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
            if rc > 0 {
                continue;
            }
            if rc < 0 {
                // ECHILD: nothing left at all.
                return killed;
            }
            break;
        }
        for pid in children_of(me) {
            // SAFETY: signals our own child and its group.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::kill(-pid, libc::SIGKILL);
            }
            killed += 1;
        }
        if Instant::now() >= until {
            return killed;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Live (not yet reaped) children of `parent`, from /proc (this process's own
/// namespace: these are our children, not the host's processes).
fn children_of(parent: i32) -> Vec<i32> {
    npd_plugin::procstat::pids(std::path::Path::new("/proc"))
        .into_iter()
        .filter(|pid| {
            let Ok(stat) = std::fs::read(format!("/proc/{pid}/stat")) else {
                return false;
            };
            npd_plugin::procstat::parse_stat(&stat)
                .is_ok_and(|s| i64::from(s.ppid) == i64::from(parent) && s.state != b'Z')
        })
        .map(|pid| pid as i32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_empty_line() {
        assert_eq!(
            first_line(b"\n  OK - fine | a=1\nmore\n"),
            "OK - fine | a=1"
        );
        assert_eq!(first_line(b""), "");
        assert_eq!(first_line(&[0xff, b'x']), "\u{fffd}x");
    }
}
