//! How answers are judged: Kubernetes probe semantics.

use std::time::Duration;

use npd_test_support::run;

use npd_test_support::{Reply, Server};

use crate::util::BIN;

#[test]
fn a_200_is_healthy_with_a_stable_message() {
    let peer = Server::http(|_| Reply::ok("ok"));
    let url = peer.url("/healthz");
    let r = run(BIN, &["--url", &url]);
    assert_eq!(
        (r.code, r.line()),
        (0, format!("{url} is healthy").as_str())
    );
}

#[test]
fn statuses_200_to_399_are_healthy_others_are_problems() {
    let peer = Server::http(|req| {
        let code: u16 = req.path()[1..].parse().unwrap();
        Reply::status(code, "", "")
    });
    for (code, want) in [
        (200, 0),
        (204, 0),
        (304, 0),
        (399, 0),
        (400, 1),
        (404, 1),
        (500, 1),
        (503, 1),
    ] {
        let r = run(BIN, &["--url", &peer.url(&format!("/{code}"))]);
        assert_eq!(r.code, want, "{code}: {}", r.stdout);
        if want == 1 {
            assert!(
                r.line().ends_with(&format!("status {code} not in 200-399")),
                "{}",
                r.line()
            );
        }
    }
}

#[test]
fn expect_status_replaces_the_probe_range() {
    let peer = Server::http(|_| Reply::status(301, "", ""));
    let r = run(
        BIN,
        &["--url", &peer.url("/"), "--expect-status", "200,204"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.line().ends_with("status 301 not in 200,204"),
        "{}",
        r.line()
    );
    let peer = Server::http(|_| Reply::status(503, "", ""));
    let r = run(
        BIN,
        &["--url", &peer.url("/"), "--expect-status", "500-599"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_redirect_chain_on_the_same_host_is_followed() {
    let peer = Server::http(|req| {
        let n: u32 = req.path()[3..].parse().unwrap();
        if n == 0 {
            Reply::ok("arrived")
        } else {
            Reply::status(302, format!("Location: /r/{}\r\n", n - 1), "")
        }
    });
    let r = run(
        BIN,
        &["--url", &peer.url("/r/3"), "--body-regex", "^arrived$"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(peer.requests().len(), 4);
    // Go's client makes ten requests at most: nine redirects pass, the tenth fails.
    let r = run(BIN, &["--url", &peer.url("/r/9")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(BIN, &["--url", &peer.url("/r/10")]);
    assert_eq!(r.code, 1);
    assert!(
        r.line().ends_with("stopped after 10 redirects"),
        "{}",
        r.line()
    );
}

#[test]
fn a_redirect_loop_is_a_problem_not_a_hang() {
    let peer = Server::http(|_| Reply::status(307, "Location: /loop\r\n", ""));
    let r = run(BIN, &["--url", &peer.url("/loop"), "--timeout", "2s"]);
    assert_eq!(r.code, 1);
    assert!(r.line().ends_with("stopped after 10 redirects"));
    assert_eq!(peer.requests().len(), 10);
}

#[test]
fn a_redirect_to_another_host_is_not_followed_and_counts_as_healthy() {
    let other = Server::http(|_| Reply::status(500, "", ""));
    let location = format!("Location: http://localhost:{}/elsewhere\r\n", other.port());
    let peer = Server::http(move |_| Reply::status(302, location.clone(), ""));
    let r = run(BIN, &["--url", &peer.url("/"), "--explain"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("not followed"), "{}", r.stderr);
    assert!(other.requests().is_empty());
}

#[test]
fn a_relative_redirect_is_resolved_against_the_request() {
    let peer = Server::http(|req| match req.path() {
        "/a/b" => Reply::status(301, "Location: c\r\n", ""),
        "/a/c" => Reply::ok("here"),
        _ => Reply::status(404, "", ""),
    });
    let r = run(BIN, &["--url", &peer.url("/a/b")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn body_regex_must_match() {
    let peer = Server::http(|_| Reply::ok("{\"health\": \"false\"}"));
    let r = run(
        BIN,
        &[
            "--url",
            &peer.url("/health"),
            "--body-regex",
            "\"health\": *\"true\"",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.line().contains("body does not match"), "{}", r.line());
    let r = run(
        BIN,
        &["--url", &peer.url("/health"), "--body-regex", "health"],
    );
    assert_eq!(r.code, 0);
}

#[test]
fn chunked_and_until_close_bodies_are_read() {
    let peer = Server::http(|req| match req.path() {
        "/chunked" => Reply::Raw(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n".to_vec(),
        ),
        _ => Reply::Raw(b"HTTP/1.0 200 OK\r\n\r\nfine then".to_vec()),
    });
    let r = run(
        BIN,
        &["--url", &peer.url("/chunked"), "--body-regex", "^ok$"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(BIN, &["--url", &peer.url("/close"), "--body-regex", "fine"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_slow_answer_is_a_problem_with_max_latency() {
    let peer = Server::http(|_| {
        Reply::Late(
            Duration::from_millis(300),
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(),
        )
    });
    let r = run(BIN, &["--url", &peer.url("/"), "--max-latency", "100ms"]);
    assert_eq!(r.code, 1);
    assert!(r.line().contains("answered in 3"), "{}", r.line());
    assert!(r.line().ends_with("> 100ms"), "{}", r.line());
    let r = run(BIN, &["--url", &peer.url("/"), "--max-latency", "2s"]);
    assert_eq!(r.code, 0);
}

#[test]
fn headers_and_the_token_are_sent_and_the_token_is_reread() {
    let peer = Server::http(|req| {
        if req.head.contains("\r\nAuthorization: Bearer t2\r\n") {
            Reply::ok("")
        } else {
            Reply::status(401, "", "")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "t1\n").unwrap();
    let t = token.to_str().unwrap();
    let args = [
        "--url",
        &peer.url("/"),
        "--bearer-token-file",
        t,
        "--header",
        "X-Probe: yes",
        "--header",
        "Host: api.local",
    ];
    let r = run(BIN, &args);
    assert_eq!(r.code, 1, "{}", r.stdout);
    std::fs::write(&token, "t2\n").unwrap();
    let r = run(BIN, &args);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let head = peer.requests().pop().unwrap();
    assert!(head.starts_with("GET / HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("\r\nX-Probe: yes\r\n"), "{head}");
    assert!(head.contains("\r\nHost: api.local\r\n"), "{head}");
    assert_eq!(head.matches("Host:").count(), 1, "{head}");
}

#[test]
fn the_line_is_cut_at_max_output() {
    let peer = Server::http(|_| Reply::status(500, "", ""));
    let r = run(
        BIN,
        &[
            "--url",
            &peer.url("/a-rather-long-path/that/goes/on"),
            "--max-output",
            "30",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout.len(), 31, "{:?}", r.stdout);
}
