//! What a pass over the process table measured: per-selector counts with the first
//! few PIDs, the zombies and their busiest parent, and what was read to get there.
//! Filled by `scan.rs`, judged by `judge.rs`.

use std::time::Duration;

/// PIDs kept per count, for --explain and messages.
pub const PIDS_KEPT: usize = 8;

/// What one selector matched.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Matching processes. With no maximum to check, counting stops once the minimum
    /// is met, as more cannot change the answer (--explain counts them all).
    pub count: u32,
    pub pids: PidList,
    /// Processes whose cut name matched a long `--name` but whose argv[0] did not.
    pub argv0_mismatches: u32,
}

/// The first few PIDs of a count, without allocating.
#[derive(Clone, Debug, Default)]
pub struct PidList {
    pids: [u32; PIDS_KEPT],
    len: usize,
}

impl PidList {
    pub(crate) fn push(&mut self, pid: u32) {
        if self.len < PIDS_KEPT {
            self.pids[self.len] = pid;
            self.len += 1;
        }
    }

    pub fn as_slice(&self) -> &[u32] {
        &self.pids[..self.len]
    }
}

/// The zombies found.
#[derive(Debug, Default)]
pub struct Zombies {
    pub count: u32,
    pub pids: PidList,
    /// The parent that holds the most zombies, with how many it holds.
    pub top_parent: Option<Parent>,
}

#[derive(Debug)]
pub struct Parent {
    pub pid: u32,
    /// Its name, when it is still there to ask.
    pub comm: Option<String>,
    pub zombies: u32,
}

/// Everything one pass measured.
#[derive(Debug, Default)]
pub struct Report {
    /// Processes listed and still there to be read.
    pub processes: u32,
    /// Kernel threads met (all of them when every `stat` is read, else only those
    /// whose name matched).
    pub kernel_threads: u32,
    pub garbage: u32,
    pub stats_read: u32,
    pub comms_read: u32,
    pub statms_read: u32,
    pub cmdlines_read: u32,
    /// One per selector, in the order of `Config::selectors`.
    pub tallies: Vec<Tally>,
    pub zombies: Zombies,
    pub took: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_lists_keep_the_first_few() {
        let mut l = PidList::default();
        for pid in 1..=20 {
            l.push(pid);
        }
        assert_eq!(l.as_slice(), &[1, 2, 3, 4, 5, 6, 7, 8]);
    }
}
