//! Files a plugin reads by path: the state store's documents (npd-plugin's `StateDir`
//! and every plugin's kept-state struct), kubeconfig (npd-kube), clouds.yaml
//! (npd-openstack). Each input is written to a file in a private directory and read
//! through the plugin's own entry point.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use npd_plugin::state::StateDir;

use crate::{capped, printable};

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("a temporary directory");
}

/// Writes `data` as `name` in this thread's directory and gives its path.
fn file(name: &str, data: &[u8]) -> PathBuf {
    let path = DIR.with(|d| d.path().join(name));
    std::fs::write(&path, data).expect("the input written");
    path
}

/// `StateDir::load` of one kept-state type: the document is taken exactly when it is
/// that type's JSON; a load that fails is an error with a printable message, never a
/// default state; what was taken, saved and loaded again, is the same.
fn load_as<T: DeserializeOwned + Serialize>(dir: &Path, purpose: &str, data: &[u8]) {
    let store = StateDir::new(dir, "npd-fuzz", "k");
    let direct = serde_json::from_slice::<T>(data);
    match store.load::<T>(purpose) {
        Ok(Some(kept)) => {
            assert!(direct.is_ok(), "a state that does not parse was taken");
            let first = serde_json::to_vec(&kept).expect("kept state encodes");
            store.save(purpose, &kept).expect("kept state saved");
            let again: T = store
                .load(purpose)
                .expect("saved state loads")
                .expect("it is there");
            assert_eq!(
                serde_json::to_vec(&again).unwrap(),
                first,
                "state changed in a round"
            );
        }
        Ok(None) => panic!("a state file that is there was read as none"),
        Err(e) => {
            assert!(
                direct.is_err(),
                "a state that parses was refused: {}",
                e.message()
            );
            printable(e.message());
        }
    }
}

/// The state store, the first byte choosing whose state the rest is: debounce's, or the
/// kept state of npd-log, npd-openstack, npd-memory, npd-process (restarts, D state)
/// or npd-systemd.
pub fn state_file(data: &[u8]) {
    let Some((&which, rest)) = capped(data).split_first() else {
        return;
    };
    let purpose = "p";
    let path = file(&format!("npd-fuzz.k.{purpose}.json"), rest);
    let dir = path.parent().unwrap();
    match which % 7 {
        0 => load_as::<npd_plugin::debounce::DebounceState>(dir, purpose, rest),
        1 => load_as::<npd_log::measure::LogState>(dir, purpose, rest),
        2 => load_as::<npd_openstack::measure::keystone::Cached>(dir, purpose, rest),
        3 => load_as::<npd_memory::measure::Kept>(dir, purpose, rest),
        4 => load_as::<npd_process::measure::restarts::Kept>(dir, purpose, rest),
        5 => load_as::<npd_process::measure::dstate::Kept>(dir, purpose, rest),
        _ => load_as::<npd_systemd::restarts::Kept>(dir, purpose, rest),
    }
}

/// `kubeconfig::load` (npd-kube): a kubeconfig that resolves names an apiserver, with
/// a CA when it is https; one that does not says why in a printable message.
///
/// Inputs naming a device, /proc, /sys or /run are skipped: a kubeconfig can name any
/// file for its certificates, and reading /dev/zero or a FIFO tests the machine, not
/// the parser (the file is the node administrator's, trusted as the token is).
pub fn kubeconfig(data: &[u8]) {
    let data = capped(data);
    let named = [&b"/dev"[..], b"/proc", b"/sys", b"/run", b"\\"];
    if named.iter().any(|n| data.windows(n.len()).any(|w| w == *n)) {
        return;
    }
    let path = file("kubeconfig", data);
    match npd_kube::kubeconfig::load(&path) {
        Ok(k) => {
            assert!(!k.server.is_empty());
            if k.server.starts_with("https://") {
                assert!(k.tls.is_some(), "https without a CA");
            }
        }
        Err(e) => printable(e.message()),
    }
}

/// `cloud::from_clouds_yaml` (npd-openstack) for two cloud names: a printable error or
/// a cloud with an auth URL.
pub fn clouds_yaml(data: &[u8]) {
    use npd_openstack::measure::cloud::{from_clouds_yaml, SecretFiles};
    let path = file("clouds.yaml", capped(data));
    for name in ["openstack", "a"] {
        match from_clouds_yaml(&path, name, &SecretFiles::default()) {
            Ok(cloud) => assert!(!cloud.auth_url.is_empty()),
            Err(e) => printable(e.message()),
        }
    }
}
