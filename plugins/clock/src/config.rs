//! The flags of `npd-clock` and their validation into a [`Config`]: the two error
//! limits, whether the kernel's flag counts, and where readings come from.

use std::time::Duration;

use npd_plugin::units::parse_duration;
use npd_plugin::{Configure, Error, Result};

use crate::timex::{self, Source, MAXERROR_LIMIT_US};

/// A limit that can be switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Off,
    Above(Duration),
}

impl Limit {
    fn micros(self) -> Option<i64> {
        match self {
            Limit::Off => None,
            Limit::Above(d) => Some(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
        }
    }
}

fn parse_limit(text: &str) -> Result<Limit> {
    if text == "off" {
        return Ok(Limit::Off);
    }
    parse_duration(text).map(Limit::Above)
}

// The flags of `npd-clock`. Not a doc comment: clap would make it the --help text in
// place of `Clock::ABOUT`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A problem when the daemon's estimated error (esterror) is greater than this
    /// (a duration, or off).
    #[arg(long, value_name = "DURATION", default_value = "100ms", value_parser = parse_limit)]
    pub max_esterror: Limit,

    /// A problem when the kernel's maximum error (maxerror) is greater than this
    /// (a duration below 16s, or off). At 16s the clock is unsynchronized anyway.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_limit)]
    pub max_maxerror: Limit,

    /// Also count the kernel's unsynchronized flag (STA_UNSYNC, TIME_ERROR) on its
    /// own. Only where the daemon clears it when synchronized: ntpd,
    /// systemd-timesyncd, chrony with rtcsync.
    #[arg(long)]
    pub trust_unsync_flag: bool,

    // Test seam, see the `timex` module: a fixed reading in place of the syscall.
    #[arg(long, hide = true, value_name = "FIELDS")]
    pub adjtimex_reading: Option<String>,
}

/// The flags, validated.
#[derive(Clone, Debug)]
pub struct Config {
    /// Limits in microseconds, as the kernel counts; `None` when off.
    pub max_esterror_us: Option<i64>,
    pub max_maxerror_us: Option<i64>,
    pub trust_unsync_flag: bool,
    pub source: Source,
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags: a maxerror limit the kernel never reaches would never fire.
    fn configure(args: Args) -> Result<Config> {
        let max_maxerror_us = args.max_maxerror.micros();
        if max_maxerror_us.is_some_and(|l| l >= MAXERROR_LIMIT_US) {
            return Err(Error::config(
                "--max-maxerror must be below 16s: the kernel stops maxerror at 16s, \
                 which is already reported as unsynchronized (or give off)",
            ));
        }
        let source = match &args.adjtimex_reading {
            None => Source::Kernel,
            Some(text) => timex::parse_stand_in(text)?,
        };
        Ok(Config {
            max_esterror_us: args.max_esterror.micros(),
            max_maxerror_us,
            trust_unsync_flag: args.trust_unsync_flag,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use npd_plugin::Kind;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<crate::Clock>(args)
    }

    #[test]
    fn defaults() {
        let c = configure(&[]).unwrap();
        assert_eq!(c.max_esterror_us, Some(100_000));
        assert_eq!(c.max_maxerror_us, Some(5_000_000));
        assert!(!c.trust_unsync_flag);
        assert_eq!(c.source, Source::Kernel);
    }

    #[test]
    fn limits_off_and_durations() {
        let c = configure(&[
            "--max-esterror",
            "off",
            "--max-maxerror",
            "1.5s",
            "--trust-unsync-flag",
        ])
        .unwrap();
        assert_eq!(c.max_esterror_us, None);
        assert_eq!(c.max_maxerror_us, Some(1_500_000));
        assert!(c.trust_unsync_flag);
    }

    #[test]
    fn maxerror_limit_must_be_reachable() {
        let e = configure(&["--max-maxerror", "16s"]).unwrap_err();
        assert!(e.message().contains("below 16s"), "{e}");
        assert_eq!(e.kind(), Kind::Config);
        assert!(configure(&["--max-maxerror", "15.9s"]).is_ok());
        assert!(configure(&["--max-maxerror", "off"]).is_ok());
    }

    #[test]
    fn bad_values() {
        for args in [
            &["--max-esterror", "100"][..],
            &["--max-esterror", "-1s"],
            &["--max-maxerror", "never"],
            &["--adjtimex-reading", "status=oops"],
        ] {
            let e = configure(args).unwrap_err();
            assert_eq!(e.kind(), Kind::Config, "{args:?}");
        }
    }
}
