//! A metadata service that fails is only the way to ask: refused, silent, cut short,
//! 500 or not HTTP, the answer is Unknown (exit 2), by the deadline, never a problem.

use std::time::Duration;

use npd_test_support::{closed_port, run, Reply, Server};

use crate::util::{answer, ask, BIN};

/// Process start and exit of a debug binary on a loaded 2-core machine.
const MARGIN: Duration = Duration::from_millis(1500);

#[test]
fn a_refused_connection_is_unknown() {
    let closed = closed_port();
    let url = format!("http://127.0.0.1:{}", closed.port());
    for cloud in ["aws", "gcp", "azure"] {
        let r = run(BIN, &["--metadata-url", &url, "--cloud", cloud]);
        assert_eq!(r.code, 2, "{cloud}: {}", r.stdout);
        assert!(r.line().ends_with("connection refused"), "{}", r.line());
    }
}

#[test]
fn a_service_that_never_answers_is_unknown_by_the_timeout() {
    for cloud in ["aws", "gcp", "azure"] {
        let silent = Server::silent();
        let r = ask(&silent, &["--cloud", cloud, "--timeout", "1s"]);
        assert_eq!(r.code, 2, "{cloud}: {}", r.stdout);
        assert!(r.line().contains(": no answer in 1s"), "{}", r.line());
        assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
    }
}

#[test]
fn an_answer_that_stalls_midway_is_unknown_by_the_timeout() {
    let stall = Server::http(|_| {
        Reply::Stall(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"Docum".to_vec())
    });
    let r = ask(&stall, &["--cloud", "azure", "--timeout", "1s"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.took < Duration::from_secs(1) + MARGIN, "{:?}", r.took);
}

#[test]
fn server_errors_are_unknown() {
    let failing = Server::http(|_| Reply::status(500, "", "internal error"));
    assert_eq!(
        answer(&failing, &["--cloud", "aws"]),
        (2, "IMDSv2 token: HTTP 500".into())
    );
    assert_eq!(
        answer(&failing, &["--cloud", "gcp"]),
        (2, "preempted: HTTP 500".into())
    );
    assert_eq!(
        answer(&failing, &["--cloud", "azure"]),
        (2, "scheduled events: HTTP 500".into())
    );
}

#[test]
fn bytes_that_are_not_http_or_a_close_are_unknown() {
    for reply in [
        || Reply::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        || Reply::Close,
    ] {
        let server = Server::http(move |_| reply());
        for cloud in ["aws", "gcp", "azure"] {
            let r = ask(&server, &["--cloud", cloud]);
            assert_eq!(r.code, 2, "{cloud}: {}", r.stdout);
        }
    }
}
