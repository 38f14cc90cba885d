//! `npd-memory`: the host's memory — how much is still available, how much time tasks
//! lose waiting for it (PSI), and OOM kills since the previous run.
//!
//! Each run reads only the files its `--check` needs, all under `<host-root>/proc`:
//!
//! - [`config`] holds the flags;
//! - [`measure`] reads the files and the state dir: [`meminfo`] parses MemTotal and
//!   MemAvailable from `meminfo`, [`npd_plugin::psi`] parses `pressure/memory`,
//!   [`vmstat`] finds `oom_kill`, which is compared with the count kept in the state
//!   dir by the previous run;
//! - [`judge`] turns the readings into the answer.
//!
//! It never frees, drops or compacts memory, and never kills anything.

pub mod config;
pub mod judge;
pub mod measure;
pub mod meminfo;
pub mod vmstat;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Memory;

impl Plugin for Memory {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx);
        judge::judge(config, measured, ctx)
    }

    const NAME: &'static str = "npd-memory";
    const ABOUT: &'static str = "Checks the host's memory: available memory, memory pressure \
                                 stall (PSI), OOM kills since the previous run.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "MemoryAvailableLow",
 "reason": "MemoryAvailableLow", "path": "/opt/npd-checks/bin/npd-memory",
 "args": ["--check", "available", "--min-available", "10", "--fail-after", "2"],
 "timeout": "5s"}
OOM kills as Events (one per run that saw kills):
{"type": "temporary", "reason": "OOMKillsDetected",
 "path": "/opt/npd-checks/bin/npd-memory",
 "args": ["--check", "oom-kills", "--state-key", "oom-kills"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is measured (all under <host-root>/proc, system-wide: the cgroup limits of
NPD's own container change none of it):
  available: MemAvailable / MemTotal from meminfo. MemAvailable is the kernel's
  estimate of what can still be allocated without swapping, page cache it can
  drop included, so a node full of cache is not reported.
  psi: the avg10 of the \"some\" and \"full\" lines of pressure/memory, the share
  of the last 10 seconds in which at least one task (some) or every non-idle task
  at once (full) waited for memory: reclaim, swap-in, refaults of evicted pages.
  It sees thrashing that a share of free memory cannot.
  oom-kills: the oom_kill counter of vmstat (Linux 4.13 and later) against the
  count the same rule kept in --state-dir at its previous run. The first run
  takes a baseline and reports nothing; a counter below the kept one means the
  host rebooted, and a new baseline is taken. Give the rule a --state-key so that
  editing its other flags keeps the count.
Defaults:
  --check available: psi and oom-kills are asked for explicitly, psi because
  kernels without it (before 4.20, CONFIG_PSI off, booted with psi=0, or
  CONFIG_PSI_DEFAULT_DISABLED without psi=1) answer Unknown for it.
  --min-available 10: the kubelet's default hard eviction threshold is
  memory.available below 100Mi, which on any node of more than 1 GiB is well
  under 10 pct: the condition warns while there is still time to act, before
  the kubelet starts evicting pods. check_swap has no default; the sample
  configuration Nagios ships runs it critical below 10 pct free (warning below
  20), the same share for swap. The kubelet counts memory.available
  from the root cgroup's working set, not from MemAvailable, so the two can
  differ by the inactive file cache.
  --max-psi-full 20: systemd-oomd kills at full pressure above 60 pct for 30s
  (its DefaultMemoryPressureLimit and DefaultMemoryPressureDurationSec); 20 with
  --fail-after 2 reports sustained thrashing well before a userspace OOM killer
  acts. --max-psi-some 50: some task waited for memory half of the time.
  --max-oom-kills 0: any OOM kill is news. Run it as a temporary rule (an Event
  per run that saw kills), without --fail-after: debounce would hide single kills.
Unknown (exit 2):
  A file a check needs is missing, unreadable, empty or garbled; PSI asked for
  on a kernel without it; for oom-kills, a state dir that cannot be created,
  locked, read or written (the count since the previous run needs it). A problem
  found by another check of the same run still wins (exit 1).";
}
