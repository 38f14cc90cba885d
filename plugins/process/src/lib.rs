//! `npd-process`: named processes present in the expected numbers, and zombies.
//!
//! It reads the host's process table (`<host-root>/proc`) once per run and judges:
//! each `--name` / `--cmdline` selector must match between `--min` and `--max`
//! processes, and there must be no more than `--max-zombies` zombies.
//!
//! - [`procfs`] and [`stat`] read the table (one small file per process, no
//!   allocation per process) into [`stat::ProcStat`] records, the base for checks
//!   that need process state or start times; [`cmdline`] reads command lines where
//!   a selector needs them;
//! - [`select`] turns the flags into selectors, [`scan`] counts into a [`report`],
//!   [`judge`] decides.
//!
//! It is not a process supervisor: it never restarts or signals anything.

pub mod cmdline;
pub mod judge;
pub mod procfs;
pub mod report;
pub mod scan;
pub mod select;
pub mod stat;

use npd_plugin::{Context, Outcome, Plugin, Result};

/// The flags of `npd-process`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// An executable's name, as `ps -e` and `pgrep -x` show it, in full (e.g.
    /// kubelet, kube-controller-manager). Repeatable; each is counted separately.
    #[arg(long = "name", value_name = "NAME")]
    pub names: Vec<String>,

    /// A regular expression searched in each command line (arguments joined by
    /// spaces), for services whose executable is an interpreter (python3). Repeatable.
    #[arg(long = "cmdline", value_name = "REGEX")]
    pub cmdlines: Vec<String>,

    /// Fewer matching processes than this is a problem, for each --name and --cmdline.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min: u32,

    /// More matching processes than this is a problem, for each --name and --cmdline
    /// (default: no limit).
    #[arg(long, value_name = "N")]
    pub max: Option<u32>,

    /// More zombie processes (exited, never reaped by their parent) than this is a
    /// problem.
    #[arg(long, value_name = "N")]
    pub max_zombies: Option<u32>,
}

/// The plugin.
pub struct Process;

impl Plugin for Process {
    const NAME: &'static str = "npd-process";
    const ABOUT: &'static str = "Checks that named processes run on the host in the expected \
                                 numbers, and that zombies do not pile up.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "KubeletProcessMissing",
 "reason": "KubeletProcessMissing", "path": "/opt/npd-checks/bin/npd-process",
 "args": ["--name", "kubelet", "--fail-after", "2"], "timeout": "5s"}"#;
    const NOTES: &'static str = NOTES;
    type Args = Args;
    type Config = select::Config;

    fn configure(args: Args) -> Result<select::Config> {
        select::configure(args)
    }

    fn check(config: &select::Config, ctx: &Context) -> Result<Outcome> {
        let report = scan::scan(config, ctx)?;
        judge::explain_report(ctx, config, &report);
        Ok(judge::judge(config, &report))
    }
}

const NOTES: &str = "\
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
Cost:
  One small file per process under <host-root>/proc: comm for a name rule (its stat
  only when the name matches), stat when zombies are counted (only stat has the
  state), cmdline when --cmdline is given. Once --min copies of a name are found
  and there is no --max, further copies are not read (--explain counts them all).
  Reading a command line can wait on a process stuck holding its memory map; the
  answer then names that process (Unknown).
Unknown:
  A missing or unreadable <host-root>/proc, or one holding no process, answers
  Unknown, and so does a process whose stat or command line cannot be read for a
  reason other than its exit: it might be the very process looked for.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_has_the_example_rule_and_the_notes() {
        let help = npd_plugin::command::<Process>()
            .render_long_help()
            .to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-process"));
        assert!(help.contains("--max-zombies 19"));
        assert!(!help.contains('%'));
    }

    #[test]
    fn the_example_rule_is_json() {
        let text = Process::EXAMPLE_RULE;
        assert!(text.starts_with('{') && text.ends_with('}'));
        assert_eq!(text.matches('"').count() % 2, 0);
    }
}
