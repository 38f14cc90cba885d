//! Measurements against limits: each rule's problem line, the stable OK line, and the
//! --explain account. A problem observed stands even when another check could not be
//! read; without one, a check that could not be read makes the answer Unknown.

use npd_plugin::psi::Pressure;
use npd_plugin::units::format_percent;
use npd_plugin::{explain, Context, Outcome, Result};

use crate::config::{Config, LoadLimit, Window};
use crate::measure::{Load, Measured};

pub fn judge(config: &Config, measured: Measured, ctx: &Context) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    if let (Some(limit), Some(reading)) = (&config.load, measured.load) {
        match reading {
            Ok(l) => problems.extend(load(ctx, &l, limit)),
            Err(e) => errors.push(e),
        }
    }
    if let (Some(max), Some(reading)) = (config.max_psi_some, measured.pressure) {
        match reading {
            Ok(p) => problems.extend(pressure(ctx, &p, max)),
            Err(e) => errors.push(e),
        }
    }
    ctx.despite(Outcome::from_problems(problems, ok_message(config)), errors)
}

/// The stable line for a healthy run: it names what was checked, never a number.
pub fn ok_message(config: &Config) -> String {
    let mut parts = Vec::new();
    if config.load.is_some() {
        parts.push("CPU load normal");
    }
    if config.max_psi_some.is_some() {
        parts.push("CPU pressure normal");
    }
    parts.join("; ")
}

fn load(ctx: &Context, measured: &Load, limit: &LoadLimit) -> Option<String> {
    let (l, cpus) = (&measured.avg, measured.cpus);
    let value = match limit.window {
        Window::OneMinute => l.one,
        Window::FiveMinutes => l.five,
        Window::FifteenMinutes => l.fifteen,
    };
    let per_cpu = value / f64::from(cpus);
    let bad = per_cpu > limit.max_per_cpu;
    explain!(
        ctx,
        "loadavg: {} {} {}; {} average {value} / {cpus} CPUs = {per_cpu:.3} per CPU; \
         rule: above {} per CPU is a problem: {}",
        l.one,
        l.five,
        l.fifteen,
        limit.window.label(),
        number(limit.max_per_cpu),
        if bad { "problem" } else { "ok" }
    );
    bad.then(|| {
        format!(
            "load per CPU {} > max {} ({} average {value:.2}, {cpus} CPUs)",
            above(per_cpu, limit.max_per_cpu),
            number(limit.max_per_cpu),
            limit.window.label(),
        )
    })
}

fn pressure(ctx: &Context, p: &Pressure, max_some: f64) -> Option<String> {
    let value = p.some.avg10;
    let bad = value > max_some;
    explain!(
        ctx,
        "CPU PSI: some avg10={} avg60={} avg300={}; rule: some avg10 above {} pct is a \
         problem: {}",
        p.some.avg10,
        p.some.avg60,
        p.some.avg300,
        format_percent(max_some),
        if bad { "problem" } else { "ok" }
    );
    bad.then(|| {
        format!(
            "CPU PSI some avg10 {} pct > max {}",
            pct_above(value, max_some),
            format_percent(max_some)
        )
    })
}

/// A limit or a ratio, short: "4", "1.5", "0.75".
fn number(v: f64) -> String {
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A value above the limit must not be shown rounded down to it ("4 > max 4").
fn above(value: f64, limit: f64) -> String {
    let text = number(value);
    if text == number(limit) {
        format!("{:.3}", ((value * 1000.0) - 1e-6).ceil() / 1000.0)
    } else {
        text
    }
}

/// As [`above`], for percentages.
fn pct_above(value: f64, limit: f64) -> String {
    let text = format_percent(value);
    if text == format_percent(limit) {
        format!("{:.2}", ((value * 100.0) - 1e-6).ceil() / 100.0)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ok_message_names_what_was_checked() {
        let configure = |args: &[&str]| npd_plugin::configure_from::<crate::Cpu>(args).unwrap();
        assert_eq!(ok_message(&configure(&[])), "CPU load normal");
        assert_eq!(
            ok_message(&configure(&["--check", "psi"])),
            "CPU pressure normal"
        );
        assert_eq!(
            ok_message(&configure(&["--check", "load,psi"])),
            "CPU load normal; CPU pressure normal"
        );
    }

    #[test]
    fn numbers_are_short_and_never_equal_to_the_limit_they_exceed() {
        assert_eq!(number(4.0), "4");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(0.754), "0.75");
        assert_eq!(above(9.5, 4.0), "9.5");
        assert_eq!(above(4.001, 4.0), "4.001");
        assert_eq!(pct_above(80.0001, 80.0), "80.01");
        assert_eq!(pct_above(91.25, 80.0), "91.3");
    }
}
