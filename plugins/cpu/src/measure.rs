//! Every read of a run: the load average and the host's online CPUs, the CPU pressure
//! file, each only when its check is asked for, all under the host root. Each check is
//! read on its own, so that one unreadable file does not hide what another shows.

use npd_plugin::hostfile::{self as read, HostFile};
use npd_plugin::psi::{self, Pressure};
use npd_plugin::{explain, Context, Error, Result};

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

/// The host path as messages name it, in front of a parser's reason.
fn garbage(ctx: &Context, path: &str, why: Error) -> Error {
    why.context(ctx.host_path(path).display())
}

fn load(ctx: &Context) -> Result<Load> {
    let text = read::required(ctx, "/proc/loadavg")?;
    let avg = loadavg::parse(&text).map_err(|why| garbage(ctx, "/proc/loadavg", why))?;
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
        let n = cpus::count_list(&text).map_err(|why| garbage(ctx, source.path(), why))?;
        return Ok((n, source));
    }
    let source = cpus::Source::ProcStat;
    let text = read::required(ctx, source.path())?;
    let n = cpus::count_stat(&text).map_err(|why| garbage(ctx, source.path(), why))?;
    Ok((n, source))
}

fn pressure(ctx: &Context) -> Result<Pressure> {
    let path = "/proc/pressure/cpu";
    let text = match read::host_file(ctx, path)? {
        HostFile::Text(t) => t,
        HostFile::Missing(full) => {
            return Err(Error::unobserved(format!(
                "no PSI: {} not found (CONFIG_PSI off or psi=0)",
                full.display()
            )))
        }
    };
    psi::parse(&text).map_err(|why| garbage(ctx, path, why))
}
