//! What a pass over the process table measured: per-selector counts with the first
//! few PIDs (and, for restarts, every instance), the zombies and their busiest
//! parent, the processes in D state, and what was read to get there. Filled by
//! [`crate::measure::scan`]; [`crate::measure::restarts`] and
//! [`crate::measure::dstate`] compare it with earlier runs, [`crate::judge`] decides.

use std::time::Duration;

/// PIDs kept per count, for --explain and messages.
pub const PIDS_KEPT: usize = 8;

/// Instances kept per selector for restart counting. A service is one process or a
/// few; a selector matching more (workers forked per request) cannot tell a restart
/// from a fork, and `restarts.rs` answers Unknown for it.
pub const INSTANCES_KEPT: usize = 64;

/// Processes in D state kept from one pass; beyond it only the count grows.
pub const D_TASKS_KEPT: usize = 4096;

/// One running copy of a process: a PID is reused, a PID with its start time is not
/// (within a boot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instance {
    pub pid: u32,
    /// Clock ticks after boot, field 22 of `stat`.
    pub start: u64,
}

/// A process seen in uninterruptible sleep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DTask {
    pub instance: Instance,
    pub comm: String,
    pub kernel_thread: bool,
    /// Voluntary plus involuntary context switches of its main thread, from `status`
    /// (`None` when there is none to read): unchanged means it never ran since.
    pub switches: Option<u64>,
}

/// What one selector matched.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Matching processes. With no maximum to check, counting stops once the minimum
    /// is met, as more cannot change the answer (--explain counts them all).
    pub count: u32,
    pub pids: PidList,
    /// Processes whose cut name matched a long `--name` but whose argv[0] did not.
    pub argv0_mismatches: u32,
    /// Every matching process, when restarts are counted (at most
    /// [`INSTANCES_KEPT`] + 1: one more says there were too many).
    pub instances: Vec<Instance>,
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
    /// Kernel threads met (all of them when kthreadd lists them or every `stat` is
    /// read, else only those whose name matched).
    pub kernel_threads: u32,
    /// Of those, the ones known from kthreadd's list of children, no file read.
    pub kernel_threads_listed: u32,
    pub garbage: u32,
    pub stats_read: u32,
    pub comms_read: u32,
    pub statms_read: u32,
    pub cmdlines_read: u32,
    /// One per selector, in the order of `Config::selectors`.
    pub tallies: Vec<Tally>,
    pub zombies: Zombies,
    /// Processes in D state (at most [`D_TASKS_KEPT`]), when D state is judged.
    pub d_tasks: Vec<DTask>,
    /// All processes seen in D state, kept or not.
    pub d_count: u32,
    pub statuses_read: u32,
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
