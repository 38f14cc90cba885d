//! Processes stuck in uninterruptible sleep (D state) for longer than a limit.
//!
//! The kernel shows a task's state, never since when it is in it, so each run keeps
//! in the state dir when every process it finds in D was first found there, with its
//! context switch count. A process stays "in D since" that time only while every run
//! finds it in D *and* its count has not moved, which is what the kernel's own
//! hung-task detector checks: a process doing heavy I/O passes through D often but
//! runs in between, and starts over. A process found not in D, or gone, is
//! forgotten. The first run only records; so does a run after a reboot, or after a
//! gap longer than the limit (nothing says the process stayed in D meanwhile).
//!
//! Without the kept times there is no duration, so a state dir that cannot be used
//! makes this check Unknown, never a guess.

use serde::{Deserialize, Serialize};

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Error, Result};

use crate::config::DStateRule;
use crate::report::{DTask, Instance};
use npd_plugin::boot::Boot;

const PURPOSE: &str = "d-state";

/// Processes kept between runs. On a host with a hung NFS server hundreds of
/// processes can wait on it; those found first are kept, which only delays the
/// report of the others, never invents one.
pub const D_TRACKED_MAX: usize = 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
#[doc(hidden)]
pub struct Kept {
    boot_id: String,
    /// When the run that wrote this took place, in ms after boot.
    at_ms: u64,
    tasks: Vec<KeptTask>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct KeptTask {
    pid: u32,
    start: u64,
    since_ms: u64,
    #[serde(default)]
    switches: Option<u64>,
}

/// The verdict's material: processes in D for longer than the limit.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stuck {
    /// How many are in D for longer than the limit.
    pub count: u32,
    /// The one in D the longest: name, PID, for how long (ms).
    pub worst: Option<(String, u32, u64)>,
}

/// Compares the processes found in D now with those kept, keeps the new set and
/// says which have been in D for longer than the limit.
pub fn track(
    ctx: &Context,
    rule: &DStateRule,
    boot: &Boot,
    found: &[DTask],
    found_total: u32,
) -> Result<Stuck> {
    let need = |e: Error| e.context("D state durations need state");
    let store = ctx.state().map_err(need)?;
    let now = boot.now_ms;
    let limit_ms = u64::try_from(rule.limit.as_millis()).unwrap_or(u64::MAX);
    let kept = match store.load::<Kept>(PURPOSE) {
        Ok(k) => k,
        Err(e) => {
            // Start over so that the next run measures again; this one cannot.
            let fresh = next_kept(boot, found, &[]);
            let _ = store.save(PURPOSE, &fresh);
            return Err(Error::unobserved(format!("{e}; D state times start over")));
        }
    };
    // Nothing in D before nor now: the file stays as it is (the time of the run is
    // all that would change, and with no process kept it decides nothing).
    let unchanged = kept
        .as_ref()
        .is_some_and(|k| k.boot_id == boot.id && k.at_ms <= now && k.tasks.is_empty())
        && found.is_empty();
    let prior = match kept {
        Some(k) if k.tasks.is_empty() && k.boot_id == boot.id && k.at_ms <= now => Vec::new(),
        None => {
            explain!(ctx, "d state: no earlier run kept: recording only");
            Vec::new()
        }
        Some(k) if k.boot_id != boot.id || k.at_ms > now => {
            explain!(
                ctx,
                "d state: the host rebooted since the last run: recording only"
            );
            Vec::new()
        }
        Some(k) if now - k.at_ms > limit_ms => {
            explain!(
                ctx,
                "d state: last run {} ago, longer than the limit: recording only",
                format_duration(std::time::Duration::from_millis(now - k.at_ms))
            );
            Vec::new()
        }
        Some(k) => k.tasks,
    };
    let next = next_kept(boot, found, &prior);
    if !unchanged {
        store.save(PURPOSE, &next).map_err(need)?;
    }

    let mut stuck = Stuck::default();
    for t in &next.tasks {
        let held = now - t.since_ms;
        let over = held > limit_ms;
        if !over && !ctx.explaining() {
            continue;
        }
        let comm = found
            .iter()
            .find(|f| f.instance == instance(t))
            .map(|f| f.comm.as_str())
            .unwrap_or("?");
        explain!(
            ctx,
            "d state: {comm} {}{} in D for {} (switches {}): {}",
            t.pid,
            if found
                .iter()
                .any(|f| f.instance == instance(t) && f.kernel_thread)
            {
                " (kernel thread)"
            } else {
                ""
            },
            format_duration(std::time::Duration::from_secs(held / 1000)),
            t.switches.map_or("unknown".to_string(), |n| n.to_string()),
            if over {
                "over the limit"
            } else {
                "within the limit"
            }
        );
        if !over {
            continue;
        }
        stuck.count += 1;
        let longer = match &stuck.worst {
            None => true,
            Some((_, pid, ms)) => held > *ms || (held == *ms && t.pid < *pid),
        };
        if longer {
            stuck.worst = Some((comm.to_string(), t.pid, held));
        }
    }
    if found_total as usize > next.tasks.len() {
        explain!(
            ctx,
            "d state: {found_total} processes in D, {} kept between runs",
            next.tasks.len()
        );
    }
    explain!(
        ctx,
        "d state: rule: in D for more than {} is a problem: {}",
        format_duration(rule.limit),
        if stuck.count > 0 { "problem" } else { "ok" }
    );
    Ok(stuck)
}

fn instance(t: &KeptTask) -> Instance {
    Instance {
        pid: t.pid,
        start: t.start,
    }
}

/// The processes in D now, each with the time it was first found there: the kept
/// time when it was kept and has not run since, else now.
fn next_kept(boot: &Boot, found: &[DTask], prior: &[KeptTask]) -> Kept {
    let mut prior: Vec<KeptTask> = prior.to_vec();
    prior.sort_unstable_by_key(instance);
    let mut tasks: Vec<KeptTask> = found
        .iter()
        .map(|f| {
            let kept = prior
                .binary_search_by_key(&f.instance, instance)
                .ok()
                .map(|i| prior[i]);
            let since_ms = match kept {
                // A count that moved (or cannot be compared) means it ran; one that
                // cannot be read on either side leaves only the sampling to go by.
                Some(k) if k.switches == f.switches => k.since_ms,
                Some(_) | None => boot.now_ms,
            };
            KeptTask {
                pid: f.instance.pid,
                start: f.instance.start,
                since_ms: since_ms.min(boot.now_ms),
                switches: f.switches,
            }
        })
        .collect();
    tasks.sort_unstable_by_key(|t| (t.since_ms, t.pid));
    tasks.truncate(D_TRACKED_MAX);
    Kept {
        boot_id: boot.id.clone(),
        at_ms: boot.now_ms,
        tasks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot(now_s: u64) -> Boot {
        Boot {
            id: "b1".into(),
            now_ms: now_s * 1000,
            tick_hz: 100,
        }
    }

    fn task(pid: u32, start: u64, switches: Option<u64>) -> DTask {
        DTask {
            instance: Instance { pid, start },
            comm: format!("p{pid}"),
            kernel_thread: false,
            switches,
        }
    }

    #[test]
    fn kept_times_survive_only_while_the_task_does_not_run() {
        let first = next_kept(&boot(100), &[task(1, 5, Some(10)), task(2, 5, None)], &[]);
        assert!(first.tasks.iter().all(|t| t.since_ms == 100_000));
        let found = [task(1, 5, Some(10)), task(2, 5, None), task(3, 5, Some(1))];
        let second = next_kept(&boot(130), &found, &first.tasks);
        let since: Vec<_> = second.tasks.iter().map(|t| (t.pid, t.since_ms)).collect();
        assert_eq!(since, [(1, 100_000), (2, 100_000), (3, 130_000)]);
        // It ran (its count moved): it starts over.
        let third = next_kept(&boot(160), &[task(1, 5, Some(11))], &second.tasks);
        assert_eq!(third.tasks[0].since_ms, 160_000);
        // A reused PID is another process.
        let reused = next_kept(&boot(160), &[task(2, 9, None)], &second.tasks);
        assert_eq!(reused.tasks[0].since_ms, 160_000);
    }

    #[test]
    fn the_longest_waiting_are_kept_when_there_are_too_many() {
        let old: Vec<DTask> = (0..10).map(|p| task(p, 1, None)).collect();
        let first = next_kept(&boot(10), &old, &[]);
        let mut all: Vec<DTask> = (0..2000).map(|p| task(p + 100, 1, None)).collect();
        all.extend(old);
        let next = next_kept(&boot(20), &all, &first.tasks);
        assert_eq!(next.tasks.len(), D_TRACKED_MAX);
        assert!(next.tasks[..10].iter().all(|t| t.since_ms == 10_000));
    }
}
