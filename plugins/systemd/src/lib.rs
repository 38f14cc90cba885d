//! `npd-systemd`: named systemd units judged from what systemd itself says over the
//! system D-Bus, without systemctl: failed, activating for too long (stuck starting,
//! or waiting between restarts), inactive when they should run, and restarted more
//! than a limit within a window (systemd's NRestarts, counted across runs).
//!
//! [`config`] holds the flags, [`wire`] and [`unmarshal`] the D-Bus format, [`bus`]
//! the connection, [`measure`] the calls of a run, [`restarts`] the counts kept
//! between runs and [`judge`] decides.

pub mod bus;
pub mod config;
pub mod judge;
pub mod measure;
pub mod restarts;
pub mod unmarshal;
pub mod wire;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Systemd;

impl Plugin for Systemd {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx)?;
        judge::judge(config, measured, ctx)
    }

    const NAME: &'static str = "npd-systemd";
    const ABOUT: &'static str = "Checks named systemd units over the system D-Bus: failed, \
                                 stuck activating, inactive when they should run, or \
                                 restarting in a loop.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "KubeletUnitUnhealthy",
 "reason": "KubeletUnitUnhealthy", "path": "/opt/npd-checks/bin/npd-systemd",
 "args": ["--unit", "kubelet.service", "--allow-missing", "--fail-after", "2"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
How it asks:
  Over the system bus at <host-root>/run/dbus/system_bus_socket (mount the host's
  /run/dbus, or / as the host root), authenticating with this process's uid;
  systemd lets any user read what is asked here. For each unit: LoadUnit on
  org.freedesktop.systemd1 (it also answers for a stopped unit systemd has unloaded,
  where GetUnit would not), then the properties of its Unit interface and, for a
  service, of its Service interface: LoadState, ActiveState, SubState, Result,
  NRestarts, InactiveExitTimestampMonotonic and ActiveExitTimestampMonotonic: one
  Hello, then three calls a service (two for other units); no process is started.
Verdicts (1):
  ActiveState failed: \"kubelet.service failed (exit-code)\" (the service's Result,
  else the SubState). activating for longer than --max-activating (default 5m):
  stuck starting, or a service waiting between restarts that never comes up (the
  time since it left inactive or active, against the host's CLOCK_MONOTONIC, the
  clock of those properties). inactive, unless --allow-inactive (the load state is
  named when it is not loaded: masked). More than --max-restarts restarts within
  --within: see below. active, reloading and deactivating are healthy.
Restarts (--max-restarts N --within D, services only):
  NRestarts (systemd 235 and later) counts the restarts systemd made under
  Restart=, each one however short-lived, so a loop between two runs, which a look
  at the process table misses, shows as a jump. Each run keeps every service's
  count in --state-dir; an increase is that many restarts, dated by the run that saw
  it, dropped after D. The first run only records, and so does the first run after
  a reboot (a new boot_id in <host-root>/proc/sys/kernel/random/boot_id, clocked by
  <host-root>/proc/uptime) and a run that finds the count went down (the unit was
  reset). Give such a rule a --state-key, so that editing its flags keeps the count,
  and --only-restarts when another rule judges the unit's state, so that a failed or
  stuck unit does not also read as a restart loop.
  3 within 30m lets a deliberate restart or two pass; Restart=always with
  RestartSec=10 restarts up to 180 times in 30m.
Unknown (2), never 1:
  No socket, a refused connection, a bus that does not answer by --timeout, systemd
  not on the bus (no owner of org.freedesktop.systemd1), a reply of the wrong shape
  or a property of the wrong type, a state dir that cannot be used for --max-restarts,
  a service without NRestarts for --max-restarts. A unit systemd has no file for
  (LoadState not-found) is Unknown too: the rule names a unit this node does not
  have (a kubelet run as a container, another runtime), which is a rule to fix, not
  a broken node; --allow-missing makes it OK, \"not installed\", for a rule shared by
  nodes with and without the unit. A problem on one unit is reported even when
  another could not be read.";
}
