//! How npd-kube finds and trusts the apiserver, and what it refuses to start with.

use crate::util::{ok, pod_list, run, Apiserver, Reply};

fn ready() -> Reply {
    Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec())
}

#[test]
fn flags_work_before_and_after_the_subcommand() {
    let api = Apiserver::start(|_| ready());
    let mut before: Vec<String> = api.access();
    before.extend(["--timeout".into(), "2s".into(), "apiserver".into()]);
    let before: Vec<&str> = before.iter().map(String::as_str).collect();
    assert_eq!(run(&before).code, 0);
    let mut after = vec!["apiserver".to_string(), "--timeout".into(), "2s".into()];
    after.extend(api.access());
    let after: Vec<&str> = after.iter().map(String::as_str).collect();
    assert_eq!(run(&after).code, 0);
}

#[test]
fn in_cluster_uses_the_service_environment_and_its_files() {
    let api = Apiserver::start(|_| ok(pod_list(vec![])));
    let r = npd_test_support::Invocation::new(
        crate::util::BIN,
        &[
            "pods",
            "--token-file",
            api.creds.token().to_str().unwrap(),
            "--ca-file",
            api.creds.ca().to_str().unwrap(),
        ],
    )
    .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    .env("KUBERNETES_SERVICE_PORT", &api.port().to_string())
    .env("NODE_NAME", "node-7")
    .go();
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    assert!(api.requests()[0].contains("spec.nodeName%3Dnode-7"));

    let r = run(&["pods"]);
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("no node name: give --node or set NODE_NAME"),
        "{}",
        r.line()
    );
    let r = run(&["pods", "--node", "n"]);
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("not in a cluster: KUBERNETES_SERVICE_HOST is unset"),
        "{}",
        r.line()
    );
}

#[test]
fn a_kubeconfig_gives_server_ca_and_token() {
    use base64::Engine;
    let api = Apiserver::start(|_| ready());
    let ca = base64::engine::general_purpose::STANDARD.encode(api.creds.ca_pem());
    let config = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\ncontexts:\n- name: test\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    tokenFile: token\n",
        api.url()
    );
    let path = api.creds.dir().join("kubeconfig");
    std::fs::write(&path, config).unwrap();
    let r = run(&["apiserver", "--kubeconfig", path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.line());
    assert!(api.requests()[0].contains("Bearer test-token-123"));
    let r = run(&["apiserver", "--kubeconfig", "/nonexistent/kubeconfig"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.line(),
        "cannot read kubeconfig /nonexistent/kubeconfig: not found"
    );
}

#[test]
fn only_the_cluster_ca_is_trusted() {
    let api = Apiserver::start(|_| ready());
    let other = crate::util::Creds::new();
    let r = run(&[
        "apiserver",
        "--server",
        &api.url(),
        "--ca-file",
        other.ca().to_str().unwrap(),
    ]);
    assert_eq!(
        r.code, 2,
        "a CA that does not match cannot judge the apiserver"
    );
    assert!(
        r.line()
            .ends_with("TLS: certificate not signed by the trusted CA"),
        "{}",
        r.line()
    );
    let r = run(&["apiserver", "--server", &api.url()]);
    assert_eq!(r.code, 2);
    assert!(
        r.line()
            .starts_with("bad flags: --server https:// needs --ca-file"),
        "{}",
        r.line()
    );
}

#[test]
fn bad_flags_are_unknown_never_a_problem() {
    for args in [
        vec![],
        vec!["nodes"],
        vec!["pods", "--node", "Node_1"],
        vec!["pods", "--node", "n", "--not-ready-for", "5"],
        vec!["deployment", "keystone"],
        vec!["deployment", "a/b", "--min-available", "0"],
        vec!["service", "a/b/c"],
        vec!["apiserver", "--server", "ftp://x"],
        vec!["apiserver", "--kubeconfig", "k", "--server", "http://x"],
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.line());
        assert!(
            r.line().starts_with("bad flags: "),
            "{args:?}: {}",
            r.line()
        );
    }
}

#[test]
fn help_shows_an_example_rule_for_the_subcommands() {
    let r = npd_test_support::run(crate::util::BIN, &["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Example NPD rule:"));
    assert!(r.stdout.contains("/opt/npd-checks/bin/npd-kube"));
    let r = npd_test_support::run(crate::util::BIN, &["pods", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--not-ready-for"));
    assert!(!r.stdout.contains('%'));
}

#[test]
fn the_help_has_an_accepted_example_rule_and_the_notes() {
    npd_test_support::assert_help(crate::util::BIN, &["apiserver"]);
}
