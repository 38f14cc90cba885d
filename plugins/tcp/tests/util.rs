//! TCP peers on 127.0.0.1 for `npd-tcp` to probe, stopped with the test.

#![allow(dead_code)]

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-tcp");

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
