//! Running `npd-listen` as NPD would (no stdin, stdout and stderr captured, a bound on
//! the wait) and writing fake hosts for it to judge.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-listen");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The answer line without its newline.
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

/// Runs the plugin with `args` and a fresh state dir of its own.
pub fn run(args: &[&str]) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_in(args, state.path())
}

/// Runs the plugin with `args` and the given state dir (for debounce across runs).
pub fn run_in(args: &[&str], state: &Path) -> Output {
    run_full(args, state, |_| {})
}

/// Runs the plugin after `setup` adjusted the command (user, environment).
pub fn run_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let state = tempfile::tempdir().unwrap();
    run_full(args, state.path(), setup)
}

fn run_full(args: &[&str], state: &Path, setup: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--state-dir")
        .arg(state)
        .env_remove("HOST_ROOT")
        .env_remove("NPD_CHECKS_STATE_DIR")
        .env_remove("NPD_CHECKS_METRICS_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut cmd);
    let child = cmd.spawn().expect("spawn npd-listen");
    let mut guard = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "npd-listen ran for 20s: {args:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    let child = &mut guard.0;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let out = Output {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    };
    assert!(
        matches!(out.code, 0..=2),
        "exit code {} for {args:?}",
        out.code
    );
    if !args.contains(&"--help") {
        assert_eq!(out.stdout.lines().count(), 1, "one line for {args:?}");
    }
    out
}

/// A child process that is killed and reaped when the test lets go of it.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd` as user and group `nobody`, for tests of permissions (root reads
/// everything whatever the mode bits say).
pub fn as_nobody(cmd: &mut Command) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A fake host: the socket tables of `<root>/proc/1/net`, written by the test.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

pub const TCP: &str = "proc/1/net/tcp";
pub const TCP6: &str = "proc/1/net/tcp6";
pub const UDP: &str = "proc/1/net/udp";
pub const UDP6: &str = "proc/1/net/udp6";

pub const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
pub const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
pub const UDP_HEADER: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

/// TCP states as the `st` column shows them.
pub const LISTEN: u8 = 0x0A;
pub const ESTABLISHED: u8 = 0x01;
/// How an unconnected UDP socket shows.
pub const CLOSE: u8 = 0x07;

impl FakeHost {
    /// An empty root: no /proc at all.
    pub fn empty() -> FakeHost {
        FakeHost {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A host whose four tables hold only their headers: nothing listens.
    pub fn quiet() -> FakeHost {
        let host = FakeHost::empty();
        host.write(TCP, TCP_HEADER)
            .write(TCP6, TCP6_HEADER)
            .write(UDP, UDP_HEADER)
            .write(UDP6, TCP6_HEADER);
        host
    }

    pub fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `rel` under the root, creating its directories.
    pub fn write(&self, rel: &str, text: &str) -> &FakeHost {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Appends `text` to `rel`.
    pub fn append(&self, rel: &str, text: &str) -> &FakeHost {
        use std::io::Write;
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(self.path(rel))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &FakeHost {
        fs::remove_file(self.path(rel)).unwrap();
        self
    }

    /// A socket in the table matching the local address's family and `proto`.
    pub fn socket(&self, proto: &str, local: &str, state: u8, remote: &str) -> &FakeHost {
        let local: SocketAddr = local.parse().unwrap();
        let remote: SocketAddr = remote.parse().unwrap();
        let table = match (proto, local.is_ipv4()) {
            ("tcp", true) => TCP,
            ("tcp", false) => TCP6,
            ("udp", true) => UDP,
            ("udp", false) => UDP6,
            _ => panic!("{proto}"),
        };
        self.append(table, &line(0, local, remote, state))
    }

    /// A TCP listener on `local` ("0.0.0.0:5000", "[::]:5000").
    pub fn listen(&self, local: &str) -> &FakeHost {
        let any = if local.starts_with('[') {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        };
        self.socket("tcp", local, LISTEN, any)
    }

    /// An unconnected UDP socket bound to `local`.
    pub fn bind_udp(&self, local: &str) -> &FakeHost {
        let any = if local.starts_with('[') {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        };
        self.socket("udp", local, CLOSE, any)
    }
}

/// One table line as the kernel prints it: each 32-bit word of an address as the
/// host-order integer its bytes make in memory.
pub fn line(slot: u32, local: SocketAddr, remote: SocketAddr, state: u8) -> String {
    format!(
        "{slot:4}: {}:{:04X} {}:{:04X} {state:02X} 00000000:00000000 00:00000000 00000000     0        0 {} 1 0000000000000000 100 0 0 10 0\n",
        hex_addr(local.ip()),
        local.port(),
        hex_addr(remote.ip()),
        remote.port(),
        1000 + slot
    )
}

fn hex_addr(ip: IpAddr) -> String {
    let bytes: Vec<u8> = match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    bytes
        .chunks(4)
        .map(|w| format!("{:08X}", u32::from_ne_bytes([w[0], w[1], w[2], w[3]])))
        .collect()
}
