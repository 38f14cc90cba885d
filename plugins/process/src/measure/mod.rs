//! Every read of a run: one pass over the host's process table ([`scan`], through
//! [`procfs`] and [`cmdline`]), then, for the rules that compare runs, the boot
//! clock and what earlier runs kept in the state dir ([`restarts`], [`dstate`]).

pub mod cmdline;
pub mod dstate;
pub mod kthreads;
pub mod procfs;
pub mod restarts;
pub mod scan;

use npd_plugin::boot::Boot;
use npd_plugin::{Context, Error, Result};

use crate::config::Config;
use crate::report::Report;
use dstate::Stuck;
use restarts::Starts;

/// What the checks that compare runs found: `None` when not asked for, or when
/// they could not judge (the reason is then in [`Measured::errors`]).
#[derive(Debug, Default)]
pub struct Tracked {
    pub restarts: Option<Vec<Starts>>,
    pub stuck: Option<Stuck>,
}

/// One pass and what the comparisons with earlier runs found.
#[derive(Debug)]
pub struct Measured {
    pub report: Report,
    pub tracked: Tracked,
    /// Why a comparison could not judge; the other checks still do.
    pub errors: Vec<Error>,
}

/// Scans the process table (an error when it cannot be observed), then runs the
/// comparisons the rules ask for, keeping their failures beside the report.
pub fn measure(config: &Config, ctx: &Context) -> Result<Measured> {
    let report = scan::scan(config, ctx)?;
    let mut tracked = Tracked::default();
    let mut errors: Vec<Error> = Vec::new();
    if config.restarts.is_some() || config.d_state.is_some() {
        match Boot::read(ctx) {
            Ok(boot) => {
                if let Some(rule) = &config.restarts {
                    match restarts::track(ctx, rule, &boot, config, &report) {
                        Ok(counts) => tracked.restarts = Some(counts),
                        Err(e) => errors.push(e),
                    }
                }
                if let Some(rule) = &config.d_state {
                    match dstate::track(ctx, rule, &boot, &report.d_tasks, report.d_count) {
                        Ok(stuck) => tracked.stuck = Some(stuck),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    Ok(Measured {
        report,
        tracked,
        errors,
    })
}
