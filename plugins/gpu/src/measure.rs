//! Every read of a run: the PCI bus and the driver's GPUs (sysfs, procfs), the kernel
//! log's XIDs since the last run with what this boot already saw (the state dir), and
//! dcgm-exporter's metrics page.

use std::collections::BTreeMap;
use std::io;

use http_probe::{Client, ClientOptions, Request, Role};
use npd_plugin::boot::Boot;
use npd_plugin::{explain, hostfile, kmsg, Context, Error, Result};
use serde::{Deserialize, Serialize};

use crate::config::{Aspect, Config};
use crate::pci;
use crate::prom::{self, Sample};
use crate::xid::parse_xid;

pub const PCI_DEVICES: &str = "/sys/bus/pci/devices";
pub const DRIVER_DIR: &str = "/proc/driver/nvidia";
pub const DRIVER_GPUS: &str = "/proc/driver/nvidia/gpus";

/// A page of dcgm-exporter for 8 GPUs with every field on is a few hundred KiB.
const METRICS_LIMIT: usize = 8 << 20;

/// An NVIDIA GPU on the PCI bus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusGpu {
    /// `0000:3b:00.0`.
    pub addr: String,
    /// The kernel driver bound to it (`nvidia`, `vfio-pci`, `nouveau`), if any.
    pub driver: Option<String>,
}

/// What `count` judges.
#[derive(Debug)]
pub struct Count {
    pub bus: Vec<BusGpu>,
    /// The GPUs the NVIDIA driver shows; `None` when the driver is not loaded.
    pub driver: Option<Vec<String>>,
}

/// XIDs per GPU and number: ((gpu, xid), times).
pub type Tally = BTreeMap<(String, u32), u64>;

/// What `xid` and `xid-other` judge.
#[derive(Debug, Default)]
pub struct Xids {
    /// Critical XIDs seen this boot, this run's included.
    pub critical: Tally,
    /// Other XIDs new since the last run.
    pub other: Tally,
    /// The first run on this node: the log since boot was read; other XIDs in it are
    /// not new events (the baseline).
    pub baseline: bool,
}

/// The readings of the aspects the configuration asks for.
pub struct Measured {
    pub count: Option<Result<Count>>,
    pub xids: Option<Result<Xids>>,
    pub dcgm: Option<Result<Vec<Sample>>>,
}

pub fn measure(config: &Config, ctx: &Context) -> Measured {
    let wants_xids = config.wants(Aspect::Xid) || config.wants(Aspect::XidOther);
    Measured {
        count: config.wants(Aspect::Count).then(|| count(ctx)),
        xids: wants_xids.then(|| xids(config, ctx)),
        dcgm: config.wants(Aspect::Dcgm).then(|| dcgm(config, ctx)),
    }
}

fn read_dir_names(ctx: &Context, dir: &str) -> io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(ctx.host_path(dir))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    names.sort();
    Ok(names)
}

fn count(ctx: &Context) -> Result<Count> {
    ctx.waiting_for(format!("reading {}", ctx.host_path(PCI_DEVICES).display()));
    let entries = read_dir_names(ctx, PCI_DEVICES)
        .map_err(|e| Error::io(ctx.host_path(PCI_DEVICES).display(), &e))?;
    let mut bus = Vec::new();
    for entry in entries {
        let id = |file: &str| -> Result<u32> {
            let path = format!("{PCI_DEVICES}/{entry}/{file}");
            hostfile::parsed(ctx, &path, |text| {
                pci::parse_hex_id(text)
                    .ok_or_else(|| Error::unobserved(format!("garbage {:?}", text.trim())))
            })
        };
        if id("vendor")? != pci::NVIDIA || !pci::is_gpu_class(id("class")?) {
            continue;
        }
        let link = ctx.host_path(format!("{PCI_DEVICES}/{entry}/driver"));
        let driver = std::fs::read_link(link)
            .ok()
            .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()));
        explain!(
            ctx,
            "bus: NVIDIA GPU {entry}, driver {}",
            driver.as_deref().unwrap_or("none")
        );
        bus.push(BusGpu {
            addr: pci::normalize(&entry),
            driver,
        });
    }
    let driver = if ctx.host_path(DRIVER_DIR).exists() {
        let gpus = match read_dir_names(ctx, DRIVER_GPUS) {
            Ok(names) => names.iter().map(|n| pci::normalize(n)).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(ctx.host_path(DRIVER_GPUS).display(), &e)),
        };
        explain!(ctx, "driver: loaded, GPUs {gpus:?}");
        Some(gpus)
    } else {
        explain!(ctx, "driver: not loaded (no {DRIVER_DIR})");
        None
    };
    Ok(Count { bus, driver })
}

/// The critical XIDs of one boot, kept between runs.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Seen {
    boot_id: String,
    /// (gpu, xid, times).
    critical: Vec<(String, u32, u64)>,
}

fn xids(config: &Config, ctx: &Context) -> Result<Xids> {
    let boot = Boot::read(ctx)?;
    let batch = kmsg::read_since_last_run(ctx, "kmsg", &boot, kmsg::Limits::default())?;
    explain!(
        ctx,
        "kernel log: {} new records{}{}{}",
        batch.records.len(),
        if batch.first_run {
            ", first run: read since boot"
        } else {
            ""
        },
        if batch.rebooted {
            ", rebooted: read since boot"
        } else {
            ""
        },
        if batch.more {
            ", more left for the next run"
        } else {
            ""
        }
    );
    if batch.lost > 0 {
        ctx.warn(format_args!(
            "{} kernel log records were overwritten before they could be read",
            batch.lost
        ));
    }
    if batch.malformed > 0 {
        ctx.warn(format_args!(
            "{} kernel log records did not parse",
            batch.malformed
        ));
    }
    let store = ctx.state()?;
    let seen: Seen = store
        .load("xid")?
        .filter(|s: &Seen| s.boot_id == boot.id)
        .unwrap_or_default();
    let mut out = Xids {
        critical: seen
            .critical
            .into_iter()
            .map(|(gpu, xid, n)| ((gpu, xid), n))
            .collect(),
        baseline: batch.first_run,
        ..Xids::default()
    };
    for record in &batch.records {
        let Some(x) = parse_xid(&record.message) else {
            continue;
        };
        let critical = config.is_critical(x.xid);
        explain!(
            ctx,
            "at {}.{:06}s: GPU {} XID {} ({})",
            record.usec / 1_000_000,
            record.usec % 1_000_000,
            x.gpu,
            x.xid,
            if critical { "critical" } else { "other" }
        );
        let tally = if critical {
            &mut out.critical
        } else {
            &mut out.other
        };
        *tally.entry((x.gpu, x.xid)).or_default() += 1;
    }
    let seen = Seen {
        boot_id: boot.id.clone(),
        critical: out
            .critical
            .iter()
            .map(|((gpu, xid), n)| (gpu.clone(), *xid, *n))
            .collect(),
    };
    // The XIDs first, then the cursor: a run that stops in between reads the same
    // records again, which counts them twice but loses none.
    store.save("xid", &seen)?;
    kmsg::commit(ctx, "kmsg", &batch)?;
    Ok(out)
}

fn dcgm(config: &Config, ctx: &Context) -> Result<Vec<Sample>> {
    let url = &config.dcgm_url;
    let mut client = Client::new(ClientOptions::default());
    if ctx.explaining() {
        client = client.with_trace(|step| eprintln!("{step}"));
    }
    ctx.waiting_for(format!("waiting for {url}"));
    // dcgm-exporter is only the way to ask: its silence says nothing of the GPUs.
    let fail = |f: http_probe::Failure| {
        let words = match f.kind {
            http_probe::FailureKind::Timeout => {
                format!("{url} no answer in {}", ctx.timeout_text())
            }
            _ => format!("{url} {}", f.message),
        };
        f.error(Role::WayToAsk, words)
    };
    let mut resp = client
        .send(&Request::get(url, &[]), ctx.deadline())
        .map_err(fail)?;
    let (body, cut) = resp.body.read_limited(METRICS_LIMIT).map_err(fail)?;
    if resp.status != 200 {
        return Err(Error::unobserved(format!("{url} status {}", resp.status)));
    }
    if cut {
        return Err(Error::unobserved(format!(
            "{url} page larger than {} MiB",
            METRICS_LIMIT >> 20
        )));
    }
    let text = String::from_utf8_lossy(&body);
    let samples = prom::parse(&text)
        .map_err(|line| Error::unobserved(format!("{url} not Prometheus text (line {line})")))?;
    explain!(ctx, "dcgm: {} samples from {url}", samples.len());
    Ok(samples)
}
