//! The fuzz targets' bodies: one `pub fn <target>(data: &[u8])` a target, each feeding
//! outside bytes to one family of parsers and checking what must hold of any answer,
//! not only that nothing panics. `fuzz/fuzz_targets/<target>.rs` calls the function
//! under libFuzzer (nightly); `tests/replay.rs` calls it on every file of the target's
//! corpus under plain `cargo test` (stable), so what the fuzzer once found stays found.
//!
//! The properties, where a parser has one: a parsed value written back in the input's
//! own format parses to the same value; a message built from garbage, as the plugin
//! would print it, is one ASCII line of at most 80 bytes without `%`; a state file that
//! does not parse is never taken as state. Inputs are cut to [`MAX_INPUT`] so that a
//! slow or growing parse shows as a slow input, not as an exhausted machine.

mod files;
mod host;
mod kube;
mod misc;
mod net;
mod wire;

pub use files::{clouds_yaml, kubeconfig, state_file};
pub use host::{mountinfo, proc_stat, proc_values};
pub use kube::{kube_list, openstack_json};
pub use misc::{duration, log_line, nagios_output, npd_config};
pub use net::{proc_net, sock_diag};
pub use wire::{cri, dbus, dns, http_response};

/// A target's body: any bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// Every target, by name: the replay test walks `fuzz/corpus/<name>/` for each.
pub const TARGETS: &[(&str, Target)] = &[
    ("mountinfo", mountinfo),
    ("proc_stat", proc_stat),
    ("proc_values", proc_values),
    ("proc_net", proc_net),
    ("sock_diag", sock_diag),
    ("http_response", http_response),
    ("dns", dns),
    ("kube_list", kube_list),
    ("kubeconfig", kubeconfig),
    ("clouds_yaml", clouds_yaml),
    ("openstack_json", openstack_json),
    ("nagios_output", nagios_output),
    ("log_line", log_line),
    ("duration", duration),
    ("state_file", state_file),
    ("npd_config", npd_config),
    ("cri", cri),
    ("dbus", dbus),
];

/// Inputs past this are cut: every file and answer these parsers read is smaller.
pub const MAX_INPUT: usize = 64 << 10;

/// The input, cut to [`MAX_INPUT`].
fn capped(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// The input as text, as a plugin reading a host file sees it (lossy: a host file is
/// read with `from_utf8_lossy` or refused, and a refusal is tested where it is made).
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(capped(data)).into_owned()
}

/// Checks that `message`, as a plugin prints it (npd_plugin's sanitizer, NPD's default
/// 80 bytes), is one line NPD carries unchanged.
fn printable(message: &str) {
    let line = npd_plugin::message::sanitize(message, 80);
    assert!(line.len() <= 80, "{line:?} is longer than 80 bytes");
    assert!(line.is_ascii(), "{line:?} is not ASCII");
    assert!(!line.contains('%'), "{line:?} holds a '%'");
    assert!(
        !line.bytes().any(|b| b.is_ascii_control()),
        "{line:?} holds a control character"
    );
    assert_eq!(line.trim(), line, "{line:?} has outer spaces");
}

/// [`printable`] for an error's message.
fn printable_err<T>(r: &npd_plugin::Result<T>) {
    if let Err(e) = r {
        printable(e.message());
    }
}
