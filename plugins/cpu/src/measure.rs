//! Every read of a run: the load average and the host's online CPUs, the CPU pressure
//! file, each only when its check is asked for, all under the host root. Each check is
//! read on its own, so that one unreadable file does not hide what another shows.

use npd_plugin::hostfile::{self as read, HostFile};
use npd_plugin::psi::{self, Pressure};
use npd_plugin::{explain, Context, Result};

use crate::config::Config;
use crate::cpus;
use crate::loadavg::{self, LoadAvg};

/// The load averages and the count of online CPUs they are divided by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    pub avg: LoadAvg,
    pub cpus: u32,
}

/// What was read for each check asked for (`None`: not asked for).
#[derive(Debug)]
pub struct Measured {
    pub load: Option<Result<Load>>,
    pub pressure: Option<Result<Pressure>>,
}

pub fn measure(config: &Config, ctx: &Context) -> Measured {
    Measured {
        load: config.load.map(|_| load(ctx)),
        pressure: config.max_psi_some.map(|_| pressure(ctx)),
    }
}

fn load(ctx: &Context) -> Result<Load> {
    let avg = read::parsed(ctx, "/proc/loadavg", loadavg::parse)?;
    let (cpus, source) = online_cpus(ctx)?;
    explain!(
        ctx,
        "CPUs: {cpus} online, from {} (the host's, not this container's cpuset or quota)",
        ctx.host_path(source.path()).display()
    );
    Ok(Load { avg, cpus })
}

fn online_cpus(ctx: &Context) -> Result<(u32, cpus::Source)> {
    let source = cpus::Source::SysOnline;
    if let HostFile::Text(text) = read::host_file(ctx, source.path())? {
        let n = cpus::count_list(&text).map_err(|why| read::garbage(ctx, source.path(), why))?;
        return Ok((n, source));
    }
    let source = cpus::Source::ProcStat;
    let n = read::parsed(ctx, source.path(), cpus::count_stat)?;
    Ok((n, source))
}

fn pressure(ctx: &Context) -> Result<Pressure> {
    psi::read(ctx, "/proc/pressure/cpu")
}
