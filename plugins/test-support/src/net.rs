//! Addresses for probes that must find nothing there.

use std::net::TcpListener;

/// A port on 127.0.0.1 where nothing listens: one the kernel just handed out and
/// took back, so that no other test's peer holds it.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_accepts_on_a_closed_port() {
        let port = closed_port();
        let e = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
    }
}
