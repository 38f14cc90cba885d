//! The delivery layer against the rest of the repository: every kustomization under
//! manifests/ renders with the kustomize of Debian's kubectl (and to the same objects with
//! a newer one, when there is one) and validates against several Kubernetes releases;
//! the generated ConfigMap is exactly npd-config/; every config reaches exactly one NPD
//! and every rule's binary is in the installed tree; the NPD DaemonSets keep their
//! privileges to the ones argued in manifests/daemonset/daemonset.yaml; draino acts on
//! exactly the drain-worthy conditions; the alert rules pass promtool's checks and unit
//! tests; the image is built FROM scratch and installs exactly the plugin tree.
//!
//! External tools are found by tests/tests/tools (in CI a missing one fails, elsewhere
//! it is a loud skip). Rendering helpers: tests/tests/manifests.

mod common;
mod manifests;
mod tools;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{bin_dir, configs, repo, rules};
use manifests::{rendered, rendering, strings, CONFIG_DIR, CONFIG_MAP};

const KUBERNETES_RELEASES: [&str; 4] = ["1.25.0", "1.29.0", "1.33.0", "1.37.0"];
const NPD_IMAGE: &str = "registry.k8s.io/node-problem-detector/node-problem-detector:v1.36.0";
const PLUGIN_DIR: &str = "/opt/npd-checks/bin";

fn config_names() -> BTreeSet<String> {
    configs()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

// --- the ConfigMap -------------------------------------------------------------------

#[test]
fn the_generator_lists_exactly_the_configs() {
    let path = repo().join("npd-config/kustomization.yaml");
    assert!(path.exists(), "{}", manifests::missing_generator_hint());
    let kustomization = manifests::parse_file(&path);
    let generators = kustomization["configMapGenerator"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        generators.len(),
        1,
        "npd-config/kustomization.yaml: one configMapGenerator ({CONFIG_MAP}) expected"
    );
    assert_eq!(generators[0]["name"], CONFIG_MAP);
    let listed = strings(&generators[0]["files"]);
    let set: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        set.len(),
        listed.len(),
        "npd-config/kustomization.yaml lists a file twice"
    );
    assert_eq!(
        set,
        config_names(),
        "npd-config/kustomization.yaml must list exactly npd-config/*.json (kustomize cannot \
         glob); expected:\n\n{}",
        manifests::expected_generator()
    );
}

#[test]
fn every_generated_config_map_holds_exactly_the_configs() {
    let Some(all) = rendered("every_generated_config_map_holds_exactly_the_configs") else {
        return;
    };
    let expected: BTreeMap<String, String> = configs()
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let mut seen = 0;
    for r in all {
        for cm in r.of_kind("ConfigMap") {
            let name = cm["metadata"]["name"].as_str().unwrap();
            if !name.starts_with(CONFIG_MAP) {
                continue;
            }
            seen += 1;
            let data: BTreeMap<String, String> = serde_json::from_value(cm["data"].clone())
                .unwrap_or_else(|e| panic!("{}: ConfigMap {name}: {e}", r.dir));
            assert_eq!(
                data.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "{}: ConfigMap {name} must hold exactly npd-config/*.json (list them in \
                 npd-config/kustomization.yaml)",
                r.dir
            );
            for (file, text) in &expected {
                assert!(
                    data[file] == *text,
                    "{}: {name}/{file} differs from npd-config/{file}",
                    r.dir
                );
            }
        }
    }
    assert!(seen > 0, "no rendering generated {CONFIG_MAP}");
}

// --- rendering and validation --------------------------------------------------------

#[test]
fn every_kustomization_renders_and_newer_kustomize_agrees() {
    let Some(all) = rendered("every_kustomization_renders_and_newer_kustomize_agrees") else {
        return;
    };
    for dir in [
        "manifests",
        "manifests/base",
        "manifests/addons/draino",
        "manifests/addons/prometheus",
    ] {
        rendering(all, dir);
    }
    let Some(newer) = tools::newer_kubectl() else {
        eprintln!("note: no kubectl with kustomize v4+ on PATH; compared with Debian's only");
        return;
    };
    for r in all {
        let other =
            manifests::render(&newer, &r.dir).unwrap_or_else(|e| panic!("newer kustomize: {e}"));
        assert_eq!(
            normalized(&r.objects),
            normalized(&other.objects),
            "{}: Debian's kustomize and {} render different objects",
            r.dir,
            newer.display()
        );
    }
}

/// Objects sorted by kind, namespace and name, with the generated ConfigMaps' hash
/// suffixes cut (the two kustomize versions hash differently).
fn normalized(objects: &[Value]) -> Vec<String> {
    let hash = |s: &str| -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(CONFIG_MAP) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(tail.len());
            let name = &tail[..end];
            out.push_str(name.rsplit_once('-').map_or(name, |(n, _)| n));
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    };
    let mut out: Vec<String> = objects
        .iter()
        .map(|o| hash(&serde_json::to_string(o).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn rendered_objects_validate_against_several_kubernetes_releases() {
    let test = "rendered_objects_validate_against_several_kubernetes_releases";
    let Some(all) = rendered(test) else { return };
    let found = tools::kubernetes_validate();
    let Some(validate) = tools::require(&tools::KUBERNETES_VALIDATE, found, test) else {
        return;
    };
    // kubernetes-validate has no schemas for the Prometheus Operator's kinds: their
    // content is rules.yaml, which promtool checks.
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for r in all {
        let core: Vec<&Value> = r
            .objects
            .iter()
            .filter(|o| {
                !o["apiVersion"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("monitoring.coreos.com/")
            })
            .collect();
        let text: String = core
            .iter()
            .map(|o| format!("---\n{}\n", serde_json::to_string(o).unwrap()))
            .collect();
        let file = dir.path().join(format!("{}.yaml", r.dir.replace('/', "_")));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    for release in KUBERNETES_RELEASES {
        let out = tools::run(
            tools::kubernetes_validate_command(&validate)
                .args(["--strict", "--quiet", "--kubernetes-version", release])
                .args(&files),
            120,
        )
        .unwrap_or_else(|e| panic!("Kubernetes {release}: {e}"));
        // A WARN is an object without a schema (an unknown kind or apiVersion).
        assert!(out.trim().is_empty(), "Kubernetes {release}:\n{out}");
    }
}

// --- NPD DaemonSets ------------------------------------------------------------------

#[test]
fn every_config_reaches_exactly_one_npd_of_an_overlay() {
    let Some(all) = rendered("every_config_reaches_exactly_one_npd_of_an_overlay") else {
        return;
    };
    let configs = config_names();
    let mut passed = BTreeSet::new();
    let mut deployed_npds = BTreeSet::new();
    for r in all.iter().filter(|r| r.is_deployable()) {
        let mut owner: BTreeMap<String, String> = BTreeMap::new();
        for npd in r.npds() {
            deployed_npds.insert(npd.name.clone());
            let mine = npd.configs();
            assert!(
                !mine.is_empty(),
                "{}: {} passes no config (NPD would not start): wire a role only once it has one",
                r.dir,
                npd.name
            );
            for config in mine {
                assert!(
                    configs.contains(&config),
                    "{}: {} passes {config}, which is not in npd-config/",
                    r.dir,
                    npd.name
                );
                if let Some(other) = owner.insert(config.clone(), npd.name.clone()) {
                    panic!(
                        "{}: {config} is passed by both {other} and {}: two NPDs on one node \
                         would fight over its conditions",
                        r.dir, npd.name
                    );
                }
                passed.insert(config);
            }
        }
    }
    let mut unwired = String::new();
    for config in configs.iter().filter(|c| !passed.contains(*c)) {
        let home = manifests::home(config);
        unwired.push_str(&format!(
            "\nnpd-config/{config} is passed to no NPD. It belongs to {} (overlay {}): add\n\
             \x20       - {}{CONFIG_DIR}/{config}\n\
             to the args in {}{}",
            home.npd,
            home.overlay,
            manifests::CONFIG_FLAG,
            home.args_file,
            if home.npd == "npd-checks" {
                String::new()
            } else {
                format!(
                    ", and if it is the role's first config, uncomment the role in {}/kustomization.yaml",
                    home.overlay
                )
            }
        ));
    }
    assert!(unwired.is_empty(), "{unwired}");
    // The base's NPD runs on every node: OpenStack's daemons are absent from most.
    let base = rendering(all, "manifests");
    for npd in base.npds() {
        for config in npd.configs() {
            let home = manifests::home(&config);
            assert!(
                !config.contains("openstack"),
                "manifests: the base's NPD passes {config}; it belongs to {} ({})",
                home.npd,
                home.args_file
            );
        }
    }
    // A role that has configs is deployed by an overlay; one without is not.
    for r in all.iter().filter(|r| r.is_role()) {
        for npd in r.npds() {
            let wired = deployed_npds.contains(&npd.name);
            assert_eq!(
                wired,
                !npd.configs().is_empty(),
                "{}: {} has {} config(s) but is {}wired into an overlay",
                r.dir,
                npd.name,
                npd.configs().len(),
                if wired { "" } else { "not " }
            );
        }
    }
}

#[test]
fn every_npd_mounts_a_config_map_holding_its_configs() {
    let Some(all) = rendered("every_npd_mounts_a_config_map_holding_its_configs") else {
        return;
    };
    for r in all.iter().filter(|r| !r.is_fragment()) {
        for npd in r.npds() {
            let (volume, mount) = npd.mount(CONFIG_DIR);
            assert_eq!(
                mount["readOnly"], true,
                "{}: {}: configs mounted writable",
                r.dir, npd.name
            );
            let name = volume["configMap"]["name"].as_str().unwrap_or_default();
            let cm = r.find("ConfigMap", name).unwrap_or_else(|| {
                panic!(
                    "{}: {} mounts ConfigMap {name}, which is not rendered",
                    r.dir, npd.name
                )
            });
            for config in npd.configs() {
                assert!(
                    cm["data"][&config].is_string(),
                    "{}: {} passes {config}, missing from its ConfigMap {name}",
                    r.dir,
                    npd.name
                );
            }
        }
    }
}

#[test]
fn every_rule_runs_a_binary_of_the_installed_tree() {
    let tree = tempfile::tempdir().unwrap();
    install_tree(tree.path());
    for rule in rules() {
        let name = rule
            .path
            .strip_prefix(&format!("{PLUGIN_DIR}/"))
            .unwrap_or_else(|| panic!("{}: {} is not under {PLUGIN_DIR}", rule.file, rule.path));
        let installed = tree.path().join(name);
        let mode = std::fs::metadata(&installed)
            .unwrap_or_else(|_| {
                panic!(
                    "{}: {name} is not in the tree npd-checks install makes",
                    rule.file
                )
            })
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o755,
            "{}: installed {name} has mode {mode:o}",
            rule.file
        );
    }
    let Some(all) = rendered("every_rule_runs_a_binary_of_the_installed_tree") else {
        return;
    };
    for r in all {
        for npd in r.npds() {
            let (volume, mount) = npd.mount(PLUGIN_DIR);
            assert!(
                volume["emptyDir"].is_object(),
                "{}: {}: plugins not in an emptyDir",
                r.dir,
                npd.name
            );
            assert_eq!(
                mount["readOnly"], true,
                "{}: {}: plugins mounted writable",
                r.dir, npd.name
            );
            let init = npd.init_container();
            assert_eq!(
                strings(&init["args"]),
                ["install", "--to", PLUGIN_DIR],
                "{}: {}",
                r.dir,
                npd.name
            );
            let into = init["volumeMounts"][0]["mountPath"].as_str();
            assert_eq!(
                into,
                Some(PLUGIN_DIR),
                "{}: {}: initContainer mount",
                r.dir,
                npd.name
            );
        }
    }
}

/// The tree `npd-checks install` makes from the built binaries: what the initContainer
/// installs, and what the image holds.
fn install_tree(to: &Path) {
    let from = bin_dir();
    let out = Command::new(from.join("npd-checks"))
        .arg("install")
        .arg("--from")
        .arg(&from)
        .arg("--to")
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "npd-checks install failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn npd_daemonsets_have_only_the_argued_privileges() {
    let Some(all) = rendered("npd_daemonsets_have_only_the_argued_privileges") else {
        return;
    };
    let version = env!("CARGO_PKG_VERSION");
    for r in all {
        let mut ports = BTreeSet::new();
        for npd in r.npds() {
            let at = format!("{}: {}", r.dir, npd.name);
            let pod = npd.pod;
            assert_eq!(pod["hostPID"], true, "{at}: hostPID");
            assert_eq!(pod["hostNetwork"], true, "{at}: hostNetwork");
            assert_eq!(pod["priorityClassName"], "system-node-critical", "{at}");
            assert_eq!(
                pod["tolerations"],
                serde_json::json!([{"operator": "Exists"}]),
                "{at}"
            );
            assert_eq!(npd.npd["image"], NPD_IMAGE, "{at}: NPD image");
            assert_eq!(
                strings(&npd.npd["command"]),
                ["/node-problem-detector"],
                "{at}"
            );
            assert_eq!(
                npd.init_container()["image"],
                format!("registry.invalid/npd-checks:{version}"),
                "{at}: the npd-checks image's tag is the workspace's version"
            );

            let sc = &npd.npd["securityContext"];
            assert_ne!(sc["privileged"], true, "{at}: privileged");
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{at}");
            assert_eq!(sc["readOnlyRootFilesystem"], true, "{at}");
            assert_eq!(
                sc["capabilities"]["drop"],
                serde_json::json!(["ALL"]),
                "{at}"
            );
            assert_eq!(
                sc["capabilities"]["add"],
                serde_json::json!(["DAC_READ_SEARCH"]),
                "{at}"
            );
            let init = &npd.init_container()["securityContext"];
            assert_eq!(
                init["runAsNonRoot"], true,
                "{at}: initContainer runs as root"
            );
            assert_eq!(
                init["capabilities"]["drop"],
                serde_json::json!(["ALL"]),
                "{at}"
            );

            let (host, mount) = npd.mount("/host");
            assert_eq!(host["hostPath"]["path"], "/", "{at}");
            assert_eq!(mount["readOnly"], true, "{at}: host root writable");
            assert_eq!(mount["mountPropagation"], "HostToContainer", "{at}");
            assert_eq!(npd.env("HOST_ROOT")["value"], "/host", "{at}");
            assert_eq!(
                npd.env("NODE_NAME")["valueFrom"]["fieldRef"]["fieldPath"],
                "spec.nodeName",
                "{at}"
            );
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
            // Only the state and metrics directories are writable.
            for m in npd.npd["volumeMounts"].as_array().unwrap() {
                let path = m["mountPath"].as_str().unwrap();
                let writable = [
                    "/var/lib/npd-checks",
                    "/var/lib/node_exporter/textfile_collector",
                ];
                assert!(
                    writable.contains(&path) || m["readOnly"] == true,
                    "{at}: {path} writable"
                );
            }

            assert_eq!(npd.flag("--enable-k8s-exporter"), Some("true"), "{at}");
            assert_eq!(npd.flag("--prometheus-address"), Some("0.0.0.0"), "{at}");
            assert_eq!(
                npd.flag("--port"),
                Some("0"),
                "{at}: NPD's own server stays off"
            );
            let port: u64 = npd.flag("--prometheus-port").unwrap().parse().unwrap();
            assert_eq!(
                npd.npd["ports"][0]["containerPort"], port,
                "{at}: metrics port"
            );
            assert_eq!(npd.npd["ports"][0]["name"], "metrics", "{at}");
            assert!(
                ports.insert(port),
                "{at}: host port {port} taken by another NPD here"
            );
        }
    }
    let base = rendering(all, "manifests");
    assert_eq!(base.npds().len(), 1, "manifests: one NPD DaemonSet");
    assert_eq!(base.npds()[0].flag("--prometheus-port"), Some("20257"));
}

// --- draino --------------------------------------------------------------------------

/// The condition types npd-config/README.md marks drain-worthy (its table's rows whose
/// "Drain-worthy" cell says yes, by the backticked names of their first cell) that the
/// base's configs raise. draino runs once for the cluster; a role's condition, or one
/// whose config has not landed yet, is not on every node's NPD.
fn drain_worthy() -> BTreeSet<String> {
    let path = repo().join("npd-config/README.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "npd-config/README.md is missing: its table of conditions, with a Drain-worthy \
             column, is where draino's list comes from"
        )
    });
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut lines = text
        .lines()
        .skip_while(|l| !(l.starts_with('|') && l.contains("Drain-worthy")));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("npd-config/README.md has no table with a Drain-worthy column"));
    let column = cells(header)
        .iter()
        .position(|c| c == "Drain-worthy")
        .unwrap();
    let base: BTreeSet<String> = manifests::base_configs().into_iter().collect();
    let raised: BTreeSet<String> = rules()
        .into_iter()
        .filter(|r| r.kind == "permanent" && base.contains(&r.file))
        .filter_map(|r| r.condition)
        .collect();
    let mut out = BTreeSet::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let row = cells(line);
        let verdict = row
            .get(column)
            .map(|c| c.trim_matches('*').to_ascii_lowercase());
        if !verdict.as_deref().is_some_and(|v| v.starts_with("yes")) {
            continue;
        }
        out.extend(
            row[0]
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|n| raised.contains(*n))
                .map(str::to_string),
        );
    }
    out
}

fn draino_args(deployment: &Value) -> Vec<&str> {
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(strings(&container["command"]), ["/draino"]);
    strings(&container["args"])
}

#[test]
fn draino_acts_on_exactly_the_drain_worthy_conditions() {
    let wanted = drain_worthy();
    let deployment = manifests::parse_file(&repo().join("manifests/addons/draino/deployment.yaml"));
    let args = draino_args(&deployment);
    let listed: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let lines: String = wanted
        .iter()
        .map(|c| format!("        - {c}=True,10m\n"))
        .collect();
    assert!(
        !wanted.is_empty(),
        "npd-config/README.md marks no condition drain-worthy; draino needs at least one"
    );
    let mut types = BTreeSet::new();
    for condition in &listed {
        // draino splits `Type=Status,Duration`; `Type=10m` has no status and crashes it.
        let (kind, rest) = condition
            .split_once('=')
            .unwrap_or_else(|| panic!("draino: {condition}: write Type=True,<duration>"));
        let (status, duration) = rest
            .split_once(',')
            .unwrap_or_else(|| panic!("draino: {condition}: write Type=True,<duration>"));
        assert_eq!(
            status, "True",
            "draino: {condition}: the status must be True"
        );
        assert!(
            is_go_duration(duration),
            "draino: {condition}: {duration} is not a Go duration"
        );
        assert!(types.insert(kind.to_string()), "draino lists {kind} twice");
    }
    assert_eq!(
        types, wanted,
        "draino must list exactly the drain-worthy conditions of npd-config/README.md:\n{lines}"
    );
    assert_eq!(
        args.first(),
        Some(&"--dry-run"),
        "draino is dry-run by default, --dry-run first"
    );
}

/// Go's time.ParseDuration for what we write: one or more <digits><unit>.
fn is_go_duration(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

#[test]
fn draino_live_differs_only_by_dry_run() {
    let Some(all) = rendered("draino_live_differs_only_by_dry_run") else {
        return;
    };
    let deployment = |dir| {
        rendering(all, dir)
            .find("Deployment", "draino")
            .unwrap_or_else(|| panic!("{dir}: no draino Deployment"))
            .clone()
    };
    let (dry, live) = (
        deployment("manifests/addons/draino"),
        deployment("manifests/addons/draino-live"),
    );
    let mut expected: Vec<&str> = draino_args(&dry);
    assert_eq!(expected.remove(0), "--dry-run");
    assert_eq!(draino_args(&live), expected);
    for r in all.iter().filter(|r| r.dir.contains("draino")) {
        for role in r.of_kind("ClusterRole").chain(r.of_kind("Role")) {
            assert_eq!(
                role["apiVersion"], "rbac.authorization.k8s.io/v1",
                "{}",
                r.dir
            );
        }
    }
}

// --- Prometheus ----------------------------------------------------------------------

#[test]
fn the_prometheus_rule_carries_the_rules_file() {
    let dir = repo().join("manifests/addons/prometheus");
    let rules = manifests::parse_file(&dir.join("rules.yaml"));
    let rule = manifests::parse_file(&dir.join("prometheusrule.yaml"));
    assert_eq!(rule["kind"], "PrometheusRule");
    assert_eq!(
        rule["spec"]["groups"], rules["groups"],
        "prometheusrule.yaml differs from rules.yaml: run `make prometheus-rule`"
    );
    let text = std::fs::read_to_string(dir.join("servicemonitor.yaml")).unwrap();
    assert!(
        text.contains("__meta_kubernetes_pod_node_name") && text.contains("targetLabel: node"),
        "servicemonitor.yaml must add `node`: the alerts group by it"
    );
}

#[test]
fn promtool_checks_and_unit_tests_the_rules() {
    let test = "promtool_checks_and_unit_tests_the_rules";
    let Some(promtool) = tools::require(&tools::PROMTOOL, tools::on_path("promtool"), test) else {
        return;
    };
    let dir = repo().join("manifests/addons/prometheus");
    for args in [
        ["check", "rules", "rules.yaml"],
        ["test", "rules", "rules_test.yaml"],
    ] {
        tools::run(Command::new(&promtool).args(args).current_dir(&dir), 120)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

// --- the image -----------------------------------------------------------------------

#[test]
fn the_image_is_built_from_scratch_and_installs_the_plugin_tree() {
    let test = "the_image_is_built_from_scratch_and_installs_the_plugin_tree";
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let steps: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert_eq!(
        steps.first(),
        Some(&"FROM scratch"),
        "Dockerfile: FROM scratch, nothing to pull"
    );
    assert!(
        steps.contains(&"COPY bin/ /usr/local/bin/"),
        "Dockerfile copies the staged bin/"
    );
    assert!(steps.contains(&r#"ENTRYPOINT ["/usr/local/bin/npd-checks"]"#));

    let work = tempfile::tempdir().unwrap();
    let context = work.path().join("context");
    install_tree(&context.join("bin"));
    let staged = tree(&context.join("bin"));
    assert!(
        staged.contains_key("npd-checks"),
        "the tree holds npd-checks itself"
    );

    let found = tools::on_path("buildah").filter(|_| tools::is_root());
    let Some(buildah) = tools::require(&tools::BUILDAH, found, test) else {
        return;
    };
    let storage = work.path().join("storage");
    let buildah_cmd = || {
        let mut cmd = Command::new(&buildah);
        cmd.arg("--root")
            .arg(storage.join("root"))
            .arg("--runroot")
            .arg(storage.join("run"))
            .args(["--storage-driver", "vfs"]);
        cmd
    };
    let image = "localhost/npd-checks-delivery-test:latest";
    let result = (|| -> Result<(), String> {
        tools::run(
            buildah_cmd()
                .args(["bud", "--quiet", "--isolation", "chroot", "--file"])
                .arg(repo().join("Dockerfile"))
                .args(["--tag", image])
                .arg(&context),
            300,
        )?;
        let inspect = tools::run(
            buildah_cmd().args(["inspect", "--type", "image", image]),
            60,
        )?;
        let inspect: Value = serde_json::from_str(&inspect).map_err(|e| e.to_string())?;
        let config = &inspect["OCIv1"]["config"];
        assert_eq!(
            config["Entrypoint"],
            serde_json::json!(["/usr/local/bin/npd-checks"])
        );
        assert_eq!(config["User"], "65534:65534");
        let layers = inspect["OCIv1"]["rootfs"]["diff_ids"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(layers, 1, "FROM scratch and one COPY make one layer");
        // Run the initContainer's command in the image, into a directory as writable as
        // an emptyDir: it must install exactly the staged tree.
        let out = work.path().join("emptydir");
        std::fs::create_dir(&out).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
        let container = tools::run(buildah_cmd().args(["from", "--pull-never", image]), 60)?;
        tools::run(
            buildah_cmd()
                .args(["run", "--isolation", "chroot", "--volume"])
                .arg(format!("{}:{PLUGIN_DIR}", out.display()))
                .arg(container.trim())
                .args([
                    "--",
                    "/usr/local/bin/npd-checks",
                    "install",
                    "--to",
                    PLUGIN_DIR,
                ]),
            120,
        )?;
        assert_eq!(tree(&out), staged, "the image installs a different tree");
        Ok(())
    })();
    let _ = tools::run(buildah_cmd().args(["rm", "--all"]), 60);
    let _ = tools::run(buildah_cmd().args(["rmi", "--all", "--force"]), 60);
    result.unwrap_or_else(|e| panic!("{e}"));
}

/// File name -> (mode, content) of a directory's regular files.
fn tree(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let mode = e.metadata().unwrap().permissions().mode() & 0o7777;
            (
                e.file_name().to_string_lossy().into_owned(),
                (mode, std::fs::read(e.path()).unwrap()),
            )
        })
        .collect()
}
