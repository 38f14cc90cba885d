//! Judgements on network tables, sysfs and sysctls the test writes itself: each
//! aspect healthy and bad, patterns and --min-matches, several problems, debounce.

use crate::util::*;
use npd_test_support::{run, run_in, FakeHost};

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, &[&["--max-output", "400"], args].concat())
}

#[test]
fn a_healthy_host_is_ok_with_a_stable_message() {
    let host = FakeHost::healthy();
    assert_eq!(
        answer(&host, &[]),
        (
            0,
            "interfaces up, IPv4 default route present, IPv4 forwarding on".into()
        )
    );
    host.link("eth1", "0x1003", "up");
    let all = [
        "--family",
        "both",
        "--interface",
        "eth0",
        "--interface",
        "eth*",
        "--min-matches",
        "2",
    ];
    let ok = "interfaces up, IPv4 and IPv6 default routes present, IPv4 and IPv6 forwarding on";
    assert_eq!(ok.len(), 80);
    assert_eq!(answer(&host, &all), (0, ok.into()));
    assert_eq!(
        answer(&host, &["--check", "forwarding", "--family", "ipv6"]),
        (0, "IPv6 forwarding on".into())
    );
}

#[test]
fn a_named_interface_must_exist() {
    let host = FakeHost::healthy();
    assert_eq!(
        answer(&host, &["--interface", "eth1"]),
        (1, "eth1 missing".into())
    );
}

#[test]
fn an_interface_down_or_not_running_is_named() {
    let host = FakeHost::healthy();
    host.state("eth0", "0x1002", "down");
    let args = ["--check", "interfaces", "--interface", "eth0"];
    assert_eq!(answer(&host, &args), (1, "eth0 down".into()));
    host.state("eth0", "0x1003", "lowerlayerdown");
    assert_eq!(
        answer(&host, &args),
        (1, "eth0 not running (lowerlayerdown)".into())
    );
    host.state("eth0", "0x1003", "dormant");
    assert_eq!(answer(&host, &args).0, 1);
    // Not asked for: lo alone is judged.
    assert_eq!(answer(&host, &["--check", "interfaces"]).0, 0);
}

#[test]
fn the_loopback_is_always_judged() {
    let host = FakeHost::healthy();
    host.state("lo", "0x8", "unknown");
    assert_eq!(
        answer(&host, &["--check", "interfaces"]),
        (1, "lo down".into())
    );
    host.listed(&["eth0"]);
    assert_eq!(
        answer(&host, &["--check", "interfaces"]),
        (1, "lo missing".into())
    );
}

#[test]
fn a_pattern_judges_its_matches_and_may_match_none() {
    let host = FakeHost::healthy();
    host.link("ens5", "0x1003", "up")
        .link("ens6", "0x1002", "down");
    assert_eq!(
        answer(&host, &["--interface", "ens*"]),
        (1, "ens6 down".into())
    );
    assert_eq!(answer(&host, &["--interface", "ens[0-5]"]).0, 0);
    // Matching nothing is fine, unless a count is asked for.
    assert_eq!(answer(&host, &["--interface", "bond*"]).0, 0);
    assert_eq!(
        answer(&host, &["--interface", "bond*", "--min-matches", "1"]),
        (1, "bond* matches 0 interfaces < 1".into())
    );
    assert_eq!(
        answer(&host, &["--interface", "ens[0-5]", "--min-matches", "2"]),
        (1, "ens[0-5] matches 1 interfaces < 2".into())
    );
}

#[test]
fn no_default_route_is_a_problem() {
    let host = FakeHost::healthy();
    host.routes(&[v4_subnet("eth0")]);
    assert_eq!(
        answer(&host, &["--check", "default-route"]),
        (1, "no IPv4 default route".into())
    );
    // A namespace that never had a route: the kernel writes no header either.
    host.write(ROUTE, "");
    assert_eq!(answer(&host, &["--check", "default-route"]).0, 1);
    host.routes6(&[v6_subnet("eth0"), v6_null()]);
    assert_eq!(
        answer(&host, &["--check", "default-route", "--family", "ipv6"]),
        (1, "no IPv6 default route".into())
    );
}

#[test]
fn reject_and_blackhole_defaults_do_not_count() {
    let host = FakeHost::healthy();
    let blackhole = "*\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n".to_string();
    host.routes(&[v4_default("eth0", "0201"), blackhole]);
    assert_eq!(
        answer(&host, &["--check", "default-route"]),
        (1, "no IPv4 default route".into())
    );
    host.routes6(&[v6_default("lo", "00200200")]);
    assert_eq!(
        answer(&host, &["--check", "default-route", "--family", "ipv6"]),
        (1, "no IPv6 default route".into())
    );
}

#[test]
fn a_default_route_through_an_unusable_device_is_a_problem() {
    let host = FakeHost::healthy();
    host.state("eth0", "0x1003", "lowerlayerdown");
    let args = ["--check", "default-route", "--family", "both"];
    assert_eq!(
        answer(&host, &args),
        (
            1,
            "no usable IPv4 default route: eth0 not running (lowerlayerdown) (+1 more)".into()
        )
    );
    // One usable default of several is enough.
    host.link("eth1", "0x1003", "up")
        .routes(&[v4_default("eth0", "0003"), v4_default("eth1", "0003")]);
    assert_eq!(answer(&host, &["--check", "default-route"]).0, 0);
    host.routes(&[v4_default("lo", "0001")]);
    assert_eq!(
        answer(&host, &["--check", "default-route"]),
        (1, "no usable IPv4 default route: lo is a loopback".into())
    );
}

#[test]
fn forwarding_off_names_the_sysctl() {
    let host = FakeHost::healthy();
    host.write(IP_FORWARD, "0\n");
    assert_eq!(
        answer(&host, &["--check", "forwarding"]),
        (1, "net.ipv4.ip_forward is 0".into())
    );
    host.write(IP_FORWARD, "1\n").write(IPV6_FORWARDING, "0\n");
    assert_eq!(answer(&host, &["--check", "forwarding"]).0, 0);
    assert_eq!(
        answer(&host, &["--check", "forwarding", "--family", "both"]),
        (1, "net.ipv6.conf.all.forwarding is 0".into())
    );
}

#[test]
fn several_problems_name_the_first_and_count_the_rest() {
    let host = FakeHost::healthy();
    host.state("eth0", "0x1002", "down")
        .write(IP_FORWARD, "0\n");
    assert_eq!(
        answer(&host, &["--interface", "eth0"]),
        (1, "eth0 down (+2 more)".into())
    );
    let r = run(BIN, &["--host-root", host.root(), "--interface", "eth0"]);
    assert_eq!(r.line().len(), 19);
}

#[test]
fn explain_prints_what_was_read() {
    let host = FakeHost::healthy();
    let r = run(
        BIN,
        &["--host-root", host.root(), "--family", "both", "--explain"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    npd_test_support::assert_says(
        &r.stderr,
        &[
            "proc/1/net/dev: lo eth0",
            "sys/class/net/lo: flags 0x9, operstate unknown",
            "IPv4 default routes: via eth0",
            "IPv6 default routes: via eth0",
            "proc/sys/net/ipv4/ip_forward: 1",
        ],
    );
    let fixture = format!(
        "network namespaces not compared ({}/proc/1/net/dev is not on procfs)",
        host.root()
    );
    assert!(
        r.stderr.contains(&fixture),
        "{fixture:?} not in:\n{}",
        r.stderr
    );
}

#[test]
fn fail_after_needs_consecutive_bad_samples() {
    let host = FakeHost::healthy();
    host.state("eth0", "0x1002", "down");
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--interface",
        "eth0",
        "--check",
        "interfaces",
        "--fail-after",
        "2",
    ];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    let second = run_in(BIN, state.path(), &args);
    assert_eq!((second.code, second.line()), (1, "eth0 down"));
}
