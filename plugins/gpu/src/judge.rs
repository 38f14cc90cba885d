//! The verdicts. Problems observed win over aspects that could not be read (a blind
//! spot must not hide a GPU off the bus); with no problem, an aspect that could not be
//! read makes the answer Unknown; otherwise each aspect's stable OK words.

use std::collections::BTreeMap;

use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::config::{Aspect, Config};
use crate::measure::{Count, Measured, Tally, Xids};
use crate::pci;
use crate::prom::Sample;

pub const NO_GPU: &str = "no NVIDIA GPU on this node";
pub const COUNT_OK: &str = "GPU count is normal";
pub const XID_OK: &str = "no critical XID this boot";
pub const XID_OTHER_OK: &str = "no new XID";
pub const DCGM_OK: &str = "DCGM reports no GPU error";

pub const XID_ERRORS: &str = "DCGM_FI_DEV_XID_ERRORS";
pub const ROW_REMAP_FAILURE: &str = "DCGM_FI_DEV_ROW_REMAP_FAILURE";
pub const DBE_VOL_TOTAL: &str = "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL";
pub const UNCORRECTABLE_REMAPPED_ROWS: &str = "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS";

pub fn judge(config: &Config, measured: Measured, ctx: &Context) -> Result<Outcome> {
    let mut problems = Vec::new();
    let mut failures = Vec::new();
    let mut fine = Vec::new();
    let mut take = |verdict: Result<std::result::Result<&'static str, Vec<String>>>| match verdict {
        Ok(Ok(words)) => fine.push(words),
        Ok(Err(found)) => problems.extend(found),
        Err(e) => failures.push(e),
    };
    if let Some(count) = measured.count {
        take(count.and_then(|c| judge_count(config, &c, ctx)));
    }
    if let Some(xids) = measured.xids {
        match xids {
            Ok(x) => {
                for aspect in [Aspect::Xid, Aspect::XidOther] {
                    if config.wants(aspect) {
                        take(Ok(judge_xids(aspect, &x)));
                    }
                }
            }
            Err(e) => take(Err(e)),
        }
    }
    if let Some(samples) = measured.dcgm {
        take(samples.and_then(|s| judge_dcgm(config, &s, ctx)));
    }
    let outcome = Outcome::from_problems(problems, fine.join("; "));
    ctx.despite(outcome, failures)
}

fn verdict(
    problems: Vec<String>,
    ok: &'static str,
) -> std::result::Result<&'static str, Vec<String>> {
    if problems.is_empty() {
        Ok(ok)
    } else {
        Err(problems)
    }
}

type Verdict = Result<std::result::Result<&'static str, Vec<String>>>;

fn judge_count(config: &Config, c: &Count, ctx: &Context) -> Verdict {
    let on_bus = c.bus.len();
    let mut problems = Vec::new();
    if let Some(expected) = config.expected_gpus {
        explain!(
            ctx,
            "count: {on_bus} GPUs on the bus, --expected-gpus {expected}"
        );
        if (on_bus as u64) < u64::from(expected) {
            problems.push(format!("{on_bus} GPUs on the bus < expected {expected}"));
        }
    }
    // A GPU bound to another driver (vfio-pci for a VM, nouveau) is not the NVIDIA
    // driver's to see.
    let elsewhere =
        |g: &&crate::measure::BusGpu| g.driver.as_deref().is_some_and(|d| d != "nvidia");
    for g in c.bus.iter().filter(elsewhere) {
        explain!(
            ctx,
            "count: {} is bound to {}: not judged against the driver",
            g.addr,
            g.driver.as_deref().unwrap_or("")
        );
    }
    let for_nvidia: Vec<&str> = c
        .bus
        .iter()
        .filter(|g| !elsewhere(g))
        .map(|g| g.addr.as_str())
        .collect();
    match &c.driver {
        None if !for_nvidia.is_empty() => {
            let n = for_nvidia.len();
            if config.expected_gpus.is_some() {
                problems.push(format!("NVIDIA driver not loaded, {n} GPUs on the bus"));
            } else if problems.is_empty() {
                return Err(Error::unobserved(format!(
                    "NVIDIA driver not loaded: {n} GPUs on the bus not judged"
                )));
            }
        }
        None => {}
        Some(seen) => {
            for addr in for_nvidia {
                let found = seen.iter().any(|s| s == addr);
                explain!(
                    ctx,
                    "count: {addr} {} by the driver",
                    if found { "seen" } else { "not seen" }
                );
                if !found {
                    problems.push(format!("GPU {addr} not seen by the driver"));
                }
            }
        }
    }
    let ok = if on_bus == 0 { NO_GPU } else { COUNT_OK };
    Ok(verdict(problems, ok))
}

fn listed(tally: &Tally, suffix: &str) -> Vec<String> {
    tally
        .iter()
        .map(|((gpu, xid), n)| {
            if suffix.is_empty() {
                format!("GPU {gpu} critical XID {xid} this boot")
            } else {
                format!("GPU {gpu} XID {xid} x{n} {suffix}")
            }
        })
        .collect()
}

fn judge_xids(aspect: Aspect, x: &Xids) -> std::result::Result<&'static str, Vec<String>> {
    match aspect {
        Aspect::Xid => verdict(listed(&x.critical, ""), XID_OK),
        // The first run's XIDs happened before this rule was watching: a baseline,
        // not new events.
        _ if x.baseline => Ok(XID_OTHER_OK),
        _ => verdict(listed(&x.other, "since last run"), XID_OTHER_OK),
    }
}

/// How a sample names its GPU: the PCI address, else DCGM's index.
fn gpu_of(s: &Sample) -> String {
    match (s.label("pci_bus_id"), s.label("gpu")) {
        (Some(addr), _) if !addr.is_empty() => pci::normalize(addr),
        (_, Some(index)) => format!("gpu{index}"),
        _ => "gpu?".to_string(),
    }
}

fn judge_dcgm(config: &Config, samples: &[Sample], ctx: &Context) -> Verdict {
    let mut per_gpu: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut gpus = 0;
    for s in samples {
        let name = s.name.as_str();
        if ![
            XID_ERRORS,
            ROW_REMAP_FAILURE,
            DBE_VOL_TOTAL,
            UNCORRECTABLE_REMAPPED_ROWS,
        ]
        .contains(&name)
        {
            continue;
        }
        let gpu = gpu_of(s);
        explain!(ctx, "dcgm: {name} {gpu} = {}", s.value);
        if name == XID_ERRORS {
            gpus += 1;
        }
        let found = per_gpu.entry(gpu.clone()).or_default();
        let value = s.value;
        match name {
            XID_ERRORS if (1.0..=999.0).contains(&value) && config.is_critical(value as u32) => {
                found.push(format!("GPU {gpu} last XID {} (DCGM)", value as u32));
            }
            ROW_REMAP_FAILURE if value > 0.0 => {
                found.push(format!("GPU {gpu} row remapping failed (DCGM)"));
            }
            DBE_VOL_TOTAL if value >= 1.0 => {
                found.push(format!("GPU {gpu} {} DBE ECC errors (DCGM)", value as u64));
            }
            // Rows remapped for uncorrectable errors are the repair working; only a
            // failed remapping (above) needs the GPU replaced.
            _ => {}
        }
    }
    if gpus == 0 {
        return Err(Error::unobserved(format!(
            "{} lists no GPU ({XID_ERRORS})",
            config.dcgm_url
        )));
    }
    Ok(verdict(per_gpu.into_values().flatten().collect(), DCGM_OK))
}
