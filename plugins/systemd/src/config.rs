//! The flags of `npd-systemd` and their validation into a [`Config`]: which units are
//! judged and what is a problem for them.

use std::time::Duration;

use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{Configure, Error, Result};

/// Unit type suffixes systemd knows; a name without one is a service, as systemctl
/// takes it.
const UNIT_TYPES: [&str; 11] = [
    "service",
    "socket",
    "device",
    "mount",
    "automount",
    "swap",
    "target",
    "path",
    "timer",
    "slice",
    "scope",
];

/// The flags of `npd-systemd`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A unit to judge, repeated for several (kubelet.service; a name without a type
    /// suffix is a .service).
    #[arg(long = "unit", value_name = "NAME", required = true)]
    pub units: Vec<String>,

    /// A unit activating (starting, or waiting to restart) for longer than this is a
    /// problem.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub max_activating: Duration,

    /// A unit that is inactive (stopped, not failed) is OK: for units that are not
    /// meant to run all the time.
    #[arg(long)]
    pub allow_inactive: bool,

    /// A unit systemd has no file for (LoadState not-found) is OK, "not installed":
    /// for a rule shared by nodes that have the unit and nodes that do not.
    #[arg(long)]
    pub allow_missing: bool,

    /// More restarts than this within --within is a problem, counted across runs
    /// from each service's NRestarts.
    #[arg(long, value_name = "N")]
    pub max_restarts: Option<u32>,

    /// The window of --max-restarts.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub within: Option<Duration>,

    /// Judge restarts only, not the units' states (which another rule judges): a
    /// failed or stopped unit is then no restart loop.
    #[arg(long)]
    pub only_restarts: bool,
}

/// `--max-restarts N --within D`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RestartRule {
    pub max: u32,
    pub within: Duration,
}

/// The validated flags.
#[derive(Debug, PartialEq)]
pub struct Config {
    /// Full unit names, in the order given, without repeats.
    pub units: Vec<String>,
    pub max_activating: Duration,
    pub allow_inactive: bool,
    pub allow_missing: bool,
    pub restarts: Option<RestartRule>,
    pub only_restarts: bool,
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        let mut units: Vec<String> = Vec::new();
        for name in &args.units {
            let name = unit_name(name)?;
            if !units.contains(&name) {
                units.push(name);
            }
        }
        let restarts = match (args.max_restarts, args.within) {
            (None, None) => None,
            (Some(_), None) => return Err(Error::config("--max-restarts needs --within")),
            (None, Some(_)) => return Err(Error::config("--within needs --max-restarts")),
            (Some(max), Some(within)) => {
                if within < Duration::from_secs(1) {
                    return Err(Error::config(format!(
                        "--within {} is too short: make it much longer than NPD's \
                         invoke_interval",
                        format_duration(within)
                    )));
                }
                if let Some(other) = units.iter().find(|u| !u.ends_with(".service")) {
                    return Err(Error::config(format!(
                        "--max-restarts counts service restarts: {other} is not a service"
                    )));
                }
                Some(RestartRule { max, within })
            }
        };
        if args.only_restarts && restarts.is_none() {
            return Err(Error::config("--only-restarts needs --max-restarts"));
        }
        if args.max_activating.is_zero() {
            return Err(Error::config("--max-activating must be more than 0s"));
        }
        Ok(Config {
            units,
            max_activating: args.max_activating,
            allow_inactive: args.allow_inactive,
            allow_missing: args.allow_missing,
            restarts,
            only_restarts: args.only_restarts,
        })
    }
}

/// The full name of a unit: its characters checked as systemd checks them (so that a
/// typo is bad flags, not a unit that is never found), ".service" added when it has
/// no type suffix.
fn unit_name(name: &str) -> Result<String> {
    let bad = |why: &str| Error::config(format!("--unit {name:?}: {why}"));
    if name.is_empty() {
        return Err(bad("empty"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || ":-_.\\@".contains(c);
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return Err(bad(&format!("{c:?} is not allowed in a unit name")));
    }
    let typed = name
        .rsplit_once('.')
        .is_some_and(|(stem, suffix)| !stem.is_empty() && UNIT_TYPES.contains(&suffix));
    let full = if typed {
        name.to_string()
    } else {
        format!("{name}.service")
    };
    if full.len() > 255 {
        return Err(bad("longer than 255 characters"));
    }
    if full.starts_with('.') || full.starts_with('@') {
        return Err(bad("not a unit name"));
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(units: &[&str]) -> Args {
        Args {
            units: units.iter().map(|u| u.to_string()).collect(),
            max_activating: Duration::from_secs(300),
            allow_inactive: false,
            allow_missing: false,
            max_restarts: None,
            within: None,
            only_restarts: false,
        }
    }

    #[test]
    fn names_get_their_type_and_repeats_are_dropped() {
        let c =
            Config::configure(args(&["kubelet", "containerd.service", "kubelet.service"])).unwrap();
        assert_eq!(c.units, vec!["kubelet.service", "containerd.service"]);
        let c = Config::configure(args(&["var-lib.mount", "getty@tty1", "a.b"])).unwrap();
        assert_eq!(
            c.units,
            vec!["var-lib.mount", "getty@tty1.service", "a.b.service"]
        );
    }

    #[test]
    fn bad_names_are_bad_flags() {
        for bad in ["", "kube let", "k/s", ".service", "ü.service"] {
            let e = Config::configure(args(&[bad])).unwrap_err();
            assert_eq!(e.kind(), npd_plugin::Kind::Config, "{bad:?}");
        }
    }

    #[test]
    fn restarts_need_both_flags_and_services() {
        let mut a = args(&["kubelet"]);
        a.max_restarts = Some(3);
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--max-restarts needs --within"
        );
        let mut a = args(&["kubelet", "kubelet.socket"]);
        a.max_restarts = Some(3);
        a.within = Some(Duration::from_secs(1800));
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--max-restarts counts service restarts: kubelet.socket is not a service"
        );
        let mut a = args(&["kubelet"]);
        a.max_restarts = Some(3);
        a.within = Some(Duration::from_secs(1800));
        assert_eq!(
            Config::configure(a).unwrap().restarts,
            Some(RestartRule {
                max: 3,
                within: Duration::from_secs(1800)
            })
        );
    }
}
