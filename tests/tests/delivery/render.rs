//! Every kustomization renders with current kustomize (v5, as in kubectl 1.27 and later)
//! without a word on stderr, names no field kustomize v5 deprecates, and its objects
//! validate against several Kubernetes releases.

use serde_json::Value;

use crate::common::repo;
use crate::manifests::{self, rendered, rendering};
use crate::tools;

const KUBERNETES_RELEASES: [&str; 4] = ["1.25.0", "1.29.0", "1.33.0", "1.37.0"];

/// Kustomization fields kustomize v5 warns about, with what replaces each.
const DEPRECATED: [(&str, &str); 6] = [
    ("bases", "resources"),
    ("commonLabels", "labels (with includeSelectors: true)"),
    ("patchesStrategicMerge", "patches"),
    ("patchesJson6902", "patches (with a target)"),
    ("vars", "replacements"),
    ("imageTags", "images"),
];

#[test]
fn no_kustomization_names_a_deprecated_field() {
    let mut dirs = manifests::kustomization_dirs();
    dirs.push("npd-config".to_string());
    for dir in dirs {
        let path = repo().join(&dir).join("kustomization.yaml");
        let kustomization = manifests::parse_file(&path);
        for (field, instead) in DEPRECATED {
            assert!(
                kustomization.get(field).is_none(),
                "{dir}/kustomization.yaml: `{field}` is deprecated in kustomize v5: use {instead}"
            );
        }
    }
}

#[test]
fn every_kustomization_renders_without_a_warning() {
    let Some(all) = rendered("every_kustomization_renders_without_a_warning") else {
        return;
    };
    for dir in [
        "manifests",
        "manifests/base",
        "manifests/addons/draino",
        "manifests/addons/prometheus",
        "manifests/addons/node-healthcheck",
    ] {
        rendering(all, dir);
    }
    for r in all {
        assert!(
            r.stderr.trim().is_empty(),
            "{}: kustomize said on stderr:\n{}",
            r.dir,
            r.stderr
        );
    }
}

#[test]
fn rendered_objects_validate_against_several_kubernetes_releases() {
    let test = "rendered_objects_validate_against_several_kubernetes_releases";
    let Some(all) = rendered(test) else { return };
    let found = tools::kubernetes_validate();
    let Some(validate) = tools::require(&tools::KUBERNETES_VALIDATE, found, test) else {
        return;
    };
    // kubernetes-validate has no schemas for the Prometheus Operator's kinds (their
    // content is rules.yaml, which promtool checks) nor for medik8s' NodeHealthCheck
    // (delivery/fleet.rs checks its fields).
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for r in all {
        let core: Vec<&Value> = r
            .objects
            .iter()
            .filter(|o| {
                let api = o["apiVersion"].as_str().unwrap_or("");
                !api.starts_with("monitoring.coreos.com/")
                    && !api.starts_with("remediation.medik8s.io/")
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
