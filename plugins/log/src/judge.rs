//! The verdict on what the window holds: a count above `--max-count`, a percentile
//! or mean above its limit; with no log file, what `--missing` says. Messages name
//! the value, the window and the limit; OK messages carry no number.

use std::time::Duration;

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Outcome, Result, Status};

use crate::config::{Config, Missing};
use crate::measure::Measured;
use crate::window::Totals;

/// The verdict. A problem within the window is reported even when no file is
/// followed now (the lines were counted before it went); otherwise no file is what
/// `--missing` says.
pub fn judge(cfg: &Config, measured: &Measured, ctx: &Context) -> Result<Outcome> {
    let outcome = in_window(cfg, ctx, &measured.totals, measured.sample.as_deref());
    if measured.missing && outcome.status == Status::Ok {
        return match cfg.missing {
            Missing::Ok => Ok(Outcome::ok(format!("{}: no log file", cfg.label))),
            Missing::Unknown => Err(Error::unobserved(format!("{}: no such file", cfg.file))),
        };
    }
    Ok(outcome)
}

fn in_window(cfg: &Config, ctx: &Context, totals: &Totals, sample: Option<&str>) -> Outcome {
    let window = cfg.window_text();
    let mut problems = Vec::new();
    if let Some(max) = cfg.max_count {
        explain!(
            ctx,
            "count: {} matching lines in the last {window} ({} runs), limit {max}",
            totals.count,
            totals.runs
        );
        if totals.count > max {
            let mut text = format!("{}: {} in {window} > {max}", cfg.label, totals.count);
            if let Some(s) = sample {
                text.push_str(": ");
                text.push_str(s);
            }
            problems.push(text);
        }
    }
    if cfg.times_needed() {
        let n = totals.times.count();
        let limits = [
            ("p95", cfg.max_p95, totals.times.quantile(0.95)),
            ("p99", cfg.max_p99, totals.times.quantile(0.99)),
            ("mean", cfg.max_mean, totals.times.mean()),
        ];
        for (name, limit, value) in limits {
            let (Some(limit), Some(us)) = (limit, value) else {
                continue;
            };
            let value = Duration::from_micros(us);
            explain!(
                ctx,
                "{name}: {} over {n} response times, limit {}",
                show(value),
                format_duration(limit)
            );
            if n < cfg.min_samples {
                explain!(
                    ctx,
                    "{name}: not judged, fewer than {} response times",
                    cfg.min_samples
                );
                continue;
            }
            if value > limit {
                problems.push(format!(
                    "{}: {name} {} > {} in {window}, {n} lines",
                    cfg.label,
                    show(value),
                    format_duration(limit)
                ));
            }
        }
        if n == 0 {
            explain!(ctx, "no response times in the last {window}");
        }
    }
    let ok = match (cfg.max_count.is_some(), cfg.times_needed()) {
        (true, false) => format!("{}: matching lines within limit", cfg.label),
        (false, true) => format!("{}: response times within limit", cfg.label),
        _ => format!(
            "{}: matching lines and response times within limit",
            cfg.label
        ),
    };
    Outcome::from_problems(problems, ok)
}

/// A measured duration, short and about 3 digits: `1.52s`, `205ms`, `850us`.
pub fn show(d: Duration) -> String {
    let us = d.as_micros();
    if us >= 10_000_000 {
        format!("{:.0}s", d.as_secs_f64())
    } else if us >= 1_000_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else if us >= 1_000 {
        format!("{}ms", (us as f64 / 1000.0).round())
    } else {
        format!("{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_show_short() {
        assert_eq!(show(Duration::from_micros(1_523_000)), "1.52s");
        assert_eq!(show(Duration::from_micros(205_647)), "206ms");
        assert_eq!(show(Duration::from_micros(850)), "850us");
        assert_eq!(show(Duration::from_secs(42)), "42s");
    }
}
