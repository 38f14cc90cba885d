//! End-to-end tests of the `npd-tcp` binary against real peers on 127.0.0.1: each test
//! starts its own listener (answering, silent or closed) and measures deadlines.
//! New judgement tests go in `probe.rs`, flag tests in `flags.rs`; `util.rs` starts the
//! peers, and running the binary as NPD does is `npd_test_support`.

mod flags;
mod probe;
mod util;
