//! Judging one adjtimex reading against the limits, and the words for it.
//!
//! Order of the rules: a clock the kernel counts as unsynchronized is reported as
//! that alone (the daemons then set both error fields to 16 s, which says nothing
//! more); otherwise each error field is compared with its limit.

use npd_plugin::{explain, Context, Outcome};

use crate::config::Config;
use crate::timex::{state_name, Reading, MAXERROR_LIMIT_US};

/// The healthy line: stable, so NPD does not patch the Node on every run.
pub const OK_MESSAGE: &str = "clock is synchronized";

/// The verdict on `r`; the rule applied goes to stderr for --explain.
pub fn judge(r: &Reading, config: &Config, ctx: &Context) -> Outcome {
    explain_rule(config, ctx);
    verdict(r, config)
}

fn verdict(r: &Reading, config: &Config) -> Outcome {
    if r.maxerror_us >= MAXERROR_LIMIT_US {
        return Outcome::problem(format!(
            "clock not synchronized: maxerror {} >= {}",
            format_us(r.maxerror_us),
            format_us(MAXERROR_LIMIT_US)
        ));
    }
    if config.trust_unsync_flag && r.flag_unsynchronized() {
        return Outcome::problem(if r.status & libc::STA_UNSYNC != 0 {
            "clock not synchronized: kernel flag STA_UNSYNC set".to_string()
        } else {
            format!(
                "clock in error state ({}, status 0x{:04x})",
                state_name(r.state),
                r.status
            )
        });
    }
    let mut problems = Vec::new();
    if let Some(limit) = config.max_maxerror_us.filter(|l| r.maxerror_us > *l) {
        problems.push(format!(
            "clock max error {} > {}",
            format_above(r.maxerror_us, limit),
            format_us(limit)
        ));
    }
    if let Some(limit) = config.max_esterror_us.filter(|l| r.esterror_us > *l) {
        problems.push(format!(
            "clock estimated error {} > {}",
            format_above(r.esterror_us, limit),
            format_us(limit)
        ));
    }
    Outcome::from_problems(problems, OK_MESSAGE)
}

/// Prints the rule on stderr for --explain.
fn explain_rule(config: &Config, ctx: &Context) {
    let flag = if config.trust_unsync_flag {
        "or while the kernel's flag says so (--trust-unsync-flag)"
    } else {
        "(the kernel's flag alone is ignored: chrony keeps it set without rtcsync)"
    };
    explain!(
        ctx,
        "rule: unsynchronized when maxerror >= 16s {flag}; else a problem when maxerror > {} or esterror > {}",
        limit_text(config.max_maxerror_us),
        limit_text(config.max_esterror_us)
    );
}

fn limit_text(limit: Option<i64>) -> String {
    limit.map_or_else(|| "(off)".to_string(), format_us)
}

/// A value over `limit`, short unless that would print it equal to the limit
/// ("5s > 5s" for 5000001us).
fn format_above(value: i64, limit: i64) -> String {
    let short = format_us(value);
    if short == format_us(limit) {
        format!("{value}us")
    } else {
        short
    }
}

/// A number of microseconds, short: `16s`, `16.5s`, `250ms`, `1.5ms`, `40us`.
pub fn format_us(us: i64) -> String {
    fn short(value: f64, unit: &str) -> String {
        let tenths = (value * 10.0).round() / 10.0;
        if tenths.fract() == 0.0 {
            format!("{tenths:.0}{unit}")
        } else {
            format!("{tenths:.1}{unit}")
        }
    }
    let a = us.unsigned_abs();
    if a >= 1_000_000 {
        short(us as f64 / 1e6, "s")
    } else if a >= 1_000 {
        short(us as f64 / 1e3, "ms")
    } else {
        format!("{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timex::Source;
    use npd_plugin::Status;

    fn config(trust: bool) -> Config {
        Config {
            max_esterror_us: Some(100_000),
            max_maxerror_us: Some(5_000_000),
            trust_unsync_flag: trust,
            source: Source::Kernel,
        }
    }

    fn reading(status: i32, maxerror_us: i64, esterror_us: i64) -> Reading {
        Reading {
            state: if status & libc::STA_UNSYNC != 0 { 5 } else { 0 },
            status,
            maxerror_us,
            esterror_us,
            offset: 0,
            freq: 0,
        }
    }

    #[test]
    fn synchronized() {
        let o = verdict(&reading(0x2001, 30_000, 400), &config(false));
        assert_eq!(o, Outcome::ok(OK_MESSAGE));
    }

    #[test]
    fn maxerror_at_the_kernel_limit_is_unsynchronized_whatever_the_flag() {
        let o = verdict(&reading(0x41, 16_000_000, 16_000_000), &config(false));
        assert_eq!(
            o,
            Outcome::problem("clock not synchronized: maxerror 16s >= 16s")
        );
        // An old kernel that let a daemon set more than the limit.
        let o = verdict(&reading(0, 16_500_000, 0), &config(false));
        assert_eq!(
            o,
            Outcome::problem("clock not synchronized: maxerror 16.5s >= 16s")
        );
    }

    #[test]
    fn the_flag_alone_counts_only_when_trusted() {
        // chrony without rtcsync: synchronized, flag set.
        let r = reading(0x41, 40_000, 300);
        assert_eq!(verdict(&r, &config(false)).status, Status::Ok);
        assert_eq!(
            verdict(&r, &config(true)),
            Outcome::problem("clock not synchronized: kernel flag STA_UNSYNC set")
        );
        let mut pps = reading(0x0104, 40_000, 300);
        pps.state = libc::TIME_ERROR;
        assert_eq!(
            verdict(&pps, &config(true)),
            Outcome::problem("clock in error state (TIME_ERROR, status 0x0104)")
        );
    }

    #[test]
    fn limits_are_strictly_greater() {
        assert_eq!(
            verdict(&reading(1, 5_000_000, 100_000), &config(false)).status,
            Status::Ok
        );
        assert_eq!(
            verdict(&reading(1, 5_000_001, 100_000), &config(false)),
            Outcome::problem("clock max error 5000001us > 5s")
        );
        assert_eq!(
            verdict(&reading(1, 1_000, 250_000), &config(false)),
            Outcome::problem("clock estimated error 250ms > 100ms")
        );
        assert_eq!(
            verdict(&reading(1, 6_000_000, 250_000), &config(false)),
            Outcome::problem("clock max error 6s > 5s (+1 more)")
        );
    }

    #[test]
    fn limits_can_be_off() {
        let mut c = config(false);
        c.max_esterror_us = None;
        c.max_maxerror_us = None;
        let o = verdict(&reading(1, 15_999_999, 15_000_000), &c);
        assert_eq!(o.status, Status::Ok);
    }

    #[test]
    fn short_durations() {
        assert_eq!(format_us(16_000_000), "16s");
        assert_eq!(format_us(16_500_000), "16.5s");
        assert_eq!(format_us(1_234_567), "1.2s");
        assert_eq!(format_us(250_000), "250ms");
        assert_eq!(format_us(1_500), "1.5ms");
        assert_eq!(format_us(999), "999us");
        assert_eq!(format_us(0), "0us");
    }
}
