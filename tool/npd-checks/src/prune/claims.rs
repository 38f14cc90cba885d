//! Which node condition types are ours: the types the configs loaded now claim (their
//! default `conditions` and their permanent rules' `condition`), and the record each
//! DaemonSet keeps on the node of what it claimed at its last start.
//!
//! The record is a file of the state hostPath (`<state-dir>/npd-checks-prune.<owner>
//! .conditions.json`), not a Node annotation: writing an annotation takes `patch` on
//! `nodes`, which would let every NPD token relabel, taint or cordon every node; the
//! hostPath is per node already, and costs no RBAC. Each DaemonSet (the base, a role)
//! keeps its own record under its own owner name, and a type any other record claims
//! is never removed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use npd_plugin::state::StateDir;
use serde::{Deserialize, Serialize};

/// The prefix of every record's file name in the state directory.
const PLUGIN: &str = "npd-checks-prune";
/// The last part of a record's file name: `<PLUGIN>.<owner>.<PURPOSE>.json`.
const PURPOSE: &str = "conditions";

/// The condition types the kubelet owns: never removed, whatever a record says.
pub const KUBELET: [&str; 5] = [
    "Ready",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// The condition types `files` claim; an error names the file NPD would not read.
pub fn claimed(files: &[PathBuf]) -> Result<BTreeSet<String>, String> {
    let mut types = BTreeSet::new();
    for file in files {
        let text = std::fs::read(file).map_err(|e| {
            format!(
                "cannot read {}: {}",
                file.display(),
                npd_plugin::short_io_reason(&e)
            )
        })?;
        let config: serde_json::Value = serde_json::from_slice(&text)
            .map_err(|e| format!("{}: not a JSON config: {e}", file.display()))?;
        let list = |key: &str| config[key].as_array().cloned().unwrap_or_default();
        let defaults = list("conditions").into_iter().map(|c| c["type"].clone());
        let rules = list("rules")
            .into_iter()
            .filter(|r| r["type"] == "permanent")
            .map(|r| r["condition"].clone());
        for t in defaults.chain(rules) {
            if let Some(t) = t.as_str().filter(|t| !t.is_empty()) {
                types.insert(t.to_string());
            }
        }
    }
    Ok(types)
}

/// What a DaemonSet claimed at its last start.
#[derive(Serialize, Deserialize, Default)]
struct Record {
    conditions: BTreeSet<String>,
}

/// The records of the node's state directory, for one owner.
pub struct Records {
    store: StateDir,
    dir: PathBuf,
    owner: String,
}

impl Records {
    /// Opens `dir` for `owner`; to `write`, creates it and waits until `deadline` for
    /// a run of the same owner (a dry run only reads, and creates nothing).
    pub fn open(
        dir: &Path,
        owner: &str,
        deadline: Instant,
        write: bool,
    ) -> Result<Records, String> {
        let store = StateDir::new(dir, PLUGIN, owner);
        if write {
            store.lock(deadline).map_err(|e| e.message().to_string())?;
        }
        Ok(Records {
            store,
            dir: dir.to_path_buf(),
            owner: owner.to_string(),
        })
    }

    /// The owner's record: `None` before its first run.
    pub fn mine(&self) -> Result<Option<BTreeSet<String>>, String> {
        self.store
            .load::<Record>(PURPOSE)
            .map(|r| r.map(|r| r.conditions))
            .map_err(|e| e.message().to_string())
    }

    /// Every type another owner's record claims. An unreadable record claims
    /// everything: nothing can be proven ours then.
    pub fn others(&self) -> Result<BTreeSet<String>, String> {
        let mut types = BTreeSet::new();
        let entries = std::fs::read_dir(&self.dir).map_err(|e| {
            format!(
                "cannot list {}: {}",
                self.dir.display(),
                npd_plugin::short_io_reason(&e)
            )
        })?;
        let mine = format!("{PLUGIN}.{}.{PURPOSE}.json", self.owner);
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(owner) = name
                .strip_prefix(&format!("{PLUGIN}."))
                .and_then(|n| n.strip_suffix(&format!(".{PURPOSE}.json")))
            else {
                continue;
            };
            if name == mine {
                continue;
            }
            let other = StateDir::new(&self.dir, PLUGIN, owner);
            match other.load::<Record>(PURPOSE) {
                Ok(Some(r)) => types.extend(r.conditions),
                Ok(None) => {}
                Err(e) => return Err(format!("record of {owner}: {}", e.message())),
            }
        }
        Ok(types)
    }

    /// Replaces the owner's record.
    pub fn save(&self, types: &BTreeSet<String>) -> Result<(), String> {
        let record = Record {
            conditions: types.clone(),
        };
        self.store
            .save(PURPOSE, &record)
            .map_err(|e| e.message().to_string())
    }

    /// Where the owner's record is, for messages.
    pub fn path(&self) -> PathBuf {
        self.dir
            .join(format!("{PLUGIN}.{}.{PURPOSE}.json", self.owner))
    }
}

/// An owner name: it is part of a file name, so a DNS label as Kubernetes names are.
pub fn check_owner(owner: &str) -> Result<String, String> {
    let ok = !owner.is_empty()
        && owner.len() <= 63
        && owner
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(owner.to_string())
    } else {
        Err(format!(
            "{owner:?} is not a DaemonSet name (lower case, digits, '-')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_permanent_rules_are_claimed() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.json");
        std::fs::write(
            &f,
            r#"{"plugin":"custom","conditions":[{"type":"A"},{"type":""}],
               "rules":[{"type":"permanent","condition":"B"},{"type":"temporary","reason":"R"}]}"#,
        )
        .unwrap();
        let types = claimed(&[f]).unwrap();
        assert_eq!(types.into_iter().collect::<Vec<_>>(), ["A", "B"]);
        assert!(claimed(&[dir.path().join("none.json")]).is_err());
    }

    #[test]
    fn owners_are_names() {
        assert!(check_owner("npd-checks-control-plane").is_ok());
        for bad in ["", "a/b", "A", "x.y", &"a".repeat(64)] {
            assert!(check_owner(bad).is_err(), "{bad}");
        }
    }
}
