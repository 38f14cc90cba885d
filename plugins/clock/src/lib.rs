//! `npd-clock`: whether the host's clock is synchronized, as the kernel knows it.
//!
//! One adjtimex(2) read ([`timex`]) gives the kernel's clock state, its status flags
//! and two error bounds that every time daemon (chrony, ntpd, systemd-timesyncd)
//! keeps up to date; [`judge`] turns them into an answer. It asks no daemon and no
//! time server: what the kernel was told is what is judged.

pub mod judge;
pub mod timex;

use std::time::Duration;

use npd_plugin::units::parse_duration;
use npd_plugin::{Context, Error, Outcome, Plugin, Result};

use crate::timex::{Source, MAXERROR_LIMIT_US};

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

fn parse_limit(text: &str) -> std::result::Result<Limit, String> {
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

/// The plugin.
pub struct Clock;

impl Plugin for Clock {
    const NAME: &'static str = "npd-clock";
    const ABOUT: &'static str = "Checks that the host's clock is synchronized, as the kernel \
                                 knows it (adjtimex): whatever daemon keeps the time.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "ClockUnsynchronized",
 "reason": "ClockNotSynchronized", "path": "/opt/npd-checks/bin/npd-clock",
 "args": ["--max-esterror", "100ms", "--max-maxerror", "5s", "--fail-after", "20"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = NOTES;
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let max_maxerror_us = args.max_maxerror.micros();
        if max_maxerror_us.is_some_and(|l| l >= MAXERROR_LIMIT_US) {
            return Err(Error::new(
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

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let reading = config.source.read().map_err(|e| {
            Error::new(format!(
                "adjtimex failed: {} (a seccomp profile that forbids it?)",
                npd_plugin::short_io_reason(&e)
            ))
        })?;
        judge::explain_reading(&reading, config, ctx);
        if reading.maxerror_us < 0 || reading.esterror_us < 0 {
            return Err(Error::new(format!(
                "adjtimex gave a negative error (maxerror {}us, esterror {}us)",
                reading.maxerror_us, reading.esterror_us
            )));
        }
        Ok(judge::judge(&reading, config))
    }
}

const NOTES: &str = "\
What is read:
  One adjtimex(2) call with modes 0: read only, no privilege needed. The clock is
  not namespaced, so this is the host kernel's state from inside any container, no
  host root involved, and it does not matter which daemon keeps the time (chrony,
  ntpd, systemd-timesyncd, a PTP hardware clock through chrony): each reports to
  the kernel through these fields. NPD's bundled check_ntp.sh only asks systemd
  whether ntp.service is running: that says nothing of the clock, is a problem on
  every node that runs chrony or timesyncd instead, and needs systemctl in NPD's
  container.
Rules:
  Unsynchronized: maxerror has reached 16s, the kernel's limit. A daemon sets
  maxerror at each clock update; in between the kernel adds 500 us per second (the
  worst drift of an undisciplined clock) and stops at 16s, where it sets STA_UNSYNC
  itself; chrony and ntpd write 16s when they lose their sources, and a booting
  kernel starts there. systemd (timedatectl's NTPSynchronized) uses this rule, and
  node_exporter's NodeClockNotSynchronizing alert requires it.
  The kernel's flag alone (STA_UNSYNC, or adjtimex returning TIME_ERROR) is not
  counted by default: chrony keeps STA_UNSYNC set on a synchronized clock unless
  rtcsync is configured (so that the kernel does not copy the time to the RTC).
  --trust-unsync-flag counts it where the daemon clears it when synchronized.
  Otherwise each error is compared with its limit, strictly greater.
Defaults:
  --max-maxerror 5s: a healthy maxerror is the daemon's root distance (well under
  1s; chrony selects sources up to 3s) plus the kernel's 500 us/s since the last
  update (0.5s at a 1024s poll, the default maxpoll of chrony and ntpd; 1s at
  systemd-timesyncd's 2048s). Above 5s no update came for hours: the daemon has
  stopped or lost its sources, and this says so about 3 hours before the kernel
  reaches 16s. maxerror bounds the offset from true time, so below 5s the clock is
  well within monitoring-plugins check_ntp_time's defaults (offset warning 60s,
  critical 120s), which need a time server to ask; npd-clock asks none.
  --max-esterror 100ms: the daemon's own estimate (chrony: the offset's standard
  deviation; ntpd: its jitter; systemd-timesyncd sets 0). Healthy values are well
  under 10ms; Ceph monitors already warn at 50ms of skew.
  Like the EKS node monitoring agent, the default judges the kernel's own
  unsynchronized state from adjtimex; the two limits add the daemon's view of its
  error.
Booting:
  A kernel boots unsynchronized (maxerror 16s, STA_UNSYNC) and stays so until the
  daemon's first update: seconds for chrony or ntpd with iburst and for
  systemd-timesyncd, several 64s polls (up to about 17 minutes) for ntpd without
  it. Restarting a daemon does the same. So debounce: the shipped rule runs every
  30s with --fail-after 20, about 10 minutes of unsynchronized samples in a row
  before the condition is raised (node_exporter's NodeClockNotSynchronising
  alert waits 10 minutes too). A clock drifts slowly (maxerror grows 0.5ms a
  second), so nothing is lost by waiting.
Unknown (exit 2):
  adjtimex fails (a seccomp profile that forbids it), or answers nonsense.";

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<Clock>(args)
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
            assert!(configure(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn the_seam_is_not_in_help() {
        let help = npd_plugin::command::<Clock>()
            .render_long_help()
            .to_string();
        assert!(!help.contains("adjtimex-reading"));
        assert!(help.contains("--trust-unsync-flag"));
        assert!(help.contains("Example NPD rule:"));
        assert!(!help.contains('%'));
    }
}
