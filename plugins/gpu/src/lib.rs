//! `npd-gpu`: the health of a node's NVIDIA GPUs, as the EKS node monitoring agent and
//! AKS judge it (GPUs missing, XID errors), from sources a static binary can read:
//!
//! - `count`: NVIDIA GPUs on the PCI bus (sysfs: vendor 0x10de, class display or 3D
//!   controller) against those the driver sees (`/proc/driver/nvidia/gpus/<address>`)
//!   and `--expected-gpus`;
//! - `xid` and `xid-other`: the driver's `NVRM: Xid` lines in the kernel log, read
//!   with [`npd_plugin::kmsg`] since the last run; critical ones stay for the boot;
//! - `dcgm`: dcgm-exporter's Prometheus page on the node (last XID per GPU,
//!   double-bit ECC errors, row remapping failure), off unless asked for.
//!
//! Not NVML: it is a C library the driver installs (`libnvidia-ml.so`, reached with
//! dlopen), which a static binary cannot link and which would tie the plugin to the
//! driver's version; nor nvidia-smi, a fork of a large program per run. sysfs and
//! procfs say what the bus and the driver see, the kernel log is where the driver
//! reports XIDs first, and dcgm-exporter, where it runs, has already asked NVML.
//!
//! [`config`] holds the flags, [`measure`] reads, [`judge`] decides; [`pci`], [`xid`]
//! and [`prom`] parse the PCI ids and addresses, XID lines and Prometheus text.

pub mod config;
pub mod judge;
pub mod measure;
pub mod pci;
pub mod prom;
pub mod xid;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Gpu;

impl Plugin for Gpu {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx);
        judge::judge(config, measured, ctx)
    }

    const NAME: &'static str = "npd-gpu";
    const ABOUT: &'static str = "Checks a node's NVIDIA GPUs: all on the PCI bus and seen by the \
                                 driver, no critical XID error in the kernel log, no ECC or \
                                 row-remapping failure in dcgm-exporter's metrics.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "GPUMissing",
 "reason": "GPUMissing", "path": "/opt/npd-checks/bin/npd-gpu",
 "args": ["--check", "count", "--expected-gpus", "8", "--fail-after", "2"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Count:
  A GPU is a PCI function of vendor 0x10de and class 0x0300xx or 0x0302xx under
  <host-root>/sys/bus/pci/devices. Fewer than --expected-gpus is a problem (a GPU
  that fell off the bus or was never enumerated); so is a GPU not bound elsewhere
  that the loaded driver does not list in <host-root>/proc/driver/nvidia/gpus. A
  GPU bound to another driver (vfio-pci: handed to a VM) is not the NVIDIA driver's
  to see. No NVIDIA GPU and no --expected-gpus: OK, \"no NVIDIA GPU on this node\",
  so the rule can run on every node.
  Driver not loaded while GPUs are on the bus: with --expected-gpus the node was
  declared to serve GPUs and serves none, a problem; without it Unknown, because a
  node whose driver is still being installed (a driver container) or that hands its
  GPUs to VMs looks the same, and a blind check must not drain a node.
XIDs (--check xid, xid-other):
  The driver logs \"NVRM: Xid (PCI:<address>): <xid>, ...\". Critical XIDs need a
  GPU reset, a reboot or the GPU replaced (NVIDIA's XID catalog; the EKS node
  monitoring agent's list): 46 48 54 62 63 64 74 79 95 109 110 119 120 136 140 142
  143 151 155 156 158 unless --critical-xids says otherwise. 92 (corrected errors at
  a high rate) and 94 (a contained ECC error: the application is hit, not the GPU)
  are not critical. xid reports the critical XIDs of this boot until the node
  reboots (a condition); xid-other the others new since the last run (a temporary
  rule: one event per run that saw some).
  The kernel log is <host-root>/dev/kmsg, read from where the previous run stopped
  (a cursor in --state-dir); the first run reads it since boot, so an XID from
  before NPD started counts (xid-other takes that as its baseline). Where the
  device is refused (a container that is not privileged: its device cgroup), the
  log is read with syslog(2), which needs only CAP_SYSLOG where
  kernel.dmesg_restrict=1; refused too, the answer is Unknown.
DCGM (--check dcgm):
  GETs --dcgm-url (dcgm-exporter, default http://127.0.0.1:9400/metrics, reachable
  where the exporter uses the host's network or a hostPort). A problem: a critical
  DCGM_FI_DEV_XID_ERRORS (the last XID of a GPU), DCGM_FI_DEV_ROW_REMAP_FAILURE
  above 0, DCGM_FI_DEV_ECC_DBE_VOL_TOTAL above 0 (double-bit errors since the
  driver loaded; off in dcgm-exporter's default counters). An exporter that does not
  answer, answers another status or a page that is not Prometheus text is Unknown:
  it is only the way to ask.
Not covered:
  GPUs of other vendors, NVSwitch and NVLink fabric state (SXID), thermal and power
  limits, MIG layouts.";
}
