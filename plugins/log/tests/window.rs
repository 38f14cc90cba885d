//! Counts and response times across runs.

use crate::util::{access, count_401, lines, Node};
use npd_test_support::assert_says;

const LOG: &str = "/var/log/keystone.log";

fn rate_args() -> Vec<&'static str> {
    vec![
        "--file",
        LOG,
        "--pattern",
        crate::util::AUTH_401,
        "--max-count",
        "4",
        "--window",
        "5m",
        "--label",
        "keystone auth 401",
    ]
}

#[test]
fn counts_expire_as_the_window_slides() {
    let mut n = Node::new();
    n.write(LOG, b"");
    n.run(&rate_args());
    n.append(LOG, lines(3, "POST", "/v3/auth/tokens", 401));
    n.advance(30);
    assert_eq!(n.run(&rate_args()).code, 0);
    n.advance(120);
    n.append(LOG, lines(2, "POST", "/v2.0/tokens", 401));
    let r = n.run(&rate_args());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.line().starts_with("keystone auth 401: 5 in 5m > 4: "),
        "{}",
        r.line()
    );
    // 5 minutes after the first three were read, only the last two remain.
    n.advance(180);
    let r = n.run(&rate_args());
    assert_eq!(
        (r.code, r.line()),
        (0, "keystone auth 401: matching lines within limit"),
        "{}",
        r.stderr
    );
    n.advance(120);
    let r = n.run(&rate_args());
    assert_says(&r.stderr, &["count: 0 matching lines"]);
}

#[test]
fn a_wall_clock_step_back_or_forward_does_not_move_the_window() {
    let mut n = Node::new();
    n.write(LOG, b"");
    n.run(&rate_args());
    n.append(LOG, lines(5, "POST", "/v3/auth/tokens", 401));
    n.advance(30);
    assert_eq!(n.run(&rate_args()).code, 1);
    // The wall clock jumps an hour forward, then a day back: 30s pass each time.
    n.clock.0 += 3_600_000;
    n.advance(30);
    assert_eq!(n.run(&rate_args()).code, 1);
    n.clock.0 -= 86_400_000;
    n.advance(30);
    assert_eq!(n.run(&rate_args()).code, 1);
    n.advance(300);
    assert_eq!(n.run(&rate_args()).code, 0);
}

#[test]
fn a_reboot_ages_the_window_by_the_wall_clock() {
    let mut n = Node::new();
    n.write(LOG, b"");
    n.run(&rate_args());
    n.append(LOG, lines(5, "POST", "/v3/auth/tokens", 401));
    assert_eq!(n.run(&rate_args()).code, 1);
    n.clock = (n.clock.0 + 600_000, 5_000, "b00b".into());
    assert_eq!(n.run(&rate_args()).code, 0);
}

fn latency_args() -> Vec<&'static str> {
    vec![
        "--file",
        LOG,
        "--pattern",
        r#""POST /v3/auth/tokens "#,
        "--field",
        "-1",
        "--max-p95",
        "1s",
        "--min-samples",
        "20",
        "--window",
        "5m",
        "--label",
        "keystone auth",
    ]
}

fn timed(secs: &[f64]) -> Vec<u8> {
    secs.iter()
        .map(|s| access("POST", "/v3/auth/tokens", 201, *s))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn p95_is_judged_over_the_window_with_enough_samples() {
    let mut n = Node::new();
    n.write(LOG, b"");
    n.run(&latency_args());
    // Too few samples to judge, however slow.
    n.append(LOG, timed(&[5.0; 10]));
    n.advance(30);
    let r = n.run(&latency_args());
    assert_eq!(
        (r.code, r.line()),
        (0, "keystone auth: response times within limit"),
        "{}",
        r.stderr
    );
    // 100 in the window, 10 slow: p95 is slow.
    n.append(LOG, timed(&[0.2; 90]));
    n.advance(30);
    let r = n.run(&latency_args());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.line().starts_with("keystone auth: p95 5.0"),
        "{}",
        r.line()
    );
    assert!(
        r.line().ends_with("s > 1s in 5m, 100 lines"),
        "{}",
        r.line()
    );
    // The slow ones leave the window; the fast ones stay.
    n.advance(280);
    n.append(LOG, timed(&[0.2; 20]));
    let r = n.run(&latency_args());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_says(&r.stderr, &["ms over 110 response times, limit 1s"]);
}

#[test]
fn mean_and_p99_and_named_groups() {
    let n = Node::new();
    let api = "/var/log/nova/nova-api.log";
    n.write(api, b"");
    let args = [
        "--file",
        api,
        "--pattern",
        r#"HTTP/1\.1" status: \d+ len: \d+ time: (?P<t>[0-9.]+)"#,
        "--field",
        "t",
        "--max-mean",
        "300ms",
        "--max-p99",
        "2s",
        "--min-samples",
        "5",
    ];
    n.run(&args);
    let mut text = String::new();
    for i in 0..10 {
        let t = if i < 5 { 0.1 } else { 0.9 };
        text.push_str(&format!(
            "2024-03-12 10:00:00.000 123 INFO nova.api.openstack.requestlog [-] 10.0.0.5 \"GET /v2.1/servers HTTP/1.1\" status: 200 len: 100 time: {t:.7}\n"
        ));
    }
    n.append(api, text.as_bytes());
    let r = n.run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.line()
            .starts_with("nova-api.log: mean 500ms > 300ms in 5m, 10 lines"),
        "{}",
        r.line()
    );
}

#[test]
fn the_count_message_fits_and_ok_is_stable() {
    let mut n = Node::new();
    n.write(LOG, b"");
    let first = n.run(&count_401());
    n.advance(30);
    let second = n.run(&count_401());
    assert_eq!(first.line(), second.line());
}
