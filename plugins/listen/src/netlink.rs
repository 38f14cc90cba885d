//! Asking the kernel for sockets over `NETLINK_SOCK_DIAG`, as `ss` does: one dump
//! per address family, answered from the kernel's memory. For TCP only listeners
//! are asked for, so the kernel walks its table of listeners alone instead of its
//! whole connection hash, which every read of /proc/net/tcp walks (milliseconds on
//! a machine with much memory, even with no socket at all).
//!
//! Every wait is bounded by the check's deadline (a receive timeout), though a
//! local netlink socket answers at once. What can fail is told apart: a kernel or
//! sandbox that refuses (the caller reads the tables instead) from an answer that
//! did not come in time (Unknown: no time is left to read anything else).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Instant;

use crate::diag::{self, Progress, Request, WireError};
use crate::table::Socket;

/// Why no dump was had.
#[derive(Debug)]
pub enum Failure {
    /// Netlink cannot answer here (no sock_diag for the protocol, a seccomp filter,
    /// a garbled answer): what failed, for --explain.
    Unavailable(String),
    /// The deadline passed while waiting for the answer.
    TimedOut,
}

/// A sock_diag netlink socket; dumps on it are made one after the other (the
/// kernel runs one dump per socket at a time).
pub struct Diag {
    fd: OwnedFd,
    seq: u32,
    /// One datagram of the answer. The kernel sizes a dump's datagrams to the
    /// reader's buffer but never above 32 KiB, so this holds any of them (`ss`
    /// reads with the same size); a larger one would be seen (MSG_TRUNC), not cut.
    buf: Vec<u8>,
}

const BUFFER: usize = 32 * 1024;

impl Diag {
    pub fn open() -> Result<Diag, Failure> {
        // SAFETY: socket(2) with constant arguments; the descriptor is owned at once.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_SOCK_DIAG,
            )
        };
        if fd < 0 {
            return Err(failed("socket", io::Error::last_os_error()));
        }
        Ok(Diag {
            // SAFETY: fd is a fresh descriptor nobody else owns.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            seq: 0,
            buf: vec![0; BUFFER],
        })
    }

    /// Dumps the sockets of `family` and `protocol` in `states`, calling `each`
    /// with every one, and returns how many there were.
    pub fn dump(
        &mut self,
        family: i32,
        protocol: i32,
        states: u32,
        deadline: Instant,
        each: &mut dyn FnMut(Socket),
    ) -> Result<u64, Failure> {
        self.seq += 1;
        let request = Request::dump(family as u8, protocol as u8, states, self.seq);
        let bytes = request.as_bytes();
        // SAFETY: a zeroed sockaddr_nl is the kernel's address (pid 0, no group);
        // sendto reads `bytes`, which outlive the call.
        let sent = unsafe {
            let mut kernel: libc::sockaddr_nl = std::mem::zeroed();
            kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
            libc::sendto(
                self.fd.as_raw_fd(),
                bytes.as_ptr().cast(),
                bytes.len(),
                0,
                (&kernel as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if sent < 0 {
            return Err(failed("send", io::Error::last_os_error()));
        }
        let mut count = 0u64;
        let mut counted = |s: Socket| {
            count += 1;
            each(s)
        };
        loop {
            let len = self.receive(deadline)?;
            match diag::parse(&self.buf[..len], self.seq, &mut counted) {
                Ok(Progress::More) => continue,
                Ok(Progress::Done) => break,
                Err(WireError::Refused(errno)) => {
                    return Err(failed("request", io::Error::from_raw_os_error(errno)))
                }
                Err(WireError::Interrupted) => {
                    return Err(Failure::Unavailable(
                        "the dump was interrupted by a change of the table".into(),
                    ))
                }
                Err(WireError::Garbled(what)) => {
                    return Err(Failure::Unavailable(format!("garbled answer: {what}")))
                }
            }
        }
        Ok(count)
    }

    /// One datagram into `buf`, waiting no later than `deadline`.
    fn receive(&mut self, deadline: Instant) -> Result<usize, Failure> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::TimedOut);
            }
            // A zero timeval would mean "wait forever": `left` is at least 1 us here.
            let timeout = libc::timeval {
                tv_sec: left.as_secs() as libc::time_t,
                tv_usec: left.subsec_micros().max(1) as libc::suseconds_t,
            };
            // SAFETY: setsockopt reads a timeval from the stack; recv writes at most
            // buf.len() bytes into buf. MSG_TRUNC makes recv return the datagram's
            // full length, so a datagram larger than buf is seen, not cut silently.
            let len = unsafe {
                if libc::setsockopt(
                    self.fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVTIMEO,
                    (&timeout as *const libc::timeval).cast(),
                    std::mem::size_of::<libc::timeval>() as libc::socklen_t,
                ) != 0
                {
                    return Err(failed("setsockopt", io::Error::last_os_error()));
                }
                libc::recv(
                    self.fd.as_raw_fd(),
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    libc::MSG_TRUNC,
                )
            };
            if len >= 0 {
                let len = len as usize;
                if len > self.buf.len() {
                    return Err(Failure::Unavailable(format!(
                        "a datagram of {len} bytes, over {BUFFER}"
                    )));
                }
                return Ok(len);
            }
            let e = io::Error::last_os_error();
            match e.kind() {
                io::ErrorKind::Interrupted => continue,
                // The receive timeout: the deadline is checked again above.
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => continue,
                _ => return Err(failed("receive", e)),
            }
        }
    }
}

fn failed(what: &str, e: io::Error) -> Failure {
    Failure::Unavailable(format!("{what}: {}", npd_plugin::short_io_reason(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::TCP_LISTEN;
    use npd_test_support::skip;
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::time::Duration;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    fn listeners(diag: &mut Diag, family: i32) -> Vec<Socket> {
        let mut seen = Vec::new();
        let deadline = soon();
        let count = diag
            .dump(
                family,
                libc::IPPROTO_TCP,
                diag::TCPF_LISTEN,
                deadline,
                &mut |s| seen.push(s),
            )
            .unwrap();
        assert_eq!(count as usize, seen.len());
        seen
    }

    #[test]
    fn listeners_of_this_process_are_in_the_dump_of_their_family() {
        let test = "listeners_of_this_process_are_in_the_dump_of_their_family";
        let (Ok(mut diag), Ok(v6)) = (Diag::open(), TcpListener::bind("[::1]:0")) else {
            skip(test, "no netlink sock_diag or no IPv6 loopback here");
            return;
        };
        let v4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let (v4, v6) = (v4.local_addr().unwrap(), v6.local_addr().unwrap());
        // A connection's ends are not listeners.
        let client = TcpStream::connect(v4).unwrap();
        let four = listeners(&mut diag, libc::AF_INET);
        // The same socket takes the next dump once the first is over.
        let six = listeners(&mut diag, libc::AF_INET6);
        let has = |seen: &[Socket], addr: SocketAddr| {
            seen.iter()
                .any(|s| SocketAddr::new(s.local, s.local_port) == addr)
        };
        assert!(has(&four, v4) && !has(&six, v4));
        assert!(has(&six, v6) && !has(&four, v6));
        assert!(!has(&four, client.local_addr().unwrap()));
        assert!(four.iter().chain(&six).all(|s| s.state == TCP_LISTEN));
    }

    #[test]
    fn a_deadline_already_passed_is_a_timeout_and_a_refusal_is_unavailable() {
        let test = "a_deadline_already_passed_is_a_timeout_and_a_refusal_is_unavailable";
        let Ok(mut diag) = Diag::open() else {
            skip(test, "no netlink sock_diag here");
            return;
        };
        let now = Instant::now();
        let r = diag.dump(libc::AF_INET, libc::IPPROTO_TCP, 1, now, &mut |_| {});
        assert!(matches!(r, Err(Failure::TimedOut)), "{r:?}");
        // No protocol 99 has a diag module: the kernel refuses with ENOENT.
        let mut diag = Diag::open().unwrap();
        let r = diag.dump(libc::AF_INET, 99, u32::MAX, soon(), &mut |_| {});
        match r {
            Err(Failure::Unavailable(why)) => assert_eq!(why, "request: not found"),
            other => panic!("{other:?}"),
        }
    }
}
