//! `namespaces` on fixture host roots: each qdhcp- network needs its dnsmasq, each HA
//! router's qrouter- namespace its keepalived, named by id in their command lines as
//! neutron starts them. No cloud is asked.

use npd_test_support::{FakeHost, ProcessHost};

use crate::util::run;

const NET_A: &str = "0c5a9e3e-6f0b-4f5e-9a5e-2f5d1e7c8b9a";
const NET_B: &str = "7d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
const ROUTER: &str = "3e9b8c7d-1a2b-4c3d-8e4f-5a6b7c8d9e0f";
const LEGACY: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const HA: &str = "/var/lib/neutron/ha_confs/{id}/keepalived.conf";

fn dnsmasq_argv(net: &str) -> Vec<String> {
    vec![
        "dnsmasq".into(),
        "--no-hosts".into(),
        format!("--pid-file=/var/lib/neutron/dhcp/{net}/pid"),
        format!("--dhcp-hostsfile=/var/lib/neutron/dhcp/{net}/host"),
    ]
}

/// A network node with two networks and two routers, one of them HA; `dnsmasq` and
/// `keepalived` say which daemons run.
fn node(dnsmasq: &[&str], keepalived: bool) -> FakeHost {
    let host = FakeHost::with_proc();
    host.dir("run/netns");
    for ns in [
        format!("qdhcp-{NET_A}"),
        format!("qdhcp-{NET_B}"),
        format!("qrouter-{ROUTER}"),
        format!("qrouter-{LEGACY}"),
    ] {
        host.write(&format!("run/netns/{ns}"), b"");
    }
    host.write(
        &format!("var/lib/neutron/ha_confs/{ROUTER}/keepalived.conf"),
        b"vrrp_instance VR_1 {}\n",
    );
    for (i, net) in dnsmasq.iter().enumerate() {
        let argv = dnsmasq_argv(net);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        host.process(700 + i as u32, "dnsmasq", &argv);
    }
    if keepalived {
        let conf = format!("/var/lib/neutron/ha_confs/{ROUTER}/keepalived.conf");
        host.process(800, "keepalived", &["keepalived", "-P", "-f", &conf]);
    }
    // The agents themselves name every id in no command line of a daemon.
    host.process(
        900,
        "neutron-dhcp-ag",
        &[
            "python3",
            "/usr/bin/neutron-dhcp-agent",
            "--config-file",
            "x",
        ],
    );
    host
}

fn ask(host: &FakeHost, args: &[&str]) -> (i32, String) {
    let st = tempfile::tempdir().unwrap();
    let mut all = vec!["namespaces", "--host-root", host.root()];
    all.extend(args);
    let out = run(st.path(), &all, &[]);
    (out.code, out.line().to_string())
}

const DHCP: &[&str] = &["--prefix", "qdhcp-", "--process", "dnsmasq"];

#[test]
fn every_network_served_is_ok() {
    let host = node(&[NET_A, NET_B], true);
    assert_eq!(
        ask(&host, DHCP),
        (0, "every qdhcp- namespace has its dnsmasq".into())
    );
}

#[test]
fn a_network_without_its_dnsmasq_is_named() {
    let host = node(&[NET_A], true);
    assert_eq!(
        ask(&host, DHCP),
        (1, format!("no dnsmasq in qdhcp-{NET_B} (1 of 2)"))
    );
}

#[test]
fn only_ha_routers_need_keepalived() {
    let args = [
        "--prefix",
        "qrouter-",
        "--process",
        "keepalived",
        "--if-exists",
        HA,
    ];
    assert_eq!(
        ask(&node(&[], true), &args),
        (0, "every qrouter- namespace has its keepalived".into())
    );
    assert_eq!(
        ask(&node(&[], false), &args),
        (1, format!("no keepalived in qrouter-{ROUTER} (1 of 1)"))
    );
}

#[test]
fn a_node_with_no_namespaces_has_nothing_to_serve() {
    let host = FakeHost::with_proc();
    host.dir("run");
    assert_eq!(ask(&host, DHCP), (0, "no qdhcp- namespace to serve".into()));
}

#[test]
fn a_host_root_without_run_or_proc_is_unknown() {
    let empty = FakeHost::new();
    assert_eq!(ask(&empty, DHCP).0, 2);
    let no_proc = FakeHost::new();
    no_proc.write(&format!("run/netns/qdhcp-{NET_A}"), b"");
    let (code, line) = ask(&no_proc, DHCP);
    assert_eq!(code, 2, "{line}");
}

#[test]
fn flags_that_could_never_match_are_refused() {
    let host = node(&[], false);
    for bad in [
        &["--prefix", "", "--process", "dnsmasq"][..],
        &["--prefix", "qdhcp-", "--process", "/usr/sbin/dnsmasq"],
        &[
            "--prefix",
            "qrouter-",
            "--process",
            "keepalived",
            "--if-exists",
            "ha/{id}",
        ],
        &[
            "--prefix",
            "qrouter-",
            "--process",
            "keepalived",
            "--if-exists",
            "/ha",
        ],
    ] {
        let (code, line) = ask(&host, bad);
        assert_eq!(code, 2, "{bad:?}: {line}");
        assert!(line.starts_with("bad flags"), "{bad:?}: {line}");
    }
}
