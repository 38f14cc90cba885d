//! `npd-limits`: kernel-wide limits close to exhaustion, each as a share of its limit.
//!
//! - tasks (processes and threads) against kernel.pid_max and kernel.threads-max: when
//!   either runs out, fork() and clone() fail everywhere on the node;
//! - allocated file handles against fs.file-max: open() and socket() fail;
//! - connection tracking entries against nf_conntrack_max: new flows are dropped.
//!
//! [`config`] holds the flags, [`procfs`] reads the kernel's files, [`measure`] reads
//! each selected limit and [`judge`] decides. It reads a handful of one-line files and
//! never walks /proc: see the notes of `--help` for why that count is the right one.

pub mod config;
pub mod judge;
pub mod measure;
pub mod procfs;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config, Limit};

/// The plugin.
pub struct Limits;

impl Plugin for Limits {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx);
        judge::judge(measured, ctx)
    }

    const NAME: &'static str = "npd-limits";
    const ABOUT: &'static str = "Checks that the kernel's limits on tasks (pid_max, threads-max), \
                                 file handles (file-max) and conntrack entries \
                                 (nf_conntrack_max) are not nearly exhausted.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "PIDUsageHigh",
 "reason": "PIDUsageHigh", "path": "/opt/npd-checks/bin/npd-limits",
 "args": ["--check", "pids,threads", "--max-pids-used", "70", "--fail-after", "3"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is counted:
  pids, threads: the task total of <host-root>/proc/loadavg (4th field, after the
  slash), the kernel's own count of processes and threads, kernel threads included,
  on the whole machine. Every task holds a PID, so the one count is set against both
  limits. It costs one small read, where summing num_threads over /proc/*/stat or
  listing /proc/*/task costs a file or directory per process and misses the tasks of
  PID namespaces the reader cannot see. (LXCFS, where used, rewrites loadavg with the
  container's numbers: run this on the host's /proc.)
  files: /proc/sys/fs/file-nr, allocated minus unused handles (unused is always 0
  since Linux 2.6) against its third field, fs.file-max. A file-max of 2^63-1, which
  systemd 240 and later sets at boot, is never near.
  conntrack: /proc/sys/net/netfilter/nf_conntrack_count against nf_conntrack_max;
  an nf_conntrack_max of 0 is no limit to the kernel, so never near.
Defaults:
  --check pids,threads,files; conntrack only when asked for.
  --max-pids-used 70, --max-files-used 70: the EKS node monitoring agent warns from
  70 pct of pid_max and of file-max (it uses >=; here a limit is exceeded when
  strictly greater). --max-threads-used 70: threads-max bounds the same tasks.
  --max-conntrack-used 90: NPD's bundled network_problem.sh (count > 90 pct of max;
  it answers Unknown without the module, where this answers OK).
  Add --fail-after 3: a burst of forks or connections should not raise a condition.
Namespaces (what the DaemonSet needs):
  The task total and file-nr are machine-wide whatever the namespaces. pid_max is per
  PID namespace on Linux 6.14 and later and is read for the reading process's
  namespace: hostPID gives the host's. /proc/sys/net shows the network namespace of
  the process that reads it, not of the /proc mount it is read through, so
  --host-root cannot reach the host's conntrack table: the DaemonSet needs
  hostNetwork: true. When <host-root>/proc/1/net/dev (the host's PID 1, with
  hostPID) and /proc/self/net/dev are two procfs entries (two network namespaces;
  unlike the /proc/<pid>/ns links, they need no right to ptrace PID 1), conntrack
  answers Unknown instead of reporting a pod's table as the host's.
Unknown and OK:
  A missing, unreadable, empty or garbled pid_max, threads-max, loadavg or file-nr is
  Unknown. No nf_conntrack_count and no nf_conntrack_max (the nf_conntrack module is
  not loaded, so nothing can fill) is OK \"conntrack not loaded\", when
  <host-root>/proc/sys/net exists. An exhausted limit is reported even when another
  one could not be read.
Not covered:
  Per-cgroup pids.max (the kubelet's podPidsLimit), per-process RLIMIT_NOFILE and
  fs.nr_open, and the kubelet's own pid.available eviction signal.";
}
