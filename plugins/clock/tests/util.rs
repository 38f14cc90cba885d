//! Runs npd-clock on a stand-in kernel reading, since adjtimex has no file a fixture
//! root could hold.

use npd_test_support::{run, Run};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-clock");

/// Runs the plugin on the adjtimex fields `fields` ("status=0x2001 maxerror=..").
pub fn reading(fields: &str, more: &[&str]) -> Run {
    let mut args = vec!["--adjtimex-reading", fields];
    args.extend_from_slice(more);
    run(BIN, &args)
}
