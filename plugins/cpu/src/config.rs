//! The flags of `npd-cpu` and their validation into a [`Config`]: which checks run and
//! the limit of each.

use npd_plugin::units::{parse_percent, Percent};
use npd_plugin::{Configure, Error, Result};

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
    pub max_psi_some: Percent,
}

fn parse_ratio(text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(Error::config(format!(
            "invalid load per CPU {text:?} (expected a number above 0, such as 4 or 1.5)"
        ))),
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

impl Configure for Config {
    type Args = Args;

    /// Keeps the limits of the checks asked for.
    fn configure(args: Args) -> Result<Config> {
        let has = |a: Aspect| args.checks.contains(&a);
        Ok(Config {
            load: has(Aspect::Load).then_some(LoadLimit {
                max_per_cpu: args.max_load_per_cpu,
                window: args.load_average,
            }),
            max_psi_some: has(Aspect::Psi).then_some(args.max_psi_some.as_f64()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<crate::Cpu>(args)
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
    }

    #[test]
    fn each_check_is_asked_for() {
        let c = configure(&["--check", "psi", "--max-psi-some", "60%"]).unwrap();
        assert_eq!(c.load, None);
        assert_eq!(c.max_psi_some, Some(60.0));
        let c = configure(&["--check", "load,psi", "--load-average", "15m"]).unwrap();
        assert_eq!(c.load.unwrap().window, Window::FifteenMinutes);
    }

    #[test]
    fn load_limits_are_positive_numbers() {
        for bad in ["0", "-1", "inf"] {
            let e = configure(&["--max-load-per-cpu", bad]).unwrap_err();
            assert_eq!(e.kind(), npd_plugin::Kind::Config, "{bad}");
        }
        assert_eq!(
            configure(&["--max-load-per-cpu", "1.5"])
                .unwrap()
                .load
                .unwrap()
                .max_per_cpu,
            1.5
        );
    }
}
