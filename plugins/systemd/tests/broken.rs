//! A system bus that is missing, refuses, accepts and never answers, speaks garbage or
//! has no systemd on it, and systemd replies of the wrong shape: Unknown (exit 2) in
//! time, saying what was wrong, never a problem.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::time::Duration;

use npd_test_support::{run, FakeHost};
use serde_json::json;

use crate::util::{available, running, service, HostBus, BIN, SOCKET};

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, &[&["--max-output", "300"], args].concat())
}

#[test]
fn no_socket_is_unknown() {
    let host = FakeHost::new();
    let line = format!(
        "no system bus at {}: no such socket",
        host.path(SOCKET).display()
    );
    assert_eq!(answer(&host, &["--unit", "kubelet"]), (2, line));
}

#[test]
fn a_socket_nobody_listens_on_is_unknown() {
    let host = FakeHost::new();
    host.dir("run/dbus");
    drop(UnixListener::bind(host.path(SOCKET)).unwrap());
    let line = format!(
        "no system bus at {}: connection refused",
        host.path(SOCKET).display()
    );
    assert_eq!(answer(&host, &["--unit", "kubelet"]), (2, line));
}

#[test]
fn a_bus_that_never_answers_is_unknown_by_the_deadline() {
    let host = FakeHost::new();
    host.dir("run/dbus");
    // Connections wait in the backlog, accepted by nobody, answered never.
    let _held = UnixListener::bind(host.path(SOCKET)).unwrap();
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--unit",
            "kubelet",
            "--timeout",
            "1s",
            "--max-output",
            "300",
        ],
    );
    let line = format!(
        "no answer from the system bus at {} in 1s",
        host.path(SOCKET).display()
    );
    assert_eq!((r.code, r.line()), (2, line.as_str()));
    assert!(r.took < Duration::from_millis(1500), "{:?}", r.took);
}

#[test]
fn a_bus_that_speaks_garbage_is_unknown() {
    let host = FakeHost::new();
    host.dir("run/dbus");
    let listener = UnixListener::bind(host.path(SOCKET)).unwrap();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 256];
        let _ = conn.read(&mut buf);
        conn.write_all(b"OK 0123456789abcdef\r\n").unwrap();
        conn.write_all(&[b'X'; 64]).unwrap();
        // Kept open until the plugin has gone.
        while conn.read(&mut buf).is_ok_and(|n| n > 0) {}
    });
    let (code, line) = answer(&host, &["--unit", "kubelet"]);
    assert_eq!(code, 2, "{line}");
    assert!(line.ends_with("bad byte order mark 0x58"), "{line}");
    server.join().unwrap();
}

#[test]
fn a_bus_refusing_authentication_is_unknown() {
    let host = FakeHost::new();
    host.dir("run/dbus");
    let listener = UnixListener::bind(host.path(SOCKET)).unwrap();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 256];
        let _ = conn.read(&mut buf);
        conn.write_all(b"REJECTED EXTERNAL\r\n").unwrap();
        while conn.read(&mut buf).is_ok_and(|n| n > 0) {}
    });
    let (code, line) = answer(&host, &["--unit", "kubelet"]);
    assert_eq!(code, 2, "{line}");
    assert!(
        line.ends_with("authentication refused (REJECTED EXTERNAL)"),
        "{line}"
    );
    server.join().unwrap();
}

#[test]
fn systemd_not_on_the_bus_is_unknown() {
    if !available("systemd_not_on_the_bus_is_unknown") {
        return;
    }
    let bus = HostBus::empty();
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service"]),
        (2, "systemd is not on the system bus".into())
    );
}

#[test]
fn a_systemd_that_stops_answering_is_unknown_unless_a_problem_was_seen() {
    if !available("a_systemd_that_stops_answering_is_unknown_unless_a_problem_was_seen") {
        return;
    }
    let bus = HostBus::with_systemd(json!({
        "kubelet.service": service("failed", "failed", "exit-code", 0, Duration::from_secs(60)),
        "stuck.service": "Hang",
    }));
    let timed = ["--timeout", "1s", "--max-restarts", "3", "--within", "30m"];
    let r = bus.run(&[&["--unit", "kubelet", "--unit", "stuck"][..], &timed].concat());
    assert_eq!(
        (r.code, r.line()),
        (1, "kubelet.service failed (exit-code)")
    );
    assert!(r.took < Duration::from_millis(1500), "{:?}", r.took);
    let r = bus.run(
        &[
            &[
                "--unit",
                "stuck",
                "--unit",
                "kubelet",
                "--max-output",
                "300",
            ][..],
            &timed,
        ]
        .concat(),
    );
    let line = format!(
        "no answer from the system bus at {} in 1s",
        bus.host.path(SOCKET).display()
    );
    assert_eq!((r.code, r.line()), (2, line.as_str()));
    assert!(r.took < Duration::from_millis(1500), "{:?}", r.took);
}

#[test]
fn properties_of_the_wrong_type_are_unknown() {
    if !available("properties_of_the_wrong_type_are_unknown") {
        return;
    }
    let bus = HostBus::with_systemd(json!({}));
    for (iface, prop, value, why) in [
        (
            "Unit",
            "ActiveState",
            json!(3),
            "ActiveState is not a string",
        ),
        (
            "Unit",
            "SubState",
            json!(["running"]),
            "SubState is not a string",
        ),
        (
            "Unit",
            "InactiveExitTimestampMonotonic",
            json!("soon"),
            "InactiveExitTimestampMonotonic is not a uint64",
        ),
        (
            "Service",
            "NRestarts",
            json!("four"),
            "NRestarts is not a uint32",
        ),
        ("Service", "Result", json!(true), "Result is not a string"),
    ] {
        let mut unit = running(0);
        unit[iface][prop] = value;
        bus.units(json!({"kubelet.service": unit}));
        let want = format!("kubelet.service: unexpected reply from systemd: {why}");
        assert_eq!(
            bus.answer(&["--unit", "kubelet.service", "--max-output", "300"]),
            (2, want)
        );
    }
    let mut unit = running(0);
    unit["Unit"].as_object_mut().unwrap().remove("ActiveState");
    bus.units(json!({"kubelet.service": unit}));
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service", "--max-output", "300"]),
        (
            2,
            "kubelet.service: unexpected reply from systemd: no ActiveState".into()
        )
    );
}
