//! The fake hosts npd-limits judges: the kernel files it reads, as the kernel writes
//! them.

use npd_test_support::FakeHost;

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-limits");

pub const LOADAVG: &str = "proc/loadavg";
pub const PID_MAX: &str = "proc/sys/kernel/pid_max";
pub const THREADS_MAX: &str = "proc/sys/kernel/threads-max";
pub const FILE_NR: &str = "proc/sys/fs/file-nr";
pub const CT_COUNT: &str = "proc/sys/net/netfilter/nf_conntrack_count";
pub const CT_MAX: &str = "proc/sys/net/netfilter/nf_conntrack_max";

pub trait LimitsHost {
    /// A healthy host: 3104 tasks of pid_max 32768 and threads-max 192729, 12409 of
    /// 2466174 file handles, 1000 of 262144 conntrack entries.
    fn healthy() -> FakeHost;
    /// Like [`LimitsHost::healthy`] without the conntrack module (and its files).
    fn without_conntrack() -> FakeHost;
    /// Puts a directory where a file should be: reading it fails, even for root.
    fn unreadable(&self, rel: &str) -> &FakeHost;
    /// The task total as /proc/loadavg shows it.
    fn tasks(&self, total: u64) -> &FakeHost;
    fn file_nr(&self, allocated: u64, max: u64) -> &FakeHost;
    fn conntrack(&self, count: u64, max: u64) -> &FakeHost;
}

impl LimitsHost for FakeHost {
    fn healthy() -> FakeHost {
        let host = FakeHost::new();
        host.tasks(3104)
            .write(PID_MAX, "32768\n")
            .write(THREADS_MAX, "192729\n")
            .write(FILE_NR, "12409\t0\t2466174\n")
            .conntrack(1000, 262144);
        host
    }

    fn without_conntrack() -> FakeHost {
        let host = FakeHost::healthy();
        host.remove(CT_COUNT).remove(CT_MAX);
        host
    }

    fn unreadable(&self, rel: &str) -> &FakeHost {
        let path = self.path(rel);
        let _ = std::fs::remove_file(&path);
        self.dir(rel)
    }

    fn tasks(&self, total: u64) -> &FakeHost {
        self.write(LOADAVG, format!("0.52 0.58 0.59 2/{total} 14275\n"))
    }

    fn file_nr(&self, allocated: u64, max: u64) -> &FakeHost {
        self.write(FILE_NR, format!("{allocated}\t0\t{max}\n"))
    }

    fn conntrack(&self, count: u64, max: u64) -> &FakeHost {
        self.write(CT_COUNT, format!("{count}\n"))
            .write(CT_MAX, format!("{max}\n"))
    }
}
