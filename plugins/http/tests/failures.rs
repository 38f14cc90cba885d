//! Peers that fail: each is a failed probe (exit 1, as for the kubelet), named in the
//! message, and the answer comes by --timeout whatever the peer does.

use std::time::Duration;

use npd_test_support::{closed_port, run};

use npd_test_support::{Reply, Server};

use crate::util::BIN;

/// Process start and exit of a debug binary on a loaded 2-core machine (CI runs the
/// tests right after a build's disk writes). A plugin that waited for the peer instead
/// would take until the test's bound, 20 s.
const MARGIN: Duration = Duration::from_millis(1500);

#[test]
fn a_refused_connection_is_a_problem() {
    let closed = closed_port();
    let url = format!("http://127.0.0.1:{}/healthz", closed.port());
    let r = run(BIN, &["--url", &url]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{url} connection refused").as_str())
    );
}

#[test]
fn a_peer_that_accepts_and_never_answers_fails_by_the_timeout() {
    let peer = Server::silent();
    let url = peer.url("/healthz");
    let r = run(BIN, &["--url", &url, "--timeout", "1s"]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{url} no answer in 1s").as_str())
    );
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
    assert!(r.took > Duration::from_millis(600), "{:?}", r.took);
}

#[test]
fn a_peer_dripping_its_answer_fails_by_the_timeout() {
    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec();
    let peer = Server::http(move |_| Reply::Drip(answer.clone(), Duration::from_millis(100)));
    let r = run(BIN, &["--url", &peer.url("/"), "--timeout", "1s"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with("no answer in 1s"), "{}", r.line());
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
}

#[test]
fn a_body_that_never_ends_fails_by_the_timeout() {
    let peer = Server::http(|_| {
        Reply::Stall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nok".to_vec())
    });
    let r = run(BIN, &["--url", &peer.url("/"), "--timeout", "500ms"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.line().ends_with("no answer in 500ms"), "{}", r.line());
    assert!(r.took < Duration::from_millis(500) + MARGIN, "{:?}", r.took);
}

#[test]
fn garbage_is_a_problem_named_as_such() {
    let peer = Server::http(|_| Reply::Raw(b"SSH-2.0-OpenSSH_9.2p1\r\n".to_vec()));
    let r = run(BIN, &["--url", &peer.url("/")]);
    assert_eq!(r.code, 1);
    assert!(r.line().contains("not an HTTP response"), "{}", r.line());
    let peer = Server::http(|_| Reply::Raw(vec![0xff; 100]));
    let r = run(BIN, &["--url", &peer.url("/")]);
    assert_eq!(r.code, 1);
    assert!(r.line().contains("not an HTTP response"), "{}", r.line());
    assert!(r.stdout.is_ascii());
}

#[test]
fn malformed_answers_are_problems() {
    for raw in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbroken header\r\n\r\n",
    ] {
        let bytes = raw.to_vec();
        let peer = Server::http(move |_| Reply::Raw(bytes.clone()));
        let r = run(BIN, &["--url", &peer.url("/")]);
        assert_eq!(
            r.code,
            1,
            "{:?}: {}",
            String::from_utf8_lossy(raw),
            r.stdout
        );
    }
}

#[test]
fn a_close_without_an_answer_is_a_problem() {
    let peer = Server::http(|_| Reply::Close);
    let r = run(BIN, &["--url", &peer.url("/")]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().contains("closed without a response"),
        "{}",
        r.line()
    );
}
