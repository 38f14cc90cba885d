//! End-to-end tests of the `npd-tcp` binary against real peers on 127.0.0.1: each test
//! starts its own listener (answering, silent or closed) and measures deadlines.
//! New judgement tests go in `probe.rs`, flag tests in `flags.rs`; `util.rs` runs the
//! binary and the peers.

mod flags;
mod probe;
mod util;
