//! End-to-end tests of the `npd-clock` binary, run as NPD runs it.
//!
//! Where a new test belongs:
//! - `seam.rs`: a judgement on a kernel reading the test chooses (the hidden
//!   `--adjtimex-reading` flag): synchronized, unsynchronized, errors over limits,
//!   the syscall failing, debounce. Prefer this: it is exact and independent of the
//!   machine.
//! - `real.rs`: the real adjtimex of this machine (only the shape of the answer can
//!   be asserted: its state is whatever it is).
//! - `flags.rs`: bad flags (Unknown, never a problem), --help, --max-output.
//! - `shipped_config.rs`: npd-config/npd-clock.json against this binary.
//!
//! `util.rs` runs the binary on a stand-in adjtimex reading; any other run (bounded in
//! time, a fresh state dir per run) is `npd_test_support`.

mod flags;
mod real;
mod seam;
mod shipped_config;
mod util;
