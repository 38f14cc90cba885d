//! Measurements against limits: each rule's problem line, the stable OK line, and the
//! --explain account.
//!
//! Problems are ordered by how sure they are to hurt: kills that already happened,
//! then memory nearly gone, then stalls of every task, then stalls of some. A problem
//! observed stands even when another check could not be read; without one, a check
//! that could not be read makes the answer Unknown.

use npd_plugin::psi::Pressure;
use npd_plugin::units::format_percent;
use npd_plugin::{explain, Context, Outcome, Result};

use crate::config::{Config, PsiLimits};
use crate::measure::{Measured, Since};
use crate::meminfo::MemInfo;

pub fn judge(config: &Config, measured: Measured, ctx: &Context) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    if let (Some(max), Some(reading)) = (config.max_oom_kills, measured.oom) {
        match reading {
            Ok(since) => problems.extend(oom(ctx, since, max)),
            Err(e) => errors.push(e),
        }
    }
    if let (Some(min), Some(reading)) = (config.min_available, measured.available) {
        match reading {
            Ok(m) => problems.extend(available(ctx, &m, min)),
            Err(e) => errors.push(e),
        }
    }
    if let (Some(limits), Some(reading)) = (&config.psi, measured.pressure) {
        match reading {
            Ok(p) => problems.extend(pressure(ctx, &p, limits)),
            Err(e) => errors.push(e),
        }
    }
    ctx.despite(Outcome::from_problems(problems, ok_message(config)), errors)
}

/// The stable line for a healthy run: it names what was checked, never a number.
pub fn ok_message(config: &Config) -> String {
    let mut parts = Vec::new();
    if config.max_oom_kills.is_some() {
        parts.push("no new OOM kills");
    }
    if config.min_available.is_some() {
        parts.push("memory available normal");
    }
    if config.psi.is_some() {
        parts.push("memory pressure normal");
    }
    parts.join("; ")
}

fn oom(ctx: &Context, since: Since, max: u64) -> Option<String> {
    let Since::Counted { new, total } = since else {
        return None;
    };
    let bad = new > max;
    explain!(
        ctx,
        "rule: more than {max} OOM kills since the previous run is a problem: {}",
        verdict(bad)
    );
    bad.then(|| {
        let kills = if new == 1 { "OOM kill" } else { "OOM kills" };
        format!("{new} {kills} since the previous run > max {max} ({total} since boot)")
    })
}

fn available(ctx: &Context, m: &MemInfo, min: f64) -> Option<String> {
    let pct = m.available_pct();
    let bad = pct < min;
    explain!(
        ctx,
        "meminfo: MemTotal {} kB, MemAvailable {} kB ({} pct); rule: less than {} pct \
         available is a problem: {}",
        m.total / 1024,
        m.available / 1024,
        format_percent(pct),
        format_percent(min),
        verdict(bad)
    );
    bad.then(|| {
        format!(
            "memory available {} pct < min {} ({} of {} GiB)",
            shown_below(pct, min),
            format_percent(min),
            gib(m.available),
            gib(m.total)
        )
    })
}

fn pressure(ctx: &Context, p: &Pressure, limits: &PsiLimits) -> Vec<String> {
    let mut problems = Vec::new();
    let full = p.full.map(|f| f.avg10);
    explain!(
        ctx,
        "memory PSI: some avg10={} avg60={} avg300={}; full avg10={}",
        p.some.avg10,
        p.some.avg60,
        p.some.avg300,
        full.map_or_else(|| "(none)".to_string(), |f| f.to_string())
    );
    for (kind, value, max) in [
        ("full", full, limits.max_full),
        ("some", Some(p.some.avg10), limits.max_some),
    ] {
        let Some(value) = value else { continue };
        let bad = value > max;
        explain!(
            ctx,
            "rule: memory {kind} avg10 above {} pct is a problem: {}",
            format_percent(max),
            verdict(bad)
        );
        if bad {
            problems.push(format!(
                "memory PSI {kind} avg10 {} pct > max {}",
                shown_above(value, max),
                format_percent(max)
            ));
        }
    }
    problems
}

fn verdict(bad: bool) -> &'static str {
    if bad {
        "problem"
    } else {
        "ok"
    }
}

/// A value just below the limit must not be shown rounded up to it ("10 < min 10").
fn shown_below(value: f64, limit: f64) -> String {
    let text = format_percent(value);
    if text == format_percent(limit) {
        format!("{:.2}", ((value * 100.0) + 1e-6).floor() / 100.0)
    } else {
        text
    }
}

/// A value just above the limit must not be shown rounded down to it.
fn shown_above(value: f64, limit: f64) -> String {
    let text = format_percent(value);
    if text == format_percent(limit) {
        format!("{:.2}", ((value * 100.0) - 1e-6).ceil() / 100.0)
    } else {
        text
    }
}

/// Bytes in GiB with one decimal, as `free -g` would round it, more or less.
pub fn gib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1u64 << 30) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ok_message_names_what_was_checked() {
        let configure = |args: &[&str]| npd_plugin::configure_from::<crate::Memory>(args).unwrap();
        assert_eq!(ok_message(&configure(&[])), "memory available normal");
        assert_eq!(
            ok_message(&configure(&["--check", "psi,oom-kills"])),
            "no new OOM kills; memory pressure normal"
        );
    }

    #[test]
    fn rounding_never_makes_a_problem_look_within_its_limit() {
        assert_eq!(shown_below(9.96, 10.0), "9.96");
        assert_eq!(shown_below(7.25, 10.0), "7.3");
        assert_eq!(shown_below(9.9999, 10.0), "9.99");
        assert_eq!(shown_above(20.04, 20.0), "20.04");
        assert_eq!(shown_above(20.001, 20.0), "20.01");
        assert_eq!(gib(3 << 29), "1.5");
    }
}
