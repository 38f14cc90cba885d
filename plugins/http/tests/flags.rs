//! Bad flags are Unknown (exit 2) with the reason, never a problem, and nothing is
//! sent before the flags are valid.

use npd_test_support::{assert_bad_flags, run};

use npd_test_support::{Reply, Server};

use crate::util::BIN;

#[test]
fn bad_flags_are_unknown() {
    let peer = Server::http(|_| Reply::ok(""));
    let url = peer.url("/");
    assert_bad_flags(
        BIN,
        &[
            &[][..],
            &["--url", "127.0.0.1:10248/healthz"],
            &["--url", "ftp://127.0.0.1/"],
            &["--url", "http://user:pw@127.0.0.1/"],
            &["--url", &url, "--expect-status", "2xx"],
            &["--url", &url, "--expect-status", "300-200"],
            &["--url", &url, "--body-regex", "(unclosed"],
            &["--url", &url, "--max-latency", "soon"],
            &["--url", &url, "--max-latency", "0s"],
            &["--url", &url, "--header", "no colon"],
            &["--url", &url, "--header", "Bad Name: x"],
            &["--url", &url, "--insecure", "--ca-file", "/ca.pem"],
            &["--url", &url, "--client-cert", "/c.pem"],
            &["--url", &url, "--client-key", "/k.pem"],
            &[
                "--url",
                &url,
                "--bearer-token-file",
                "/t",
                "--header",
                "Authorization: x",
            ],
            &["--url", &url, "--timeout", "0s"],
            &["--url", &url, "--no-such-flag"],
        ],
    );
    assert!(peer.requests().is_empty());
}

#[test]
fn an_unreadable_or_empty_token_file_is_unknown() {
    let peer = Server::http(|_| Reply::ok(""));
    let r = run(
        BIN,
        &[
            "--url",
            &peer.url("/"),
            "--bearer-token-file",
            "/nonexistent/token",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.line().starts_with("cannot read token /nonexistent/token"),
        "{}",
        r.line()
    );
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("token");
    std::fs::write(&empty, "\n").unwrap();
    let r = run(
        BIN,
        &[
            "--url",
            &peer.url("/"),
            "--bearer-token-file",
            empty.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(peer.requests().is_empty());
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(BIN, &["--expect-status", "--ca-file"]);
}
