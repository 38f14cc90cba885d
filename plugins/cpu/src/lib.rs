//! `npd-cpu`: the host's CPUs — load average per online CPU, and how much time tasks
//! lose waiting for a CPU (PSI).
//!
//! Each run reads only the files its `--check` needs, under `<host-root>`:
//!
//! - [`config`] holds the flags;
//! - [`measure`] reads the host files: [`loadavg`] parses `/proc/loadavg`, [`cpus`]
//!   counts the host's online CPUs (`/sys/devices/system/cpu/online`, else
//!   `/proc/stat`), [`npd_plugin::psi`] parses `/proc/pressure/cpu`;
//! - [`judge`] turns the readings into the answer.
//!
//! It never changes priorities, affinities or CPU states.

pub mod config;
pub mod cpus;
pub mod judge;
pub mod loadavg;
pub mod measure;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Cpu;

impl Plugin for Cpu {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx);
        judge::judge(config, measured, ctx)
    }

    const NAME: &'static str = "npd-cpu";
    const ABOUT: &'static str = "Checks the host's CPUs: load average per online CPU, CPU \
                                 pressure stall (PSI).";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "CPULoadHigh",
 "reason": "CPULoadHigh", "path": "/opt/npd-checks/bin/npd-cpu",
 "args": ["--check", "load", "--max-load-per-cpu", "4", "--load-average", "5m",
          "--fail-after", "2"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is measured (under <host-root>; system-wide, so the cgroup limits of NPD's
own container change none of it):
  load: a load average of /proc/loadavg (--load-average 1m, 5m or 15m) divided
  by the host's online CPUs, counted from /sys/devices/system/cpu/online, or
  from the cpuN lines of /proc/stat when the host's /sys is not mounted. Never
  from nproc or sched_getaffinity: those see NPD's own cpuset and CPU quota, and
  would make a 64-CPU node look overloaded because NPD may use one CPU. Linux
  counts tasks in uninterruptible sleep (waiting for a disk or an NFS server) in
  the load too: a high load with idle CPUs is storage, not CPU demand; CPU
  pressure tells them apart.
  psi: the \"some\" avg10 of /proc/pressure/cpu, the share of the last 10 seconds
  in which at least one runnable task waited for a CPU. The \"full\" line is not
  defined for CPUs system-wide (the kernel writes zeros) and is not judged.
Defaults:
  --check load: psi is asked for explicitly, because kernels without it (before
  4.20, CONFIG_PSI off, booted with psi=0) answer Unknown for it.
  --max-load-per-cpu 4 --load-average 5m: check_load has no default; the sample
  configuration Nagios ships runs it with warning 5,4,3 and critical 10,6,4 for
  the 1, 5 and 15 minute averages of a one-CPU host, the same as check_load -r
  (per CPU) on any host. 4 on the 5-minute average is that warning level: four
  tasks queued per CPU for minutes, not a burst. Add --fail-after 2.
  --max-psi-some 80: no anchor sets one (the kubelet's eviction, check_load and
  the EKS node monitoring agent, which reads logs, do not judge CPU pressure);
  80 means runnable tasks waited for a CPU during 8 of the last 10 seconds, a
  CPU-saturated node, while busy healthy nodes stay well below it.
Unknown (exit 2):
  A file a check needs is missing, unreadable, empty or garbled (both CPU count
  sources missing included); PSI asked for on a kernel without it. A problem
  found by another check of the same run still wins (exit 1).";
}
