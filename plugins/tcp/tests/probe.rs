//! Judgements: connects, banners, latency, deadlines.

use std::io::{Read, Write};
use std::time::Duration;

use npd_test_support::{closed_port, run};

use crate::util::{Peer, BIN};

#[test]
fn an_accepting_endpoint_is_healthy_with_a_stable_message() {
    let peer = Peer::silent();
    let r = run(BIN, &["--connect", &peer.addr()]);
    assert_eq!(
        (r.code, r.line()),
        (0, format!("{} accepts connections", peer.addr()).as_str())
    );
    let r = run(BIN, &["--connect", &format!("localhost:{}", peer.port)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_refused_endpoint_is_a_problem_and_all_must_connect() {
    let peer = Peer::silent();
    let held = closed_port();
    let closed = format!("127.0.0.1:{}", held.port());
    let r = run(BIN, &["--connect", &closed]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{closed} connection refused").as_str())
    );
    let r = run(BIN, &["--connect", &peer.addr(), "--connect", &closed]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{closed} connection refused").as_str())
    );
    let other = Peer::silent();
    let r = run(
        BIN,
        &["--connect", &peer.addr(), "--connect", &other.addr()],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "all 2 endpoints accept connections")
    );
}

#[test]
fn a_banner_must_contain_the_expected_text() {
    let peer = Peer::banner(b"SSH-2.0-OpenSSH_9.2\r\n", Duration::ZERO);
    let r = run(BIN, &["--connect", &peer.addr(), "--expect", "SSH-2.0"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(BIN, &["--connect", &peer.addr(), "--expect", "+PONG"]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().ends_with("closed without sending \"+PONG\""),
        "{}",
        r.line()
    );
}

#[test]
fn send_then_expect_an_answer() {
    let peer = Peer::start(|mut sock, _| {
        let mut buf = [0u8; 64];
        let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
        let n = sock.read(&mut buf).unwrap_or(0);
        let reply: &[u8] = if &buf[..n] == b"PING\r\n" {
            b"+PONG\r\n"
        } else {
            b"-ERR\r\n"
        };
        let _ = sock.write_all(reply);
        std::thread::sleep(Duration::from_millis(20));
    });
    let r = run(
        BIN,
        &[
            "--connect",
            &peer.addr(),
            "--send",
            "PING\\r\\n",
            "--expect",
            "+PONG",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(
        BIN,
        &[
            "--connect",
            &peer.addr(),
            "--send",
            "PING",
            "--expect",
            "+PONG",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn a_silent_peer_fails_by_the_timeout() {
    let peer = Peer::silent();
    let r = run(
        BIN,
        &[
            "--connect",
            &peer.addr(),
            "--expect",
            "hello",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.line()
            .starts_with(&format!("{} no answer in 1s", peer.addr())),
        "{}",
        r.line()
    );
    assert!(r.took < Duration::from_millis(1400), "{:?}", r.took);
    assert!(r.took > Duration::from_millis(600), "{:?}", r.took);
}

#[test]
fn a_slow_banner_is_a_problem_with_max_latency() {
    let peer = Peer::banner(b"220 ready\r\n", Duration::from_millis(300));
    let r = run(
        BIN,
        &[
            "--connect",
            &peer.addr(),
            "--expect",
            "220",
            "--max-latency",
            "100ms",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with("> 100ms"), "{}", r.line());
}
