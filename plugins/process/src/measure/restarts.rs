//! Restart loops: how many times each selected process started within a window,
//! counted across runs from the processes' own start times.
//!
//! A PID with its start time (ticks after boot) names one process for the whole
//! boot. Each run keeps, per selector, the instances it found and the start times
//! of those that were new; an instance not kept before is a start, dated by its own
//! start time, and starts older than the window are dropped. The first run of a
//! selector only records (the instance running then is not a restart), and so does
//! the first run after a reboot (new `boot_id`): PIDs and start times of the
//! previous boot mean nothing. A process that starts and dies between two runs is
//! never seen: the count is a lower bound.
//!
//! Without the kept instances nothing can be told new, so a state dir that cannot
//! be used makes this check Unknown, never a guess.

use serde::{Deserialize, Serialize};

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Result};

use crate::config::{Config, RestartRule};
use crate::report::{Report, INSTANCES_KEPT};
use npd_plugin::boot::Boot;

const PURPOSE: &str = "starts";

/// Start times kept per selector: enough to count any sane --max-restarts, bounded
/// whatever a selector matches.
pub const STARTS_KEPT: usize = 256;

#[derive(Debug, Default, Serialize, Deserialize)]
#[doc(hidden)]
pub struct Kept {
    boot_id: String,
    at_ms: u64,
    selectors: Vec<KeptSelector>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct KeptSelector {
    label: String,
    /// (pid, start time in ticks) of the instances found by the last run.
    known: Vec<(u32, u64)>,
    /// Start times (ms after boot) of the starts within the window, oldest first.
    starts: Vec<u64>,
}

/// One selector's starts within the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Starts {
    pub label: String,
    pub count: u32,
}

/// Counts each selector's starts within the window and keeps what the next run
/// needs. An error when the state cannot be used, or a selector matches too many
/// processes to tell a restart from a fork.
pub fn track(
    ctx: &Context,
    rule: &RestartRule,
    boot: &Boot,
    config: &Config,
    report: &Report,
) -> Result<Vec<Starts>> {
    let need = |e: Error| e.context("restart counts need state");
    let store = ctx.state().map_err(need)?;
    let (prior, fresh_why) = match store.load::<Kept>(PURPOSE) {
        Ok(None) => (Kept::default(), Some("no earlier run kept")),
        Ok(Some(k)) if k.boot_id != boot.id || k.at_ms > boot.now_ms => (
            Kept::default(),
            Some("the host rebooted since the last run"),
        ),
        Ok(Some(k)) => (k, None),
        Err(e) => {
            let (fresh, _) = next_kept(rule, boot, config, report, &Kept::default());
            let _ = store.save(PURPOSE, &fresh);
            return Err(Error::unobserved(format!("{e}; restart counts start over")));
        }
    };
    if let Some(why) = fresh_why {
        explain!(ctx, "restarts: {why}: recording only");
    }
    let (next, counts) = next_kept(rule, boot, config, report, &prior);
    // When only the time of this run would change, the file stays as it is: a write
    // and a rename at every run of every rule add up on a node, and an older kept
    // time tells a reboot or a clock gone back as well as a new one.
    if fresh_why.is_some() || next.selectors != prior.selectors {
        store.save(PURPOSE, &next).map_err(need)?;
    }
    let mut too_many = None;
    for ((sel, tally), c) in config.selectors.iter().zip(&report.tallies).zip(&counts) {
        let over = tally.instances.len() > INSTANCES_KEPT;
        explain!(
            ctx,
            "restarts: {}: {} instances, {} starts within {}; rule: more than {} is a \
             problem: {}",
            sel.label,
            tally.instances.len(),
            c.count,
            format_duration(rule.within),
            rule.max,
            if over {
                "too many instances to count"
            } else if c.count > rule.max {
                "problem"
            } else {
                "ok"
            }
        );
        if over && too_many.is_none() {
            too_many = Some(sel.label.clone());
        }
    }
    if let Some(label) = too_many {
        return Err(Error::unobserved(format!(
            "{label}: more than {INSTANCES_KEPT} processes, too many to count restarts"
        )));
    }
    Ok(counts)
}

/// The instances found now and the starts within the window, per selector.
fn next_kept(
    rule: &RestartRule,
    boot: &Boot,
    config: &Config,
    report: &Report,
    prior: &Kept,
) -> (Kept, Vec<Starts>) {
    let window_ms = u64::try_from(rule.within.as_millis()).unwrap_or(u64::MAX);
    let mut selectors = Vec::with_capacity(config.selectors.len());
    let mut counts = Vec::with_capacity(config.selectors.len());
    for (sel, tally) in config.selectors.iter().zip(&report.tallies) {
        let mut known: Vec<(u32, u64)> = tally.instances.iter().map(|i| (i.pid, i.start)).collect();
        known.sort_unstable();
        known.dedup();
        let before = prior.selectors.iter().find(|k| k.label == sel.label);
        let mut starts = Vec::new();
        if known.len() > INSTANCES_KEPT {
            // Too many to tell apart: keep nothing, so that the next run records
            // afresh instead of taking the instances left out for new ones.
            counts.push(Starts {
                label: sel.label.clone(),
                count: 0,
            });
            continue;
        }
        if let Some(before) = before {
            starts = before.starts.clone();
            for (pid, start) in &known {
                if before.known.binary_search(&(*pid, *start)).is_err() {
                    starts.push(boot.ticks_to_ms(*start).min(boot.now_ms));
                }
            }
        }
        starts.retain(|s| boot.now_ms.saturating_sub(*s) < window_ms);
        starts.sort_unstable();
        if starts.len() > STARTS_KEPT {
            starts.drain(..starts.len() - STARTS_KEPT);
        }
        counts.push(Starts {
            label: sel.label.clone(),
            count: starts.len() as u32,
        });
        selectors.push(KeptSelector {
            label: sel.label.clone(),
            known,
            starts,
        });
    }
    let kept = Kept {
        boot_id: boot.id.clone(),
        at_ms: boot.now_ms,
        selectors,
    };
    (kept, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Args, Config};
    use crate::report::{Instance, Tally};
    use npd_plugin::Configure;
    use std::time::Duration;

    fn config() -> Config {
        Config::configure(Args {
            names: vec!["kubelet".into()],
            cmdlines: vec![],
            min: 0,
            max: None,
            max_zombies: None,
            max_d_state_for: None,
            d_state_of: None,
            max_restarts: Some(2),
            within: Some(Duration::from_secs(600)),
        })
        .unwrap()
    }

    fn report(instances: &[(u32, u64)]) -> Report {
        Report {
            tallies: vec![Tally {
                count: instances.len() as u32,
                instances: instances
                    .iter()
                    .map(|(pid, start)| Instance {
                        pid: *pid,
                        start: *start,
                    })
                    .collect(),
                ..Tally::default()
            }],
            ..Report::default()
        }
    }

    fn at(now_s: u64) -> Boot {
        Boot {
            id: "b".into(),
            now_ms: now_s * 1000,
            tick_hz: 100,
        }
    }

    #[test]
    fn new_instances_are_starts_dated_by_their_start_time() {
        let c = config();
        let rule = c.restarts.unwrap();
        // Baseline: the running instance is not a restart.
        let (k, n) = next_kept(
            &rule,
            &at(1000),
            &c,
            &report(&[(10, 100)]),
            &Kept::default(),
        );
        assert_eq!(n[0].count, 0);
        let (k, n) = next_kept(&rule, &at(1030), &c, &report(&[(11, 101_500)]), &k);
        assert_eq!(
            (n[0].count, &k.selectors[0].starts[..]),
            (1, &[1_015_000][..])
        );
        // The same instance again is no start; a reused PID with another start is.
        let (k, n) = next_kept(&rule, &at(1060), &c, &report(&[(11, 101_500)]), &k);
        assert_eq!(n[0].count, 1);
        let (k, n) = next_kept(&rule, &at(1090), &c, &report(&[(11, 108_000)]), &k);
        assert_eq!(n[0].count, 2);
        // Starts age out of the window (600s): the one at 1015s is gone at 1615s.
        let (_, n) = next_kept(&rule, &at(1616), &c, &report(&[(11, 108_000)]), &k);
        assert_eq!(n[0].count, 1);
    }

    #[test]
    fn too_many_instances_keep_nothing() {
        let c = config();
        let rule = c.restarts.unwrap();
        let many: Vec<(u32, u64)> = (0..=INSTANCES_KEPT as u32).map(|p| (p + 1, 5)).collect();
        let (k, _) = next_kept(&rule, &at(10), &c, &report(&many[..3]), &Kept::default());
        let (k, n) = next_kept(&rule, &at(40), &c, &report(&many), &k);
        assert!(k.selectors.is_empty() && n[0].count == 0);
        // The next run records afresh: nothing it finds is a start.
        let (_, n) = next_kept(&rule, &at(70), &c, &report(&many[..3]), &k);
        assert_eq!(n[0].count, 0);
    }
}
