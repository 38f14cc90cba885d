//! TCP with one deadline for everything: name resolution, connect, every read and
//! write. A probe that waits past its deadline is a probe NPD kills, so no call here
//! blocks longer than the time left.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::{Failure, FailureKind};

/// Addresses for `host`: an IP literal as is, `localhost` as the loopback addresses
/// (as every resolver does, without asking one), anything else through the C
/// library's resolver on a thread that is abandoned at the deadline.
pub fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, Failure> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = format!("{host}:{port}");
    let spawned = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let _ = tx.send(name.to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
        });
    if let Err(e) = spawned {
        return Err(Failure::new(
            FailureKind::Resolve,
            format!("cannot resolve {host}: no thread: {e}"),
        ));
    }
    let wait = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Failure::new(
            FailureKind::Resolve,
            format!("{host} has no address"),
        )),
        Ok(Err(e)) => Err(Failure::new(
            FailureKind::Resolve,
            format!("cannot resolve {host}: {}", short(&e)),
        )),
        Err(_) => Err(Failure::new(
            FailureKind::Resolve,
            format!("no answer resolving {host}"),
        )),
    }
}

/// Connects to the first address that accepts, in order. A refusal moves on to the
/// next address; a timeout ends the attempt (the deadline is spent).
pub fn connect(addrs: &[SocketAddr], deadline: Instant) -> Result<DeadlineStream, Failure> {
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(sock) => {
                let _ = sock.set_nodelay(true);
                return Ok(DeadlineStream { sock, deadline });
            }
            Err(e) if is_timeout(&e) => {
                return Err(Failure::new(FailureKind::Timeout, "connecting"));
            }
            Err(e) => last = Some(connect_failure(&e)),
        }
    }
    Err(last.unwrap_or_else(|| Failure::new(FailureKind::Timeout, "connecting")))
}

fn connect_failure(e: &io::Error) -> Failure {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            Failure::new(FailureKind::Refused, "connection refused")
        }
        _ => Failure::new(
            FailureKind::Connect,
            format!("cannot connect: {}", short(e)),
        ),
    }
}

/// A connected socket whose reads and writes each wait at most until the deadline.
pub struct DeadlineStream {
    sock: TcpStream,
    deadline: Instant,
}

impl DeadlineStream {
    pub fn socket(&self) -> &TcpStream {
        &self.sock
    }

    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"))
        } else {
            Ok(left)
        }
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left()?;
        self.sock.set_read_timeout(Some(left))?;
        self.sock.read(buf).map_err(timed_out)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.left()?;
        self.sock.set_write_timeout(Some(left))?;
        self.sock.write(buf).map_err(timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Socket timeouts surface as WouldBlock on Linux; one kind for callers to test.
fn timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
    } else {
        e
    }
}

pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// The OS's reason without "(os error N)".
pub fn short(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => return "not found".into(),
        io::ErrorKind::PermissionDenied => return "permission denied".into(),
        _ => {}
    }
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_localhost_need_no_resolver() {
        let far = Instant::now() + Duration::from_secs(1);
        assert_eq!(
            resolve("127.0.0.1", 80, far).unwrap(),
            vec!["127.0.0.1:80".parse().unwrap()]
        );
        assert_eq!(resolve("::1", 80, far).unwrap()[0].to_string(), "[::1]:80");
        assert_eq!(resolve("LOCALHOST", 9, far).unwrap().len(), 2);
    }

    #[test]
    fn a_closed_port_is_refused() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let far = Instant::now() + Duration::from_secs(2);
        let err = connect(&[addr], far).err().unwrap();
        assert_eq!(err.kind, FailureKind::Refused);
    }
}
