//! The answer itself: exit codes 0/1/2, bad flags, panics, one ASCII line within
//! --max-output and without '%', the timeout, --help, --version, --explain and
//! --lint-args.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::{Duration, Instant};

use npd_test_support::Invocation;

use crate::{fixture, FIXTURE};

#[test]
fn ok_problem_unknown_map_to_0_1_2() {
    assert_eq!(fixture(&["--behave", "ok"]).code, 0);
    assert_eq!(fixture(&["--behave", "problem"]).code, 1);
    let r = fixture(&["--behave", "error", "--message", "cannot read /x"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, "cannot read /x\n"));
}

#[test]
fn an_error_of_kind_problem_is_1_and_debounced_like_a_problem() {
    let r = fixture(&["--behave", "err-problem", "--message", "refused"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "refused\n"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let run = |behave: &str| crate::debounced(dir, &["--fail-after", "2"], behave);
    assert_eq!(run("ok"), (0, "ok".into()));
    assert_eq!(run("err-problem"), (0, "ok".into()));
    assert_eq!(run("err-problem"), (1, "err-problem".into()));
}

#[test]
fn bad_flags_are_unknown_with_the_reason() {
    let r = fixture(&["--no-such-flag"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.starts_with("bad flags: "), "{}", r.stdout);
    assert!(r.stdout.contains("--no-such-flag"), "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 1);

    let r = fixture(&["--behave", "ok", "--timeout", "soon"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("invalid duration"), "{}", r.stdout);

    let r = fixture(&["--behave", "ok", "--timeout", "0s"]);
    assert_eq!(r.code, 2, "{}", r.stdout);

    // Validation beyond the parser (the plugin's configure step) is bad flags too.
    let r = fixture(&["--behave", "stat"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (2, "bad flags: --behave stat needs --path\n")
    );

    // The hidden test seam for the wall clock is checked like any flag.
    let r = fixture(&["--behave", "ok", "--test-wall-clock", "soon"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (
            2,
            "bad flags: --test-wall-clock: \"soon\" is not a number\n"
        )
    );
}

#[test]
fn a_panic_is_unknown_never_101() {
    let r = fixture(&["--behave", "panic", "--message", "index out of range"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "internal error (panic): index out of range\n");
    assert!(r.stderr.contains("panic at"), "{}", r.stderr);
}

#[test]
fn output_is_one_ascii_line_cut_at_max_output_bytes() {
    let long = "é".repeat(100) + " and more";
    let r = fixture(&["--behave", "problem", "--message", &long]);
    let line = r.stdout.strip_suffix('\n').unwrap();
    assert!(line.is_ascii());
    assert_eq!(line.len(), 80);
    assert_eq!(r.stdout.matches('\n').count(), 1);

    let r = fixture(&[
        "--behave",
        "problem",
        "--message",
        "abc def ghi",
        "--max-output",
        "7",
    ]);
    assert_eq!(r.stdout, "abc def\n");

    let r = fixture(&["--behave", "problem", "--message", "line one\nline two"]);
    assert_eq!(r.stdout, "line one line two\n");
}

#[test]
fn percent_signs_never_reach_npd() {
    let r = fixture(&["--behave", "problem", "--message", "/var 95% full"]);
    assert_eq!(r.stdout, "/var 95 pct full\n");
}

#[test]
fn an_empty_message_still_says_something() {
    let r = fixture(&["--behave", "ok", "--message", ""]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "OK\n"));
}

#[test]
fn the_answer_comes_before_the_timeout_whatever_the_check_does() {
    let started = Instant::now();
    let r = fixture(&["--behave", "sleep", "--timeout", "500ms"]);
    let took = started.elapsed();
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "no answer in 500ms while sleeping on purpose\n");
    assert!(took < Duration::from_millis(900), "took {took:?}");
}

/// The alarm interrupts a check spinning on its only CPU, no other thread needed.
#[test]
fn a_check_spinning_on_its_only_cpu_is_answered_by_the_timeout() {
    answered_by_the_timeout("spin", "no answer in 500ms while spinning on purpose\n");
}

/// A check about to wait where no signal reaches it starts the watchdog thread, which
/// answers on time, also when the check's CPU is the only one.
#[test]
fn a_wait_no_signal_reaches_is_answered_by_the_watchdog_thread() {
    answered_by_the_timeout(
        "unsignalled",
        "no answer in 500ms while waiting where no signal reaches\n",
    );
}

/// Runs the fixture behaving as `behave` with a 500 ms timeout, on every CPU and on
/// one: it must answer Unknown with `line` well before NPD would kill it.
fn answered_by_the_timeout(behave: &str, line: &str) {
    for one_cpu in [false, true] {
        let started = Instant::now();
        let mut run = Invocation::new(FIXTURE, &["--behave", behave, "--timeout", "500ms"]);
        if one_cpu {
            run = run.setup(on_one_cpu);
        }
        let r = run.go();
        let took = started.elapsed();
        assert_eq!(r.code, 2, "one cpu: {one_cpu}");
        assert_eq!(r.stdout, line, "one cpu: {one_cpu}");
        assert!(
            took < Duration::from_millis(900),
            "one cpu: {one_cpu}, took {took:?}"
        );
    }
}

/// A check that makes no such call runs alone: the backstop costs no thread.
#[test]
fn an_ordinary_check_runs_without_a_second_thread() {
    let r = fixture(&["--behave", "threads"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "1 threads\n"));
}

/// The watchdog thread is started with the check bound to its CPU for a moment; the
/// check (and what it starts) gets its whole CPU mask back.
#[test]
fn the_check_keeps_every_cpu_it_was_given() {
    let mine = allowed_cpus().len();
    let r = fixture(&["--behave", "cpus"]);
    assert_eq!((r.code, r.stdout), (0, format!("{mine} cpus\n")));
}

/// The CPUs this process may run on (the plugins it starts inherit them).
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is an empty set; sched_getaffinity fills it and
    // CPU_ISSET reads it within CPU_SETSIZE.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        assert_eq!(
            libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set),
            0
        );
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

/// Binds the command's process to the first CPU this one may use.
fn on_one_cpu(cmd: &mut Command) {
    let first = allowed_cpus()[0];
    // SAFETY: the closure only sets the child's own CPU mask between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let mut one: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(first, &mut one);
            libc::sched_setaffinity(0, std::mem::size_of_val(&one), &one);
            Ok(())
        });
    }
}

#[test]
fn help_and_version_exit_0_and_help_shows_a_rule() {
    let r = fixture(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Example NPD rule:"));
    assert!(r.stdout.contains("\"path\""));
    assert!(r.stdout.contains("--host-root"));
    let r = fixture(&["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("contract-fixture "), "{}", r.stdout);
}

#[test]
fn explain_goes_to_stderr_and_leaves_stdout_alone() {
    let plain = fixture(&["--behave", "problem", "--message", "m"]);
    let explained = fixture(&["--behave", "problem", "--message", "m", "--explain"]);
    assert_eq!(plain.stdout, explained.stdout);
    assert!(explained.stderr.contains("behaving as Problem"));
    assert!(explained.stderr.contains("answer: NonOK (m)"));
    assert!(!plain.stderr.contains("behaving as"));
}

#[test]
fn lint_args_reports_the_timeout_without_checking() {
    let r = fixture(&["--behave", "sleep", "--timeout", "3s", "--lint-args"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "{\"timeout_ms\":3000}\n"));
    let r = fixture(&["--behave", "bogus", "--lint-args"]);
    assert_eq!(r.code, 2);
}

#[test]
fn a_reader_gone_from_stdout_leaves_the_exit_code_as_judged() {
    // NPD closed its end of the pipe (it gave up on the run, or restarts): the write
    // fails, and the exit code is still the verdict's, not death by SIGPIPE.
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::ExitStatusExt;
    for (behave, code) in [("ok", 0), ("problem", 1), ("error", 2)] {
        let mut fds = [0; 2];
        // SAFETY: pipe(2) into a two-element array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just made and are owned here once.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        drop(read);
        let status = std::process::Command::new(crate::FIXTURE)
            .args(["--behave", behave])
            .stdout(std::process::Stdio::from(write))
            .status()
            .unwrap();
        assert_eq!(
            (status.code(), status.signal()),
            (Some(code), None),
            "{behave}"
        );
    }
}
