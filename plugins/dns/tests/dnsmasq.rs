//! Answers of a real DNS server.

use std::time::Duration;

use npd_test_support::run;

use crate::util::{Behaviour, Dnsmasq, UdpPeer, BIN};

#[test]
fn names_that_resolve_are_healthy_with_a_stable_message() {
    let Some(dns) = Dnsmasq::start("names_that_resolve_are_healthy_with_a_stable_message") else {
        return;
    };
    let r = dns.ask(&["--name", "ok.test"]);
    assert_eq!((r.code, r.line()), (0, "ok.test resolves"));
    let r = dns.ask(&["--name", "OK.test.", "--name", "x.wild.test"]);
    assert_eq!((r.code, r.line()), (0, "all 2 names resolve"));
    let r = dns.ask(&[
        "--name",
        "ok6.test",
        "--type",
        "AAAA",
        "--expect-address",
        "fd00::1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn nxdomain_refused_and_no_record_are_problems() {
    let Some(dns) = Dnsmasq::start("nxdomain_refused_and_no_record_are_problems") else {
        return;
    };
    let r = dns.ask(&["--name", "missing.test"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            format!("missing.test NXDOMAIN from {}", dns.addr).as_str()
        )
    );
    let r = dns.ask(&["--name", "outside.example"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            format!("outside.example REFUSED from {}", dns.addr).as_str()
        )
    );
    let r = dns.ask(&["--name", "ok.test", "--type", "AAAA"]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().starts_with("ok.test has no AAAA record"),
        "{}",
        r.line()
    );
    let r = dns.ask(&["--name", "ok.test", "--name", "missing.test"]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().starts_with("missing.test NXDOMAIN"),
        "{}",
        r.line()
    );
}

#[test]
fn an_unexpected_address_is_a_problem() {
    let Some(dns) = Dnsmasq::start("an_unexpected_address_is_a_problem") else {
        return;
    };
    let r = dns.ask(&["--name", "ok.test", "--expect-address", "10.1.2.3"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = dns.ask(&["--name", "ok.test", "--expect-address", "10.0.0.1"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "ok.test resolves to 10.1.2.3, not 10.0.0.1")
    );
}

#[test]
fn a_silent_first_server_hands_over_to_the_next() {
    let Some(dns) = Dnsmasq::start("a_silent_first_server_hands_over_to_the_next") else {
        return;
    };
    let silent = UdpPeer::start(Behaviour::Silent);
    let r = run(
        BIN,
        &[
            "--server",
            &silent.addr(),
            "--server",
            &dns.addr,
            "--name",
            "ok.test",
            "--timeout",
            "2s",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.took < Duration::from_millis(2400), "{:?}", r.took);
}
