//! The flags turned into what a scan looks for: selectors (a name or a command-line
//! pattern, each with its own count limits), the zombie limit, and the rules that
//! compare runs (restarts of each selector, processes stuck in D state).
//!
//! Everything that can be wrong with the flags is found here, before /proc is read,
//! so that a misconfigured rule answers "bad flags" (Unknown) and never a problem.

use std::time::Duration;

use npd_plugin::units::format_duration;
use npd_plugin::{Error, Result};
use regex_lite::{Regex, RegexBuilder};

use crate::{Args, DScope};

/// The kernel keeps a process's name in 16 bytes including the final NUL.
pub const COMM_LEN: usize = 15;

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

/// One `--name` or `--cmdline` with the limits its count must stay within.
#[derive(Debug)]
pub struct Selector {
    /// How messages name it: the name itself, or the pattern between slashes.
    pub label: String,
    pub what: What,
    pub min: u32,
    pub max: Option<u32>,
}

#[derive(Debug)]
pub enum What {
    /// The executable's name in full.
    Name(Vec<u8>),
    /// Searched (unanchored) in the command line, arguments joined by spaces.
    Cmdline(Regex),
}

impl Selector {
    /// Whether the kernel's name for a process can be this selector's. For a name
    /// longer than the kernel keeps, a match still needs [`Selector::argv0_matches`].
    pub fn comm_matches(&self, comm: &[u8]) -> bool {
        match &self.what {
            What::Name(name) => comm == &name[..name.len().min(COMM_LEN)],
            What::Cmdline(_) => false,
        }
    }

    /// A name the kernel cuts, which only argv[0] can confirm.
    pub fn needs_argv0(&self) -> bool {
        matches!(&self.what, What::Name(name) if name.len() > COMM_LEN)
    }

    /// Confirms a long name with the last component of argv[0].
    pub fn argv0_matches(&self, argv0_basename: &[u8]) -> bool {
        matches!(&self.what, What::Name(name) if name.as_slice() == argv0_basename)
    }

    /// Whether a command line (arguments joined by spaces) matches a pattern selector.
    pub fn cmdline_matches(&self, cmdline: &[u8]) -> bool {
        match &self.what {
            // Command lines are bytes; the few that are not UTF-8 are matched with
            // U+FFFD in place of their bad bytes.
            What::Cmdline(re) => match std::str::from_utf8(cmdline) {
                Ok(text) => re.is_match(text),
                Err(_) => re.is_match(&String::from_utf8_lossy(cmdline)),
            },
            What::Name(_) => false,
        }
    }

    /// "min 1, max 3", "min 1, no max": the rule, for --explain.
    pub fn rule_text(&self) -> String {
        match self.max {
            Some(max) => format!("min {}, max {max}", self.min),
            None => format!("min {}, no max", self.min),
        }
    }
}

/// Validates the flags; every error names the flag and the value at fault.
pub fn configure(args: Args) -> Result<Config> {
    let selected = !(args.names.is_empty() && args.cmdlines.is_empty());
    let d_state = d_state_rule(&args, selected)?;
    let restarts = restart_rule(&args, selected)?;
    if !selected && args.max_zombies.is_none() && d_state.is_none() {
        return Err(Error::new(
            "nothing to check: give a --name, --cmdline or --max-* flag",
        ));
    }
    if let Some(max) = args.max {
        if max < args.min {
            return Err(Error::new(format!(
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

fn d_state_rule(args: &Args, selected: bool) -> Result<Option<DStateRule>> {
    let Some(limit) = args.max_d_state_for else {
        if args.d_state_of.is_some() {
            return Err(Error::new("--d-state-of needs --max-d-state-for"));
        }
        return Ok(None);
    };
    if limit < Duration::from_secs(1) {
        return Err(Error::new(format!(
            "--max-d-state-for {} is too short: every disk read passes through D state",
            format_duration(limit)
        )));
    }
    let scope = args.d_state_of.unwrap_or(DScope::All);
    if scope == DScope::Selected && !selected {
        return Err(Error::new(
            "--d-state-of selected needs --name or --cmdline",
        ));
    }
    Ok(Some(DStateRule { limit, scope }))
}

fn restart_rule(args: &Args, selected: bool) -> Result<Option<RestartRule>> {
    let (max, within) = match (args.max_restarts, args.within) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(Error::new("--max-restarts needs --within")),
        (None, Some(_)) => return Err(Error::new("--within needs --max-restarts")),
        (Some(max), Some(within)) => (max, within),
    };
    if !selected {
        return Err(Error::new("--max-restarts needs --name or --cmdline"));
    }
    if within < Duration::from_secs(1) {
        return Err(Error::new(format!(
            "--within {} is too short: make it much longer than NPD's invoke_interval",
            format_duration(within)
        )));
    }
    Ok(Some(RestartRule { max, within }))
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::new("--name is empty"));
    }
    if name.contains('/') {
        let base = name.rsplit('/').find(|s| !s.is_empty()).unwrap_or(name);
        return Err(Error::new(format!(
            "--name {name:?} is a path: give the executable's name ({base}), \
             or match the path with --cmdline"
        )));
    }
    if name.bytes().any(|b| b.is_ascii_control()) {
        return Err(Error::new(format!(
            "--name {name:?} has control characters"
        )));
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<Regex> {
    if pattern.is_empty() {
        return Err(Error::new(
            "--cmdline is empty: it would match every process",
        ));
    }
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| Error::new(format!("--cmdline {pattern:?}: {}", regex_reason(&e))))
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

    fn name(n: &str) -> Selector {
        configure(args(&[n], &[])).unwrap().selectors.remove(0)
    }

    #[test]
    fn short_names_match_the_kernel_name_exactly() {
        let s = name("kubelet");
        assert!(s.comm_matches(b"kubelet"));
        assert!(!s.comm_matches(b"kubelet2") && !s.comm_matches(b"kube"));
        assert!(!s.needs_argv0());
    }

    #[test]
    fn long_names_match_the_cut_name_then_need_argv0() {
        let s = name("kube-controller-manager");
        assert!(s.comm_matches(b"kube-controller"));
        assert!(!s.comm_matches(b"kube-controller-manager"));
        assert!(s.needs_argv0());
        assert!(s.argv0_matches(b"kube-controller-manager"));
        assert!(!s.argv0_matches(b"kube-controller-mangler"));
        // Exactly the kernel's length: the name is complete, no confirmation.
        assert!(!name("systemd-journal").needs_argv0());
    }

    #[test]
    fn patterns_search_the_joined_command_line() {
        let c = configure(args(&[], &["nova-compute( |$)"])).unwrap();
        let s = &c.selectors[0];
        assert_eq!(s.label, "/nova-compute( |$)/");
        assert!(s.cmdline_matches(b"/usr/bin/python3 /usr/bin/nova-compute --config-file x"));
        assert!(!s.cmdline_matches(b"/usr/bin/python3 /usr/bin/nova-compute-ironic"));
    }

    #[test]
    fn nothing_to_check_is_bad_flags() {
        let e = configure(args(&[], &[])).unwrap_err();
        assert!(e.message().starts_with("nothing to check"), "{e}");
        let mut a = args(&[], &[]);
        a.max_zombies = Some(19);
        assert!(configure(a).is_ok());
        let mut a = args(&[], &[]);
        a.max_d_state_for = Some(Duration::from_secs(300));
        let c = configure(a).unwrap();
        assert!(c.d_state_of_all() && !c.needs_every_match());
    }

    #[test]
    fn restart_and_d_state_rules_are_complete_or_refused() {
        let refused = |f: &dyn Fn(&mut Args), why: &str| {
            let mut a = args(&["kubelet"], &[]);
            f(&mut a);
            assert_eq!(configure(a).unwrap_err().message(), why);
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
            configure(a).unwrap_err().message(),
            "--max-restarts needs --name or --cmdline"
        );
        let mut a = args(&[], &[]);
        (a.max_d_state_for, a.d_state_of) = (Some(min), Some(DScope::Selected));
        assert_eq!(
            configure(a).unwrap_err().message(),
            "--d-state-of selected needs --name or --cmdline"
        );
        let mut a = args(&["kubelet"], &[]);
        (a.max_restarts, a.within) = (Some(3), Some(min));
        let c = configure(a).unwrap();
        assert!(c.needs_every_match() && !c.d_state_of_all());
    }

    #[test]
    fn bad_names_and_limits_are_refused() {
        let e = configure(args(&["/usr/bin/kubelet"], &[])).unwrap_err();
        assert!(
            e.message().contains("give the executable's name (kubelet)"),
            "{e}"
        );
        assert!(configure(args(&[""], &[])).is_err());
        assert!(configure(args(&["a\tb"], &[])).is_err());
        let mut a = args(&["kubelet"], &[]);
        (a.min, a.max) = (2, Some(1));
        let e = configure(a).unwrap_err();
        assert_eq!(
            e.message(),
            "--max 1 is below --min 2: no count could satisfy both"
        );
    }

    #[test]
    fn a_bad_pattern_says_why_on_one_line() {
        let e = configure(args(&[], &["python (unclosed"])).unwrap_err();
        assert_eq!(
            e.message(),
            "--cmdline \"python (unclosed\": found open group without closing ')'"
        );
        assert!(configure(args(&[], &[""])).is_err());
        let e = configure(args(&[], &["a{1000}{1000}"])).unwrap_err();
        assert!(e.message().contains("size limit"), "{e}");
    }
}
