//! `npd-clock`: whether the host's clock is synchronized, as the kernel knows it.
//!
//! One adjtimex(2) read ([`measure`], its fields in [`timex`]) gives the kernel's
//! clock state, its status flags and two error bounds that every time daemon (chrony,
//! ntpd, systemd-timesyncd) keeps up to date; [`judge`] turns them into an answer
//! against the limits of [`config`]. It asks no daemon and no time server: what the
//! kernel was told is what is judged.

pub mod config;
pub mod judge;
pub mod measure;
pub mod timex;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Clock;

impl Plugin for Clock {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let reading = measure::measure(config, ctx)?;
        Ok(judge::judge(&reading, config, ctx))
    }

    const NAME: &'static str = "npd-clock";
    const ABOUT: &'static str = "Checks that the host's clock is synchronized, as the kernel \
                                 knows it (adjtimex): whatever daemon keeps the time.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "ClockUnsynchronized",
 "reason": "ClockNotSynchronized", "path": "/opt/npd-checks/bin/npd-clock",
 "args": ["--max-esterror", "100ms", "--max-maxerror", "5s", "--fail-after", "20"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
