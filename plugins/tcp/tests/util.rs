//! TCP peers on 127.0.0.1 for `npd-tcp` to probe (npd-test-support's server, raw),
//! stopped with the test.

#![allow(dead_code)]

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use npd_test_support::serve::{Server, LIFETIME};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-tcp");

/// A listener that hands each connection to a function; it stops when dropped.
pub struct Peer {
    pub port: u16,
    _server: Server,
}

impl Peer {
    pub fn start(serve: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> Peer {
        let server = Server::tcp(serve);
        Peer {
            port: server.port(),
            _server: server,
        }
    }

    /// Accepts and says nothing until stopped.
    pub fn silent() -> Peer {
        Peer::start(|_sock, stop| {
            let born = Instant::now();
            while !stop.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
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
