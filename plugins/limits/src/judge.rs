//! Judges the readings: a limit whose share in use is strictly greater than its
//! threshold is a problem. Problems observed win over limits that could not be read
//! (a blind spot must not hide an exhausted limit); with no problem, a limit that could
//! not be read makes the answer Unknown.

use npd_plugin::units::format_percent;
use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::config::Limit;
use crate::measure::{Measured, Reading};

/// How a message names what is counted and what limits it.
fn words(limit: Limit) -> (&'static str, &'static str, &'static str) {
    match limit {
        // (counted, limit, subject of the OK message)
        Limit::Pids => ("PIDs", "pid_max", "PID"),
        Limit::Threads => ("threads", "threads-max", "thread"),
        Limit::Files => ("file handles", "file-max", "file handle"),
        Limit::Conntrack => ("conntrack", "nf_conntrack_max", "conntrack"),
    }
}

/// The share of `max` that `used` is, in percent.
pub fn share(used: u64, max: u64) -> f64 {
    used as f64 * 100.0 / max as f64
}

/// The share as a message shows it: rounded as usual, unless rounding would make a
/// share over the threshold look equal to it ("70 pct > 70").
pub fn shown(share: f64, max_used: f64) -> String {
    let plain = format_percent(share);
    if share <= max_used || plain.parse::<f64>().is_ok_and(|v| v > max_used) {
        return plain;
    }
    for decimals in 2..=9 {
        let text = format!("{share:.decimals$}");
        if text.parse::<f64>().is_ok_and(|v| v > max_used) {
            return text;
        }
    }
    format!("{share}")
}

pub fn judge(measured: Vec<Measured>, ctx: &Context) -> Result<Outcome> {
    let mut problems: Vec<(f64, String)> = Vec::new();
    let mut failed: Option<Error> = None;
    let mut normal: Vec<&str> = Vec::new();
    let mut not_loaded = false;
    for m in measured {
        let limit = m.check.limit;
        let (counted, limit_name, subject) = words(limit);
        let max_used = m.check.max_used;
        match m.reading {
            Ok(Reading::Used { used, max }) => {
                let share = share(used, max);
                let over = share > max_used;
                explain!(
                    ctx,
                    "{}: {used} of {limit_name} {max} = {} pct, {} > {}: {}",
                    limit.name(),
                    format_percent(share),
                    limit.flag(),
                    format_percent(max_used),
                    if over { "problem" } else { "ok" }
                );
                if over {
                    let text = format!(
                        "{counted} {} pct of {limit_name} {max} > {}",
                        shown(share, max_used),
                        format_percent(max_used)
                    );
                    problems.push((share, text));
                } else {
                    normal.push(subject);
                }
            }
            Ok(Reading::NotLoaded) => not_loaded = true,
            Ok(Reading::Unlimited) => normal.push(subject),
            Err(e) => {
                explain!(ctx, "{}: cannot judge: {e}", limit.name());
                if failed.is_none() {
                    failed = Some(e);
                } else {
                    ctx.warn(format_args!("{}: {e}", limit.name()));
                }
            }
        }
    }
    if !problems.is_empty() {
        if let Some(e) = failed {
            ctx.warn(format_args!("also could not check: {e}"));
        }
        // The fullest limit first: it runs out first.
        problems.sort_by(|a, b| b.0.total_cmp(&a.0));
        let texts = problems.into_iter().map(|(_, text)| text).collect();
        return Ok(Outcome::from_problems(texts, ""));
    }
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(Outcome::ok(ok_message(&normal, not_loaded)))
}

/// A stable message: which limits are fine, never their numbers.
fn ok_message(normal: &[&str], not_loaded: bool) -> String {
    let mut text = match normal {
        [] => String::new(),
        [one] => format!("{one} usage is normal"),
        [rest @ .., last] => format!("{} and {last} usage is normal", rest.join(", ")),
    };
    if not_loaded {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str("conntrack not loaded");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_never_hides_the_excess() {
        assert_eq!(shown(95.0, 90.0), "95");
        assert_eq!(shown(70.04, 70.0), "70.04");
        assert_eq!(shown(70.0001, 70.0), "70.0001");
        assert_eq!(shown(69.96, 70.0), "70");
        assert_eq!(shown(12.34, 70.0), "12.3");
    }

    #[test]
    fn ok_messages_name_the_limits_only() {
        assert_eq!(
            ok_message(&["PID", "thread", "file handle"], false),
            "PID, thread and file handle usage is normal"
        );
        assert_eq!(
            ok_message(&["conntrack"], false),
            "conntrack usage is normal"
        );
        assert_eq!(
            ok_message(&["file handle"], true),
            "file handle usage is normal; conntrack not loaded"
        );
        assert_eq!(ok_message(&[], true), "conntrack not loaded");
    }

    #[test]
    fn shares_are_exact_at_the_threshold() {
        assert_eq!(share(700, 1000), 70.0);
        assert!(share(701, 1000) > 70.0);
        assert!(share(1216, i64::MAX as u64) < 1e-10);
    }
}
