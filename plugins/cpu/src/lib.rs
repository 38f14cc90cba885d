//! `npd-cpu`: the host's CPUs — load average per online CPU, and how much time tasks
//! lose waiting for a CPU (PSI).
//!
//! Each run reads only the files its `--check` needs, under `<host-root>`:
//!
//! - [`loadavg`] parses `/proc/loadavg`; [`cpus`] counts the host's online CPUs
//!   (`/sys/devices/system/cpu/online`, else `/proc/stat`);
//! - [`psi`] parses `/proc/pressure/cpu`;
//! - [`judge`] turns the readings into the answer; [`read`] reads host files.
//!
//! It never changes priorities, affinities or CPU states.

pub mod cpus;
pub mod judge;
pub mod loadavg;

use npd_plugin::units::parse_percent;
use npd_plugin::{explain, Context, Error, Outcome, Plugin, Result};

use npd_plugin::hostfile::{self as read, HostFile};
use npd_plugin::psi;

/// What can be checked.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// The load average divided by the online CPUs, against --max-load-per-cpu.
    Load,
    /// CPU pressure stall (PSI) some avg10, against --max-psi-some.
    Psi,
}

/// Which load average is judged.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    #[value(name = "1m")]
    OneMinute,
    #[value(name = "5m")]
    FiveMinutes,
    #[value(name = "15m")]
    FifteenMinutes,
}

impl Window {
    pub fn label(self) -> &'static str {
        match self {
            Window::OneMinute => "1m",
            Window::FiveMinutes => "5m",
            Window::FifteenMinutes => "15m",
        }
    }
}

// The flags of `npd-cpu`. Not a doc comment: clap would make it the --help text in
// place of `Cpu::ABOUT`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to check, comma-separated or repeated. In an NPD config give each
    /// condition its own rule and one --check.
    #[arg(long = "check", value_name = "WHAT", value_enum, value_delimiter = ',',
          default_values_t = [Aspect::Load])]
    pub checks: Vec<Aspect>,

    /// A load average above this many tasks per online CPU is a problem.
    #[arg(long, value_name = "N", default_value = "4", value_parser = parse_ratio)]
    pub max_load_per_cpu: f64,

    /// Which load average is judged: over 1, 5 or 15 minutes.
    #[arg(long, value_name = "WINDOW", value_enum, default_value_t = Window::FiveMinutes)]
    pub load_average: Window,

    /// More than this percentage of the last 10 seconds with at least one runnable
    /// task waiting for a CPU is a problem (100 turns it off).
    #[arg(long, value_name = "PCT", default_value = "80", value_parser = parse_percent)]
    pub max_psi_some: f64,
}

fn parse_ratio(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "invalid load per CPU {text:?} (expected a number above 0, such as 4 or 1.5)"
        )),
    }
}

/// The load limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadLimit {
    pub max_per_cpu: f64,
    pub window: Window,
}

/// The flags, validated: each check is `Some(limit)` when asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub load: Option<LoadLimit>,
    pub max_psi_some: Option<f64>,
}

/// The plugin.
pub struct Cpu;

impl Plugin for Cpu {
    const NAME: &'static str = "npd-cpu";
    const ABOUT: &'static str = "Checks the host's CPUs: load average per online CPU, CPU \
                                 pressure stall (PSI).";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "CPULoadHigh",
 "reason": "CPULoadHigh", "path": "/opt/npd-checks/bin/npd-cpu",
 "args": ["--check", "load", "--max-load-per-cpu", "4", "--load-average", "5m",
          "--fail-after", "2"], "timeout": "5s"}"#;
    const NOTES: &'static str = NOTES;
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let has = |a: Aspect| args.checks.contains(&a);
        Ok(Config {
            load: has(Aspect::Load).then_some(LoadLimit {
                max_per_cpu: args.max_load_per_cpu,
                window: args.load_average,
            }),
            max_psi_some: has(Aspect::Psi).then_some(args.max_psi_some),
        })
    }

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let mut problems = Vec::new();
        let mut errors: Vec<Error> = Vec::new();
        if let Some(limit) = &config.load {
            match load(ctx) {
                Ok((l, cpus)) => problems.extend(judge::load(ctx, &l, cpus, limit)),
                Err(e) => errors.push(e),
            }
        }
        if let Some(max) = config.max_psi_some {
            match pressure(ctx) {
                Ok(p) => problems.extend(judge::pressure(ctx, &p, max)),
                Err(e) => errors.push(e),
            }
        }
        ctx.despite(
            Outcome::from_problems(problems, judge::ok_message(config)),
            errors,
        )
    }
}

fn garbage(ctx: &Context, path: &str, why: String) -> Error {
    Error::new(format!("{}: {why}", ctx.host_path(path).display()))
}

fn load(ctx: &Context) -> Result<(loadavg::LoadAvg, u32)> {
    let text = read::required(ctx, "/proc/loadavg")?;
    let l = loadavg::parse(&text).map_err(|why| garbage(ctx, "/proc/loadavg", why))?;
    let (cpus, source) = online_cpus(ctx)?;
    explain!(
        ctx,
        "CPUs: {cpus} online, from {} (the host's, not this container's cpuset or quota)",
        ctx.host_path(source.path()).display()
    );
    Ok((l, cpus))
}

fn online_cpus(ctx: &Context) -> Result<(u32, cpus::Source)> {
    let source = cpus::Source::SysOnline;
    if let HostFile::Text(text) = read::host_file(ctx, source.path())? {
        let n = cpus::count_list(&text).map_err(|why| garbage(ctx, source.path(), why))?;
        return Ok((n, source));
    }
    let source = cpus::Source::ProcStat;
    let text = read::required(ctx, source.path())?;
    let n = cpus::count_stat(&text).map_err(|why| garbage(ctx, source.path(), why))?;
    Ok((n, source))
}

fn pressure(ctx: &Context) -> Result<psi::Pressure> {
    let path = "/proc/pressure/cpu";
    let text = match read::host_file(ctx, path)? {
        HostFile::Text(t) => t,
        HostFile::Missing(full) => {
            return Err(Error::new(format!(
                "no PSI: {} not found (CONFIG_PSI off or psi=0)",
                full.display()
            )))
        }
    };
    psi::parse(&text).map_err(|why| garbage(ctx, path, why))
}

const NOTES: &str = "\
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

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<Cpu>(args)
    }

    #[test]
    fn defaults_check_the_five_minute_load() {
        let c = configure(&[]).unwrap();
        assert_eq!(
            c,
            Config {
                load: Some(LoadLimit {
                    max_per_cpu: 4.0,
                    window: Window::FiveMinutes
                }),
                max_psi_some: None
            }
        );
        assert_eq!(judge::ok_message(&c), "CPU load normal");
    }

    #[test]
    fn each_check_is_asked_for() {
        let c = configure(&["--check", "psi", "--max-psi-some", "60%"]).unwrap();
        assert_eq!(c.load, None);
        assert_eq!(c.max_psi_some, Some(60.0));
        assert_eq!(judge::ok_message(&c), "CPU pressure normal");
        let c = configure(&["--check", "load,psi", "--load-average", "15m"]).unwrap();
        assert_eq!(c.load.unwrap().window, Window::FifteenMinutes);
        assert_eq!(
            judge::ok_message(&c),
            "CPU load normal; CPU pressure normal"
        );
    }

    #[test]
    fn load_limits_are_positive_numbers() {
        assert!(configure(&["--max-load-per-cpu", "0"]).is_err());
        assert!(configure(&["--max-load-per-cpu", "-1"]).is_err());
        assert!(configure(&["--max-load-per-cpu", "inf"]).is_err());
        assert_eq!(
            configure(&["--max-load-per-cpu", "1.5"])
                .unwrap()
                .load
                .unwrap()
                .max_per_cpu,
            1.5
        );
    }

    #[test]
    fn help_has_the_example_rule_and_no_percent_sign() {
        let help = npd_plugin::command::<Cpu>().render_long_help().to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-cpu"));
        assert!(help.contains("check_load"));
        assert!(!help.contains('%'), "{help}");
    }
}
