//! `npd-listen`: the host has a listening TCP socket, or a bound UDP socket, on each
//! required port.
//!
//! It judges the sockets of the host's network namespace, that of the host's PID 1,
//! whose tables are `<host-root>/proc/1/net/{tcp,tcp6,udp,udp6}`, and connects to
//! nothing: a port is judged by what the kernel says is bound, so the check costs no
//! connection, no log line in the service and no firewall rule. When the plugin runs
//! in that namespace (hostNetwork) it asks the kernel over netlink sock_diag, as `ss`
//! does, for the TCP listeners only; reading the tables makes the kernel walk every
//! connection. The answers are the same either way.
//!
//! - [`config`] turns `--tcp` / `--udp` into [`config::Requirement`]s and says which
//!   bound address satisfies which;
//! - [`netns`] decides between netlink and the tables; [`netlink`] asks, [`diag`]
//!   holds its wire format; [`table`] parses one line of a socket table;
//! - [`measure`] finds a socket for each requirement either way; [`judge`] names what
//!   is missing.
//!
//! It is not a probe: a service that listens but no longer answers is only caught by an
//! HTTP or TCP probe.

pub mod config;
pub mod diag;
pub mod judge;
pub mod measure;
pub mod netlink;
pub mod netns;
pub mod table;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Listen;

impl Plugin for Listen {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let found = measure::measure(config, ctx)?;
        Ok(judge::judge(config, &found))
    }

    const NAME: &'static str = "npd-listen";
    const ABOUT: &'static str = "Checks that the host has a listening TCP socket, or a bound UDP \
                                 socket, on each required port, from the kernel's socket tables \
                                 (no connection is made).";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "KeystoneNotListening",
 "reason": "KeystoneNotListening", "path": "/opt/npd-checks/bin/npd-listen",
 "args": ["--tcp", "5000", "--fail-after", "2"], "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is read:
  For --tcp, sockets in the LISTEN state only; for --udp, sockets bound and not
  connected to a peer, as a server's are; both of the network namespace of the
  host's PID 1, whose tables are <host-root>/proc/1/net/tcp, tcp6, udp and udp6:
  the DaemonSet needs hostPID. When the plugin shares that namespace (hostNetwork:
  <host-root>/proc/1/net/tcp is the same procfs entry as /proc/self/net/tcp), it
  asks the kernel over netlink sock_diag instead, as ss does: for TCP the kernel
  then lists its listeners alone, where every read of the tcp tables walks all
  its connections. Otherwise, or when netlink fails (a seccomp filter, a kernel
  without sock_diag; --explain says why), the tables are read, only as far as
  needed: reading stops once every port of its protocol is found.
  Sockets of other network namespaces are not in these tables: a service in a pod
  without hostNetwork (behind a Service or NodePort), or neutron's dnsmasq, which
  runs in a qdhcp- namespace of its own, never satisfies this check; probe those
  with an HTTP or TCP check instead.
Addresses:
  PORT is satisfied by a socket on any address. With IPV4:PORT, a socket on that
  address, on 0.0.0.0 or on :: satisfies it (a socket bound to :: takes IPv4 too
  unless it set IPV6_V6ONLY, which the tables do not show; Go's net.Listen(\":port\")
  binds such a socket). With [IPV6]:PORT, that address or ::.
Defaults:
  No port is checked unless given. The ports of OpenStack's services are those of
  Mirantis' OpenStack monitoring guide: keystone 5000, nova-api 8774, glance-api
  9292, cinder-api 8776, neutron-server 9696, dnsmasq UDP 67; keystone's admin port
  35357 (gone from Queens on) and glance-registry 9191 (removed in Stein) only for
  releases that still have them.
  Add --fail-after 2: a service being restarted has no socket for a moment, and one
  such sample should not raise a condition.
Unknown:
  A missing or unreadable tcp or udp table, an empty one, or garbled lines while a
  port is still unaccounted for (the garbled line might be its socket) are Unknown,
  and so is no answer from netlink sock_diag by the deadline.
  A missing tcp6 or udp6 is IPv6 switched off at boot, not an error.";
}
