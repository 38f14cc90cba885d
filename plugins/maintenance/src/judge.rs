//! The verdict: an announced event of a kind that counts, due within `--within`, is a
//! problem, the soonest first; nothing announced is OK with a stable message. An
//! endpoint or entry that could not be read makes the answer Unknown unless a counted
//! event was read beside it.

use npd_plugin::{explain, Context, Outcome, Result};

use crate::config::Config;
use crate::measure::Measured;

pub fn judge(config: &Config, measured: Measured, ctx: &Context) -> Result<Outcome> {
    let now = ctx.wall_clock_ms().div_euclid(1000);
    let horizon = config.within.map(|w| now + w.as_secs() as i64);
    let mut counted: Vec<_> = measured
        .events
        .into_iter()
        .filter(|e| {
            let selected = config.counts(e.kind);
            let due = match (horizon, e.starts) {
                (Some(h), Some(t)) => t <= h,
                _ => true,
            };
            let verdict = match (selected, due) {
                (false, _) => "not counted (--events)",
                (true, false) => "not counted yet (--within)",
                (true, true) => "counted",
            };
            explain!(ctx, "{} ({}): {verdict}", e.message, e.kind.name());
            selected && due
        })
        .collect();
    // The soonest first; an event under way or without a time before any other.
    counted.sort_by_key(|e| e.starts.unwrap_or(i64::MIN));
    let outcome = Outcome::from_problems(
        counted.into_iter().map(|e| e.message).collect(),
        config.ok_message(),
    );
    ctx.despite(outcome, measured.failures)
}
