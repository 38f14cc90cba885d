//! The servers `npd-dns` asks: a dnsmasq on a free port, and scripted UDP peers.
//! Every server stops when the test drops it, and lives 30s at most.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use npd_test_support::{run, skip, Run};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-dns");
const DNSMASQ: &str = "/usr/sbin/dnsmasq";

/// dnsmasq answering only from its own records: ok.test 10.1.2.3, ok6.test fd00::1,
/// anything under wild.test 10.9.9.9, NXDOMAIN for other .test names, REFUSED for
/// the rest (no upstream).
pub struct Dnsmasq {
    child: Child,
    pub addr: String,
}

impl Dnsmasq {
    /// Starts it for `test`, or returns `None` after [`skip`] where it is missing.
    pub fn start(test: &str) -> Option<Dnsmasq> {
        if !std::path::Path::new(DNSMASQ).is_file() {
            skip(test, &format!("{DNSMASQ} missing (Debian's dnsmasq-base)"));
            return None;
        }
        for _ in 0..3 {
            let port = UdpSocket::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new(DNSMASQ)
                .args([
                    "--keep-in-foreground",
                    &format!("--port={port}"),
                    "--listen-address=127.0.0.1",
                    "--bind-interfaces",
                    "--no-resolv",
                    "--no-hosts",
                    "--conf-file=/dev/null",
                    "--pid-file",
                    "--user=root",
                    "--local=/test/",
                    "--host-record=ok.test,10.1.2.3",
                    "--host-record=ok6.test,fd00::1",
                    "--address=/wild.test/10.9.9.9",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start dnsmasq");
            let mut server = Dnsmasq {
                child,
                addr: format!("127.0.0.1:{port}"),
            };
            let until = Instant::now() + Duration::from_secs(5);
            while Instant::now() < until {
                if server.child.try_wait().unwrap().is_some() {
                    break; // the port was taken meanwhile: try another
                }
                let r = run(
                    BIN,
                    &[
                        "--server",
                        &server.addr,
                        "--name",
                        "ok.test",
                        "--timeout",
                        "300ms",
                    ],
                );
                if r.code == 0 {
                    return Some(server);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("dnsmasq did not start answering");
    }

    /// Runs npd-dns with `flags`, asking this server only.
    pub fn ask(&self, flags: &[&str]) -> Run {
        let mut args = vec!["--server", self.addr.as_str()];
        args.extend_from_slice(flags);
        run(BIN, &args)
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a scripted peer does with each query.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Reads nothing, answers nothing.
    Silent,
    ServFail,
    Garbage,
    /// One A record with this address.
    Answer(Ipv4Addr),
}

pub struct UdpPeer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    _sock: Option<UdpSocket>,
}

impl UdpPeer {
    pub fn start(behaviour: Behaviour) -> UdpPeer {
        UdpPeer::start_at("127.0.0.1:0", behaviour).unwrap()
    }

    pub fn start_at(addr: &str, behaviour: Behaviour) -> std::io::Result<UdpPeer> {
        let sock = UdpSocket::bind(addr)?;
        let addr = sock.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        if let Behaviour::Silent = behaviour {
            return Ok(UdpPeer {
                addr,
                stop,
                _sock: Some(sock),
            });
        }
        let s = stop.clone();
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        std::thread::spawn(move || {
            let born = Instant::now();
            let mut buf = [0u8; 512];
            while !s.load(Ordering::SeqCst) && born.elapsed() < Duration::from_secs(30) {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                let reply = reply(&buf[..n], behaviour);
                let _ = sock.send_to(&reply, from);
            }
        });
        Ok(UdpPeer {
            addr,
            stop,
            _sock: None,
        })
    }

    pub fn addr(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for UdpPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn reply(query: &[u8], behaviour: Behaviour) -> Vec<u8> {
    let mut m = query.to_vec();
    match behaviour {
        Behaviour::Garbage => return b"\xff\xfe this is not DNS".to_vec(),
        Behaviour::ServFail => {
            m[2] = 0x81;
            m[3] = 0x82;
        }
        Behaviour::Answer(ip) => {
            m[2] = 0x81;
            m[3] = 0x80;
            m[7] = 1;
            m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            m.extend_from_slice(&ip.octets());
        }
        Behaviour::Silent => {}
    }
    m
}
