//! The per-process record parsed from `/proc/<pid>/stat`, with no allocation: one
//! parser for every reader of process tables (npd-process's scans, npd-nagios' child
//! processes, the markers of stuck helpers, the tests).
//!
//! Only the fields checks use are kept: identity (pid, comm), state, parent, flags,
//! thread count and start time (the base of duration and restart checks). The line
//! format is proc(5)'s; the one trap is the command name, which may contain spaces and
//! parentheses, so it is whatever lies between the first `(` and the *last* `)`.

use std::fmt;

/// PF_KTHREAD in the kernel's include/linux/sched.h: the task is a kernel thread.
pub const PF_KTHREAD: u64 = 0x0020_0000;
/// kthreadd, the parent of every kernel thread.
const KTHREADD: u32 = 2;
/// User processes' names are cut at 15 bytes, but kernel threads' names are shown in
/// full (workqueue workers, long kthread names); longer ones are cut here.
const COMM_MAX: usize = 64;

/// A process's `stat`, the fields checks use.
#[derive(Clone, Copy)]
pub struct ProcStat {
    pub pid: u32,
    comm: [u8; COMM_MAX],
    comm_len: u8,
    /// One of proc(5)'s state letters: R, S, D, Z, T, t, X, I, ...
    pub state: u8,
    pub ppid: u32,
    /// The kernel's PF_* flags.
    pub flags: u64,
    pub num_threads: u32,
    /// When the process started, in clock ticks after boot.
    pub starttime: u64,
}

impl ProcStat {
    /// The kernel's name for the process: the executable's file name cut at 15
    /// bytes, unless the process renamed itself.
    pub fn comm(&self) -> &[u8] {
        &self.comm[..usize::from(self.comm_len)]
    }

    /// Kernel threads are not processes anyone runs; no count includes them.
    pub fn is_kernel_thread(&self) -> bool {
        self.flags & PF_KTHREAD != 0 || self.pid == KTHREADD || self.ppid == KTHREADD
    }

    /// Exited and waiting for its parent to reap it. A thread-group leader that exited
    /// while other threads run also shows `Z`, but that process is alive.
    pub fn is_zombie(&self) -> bool {
        self.state == b'Z' && self.num_threads <= 1
    }

    /// Not running any more: a zombie or a task being torn down.
    pub fn is_gone(&self) -> bool {
        self.is_zombie() || matches!(self.state, b'X' | b'x')
    }
}

impl fmt::Debug for ProcStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcStat")
            .field("pid", &self.pid)
            .field("comm", &self.comm().escape_ascii().to_string())
            .field("state", &char::from(self.state))
            .field("ppid", &self.ppid)
            .field("flags", &format_args!("{:#x}", self.flags))
            .field("num_threads", &self.num_threads)
            .field("starttime", &self.starttime)
            .finish()
    }
}

/// Parses one `stat` line; the error says what is wrong with it.
pub fn parse_stat(line: &[u8]) -> Result<ProcStat, &'static str> {
    let open = line
        .iter()
        .position(|b| *b == b'(')
        .ok_or("no '(' before the name")?;
    let close = line
        .iter()
        .rposition(|b| *b == b')')
        .filter(|c| *c > open)
        .ok_or("no ')' after the name")?;
    let pid_text = line[..open]
        .strip_suffix(b" ")
        .ok_or("no space after the PID")?;
    let pid = number(pid_text).ok_or("PID is not a number")?;
    let comm_bytes = &line[open + 1..close];

    // Fields from the third (state) on, as proc(5) numbers them minus 3.
    let mut fields = line[close + 1..]
        .strip_prefix(b" ")
        .ok_or("no space after the name")?
        .split(|b| *b == b' ' || *b == b'\n')
        .filter(|f| !f.is_empty());
    let mut next = |what: &'static str| fields.next().ok_or(what);
    let state = match next("no state")? {
        [s] if s.is_ascii_alphabetic() => *s,
        _ => return Err("state is not one letter"),
    };
    let ppid = number(next("no parent PID")?).ok_or("parent PID is not a number")?;
    for _ in 5..9 {
        next("line ends early")?;
    }
    let flags = number(next("no flags")?).ok_or("flags are not a number")?;
    for _ in 10..20 {
        next("line ends early")?;
    }
    let num_threads = number(next("no thread count")?).ok_or("thread count is not a number")?;
    next("line ends early")?;
    let starttime = number(next("no start time")?).ok_or("start time is not a number")?;

    let mut comm = [0u8; COMM_MAX];
    let comm_len = comm_bytes.len().min(COMM_MAX);
    comm[..comm_len].copy_from_slice(&comm_bytes[..comm_len]);
    Ok(ProcStat {
        pid: u32::try_from(pid).map_err(|_| "PID out of range")?,
        comm,
        comm_len: comm_len as u8,
        state,
        ppid: u32::try_from(ppid).map_err(|_| "parent PID out of range")?,
        flags,
        num_threads: u32::try_from(num_threads).map_err(|_| "thread count out of range")?,
        starttime,
    })
}

/// An unsigned decimal number, without allocating.
fn number(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    text.iter().try_fold(0u64, |v, b| {
        if b.is_ascii_digit() {
            v.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// The sum of `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches`, `None`
/// when either is missing or not a number.
pub fn parse_switches(status: &[u8]) -> Option<u64> {
    let mut voluntary = None;
    let mut involuntary = None;
    for line in status.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let value = || {
            let text = std::str::from_utf8(&line[colon + 1..]).ok()?;
            text.trim().parse::<u64>().ok()
        };
        match &line[..colon] {
            b"voluntary_ctxt_switches" => voluntary = value(),
            b"nonvoluntary_ctxt_switches" => involuntary = value(),
            _ => {}
        }
    }
    voluntary?.checked_add(involuntary?)
}

/// A directory name that is a PID: decimal digits only, no leading zero, fits a pid_t.
pub fn parse_pid(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 10 || text[0] == b'0' {
        return None;
    }
    let mut v: u64 = 0;
    for b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    u32::try_from(v).ok().filter(|v| *v <= i32::MAX as u32)
}

/// The PIDs listed in a proc directory (`/proc`, or a host's under its root), in the
/// order the kernel lists them; nothing when it cannot be read.
pub fn pids(proc_dir: &std::path::Path) -> Vec<u32> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(dir) = std::fs::read_dir(proc_dir) else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| parse_pid(e.file_name().as_bytes()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_among_the_pids_of_proc() {
        let me = std::process::id();
        assert!(pids(std::path::Path::new("/proc")).contains(&me));
        assert!(pids(std::path::Path::new("/nonexistent")).is_empty());
    }

    #[test]
    fn pids_are_plain_decimal_numbers() {
        assert_eq!(parse_pid(b"1"), Some(1));
        assert_eq!(parse_pid(b"4194304"), Some(4194304));
        for bad in [
            &b""[..],
            b"self",
            b"01",
            b"12a",
            b"99999999999",
            b"3000000000",
        ] {
            assert_eq!(parse_pid(bad), None, "{}", bad.escape_ascii());
        }
    }

    #[test]
    fn context_switches_are_summed() {
        let status = b"Name:\tjbd2/sda1-8\nState:\tD (disk sleep)\n\
            voluntary_ctxt_switches:\t150\nnonvoluntary_ctxt_switches:\t7\n";
        assert_eq!(parse_switches(status), Some(157));
        assert_eq!(parse_switches(b"voluntary_ctxt_switches:\t1\n"), None);
        assert_eq!(
            parse_switches(b"voluntary_ctxt_switches: x\nnonvoluntary_ctxt_switches: 1\n"),
            None
        );
        assert_eq!(parse_switches(b""), None);
    }

    /// A line as the kernel writes it (fields 1..=52), with the interesting ones set.
    pub fn line(pid: u32, comm: &str, state: char, ppid: u32, flags: u64, threads: u32) -> String {
        format!(
            "{pid} ({comm}) {state} {ppid} {pid} {pid} 0 -1 {flags} 120 0 0 0 3 1 0 0 20 0 \
             {threads} 0 4242 1234567 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 \
             0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        )
    }

    #[test]
    fn a_kernel_line_parses() {
        let p = parse_stat(line(1234, "kubelet", 'S', 1, 4194560, 12).as_bytes()).unwrap();
        assert_eq!(p.pid, 1234);
        assert_eq!(p.comm(), b"kubelet");
        assert_eq!((p.state, p.ppid, p.flags), (b'S', 1, 4194560));
        assert_eq!((p.num_threads, p.starttime), (12, 4242));
        assert!(!p.is_kernel_thread() && !p.is_zombie() && !p.is_gone());
    }

    #[test]
    fn names_with_spaces_and_parentheses_end_at_the_last_paren() {
        let p = parse_stat(line(9, "a) b (c) d", 'R', 1, 0, 1).as_bytes()).unwrap();
        assert_eq!(p.comm(), b"a) b (c) d");
        assert_eq!((p.state, p.ppid), (b'R', 1));
        let p = parse_stat(line(9, ") )", 'S', 1, 0, 1).as_bytes()).unwrap();
        assert_eq!(p.comm(), b") )");
        let p = parse_stat(line(9, "", 'S', 1, 0, 1).as_bytes()).unwrap();
        assert_eq!(p.comm(), b"");
    }

    #[test]
    fn kernel_threads_are_recognised_by_flag_or_parent() {
        let by_flag = parse_stat(line(50, "kworker/0:1", 'I', 0, PF_KTHREAD, 1).as_bytes());
        assert!(by_flag.unwrap().is_kernel_thread());
        let by_parent = parse_stat(line(51, "ksoftirqd/0", 'S', 2, 0, 1).as_bytes());
        assert!(by_parent.unwrap().is_kernel_thread());
        let kthreadd = parse_stat(line(2, "kthreadd", 'S', 0, 0, 1).as_bytes());
        assert!(kthreadd.unwrap().is_kernel_thread());
    }

    #[test]
    fn a_zombie_leader_with_live_threads_is_alive() {
        let zombie = parse_stat(line(60, "sh", 'Z', 1, 0, 1).as_bytes()).unwrap();
        assert!(zombie.is_zombie() && zombie.is_gone());
        let leader = parse_stat(line(61, "java", 'Z', 1, 0, 30).as_bytes()).unwrap();
        assert!(!leader.is_zombie() && !leader.is_gone());
        let dead = parse_stat(line(62, "x", 'X', 1, 0, 1).as_bytes()).unwrap();
        assert!(dead.is_gone() && !dead.is_zombie());
    }

    #[test]
    fn long_kernel_thread_names_are_kept_up_to_64_bytes() {
        let name = "kworker/R-kvfree_rcu_reclaim".repeat(3);
        let p = parse_stat(line(70, &name, 'I', 2, PF_KTHREAD, 1).as_bytes()).unwrap();
        assert_eq!(p.comm(), &name.as_bytes()[..64]);
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let cases: [(&[u8], &str); 9] = [
            (b"", "no '(' before the name"),
            (b"12 kubelet S 1", "no '(' before the name"),
            (b"12 (kubelet S 1", "no ')' after the name"),
            (b"12 )kubelet( S 1", "no ')' after the name"),
            (b"x1 (kubelet) S 1", "PID is not a number"),
            (b"12(kubelet) S 1", "no space after the PID"),
            (b"12 (kubelet) S", "no parent PID"),
            (b"12 (kubelet) sleeping 1", "state is not one letter"),
            (b"12 (kubelet) S 1 1 1 0 -1 4194560 1 2", "line ends early"),
        ];
        for (text, why) in cases {
            assert_eq!(
                parse_stat(text).unwrap_err(),
                why,
                "{}",
                text.escape_ascii()
            );
        }
        let negative_ppid = line(5, "x", 'S', 1, 0, 1).replacen(" 1 5 5 ", " -1 5 5 ", 1);
        assert_eq!(
            parse_stat(negative_ppid.as_bytes()).unwrap_err(),
            "parent PID is not a number"
        );
    }

    #[test]
    fn numbers_do_not_overflow() {
        assert_eq!(number(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(number(b"18446744073709551616"), None);
        assert_eq!(number(b"-1"), None);
        assert_eq!(number(b""), None);
    }
}
