//! What the tests of npd-cri run against: a real containerd in a temp dir, and unix
//! sockets the test holds (refusing, silent, answering garbage). Every process and
//! thread a test starts ends with the value that holds it.

use std::io::Write;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use npd_test_support::{in_ci, is_root, run, skip, Reaped, Run};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-cri");

/// Debian's containerd binary, installed by the `containerd` package.
const CONTAINERD: &str = "/usr/bin/containerd";

/// Runs npd-cri with `root` as its host root.
pub fn run_at(root: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--host-root", root.to_str().unwrap()];
    all.extend_from_slice(args);
    run(BIN, &all)
}

/// A containerd serving `<root>/containerd.sock`, its state all under a temp dir that
/// is the host root of the runs; killed and reaped when dropped.
pub struct Containerd {
    dir: TempDir,
    process: Reaped,
}

impl Containerd {
    /// The CRI socket, host view.
    pub const SOCKET: &'static str = "/containerd.sock";

    /// Starts containerd with its CRI plugin and no CNI config (so its NetworkReady is
    /// false); `None` (a skip) without root or containerd, outside CI.
    pub fn start(test: &str) -> Option<Containerd> {
        Containerd::start_with(test, &[])
    }

    /// As [`Containerd::start`], with these plugins disabled too.
    pub fn start_with(test: &str, disabled: &[&str]) -> Option<Containerd> {
        if !is_root() {
            skip(test, "containerd needs root");
            return None;
        }
        if !Path::new(CONTAINERD).exists() && !in_ci() {
            skip(test, "no /usr/bin/containerd (Debian package containerd)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let socket = format!("{d}/containerd.sock");
        // The snapshotters that need a kernel feature or a pool of their own are off,
        // the side listeners are off or in the temp dir, CNI is looked for there.
        let mut off = vec![
            "io.containerd.snapshotter.v1.btrfs",
            "io.containerd.snapshotter.v1.zfs",
            "io.containerd.snapshotter.v1.devmapper",
            "io.containerd.snapshotter.v1.aufs",
        ];
        off.extend_from_slice(disabled);
        let off: Vec<String> = off.iter().map(|p| format!("{p:?}")).collect();
        let config = format!(
            "version = 2\nroot = \"{d}/root\"\nstate = \"{d}/state\"\n\
             disabled_plugins = [{}]\n\
             [grpc]\n  address = \"{socket}\"\n\
             [ttrpc]\n  address = \"{socket}.ttrpc\"\n\
             [debug]\n  address = \"\"\n\
             [metrics]\n  address = \"\"\n\
             [plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"{d}/opt\"\n\
             [plugins.\"io.containerd.grpc.v1.cri\".cni]\n  \
             conf_dir = \"{d}/cni/net.d\"\n  bin_dir = \"{d}/cni/bin\"\n",
            off.join(", ")
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let log = std::fs::File::create(dir.path().join("containerd.log")).unwrap();
        let child = Command::new(CONTAINERD)
            .args(["--config", &format!("{d}/config.toml")])
            .args([
                "--root",
                &format!("{d}/root"),
                "--state",
                &format!("{d}/state"),
            ])
            .args(["--address", &socket])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{CONTAINERD}: {e}"));
        let mut process = Reaped(child);
        let started = Instant::now();
        while UnixStream::connect(&socket).is_err() {
            let exited = process.0.try_wait().unwrap();
            let log = std::fs::read_to_string(dir.path().join("containerd.log"));
            assert!(
                exited.is_none() && started.elapsed() < Duration::from_secs(15),
                "containerd did not serve {socket} ({exited:?}):\n{}",
                log.unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Containerd { dir, process })
    }

    /// The host root holding the socket.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Ends containerd with `signal` and waits for it: SIGTERM is a clean stop (it
    /// removes its socket), SIGKILL a crash (the socket stays, nobody serving it).
    pub fn end(&mut self, signal: i32) {
        // SAFETY: kill(2) on our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(self.process.0.id() as i32, signal) }, 0);
        self.process.0.wait().unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--socket", Containerd::SOCKET];
        all.extend_from_slice(args);
        run_at(self.root(), &all)
    }
}

/// A socket that accepts every connection and then never answers, answers `reply`, or
/// closes it at once; it holds the connections it keeps open until it is dropped.
pub struct Peer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Peer {
    pub fn silent(path: &Path) -> Peer {
        Peer::start(path, None, true)
    }

    pub fn answering(path: &Path, reply: &'static [u8]) -> Peer {
        Peer::start(path, Some(reply), true)
    }

    pub fn closing(path: &Path) -> Peer {
        Peer::start(path, None, false)
    }

    fn start(path: &Path, reply: Option<&'static [u8]>, hold: bool) -> Peer {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let listener = UnixListener::bind(path).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = stream else { return };
                if let Some(reply) = reply {
                    let _ = stream.write_all(reply);
                }
                if hold {
                    held.push(stream);
                }
            }
        });
        Peer {
            path: path.to_path_buf(),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // One more connection wakes the thread in accept() to see the flag.
        self.stop.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.path);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A socket file nobody listens on any more: connecting is refused.
pub fn refusing(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    drop(UnixListener::bind(path).unwrap());
}
