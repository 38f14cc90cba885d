//! Servers that misbehave, and the host's resolv.conf.

use std::time::Duration;

use npd_test_support::{run, skip, FakeHost};

use crate::util::{Behaviour, UdpPeer, BIN};

const MARGIN: Duration = Duration::from_millis(400);

#[test]
fn a_server_that_never_answers_fails_by_the_timeout() {
    let silent = UdpPeer::start(Behaviour::Silent);
    let r = run(
        BIN,
        &[
            "--server",
            &silent.addr(),
            "--name",
            "ok.test",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            format!("ok.test no answer from {} in 1s", silent.addr()).as_str()
        )
    );
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
    assert!(r.took > Duration::from_millis(600), "{:?}", r.took);
}

#[test]
fn servfail_and_garbage_are_problems() {
    let peer = UdpPeer::start(Behaviour::ServFail);
    let r = run(BIN, &["--server", &peer.addr(), "--name", "ok.test"]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("ok.test SERVFAIL from {}", peer.addr()).as_str())
    );
    let peer = UdpPeer::start(Behaviour::Garbage);
    let r = run(BIN, &["--server", &peer.addr(), "--name", "ok.test"]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().contains("not a DNS response") || r.line().contains("garbled"),
        "{}",
        r.line()
    );
}

#[test]
fn a_closed_port_is_a_problem() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(
        BIN,
        &[
            "--server",
            &format!("127.0.0.1:{port}"),
            "--name",
            "ok.test",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn the_hosts_resolv_conf_names_the_servers() {
    // resolv.conf has no port: a peer on port 53 of an address of the loopback
    // network that nothing else uses.
    let peer = match UdpPeer::start_at(
        "127.83.41.7:53",
        Behaviour::Answer("10.5.5.5".parse().unwrap()),
    ) {
        Ok(p) => p,
        Err(e) => {
            skip(
                "the_hosts_resolv_conf_names_the_servers",
                &format!("cannot bind 127.83.41.7:53 ({e})"),
            );
            return;
        }
    };
    let host = FakeHost::new();
    host.write(
        "/etc/resolv.conf",
        "search cluster.local\nnameserver 127.83.41.7\noptions ndots:5\n",
    );
    let conf = host.path("/etc/resolv.conf");
    let root = host.root();
    let r = run(
        BIN,
        &[
            "--host-root",
            root,
            "--name",
            "kubernetes.default",
            "--expect-address",
            "10.5.5.5",
        ],
    );
    assert_eq!((r.code, r.line()), (0, "kubernetes.default resolves"));
    // --resolv-conf names a file as given, not under the host root.
    let r = run(
        BIN,
        &[
            "--resolv-conf",
            conf.to_str().unwrap(),
            "--name",
            "kubernetes.default",
        ],
    );
    assert_eq!((r.code, r.line()), (0, "kubernetes.default resolves"));
    drop(peer);
    // No usable nameserver, or no file: the check cannot ask anyone.
    host.write("/etc/resolv.conf", "search cluster.local\n");
    let r = run(BIN, &["--host-root", root, "--name", "x.test"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    host.remove("/etc/resolv.conf");
    let r = run(BIN, &["--host-root", root, "--name", "x.test"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = run(
        BIN,
        &[
            "--resolv-conf",
            "/nonexistent/resolv.conf",
            "--name",
            "x.test",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
}
