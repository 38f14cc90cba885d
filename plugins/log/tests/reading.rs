//! What one file's new bytes count as.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::util::{access, count_401, lines, Explained, Node};

const LOG: &str = "/var/log/keystone.log";

#[test]
fn the_first_run_starts_at_the_end_and_counts_only_what_follows() {
    let n = Node::new();
    n.write(LOG, lines(30, "POST", "/v3/auth/tokens", 401));
    let r = n.run(&count_401());
    assert_eq!(
        (r.code, r.line()),
        (0, "keystone.log: matching lines within limit"),
        "{}",
        r.stderr
    );
    assert_eq!(r.bytes_read(), 0);
    n.append(LOG, lines(2, "POST", "/v2.0/tokens", 401));
    n.append(LOG, lines(5, "POST", "/v3/auth/tokens", 201));
    n.append(LOG, lines(1, "GET", "/v3/auth/tokens", 401));
    let r = n.run(&count_401());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.line().starts_with("keystone.log: 2 in 1h > 0: 10.0.0.5"),
        "{}",
        r.line()
    );
    assert!(r.line().len() <= 80);
}

#[test]
fn from_start_counts_the_history_once() {
    let n = Node::new();
    n.write(LOG, lines(3, "POST", "/v3/auth/tokens", 401));
    let mut args = count_401();
    args.push("--from-start");
    assert_eq!(n.run(&args).count(), 3);
    assert_eq!(n.run(&args).count(), 3);
}

#[test]
fn a_partial_last_line_waits_until_it_is_complete() {
    let n = Node::new();
    n.write(LOG, b"");
    n.run(&count_401());
    let line = access("POST", "/v3/auth/tokens", 401, 0.1);
    let (a, b) = line.split_at(50);
    n.append(LOG, a.as_bytes());
    let r = n.run(&count_401());
    assert_eq!(r.code, 0, "{}", r.stderr);
    n.append(LOG, b.as_bytes());
    let r = n.run(&count_401());
    assert_eq!((r.code, r.count()), (1, 1), "{}", r.stderr);
    assert_eq!(
        r.bytes_read(),
        line.len() as u64,
        "the partial line is read again, whole"
    );
}

#[test]
fn a_first_run_inside_a_line_skips_its_rest() {
    let n = Node::new();
    let line = access("POST", "/v3/auth/tokens", 401, 0.1);
    n.write(LOG, &line.as_bytes()[..40]);
    n.run(&count_401());
    n.append(LOG, &line.as_bytes()[40..]);
    n.append(LOG, line.as_bytes());
    assert_eq!(n.run(&count_401()).count(), 1);
}

/// Only the appended bytes of a 1 GiB file are read, with a small buffer.
#[test]
fn a_1_gib_file_costs_only_its_new_bytes() {
    let n = Node::new();
    let path = n.path(LOG);
    {
        let f = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        f.set_len(1 << 30).unwrap(); // a hole, no disk used
    }
    n.append(LOG, b"\n");
    let r = n.run(&count_401());
    assert_eq!((r.code, r.bytes_read()), (0, 0), "{}", r.stderr);
    let new = lines(1000, "POST", "/v3/auth/tokens", 401);
    let other = lines(1000, "GET", "/v3/projects", 200);
    n.append(LOG, &new);
    n.append(LOG, &other);
    let r = n.run(&count_401());
    assert_eq!((r.code, r.count()), (1, 1000), "{}", r.stderr);
    assert_eq!(
        r.bytes_read(),
        (new.len() + other.len()) as u64,
        "{}",
        r.stderr
    );
    assert!(r.peak_kib() < 16 << 10, "{}", r.stderr);
}

#[test]
fn a_10_mib_line_is_counted_once_and_not_buffered_whole() {
    let n = Node::new();
    n.write(LOG, b"");
    n.run(&count_401());
    let head = access("POST", "/v3/auth/tokens", 401, 0.1);
    let mut big = head.trim_end().as_bytes().to_vec();
    big.resize(10 << 20, b'x');
    // The pattern again past the head: the line still counts once.
    big.extend_from_slice(head.as_bytes());
    n.append(LOG, &big);
    n.append(LOG, head.as_bytes());
    let r = n.run(&count_401());
    assert_eq!((r.code, r.count()), (1, 2), "{}", r.stderr);
    assert!(r.stderr.contains("1 long lines"), "{}", r.stderr);
    assert!(r.peak_kib() < 16 << 10, "{}", r.stderr);
}

#[test]
fn a_long_line_still_being_written_is_counted_once_across_runs() {
    let n = Node::new();
    n.write(LOG, b"");
    n.run(&count_401());
    let head = access("POST", "/v3/auth/tokens", 401, 0.1);
    let mut big = head.trim_end().as_bytes().to_vec();
    big.resize(200_000, b'y');
    n.append(LOG, &big);
    assert_eq!(n.run(&count_401()).count(), 1);
    n.append(LOG, vec![b'z'; 300_000]);
    assert_eq!(n.run(&count_401()).count(), 1);
    n.append(LOG, b"\n");
    n.append(LOG, head.as_bytes());
    let r = n.run(&count_401());
    assert_eq!(r.count(), 2, "{}", r.stderr);
    assert_eq!(r.bytes_read(), 1 + head.len() as u64);
}

#[test]
fn invalid_utf8_and_binary_garbage_are_matched_as_bytes() {
    let n = Node::new();
    n.write(LOG, b"");
    n.run(&count_401());
    let mut junk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    junk.extend_from_slice(b"\n\xff\xfe\x00 ");
    junk.extend_from_slice(access("POST", "/v3/auth/tokens", 401, 0.1).as_bytes());
    junk.extend_from_slice(b"\x00\x00\x00\n");
    n.append(LOG, &junk);
    let r = n.run(&count_401());
    assert_eq!((r.code, r.count()), (1, 1), "{}", r.stderr);
    assert!(r.line().is_ascii());
}

#[test]
fn writers_appending_during_runs_lose_and_repeat_nothing() {
    let n = Node::new();
    n.write(LOG, b"");
    n.run(&count_401());
    let stop = Arc::new(AtomicBool::new(false));
    let path = n.path(LOG);
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut f = OpenOptions::new().append(true).open(path).unwrap();
            let line = access("POST", "/v3/auth/tokens", 401, 0.1);
            let noise = access("GET", "/v3/users", 200, 0.1);
            let mut written = 0u64;
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) || written < 2000 {
                // Lines in pieces, as a writer's buffer flushes them.
                let text = format!("{line}{noise}");
                let cut = i % text.len();
                f.write_all(&text.as_bytes()[..cut]).unwrap();
                f.write_all(&text.as_bytes()[cut..]).unwrap();
                written += 1;
                i += 7;
                if written >= 20_000 {
                    break;
                }
            }
            written
        })
    };
    for _ in 0..8 {
        let r = n.run(&count_401());
        assert!(r.code <= 1, "{}", r.stderr);
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let r = n.run(&count_401());
    assert_eq!(r.count(), written, "{}", r.stderr);
}

#[test]
fn cri_pod_logs_join_partial_lines() {
    let n = Node::new();
    let pod = "/var/log/pods/openstack_keystone-api-1_uid/keystone/0.log";
    n.write(pod, b"");
    let args = [
        "--file",
        "/var/log/pods/openstack_keystone-*/keystone/*.log",
        "--format",
        "cri",
        "--pattern",
        crate::util::AUTH_401,
        "--max-count",
        "0",
        "--window",
        "1h",
    ];
    n.run(&args);
    let ts = "2024-03-12T10:00:00.000000001Z";
    let full = access("POST", "/v3/auth/tokens", 401, 0.1);
    let (a, b) = full.split_at(45);
    n.append(pod, format!("{ts} stdout F {full}").as_bytes());
    n.append(pod, format!("{ts} stdout P {a}\n").as_bytes());
    let r = n.run(&args);
    assert_eq!((r.code, r.count()), (1, 1), "{}", r.stderr);
    n.append(pod, format!("{ts} stdout F {b}").as_bytes());
    n.append(
        pod,
        format!("{ts} stderr F GET /v3/users 401 \n").as_bytes(),
    );
    let r = n.run(&args);
    assert_eq!((r.code, r.count()), (1, 2), "{}", r.stderr);
}
