//! The flags of `npd-memory` and their validation into a [`Config`]: which checks run
//! and the limit of each.

use npd_plugin::units::{parse_percent, Percent};
use npd_plugin::{Configure, Result};

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
    pub min_available: Percent,

    /// More than this percentage of the last 10 seconds with at least one task
    /// stalled on memory is a problem (100 turns it off).
    #[arg(long, value_name = "PCT", default_value = "50", value_parser = parse_percent)]
    pub max_psi_some: Percent,

    /// More than this percentage of the last 10 seconds with every non-idle task
    /// stalled on memory at once is a problem (100 turns it off).
    #[arg(long, value_name = "PCT", default_value = "20", value_parser = parse_percent)]
    pub max_psi_full: Percent,

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

impl Configure for Config {
    type Args = Args;

    /// Keeps the limits of the checks asked for.
    fn configure(args: Args) -> Result<Config> {
        let has = |a: Aspect| args.checks.contains(&a);
        Ok(Config {
            min_available: has(Aspect::Available).then_some(args.min_available.as_f64()),
            psi: has(Aspect::Psi).then_some(PsiLimits {
                max_some: args.max_psi_some.as_f64(),
                max_full: args.max_psi_full.as_f64(),
            }),
            max_oom_kills: has(Aspect::OomKills).then_some(args.max_oom_kills),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<crate::Memory>(args)
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
    }

    #[test]
    fn bad_percentages_are_bad_flags() {
        let e = configure(&["--min-available", "101"]).unwrap_err();
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
    }
}
