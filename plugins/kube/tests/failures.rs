//! Answers that cannot be judged: Unknown (exit 2) with a message that says why,
//! before the deadline, for every check but `apiserver`.

use std::time::Duration;

use crate::util::{json_answer, ok, pod, pod_list, run, status, Apiserver, Reply};

fn pods(api: &Apiserver, extra: &[&str]) -> crate::util::Run {
    let mut args = vec!["pods".to_string(), "--node".into(), "node-1".into()];
    args.extend(api.access());
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

/// Runs `pods` against a server answering `reply`, with a deadline that a loaded
/// machine still meets when the server does answer.
fn pods_answer(reply: impl Fn() -> Reply + Send + Sync + 'static) -> crate::util::Run {
    let api = Apiserver::start(move |_| reply());
    pods(&api, &["--timeout", "3s"])
}

/// As [`pods_answer`], for servers that never finish: the answer must come by 1s.
fn pods_by_1s(reply: impl Fn() -> Reply + Send + Sync + 'static) -> crate::util::Run {
    let api = Apiserver::start(move |_| reply());
    let r = pods(&api, &["--timeout", "1s"]);
    assert!(r.took < Duration::from_millis(1000), "{:?}", r.took);
    r
}

#[test]
fn unauthorized_and_forbidden_say_what_to_fix() {
    let r = pods_answer(|| status(401, "Unauthorized", "Unauthorized"));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.line(),
        "cannot list pods: 401 Unauthorized: the token was rejected (expired or revoked?)"
    );
    let r = pods_answer(|| {
        status(403, "Forbidden", "pods is forbidden: User \"system:serviceaccount:kube-system:npd-checks\" cannot list resource \"pods\" in API group \"\" at the cluster scope")
    });
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("cannot list pods: 403: RBAC must allow list pods"),
        "{}",
        r.line()
    );
    assert!(r.stderr.contains("cannot list resource"), "{}", r.stderr);
}

#[test]
fn not_found_throttled_and_server_errors_are_unknown() {
    let r = pods_answer(|| {
        status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    });
    assert_eq!(
        (r.code, r.line()),
        (2, "cannot list pods: pods not found (404)")
    );
    let r = pods_answer(|| {
        let body = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Too many requests","reason":"TooManyRequests","code":429}"#;
        json_answer(429, "Retry-After: 7\r\n", body)
    });
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "cannot list pods: apiserver overloaded (429), retry after 7s"
        )
    );
    let r = pods_answer(|| status(500, "InternalError", "etcdserver: request timed out"));
    assert_eq!(
        (r.code, r.line()),
        (2, "cannot list pods: apiserver answered 500 InternalError")
    );
}

#[test]
fn a_silent_or_refusing_apiserver_is_unknown_for_pods_before_the_deadline() {
    let r = pods_by_1s(|| Reply::Hang);
    assert_eq!(r.code, 2, "{}", r.line());
    // The check's own message, or the watchdog's on a machine too loaded for it.
    assert!(
        r.line()
            .starts_with("cannot list pods: no answer from apiserver")
            || r.line().starts_with("no answer in 1s while the apiserver"),
        "{}",
        r.line()
    );

    let closed = npd_test_support::closed_port();
    let url = format!("http://127.0.0.1:{}", closed.port());
    let r = run(&["pods", "--node", "n", "--server", &url]);
    assert_eq!(r.code, 2);
    assert!(r.line().ends_with("connection refused"), "{}", r.line());
}

#[test]
fn a_list_that_stops_midway_is_unknown_before_the_deadline() {
    let r = pods_by_1s(|| {
        let full = pod_list(vec![pod("a", "p-1", "node-1"), pod("a", "p-2", "node-1")]).to_string();
        let cut = full[..full.len() / 2].to_string();
        Reply::Stream(Box::new(move |w| {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            let _ = w.write_all(head.as_bytes());
            let _ = w.write_all(format!("{:x}\r\n{cut}\r\n", cut.len()).as_bytes());
            let _ = w.flush();
            std::thread::sleep(Duration::from_secs(3));
        }))
    });
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("cannot list pods: PodList: answer not complete in 1s")
            || r.line().starts_with("no answer in 1s while the apiserver"),
        "{}",
        r.line()
    );
}

#[test]
fn truncated_and_malformed_json_are_unknown() {
    let r = pods_answer(|| {
        let full = pod_list(vec![pod("a", "p-1", "node-1")]).to_string();
        let cut = &full[..full.len() - 40];
        // The server says the length it meant to send, then closes early.
        Reply::Raw(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{cut}",
                full.len()
            )
            .into_bytes(),
        )
    });
    assert_eq!(
        (r.code, r.line()),
        (
            2,
            "cannot list pods: PodList: truncated answer (connection closed)"
        )
    );
    let r = pods_answer(|| {
        let full = pod_list(vec![pod("a", "p-1", "node-1")]).to_string();
        let cut = full[..full.len() - 40].to_string();
        json_answer(200, "", cut)
    });
    assert_eq!(
        (r.code, r.line()),
        (2, "cannot list pods: PodList: truncated JSON")
    );
    let r = pods_answer(|| json_answer(200, "", r#"{"kind":"PodList","items":[{"metadata":}]}"#));
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("cannot list pods: PodList: malformed JSON at byte column 40"),
        "{}",
        r.line()
    );
    let r = pods_answer(|| ok(serde_json::json!({"kind": "Status", "status": "Success"})));
    assert_eq!(r.code, 2);
    assert!(r.line().contains("not a PodList"), "{}", r.line());
}
