//! The node-problem-detector custom-plugin contract, shared by every npd-checks plugin.
//!
//! NPD execs a plugin every few seconds and reads two things: its exit code (0 OK,
//! 1 NonOK, anything else Unknown) and one line of stdout. This crate makes every
//! plugin obey that contract in the same way, so that a plugin only says what it
//! measures and how it judges:
//!
//! - exit codes are 0, 1 or 2 only; bad flags, I/O errors and panics are 2 ([`Error`]);
//! - stdout is one ASCII line without `%`, cut to `--max-output` bytes ([`message`]);
//! - the answer comes by `--timeout` whatever the host does (a timer signal, a thread
//!   for a call that waits where only SIGKILL reaches, which the check announces with
//!   [`Context::waiting_killably_for`], and [`isolate`] for calls that can hang in the
//!   kernel);
//! - host paths are read under `--host-root` ([`Context::host_path`]), which is also
//!   how tests give a plugin its files; a reading no file holds has a hidden flag as
//!   its one test seam (`--test-wall-clock`, npd-clock's `--adjtimex-reading`);
//! - `--fail-after` / `--recover-after` debounce with state in `--state-dir`;
//! - `--explain` prints the measurements on stderr, `--help` shows an example NPD rule.
//!
//! A complete plugin (its `main.rs` is the last line):
//!
//! ```
//! use npd_plugin::{explain, Configure, Context, Error, Outcome, Plugin, Result};
//!
//! #[derive(clap::Args, Debug)]
//! struct Args {
//!     /// Report a problem when more than this many users are logged in.
//!     #[arg(long, default_value_t = 10)]
//!     max_users: u32,
//! }
//!
//! struct Config {
//!     max_users: u32,
//! }
//!
//! impl Configure for Config {
//!     type Args = Args;
//!
//!     fn configure(args: Args) -> Result<Config> {
//!         if args.max_users == 0 {
//!             return Err(Error::config("--max-users: must be more than 0"));
//!         }
//!         Ok(Config { max_users: args.max_users })
//!     }
//! }
//!
//! struct Users;
//!
//! impl Plugin for Users {
//!     const NAME: &'static str = "npd-users";
//!     const ABOUT: &'static str = "Counts logged-in users.";
//!     const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "TooManyUsers",
//!  "reason": "TooManyUsers", "path": "/opt/npd-checks/bin/npd-users",
//!  "args": ["--max-users", "10"], "timeout": "5s"}"#;
//!     type Config = Config;
//!
//!     fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
//!         let users = 3; // a real plugin reads this under ctx.host_path(..)
//!         explain!(ctx, "{users} users, limit {}", config.max_users);
//!         Ok(if users > config.max_users {
//!             Outcome::problem(format!("{users} users > {}", config.max_users))
//!         } else {
//!             Outcome::ok("user count is normal")
//!         })
//!     }
//! }
//!
//! fn main() { npd_plugin::run::<Users>() }
//! ```
//!
//! # One layout for every plugin
//!
//! `plugins/<aspect>/`, package and binary `npd-<aspect>`; npd-limits is the
//! reference. Each file holds one thing, so a reader knows where to look:
//!
//! | file | holds |
//! |---|---|
//! | `Cargo.toml` | the package, with `build = "../../crates/npd-plugin/build.rs"`: the binary is linked without unwind tables, which a plugin never reads (~130 KB) |
//! | `src/main.rs` | `npd_plugin::main!(npd_<aspect>::<Plugin>);`, nothing else |
//! | `src/lib.rs` | the [`Plugin`] impl: the `--help` texts, `type Config` and `check`, which measures, then judges |
//! | `src/config.rs` | `Args` (the clap flags) and `Config` (them validated), whose [`Configure`] impl is the validation; its errors are [`Error::config`] |
//! | `src/measure.rs` or `src/measure/` | every read, call and state access of a run: the measurements, or a typed [`Error`] |
//! | `src/judge.rs` | `judge`: the verdict as a function of the configuration and the measurements, no I/O (the context only for `--explain`) |
//! | `src/<name>.rs` | a pure piece named for what it holds: a parser of one input (`loadavg.rs`, `wire.rs`), what a measurement yields (`report.rs`, `tally.rs`) |
//! | `tests/tests.rs` | the index of the integration tests: one module per topic and where a new test belongs |
//!
//! The contract is said here once: flags are parsed, the common ones taken, the
//! plugin's handed to [`Configure::configure`], and `check` runs on the result; a
//! plugin names its types and writes its check, nothing of the flow. A list flag
//! (`--check a,b`) is a [`Selection`] of a [`Selectable`] enum. What `--help` must
//! say (the example rule accepted, no `%`) is one assertion of the test support
//! crate that every plugin's flag tests call.
//!
//! What two plugins need lives here or in another shared crate, never in a plugin.
//! Errors say whose fault they are ([`Kind`]); the exit code follows from that in one
//! place ([`Error::status`]), never from reading a message.
//!
//! # The host layer
//!
//! How a plugin reaches the host (paths under the host root, the walk that never
//! enters a mount that can hang, mount tables, helper processes for calls that can
//! hang, globs, `/proc/<pid>/stat`) is the crate npd-host, below this one and knowing
//! nothing of the contract. Its modules are re-exported here ([`host`], [`hostfs`],
//! [`mountinfo`], [`isolate`], [`glob`], [`procstat`]), so a plugin depends on this
//! crate alone. Its failures say what went wrong, not whose fault it is; this crate
//! decides that: [`Error::isolation`] for a helper process's own failure
//! (Unobserved), `From<glob::PatternError>` for a pattern that does not compile
//! (Config).

mod answer;
pub mod boot;
pub mod civil;
mod cli;
mod context;
pub mod debounce;
mod emergency;
mod error;
pub mod flags;
mod gate;
pub mod hostfile;
pub mod hostnet;
pub mod kmsg;
pub mod message;
mod metrics;
mod outcome;
mod plugin;
pub mod psi;
mod selection;
pub mod state;
pub mod timestamp;
pub mod units;
mod watchdog;

use std::time::{Duration, Instant};

use clap::FromArgMatches;

/// The C library's allocator, with a way out for the alarm's handler ([`emergency`]).
#[global_allocator]
static ALLOCATOR: emergency::Allocator = emergency::Allocator;

pub use context::Context;
pub use error::{Error, Kind, Result};
pub use flags::CommonFlags;
pub use npd_host::{glob, host, hostfs, isolate, mountinfo, netns, procstat, short_io_reason};
pub use outcome::{Outcome, Status};
pub use plugin::{Configure, Plugin};
pub use selection::{flag_needs, Selectable, Selection};

use cli::{bad_flags, parse};
pub use cli::{command, configure_from};
use plugin::ArgsOf;

/// Defines a plugin binary's entry point: `npd_plugin::main!(npd_disk::Disk);` in a
/// `main.rs` that starts with `#![cfg_attr(not(test), no_main)]`.
///
/// The C runtime calls it directly, skipping Rust's own start-up: a plugin needs none
/// of it (a stack-overflow handler that reads /proc/self/maps), and without it every
/// run is ~50 us faster and every binary ~100 KB smaller. What of it a plugin does
/// need, [`run`] does itself: closed standard descriptors reopened, SIGPIPE ignored.
#[macro_export]
macro_rules! main {
    ($plugin:ty) => {
        #[cfg(not(test))]
        #[no_mangle]
        pub extern "C" fn main(
            _argc: ::core::ffi::c_int,
            _argv: *const *const ::core::ffi::c_char,
        ) -> ::core::ffi::c_int {
            $crate::run::<$plugin>()
        }
        // Unit tests of the binary bring their own entry point; this keeps the plugin
        // type used there too.
        #[cfg(test)]
        const _: fn() -> ! = $crate::run::<$plugin>;
    };
}

/// Runs plugin `P` as a process: parses the flags, checks, debounces, prints one line
/// and exits 0, 1 or 2. Never returns.
pub fn run<P: Plugin>() -> ! {
    let started = Instant::now();
    answer::reopen_closed_std_fds();
    answer::ignore_sigpipe();
    answer::install_panic_hook();
    // Each flag's values are taken out of the matches, not copied: from_arg_matches
    // would clone them all, once for the common flags and once for the plugin's.
    let mut matches = parse::<P>(std::env::args_os());
    let common = CommonFlags::from_arg_matches_mut(&mut matches)
        .unwrap_or_else(|e| bad_flags(&e.to_string()));
    answer::set_max_output(common.max_output);
    let args = ArgsOf::<P>::from_arg_matches_mut(&mut matches)
        .unwrap_or_else(|e| bad_flags(&e.to_string()));
    let key = match &common.state_key {
        Some(k) => k.clone(),
        None => format!(
            "{:016x}",
            npd_host::stable_hash(format!("{args:?}").as_bytes())
        ),
    };
    let config = P::Config::configure(args).unwrap_or_else(|e| match e.kind() {
        Kind::Config => bad_flags(e.message()),
        // Whatever else stopped configuring (a file the flags name cannot be read), it
        // is never a problem: nothing has been observed yet.
        Kind::Unobserved | Kind::Problem => answer::answer(Status::Unknown, e.message()),
    });
    if common.lint_args {
        println!("{{\"timeout_ms\":{}}}", common.timeout.as_millis());
        std::process::exit(0);
    }

    if let Some(dir) = &common.metrics_dir {
        metrics::enable(dir.clone(), P::NAME, &key, started);
    }
    let state = state::StateDir::new(&common.state_dir, P::NAME, &key);
    let wall_clock = common.test_wall_clock.as_deref().map(|t| {
        t.parse::<i64>()
            .unwrap_or_else(|_| bad_flags(&format!("--test-wall-clock: {t:?} is not a number")))
    });
    let ctx = Context::new(&common.host_root, common.timeout, common.explain, state)
        .with_wall_clock(wall_clock);
    let observed = check_with_watchdog::<P>(&config, &ctx, &common);
    let outcome = debounce(&ctx, &common, observed);
    explain!(
        ctx,
        "answer: {} ({})",
        outcome.status.as_str(),
        outcome.message
    );
    answer::answer(outcome.status, &outcome.message)
}

/// What the watchdog keeps of --timeout to write its line and exit.
const WATCHDOG_WRITE_MARGIN: Duration = Duration::from_millis(10);

/// Runs the check on this thread with a watchdog as the backstop: a check should
/// honour `ctx.deadline()` itself; the watchdog answers Unknown for one that does not.
fn check_with_watchdog<P: Plugin>(
    config: &P::Config,
    ctx: &Context,
    common: &CommonFlags,
) -> Outcome {
    let timeout = common.timeout;
    // The check stops waiting at ctx.deadline(), up to 300 ms earlier, so that its own
    // words win; the watchdog waits for the whole --timeout but for the few
    // milliseconds writing a line takes, leaving a busy machine all the slack there is.
    let after = timeout.saturating_sub(WATCHDOG_WRITE_MARGIN);
    if let Err(e) = watchdog::arm(after, timeout, ctx.awaited()) {
        // Without a watchdog the check still honours its deadline; only a check that
        // hangs in spite of it goes unanswered, so say so and carry on.
        ctx.warn(format_args!("no watchdog: {e}"));
    }
    let gated = match &common.only_if_exists {
        Some(path) => gate::closed(ctx, path),
        None => Ok(None),
    };
    match gated.and_then(|closed| match closed {
        Some(outcome) => Ok(outcome),
        None => P::check(config, ctx),
    }) {
        Ok(outcome) => outcome,
        Err(e) => Outcome {
            status: e.status(),
            message: e.message().to_string(),
        },
    }
}

fn debounce(ctx: &Context, common: &CommonFlags, observed: Outcome) -> Outcome {
    if common.fail_after <= 1 && common.recover_after <= 1 {
        return observed;
    }
    if observed.status == Status::Unknown {
        return observed;
    }
    let store = match ctx.state() {
        Ok(s) => s,
        Err(e) => {
            ctx.warn(format_args!("{e}; answering without debounce"));
            return observed;
        }
    };
    let (mut st, fresh_after_error) = match store.load::<debounce::DebounceState>("debounce") {
        Ok(st) => (st.unwrap_or_default(), false),
        Err(e) => {
            ctx.warn(format_args!(
                "{e}; answering without debounce and starting over"
            ));
            (debounce::DebounceState::default(), true)
        }
    };
    let before = st.clone();
    let decision = debounce::apply(
        &mut st,
        observed.clone(),
        common.fail_after,
        common.recover_after,
    );
    if let Some(reason) = &decision.reason {
        explain!(ctx, "debounce: {reason}");
    }
    // A healthy run after healthy runs changes nothing: no write (a rename on the
    // node's disk every run of every rule is most of what state costs).
    let unchanged = st == before && !fresh_after_error;
    if let Err(e) = if unchanged {
        Ok(())
    } else {
        store.save("debounce", &st)
    } {
        ctx.warn(format_args!("{e}; answering without debounce"));
        return observed;
    }
    if fresh_after_error {
        return observed;
    }
    decision.outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_unknown_flags_with_a_short_reason() {
        let err = command::<Demo>()
            .try_get_matches_from(["npd-demo", "--no-such-flag"])
            .unwrap_err();
        assert!(err.render().to_string().contains("--no-such-flag"));
    }

    #[derive(clap::Args, Debug)]
    struct DemoArgs {}
    struct DemoConfig;
    impl Configure for DemoConfig {
        type Args = DemoArgs;
        fn configure(_: DemoArgs) -> Result<DemoConfig> {
            Ok(DemoConfig)
        }
    }
    struct Demo;
    impl Plugin for Demo {
        const NAME: &'static str = "npd-demo";
        const ABOUT: &'static str = "demo";
        const EXAMPLE_RULE: &'static str = "{\"path\": \"/x\"}";
        type Config = DemoConfig;
        fn check(_: &DemoConfig, _: &Context) -> Result<Outcome> {
            Ok(Outcome::ok("fine"))
        }
    }

    #[test]
    fn help_carries_the_example_rule_and_the_common_flags() {
        let help = command::<Demo>().render_long_help().to_string();
        assert!(help.contains("Example NPD rule:"));
        assert!(help.contains("--host-root"));
        assert!(help.contains("--fail-after"));
        assert!(!help.contains("--lint-args"));
    }
}
