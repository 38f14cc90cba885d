//! Runs npd-file on a fixture host root.

use npd_test_support::{run, FakeHost, Run};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-file");

pub trait FileHost {
    /// Runs the plugin with this tree as its host root.
    fn run(&self, args: &[&str]) -> Run;
}

impl FileHost for FakeHost {
    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--host-root", self.root()];
        all.extend_from_slice(args);
        run(BIN, &all)
    }
}
