//! Restart loops from systemd's own count: each run keeps every service's NRestarts
//! with the restarts seen since the previous run, dated by the run that saw them, on
//! the host's boot clock (`npd_plugin::boot`). Restarts older than the window are
//! dropped; more than the limit within it is a problem (the judge's).
//!
//! NRestarts counts the restarts systemd itself made (Restart=), however short-lived
//! each copy was: a loop between two runs, which no look at the process table sees,
//! shows as a jump. The first run of a unit only records, and so does the first run
//! after a reboot (a new boot_id: the count started over with systemd). A count that
//! went down (the unit was stopped and started, or reset) starts over too.
//!
//! Without what the previous run kept nothing can be counted, so a state dir that
//! cannot be used makes this check Unknown.

use serde::{Deserialize, Serialize};

use npd_plugin::boot::Boot;
use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Result};

use crate::config::RestartRule;

const PURPOSE: &str = "restarts";

/// Runs that saw restarts, kept per unit: one a run, so a window of hours at NPD's
/// intervals stays far below this.
const SEEN_KEPT: usize = 1024;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[doc(hidden)]
pub struct Kept {
    boot_id: String,
    at_ms: u64,
    units: Vec<KeptUnit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct KeptUnit {
    name: String,
    n_restarts: u32,
    /// (ms after boot of the run that saw them, how many), oldest first.
    seen: Vec<(u64, u32)>,
}

/// Restarts within the window per unit, in the order given (None: not counted this
/// run), after keeping what the next run needs.
pub fn track(
    ctx: &Context,
    rule: &RestartRule,
    units: &[(&str, Option<u32>)],
) -> Result<Vec<Option<u32>>> {
    let need = |e: Error| e.context("restart counts need state");
    let boot = Boot::read(ctx).map_err(need)?;
    let store = ctx.state().map_err(need)?;
    let prior = match store.load::<Kept>(PURPOSE) {
        Ok(Some(k)) if k.boot_id == boot.id && k.at_ms <= boot.now_ms => k,
        Ok(Some(_)) => {
            explain!(
                ctx,
                "restarts: the host rebooted since the last run: recording only"
            );
            Kept::default()
        }
        Ok(None) => Kept::default(),
        Err(e) => {
            let (fresh, _) = next(rule, &boot, units, &Kept::default());
            let _ = store.save(PURPOSE, &fresh);
            return Err(Error::unobserved(format!("{e}; restart counts start over")));
        }
    };
    let (kept, counts) = next(rule, &boot, units, &prior);
    for ((name, n), c) in units.iter().zip(&counts) {
        explain!(
            ctx,
            "restarts: {name}: NRestarts {}, {} within {}; rule: more than {} is a problem",
            n.map_or("-".into(), |n| n.to_string()),
            c.map_or("not counted yet".into(), |c| c.to_string()),
            format_duration(rule.within),
            rule.max
        );
    }
    // A run that changes no count writes nothing: a rename on the node's disk every
    // run is most of what state costs.
    if kept.units != prior.units || kept.boot_id != prior.boot_id {
        store.save(PURPOSE, &kept).map_err(need)?;
    }
    Ok(counts)
}

fn next(
    rule: &RestartRule,
    boot: &Boot,
    units: &[(&str, Option<u32>)],
    prior: &Kept,
) -> (Kept, Vec<Option<u32>>) {
    let window_ms = u64::try_from(rule.within.as_millis()).unwrap_or(u64::MAX);
    let now = boot.now_ms;
    let mut kept = Vec::new();
    let mut counts = Vec::with_capacity(units.len());
    for (name, n) in units {
        let Some(n) = *n else {
            // Missing, unreadable or without NRestarts: forgotten, so that it is
            // recorded afresh when it is back.
            counts.push(None);
            continue;
        };
        let before = prior.units.iter().find(|k| k.name == *name);
        let (mut seen, counted) = match before {
            Some(b) if n >= b.n_restarts => {
                let mut seen = b.seen.clone();
                if n > b.n_restarts {
                    seen.push((now, n - b.n_restarts));
                }
                (seen, true)
            }
            // First seen, or the count went down: only record.
            _ => (Vec::new(), false),
        };
        seen.retain(|(at, _)| now.saturating_sub(*at) < window_ms);
        if seen.len() > SEEN_KEPT {
            seen.drain(..seen.len() - SEEN_KEPT);
        }
        let total = seen.iter().fold(0u32, |sum, (_, k)| sum.saturating_add(*k));
        counts.push(counted.then_some(total));
        kept.push(KeptUnit {
            name: name.to_string(),
            n_restarts: n,
            seen,
        });
    }
    let kept = Kept {
        boot_id: boot.id.clone(),
        at_ms: now,
        units: kept,
    };
    (kept, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const RULE: RestartRule = RestartRule {
        max: 3,
        within: Duration::from_secs(1800),
    };

    fn at(s: u64) -> Boot {
        Boot {
            id: "b".into(),
            now_ms: s * 1000,
            tick_hz: 100,
        }
    }

    #[test]
    fn jumps_are_counted_within_the_window() {
        let (k, c) = next(&RULE, &at(100), &[("k.service", Some(5))], &Kept::default());
        assert_eq!(c, vec![None]);
        let (k, c) = next(&RULE, &at(130), &[("k.service", Some(5))], &k);
        assert_eq!(c, vec![Some(0)]);
        let (k, c) = next(&RULE, &at(160), &[("k.service", Some(9))], &k);
        assert_eq!(c, vec![Some(4)]);
        assert_eq!(k.units[0].seen, vec![(160_000, 4)]);
        // Aged out 30m after the run that saw them.
        let (_, c) = next(&RULE, &at(160 + 1799), &[("k.service", Some(9))], &k);
        assert_eq!(c, vec![Some(4)]);
        let (_, c) = next(&RULE, &at(160 + 1800), &[("k.service", Some(9))], &k);
        assert_eq!(c, vec![Some(0)]);
    }

    #[test]
    fn a_count_that_went_down_or_vanished_starts_over() {
        let (k, _) = next(&RULE, &at(10), &[("k.service", Some(7))], &Kept::default());
        let (k, c) = next(&RULE, &at(40), &[("k.service", Some(12))], &k);
        assert_eq!(c, vec![Some(5)]);
        let (k, c) = next(&RULE, &at(70), &[("k.service", Some(1))], &k);
        assert_eq!((c, k.units[0].seen.len()), (vec![None], 0));
        let (k, c) = next(&RULE, &at(100), &[("k.service", None)], &k);
        assert_eq!((c, k.units.len()), (vec![None], 0));
        let (_, c) = next(&RULE, &at(130), &[("k.service", Some(3))], &k);
        assert_eq!(c, vec![None]);
    }
}
