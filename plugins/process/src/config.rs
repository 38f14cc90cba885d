//! The flags of `npd-process` ([`Args`]) turned into what a scan looks for
//! ([`Config`]): selectors (a name or a command-line pattern, each with its own count
//! limits), the zombie limit, and the rules that compare runs (restarts of each
//! selector, processes stuck in D state).
//!
//! Everything that can be wrong with the flags is found here, before /proc is read,
//! so that a misconfigured rule answers "bad flags" (Unknown) and never a problem.

use std::time::Duration;

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{Configure, Error, Result};
use regex_lite::{Regex, RegexBuilder};

use crate::select::{Selector, What};

/// Which processes `--max-d-state-for` judges.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DScope {
    /// Every process and kernel thread of the host.
    All,
    /// Only the processes --name and --cmdline select.
    Selected,
}

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

    /// A process in uninterruptible sleep (state D) for longer than this is a problem
    /// (e.g. 5m). Needs --state-dir; the first run only records.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_d_state_for: Option<Duration>,

    /// Which processes --max-d-state-for judges (default: all, kernel threads
    /// included).
    #[arg(long, value_name = "WHICH", value_enum)]
    pub d_state_of: Option<DScope>,

    /// More starts than this within --within is a problem, for each --name and
    /// --cmdline (a restart loop). Needs --state-dir; the first run only records.
    #[arg(long, value_name = "K")]
    pub max_restarts: Option<u32>,

    /// The window --max-restarts counts starts in (e.g. 30m); make it much longer
    /// than NPD's invoke_interval.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub within: Option<Duration>,
}

/// Compiled patterns stay small: the plugin's whole budget is a couple of MiB.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// What the flags ask for, validated.
#[derive(Debug)]
pub struct Config {
    /// Names first, then patterns, each in the order given.
    pub selectors: Vec<Selector>,
    pub max_zombies: Option<u32>,
    pub d_state: Option<DStateRule>,
    /// Applies to every selector, as `min` and `max` do.
    pub restarts: Option<RestartRule>,
}

/// `--max-d-state-for`, and which processes it judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DStateRule {
    pub limit: Duration,
    pub scope: DScope,
}

/// `--max-restarts K --within W`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestartRule {
    pub max: u32,
    pub within: Duration,
}

impl Config {
    /// Whether every copy a selector matches must be read, with its `stat`: restarts
    /// and D state of selected processes need each one's identity and state.
    pub fn needs_every_match(&self) -> bool {
        self.restarts.is_some() || self.d_state.is_some_and(|d| d.scope == DScope::Selected)
    }

    /// Whether the state of every process is needed, kernel threads included.
    pub fn d_state_of_all(&self) -> bool {
        self.d_state.is_some_and(|d| d.scope == DScope::All)
    }
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags; every error names the flag and the value at fault.
    fn configure(args: Args) -> Result<Config> {
        let selected = !(args.names.is_empty() && args.cmdlines.is_empty());
        let d_state = d_state_rule(&args, selected)?;
        let restarts = restart_rule(&args, selected)?;
        if !selected && args.max_zombies.is_none() && d_state.is_none() {
            return Err(Error::config(
                "nothing to check: give a --name, --cmdline or --max-* flag",
            ));
        }
        if let Some(max) = args.max {
            if max < args.min {
                return Err(Error::config(format!(
                    "--max {max} is below --min {}: no count could satisfy both",
                    args.min
                )));
            }
        }
        let mut selectors = Vec::with_capacity(args.names.len() + args.cmdlines.len());
        for name in args.names {
            check_name(&name)?;
            selectors.push(Selector {
                label: name.clone(),
                what: What::Name(name.into_bytes()),
                min: args.min,
                max: args.max,
            });
        }
        for pattern in args.cmdlines {
            let re = compile(&pattern)?;
            selectors.push(Selector {
                label: format!("/{pattern}/"),
                what: What::Cmdline(re),
                min: args.min,
                max: args.max,
            });
        }
        Ok(Config {
            selectors,
            max_zombies: args.max_zombies,
            d_state,
            restarts,
        })
    }
}

fn d_state_rule(args: &Args, selected: bool) -> Result<Option<DStateRule>> {
    let Some(limit) = args.max_d_state_for else {
        if args.d_state_of.is_some() {
            return Err(Error::config("--d-state-of needs --max-d-state-for"));
        }
        return Ok(None);
    };
    if limit < Duration::from_secs(1) {
        return Err(Error::config(format!(
            "--max-d-state-for {} is too short: every disk read passes through D state",
            format_duration(limit)
        )));
    }
    let scope = args.d_state_of.unwrap_or(DScope::All);
    if scope == DScope::Selected && !selected {
        return Err(Error::config(
            "--d-state-of selected needs --name or --cmdline",
        ));
    }
    Ok(Some(DStateRule { limit, scope }))
}

fn restart_rule(args: &Args, selected: bool) -> Result<Option<RestartRule>> {
    let (max, within) = match (args.max_restarts, args.within) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(Error::config("--max-restarts needs --within")),
        (None, Some(_)) => return Err(Error::config("--within needs --max-restarts")),
        (Some(max), Some(within)) => (max, within),
    };
    if !selected {
        return Err(Error::config("--max-restarts needs --name or --cmdline"));
    }
    if within < Duration::from_secs(1) {
        return Err(Error::config(format!(
            "--within {} is too short: make it much longer than NPD's invoke_interval",
            format_duration(within)
        )));
    }
    Ok(Some(RestartRule { max, within }))
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::config("--name is empty"));
    }
    if name.contains('/') {
        let base = name.rsplit('/').find(|s| !s.is_empty()).unwrap_or(name);
        return Err(Error::config(format!(
            "--name {name:?} is a path: give the executable's name ({base}), \
             or match the path with --cmdline"
        )));
    }
    if name.bytes().any(|b| b.is_ascii_control()) {
        return Err(Error::config(format!(
            "--name {name:?} has control characters"
        )));
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<Regex> {
    if pattern.is_empty() {
        return Err(Error::config(
            "--cmdline is empty: it would match every process",
        ));
    }
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| Error::config(format!("--cmdline {pattern:?}: {}", regex_reason(&e))))
}

/// Syntax errors come over several lines (the pattern, a caret, then the reason); the
/// answer has room for one, so keep the reason.
fn regex_reason(err: &regex_lite::Error) -> String {
    let text = err.to_string();
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_string())
        .unwrap_or_else(|| "invalid regular expression".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(names: &[&str], cmdlines: &[&str]) -> Args {
        Args {
            names: names.iter().map(|s| s.to_string()).collect(),
            cmdlines: cmdlines.iter().map(|s| s.to_string()).collect(),
            min: 1,
            max: None,
            max_zombies: None,
            max_d_state_for: None,
            d_state_of: None,
            max_restarts: None,
            within: None,
        }
    }

    #[test]
    fn patterns_search_the_joined_command_line() {
        let c = Config::configure(args(&[], &["nova-compute( |$)"])).unwrap();
        let s = &c.selectors[0];
        assert_eq!(s.label, "/nova-compute( |$)/");
        assert!(s.cmdline_matches(b"/usr/bin/python3 /usr/bin/nova-compute --config-file x"));
        assert!(!s.cmdline_matches(b"/usr/bin/python3 /usr/bin/nova-compute-ironic"));
    }

    #[test]
    fn nothing_to_check_is_bad_flags() {
        let e = Config::configure(args(&[], &[])).unwrap_err();
        assert!(e.message().starts_with("nothing to check"), "{e}");
        let mut a = args(&[], &[]);
        a.max_zombies = Some(19);
        assert!(Config::configure(a).is_ok());
        let mut a = args(&[], &[]);
        a.max_d_state_for = Some(Duration::from_secs(300));
        let c = Config::configure(a).unwrap();
        assert!(c.d_state_of_all() && !c.needs_every_match());
    }

    #[test]
    fn restart_and_d_state_rules_are_complete_or_refused() {
        let refused = |f: &dyn Fn(&mut Args), why: &str| {
            let mut a = args(&["kubelet"], &[]);
            f(&mut a);
            assert_eq!(Config::configure(a).unwrap_err().message(), why);
        };
        let min = Duration::from_secs(60);
        refused(
            &|a| a.max_restarts = Some(3),
            "--max-restarts needs --within",
        );
        refused(&|a| a.within = Some(min), "--within needs --max-restarts");
        refused(
            &|a| (a.max_restarts, a.within) = (Some(3), Some(Duration::from_millis(10))),
            "--within 10ms is too short: make it much longer than NPD's invoke_interval",
        );
        refused(
            &|a| a.d_state_of = Some(DScope::All),
            "--d-state-of needs --max-d-state-for",
        );
        refused(
            &|a| a.max_d_state_for = Some(Duration::ZERO),
            "--max-d-state-for 0s is too short: every disk read passes through D state",
        );
        let mut a = args(&[], &[]);
        (a.max_restarts, a.within) = (Some(3), Some(min));
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--max-restarts needs --name or --cmdline"
        );
        let mut a = args(&[], &[]);
        (a.max_d_state_for, a.d_state_of) = (Some(min), Some(DScope::Selected));
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--d-state-of selected needs --name or --cmdline"
        );
        let mut a = args(&["kubelet"], &[]);
        (a.max_restarts, a.within) = (Some(3), Some(min));
        let c = Config::configure(a).unwrap();
        assert!(c.needs_every_match() && !c.d_state_of_all());
    }

    #[test]
    fn bad_names_and_limits_are_refused() {
        let e = Config::configure(args(&["/usr/bin/kubelet"], &[])).unwrap_err();
        assert!(
            e.message().contains("give the executable's name (kubelet)"),
            "{e}"
        );
        assert!(Config::configure(args(&[""], &[])).is_err());
        assert!(Config::configure(args(&["a\tb"], &[])).is_err());
        let mut a = args(&["kubelet"], &[]);
        (a.min, a.max) = (2, Some(1));
        let e = Config::configure(a).unwrap_err();
        assert_eq!(
            e.message(),
            "--max 1 is below --min 2: no count could satisfy both"
        );
    }

    #[test]
    fn a_bad_pattern_says_why_on_one_line() {
        let e = Config::configure(args(&[], &["python (unclosed"])).unwrap_err();
        assert_eq!(
            e.message(),
            "--cmdline \"python (unclosed\": found open group without closing ')'"
        );
        assert!(Config::configure(args(&[], &[""])).is_err());
        let e = Config::configure(args(&[], &["a{1000}{1000}"])).unwrap_err();
        assert!(e.message().contains("size limit"), "{e}");
    }
}
