//! Sockets the test holds itself, under a host root of its own: nothing there
//! (Unknown), refused (a problem: the runtime is gone), accepting and never answering
//! (a problem by the deadline, answered in time), closing at once, answering what is
//! not HTTP/2, not a socket at all (Unknown: not a CRI socket), and the default paths.

use std::time::{Duration, Instant};

use npd_test_support::FakeHost;

use crate::util::{refusing, run_at, Peer};

fn host() -> FakeHost {
    FakeHost::new()
}

#[test]
fn no_socket_file_is_unknown() {
    let host = host();
    let r = run_at(host.root().as_ref(), &["--socket", "/run/x/cri.sock"]);
    assert_eq!((r.code, r.line()), (2, "no CRI socket at /run/x/cri.sock"));
    // Neither default: no runtime here.
    let r = run_at(host.root().as_ref(), &["--max-output", "200"]);
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "no CRI socket at /run/containerd/containerd.sock or /var/run/crio/crio.sock"
        )
    );
}

#[test]
fn a_refused_connection_is_a_problem() {
    let host = host();
    refusing(&host.path("cri.sock"));
    let r = run_at(host.root().as_ref(), &["--socket", "/cri.sock"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/cri.sock: connection refused, runtime not serving")
    );
}

#[test]
fn a_socket_that_never_answers_is_a_problem_by_the_timeout() {
    let host = host();
    let _peer = Peer::silent(&host.path("cri.sock"));
    let started = Instant::now();
    let r = run_at(
        host.root().as_ref(),
        &["--socket", "/cri.sock", "--timeout", "1s"],
    );
    let took = started.elapsed();
    assert_eq!(
        (r.code, r.line()),
        (1, "no answer from /cri.sock in 1s to Version")
    );
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

#[test]
fn an_answer_that_is_not_http2_is_unknown() {
    // What an HTTP/1 server answers to HTTP/2's preface: not a CRI socket.
    let host = host();
    let reply = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
    let _peer = Peer::answering(&host.path("cri.sock"), reply);
    let r = run_at(
        host.root().as_ref(),
        &["--socket", "/cri.sock", "--timeout", "2s"],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line()
            .starts_with("/cri.sock is not a CRI socket: not HTTP/2"),
        "{}",
        r.line()
    );
}

#[test]
fn a_connection_closed_at_once_is_unknown() {
    // A runtime that died in mid-call is refused at the next run; a socket that hangs
    // up on HTTP/2 is no CRI socket.
    let host = host();
    let _peer = Peer::closing(&host.path("cri.sock"));
    let r = run_at(host.root().as_ref(), &["--socket", "/cri.sock"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    // Closed while the preface is written, or before Version is answered.
    let line = r.line();
    assert!(line.starts_with("/cri.sock: "), "{line}");
    assert!(line.contains(": connection closed ("), "{line}");
}

#[test]
fn a_file_that_is_not_a_socket_is_unknown() {
    let host = host();
    host.write("run/containerd/containerd.sock", "");
    let r = run_at(host.root().as_ref(), &[]);
    assert_eq!(
        (r.code, r.line()),
        (2, "/run/containerd/containerd.sock is not a socket")
    );
}

#[test]
fn the_defaults_are_tried_in_order_through_the_hosts_symlinks() {
    // /var/run is a symlink to /run on the host: followed under the host root.
    let host = host();
    host.symlink("var/run", "/run");
    refusing(&host.path("run/crio/crio.sock"));
    let r = run_at(host.root().as_ref(), &["--max-output", "200"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "/run/crio/crio.sock: connection refused, runtime not serving"
        )
    );
    // containerd's comes first when both are there.
    let _peer = Peer::silent(&host.path("run/containerd/containerd.sock"));
    let r = run_at(host.root().as_ref(), &["--timeout", "500ms"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            "no answer from /run/containerd/containerd.sock in 500ms to Version"
        )
    );
}
