//! What every test file of `npd-http` shares: the binary. The peers it probes are
//! `npd_test_support::Server`s.

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-http");
