//! `npd-memory`: the host's memory — how much is still available, how much time tasks
//! lose waiting for it (PSI), and OOM kills since the previous run.
//!
//! Each run reads only the files its `--check` needs, all under `<host-root>/proc`:
//!
//! - [`meminfo`] parses MemTotal and MemAvailable from `meminfo`;
//! - [`psi`] parses `pressure/memory`;
//! - [`oom`] reads `oom_kill` from `vmstat` and compares it with the count kept in
//!   the state dir by the previous run;
//! - [`judge`] turns the readings into the answer; [`read`] reads host files.
//!
//! It never frees, drops or compacts memory, and never kills anything.

pub mod judge;
pub mod meminfo;
pub mod oom;

use npd_plugin::units::parse_percent;
use npd_plugin::{Context, Error, Outcome, Plugin, Result};

use npd_plugin::hostfile::{self as read, HostFile};
use npd_plugin::psi;

/// What can be checked.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// MemAvailable as a share of MemTotal, against --min-available.
    Available,
    /// Memory pressure stall (PSI) avg10, against --max-psi-some and --max-psi-full.
    Psi,
    /// OOM kills since the previous run, against --max-oom-kills (needs --state-dir).
    OomKills,
}

// The flags of `npd-memory`. Not a doc comment: clap would make it the --help text
// in place of `Memory::ABOUT`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to check, comma-separated or repeated. In an NPD config give each
    /// condition its own rule and one --check.
    #[arg(long = "check", value_name = "WHAT", value_enum, value_delimiter = ',',
          default_values_t = [Aspect::Available])]
    pub checks: Vec<Aspect>,

    /// Less memory available than this percentage of the total is a problem.
    #[arg(long, value_name = "PCT", default_value = "10", value_parser = parse_percent)]
    pub min_available: f64,

    /// More than this percentage of the last 10 seconds with at least one task
    /// stalled on memory is a problem (100 turns it off).
    #[arg(long, value_name = "PCT", default_value = "50", value_parser = parse_percent)]
    pub max_psi_some: f64,

    /// More than this percentage of the last 10 seconds with every non-idle task
    /// stalled on memory at once is a problem (100 turns it off).
    #[arg(long, value_name = "PCT", default_value = "20", value_parser = parse_percent)]
    pub max_psi_full: f64,

    /// More OOM kills than this since the previous run is a problem.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_oom_kills: u64,
}

/// The PSI limits, in percent of wall time over avg10.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PsiLimits {
    pub max_some: f64,
    pub max_full: f64,
}

/// The flags, validated: each check is `Some(limit)` when asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub min_available: Option<f64>,
    pub psi: Option<PsiLimits>,
    pub max_oom_kills: Option<u64>,
}

/// The plugin.
pub struct Memory;

impl Plugin for Memory {
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
    const NOTES: &'static str = NOTES;
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let has = |a: Aspect| args.checks.contains(&a);
        Ok(Config {
            min_available: has(Aspect::Available).then_some(args.min_available),
            psi: has(Aspect::Psi).then_some(PsiLimits {
                max_some: args.max_psi_some,
                max_full: args.max_psi_full,
            }),
            max_oom_kills: has(Aspect::OomKills).then_some(args.max_oom_kills),
        })
    }

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let mut problems = Vec::new();
        let mut errors: Vec<Error> = Vec::new();
        let mut note = |e: Error| errors.push(e);
        if let Some(max) = config.max_oom_kills {
            match oom_kills(ctx) {
                Ok(since) => problems.extend(judge::oom(ctx, since, max)),
                Err(e) => note(e),
            }
        }
        if let Some(min) = config.min_available {
            match available(ctx) {
                Ok(m) => problems.extend(judge::available(ctx, &m, min)),
                Err(e) => note(e),
            }
        }
        if let Some(limits) = &config.psi {
            match pressure(ctx) {
                Ok(p) => problems.extend(judge::pressure(ctx, &p, limits)),
                Err(e) => note(e),
            }
        }
        ctx.despite(
            Outcome::from_problems(problems, judge::ok_message(config)),
            errors,
        )
    }
}

fn available(ctx: &Context) -> Result<meminfo::MemInfo> {
    let text = read::required(ctx, "/proc/meminfo")?;
    meminfo::parse(&text).map_err(|why| {
        Error::new(format!(
            "{}: {why}",
            ctx.host_path("/proc/meminfo").display()
        ))
    })
}

fn pressure(ctx: &Context) -> Result<psi::Pressure> {
    let text = match read::host_file(ctx, "/proc/pressure/memory")? {
        HostFile::Text(t) => t,
        HostFile::Missing(full) => {
            return Err(Error::new(format!(
                "no PSI: {} not found (CONFIG_PSI off or psi=0)",
                full.display()
            )))
        }
    };
    let p = psi::parse(&text).map_err(|why| {
        Error::new(format!(
            "{}: {why}",
            ctx.host_path("/proc/pressure/memory").display()
        ))
    })?;
    if p.full.is_none() {
        return Err(Error::new(format!(
            "{}: no \"full\" line",
            ctx.host_path("/proc/pressure/memory").display()
        )));
    }
    Ok(p)
}

fn oom_kills(ctx: &Context) -> Result<oom::Since> {
    let text = read::required(ctx, "/proc/vmstat")?;
    let total = oom::parse_vmstat(&text).map_err(|why| {
        Error::new(format!(
            "{}: {why}",
            ctx.host_path("/proc/vmstat").display()
        ))
    })?;
    oom::since_previous_run(ctx, total)
}

const NOTES: &str = "\
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

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<Memory>(args)
    }

    #[test]
    fn defaults_check_available_memory_only() {
        let c = configure(&[]).unwrap();
        assert_eq!(
            c,
            Config {
                min_available: Some(10.0),
                psi: None,
                max_oom_kills: None
            }
        );
        assert_eq!(judge::ok_message(&c), "memory available normal");
    }

    #[test]
    fn each_check_is_asked_for() {
        let c = configure(&["--check", "psi,oom-kills", "--max-psi-full", "30%"]).unwrap();
        assert_eq!(c.min_available, None);
        assert_eq!(
            c.psi,
            Some(PsiLimits {
                max_some: 50.0,
                max_full: 30.0
            })
        );
        assert_eq!(c.max_oom_kills, Some(0));
        assert_eq!(
            judge::ok_message(&c),
            "no new OOM kills; memory pressure normal"
        );
    }

    #[test]
    fn help_has_the_example_rules_and_no_percent_sign() {
        let help = npd_plugin::command::<Memory>()
            .render_long_help()
            .to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-memory"));
        assert!(help.contains("\"temporary\""));
        assert!(help.contains("systemd-oomd"));
        assert!(!help.contains('%'), "{help}");
    }
}
