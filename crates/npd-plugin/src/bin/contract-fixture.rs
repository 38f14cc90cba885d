//! A plugin that misbehaves on request, for the contract tests in `tests/contract/`.
//! It is not shipped (`npd-checks install` copies `npd-*` binaries only).
#![cfg_attr(not(test), no_main)]

use std::path::PathBuf;
use std::time::Duration;

use npd_plugin::isolate::{self, Isolated};
use npd_plugin::{explain, Configure, Context, Error, Outcome, Plugin, Result};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Behave {
    /// Healthy, with --message.
    Ok,
    /// A problem, with --message.
    Problem,
    /// Could not check, with --message.
    Error,
    /// Fails with an error of kind Problem (the subject seen bad on the way), with
    /// --message.
    ErrProblem,
    /// Panics with --message.
    Panic,
    /// Sleeps past any deadline without saying why.
    Sleep,
    /// Spins on the CPU past any deadline, never entering the kernel.
    Spin,
    /// Starts the watchdog thread, then says how many CPUs the check may run on.
    Cpus,
    /// Counts runs in the measurement state and reports the count.
    Count,
    /// stat(2)s --path in a helper process; a hang is a problem.
    Stat,
    /// Says how many threads the process has.
    Threads,
    /// Waits where the alarm's signal never reaches it (the signal blocked, as a
    /// killable wait in the kernel leaves it), having said so.
    Unsignalled,
}

#[derive(clap::Args, Debug)]
struct Args {
    #[arg(long, value_enum)]
    behave: Behave,
    #[arg(long, default_value = "fixture message")]
    message: String,
    #[arg(long)]
    path: Option<PathBuf>,
}

// The flags are their own configuration: validated, and kept as they are.
impl Configure for Args {
    type Args = Args;

    fn configure(args: Args) -> Result<Args> {
        if matches!(args.behave, Behave::Stat) && args.path.is_none() {
            return Err(Error::config("--behave stat needs --path"));
        }
        Ok(args)
    }
}

struct Fixture;

impl Plugin for Fixture {
    const NAME: &'static str = "contract-fixture";
    const ABOUT: &'static str = "Misbehaves on request (tests of the npd-plugin contract).";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "X", "reason": "X", "path": "/bin/contract-fixture", "args": ["--behave", "ok"]}"#;
    type Config = Args;

    fn check(args: &Args, ctx: &Context) -> Result<Outcome> {
        explain!(ctx, "behaving as {:?}", args.behave);
        match args.behave {
            Behave::Ok => Ok(Outcome::ok(&args.message)),
            Behave::Problem => Ok(Outcome::problem(&args.message)),
            Behave::Error => Err(Error::unobserved(&args.message)),
            Behave::ErrProblem => Err(Error::problem(&args.message)),
            Behave::Panic => panic!("{}", args.message),
            Behave::Sleep => {
                ctx.waiting_for("sleeping on purpose");
                std::thread::sleep(Duration::from_secs(3600));
                unreachable!()
            }
            Behave::Spin => {
                ctx.waiting_for("spinning on purpose");
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            Behave::Cpus => {
                // Starting the watchdog thread binds the check to its CPU for a moment.
                ctx.waiting_killably_for("counting CPUs");
                Ok(Outcome::ok(format!("{} cpus", allowed_cpus())))
            }
            Behave::Threads => {
                let status = std::fs::read_to_string("/proc/self/status")
                    .map_err(|e| Error::io("/proc/self/status", &e))?;
                let threads = status
                    .lines()
                    .find_map(|l| l.strip_prefix("Threads:"))
                    .map(str::trim)
                    .unwrap_or("?");
                Ok(Outcome::ok(format!("{threads} threads")))
            }
            Behave::Unsignalled => {
                ctx.waiting_killably_for("waiting where no signal reaches");
                // SAFETY: blocks SIGALRM for this thread, from a set built here.
                unsafe {
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigaddset(&mut set, libc::SIGALRM);
                    libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                }
                std::thread::sleep(Duration::from_secs(3600));
                unreachable!()
            }
            Behave::Count => {
                let state = ctx.state()?;
                let n = state.load::<u64>("count")?.unwrap_or(0) + 1;
                state.save("count", &n)?;
                Ok(Outcome::ok(format!("run {n}")))
            }
            Behave::Stat => {
                let path = ctx.host_path(args.path.as_ref().expect("checked in configure"));
                match isolate::stat(&ctx.isolation(), &path, &path).map_err(Error::isolation)? {
                    Isolated::Done(Ok(_)) => Ok(Outcome::ok("path answers")),
                    Isolated::Done(Err(e)) => Err(Error::io(path.display(), &e)),
                    Isolated::Hung { .. } => Ok(Outcome::problem(format!(
                        "{} not responding after {}",
                        path.display(),
                        ctx.timeout_text()
                    ))),
                }
            }
        }
    }
}

/// The CPUs this thread may run on.
fn allowed_cpus() -> u32 {
    // SAFETY: reads this thread's CPU mask into a buffer of the size given.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) != 0 {
            return 0;
        }
        libc::CPU_COUNT(&set) as u32
    }
}

npd_plugin::main!(Fixture);
