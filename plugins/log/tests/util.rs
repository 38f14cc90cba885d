//! Running `npd-log` again and again against the same host root and state dir, with a
//! clock the test sets, and the Keystone access-log lines it counts.

#![allow(dead_code)]

use std::ops::Deref;
use std::path::Path;

use npd_test_support::{FakeHost, Invocation, Run};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-log");

/// What `--explain` adds on stderr, and the count in a problem line.
pub trait Explained {
    /// The bytes read, as --explain reports them.
    fn bytes_read(&self) -> u64;
    /// Peak memory of the run, as --explain reports it.
    fn peak_kib(&self) -> u64;
    /// `count` in a message `label: count in window > max ...`.
    fn count(&self) -> u64;
}

impl Explained for Run {
    fn bytes_read(&self) -> u64 {
        let at = self.stderr.find("\nread ").expect("no 'read N bytes' line") + 6;
        self.stderr[at..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    fn peak_kib(&self) -> u64 {
        let at = self.stderr.find("peak memory ").expect("no peak memory") + 12;
        self.stderr[at..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    fn count(&self) -> u64 {
        let after = self.line().split(": ").nth(1).unwrap_or_default();
        match after.split(' ').next().unwrap_or_default().parse() {
            Ok(n) => n,
            Err(_) => panic!("no count in {:?}:\n{}", self.line(), self.stderr),
        }
    }
}

/// A host root with log files (written through [`FakeHost`]'s methods), a state dir
/// kept across runs, and the clock the plugin is told it is.
pub struct Node {
    host: FakeHost,
    state: tempfile::TempDir,
    /// Test clock: wall ms, boot ms (written to the root's /proc/uptime), boot id
    /// (its boot_id, hex digits and dashes as the kernel's).
    pub clock: (i64, u64, String),
}

impl Deref for Node {
    type Target = FakeHost;

    fn deref(&self) -> &FakeHost {
        &self.host
    }
}

impl Node {
    pub fn new() -> Node {
        let host = FakeHost::new();
        host.dir("var/log");
        Node {
            host,
            state: tempfile::tempdir().unwrap(),
            clock: (1_700_000_000_000, 1_000_000, "b00a".into()),
        }
    }

    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    /// Moves the test clock on by `secs` on both clocks.
    pub fn advance(&mut self, secs: u64) {
        self.clock.0 += secs as i64 * 1000;
        self.clock.1 += secs * 1000;
    }

    /// Runs the plugin with `args`, the root, the state dir and `--explain`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.invocation(args).go()
    }

    /// The run [`Node::run`] makes, to be adjusted first (another user).
    pub fn invocation(&self, args: &[&str]) -> Invocation {
        let mut all = args.to_vec();
        all.extend(["--host-root", self.root(), "--explain"]);
        // The host's boot clock comes from the root, as on a node; the wall clock
        // from the hidden flag that stands in for it.
        let (wall, boot, id) = &self.clock;
        self.host
            .write("/proc/sys/kernel/random/boot_id", format!("{id}\n"))
            .write(
                "/proc/uptime",
                format!("{}.{:03} 0.00\n", boot / 1000, boot % 1000),
            );
        let wall = wall.to_string();
        all.extend(["--test-wall-clock", &wall]);
        Invocation::new(BIN, &all).state_dir(self.state.path())
    }
}

/// A Keystone access-log line (seed format: request, status, size, seconds).
pub fn access(method: &str, path: &str, status: u16, secs: f64) -> String {
    format!(
        "10.0.0.5 - - [12/Mar/2024:10:00:00 +0000] \"{method} {path} HTTP/1.1\" {status} 330 {secs:.6}\n"
    )
}

/// `n` copies of an access line.
pub fn lines(n: usize, method: &str, path: &str, status: u16) -> Vec<u8> {
    access(method, path, status, 0.05).repeat(n).into_bytes()
}

/// The Keystone auth-failure pattern the shipped config uses.
pub const AUTH_401: &str = r#""POST /v(3/auth/tokens|2\.0/tokens)[^"]*" 401 "#;

/// Flags counting 401s on /var/log/keystone.log in a long window, limit 0: the
/// message then carries the count.
pub fn count_401() -> Vec<&'static str> {
    vec![
        "--file",
        "/var/log/keystone.log",
        "--pattern",
        AUTH_401,
        "--max-count",
        "0",
        "--window",
        "1h",
    ]
}
