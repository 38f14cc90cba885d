//! Real sockets this test opens on 127.0.0.1, seen through this machine's kernel
//! (`--host-root /`: over netlink, or from PID 1's tables, see `sources.rs`). The ports are the kernel's choice, so no other work on the
//! machine can hold them; a closed socket's port is judged right after it is closed,
//! before anything else is likely to take it.

use std::net::{TcpListener, TcpStream, UdpSocket};

use crate::util::BIN;
use npd_test_support::run;

fn visible_here() -> bool {
    // The tables are PID 1's: a test run in a network namespace of its own (a
    // container without the host's network) cannot see its sockets there.
    let own = std::fs::read_link("/proc/self/ns/net");
    let pid1 = std::fs::read_link("/proc/1/ns/net");
    match (own, pid1) {
        (Ok(a), Ok(b)) => a == b,
        _ => true,
    }
}

#[test]
fn a_real_tcp_listener_is_found_and_its_absence_reported() {
    if !visible_here() {
        eprintln!("skipped: not in PID 1's network namespace");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let exact = format!("127.0.0.1:{port}");
    for want in [port.as_str(), exact.as_str()] {
        let r = run(BIN, &["--host-root", "/", "--tcp", want, "--explain"]);
        assert_eq!(
            (r.code, r.line()),
            (0, "required TCP ports listening"),
            "{want}: {}",
            r.stderr
        );
    }
    // A connection to it and from it: neither end is a listener once it is closed.
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (_server_end, _) = listener.accept().unwrap();
    drop(listener);
    // The socket table is the whole host's: another process may be given the freed
    // port at once. Hold it with a socket that is bound but never listens (the table
    // does not list it, and nobody else can listen there meanwhile).
    let Some(_hold) = npd_test_support::hold_port(port.parse().unwrap()) else {
        eprintln!("port {port} was taken by another process; its absence is not checked");
        return;
    };
    let r = run(BIN, &["--host-root", "/", "--tcp", &port]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("no TCP listener on port {port}").as_str())
    );
    drop(client);
}

#[test]
fn a_real_udp_socket_is_found_and_a_connected_one_is_not() {
    if !visible_here() {
        eprintln!("skipped: not in PID 1's network namespace");
        return;
    }
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port().to_string();
    let r = run(BIN, &["--host-root", "/", "--udp", &port]);
    assert_eq!((r.code, r.line()), (0, "required UDP ports bound"));
    // A client's socket: bound, then connected to a peer.
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.connect(server.local_addr().unwrap()).unwrap();
    let port = client.local_addr().unwrap().port().to_string();
    let r = run(BIN, &["--host-root", "/", "--udp", &port]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("no UDP socket on port {port}").as_str())
    );
}

#[test]
fn this_machine_answers_without_connecting() {
    // Whatever listens here, the answer is a judgement (0 or 1), not Unknown.
    let r = run(
        BIN,
        &["--host-root", "/", "--tcp", "1", "--udp", "1", "--explain"],
    );
    assert!(matches!(r.code, 0 | 1), "{}\n{}", r.stdout, r.stderr);
    // Whichever way it read, it read everything: no port 1 stopped it early.
    if r.stderr.contains("TCP: asking netlink sock_diag") {
        for said in [
            "netlink sock_diag IPv4: ",
            " TCP listeners",
            "netlink sock_diag IPv6: ",
            " UDP sockets",
        ] {
            assert!(r.stderr.contains(said), "{said:?} in:\n{}", r.stderr);
        }
        assert_eq!(r.stderr.matches("netlink sock_diag IPv6: ").count(), 2);
    } else {
        assert!(r.stderr.contains("lines read"), "{}", r.stderr);
    }
}
