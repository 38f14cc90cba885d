//! Socket tables that are missing, unreadable, empty or garbled, and a read that never
//! returns: Unknown (exit 2) naming the table, never a problem, unless the port was
//! found anyway.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::util::{ListenHost, BIN, TCP, TCP6, TCP_HEADER, UDP};
use npd_test_support::{is_root, run, FakeHost, Invocation};

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    let mut all = vec!["--host-root", host.root(), "--max-output", "400"];
    all.extend_from_slice(args);
    let r = run(BIN, &all);
    (r.code, r.line().to_string())
}

#[test]
fn a_missing_ipv4_table_is_unknown() {
    for (rel, flag) in [(TCP, "--tcp"), (UDP, "--udp")] {
        let host = FakeHost::quiet();
        host.remove(rel);
        assert_eq!(
            answer(&host, &[flag, "5000"]),
            (
                2,
                format!("cannot read {}: not found", host.path(rel).display())
            )
        );
    }
    // A root without /proc at all.
    let host = FakeHost::new();
    assert_eq!(answer(&host, &["--tcp", "5000"]).0, 2);
}

#[test]
fn unreadable_tables_are_unknown() {
    // A directory where the table should be fails for every user.
    let host = FakeHost::quiet();
    host.remove(TCP6);
    fs::create_dir(host.path(TCP6)).unwrap();
    assert_eq!(
        answer(&host, &["--tcp", "5000"]),
        (
            2,
            format!("cannot read {}: is a directory", host.path(TCP6).display())
        )
    );
}

#[test]
fn a_table_denied_to_the_reader_is_unknown() {
    if !is_root() {
        eprintln!("skipped: needs root to drop to nobody");
        return;
    }
    let host = FakeHost::quiet();
    for rel in ["", "proc", "proc/1", "proc/1/net"] {
        fs::set_permissions(host.path(rel), fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::set_permissions(host.path(UDP), fs::Permissions::from_mode(0o000)).unwrap();
    let r = Invocation::new(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--udp",
            "67",
            "--max-output",
            "400",
        ],
    )
    .as_nobody()
    .go();
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            format!(
                "cannot read {}: permission denied",
                host.path(UDP).display()
            )
            .as_str()
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn empty_tables_are_unknown() {
    // The kernel always writes the header line: an empty file is not a table.
    let host = FakeHost::quiet();
    host.write(TCP, "");
    assert_eq!(
        answer(&host, &["--tcp", "5000"]),
        (2, format!("{} is empty", host.path(TCP).display()))
    );
}

#[test]
fn garbled_lines_are_unknown_while_a_port_is_unaccounted_for() {
    let host = FakeHost::quiet();
    host.write(
        TCP,
        format!("{TCP_HEADER}   0: garbage here\n   1: 0100007F:ZZZZ 00000000:0000 0A 0\n"),
    );
    assert_eq!(
        answer(&host, &["--tcp", "5000"]),
        (
            2,
            format!(
                "{}: 2 garbled lines, cannot tell what listens",
                host.path(TCP).display()
            )
        )
    );
    // Found anyway (here in tcp6): the garbage cannot change the answer.
    host.listen("[::]:5000");
    assert_eq!(answer(&host, &["--tcp", "5000"]).0, 0);
}

#[test]
fn binary_garbage_is_unknown() {
    let host = FakeHost::quiet();
    fs::write(host.path(UDP), b"\x00\xff\xfe garbage\n\x01\x02\x03\n").unwrap();
    let (code, line) = answer(&host, &["--udp", "67"]);
    assert_eq!(code, 2, "{line}");
    assert!(line.is_ascii(), "{line}");
    assert!(line.contains("garbled lines"), "{line}");
}

#[test]
fn a_read_that_never_returns_is_unknown_by_the_timeout() {
    // A FIFO without a writer blocks open(2) forever, as a wedged file would.
    let host = FakeHost::quiet();
    let fifo = host.path(TCP);
    host.fifo(TCP);
    let started = std::time::Instant::now();
    let (code, line) = answer(&host, &["--tcp", "5000", "--timeout", "500ms"]);
    assert_eq!(
        (code, line),
        (
            2,
            format!("no answer in 500ms while reading {}", fifo.display())
        )
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
