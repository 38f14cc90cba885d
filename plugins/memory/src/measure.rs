//! Every read of a run, each only when its check is asked for: meminfo, the memory
//! pressure file, and the OOM kill counter against the count kept in the state dir by
//! the previous run. Each check is read on its own, so that one unreadable file does
//! not hide what another shows.
//!
//! OOM kills: without the previous count there is nothing to subtract from, so a
//! state dir that cannot be read or written makes this Unknown, never a guess. A first
//! run takes the baseline and reports nothing (the kills before it are history, not
//! news), and so does a counter that went backwards: the host rebooted and counts from
//! zero again.

use serde::{Deserialize, Serialize};

use npd_plugin::hostfile as read;
use npd_plugin::psi::{self, Pressure};
use npd_plugin::{explain, Context, Error, Result};

use crate::config::Config;
use crate::meminfo::{self, MemInfo};
use crate::vmstat;

/// What was read for each check asked for (`None`: not asked for).
#[derive(Debug)]
pub struct Measured {
    pub oom: Option<Result<Since>>,
    pub available: Option<Result<MemInfo>>,
    pub pressure: Option<Result<Pressure>>,
}

pub fn measure(config: &Config, ctx: &Context) -> Measured {
    Measured {
        oom: config.max_oom_kills.map(|_| oom_kills(ctx)),
        available: config.min_available.map(|_| available(ctx)),
        pressure: config.psi.map(|_| pressure(ctx)),
    }
}

fn available(ctx: &Context) -> Result<MemInfo> {
    read::parsed(ctx, "/proc/meminfo", meminfo::parse)
}

fn pressure(ctx: &Context) -> Result<Pressure> {
    let path = "/proc/pressure/memory";
    let p = psi::read(ctx, path)?;
    if p.full.is_none() {
        return Err(Error::unobserved(format!(
            "{}: no \"full\" line",
            ctx.host_path(path).display()
        )));
    }
    Ok(p)
}

fn oom_kills(ctx: &Context) -> Result<Since> {
    let total = read::parsed(ctx, "/proc/vmstat", vmstat::parse_vmstat)?;
    since_previous_run(ctx, total)
}

/// What is kept between runs.
#[derive(Debug, Serialize, Deserialize)]
#[doc(hidden)]
pub struct Kept {
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

/// Compares `total` with the kept count and keeps `total` for the next run.
fn since_previous_run(ctx: &Context, total: u64) -> Result<Since> {
    let store = ctx.state().map_err(|e| e.context("OOM kills need state"))?;
    let kept = match store.load::<Kept>(PURPOSE) {
        Ok(k) => k,
        Err(e) => {
            // Start over so that the next run counts again, but say nothing about
            // this one: the kills since the last good count are unknown.
            let _ = store.save(PURPOSE, &Kept { oom_kill: total });
            return Err(Error::unobserved(format!("{e}; baseline taken again")));
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
        .map_err(|e| e.context("OOM kills need state"))?;
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
