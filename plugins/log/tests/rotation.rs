//! A file rotated between runs: every line is counted once, whatever the style.

use std::fs;

use crate::util::{count_401, lines, Explained, Node};

const LOG: &str = "/var/log/keystone.log";

fn auth_401(n: usize) -> Vec<u8> {
    lines(n, "POST", "/v3/auth/tokens", 401)
}

fn started(n: &Node) {
    n.write(LOG, auth_401(10));
    assert_eq!(n.run(&count_401()).code, 0);
}

#[test]
fn rename_and_create_finishes_the_old_file_then_reads_the_new() {
    let n = Node::new();
    started(&n);
    n.append(LOG, auth_401(3));
    fs::rename(n.path(LOG), n.path("/var/log/keystone.log.1")).unwrap();
    // Written to the old file after the rename (the service still holds it open).
    n.append("/var/log/keystone.log.1", auth_401(1));
    n.write(LOG, auth_401(2));
    let r = n.run(&count_401());
    assert_eq!((r.code, r.count()), (1, 6), "{}", r.stderr);
    assert!(r.stderr.contains("rotated to"), "{}", r.stderr);
    // Nothing is read twice afterwards.
    let r = n.run(&count_401());
    assert_eq!(r.count(), 6, "{}", r.stderr);
    assert_eq!(r.bytes_read(), 0);
}

#[test]
fn rename_without_a_new_file_yet() {
    let n = Node::new();
    let mut args = count_401();
    args.extend(["--missing", "ok"]);
    n.write(LOG, auth_401(10));
    assert_eq!(n.run(&args).code, 0);
    n.append(LOG, auth_401(1));
    fs::rename(n.path(LOG), n.path("/var/log/keystone.log.1")).unwrap();
    let r = n.run(&args);
    assert_eq!((r.code, r.count()), (1, 1), "{}", r.stderr);
    n.write(LOG, auth_401(2));
    let r = n.run(&args);
    assert_eq!(r.count(), 3, "{}", r.stderr);
}

#[test]
fn copytruncate_reads_from_the_start_again() {
    let n = Node::new();
    started(&n);
    n.append(LOG, auth_401(1));
    assert_eq!(n.run(&count_401()).count(), 1);
    // logrotate copytruncate: copy away, truncate in place, the writer goes on.
    fs::copy(n.path(LOG), n.path("/var/log/keystone.log.1")).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(n.path(LOG))
        .unwrap()
        .set_len(0)
        .unwrap();
    n.append(LOG, auth_401(2));
    let r = n.run(&count_401());
    assert_eq!(r.count(), 3, "{}", r.stderr);
    assert!(r.stderr.contains("truncated in place"), "{}", r.stderr);
}

#[test]
fn copytruncate_grown_past_the_old_offset_is_recognised_by_its_first_bytes() {
    let n = Node::new();
    n.write(LOG, b"old first line\n");
    n.run(&count_401());
    fs::OpenOptions::new()
        .write(true)
        .open(n.path(LOG))
        .unwrap()
        .set_len(0)
        .unwrap();
    n.append(LOG, auth_401(5));
    let r = n.run(&count_401());
    assert_eq!(r.count(), 5, "{}", r.stderr);
    assert!(r.stderr.contains("first bytes changed"), "{}", r.stderr);
}

#[test]
fn delete_and_recreate_reads_the_new_file_from_its_start() {
    let n = Node::new();
    started(&n);
    fs::remove_file(n.path(LOG)).unwrap();
    n.write(LOG, auth_401(4));
    let r = n.run(&count_401());
    assert_eq!(r.count(), 4, "{}", r.stderr);
    // The same again with the new file's inode possibly reused from the old one.
    fs::remove_file(n.path(LOG)).unwrap();
    n.write(LOG, lines(30, "GET", "/v3", 200));
    n.append(LOG, auth_401(1));
    assert_eq!(n.run(&count_401()).count(), 5);
}

#[test]
fn a_file_created_after_the_first_run_is_read_whole() {
    let n = Node::new();
    let mut args = count_401();
    args.extend(["--missing", "ok"]);
    let r = n.run(&args);
    assert_eq!(
        (r.code, r.line()),
        (0, "keystone.log: no log file"),
        "{}",
        r.stderr
    );
    n.write(LOG, auth_401(2));
    assert_eq!(n.run(&args).count(), 2);
}

#[test]
fn wildcards_follow_every_file_and_rotations_among_them() {
    let n = Node::new();
    let a = "/var/log/pods/ns_api-1/c/0.log";
    let b = "/var/log/pods/ns_api-2/c/0.log";
    n.write(a, auth_401(1));
    let args = [
        "--file",
        "/var/log/pods/ns_api-*/c/*.log*",
        "--pattern",
        crate::util::AUTH_401,
        "--max-count",
        "0",
        "--window",
        "1h",
    ];
    n.run(&args);
    n.append(a, auth_401(1));
    n.write(b, auth_401(2));
    assert_eq!(n.run(&args).count(), 3);
    // kubelet's rotation: renamed to a name the pattern also matches, new file.
    n.append(a, auth_401(1));
    fs::rename(
        n.path(a),
        n.path("/var/log/pods/ns_api-1/c/0.log.20240312-100000"),
    )
    .unwrap();
    n.write(a, auth_401(1));
    let r = n.run(&args);
    assert_eq!(r.count(), 5, "{}", r.stderr);
    assert_eq!(n.run(&args).count(), 5);
}

#[test]
fn a_state_key_kept_across_a_changed_file_starts_over() {
    let n = Node::new();
    let mut args = count_401();
    args.extend(["--state-key", "k"]);
    n.write(LOG, auth_401(1));
    n.write("/var/log/other.log", auth_401(7));
    n.run(&args);
    args[1] = "/var/log/other.log";
    let r = n.run(&args);
    assert_eq!(
        r.code, 0,
        "the other file's history is not news: {}",
        r.stderr
    );
}
