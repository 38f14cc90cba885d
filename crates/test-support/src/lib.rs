//! What the plugins' integration tests share: running a plugin binary the way NPD runs
//! it, fixture host roots to point `--host-root` at, a mount that never answers, the
//! shipped configs in `npd-config/`, processes killed when a test ends, a port where
//! nothing listens, and the HTTP(S) server every peer of a test is ([`Server`]).
//!
//! Not for plugin code (it is a dev-dependency only) and not for what a single plugin
//! judges: fake `/proc` files in a plugin's own format stay in that plugin's tests, as
//! extension traits on [`FakeHost`], but for process tables ([`ProcessHost`]), which
//! the shipped configs' tests build too.
//!
//! ```no_run
//! use npd_test_support::{assert_one_npd_line, run, FakeHost, Invocation};
//!
//! const BIN: &str = "/path/to/npd-memory"; // env!("CARGO_BIN_EXE_npd-memory")
//!
//! let host = FakeHost::new();
//! host.write("proc/meminfo", "MemTotal: 16 kB\nMemAvailable: 12 kB\n");
//! let r = run(BIN, &["--host-root", host.root(), "--check", "available"]);
//! assert_eq!(r.code, 0, "{}", r.stderr);
//! assert_one_npd_line(&r, 80);
//!
//! // The same run as user nobody, with a state dir kept across runs.
//! let state = tempfile::tempdir().unwrap();
//! let r = Invocation::new(BIN, &["--host-root", host.root()])
//!     .state_dir(state.path())
//!     .as_nobody()
//!     .go();
//! # let _ = r;
//! ```

mod broken;
mod chroot;
mod config;
mod flags;
mod host;
mod hung;
mod net;
mod nobody;
#[cfg(feature = "tls")]
pub mod pki;
mod process;
mod procs;
mod psi;
mod run;
mod says;
pub mod serve;

pub use broken::{assert_broken, assert_read_times_out, assert_unreadable_per_check, Broken, Says};
pub use chroot::{root_is_a_mount, Chroot};
pub use config::{
    assert_answers_in_time, rule_args, rule_name, rule_timeout, ShippedConfig, INSTALL_DIR,
};
pub use flags::{
    assert_bad_flag_says, assert_bad_flags, assert_example_rule_accepted, assert_help,
};
pub use host::FakeHost;
pub use hung::{in_ci, one_at_a_time, skip, stuck_processes, FuseMount, HungMount};
pub use net::{closed_port, hold as hold_port, ClosedPort};
pub use process::{gone_within, Reaped};
pub use procs::{stat_line, ProcessHost, PF_KTHREAD};
pub use psi::{assert_kernel_without_psi, assert_real_psi};
pub use run::{assert_one_npd_line, is_root, run, run_in, Invocation, Run, BOUND};
pub use says::assert_says;
pub use serde_json::Value;
pub use serve::{Reply, Request, Server};
