//! Measures each selected limit: how much of it is in use and what it is, read under the
//! host root. Each limit is measured on its own, so that one unreadable file does not
//! hide a limit that was read and found exhausted.

use std::io::ErrorKind;
use std::path::Path;

use npd_plugin::hostnet::require_host_network;
use npd_plugin::{explain, Context, Error, Result};

use crate::config::{Check, Config, Limit};
use crate::procfs::{self, read_small};

pub const LOADAVG: &str = "/proc/loadavg";
pub const PID_MAX: &str = "/proc/sys/kernel/pid_max";
pub const THREADS_MAX: &str = "/proc/sys/kernel/threads-max";
pub const FILE_NR: &str = "/proc/sys/fs/file-nr";
pub const CONNTRACK_COUNT: &str = "/proc/sys/net/netfilter/nf_conntrack_count";
pub const CONNTRACK_MAX: &str = "/proc/sys/net/netfilter/nf_conntrack_max";

/// What was read for one limit.
#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    /// `used` of `max` are taken.
    Used { used: u64, max: u64 },
    /// Conntrack only: the module is not loaded, so there is no table to fill.
    NotLoaded,
    /// Conntrack only: nf_conntrack_max is 0, which the kernel takes as no limit.
    Unlimited,
}

/// One selected limit and what was read for it.
#[derive(Debug)]
pub struct Measured {
    pub check: Check,
    pub reading: Result<Reading>,
}

/// Reads every selected limit, in the order of the configuration.
pub fn measure(config: &Config, ctx: &Context) -> Vec<Measured> {
    // pids and threads count the same tasks: read them once.
    let mut tasks: Option<Result<u64>> = None;
    let mut task_count = |ctx: &Context| -> Result<u64> {
        tasks
            .get_or_insert_with(|| {
                let path = ctx.host_path(LOADAVG);
                ctx.waiting_for(format!("reading {}", path.display()));
                let n = procfs::read_loadavg_tasks(&path);
                if let Ok(n) = &n {
                    explain!(ctx, "{}: {n} tasks (processes and threads)", path.display());
                }
                n
            })
            .clone()
    };
    config
        .checks
        .iter()
        .map(|check| {
            let reading = match check.limit {
                Limit::Pids => task_count(ctx).and_then(|used| {
                    let max = limit(ctx, PID_MAX)?;
                    Ok(Reading::Used { used, max })
                }),
                Limit::Threads => task_count(ctx).and_then(|used| {
                    let max = limit(ctx, THREADS_MAX)?;
                    Ok(Reading::Used { used, max })
                }),
                Limit::Files => files(ctx),
                Limit::Conntrack => conntrack(ctx),
            };
            Measured {
                check: *check,
                reading,
            }
        })
        .collect()
}

fn limit(ctx: &Context, host_path: &str) -> Result<u64> {
    let path = ctx.host_path(host_path);
    ctx.waiting_for(format!("reading {}", path.display()));
    let value = procfs::read_limit(&path)?;
    explain!(ctx, "{}: {value}", path.display());
    Ok(value)
}

fn files(ctx: &Context) -> Result<Reading> {
    let path = ctx.host_path(FILE_NR);
    ctx.waiting_for(format!("reading {}", path.display()));
    let nr = procfs::read_file_nr(&path)?;
    explain!(
        ctx,
        "{}: {} allocated, {} unused, file-max {}",
        path.display(),
        nr.allocated,
        nr.unused,
        nr.max
    );
    Ok(Reading::Used {
        used: nr.used(),
        max: nr.max,
    })
}

/// Conntrack entries of the network namespace this process is in: /proc/sys/net shows
/// the reader's namespace whatever /proc it is read through.
fn conntrack(ctx: &Context) -> Result<Reading> {
    require_host_network(ctx, "conntrack")?;
    let count_path = ctx.host_path(CONNTRACK_COUNT);
    let max_path = ctx.host_path(CONNTRACK_MAX);
    ctx.waiting_for(format!("reading {}", count_path.display()));
    let count = match read_small(&count_path) {
        Ok(text) if text.trim().is_empty() => {
            return Err(Error::unobserved(format!(
                "{} is empty",
                count_path.display()
            )))
        }
        Ok(text) => procfs::parse_number(&count_path, &text, true)?,
        Err(e) if e.kind() == ErrorKind::NotFound => return not_loaded(ctx, &max_path),
        Err(e) => return Err(Error::io(count_path.display(), &e)),
    };
    let max = procfs::read_count(&max_path)?;
    explain!(
        ctx,
        "{}: {count}, {}: {max}",
        count_path.display(),
        max_path.display()
    );
    if max == 0 {
        // The kernel only enforces a non-zero nf_conntrack_max: the table cannot fill.
        explain!(ctx, "nf_conntrack_max 0: no limit");
        return Ok(Reading::Unlimited);
    }
    Ok(Reading::Used { used: count, max })
}

/// The count is missing: that is the module not being loaded only if the limit is
/// missing too and /proc/sys/net itself is there (else the host root is wrong).
fn not_loaded(ctx: &Context, max_path: &Path) -> Result<Reading> {
    match read_small(max_path) {
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(max_path.display(), &e)),
        Ok(_) => {
            return Err(Error::unobserved(format!(
                "{} without nf_conntrack_count",
                max_path.display()
            )))
        }
    }
    let net = ctx.host_path("/proc/sys/net");
    match std::fs::metadata(&net) {
        Ok(meta) if meta.is_dir() => {
            explain!(
                ctx,
                "no nf_conntrack_count or nf_conntrack_max under {}: conntrack not loaded",
                net.display()
            );
            Ok(Reading::NotLoaded)
        }
        Ok(_) => Err(Error::unobserved(format!(
            "{} is not a directory",
            net.display()
        ))),
        Err(e) => Err(Error::io(net.display(), &e)),
    }
}
