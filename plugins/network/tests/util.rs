//! The fake hosts npd-network judges: PID 1's network tables, sysfs and the
//! forwarding sysctls, as the kernel writes them.

use npd_test_support::FakeHost;

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-network");

pub const DEV: &str = "proc/1/net/dev";
pub const ROUTE: &str = "proc/1/net/route";
pub const IPV6_ROUTE: &str = "proc/1/net/ipv6_route";
pub const IP_FORWARD: &str = "proc/sys/net/ipv4/ip_forward";
pub const IPV6_FORWARDING: &str = "proc/sys/net/ipv6/conf/all/forwarding";

const DEV_HEADER: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
";
pub const ROUTE_HEADER: &str =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

/// An IPv4 route line: the main table's default through `dev` (flags in hex).
pub fn v4_default(dev: &str, flags: &str) -> String {
    format!("{dev}\t00000000\t010200C0\t{flags}\t0\t0\t0\t00000000\t0\t0\t0\n")
}

/// The prefix route of 192.0.2.0/24 on `dev`: not a default.
pub fn v4_subnet(dev: &str) -> String {
    format!("{dev}\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n")
}

const ZERO: &str = "00000000000000000000000000000000";

/// An IPv6 route line to ::/0 through `dev` with `flags` (hex, 8 digits).
pub fn v6_default(dev: &str, flags: &str) -> String {
    format!("{ZERO} 00 {ZERO} 00 fe800000000000000000000000000001 00000400 00000001 00000000 {flags} {dev:>8}\n")
}

/// The kernel's null entry, listed in every namespace: a reject route on lo.
pub fn v6_null() -> String {
    format!("{ZERO} 00 {ZERO} 00 {ZERO} ffffffff 00000001 00000000 00200200       lo\n")
}

/// The fd00::/64 prefix route on `dev`: not a default.
pub fn v6_subnet(dev: &str) -> String {
    format!("fd000000000000000000000000000000 40 {ZERO} 00 {ZERO} 00000100 00000001 00000000 00000001 {dev:>8}\n")
}

pub trait NetHost {
    /// lo and eth0 up and running, IPv4 and IPv6 default routes through eth0,
    /// forwarding on for both.
    fn healthy() -> FakeHost;
    /// Adds an interface to PID 1's list and to sysfs.
    fn link(&self, name: &str, flags: &str, operstate: &str) -> &FakeHost;
    /// Changes what sysfs says of an interface.
    fn state(&self, name: &str, flags: &str, operstate: &str) -> &FakeHost;
    /// Rewrites PID 1's list: `names` and nothing else (sysfs untouched).
    fn listed(&self, names: &[&str]) -> &FakeHost;
    fn routes(&self, lines: &[String]) -> &FakeHost;
    fn routes6(&self, lines: &[String]) -> &FakeHost;
}

fn counters(name: &str) -> String {
    format!("{name:>6}: 2656377711 1138797    0    0    0     0          0         0 2656377711 1138797    0    0    0     0       0          0\n")
}

impl NetHost for FakeHost {
    fn healthy() -> FakeHost {
        let host = FakeHost::new();
        host.write(DEV, DEV_HEADER)
            .link("lo", "0x9", "unknown")
            .link("eth0", "0x1003", "up")
            .routes(&[v4_default("eth0", "0003"), v4_subnet("eth0")])
            .routes6(&[v6_subnet("eth0"), v6_default("eth0", "00000003"), v6_null()])
            .write(IP_FORWARD, "1\n")
            .write(IPV6_FORWARDING, "1\n");
        host
    }

    fn link(&self, name: &str, flags: &str, operstate: &str) -> &FakeHost {
        self.append(DEV, counters(name))
            .state(name, flags, operstate)
    }

    fn state(&self, name: &str, flags: &str, operstate: &str) -> &FakeHost {
        self.write(&format!("sys/class/net/{name}/flags"), format!("{flags}\n"))
            .write(
                &format!("sys/class/net/{name}/operstate"),
                format!("{operstate}\n"),
            )
    }

    fn listed(&self, names: &[&str]) -> &FakeHost {
        let lines: String = names.iter().map(|n| counters(n)).collect();
        self.write(DEV, format!("{DEV_HEADER}{lines}"))
    }

    fn routes(&self, lines: &[String]) -> &FakeHost {
        self.write(ROUTE, format!("{ROUTE_HEADER}{}", lines.concat()))
    }

    fn routes6(&self, lines: &[String]) -> &FakeHost {
        self.write(IPV6_ROUTE, lines.concat())
    }
}
