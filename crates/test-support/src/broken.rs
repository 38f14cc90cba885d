//! What every plugin that reads host files asserts about a broken one: a file that is
//! missing, unreadable, empty, garbage or never answers makes the plugin blind, so
//! the answer is Unknown (exit 2), never a problem, with one ASCII line that says
//! what is wrong in words the test names.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::{is_root, FakeHost, Invocation, Run};

/// How a host file is broken.
pub enum Broken<'a> {
    /// Not there.
    Missing,
    /// Mode 000, read as user nobody when the test runs as root (root reads whatever
    /// the mode bits say); the mode is given back after the run.
    Unreadable,
    /// A directory where the file should be: no user can read it.
    Directory,
    /// There, without a byte.
    Empty,
    /// These bytes.
    Garbage(&'a [u8]),
    /// A FIFO no process writes to: opening it blocks, as a file on a hung mount does.
    Hung,
}

/// What the answer line must say.
pub enum Says<'a> {
    /// Exactly this line.
    Line(&'a str),
    /// A line starting with this.
    Start(&'a str),
    /// A line ending with this.
    End(&'a str),
    /// A line holding this.
    Part(&'a str),
}

/// Makes each file of `cases` unreadable in turn and asserts that the check that
/// reads it (`--check <check>`) answers Unknown, "cannot read <its host path>:
/// permission denied".
pub fn assert_unreadable_per_check(bin: &str, host: &FakeHost, cases: &[(&str, &str)]) {
    for (file, check) in cases {
        let line = format!("cannot read {}/{file}: permission denied", host.root());
        let args = ["--check", check];
        assert_broken(
            bin,
            host,
            file,
            Broken::Unreadable,
            &args,
            Says::Line(&line),
        );
    }
}

/// Makes `file` a read that never returns and asserts that `bin`, run with `args`,
/// `--timeout 500ms` and room for the whole line, answers Unknown "no answer in 500ms
/// while reading <its path>" well before NPD would give up on it: the stuck read is
/// left behind, not waited for.
pub fn assert_read_times_out(bin: &str, host: &FakeHost, file: &str, args: &[&str]) {
    let line = format!(
        "no answer in 500ms while reading {}",
        host.path(file).display()
    );
    let mut all = args.to_vec();
    all.extend(["--timeout", "500ms", "--max-output", "400"]);
    let started = Instant::now();
    assert_broken(bin, host, file, Broken::Hung, &all, Says::Line(&line));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{file}: {took:?}");
}

/// Breaks `file` (a host path) on `host` as `how` says, runs `bin` with `--host-root`
/// and `args`, and asserts an Unknown answer, one ASCII line, that `says` what it
/// must. Returns the run for what else a test asserts.
pub fn assert_broken(
    bin: &str,
    host: &FakeHost,
    file: &str,
    how: Broken,
    args: &[&str],
    says: Says,
) -> Run {
    let path = host.path(file);
    let mut mode = None;
    match how {
        Broken::Missing => {
            host.remove(file);
        }
        Broken::Unreadable => {
            mode = Some(
                fs::metadata(&path)
                    .expect("the file to break")
                    .permissions(),
            );
            reachable_above(host, &path);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        }
        Broken::Directory => {
            if path.exists() {
                host.remove(file);
            }
            host.dir(file);
        }
        Broken::Empty => {
            host.write(file, b"");
        }
        Broken::Garbage(bytes) => {
            host.write(file, bytes);
        }
        Broken::Hung => {
            host.fifo(file);
        }
    }
    let mut all = vec!["--host-root", host.root()];
    all.extend_from_slice(args);
    let r = match mode {
        Some(_) if is_root() => {
            // The plugin may keep state: nobody must be able to write it.
            let state = tempfile::tempdir().expect("temp state dir");
            fs::set_permissions(state.path(), fs::Permissions::from_mode(0o777)).unwrap();
            Invocation::new(bin, &all)
                .state_dir(state.path())
                .as_nobody()
                .go()
        }
        _ => Invocation::new(bin, &all).go(),
    };
    if let Some(mode) = mode {
        fs::set_permissions(&path, mode).unwrap();
    }
    let line = r.line();
    assert_eq!(r.code, 2, "{file} {all:?}: {line}\n{}", r.stderr);
    assert!(line.is_ascii(), "{file}: {line:?}");
    let said = match says {
        Says::Line(want) => line == want,
        Says::Start(want) => line.starts_with(want),
        Says::End(want) => line.ends_with(want),
        Says::Part(want) => line.contains(want),
    };
    assert!(
        said,
        "{file}: {line:?} is not what it should say: {}",
        says.show()
    );
    r
}

impl Says<'_> {
    fn show(&self) -> String {
        match self {
            Says::Line(s) => format!("the line {s:?}"),
            Says::Start(s) => format!("a line starting {s:?}"),
            Says::End(s) => format!("a line ending {s:?}"),
            Says::Part(s) => format!("a line holding {s:?}"),
        }
    }
}

/// Makes every directory from the root down to `path` traversable by any user, so
/// that nobody fails on the file, not on the way to it.
fn reachable_above(host: &FakeHost, path: &Path) {
    let root = Path::new(host.root());
    for dir in path.ancestors().skip(1) {
        if !dir.starts_with(root) {
            break;
        }
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plugin in sh: `--host-root ROOT FILE` prints FILE's first line, or says it
    /// cannot read it; always Unknown. Then its `--state-dir DIR`.
    fn cat_plugin(dir: &Path) -> String {
        let path = dir.join("cat-plugin");
        let script = "#!/bin/sh\nhead -n 1 \"$2/$3\" 2>/dev/null | grep . || echo \"cannot read $3\"\nexit 2\n";
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn each_way_of_breaking_is_seen_by_the_plugin() {
        let bin = tempfile::tempdir().unwrap();
        let bin = cat_plugin(bin.path());
        let host = FakeHost::new();
        host.write("proc/x", "fine\n");
        let cat = |how, says| assert_broken(&bin, &host, "proc/x", how, &["proc/x"], says);
        cat(Broken::Unreadable, Says::Line("cannot read proc/x"));
        assert_eq!(fs::read_to_string(host.path("proc/x")).unwrap(), "fine\n");
        cat(Broken::Garbage(b"junk\n"), Says::Line("junk"));
        cat(Broken::Empty, Says::Start("cannot"));
        cat(Broken::Missing, Says::End("proc/x"));
        cat(Broken::Directory, Says::Part("read"));
        assert!(host.path("proc/x").is_dir());
    }

    #[test]
    #[should_panic(expected = "is not what it should say")]
    fn another_line_fails_the_test() {
        let bin = tempfile::tempdir().unwrap();
        let bin = cat_plugin(bin.path());
        let host = FakeHost::new();
        let says = Says::Line("junk");
        assert_broken(&bin, &host, "x", Broken::Garbage(b"other\n"), &["x"], says);
    }
}
