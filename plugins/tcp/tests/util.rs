//! Running `npd-tcp` as NPD would, and TCP peers on 127.0.0.1 that stop with the test.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-tcp");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub elapsed: Duration,
}

impl Output {
    pub fn line(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

pub fn run(args: &[&str]) -> Output {
    let state = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--state-dir")
        .arg(state.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("npd-tcp ran for 20s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    if !args.contains(&"--help") {
        assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    }
    Output {
        code: status.code().unwrap_or(-1),
        stdout,
        elapsed,
    }
}

/// A listener on 127.0.0.1 that hands each connection to `serve` on its own thread;
/// it stops accepting when dropped, and lives 30s at most.
pub struct Peer {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Peer {
    pub fn start(serve: impl Fn(std::net::TcpStream, &AtomicBool) + Send + Sync + 'static) -> Peer {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let serve = Arc::new(serve);
        std::thread::spawn(move || {
            let born = Instant::now();
            while !s.load(Ordering::SeqCst) && born.elapsed() < Duration::from_secs(30) {
                match l.accept() {
                    Ok((sock, _)) => {
                        let (serve, s) = (serve.clone(), s.clone());
                        std::thread::spawn(move || {
                            let _ = sock.set_nonblocking(false);
                            serve(sock, &s)
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Peer { port, stop }
    }

    /// Accepts and says nothing until stopped.
    pub fn silent() -> Peer {
        Peer::start(|_sock, stop| {
            let born = Instant::now();
            while !stop.load(Ordering::SeqCst) && born.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    }

    /// Sends `banner` at once (after `delay`), then closes.
    pub fn banner(banner: &'static [u8], delay: Duration) -> Peer {
        Peer::start(move |mut sock, _| {
            std::thread::sleep(delay);
            let _ = sock.write_all(banner);
            std::thread::sleep(Duration::from_millis(20));
        })
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
