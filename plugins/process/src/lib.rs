//! `npd-process`: named processes present in the expected numbers, restart loops,
//! processes stuck in D state, and zombies.
//!
//! It reads the host's process table (`<host-root>/proc`) once per run and judges:
//! each `--name` / `--cmdline` selector must match between `--min` and `--max`
//! processes and start no more than `--max-restarts` times `--within` a window, no
//! process may stay in D state longer than `--max-d-state-for`, and there must be no
//! more than `--max-zombies` zombies.
//!
//! - [`config`] turns the flags into [`select`]ors and rules;
//! - [`measure`] reads the table (one small file per process, no allocation per
//!   process) into [`stat::ProcStat`] records and counts into a [`report`], reading
//!   command lines where a selector needs them; for restarts and D state it compares
//!   the report with what earlier runs kept in the state dir, on the host's boot
//!   clock (`npd_plugin::boot`);
//! - [`judge`] decides, [`explain`] gives the account for --explain.
//!
//! It is not a process supervisor: it never restarts or signals anything.

pub mod config;
pub mod explain;
pub mod judge;
pub mod measure;
pub mod report;
pub mod select;
/// The `/proc/<pid>/stat` record, shared with the other readers of process tables.
pub use npd_plugin::procstat as stat;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config, DScope};

/// The plugin.
pub struct Process;

impl Plugin for Process {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx)?;
        explain::report(ctx, config, &measured.report);
        let outcome = judge::judge(config, &measured.report, &measured.tracked);
        ctx.despite(outcome, measured.errors)
    }

    const NAME: &'static str = "npd-process";
    const ABOUT: &'static str = "Checks that named processes run on the host in the expected \
                                 numbers and do not restart in a loop, that no process stays \
                                 stuck in D state, and that zombies do not pile up.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "KubeletProcessMissing",
 "reason": "KubeletProcessMissing", "path": "/opt/npd-checks/bin/npd-process",
 "args": ["--name", "kubelet", "--fail-after", "2"], "timeout": "5s"}
A restart loop, and processes stuck in D state:
{"type": "permanent", "condition": "KubeletRestartLoop",
 "reason": "KubeletRestartLoop", "path": "/opt/npd-checks/bin/npd-process",
 "args": ["--name", "kubelet", "--min", "0", "--max-restarts", "3", "--within", "30m",
          "--state-key", "kubelet-restarts"], "timeout": "5s"}
{"type": "permanent", "condition": "ProcessStuckInDState",
 "reason": "ProcessStuckInDState", "path": "/opt/npd-checks/bin/npd-process",
 "args": ["--max-d-state-for", "5m", "--state-key", "d-state"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Matching:
  --name compares the kernel's name of each process (the executable's file name,
  what ps -e and pgrep -x show) exactly. The kernel keeps only its first 15 bytes,
  so a longer name (kube-controller-manager) is confirmed by the last component of
  argv[0], read only for the processes whose first 15 bytes matched. A name of
  exactly 15 bytes also matches longer names that begin with it: give names in full.
  --cmdline is searched anywhere in the command line (like pgrep -f); anchor it or
  add context (\"nova-compute( |$)\") to tell similar services apart.
  Kernel threads, zombies and npd-process itself never count.
Defaults:
  --min 1 and no --max: a selector asks that at least one such process runs. Use
  --max 1 where two copies fight over a resource. With --name, add --fail-after 2: a
  service being restarted (systemd waits RestartSec between tries) is absent for a
  moment, and one such sample should not raise a condition.
  --max-zombies has no default. The EKS node monitoring agent reports 20 or more
  zombies; --max-zombies 19 does the same. A few zombies are harmless (their parent
  reaps them late); a pile of them means a parent that never reaps (often a
  container whose PID 1 is not an init), and each one holds a PID.
Restart loops (--max-restarts K --within W):
  A process is one PID with one start time (field 22 of stat, ticks after boot).
  Each run keeps, per --name and --cmdline, the processes it found; one not kept
  before is a start, dated by its own start time. More than K starts within the
  last W is a problem, until they age out of W. The first run only records (the
  running copy is not a restart), and so does the first run after a reboot (a new
  boot_id in <host-root>/proc/sys/kernel/random/boot_id). A process that starts
  and dies between two runs is never seen, so the count is a lower bound: make W
  much longer than NPD's invoke_interval (30m at 30s is 60 runs). A service that
  crashes seconds after each start is seen only by the runs that fall in its
  short lives; over 30m that is still many starts. Use it on services of one
  long-lived process: a selector matching more than 64 processes (workers forked
  per request) cannot tell a restart from a fork and answers Unknown. Give the
  rule --min 0 to judge restarts alone (another rule says the process is missing)
  and a --state-key, so that editing its flags keeps the history. The name of its
  condition must differ from NPD's FrequentKubeletRestart (KubeletRestartLoop).
  --max-restarts 3 --within 30m: a deliberate restart or two (an upgrade, a
  config change) passes; a crash loop under systemd's Restart=always and
  RestartSec=10 starts up to 180 times in 30m. Up to 256 start times are kept per
  selector.
D state (--max-d-state-for T):
  A task in uninterruptible sleep (state D in stat) waits in the kernel, for a
  disk, an NFS server or a FUSE daemon, and cannot be killed. The kernel shows the
  state but not since when, so each run keeps when it first found each process in
  D, with its context switch count (status): a process stays in D since then only
  while every run finds it in D and that count has not moved, as the kernel's own
  hung-task detector judges (it warns at 120s, kernel.hung_task_timeout_secs; NPD's
  kernel monitor turns its \"task ... blocked for more than\" line into an event).
  A process doing heavy I/O passes through D often but runs in between, and is not
  reported. Found not in D, or gone, it is forgotten; a reused PID (another start
  time) is another process. The first run only records, and so do the first run
  after a reboot and a run more than T after the previous one. In D for longer than
  T is a problem; the answer names the longest waiting (name, PID, how long) and
  counts them. --d-state-of all (default) judges every process and every kernel
  thread: a kernel thread stuck in D (jbd2, a flush worker, nfsiod) is the first
  sign of a dead disk or server, and idle kernel threads show I, not D, since Linux
  4.14. --d-state-of selected judges only what --name and --cmdline select. Only a
  process's main thread is seen (as ps shows it), not its other threads. 5m is
  well past the kernel's 120s warning: a stuck mount, not a slow disk. Up to 1024
  processes are kept (those found first; the others are recorded as room frees,
  which can only delay their report).
Cost:
  One small file per process under <host-root>/proc: comm for a name rule (its stat
  only when the name matches), stat when zombies are counted (only stat has the
  state), cmdline when --cmdline is given. Once --min copies of a name are found
  and there is no --max, further copies are not read (--explain counts them all).
  Reading a command line can wait on a process stuck holding its memory map; the
  answer then names that process (Unknown). --max-restarts reads the stat of every
  matching process; --max-d-state-for reads every stat (or, with --d-state-of
  selected, those of the matching processes) and the status of those in D, and
  both read boot_id and uptime.
Unknown:
  A missing or unreadable <host-root>/proc, or one holding no process, answers
  Unknown, and so does a process whose stat or command line cannot be read for a
  reason other than its exit: it might be the very process looked for.
  --max-restarts and --max-d-state-for need the state dir: one that cannot be
  created, locked, read or written, a corrupt state file (they start over), or
  an unreadable boot_id or uptime make those two Unknown. The other checks of the
  rule still judge: a problem they find is the answer (exit 1), the reason for
  Unknown goes to stderr.";
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_example_rule_is_json() {
        let text = Process::EXAMPLE_RULE;
        assert!(text.starts_with('{') && text.ends_with('}'));
        assert_eq!(text.matches('"').count() % 2, 0);
        assert!(!text.contains("FrequentKubeletRestart"));
    }
}
