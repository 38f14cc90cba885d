//! The plugin on real network namespaces the test makes (as root, with iproute2's
//! `ip` and util-linux's `unshare`): a veth pair whose ends are set down, default
//! routes removed, forwarding switched off, judged with `--host-root /`.
//!
//! How the plugin sees the test's namespace, and only it: `ip netns exec NS` runs
//! in the namespace with a sysfs mounted for it (in a mount namespace of its own),
//! then `unshare --pid --fork --mount-proc` starts the plugin as PID 1 of a new PID
//! namespace with a procfs of its own on /proc. So `/proc/1/net/*` are the tables of
//! the test's namespace (PID 1 is the plugin), `/sys/class/net` lists its devices,
//! and `/proc/sys/net` is its sysctls: every file the plugin reads under `/` is the
//! namespace's, exactly as on a node the host's are under the DaemonSet's host
//! root. Run without the new PID namespace, `/proc/1` is this machine's PID 1, whose
//! tables belong to another namespace: the forwarding guard's case.
//!
//! The namespace holds a veth pair and nothing else: no packet leaves it. It is
//! deleted when the test ends, passed or failed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::util::BIN;
use npd_test_support::{is_root, skip, Invocation, Run};

const IP: &str = "/usr/sbin/ip";
const UNSHARE: &str = "/usr/bin/unshare";

/// A network namespace of the test's, deleted on drop.
struct Netns {
    name: String,
}

impl Netns {
    /// A namespace with lo up, a veth pair veth0 (192.0.2.1/24, 2001:db8::1/64) and
    /// veth1 (192.0.2.2/24) both up, default routes through veth0 for IPv4 and IPv6
    /// and forwarding on: a healthy node. `None` after [`skip`] where this machine
    /// cannot make one.
    fn healthy(test: &str) -> Option<Netns> {
        if !is_root() || !Path::new(IP).exists() || !Path::new(UNSHARE).exists() {
            skip(
                test,
                "needs root, /usr/sbin/ip (iproute2), /usr/bin/unshare",
            );
            return None;
        }
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "npd-network-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        if !quiet(Command::new(IP).args(["netns", "add", &name])) {
            skip(test, "ip netns add failed");
            return None;
        }
        let ns = Netns { name };
        ns.ip("link set lo up");
        ns.ip("link add veth0 type veth peer name veth1");
        ns.ip("addr add 192.0.2.1/24 dev veth0");
        ns.ip("addr add 192.0.2.2/24 dev veth1");
        ns.ip("-6 addr add 2001:db8::1/64 dev veth0 nodad");
        ns.ip("link set veth0 up");
        ns.ip("link set veth1 up");
        ns.ip("route add default via 192.0.2.2 dev veth0");
        ns.ip("-6 route add default via 2001:db8::2 dev veth0");
        ns.sysctl("net/ipv4/ip_forward", "1");
        ns.sysctl("net/ipv6/conf/all/forwarding", "1");
        Some(ns)
    }

    /// `ip -n <ns> <args>`, which must succeed.
    fn ip(&self, args: &str) {
        let mut cmd = Command::new(IP);
        cmd.args(["-n", &self.name]).args(args.split(' '));
        assert!(quiet(&mut cmd), "ip -n {} {args} failed", self.name);
    }

    /// Writes `/proc/sys/<key>` inside the namespace (sysctls are the writer's).
    fn sysctl(&self, key: &str, value: &str) {
        let script = format!("echo {value} > /proc/sys/{key}");
        let mut cmd = Command::new(IP);
        cmd.args(["netns", "exec", &self.name, "sh", "-c", &script]);
        assert!(quiet(&mut cmd), "{key} = {value} in {}", self.name);
    }

    /// The plugin as PID 1 of a new PID namespace inside this network namespace.
    fn judge(&self, args: &[&str]) -> Run {
        let mut all = vec![
            "netns",
            "exec",
            &self.name,
            UNSHARE,
            "--pid",
            "--fork",
            "--mount-proc",
            BIN,
            "--host-root",
            "/",
            "--max-output",
            "400",
        ];
        all.extend_from_slice(args);
        Invocation::new(IP, &all).go()
    }

    /// The plugin in this network namespace, but in this process's PID namespace.
    fn judge_beside_pid_1(&self, args: &[&str]) -> Run {
        let mut all = vec!["netns", "exec", &self.name, BIN, "--host-root", "/"];
        all.extend_from_slice(args);
        Invocation::new(IP, &all).go()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let gone = quiet(Command::new(IP).args(["netns", "del", &self.name]));
        if !gone && !std::thread::panicking() {
            panic!("ip netns del {} failed", self.name);
        }
    }
}

fn quiet(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success())
}

fn answer(r: &Run) -> (i32, &str) {
    (r.code, r.line())
}

#[test]
fn a_healthy_namespace_is_ok() {
    let Some(ns) = Netns::healthy("a_healthy_namespace_is_ok") else {
        return;
    };
    let r = ns.judge(&["--interface", "veth0", "--interface", "veth*", "--explain"]);
    assert_eq!(
        answer(&r),
        (
            0,
            "interfaces up, IPv4 default route present, IPv4 forwarding on"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("/proc/1/net/dev: lo veth1 veth0")
            || r.stderr.contains("/proc/1/net/dev: lo veth0 veth1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("in the network namespace of PID 1"),
        "{}",
        r.stderr
    );
    let r = ns.judge(&["--check", "default-route,forwarding", "--family", "both"]);
    assert_eq!(
        answer(&r),
        (
            0,
            "IPv4 and IPv6 default routes present, IPv4 and IPv6 forwarding on"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_interface_set_down_loses_its_default_route() {
    let Some(ns) = Netns::healthy("an_interface_set_down_loses_its_default_route") else {
        return;
    };
    ns.ip("link set veth0 down");
    let r = ns.judge(&["--check", "interfaces", "--interface", "veth0"]);
    assert_eq!(answer(&r), (1, "veth0 down"), "{}", r.stderr);
    // The kernel removes the routes of a device set down.
    let r = ns.judge(&["--check", "default-route"]);
    assert_eq!(answer(&r), (1, "no IPv4 default route"), "{}", r.stderr);
}

#[test]
fn a_peer_set_down_leaves_a_route_that_goes_nowhere() {
    let Some(ns) = Netns::healthy("a_peer_set_down_leaves_a_route_that_goes_nowhere") else {
        return;
    };
    ns.ip("link set veth1 down");
    let r = ns.judge(&[
        "--interface",
        "veth0",
        "--check",
        "interfaces,default-route",
    ]);
    assert_eq!(
        answer(&r),
        (1, "veth0 not running (lowerlayerdown) (+1 more)"),
        "{}",
        r.stderr
    );
    let r = ns.judge(&["--check", "default-route"]);
    assert_eq!(
        answer(&r),
        (
            1,
            "no usable IPv4 default route: veth0 not running (lowerlayerdown)"
        ),
        "{}",
        r.stderr
    );
    // A pattern judges both ends.
    let r = ns.judge(&["--check", "interfaces", "--interface", "veth?"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with("(+1 more)"), "{}", r.stdout);
}

#[test]
fn removed_default_routes_are_missing() {
    let Some(ns) = Netns::healthy("removed_default_routes_are_missing") else {
        return;
    };
    ns.ip("route del default");
    let r = ns.judge(&["--check", "default-route", "--family", "both"]);
    assert_eq!(answer(&r), (1, "no IPv4 default route"), "{}", r.stderr);
    ns.ip("-6 route del default");
    let r = ns.judge(&["--check", "default-route", "--family", "ipv6"]);
    assert_eq!(answer(&r), (1, "no IPv6 default route"), "{}", r.stderr);
    // A default that drops everything is none.
    ns.ip("route add blackhole default");
    let r = ns.judge(&["--check", "default-route"]);
    assert_eq!(answer(&r), (1, "no IPv4 default route"), "{}", r.stderr);
}

#[test]
fn forwarding_off_and_the_loopback_down_are_problems() {
    let Some(ns) = Netns::healthy("forwarding_off_and_the_loopback_down_are_problems") else {
        return;
    };
    ns.sysctl("net/ipv4/ip_forward", "0");
    let r = ns.judge(&["--check", "forwarding"]);
    assert_eq!(answer(&r), (1, "net.ipv4.ip_forward is 0"), "{}", r.stderr);
    ns.sysctl("net/ipv4/ip_forward", "1");
    ns.sysctl("net/ipv6/conf/all/forwarding", "0");
    let r = ns.judge(&["--check", "forwarding", "--family", "both"]);
    assert_eq!(
        answer(&r),
        (1, "net.ipv6.conf.all.forwarding is 0"),
        "{}",
        r.stderr
    );
    ns.ip("link set lo down");
    let r = ns.judge(&["--check", "interfaces"]);
    assert_eq!(answer(&r), (1, "lo down"), "{}", r.stderr);
}

#[test]
fn forwarding_of_another_namespace_than_pid_1s_is_unknown() {
    let Some(ns) = Netns::healthy("forwarding_of_another_namespace_than_pid_1s_is_unknown") else {
        return;
    };
    // /proc/1 is this machine's PID 1, /proc/sys/net the test namespace's.
    let r = ns.judge_beside_pid_1(&["--check", "forwarding"]);
    assert_eq!(
        answer(&r),
        (
            2,
            "forwarding: not in the host network namespace (hostNetwork needed)"
        ),
        "{}",
        r.stderr
    );
}
