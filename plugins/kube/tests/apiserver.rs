//! `npd-kube apiserver`: the apiserver is the subject, so its silence is a problem.

use std::time::Duration;

use crate::util::{run, status, Apiserver, Reply};

fn args<'a>(api: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["apiserver"];
    v.extend(api.iter().map(String::as_str));
    v.extend_from_slice(extra);
    v
}

#[test]
fn a_ready_apiserver_is_ok_and_gets_the_token() {
    let api = Apiserver::start(|_| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec())
    });
    let access = api.access();
    let r = run(&args(&access, &[]));
    assert_eq!(
        (r.code, r.line()),
        (0, "apiserver is ready"),
        "{}",
        r.stderr
    );
    let head = &api.requests()[0];
    assert!(head.starts_with("GET /readyz HTTP/1.1\r\n"), "{head}");
    assert!(
        head.contains("Authorization: Bearer test-token-123\r\n"),
        "{head}"
    );
}

#[test]
fn a_failing_readyz_is_a_problem_naming_the_check() {
    let body = "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n";
    let api = Apiserver::start(move |_| {
        Reply::Raw(
            format!(
                "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    });
    let access = api.access();
    let r = run(&args(&access, &[]));
    assert_eq!(r.code, 1);
    assert!(
        r.line().ends_with("/readyz answered 500: etcd failed"),
        "{}",
        r.line()
    );
}

#[test]
fn refused_or_silent_is_a_problem_answered_before_the_deadline() {
    let closed = npd_test_support::closed_port();
    let url = format!("http://127.0.0.1:{}", closed.port());
    let r = run(&["apiserver", "--server", &url]);
    assert_eq!(r.code, 1);
    assert!(r.line().ends_with("connection refused"), "{}", r.line());

    let api = Apiserver::start(|_| Reply::Hang);
    let access = api.access();
    let r = run(&args(&access, &["--timeout", "1s"]));
    assert_eq!(r.code, 1, "{}", r.line());
    assert!(
        r.line().starts_with("no answer from apiserver 127.0.0.1:"),
        "{}",
        r.line()
    );
    assert!(r.took < Duration::from_millis(1000), "{:?}", r.took);
}

#[test]
fn a_slow_answer_is_a_problem_with_the_limit() {
    let api = Apiserver::start(|_| {
        std::thread::sleep(Duration::from_millis(300));
        Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec())
    });
    let access = api.access();
    let r = run(&args(&access, &["--max-latency", "100ms"]));
    assert_eq!(r.code, 1);
    assert!(r.line().ends_with("ms > 100ms"), "{}", r.line());
}

#[test]
fn forbidden_or_garbage_cannot_judge_readiness() {
    let api = Apiserver::start(|_| {
        status(
            403,
            "Forbidden",
            "forbidden: User \"system:anonymous\" cannot get path \"/readyz\"",
        )
    });
    let access = api.access();
    let r = run(&args(&access, &[]));
    assert_eq!(r.code, 2);
    assert!(r.line().starts_with("403: RBAC must allow"), "{}", r.line());
    assert!(r.stderr.contains("system:anonymous"), "{}", r.stderr);

    let api = Apiserver::start(|_| Reply::Raw(b"SSH-2.0-OpenSSH_9.2\r\n".to_vec()));
    let access = api.access();
    let r = run(&args(&access, &[]));
    assert_eq!(r.code, 2);
    assert!(r.line().contains("not an HTTP response"), "{}", r.line());
}
