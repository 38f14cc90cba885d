//! A 403 says what the apiserver said: the authorizer's reason when it gave one (the
//! Node authorizer refusing a node's identity), the RBAC hint only where RBAC
//! decided. Always Unknown: the pods were not seen.

use crate::util::{run, status, Apiserver, Run};

/// `pods --node a` against an apiserver answering every request with a 403 Status
/// carrying `message`.
fn pods_forbidden(message: &'static str) -> Run {
    let api = Apiserver::start(move |_| status(403, "Forbidden", message));
    let mut args = vec!["pods".to_string(), "--node".into(), "a".into()];
    args.extend(api.access());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&args);
    assert_eq!(r.code, 2, "{}\n{}", r.line(), r.stderr);
    r
}

#[test]
fn a_node_identity_refused_by_the_node_authorizer_is_told_so_not_sent_to_rbac() {
    let r = pods_forbidden(
        "pods is forbidden: User \"system:node:a\" cannot list resource \"pods\" in API \
         group \"\" at the cluster scope: node 'a' cannot read pods of node 'b'",
    );
    assert_eq!(
        r.line(),
        "cannot list pods: 403: node 'a' cannot read pods of node 'b'"
    );
    assert!(!r.stderr.contains("needs a role"), "{}", r.stderr);
    assert!(r.stderr.contains("system:node:a"), "{}", r.stderr);

    // No reason given: who was refused what, and where to look instead of RBAC.
    let r = pods_forbidden(
        "pods is forbidden: User \"system:node:a\" cannot list resource \"pods\" in API \
         group \"\" at the cluster scope",
    );
    assert_eq!(
        r.line(),
        "cannot list pods: 403: system:node:a cannot list pods"
    );
    assert!(r.stderr.contains("Node authorizer"), "{}", r.stderr);
    assert!(!r.stderr.contains("needs a role"), "{}", r.stderr);
}

#[test]
fn a_service_account_refused_by_rbac_gets_the_rbac_hint() {
    let r = pods_forbidden(
        "pods is forbidden: User \"system:serviceaccount:kube-system:npd-checks\" cannot \
         list resource \"pods\" in API group \"\" at the cluster scope",
    );
    assert_eq!(r.line(), "cannot list pods: 403: RBAC must allow list pods");
    assert!(
        r.stderr.contains(
            "system:serviceaccount:kube-system:npd-checks needs a role allowing list pods"
        ),
        "{}",
        r.stderr
    );
    // RBAC's own reason (a binding to a role that does not exist) is the answer.
    let r = pods_forbidden(
        "pods is forbidden: User \"system:serviceaccount:kube-system:npd-checks\" cannot \
         list resource \"pods\" in API group \"\" at the cluster scope: RBAC: \
         clusterrole.rbac.authorization.k8s.io \"npd-checks\" not found",
    );
    assert!(
        r.line()
            .starts_with("cannot list pods: 403: RBAC: clusterrole.rbac.authorization.k8s.io"),
        "{}",
        r.line()
    );
}

#[test]
fn a_403_in_another_form_is_passed_on_as_said() {
    let r = pods_forbidden("admission webhook \"policy.example\" denied the request: 100% off");
    assert!(
        r.line()
            .starts_with("cannot list pods: 403: admission webhook \"policy.example\" denied"),
        "{}",
        r.line()
    );
}
