//! Addresses for probes that must find nothing there.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A port on 127.0.0.1 where nothing listens, for as long as this value lives: a
/// socket holds it bound but never listens, so a connection is refused and no other
/// test or process on the machine can start listening there meanwhile (a port merely
/// handed out and given back can be taken by anyone the next moment).
pub struct ClosedPort {
    port: u16,
    _held: OwnedFd,
}

impl ClosedPort {
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// A [`ClosedPort`]; keep it alive for the whole test.
pub fn closed_port() -> ClosedPort {
    hold(0).expect("a free port on 127.0.0.1")
}

/// Holds 127.0.0.1:`port` (0: any free one) without listening; `None` when it is in
/// use.
pub fn hold(port: u16) -> Option<ClosedPort> {
    // SAFETY: a fresh socket, owned by the returned OwnedFd; the addresses are plain
    // sockaddr_in values on the stack.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return None;
        }
        let fd = OwnedFd::from_raw_fd(fd);
        let mut addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be(),
            },
            sin_zero: [0; 8],
        };
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        if libc::bind(
            fd.as_raw_fd(),
            (&addr as *const libc::sockaddr_in).cast(),
            len,
        ) != 0
        {
            return None;
        }
        let named = libc::getsockname(
            fd.as_raw_fd(),
            (&mut addr as *mut libc::sockaddr_in).cast(),
            &mut len,
        );
        (named == 0).then(|| ClosedPort {
            port: u16::from_be(addr.sin_port),
            _held: fd,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_accepts_on_a_closed_port_and_nobody_can_listen_there() {
        let closed = closed_port();
        let e = std::net::TcpStream::connect(("127.0.0.1", closed.port())).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
        assert!(std::net::TcpListener::bind(("127.0.0.1", closed.port())).is_err());
        assert!(hold(closed.port()).is_none());
    }
}
