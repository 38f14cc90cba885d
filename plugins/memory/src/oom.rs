//! OOM kills since the previous run: the kernel's `oom_kill` counter in
//! `/proc/vmstat` (Linux 4.13 and later), against the count this rule saw last time,
//! kept in its state dir.
//!
//! The counter only tells how many, not who: the victim's name is in the kernel log,
//! which NPD's own kernel monitor reads. What the counter adds is that it cannot be
//! missed (no log rotation, no ring buffer overrun, no journald needed).
//!
//! Without the previous count there is nothing to subtract from, so a state dir that
//! cannot be read or written makes this Unknown, never a guess. A first run takes the
//! baseline and reports nothing (the kills before it are history, not news), and so
//! does a counter that went backwards: the host rebooted and counts from zero again.

use serde::{Deserialize, Serialize};

use npd_plugin::{explain, Context, Error, Result};

/// What is kept between runs.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    oom_kill: u64,
}

const PURPOSE: &str = "oom-kill";

/// What the counter says about the time since the previous run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// No previous count (first run, or the state was lost): baseline taken.
    Baseline { total: u64 },
    /// The counter is below the kept one: the host rebooted; baseline taken again.
    Reset { kept: u64, total: u64 },
    /// `new` kills since the previous run; `total` since boot.
    Counted { new: u64, total: u64 },
}

/// The `oom_kill` value of a vmstat text.
pub fn parse_vmstat(text: &str) -> std::result::Result<u64, String> {
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("oom_kill") {
            continue;
        }
        return match (words.next().map(str::parse::<u64>), words.next()) {
            (Some(Ok(n)), None) => Ok(n),
            _ => Err(format!("garbage oom_kill line {:?}", line)),
        };
    }
    Err("no oom_kill counter (kernel before 4.13?)".into())
}

/// Compares `total` with the kept count and keeps `total` for the next run.
pub fn since_previous_run(ctx: &Context, total: u64) -> Result<Since> {
    let store = ctx
        .state()
        .map_err(|e| Error::new(format!("OOM kills need state: {e}")))?;
    let kept = match store.load::<Kept>(PURPOSE) {
        Ok(k) => k,
        Err(e) => {
            // Start over so that the next run counts again, but say nothing about
            // this one: the kills since the last good count are unknown.
            let _ = store.save(PURPOSE, &Kept { oom_kill: total });
            return Err(Error::new(format!("{e}; baseline taken again")));
        }
    };
    let since = match kept {
        None => Since::Baseline { total },
        Some(Kept { oom_kill: kept }) if total < kept => Since::Reset { kept, total },
        Some(Kept { oom_kill: kept }) => Since::Counted {
            new: total - kept,
            total,
        },
    };
    store
        .save(PURPOSE, &Kept { oom_kill: total })
        .map_err(|e| Error::new(format!("OOM kills need state: {e}")))?;
    match since {
        Since::Baseline { total } => explain!(
            ctx,
            "oom_kill: {total} since boot; no count from a previous run: baseline taken"
        ),
        Since::Reset { kept, total } => explain!(
            ctx,
            "oom_kill: {total} since boot, below the {kept} kept: the host rebooted, \
             baseline taken again"
        ),
        Since::Counted { new, total } => explain!(
            ctx,
            "oom_kill: {total} since boot, {new} since the previous run"
        ),
    }
    Ok(since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_is_found_among_the_others() {
        let text = "nr_free_pages 5708127\noom_kill 3\nnuma_hit 1\n";
        assert_eq!(parse_vmstat(text), Ok(3));
        assert_eq!(parse_vmstat("oom_kill 0"), Ok(0));
    }

    #[test]
    fn no_counter_or_a_garbled_one_is_an_error() {
        assert!(parse_vmstat("nr_free_pages 5\n")
            .unwrap_err()
            .starts_with("no oom_kill"));
        assert!(parse_vmstat("").is_err());
        assert!(parse_vmstat("oom_kill -1\n").is_err());
        assert!(parse_vmstat("oom_kill\n").is_err());
        assert!(parse_vmstat("oom_kill 1 2\n").is_err());
        // A longer name is another counter.
        assert!(parse_vmstat("oom_kill_total 4\n").is_err());
    }
}
