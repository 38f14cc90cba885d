//! The privileges of the NPD DaemonSets and their RBAC, each argued in
//! manifests/daemonset/daemonset.yaml (and the RBAC files): the plugins' container keeps
//! one capability and no privilege; the kernel log's container, in the base only, is
//! privileged for /dev/kmsg and runs nothing else; the ClusterRoles grant exactly what
//! NPD and the plugins use; an NPD whose rules read OpenStack credentials mounts them,
//! read-only, from the optional Secret the README tells you to create;
//! manifests/README.md names every item Pod Security's `baseline` refuses and the
//! namespace label that admits the pods.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::common::repo;
use crate::manifests::{self, rendered, rendering, strings, Npd, NPD_IMAGE};

/// The host paths a pod of ours may mount, and whether NPD may write there.
const HOST_PATHS: [(&str, bool); 4] = [
    ("/", false),
    ("/dev/kmsg", false),
    ("/var/lib/npd-checks", true),
    ("/var/lib/node_exporter/textfile_collector", true),
];

#[test]
fn npd_daemonsets_have_only_the_argued_privileges() {
    let Some(all) = rendered("npd_daemonsets_have_only_the_argued_privileges") else {
        return;
    };
    for r in all {
        let mut ports = BTreeSet::new();
        for daemonset in r.of_kind("DaemonSet") {
            let name = daemonset["metadata"]["name"].as_str().unwrap();
            let at = format!("{}: {name}", r.dir);
            let pod = &daemonset["spec"]["template"]["spec"];
            assert_eq!(pod["hostPID"], true, "{at}: hostPID");
            assert_eq!(pod["hostNetwork"], true, "{at}: hostNetwork");
            assert_eq!(pod["priorityClassName"], "system-node-critical", "{at}");
            assert_eq!(pod["tolerations"], json!([{"operator": "Exists"}]), "{at}");
            for volume in pod["volumes"].as_array().unwrap() {
                if let Some(path) = volume["hostPath"]["path"].as_str() {
                    assert!(
                        HOST_PATHS.iter().any(|(p, _)| *p == path),
                        "{at}: hostPath {path} is not one of the argued ones"
                    );
                }
            }
            let containers: Vec<&str> = pod["containers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            // One kernel log reader per node: the base's.
            let expected: &[&str] = if name == "npd-checks" {
                &["node-problem-detector", "kernel-log-monitor"]
            } else {
                &["node-problem-detector"]
            };
            assert_eq!(containers, expected, "{at}: containers");
            let kmsg = pod["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["name"] == "kmsg");
            assert_eq!(kmsg, name == "npd-checks", "{at}: the kmsg volume");
            for npd in Npd::all(daemonset) {
                let port: u64 = npd.flag("--prometheus-port").unwrap().parse().unwrap();
                assert_eq!(
                    npd.npd["ports"][0]["containerPort"], port,
                    "{at}: metrics port"
                );
                assert!(
                    ports.insert(port),
                    "{at}: host port {port} taken by another NPD here"
                );
                assert_eq!(npd.flag("--enable-k8s-exporter"), Some("true"), "{at}");
                assert_eq!(npd.flag("--prometheus-address"), Some("0.0.0.0"), "{at}");
                assert_eq!(
                    npd.flag("--port"),
                    Some("0"),
                    "{at}: NPD's own server stays off"
                );
                assert_eq!(npd.npd["image"], NPD_IMAGE, "{at}: NPD image");
                assert_eq!(
                    strings(&npd.npd["command"]),
                    ["/node-problem-detector"],
                    "{at}"
                );
                assert_eq!(
                    npd.env("NODE_NAME")["valueFrom"]["fieldRef"]["fieldPath"],
                    "spec.nodeName",
                    "{at}"
                );
                for m in npd.npd["volumeMounts"].as_array().unwrap() {
                    let volume = npd.volume(m["name"].as_str().unwrap());
                    let writable = volume["hostPath"]["path"]
                        .as_str()
                        .is_some_and(|p| HOST_PATHS.contains(&(p, true)));
                    assert!(
                        writable || m["readOnly"] == true,
                        "{at}: {} writable",
                        m["mountPath"]
                    );
                }
                match npd.container.as_str() {
                    "node-problem-detector" => plugins_container(&npd, name, &at),
                    "kernel-log-monitor" => kernel_container(&npd, &at),
                    other => panic!("{at}: NPD container {other}"),
                }
            }
        }
    }
    let base = rendering(all, "manifests");
    assert_eq!(
        base.of_kind("DaemonSet").count(),
        1,
        "manifests: one NPD DaemonSet"
    );
    assert_eq!(base.npds()[0].flag("--prometheus-port"), Some("20257"));
}

/// The container that runs plugins: not privileged, one capability; the GPU role's one
/// more, CAP_SYSLOG, for npd-gpu's XID rules, which read the kernel log with syslog(2)
/// and are the only rules that need it.
fn plugins_container(npd: &Npd, daemonset: &str, at: &str) {
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        npd.init_container()["image"],
        format!("registry.invalid/npd-checks:{version}"),
        "{at}: the npd-checks image's tag is the workspace's version"
    );
    let sc = &npd.npd["securityContext"];
    assert_ne!(sc["privileged"], true, "{at}: privileged");
    assert_eq!(sc["allowPrivilegeEscalation"], false, "{at}");
    assert_eq!(sc["readOnlyRootFilesystem"], true, "{at}");
    assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]), "{at}");
    let reads_the_kernel_log = npd.configs().iter().any(|c| c == "npd-gpu.json");
    assert_eq!(
        reads_the_kernel_log,
        daemonset == "npd-checks-gpu-nvidia",
        "{at}: npd-gpu.json is the GPU role's"
    );
    let expected = if reads_the_kernel_log {
        json!(["DAC_READ_SEARCH", "SYSLOG"])
    } else {
        json!(["DAC_READ_SEARCH"])
    };
    assert_eq!(sc["capabilities"]["add"], expected, "{at}");
    let init = &npd.init_container()["securityContext"];
    assert_eq!(
        init["runAsNonRoot"], true,
        "{at}: initContainer runs as root"
    );
    assert_eq!(init["capabilities"]["drop"], json!(["ALL"]), "{at}");
    let (host, mount) = npd.mount("/host");
    assert_eq!(host["hostPath"]["path"], "/", "{at}");
    assert_eq!(mount["mountPropagation"], "HostToContainer", "{at}");
    assert_eq!(npd.env("HOST_ROOT")["value"], "/host", "{at}");
    for (env, host_path) in [
        ("NPD_CHECKS_STATE_DIR", "/var/lib/npd-checks"),
        (
            "NPD_CHECKS_METRICS_DIR",
            "/var/lib/node_exporter/textfile_collector",
        ),
    ] {
        let path = npd.env(env)["value"].as_str().unwrap();
        let (volume, _) = npd.mount(path);
        assert_eq!(volume["hostPath"]["path"], host_path, "{at}: {env}");
        assert_eq!(
            volume["hostPath"]["type"], "DirectoryOrCreate",
            "{at}: {env}"
        );
    }
    assert_eq!(npd.npd["ports"][0]["name"], "metrics", "{at}");
    assert!(
        !npd.args()
            .iter()
            .any(|a| a.starts_with(manifests::LOG_CONFIG_FLAG)),
        "{at}: the plugins' NPD cannot read the kernel log"
    );
}

/// The kernel log's container: privileged for /dev/kmsg (the device cgroup refuses it
/// otherwise), and only NPD's log monitors, the config and the device in it.
fn kernel_container(npd: &Npd, at: &str) {
    let sc = &npd.npd["securityContext"];
    assert_eq!(sc["privileged"], true, "{at}: /dev/kmsg needs it");
    assert_eq!(sc["readOnlyRootFilesystem"], true, "{at}");
    assert_eq!(sc["runAsUser"], 0, "{at}: CAP_SYSLOG is root's");
    let mounts: Vec<&str> = npd.npd["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mountPath"].as_str().unwrap())
        .collect();
    assert_eq!(mounts, [manifests::CONFIG_DIR, "/dev/kmsg"], "{at}: mounts");
    let (kmsg, _) = npd.mount("/dev/kmsg");
    assert_eq!(
        kmsg["hostPath"],
        json!({"path": "/dev/kmsg", "type": "CharDevice"}),
        "{at}"
    );
    let env: Vec<&Value> = npd.npd["env"].as_array().unwrap().iter().collect();
    assert_eq!(env.len(), 1, "{at}: NODE_NAME only");
    assert_eq!(npd.npd["ports"][0]["name"], "kernel-metrics", "{at}");
    assert!(
        !npd.args()
            .iter()
            .any(|a| a.starts_with(manifests::CONFIG_FLAG)),
        "{at}: no plugin runs in the privileged container"
    );
}

/// What NPD v1.36 and the plugins do with the API, and nothing more: NPD reads its Node,
/// patches its status and creates and patches Events (never updates one); npd-kube lists
/// the pods of its node; the control-plane role adds its cluster-scoped reads.
#[test]
fn the_cluster_roles_grant_exactly_what_npd_and_the_plugins_use() {
    let role = |file: &str, name: &str| -> Value {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        let docs = manifests::parse_docs(&text).unwrap();
        docs.into_iter()
            .find(|d| d["kind"] == "ClusterRole" && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{file}: no ClusterRole {name}"))["rules"]
            .clone()
    };
    assert_eq!(
        role("manifests/base/rbac.yaml", "npd-checks"),
        json!([
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["nodes/status"], "verbs": ["patch"]},
            {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        ]),
        "manifests/base/rbac.yaml"
    );
    assert_eq!(
        role(
            "manifests/roles/control-plane/rbac.yaml",
            "npd-checks-control-plane-api"
        ),
        json!([
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
            {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list"]},
        ]),
        "manifests/roles/control-plane/rbac.yaml"
    );
}

/// Each field of our pods that Pod Security's `baseline` level refuses, as the words
/// manifests/README.md must use for it.
fn baseline_violations(pod: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for field in ["hostPID", "hostNetwork", "hostIPC"] {
        if pod[field] == true {
            out.insert(field.to_string());
        }
    }
    for volume in pod["volumes"].as_array().unwrap() {
        if let Some(path) = volume["hostPath"]["path"].as_str() {
            out.insert("hostPath".to_string());
            out.insert(format!("`{path}`"));
        }
    }
    for c in pod["containers"].as_array().unwrap() {
        // With hostNetwork, every container port is a host port.
        if pod["hostNetwork"] == true && c["ports"].as_array().is_some_and(|p| !p.is_empty()) {
            out.insert("host port".to_string());
        }
        if c["securityContext"]["privileged"] == true {
            out.insert("privileged".to_string());
        }
        for cap in strings(&c["securityContext"]["capabilities"]["add"]) {
            out.insert(format!("`{cap}`"));
        }
    }
    out
}

#[test]
fn the_readme_names_every_pod_security_item_and_the_namespace_label() {
    let Some(all) = rendered("the_readme_names_every_pod_security_item_and_the_namespace_label")
    else {
        return;
    };
    let readme = std::fs::read_to_string(repo().join("manifests/README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Pod Security"))
        .expect("manifests/README.md: no section `## Pod Security`");
    assert!(
        section.contains("pod-security.kubernetes.io/enforce=privileged"),
        "manifests/README.md: the namespace label is not given"
    );
    for r in all.iter().filter(|r| r.is_deployable()) {
        for daemonset in r.of_kind("DaemonSet") {
            for item in baseline_violations(&daemonset["spec"]["template"]["spec"]) {
                assert!(
                    section.contains(&item),
                    "manifests/README.md, Pod Security: {item} ({}: {}) is not named",
                    r.dir,
                    daemonset["metadata"]["name"]
                );
            }
        }
    }
}

/// Every NPD passing a config whose rules name `--os-config FILE` mounts FILE's directory
/// read-only from the Secret npd-checks-openstack, optional so that NPD starts without it
/// (the rules then answer Unknown): the same Secret for every OpenStack role.
#[test]
fn npds_running_openstack_rules_mount_the_credentials() {
    let Some(all) = rendered("npds_running_openstack_rules_mount_the_credentials") else {
        return;
    };
    let rules = crate::common::rules();
    let mut seen = 0;
    for r in all.iter().filter(|r| !r.is_fragment()) {
        for npd in r.npds() {
            let configs = npd.configs();
            for rule in rules.iter().filter(|rule| configs.contains(&rule.file)) {
                let Some(i) = rule.args.iter().position(|a| a == "--os-config") else {
                    continue;
                };
                let file = &rule.args[i + 1];
                let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
                let at = format!("{}: {} ({})", r.dir, npd.at(), rule.file);
                let (volume, mount) = npd.mount(dir);
                assert_eq!(mount["readOnly"], true, "{at}: {dir}");
                assert_eq!(
                    volume["secret"],
                    json!({"secretName": "npd-checks-openstack", "optional": true, "defaultMode": 0o400}),
                    "{at}: the volume at {dir}"
                );
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no NPD runs a rule with --os-config");
}
