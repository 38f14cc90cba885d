//! Fake process tables in the kernel's formats, for the tests of every crate that
//! reads them (npd-process, and the shipped configs run against kinds of nodes):
//! `<root>/proc/<pid>/{stat,comm,statm,cmdline,status}`, the host's `uptime` and
//! `boot_id`.

use crate::FakeHost;

/// PF_KTHREAD, as the kernel marks kernel threads in the stat flags.
pub const PF_KTHREAD: u64 = 0x0020_0000;
/// Flags of an ordinary process (PF_FORKNOEXEC | PF_RANDOMIZE as seen on a shell).
const USER_FLAGS: u64 = 0x0040_0100;

/// A [`FakeHost`] that holds processes.
pub trait ProcessHost {
    /// A host with an empty `/proc`. `FakeHost::new()` is one without `/proc` at all.
    fn with_proc() -> FakeHost;
    /// An ordinary running process started as `argv`.
    fn process(&self, pid: u32, comm: &str, argv: &[&str]) -> &FakeHost;
    /// A zombie of `parent` (no command line any more).
    fn zombie(&self, pid: u32, comm: &str, parent: u32) -> &FakeHost;
    /// A kernel thread, marked the way the kernel marks it.
    fn kernel_thread(&self, pid: u32, comm: &str) -> &FakeHost;
    /// Any task; `argv` becomes its NUL-separated cmdline.
    #[allow(clippy::too_many_arguments)]
    fn task(
        &self,
        pid: u32,
        comm: &str,
        state: char,
        ppid: u32,
        flags: u64,
        threads: u32,
        argv: &[&str],
    ) -> &FakeHost;
    /// The host's boot (`boot_id`) and how long ago it began (`uptime`, seconds).
    fn boot(&self, boot_id: &str, uptime_s: u64) -> &FakeHost;
    /// A process in `state` started `start` ticks after boot, with its `status`
    /// holding `switches` context switches (no `status` when `None`).
    fn started(
        &self,
        pid: u32,
        comm: &str,
        state: char,
        start: u64,
        switches: Option<u64>,
    ) -> &FakeHost;
    /// A kernel thread in `state` with `switches` context switches.
    fn kernel_task(&self, pid: u32, comm: &str, state: char, switches: u64) -> &FakeHost;
    /// A `/proc/<pid>/stat` with exactly these bytes.
    fn raw_stat(&self, pid: u32, bytes: &[u8]) -> &FakeHost;
}

impl ProcessHost for FakeHost {
    fn with_proc() -> FakeHost {
        let host = FakeHost::new();
        host.dir("proc");
        host
    }

    fn process(&self, pid: u32, comm: &str, argv: &[&str]) -> &FakeHost {
        self.task(pid, comm, 'S', 1, USER_FLAGS, 1, argv)
    }

    fn zombie(&self, pid: u32, comm: &str, parent: u32) -> &FakeHost {
        self.task(pid, comm, 'Z', parent, USER_FLAGS, 1, &[])
    }

    fn kernel_thread(&self, pid: u32, comm: &str) -> &FakeHost {
        self.task(pid, comm, 'I', 2, PF_KTHREAD, 1, &[])
    }

    fn task(
        &self,
        pid: u32,
        comm: &str,
        state: char,
        ppid: u32,
        flags: u64,
        threads: u32,
        argv: &[&str],
    ) -> &FakeHost {
        let no_memory = state == 'Z' || flags & PF_KTHREAD != 0 || ppid == 2 || pid == 2;
        let statm = if no_memory {
            "0 0 0 0 0 0 0\n"
        } else {
            "3000 500 300 20 0 400 0\n"
        };
        let mut cmdline = Vec::new();
        for arg in argv {
            cmdline.extend_from_slice(arg.as_bytes());
            cmdline.push(0);
        }
        self.raw_stat(
            pid,
            stat_line(pid, comm, state, ppid, flags, threads).as_bytes(),
        )
        .write(&format!("proc/{pid}/comm"), format!("{comm}\n"))
        .write(&format!("proc/{pid}/statm"), statm)
        .write(&format!("proc/{pid}/cmdline"), cmdline)
    }

    fn boot(&self, boot_id: &str, uptime_s: u64) -> &FakeHost {
        self.write("proc/sys/kernel/random/boot_id", format!("{boot_id}\n"))
            .write("proc/uptime", format!("{uptime_s}.00 12.34\n"))
    }

    fn started(
        &self,
        pid: u32,
        comm: &str,
        state: char,
        start: u64,
        switches: Option<u64>,
    ) -> &FakeHost {
        let line = stat_line(pid, comm, state, 1, USER_FLAGS, 1).replacen(
            " 4242 ",
            &format!(" {start} "),
            1,
        );
        self.process(pid, comm, &[comm])
            .raw_stat(pid, line.as_bytes());
        let status = format!("proc/{pid}/status");
        match switches {
            Some(n) => self.write(
                &status,
                format!(
                    "Name:\t{comm}\nState:\t{state}\nPid:\t{pid}\n\
                     voluntary_ctxt_switches:\t{n}\nnonvoluntary_ctxt_switches:\t0\n"
                ),
            ),
            None if self.path(&status).exists() => self.remove(&status),
            None => self,
        }
    }

    fn kernel_task(&self, pid: u32, comm: &str, state: char, switches: u64) -> &FakeHost {
        self.task(pid, comm, state, 2, PF_KTHREAD, 1, &[]).write(
            &format!("proc/{pid}/status"),
            format!(
                "Name:\t{comm}\nvoluntary_ctxt_switches:\t{switches}\n\
                 nonvoluntary_ctxt_switches:\t0\n"
            ),
        )
    }

    fn raw_stat(&self, pid: u32, bytes: &[u8]) -> &FakeHost {
        self.write(&format!("proc/{pid}/stat"), bytes)
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
