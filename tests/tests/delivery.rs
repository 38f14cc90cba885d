//! The delivery layer against the rest of the repository, one module per concern:
//!
//! - `render`: every kustomization under manifests/ renders with kubectl's kustomize (v5)
//!   without a warning, uses no deprecated field, and validates against Kubernetes 1.25
//!   to 1.37;
//! - `configmap`: the generated ConfigMap is exactly npd-config/; every config reaches
//!   exactly one NPD container, the NPD of its home, with the flag of its monitor;
//!   manifests/README.md's role table names each role's labels and configs; the NPDs
//!   load exactly what `make test` lints;
//! - `configs`: what the shipped configs mean on a node: NPD's kernel log monitors kept,
//!   conditions that survive an NPD restart, kube-proxy probed on /livez;
//! - `privileges`: the NPD containers keep the privileges argued in
//!   manifests/daemonset/daemonset.yaml, the RBAC what NPD and the plugins use,
//!   manifests/README.md names every Pod Security item, and every NPD running a rule
//!   with `--os-config` mounts the credentials Secret;
//! - `draino`: draino acts on exactly the drain-worthy conditions;
//! - `fleet`: Node Health Check names draino's conditions, and what each add-on lets a
//!   fleet-wide cause do;
//! - `prometheus`: every NPD is scraped, the alert rules pass promtool's checks and tests;
//! - `prune`: the initContainer that removes stale conditions names exactly the configs
//!   NPD loads, and each DaemonSet prunes under its own name;
//! - `image`: every rule's binary is in the installed tree, and the image is built FROM
//!   scratch and installs exactly that tree.
//!
//! External tools are found by tests/tests/tools (in CI a missing one fails, elsewhere
//! it is a loud skip). Rendering helpers: tests/tests/manifests.

mod common;
mod manifests;
mod tools;

#[path = "delivery/configmap.rs"]
mod configmap;
#[path = "delivery/configs.rs"]
mod configs;
#[path = "delivery/draino.rs"]
mod draino;
#[path = "delivery/fleet.rs"]
mod fleet;
#[path = "delivery/image.rs"]
mod image;
#[path = "delivery/privileges.rs"]
mod privileges;
#[path = "delivery/prometheus.rs"]
mod prometheus;
#[path = "delivery/prune.rs"]
mod prune;
#[path = "delivery/render.rs"]
mod render;

use std::collections::BTreeSet;

/// Where the initContainer installs the plugins, the path every rule names.
const PLUGIN_DIR: &str = "/opt/npd-checks/bin";

/// The file names of npd-config/*.json.
fn config_names() -> BTreeSet<String> {
    common::configs()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}
