//! Socket tables that are missing, unreadable, empty or garbled, and a read that never
//! returns: Unknown (exit 2) naming the table, never a problem, unless the port was
//! found anyway.

use crate::util::{ListenHost, BIN, TCP, TCP6, TCP_HEADER, UDP};
use npd_test_support::Broken::{Directory, Empty, Garbage, Missing, Unreadable};
use npd_test_support::Says::{Line, Part};
use npd_test_support::{assert_broken, assert_read_times_out, FakeHost};

/// The whole line, however long the host root's path makes it.
const WHOLE: [&str; 2] = ["--max-output", "400"];

fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, &[&WHOLE[..], args].concat())
}

#[test]
fn a_missing_ipv4_table_is_unknown() {
    for (rel, flag) in [(TCP, "--tcp"), (UDP, "--udp")] {
        let host = FakeHost::quiet();
        let line = format!("cannot read {}: not found", host.path(rel).display());
        assert_broken(
            BIN,
            &host,
            rel,
            Missing,
            &[flag, "5000", WHOLE[0], WHOLE[1]],
            Line(&line),
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
    let line = format!("cannot read {}: is a directory", host.path(TCP6).display());
    let args = ["--tcp", "5000", WHOLE[0], WHOLE[1]];
    assert_broken(BIN, &host, TCP6, Directory, &args, Line(&line));
}

#[test]
fn a_table_denied_to_the_reader_is_unknown() {
    let host = FakeHost::quiet();
    let line = format!(
        "cannot read {}: permission denied",
        host.path(UDP).display()
    );
    let args = ["--udp", "67", WHOLE[0], WHOLE[1]];
    assert_broken(BIN, &host, UDP, Unreadable, &args, Line(&line));
}

#[test]
fn empty_tables_are_unknown() {
    // The kernel always writes the header line: an empty file is not a table.
    let host = FakeHost::quiet();
    let line = format!("{} is empty", host.path(TCP).display());
    let args = ["--tcp", "5000", WHOLE[0], WHOLE[1]];
    assert_broken(BIN, &host, TCP, Empty, &args, Line(&line));
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
    let garbage = Garbage(b"\x00\xff\xfe garbage\n\x01\x02\x03\n");
    let args = ["--udp", "67", WHOLE[0], WHOLE[1]];
    assert_broken(BIN, &host, UDP, garbage, &args, Part("garbled lines"));
}

#[test]
fn a_read_that_never_returns_is_unknown_by_the_timeout() {
    assert_read_times_out(BIN, &FakeHost::quiet(), TCP, &["--tcp", "5000"]);
}
