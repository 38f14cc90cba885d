//! The ConfigMap and the configs it carries: generated from exactly npd-config/*.json;
//! every config loaded by exactly one NPD container of an overlay, with the flag of its
//! monitor (`--config.custom-plugin-monitor` for plugins, `--config.system-log-monitor`
//! for the kernel log) and from a ConfigMap that holds it; on the nodes of its home (the
//! role whose label openstack-helm gives the daemons it judges), as manifests/README.md's
//! role table says; and the NPDs load exactly the configs `make test` lints.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::common::{configs, repo, CUSTOM};
use crate::manifests::{self, rendered, rendering, strings, CONFIG_DIR, CONFIG_MAP};
use crate::{config_names, tools};

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

#[test]
fn every_config_reaches_exactly_one_npd_of_an_overlay() {
    let Some(all) = rendered("every_config_reaches_exactly_one_npd_of_an_overlay") else {
        return;
    };
    let configs = config_names();
    let mut passed = BTreeSet::new();
    let mut deployed = BTreeSet::new();
    for r in all.iter().filter(|r| r.is_deployable()) {
        // Two NPDs on one node loading one config would fight over its conditions.
        let mut owner: BTreeMap<String, String> = BTreeMap::new();
        for npd in r.npds() {
            deployed.insert(npd.name.clone());
            let mine = npd.configs();
            assert!(
                !mine.is_empty(),
                "{}: {} passes no config (NPD would not start): wire a role only once it has one",
                r.dir,
                npd.at()
            );
            for config in mine {
                assert!(
                    configs.contains(&config),
                    "{}: {} passes {config}, which is not in npd-config/",
                    r.dir,
                    npd.at()
                );
                // On the nodes that run what it judges: a network or storage node's
                // checks where openstack-helm schedules its agents, none elsewhere.
                let home = manifests::home(&config);
                assert_eq!(
                    npd.name,
                    home.npd,
                    "{}: {} passes {config}, whose home is {} ({})",
                    r.dir,
                    npd.at(),
                    home.npd,
                    home.args_file
                );
                if let Some(other) = owner.insert(config.clone(), npd.at()) {
                    panic!(
                        "{}: {config} is passed by both {other} and {}: two NPDs on one node \
                         would fight over its conditions",
                        r.dir,
                        npd.at()
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
            "\nnpd-config/{config} is passed to no NPD. It belongs to {} container {} \
             (overlay {}): add\n\x20       - {}{CONFIG_DIR}/{config}\nto its args in {}{}",
            home.npd,
            home.container,
            home.overlay,
            manifests::flag_for(config),
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
    for npd in rendering(all, "manifests").npds() {
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
            let wired = deployed.contains(&npd.name);
            assert_eq!(
                wired,
                !npd.configs().is_empty(),
                "{}: {} has {} config(s) but is {}wired into an overlay",
                r.dir,
                npd.at(),
                npd.configs().len(),
                if wired { "" } else { "not " }
            );
        }
    }
}

/// manifests/README.md's role table: one row per role overlay, naming the labels its
/// DaemonSet is placed by and exactly the configs it passes.
#[test]
fn the_readme_role_table_says_where_each_role_runs_and_what() {
    let Some(all) = rendered("the_readme_role_table_says_where_each_role_runs_and_what") else {
        return;
    };
    let readme = std::fs::read_to_string(repo().join("manifests/README.md")).unwrap();
    let ticked = |cell: &str| -> BTreeSet<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    // The base's own placement (every Linux node) is not the role's.
    let base = manifests::parse_file(&repo().join("manifests/daemonset/daemonset.yaml"));
    let everywhere = &base["spec"]["template"]["spec"]["nodeSelector"];
    let mut rows = BTreeSet::new();
    for line in readme.lines().filter(|l| l.starts_with("| `overlays/")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let dir = format!("manifests/{}", cells[1].trim_matches('`'));
        rows.insert(dir.clone());
        let r = rendering(all, &dir);
        let roles: Vec<_> = r
            .npds()
            .into_iter()
            .filter(|n| n.name != "npd-checks")
            .collect();
        assert_eq!(roles.len(), 1, "{dir}: one role NPD expected");
        let npd = &roles[0];
        let configs: BTreeSet<String> = npd.configs().into_iter().collect();
        let named: BTreeSet<String> = ticked(cells[3]);
        assert_eq!(
            named, configs,
            "manifests/README.md: the row of {dir}, role configs"
        );
        let labels = ticked(cells[2]);
        let mut placed = Vec::new();
        if let Some(selector) = npd.pod["nodeSelector"].as_object() {
            placed.extend(
                selector
                    .iter()
                    .filter(|(k, v)| everywhere[k.as_str()] != **v)
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())),
            );
        }
        let terms = &npd.pod["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
        for term in terms.as_array().into_iter().flatten() {
            for e in term["matchExpressions"].as_array().into_iter().flatten() {
                assert_eq!(e["operator"], "Exists", "{dir}: {e}");
                placed.push(e["key"].as_str().unwrap_or_default().to_string());
            }
        }
        assert!(
            !placed.is_empty(),
            "{dir}: {} is placed by no label",
            npd.at()
        );
        for label in placed {
            assert!(
                labels.contains(&label),
                "manifests/README.md: the row of {dir} does not name `{label}`"
            );
        }
    }
    for r in all.iter().filter(|r| r.is_deployable()) {
        if r.npds().iter().any(|n| n.name != "npd-checks") {
            assert!(
                rows.contains(&r.dir),
                "manifests/README.md: no role table row for {}",
                r.dir
            );
        }
    }
}

/// A custom plugin monitor's config loaded as a system log monitor (or the reverse)
/// stops NPD at start; and the kernel log may only be read by the container that can.
#[test]
fn every_config_is_loaded_by_the_monitor_of_its_plugin() {
    let Some(all) = rendered("every_config_is_loaded_by_the_monitor_of_its_plugin") else {
        return;
    };
    for r in all {
        for npd in r.npds() {
            for arg in npd.args() {
                let (flag, paths) = match arg.split_once('=') {
                    Some((f, p)) if f.starts_with("--config.") => (f, p),
                    _ => continue,
                };
                for path in paths.split(',') {
                    let file = path.rsplit('/').next().unwrap();
                    let expected = manifests::flag_for(file);
                    assert_eq!(
                        format!("{flag}="),
                        expected,
                        "{}: {} loads {file} with {flag}",
                        r.dir,
                        npd.at()
                    );
                    let home = manifests::home(file);
                    let custom =
                        crate::common::plugin_of(&repo().join("npd-config").join(file)) == CUSTOM;
                    assert_eq!(
                        npd.container,
                        if custom {
                            "node-problem-detector"
                        } else {
                            home.container
                        },
                        "{}: {} loads {file}",
                        r.dir,
                        npd.at()
                    );
                }
            }
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
                mount["readOnly"],
                true,
                "{}: {}: configs mounted writable",
                r.dir,
                npd.at()
            );
            let name = volume["configMap"]["name"].as_str().unwrap_or_default();
            let cm = r.find("ConfigMap", name).unwrap_or_else(|| {
                panic!(
                    "{}: {} mounts ConfigMap {name}, which is not rendered",
                    r.dir,
                    npd.at()
                )
            });
            for config in npd.configs() {
                assert!(
                    cm["data"][&config].is_string(),
                    "{}: {} passes {config}, missing from its ConfigMap {name}",
                    r.dir,
                    npd.at()
                );
            }
        }
    }
}

/// What the DaemonSets load, across the base, every role and every overlay (the cloud
/// overlays add a config to the base's NPD), is what `make test` lints (the Makefile's
/// CONFIGS): no config is shipped unlinted, none linted and not shipped.
#[test]
fn the_npds_load_exactly_the_configs_make_lints() {
    let test = "the_npds_load_exactly_the_configs_make_lints";
    let Some(all) = rendered(test) else { return };
    let Some(make) = tools::require(&tools::MAKE, tools::on_path("make"), test) else {
        return;
    };
    let listed = tools::run(
        Command::new(make)
            .args(["-s", "--no-print-directory", "list-configs"])
            .current_dir(repo()),
        60,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let linted: BTreeSet<String> = listed
        .split_whitespace()
        .map(|p| p.trim_start_matches("npd-config/").to_string())
        .collect();
    let mut loaded = BTreeSet::new();
    let base = rendering(all, "manifests");
    let others = all.iter().filter(|r| r.is_role() || r.is_deployable());
    for r in std::iter::once(base).chain(others) {
        for npd in r.npds() {
            for config in npd.configs() {
                assert!(
                    linted.contains(&config),
                    "{}: {} loads {config}, which `make test` does not lint (the Makefile's CONFIGS)",
                    r.dir,
                    npd.at()
                );
                loaded.insert(config);
            }
        }
    }
    let unloaded: Vec<&String> = linted.difference(&loaded).collect();
    assert!(
        unloaded.is_empty(),
        "`make test` lints {unloaded:?}, which no DaemonSet loads"
    );
}
