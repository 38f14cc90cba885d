//! How many CPUs the host has online, the divisor of the load average.
//!
//! The load average is host-wide, so it is divided by the host's CPUs, never by what
//! this process may use: nproc, sched_getaffinity and Rust's available_parallelism
//! see the cpuset and the CPU quota of NPD's own container, and would make a node
//! look loaded because NPD is limited to half a CPU. The host's count is read from
//! files the kernel writes for the whole machine:
//!
//! 1. `/sys/devices/system/cpu/online`, a list such as `0-3,6`: exactly the CPUs
//!    the scheduler can run on, tiny to read;
//! 2. `/proc/stat`, one `cpuN` line per online CPU, when the DaemonSet mounts the
//!    host's /proc but not its /sys.
//!
//! A list that is there but garbled is not replaced by the other source: something
//! is wrong with the host view, and the answer says so.

use npd_plugin::{Error, Result};

/// Where the count came from, for --explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    SysOnline,
    ProcStat,
}

impl Source {
    pub fn path(self) -> &'static str {
        match self {
            Source::SysOnline => "/sys/devices/system/cpu/online",
            Source::ProcStat => "/proc/stat",
        }
    }
}

/// Counts the CPUs in a list such as "0-3,6,8-9\n".
pub fn count_list(text: &str) -> Result<u32> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::unobserved("empty CPU list"));
    }
    let mut count: u32 = 0;
    for part in text.split(',') {
        let bad = || {
            Error::unobserved(format!(
                "garbage CPU list entry {:?}",
                part.chars().take(16).collect::<String>()
            ))
        };
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let first: u32 = first.parse().map_err(|_| bad())?;
        let last: u32 = last.parse().map_err(|_| bad())?;
        if last < first {
            return Err(bad());
        }
        count = count.checked_add(last - first + 1).ok_or_else(bad)?;
    }
    Ok(count)
}

/// Counts the `cpuN` lines of /proc/stat (the `cpu` line is the sum of them).
pub fn count_stat(text: &str) -> Result<u32> {
    let count = text
        .lines()
        .filter(|l| {
            l.strip_prefix("cpu")
                .and_then(|rest| rest.split(' ').next())
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .count();
    if count == 0 {
        return Err(Error::unobserved("no cpuN lines"));
    }
    u32::try_from(count).map_err(|_| Error::unobserved("too many cpuN lines"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_as_the_kernel_writes_them() {
        assert_eq!(count_list("0-1\n"), Ok(2));
        assert_eq!(count_list("0\n"), Ok(1));
        assert_eq!(count_list("0-3,6,8-9\n"), Ok(7));
        for bad in ["", "\n", "a-b", "3-1", "0-", ",", "0,,1", "0-1-2", "-1"] {
            assert!(count_list(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stat_lines() {
        let stat = "cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 5 0 2 50 0 0 0 0 0 0\n\
                    cpu1 5 0 3 50 0 0 0 0 0 0\nintr 12345 0 1\nctxt 99\n";
        assert_eq!(count_stat(stat), Ok(2));
        assert!(count_stat("cpu  10 0 5 100\nintr 1\n").is_err());
        assert!(count_stat("").is_err());
        assert!(count_stat("cpufreq 1\ncpux 2\n").is_err());
    }
}
