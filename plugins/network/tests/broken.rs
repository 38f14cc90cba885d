//! Tables, sysfs files and sysctls that are missing, unreadable, empty, garbled or
//! never answer: Unknown (exit 2) naming the file, never a problem; except that a
//! problem seen elsewhere is still reported.

use crate::util::*;
use npd_test_support::Broken::{Directory, Empty, Garbage, Missing};
use npd_test_support::Says::{Line, Start};
use npd_test_support::{assert_broken, assert_read_times_out, run, FakeHost};

/// Every file the plugin reads, and the flags that make it read it.
const FILES: [(&str, &[&str]); 9] = [
    (DEV, &["--check", "interfaces"]),
    ("sys/class/net/lo/flags", &["--check", "interfaces"]),
    ("sys/class/net/lo/operstate", &["--check", "interfaces"]),
    ("sys/class/net/eth0/flags", &["--interface", "eth*"]),
    (
        "sys/class/net/eth0/operstate",
        &["--check", "default-route"],
    ),
    (ROUTE, &["--check", "default-route"]),
    (
        IPV6_ROUTE,
        &["--check", "default-route", "--family", "ipv6"],
    ),
    (IP_FORWARD, &["--check", "forwarding"]),
    (
        IPV6_FORWARDING,
        &["--check", "forwarding", "--family", "both"],
    ),
];

fn full(args: &[&'static str]) -> Vec<&'static str> {
    let mut all = vec!["--max-output", "400"];
    all.extend_from_slice(args);
    all
}

#[test]
fn missing_files_are_unknown_naming_the_file() {
    for (rel, args) in FILES {
        let host = FakeHost::healthy();
        let line = format!("cannot read {}: not found", host.path(rel).display());
        assert_broken(BIN, &host, rel, Missing, &full(args), Line(&line));
    }
}

#[test]
fn a_root_without_the_files_is_unknown() {
    let host = FakeHost::new();
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn directories_and_empty_files_are_unknown() {
    for (rel, args) in FILES {
        let host = FakeHost::healthy();
        let start = format!("cannot read {}: ", host.path(rel).display());
        assert_broken(BIN, &host, rel, Directory, &full(args), Start(&start));
    }
    // An empty route table is the kernel's answer for a namespace without routes
    // (judged in fixtures.rs); every other file has text.
    for (rel, args) in FILES
        .iter()
        .filter(|(rel, _)| *rel != ROUTE && *rel != IPV6_ROUTE)
    {
        let host = FakeHost::healthy();
        let start = host.path(rel).display().to_string();
        assert_broken(BIN, &host, rel, Empty, &full(args), Start(&start));
    }
}

#[test]
fn garbage_is_unknown() {
    let cases: [(&str, &str, &[&str]); 9] = [
        (DEV, "lo eth0\n", &["--check", "interfaces"]),
        ("sys/class/net/lo/flags", "up\n", &["--check", "interfaces"]),
        (
            "sys/class/net/lo/operstate",
            "UP\n",
            &["--check", "interfaces"],
        ),
        (ROUTE, "eth0 0 0\n", &["--check", "default-route"]),
        (
            ROUTE,
            "Iface\tDestination\neth0 default\n",
            &["--check", "default-route"],
        ),
        (
            IPV6_ROUTE,
            "default via fe80::1 dev eth0\n",
            &["--check", "default-route", "--family", "ipv6"],
        ),
        (IP_FORWARD, "yes\n", &["--check", "forwarding"]),
        (
            IPV6_FORWARDING,
            "on\n",
            &["--check", "forwarding", "--family", "ipv6"],
        ),
        (IP_FORWARD, "\u{fffd}\n", &["--check", "forwarding"]),
    ];
    for (rel, text, args) in cases {
        let host = FakeHost::healthy();
        let start = format!("{}: expected ", host.path(rel).display());
        let garbage = Garbage(text.as_bytes());
        assert_broken(BIN, &host, rel, garbage, &full(args), Start(&start));
    }
    let host = FakeHost::healthy();
    let start = format!("{}: garbage (not text)", host.path(ROUTE).display());
    let garbage = Garbage(b"\xff\xfe\x00\x01");
    assert_broken(
        BIN,
        &host,
        ROUTE,
        garbage,
        &full(&["--check", "default-route"]),
        Line(&start),
    );
}

#[test]
fn an_interface_listed_but_not_in_sysfs_is_unknown() {
    // PID 1's list has it, sysfs does not: sysfs of another network namespace.
    let host = FakeHost::healthy();
    host.listed(&["lo", "eth0", "eth1"]);
    let (code, line) = {
        let r = run(
            BIN,
            &[
                "--host-root",
                host.root(),
                "--interface",
                "eth1",
                "--max-output",
                "400",
            ],
        );
        (r.code, r.line().to_string())
    };
    let want = format!(
        "cannot read {}: not found",
        host.path("sys/class/net/eth1/flags").display()
    );
    assert_eq!((code, line), (2, want));
}

#[test]
fn a_problem_is_reported_even_when_another_file_cannot_be_read() {
    let host = FakeHost::healthy();
    host.state("eth0", "0x1002", "down").remove(IP_FORWARD);
    let r = run(BIN, &["--host-root", host.root(), "--interface", "eth0"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "eth0 down (+1 more)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("ip_forward: not found"), "{}", r.stderr);
    // Without a problem, the blind spot makes the answer Unknown.
    host.state("eth0", "0x1003", "up");
    assert_eq!(run(BIN, &["--host-root", host.root()]).code, 2);
}

#[test]
fn an_unreadable_route_device_is_unknown_unless_another_is_usable() {
    let host = FakeHost::healthy();
    host.routes(&[v4_default("eth0", "0003"), v4_default("eth9", "0003")]);
    let args = ["--host-root", host.root(), "--check", "default-route"];
    assert_eq!(run(BIN, &args).code, 0);
    host.state("eth0", "0x1002", "down");
    assert_eq!(run(BIN, &args).code, 2);
}

#[test]
fn a_read_that_never_returns_is_unknown_by_the_timeout() {
    for (rel, args) in [FILES[0], FILES[5], FILES[7]] {
        assert_read_times_out(BIN, &FakeHost::healthy(), rel, args);
    }
}
