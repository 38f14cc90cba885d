//! `npd-network`: the node's own networking, as a Kubernetes node needs it.
//!
//! - interfaces: lo and the interfaces named (or matched by a pattern) exist, are
//!   administratively up (IFF_UP) and running (operational state up, or unknown for
//!   devices without one, such as lo);
//! - default-route: each IP version asked for has a default route (0.0.0.0/0, ::/0)
//!   through a device that is up, running and not a loopback;
//! - forwarding: net.ipv4.ip_forward (and net.ipv6.conf.all.forwarding for IPv6) is
//!   on, without which pod traffic is not routed off the node.
//!
//! # Which network namespace each fact comes from
//!
//! Everything is read from files under `--host-root`, never over netlink: a netlink
//! socket answers for the namespace of the process that opens it, so it could only
//! judge the plugin's own namespace, and no fact here needs it.
//!
//! - `/proc/1/net/dev`, `/proc/1/net/route` and `/proc/1/net/ipv6_route` are the
//!   tables of PID 1's network namespace, whatever the reader's: with hostPID, the
//!   host's, exactly. `route` lists the IPv4 routes of the main table only (policy
//!   routing tables are not seen); `ipv6_route` lists the IPv6 routes of every table
//!   without saying which, so an IPv6 default route of a policy table counts.
//! - `/sys/class/net/<if>/{flags,operstate}` describe the devices of the namespace
//!   that mounted that sysfs: the host's /sys, or the plugin's own with hostNetwork.
//!   An interface of PID 1's list that sysfs does not have is a missing file
//!   (Unknown), as under a pod's own /sys.
//! - `/proc/sys/net/...` shows the reader's namespace through any procfs mount, so
//!   the forwarding sysctls are the host's only with hostNetwork; when PID 1's
//!   `net/dev` and this process's are different procfs entries, forwarding is
//!   Unknown (see [`measure`]).
//!
//! [`config`] holds the flags, [`procnet`] parses the /proc tables, [`link`] the
//! sysfs state, [`measure`] reads and [`judge`] decides.

pub mod config;
pub mod judge;
pub mod link;
pub mod measure;
pub mod procnet;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Network;

impl Plugin for Network {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx);
        judge::judge(config, measured, ctx)
    }

    const NAME: &'static str = "npd-network";
    const ABOUT: &'static str = "Checks the node's networking: the loopback and the named \
                                 interfaces up and running, a usable default route, IP \
                                 forwarding on.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "NetworkInterfaceDown",
 "reason": "NetworkInterfaceDown", "path": "/opt/npd-checks/bin/npd-network",
 "args": ["--check", "interfaces", "--interface", "eth0", "--fail-after", "2"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is judged:
  interfaces: lo always, and each --interface. A name (eth0) must be listed in
  <host-root>/proc/1/net/dev, else \"eth0 missing\" (the node lost it). A pattern
  (ens*, eth[0-9]) judges every interface it matches; matching none is fine unless
  --min-matches N asks for N or more, each pattern. Each interface judged must be
  up (IFF_UP in /sys/class/net/<if>/flags, else \"eth0 down\") and running: its
  operstate up, or unknown as for lo (else \"eth0 not running (lowerlayerdown)\",
  a cable or peer gone), which is how the kernel sets IFF_RUNNING.
  default-route: a route to 0.0.0.0/0 (<host-root>/proc/1/net/route, the main
  table) or ::/0 (proc/1/net/ipv6_route, every table, from any source) that is
  not unreachable, prohibit or blackhole, through a device that is up, running
  and not a loopback. Several defaults: one usable is enough. \"no IPv4 default
  route\" when there is none, \"no usable IPv4 default route: eth0 down\" when
  the devices of all of them are not usable.
  forwarding: /proc/sys/net/ipv4/ip_forward, and for IPv6
  /proc/sys/net/ipv6/conf/all/forwarding, must not be 0: pod traffic routed by the
  node needs them (\"net.ipv4.ip_forward is 0\").
Defaults:
  --check interfaces,default-route,forwarding; --family ipv4 (an IPv4-only node has
  no IPv6 route to judge: ask for ipv6 or both on dual-stack and IPv6 nodes); no
  --interface, so lo alone: interface names differ from node to node (eth0, ens5,
  enp0s3), and the device of the default route is judged by default-route.
  Add --fail-after 2: a link that flaps once should not raise a condition.
Namespaces (what the DaemonSet needs):
  The /proc/1/net tables are PID 1's network namespace (hostPID: the host's). sysfs
  shows the namespace that mounted it (the host's /sys, or the pod's with
  hostNetwork). The forwarding sysctls are the reader's namespace through any /proc,
  so the DaemonSet needs hostNetwork: true; forwarding answers Unknown when
  <host-root>/proc/1/net/dev and /proc/self/net/dev are procfs entries of two
  namespaces. No netlink is used: it would answer for the plugin's own namespace
  only. IPv4 policy routing tables are not seen (route lists the main table).
Unknown:
  A missing, unreadable or garbled table, sysfs file or sysctl (IPv6 disabled, a
  wrong --host-root, an interface of /proc/1/net/dev that sysfs does not have) is
  Unknown, never a problem; a problem seen elsewhere is still reported.";
}
