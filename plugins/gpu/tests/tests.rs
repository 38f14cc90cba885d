//! End-to-end tests of the `npd-gpu` binary, run as NPD runs it. No GPU is needed:
//! the PCI bus, the driver's directory and the kernel log are fixture trees under
//! `--host-root`, dcgm-exporter a server on 127.0.0.1.
//!
//! Where a new test belongs:
//! - `count.rs`: GPUs on the bus against the driver and --expected-gpus, the driver
//!   not loaded, GPUs bound elsewhere, garbled sysfs files.
//! - `xid.rs`: XID lines in the kernel log (a file of records): critical ones for
//!   the boot, the others since the last run, reboots, garbage records, a kernel log
//!   that cannot be read, a broken state dir.
//! - `syslog.rs`: this machine's kernel log read with syslog(2) where /dev/kmsg is
//!   refused (root only), and the cursor kept across the two readers.
//! - `dcgm.rs`: dcgm-exporter's page judged, and exporters that fail (Unknown).
//! - `flags.rs`: bad flags (Unknown), --help, --explain, --max-output.
//! - `shipped_config.rs`: npd-config/npd-gpu.json against this binary.
//!
//! `util.rs` writes the fake hosts.

mod count;
mod dcgm;
mod flags;
mod shipped_config;
mod syslog;
mod util;
mod xid;
