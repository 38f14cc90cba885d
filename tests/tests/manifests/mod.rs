//! The manifests as kustomize renders them: every kustomization directory under
//! manifests/, rendered once per test run with kubectl's kustomize (v5) and parsed, and a
//! view of each NPD container of a DaemonSet (the configs it passes, the ConfigMap it
//! mounts, its port). Judging them is the tests' business (tests/tests/delivery/).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::common::repo;
use crate::tools;

mod home;
pub use home::home;

/// Where NPD's container mounts the generated ConfigMap.
pub const CONFIG_DIR: &str = "/config/npd-checks";
/// NPD v1.36's flag for a custom plugin monitor config (a string slice: repeats add up).
pub const CONFIG_FLAG: &str = "--config.custom-plugin-monitor=";
/// NPD v1.36's flag for a system log monitor config (kmsg, journald, filelog).
pub const LOG_CONFIG_FLAG: &str = "--config.system-log-monitor=";
/// The image of every NPD container.
pub const NPD_IMAGE: &str = "registry.k8s.io/node-problem-detector/node-problem-detector:v1.36.0";

/// The flag that loads `config`, from its `"plugin"`.
pub fn flag_for(config: &str) -> &'static str {
    if crate::common::plugin_of(&repo().join("npd-config").join(config)) == crate::common::CUSTOM {
        CONFIG_FLAG
    } else {
        LOG_CONFIG_FLAG
    }
}
/// The name every generated ConfigMap of npd-config/ starts with.
pub const CONFIG_MAP: &str = "npd-checks-config";

/// One kustomization directory, rendered.
pub struct Rendering {
    /// Relative to the repository, e.g. `manifests/overlays/control-plane`.
    pub dir: String,
    pub yaml: String,
    /// What kustomize said on stderr (a deprecation warning, for one).
    pub stderr: String,
    pub objects: Vec<Value>,
}

impl Rendering {
    /// What a user applies: the base (`manifests`) and every overlay; the rest
    /// (manifests/base, daemonset, roles, add-ons) are parts or extras.
    pub fn is_deployable(&self) -> bool {
        self.dir == "manifests" || self.dir.starts_with("manifests/overlays/")
    }

    /// A DaemonSet-only part (manifests/daemonset, a role's daemonset/): not meant to be
    /// applied alone, its references resolve only where it is used.
    pub fn is_fragment(&self) -> bool {
        self.dir.ends_with("/daemonset")
    }

    pub fn is_role(&self) -> bool {
        self.dir.starts_with("manifests/roles/") && self.dir.matches('/').count() == 2
    }

    pub fn find(&self, kind: &str, name: &str) -> Option<&Value> {
        self.objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().filter(move |o| o["kind"] == kind)
    }

    /// Every NPD container of every DaemonSet.
    pub fn npds(&self) -> Vec<Npd<'_>> {
        self.of_kind("DaemonSet").flat_map(Npd::all).collect()
    }
}

/// Every directory under manifests/ holding a kustomization.yaml, sorted.
pub fn kustomization_dirs() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if dir.join("kustomization.yaml").exists() {
            out.push(dir.to_path_buf());
        }
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&entry.path(), out);
            }
        }
    }
    let mut dirs = Vec::new();
    walk(&repo().join("manifests"), &mut dirs);
    let mut dirs: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.strip_prefix(repo())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    dirs.sort();
    dirs
}

pub fn render(kubectl: &Path, dir: &str) -> Result<Rendering, String> {
    let (yaml, stderr) = tools::run_both(
        Command::new(kubectl)
            .arg("kustomize")
            .arg(repo().join(dir))
            .current_dir(repo()),
        60,
    )
    .map_err(|e| format!("{dir} does not render:\n{e}"))?;
    let objects = parse_docs(&yaml).map_err(|e| format!("{dir}: rendered YAML: {e}"))?;
    Ok(Rendering {
        dir: dir.to_string(),
        yaml,
        stderr,
        objects,
    })
}

/// Every kustomization rendered with kubectl's kustomize (v5 or later), once per test run;
/// `None` (after a SKIPPED notice) without it. One that does not render fails the caller.
pub fn rendered(test: &str) -> Option<&'static [Rendering]> {
    static RENDERED: OnceLock<Result<Vec<Rendering>, String>> = OnceLock::new();
    let kubectl = tools::require(&tools::KUBECTL, tools::kubectl(), test)?;
    let all = RENDERED.get_or_init(|| {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for dir in kustomization_dirs() {
            match render(&kubectl, &dir) {
                Ok(r) => out.push(r),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors.join("\n\n"))
        }
    });
    match all {
        Ok(all) => Some(all),
        Err(e) => panic!("{e}\n{}", missing_generator_hint()),
    }
}

pub fn rendering(all: &'static [Rendering], dir: &str) -> &'static Rendering {
    all.iter()
        .find(|r| r.dir == dir)
        .unwrap_or_else(|| panic!("{dir} has no kustomization.yaml"))
}

/// The objects of a multi-document YAML text (empty documents left out).
pub fn parse_docs(yaml: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in serde_norway::Deserializer::from_str(yaml) {
        let value = Value::deserialize(doc).map_err(|e| e.to_string())?;
        if !value.is_null() {
            out.push(value);
        }
    }
    Ok(out)
}

pub fn parse_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = parse_docs(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        docs.len(),
        1,
        "{}: one YAML document expected",
        path.display()
    );
    docs.remove(0)
}

/// What npd-config/kustomization.yaml should say: its generator must list every config.
pub fn expected_generator() -> String {
    let mut text = String::from(
        "# The ConfigMap NPD reads its configs from, generated from the files of this directory\n\
         # so that it cannot drift from them; its name carries a hash of their content, so a\n\
         # changed config rolls the DaemonSets. kustomize loads no file from outside a\n\
         # kustomization's own directory, hence the generator here, used as a base by\n\
         # manifests/base and by each role. List every *.json of this directory, sorted\n\
         # (tests/tests/delivery.rs fails and prints the list when one is missing).\n\
         apiVersion: kustomize.config.k8s.io/v1beta1\n\
         kind: Kustomization\n\
         configMapGenerator:\n\
         - name: npd-checks-config\n  files:\n",
    );
    for config in crate::common::configs() {
        text.push_str(&format!(
            "  - {}\n",
            config.file_name().unwrap().to_string_lossy()
        ));
    }
    text
}

/// The configs the base's NPDs pass (both containers), read from
/// manifests/daemonset/daemonset.yaml itself (no renderer needed): what every node runs.
pub fn base_configs() -> Vec<String> {
    let path = repo().join("manifests/daemonset/daemonset.yaml");
    let daemonset = parse_file(&path);
    let npds = Npd::all(&daemonset);
    assert!(!npds.is_empty(), "{}: no NPD container", path.display());
    npds.iter().flat_map(Npd::configs).collect()
}

pub fn missing_generator_hint() -> String {
    if repo().join("npd-config/kustomization.yaml").exists() {
        return String::new();
    }
    format!(
        "npd-config/kustomization.yaml is missing. The ConfigMap is generated from the configs, \
         and kustomize loads no file outside a kustomization's own directory, so the generator \
         lives beside them; add it with this content:\n\n{}",
        expected_generator()
    )
}

/// An NPD container of a DaemonSet: one running NPD's image (`node-problem-detector`
/// with the plugins; the base's `kernel-log-monitor` with the kernel log monitors).
pub struct Npd<'a> {
    /// The DaemonSet's name.
    pub name: String,
    /// The container's name.
    pub container: String,
    pub daemonset: &'a Value,
    pub pod: &'a Value,
    pub npd: &'a Value,
}

impl<'a> Npd<'a> {
    /// Every NPD container of `daemonset`, in order.
    pub fn all(daemonset: &'a Value) -> Vec<Self> {
        let pod = &daemonset["spec"]["template"]["spec"];
        let name = daemonset["metadata"]["name"].as_str().unwrap_or_default();
        pod["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| {
                c["image"] == NPD_IMAGE || strings(&c["command"]) == ["/node-problem-detector"]
            })
            .map(|npd| Npd {
                name: name.to_string(),
                container: npd["name"].as_str().unwrap_or_default().to_string(),
                daemonset,
                pod,
                npd,
            })
            .collect()
    }

    /// `daemonset/container`, for messages.
    pub fn at(&self) -> String {
        format!("{}/{}", self.name, self.container)
    }

    pub fn args(&self) -> Vec<&'a str> {
        strings(&self.npd["args"])
    }

    /// The config files it passes to NPD (either monitor), by file name, in order.
    pub fn configs(&self) -> Vec<String> {
        self.args()
            .iter()
            .filter_map(|a| {
                a.strip_prefix(CONFIG_FLAG)
                    .or_else(|| a.strip_prefix(LOG_CONFIG_FLAG))
            })
            .flat_map(|paths| paths.split(','))
            .map(|path| {
                path.strip_prefix(CONFIG_DIR)
                    .and_then(|p| p.strip_prefix('/'))
                    .unwrap_or_else(|| panic!("{}: {path} is not under {CONFIG_DIR}", self.name))
                    .to_string()
            })
            .collect()
    }

    pub fn flag(&self, name: &str) -> Option<&'a str> {
        self.args()
            .into_iter()
            .find_map(|a| a.strip_prefix(name)?.strip_prefix('='))
    }

    pub fn volume(&self, name: &str) -> &'a Value {
        self.pod["volumes"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["name"] == name))
            .unwrap_or_else(|| panic!("{}: no volume {name}", self.name))
    }

    /// The volume mounted at `path` in NPD's container, with its mount.
    pub fn mount(&self, path: &str) -> (&'a Value, &'a Value) {
        let mount = self.npd["volumeMounts"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["mountPath"] == path))
            .unwrap_or_else(|| panic!("{}: nothing mounted at {path}", self.name));
        (self.volume(mount["name"].as_str().unwrap()), mount)
    }

    pub fn env(&self, name: &str) -> &'a Value {
        self.npd["env"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["name"] == name))
            .unwrap_or_else(|| panic!("{}: no env {name}", self.name))
    }

    pub fn init_container(&self) -> &'a Value {
        self.pod["initContainers"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "install-plugins"))
            .unwrap_or_else(|| panic!("{}: no initContainer install-plugins", self.name))
    }
}

pub fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}
