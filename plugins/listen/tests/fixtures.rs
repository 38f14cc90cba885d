//! Judgements on socket tables the test writes itself: ports bound or not, addresses
//! and wildcards, IPv6, UDP, sockets that do not count, debounce.

use crate::util::{ListenHost, BIN, ESTABLISHED, TCP6, UDP6};
use npd_test_support::{assert_says, run, run_in, FakeHost};

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, args)
}

fn openstack_controller() -> FakeHost {
    let host = FakeHost::quiet();
    host.listen("0.0.0.0:22")
        .listen("10.0.0.5:5000")
        .listen("10.0.0.5:35357")
        .listen("[::]:8774")
        .bind_udp("0.0.0.0:67")
        .bind_udp("127.0.0.1:323");
    host
}

#[test]
fn every_port_bound_is_ok_with_a_stable_message() {
    let host = openstack_controller();
    assert_eq!(
        answer(
            &host,
            &["--tcp", "5000", "--tcp", "35357", "--tcp", "8774", "--udp", "67"]
        ),
        (0, "required TCP ports listening, UDP ports bound".into())
    );
    assert_eq!(
        answer(&host, &["--tcp", "5000"]),
        (0, "required TCP ports listening".into())
    );
    assert_eq!(
        answer(&host, &["--udp", "67"]),
        (0, "required UDP ports bound".into())
    );
}

#[test]
fn a_port_without_a_listener_is_a_problem_naming_it() {
    let host = openstack_controller();
    assert_eq!(
        answer(&host, &["--tcp", "5000", "--tcp", "9292"]),
        (1, "no TCP listener on port 9292".into())
    );
    assert_eq!(
        answer(
            &host,
            &["--tcp", "9292", "--tcp", "8776", "--udp", "68", "--udp", "67"]
        ),
        (
            1,
            "no TCP listener on ports 9292, 8776; no UDP socket on port 68".into()
        )
    );
}

#[test]
fn a_socket_on_the_port_in_another_state_does_not_count() {
    let host = FakeHost::quiet();
    // A client connected *from* local port 5000, and one connected *to* 9696.
    host.socket("tcp", "10.0.0.5:5000", ESTABLISHED, "10.0.0.9:41000")
        .socket("tcp", "10.0.0.5:41001", ESTABLISHED, "10.0.0.6:9696")
        .socket("tcp", "[::1]:5000", ESTABLISHED, "[::1]:41002");
    assert_eq!(
        answer(&host, &["--tcp", "5000", "--tcp", "9696"]),
        (1, "no TCP listener on ports 5000, 9696".into())
    );
    // A UDP socket connected to a peer is a client's, not a server's.
    host.socket("udp", "10.0.0.5:67", ESTABLISHED, "10.0.0.9:68");
    assert_eq!(
        answer(&host, &["--udp", "67"]),
        (1, "no UDP socket on port 67".into())
    );
    // UDP and TCP tables are not mixed up.
    host.listen("0.0.0.0:53");
    assert_eq!(answer(&host, &["--udp", "53"]).0, 1);
    host.bind_udp("0.0.0.0:8774");
    assert_eq!(answer(&host, &["--tcp", "8774"]).0, 1);
}

#[test]
fn addresses_and_wildcards() {
    let host = FakeHost::quiet();
    host.listen("127.0.0.1:10248")
        .listen("0.0.0.0:10250")
        .listen("[::]:10256")
        .listen("[::1]:2379")
        .listen("[::ffff:10.0.0.5]:9292");
    for (want, code) in [
        ("127.0.0.1:10248", 0),
        ("10.0.0.5:10248", 1),
        ("10.0.0.5:10250", 0),
        ("[::1]:10250", 1),
        // A socket on :: takes IPv4 too (no IPV6_V6ONLY is visible in the table).
        ("127.0.0.1:10256", 0),
        ("[fd00::5]:10256", 0),
        ("[::1]:2379", 0),
        ("127.0.0.1:2379", 1),
        // An IPv4-mapped address is the IPv4 address.
        ("10.0.0.5:9292", 0),
        ("9292", 0),
    ] {
        assert_eq!(answer(&host, &["--tcp", want]).0, code, "{want}");
    }
    assert_eq!(
        answer(&host, &["--tcp", "10.0.0.5:10248"]).1,
        "no TCP listener on 10.0.0.5:10248"
    );
}

#[test]
fn ipv6_only_sockets_count() {
    let host = FakeHost::quiet();
    host.listen("[::]:8776").bind_udp("[::]:547");
    assert_eq!(
        answer(&host, &["--tcp", "8776", "--udp", "547"]),
        (0, "required TCP ports listening, UDP ports bound".into())
    );
}

#[test]
fn a_host_without_ipv6_tables_is_judged_on_ipv4() {
    // IPv6 switched off at boot (ipv6.disable=1): no tcp6 or udp6 at all.
    let host = FakeHost::quiet();
    host.remove(TCP6).remove(UDP6).listen("0.0.0.0:5000");
    assert_eq!(answer(&host, &["--tcp", "5000"]).0, 0);
    assert_eq!(
        answer(&host, &["--tcp", "5000", "--udp", "67"]),
        (1, "no UDP socket on port 67".into())
    );
}

#[test]
fn explain_says_which_socket_met_each_port() {
    let host = openstack_controller();
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--tcp",
            "5000",
            "--udp",
            "67",
            "--explain",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_says(
        &r.stderr,
        &[
            "TCP port 5000: met by 10.0.0.5:5000 in",
            "UDP port 67: met by 0.0.0.0:67 in",
        ],
    );
    // Every TCP port was found in tcp: tcp6 was not read.
    assert_says(&r.stderr, &["not read, every TCP requirement met"]);
}

#[test]
fn fail_after_needs_consecutive_bad_samples() {
    let host = FakeHost::quiet();
    let state = tempfile::tempdir().unwrap();
    let args = [
        "--host-root",
        host.root(),
        "--tcp",
        "5000",
        "--fail-after",
        "2",
    ];
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
    let second = run_in(BIN, state.path(), &args);
    assert_eq!(
        (second.code, second.line()),
        (1, "no TCP listener on port 5000")
    );
    host.listen("0.0.0.0:5000");
    assert_eq!(run_in(BIN, state.path(), &args).code, 0);
}
