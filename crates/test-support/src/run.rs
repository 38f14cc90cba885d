//! Running a plugin binary as NPD does: no stdin, stdout and stderr captured, and a
//! bound on the wait so that a plugin that hangs fails its test instead of the whole
//! run. Every run is held to what NPD relies on whatever the test is about (exit code
//! 0, 1 or 2, one line on stdout, no '%' in it); judging the answer is each test's job,
//! helped by [`assert_one_npd_line`].

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::nobody::{drop_to_nobody, ReachableCopy};
use crate::process::Reaped;

/// No run may take longer than this, whatever goes wrong: far beyond any plugin's
/// `--timeout` in the tests, short enough that a hang is reported, not waited out.
pub const BOUND: Duration = Duration::from_secs(20);

/// The environment a plugin would otherwise take flags from: a test's answer must not
/// depend on the shell it was started from.
const PLUGIN_ENV: [&str; 3] = [
    "HOST_ROOT",
    "NPD_CHECKS_STATE_DIR",
    "NPD_CHECKS_METRICS_DIR",
];

/// A change to the command before it runs (see [`Invocation::setup`]).
type Adjust = Box<dyn FnOnce(&mut Command)>;

/// What one run of a plugin gave.
#[derive(Debug)]
pub struct Run {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Until the process had exited and its stdout reached end of file: the moment NPD
    /// stops waiting. A helper process stuck in the kernel that still held stdout would show
    /// here (or fail the run at [`BOUND`]).
    pub took: Duration,
}

impl Run {
    /// The answer line without its newline.
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }

    /// The answer line of a run that must be Unknown (exit 2): the test fails on any
    /// other exit code, showing the line and stderr.
    pub fn unknown_line(&self) -> &str {
        assert_eq!(self.code, 2, "{}{}", self.stdout, self.stderr);
        self.line()
    }
}

/// Asserts the shape NPD needs from stdout: one line, not empty, ASCII, no '%' (NPD
/// passes messages as Go format strings), within `max` bytes.
pub fn assert_one_npd_line(run: &Run, max: usize) {
    assert!(run.stdout.ends_with('\n'), "{:?}", run.stdout);
    let line = run.line();
    assert!(!line.is_empty() && !line.contains('\n'), "{:?}", run.stdout);
    assert!(line.is_ascii() && !line.contains('%'), "{line:?}");
    assert!(line.len() <= max, "{} bytes: {line:?}", line.len());
}

/// Runs the plugin `bin` with `args` and, unless `args` name one, a fresh state dir.
pub fn run(bin: &str, args: &[&str]) -> Run {
    Invocation::new(bin, args).go()
}

/// Runs the plugin `bin` with `args` and `state` as its state dir, so that runs can
/// share what it remembers (debounce counts, baselines).
pub fn run_in(bin: &str, state: &Path, args: &[&str]) -> Run {
    Invocation::new(bin, args).state_dir(state).go()
}

/// Root reads every file whatever its mode bits say: permission tests must drop to
/// another user, or be skipped when they cannot.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A run being prepared: [`run`] with a shared state dir, an environment variable, a
/// different user or bound.
pub struct Invocation {
    cmd: Command,
    /// The plugin binary, as the test named it.
    bin: PathBuf,
    /// Run as user nobody, from a copy of the binary that user can reach.
    as_nobody: bool,
    /// What [`Invocation::setup`] asked for, applied to the command that runs.
    adjust: Vec<Adjust>,
    /// The plugin's own flags, before any `--`.
    flags: Vec<String>,
    /// From `--` on: what the plugin passes on (npd-nagios' command), never its flags.
    passed_on: Vec<String>,
    shown: String,
    names_state_dir: bool,
    /// --help is for people: many lines, and no judgement.
    asks_for_help: bool,
    state_dir: Option<OsString>,
    bound: Duration,
}

impl Invocation {
    pub fn new(bin: &str, args: &[&str]) -> Invocation {
        let mut cmd = plugin_command(Path::new(bin));
        for key in PLUGIN_ENV {
            cmd.env_remove(key);
        }
        let name = Path::new(bin).file_name().unwrap_or(bin.as_ref());
        let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
        let (flags, passed_on) = args.split_at(split);
        Invocation {
            cmd,
            bin: PathBuf::from(bin),
            as_nobody: false,
            adjust: Vec::new(),
            flags: flags.iter().map(|a| a.to_string()).collect(),
            passed_on: passed_on.iter().map(|a| a.to_string()).collect(),
            shown: format!("{} {args:?}", name.to_string_lossy()),
            names_state_dir: flags
                .iter()
                .any(|a| *a == "--state-dir" || a.starts_with("--state-dir=")),
            asks_for_help: flags.iter().any(|a| *a == "--help" || *a == "-h"),
            state_dir: None,
            bound: BOUND,
        }
    }

    /// Uses `dir` as the state dir, so that runs can share what the plugin remembers.
    pub fn state_dir(mut self, dir: &Path) -> Invocation {
        assert!(!self.names_state_dir, "{}: two state dirs", self.shown);
        self.state_dir = Some(dir.into());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Invocation {
        self.cmd.env(key, value);
        self
    }

    /// Runs the plugin as user and group `nobody` (65534): the caller must be root.
    ///
    /// The binary runs from a copy in a directory every user can reach: a build tree
    /// under a 0700 directory (a clone in root's home) is closed to nobody.
    pub fn as_nobody(mut self) -> Invocation {
        self.as_nobody = true;
        self
    }

    /// Lets `adjust` change what [`Invocation::env`] and [`Invocation::as_nobody`] do
    /// not cover (CPU affinity, resource limits).
    pub fn setup(mut self, adjust: impl FnOnce(&mut Command) + 'static) -> Invocation {
        self.adjust.push(Box::new(adjust));
        self
    }

    /// Fails the run if it is not over by `bound` instead of [`BOUND`].
    pub fn bound(mut self, bound: Duration) -> Invocation {
        self.bound = bound;
        self
    }

    /// Runs the plugin, kills it if it is still running (or a process it left still
    /// holds its stdout or stderr) at the bound, and fails the test then; fails it
    /// too when the answer is not an exit code of 0, 1 or 2 with one line on stdout
    /// and no '%' in it (but for --help).
    pub fn go(mut self) -> Run {
        let reachable;
        if self.as_nobody {
            reachable = ReachableCopy::of(&self.bin);
            self.cmd = self.cmd_for(&reachable.path());
            drop_to_nobody(&mut self.cmd);
        }
        for adjust in std::mem::take(&mut self.adjust) {
            adjust(&mut self.cmd);
        }
        self.cmd.args(&self.flags);
        // Nothing a test runs may write to the machine's /var/lib/npd-checks.
        let fresh;
        if !self.names_state_dir {
            let dir = match self.state_dir.take() {
                Some(dir) => dir,
                None => {
                    fresh = tempfile::tempdir().expect("temp state dir");
                    fresh.path().into()
                }
            };
            self.cmd.arg("--state-dir").arg(dir);
        }
        self.cmd.args(&self.passed_on);
        let started = Instant::now();
        let deadline = started + self.bound;
        let child = loop {
            match self.cmd.spawn() {
                Ok(child) => break child,
                // A binary a test just copied may still be open for writing in a child
                // another test thread forked meanwhile, until that child execs.
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("spawn {}: {e}", self.shown),
            }
        };
        let mut child = Reaped(child);
        let stdout = read_to_end(child.0.stdout.take().expect("piped stdout"));
        let stderr = read_to_end(child.0.stderr.take().expect("piped stderr"));
        let Some(stdout) = recv_by(&stdout, deadline) else {
            panic!("{}: stdout still open after {:?}", self.shown, self.bound);
        };
        let status = loop {
            if let Some(status) = child.0.try_wait().expect("wait for the plugin") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "{}: still running after {:?}",
                self.shown,
                self.bound
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        let took = started.elapsed();
        let Some(stderr) = recv_by(&stderr, deadline) else {
            panic!("{}: stderr still open after {:?}", self.shown, self.bound);
        };
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
            took,
        };
        if !self.asks_for_help {
            assert!(
                matches!(run.code, 0..=2),
                "{}: exit code {}: {:?} / {:?}",
                self.shown,
                run.code,
                run.stdout,
                run.stderr
            );
            assert_eq!(
                run.stdout.lines().count(),
                1,
                "{}: {:?}",
                self.shown,
                run.stdout
            );
            // NPD passes the message on as a Go format string.
            assert!(
                !run.stdout.contains('%'),
                "{}: {:?}",
                self.shown,
                run.stdout
            );
        }
        run
    }
}

/// A command for `program` as NPD starts a plugin: no stdin, stdout and stderr piped.
fn plugin_command(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

impl Invocation {
    /// The command as prepared so far (its environment), for another program.
    fn cmd_for(&self, program: &Path) -> Command {
        let mut cmd = plugin_command(program);
        for (key, value) in self.cmd.get_envs() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd
    }
}

/// Reads `pipe` to its end on a thread of its own, so that a plugin that writes more
/// than a pipe holds (`--help`) is never blocked by the test waiting for it.
fn read_to_end(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        // Returns only when no process holds the pipe any more.
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

fn recv_by(rx: &mpsc::Receiver<String>, deadline: Instant) -> Option<String> {
    rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // `sh -c SCRIPT` takes the appended `--state-dir DIR` as $0 and $1.
    const SH: &str = "/bin/sh";

    #[test]
    fn a_state_dir_is_always_passed_and_the_line_is_read() {
        let r = run(
            SH,
            &[
                "-c",
                r#"test "$0" = --state-dir && test -d "$1" && echo ok"#,
            ],
        );
        assert_eq!((r.code, r.line()), (0, "ok"));
    }

    #[test]
    #[should_panic(expected = "stdout still open after")]
    fn a_plugin_that_never_answers_fails_the_test_at_the_bound() {
        Invocation::new(SH, &["-c", "sleep 30"])
            .bound(Duration::from_millis(200))
            .go();
    }

    #[test]
    fn the_state_dir_goes_before_what_the_plugin_passes_on() {
        let r = run(
            SH,
            &[
                "-c",
                r#"test "$0 $2 $3" = "--state-dir -- x" && test -d "$1" && echo ok"#,
                "--",
                "x",
            ],
        );
        assert_eq!((r.code, r.line()), (0, "ok"));
    }

    #[test]
    #[should_panic(expected = "exit code 3")]
    fn an_exit_code_npd_does_not_know_fails_the_test() {
        run(SH, &["-c", "echo x; exit 3"]);
    }

    #[test]
    #[should_panic(expected = "50%")]
    fn a_percent_sign_on_stdout_fails_the_test() {
        run(SH, &["-c", "echo 50%"]);
    }
}
