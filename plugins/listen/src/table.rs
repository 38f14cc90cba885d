//! One line of the kernel's socket tables (`/proc/<pid>/net/{tcp,tcp6,udp,udp6}`),
//! parsed from bytes without allocating:
//!
//! ```text
//!   sl  local_address rem_address   st tx_queue rx_queue ...
//!    0: 0100007F:2828 00000000:0000 0A 00000000:00000000 ...
//! ```
//!
//! Addresses are hex dumps of the kernel's in-memory `__be32` words printed as host-order
//! integers (`%08X`): on a little-endian machine 127.0.0.1 reads `0100007F`. Reading
//! each word back as a host-order integer and taking its native bytes restores the
//! address on either endianness. IPv6 addresses are four such words. Ports are printed
//! in numeric order (`%04X` after ntohs).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// TCP_LISTEN in the `st` column.
pub const TCP_LISTEN: u8 = 0x0A;

/// What a line says about one socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Socket {
    /// Canonical: IPv4-mapped IPv6 addresses are returned as IPv4.
    pub local: IpAddr,
    pub local_port: u16,
    /// The peer: port 0 and an unspecified address when unconnected.
    pub remote: IpAddr,
    pub remote_port: u16,
    pub state: u8,
}

impl Socket {
    /// Not connected to a peer: how a server's UDP socket appears.
    pub fn unconnected(&self) -> bool {
        self.remote_port == 0 && self.remote.is_unspecified()
    }
}

/// What one line of a table is.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The column titles.
    Header,
    /// Blank: nothing to judge.
    Blank,
    Socket(Socket),
    /// Not in the kernel's format.
    Garbled,
}

/// Parses one line. When `want_state` is given, lines in another state are returned
/// as [`Line::Blank`] after reading the state column only, which is most of the work
/// saved on a busy node's table of established connections.
pub fn parse_line(line: &[u8], want_state: Option<u8>) -> Line {
    let mut fields = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty());
    let Some(slot) = fields.next() else {
        return Line::Blank;
    };
    if slot == b"sl" {
        return Line::Header;
    }
    if slot.last() != Some(&b':') {
        return Line::Garbled;
    }
    let (Some(local), Some(remote), Some(state)) = (fields.next(), fields.next(), fields.next())
    else {
        return Line::Garbled;
    };
    let Some(state) = hex(state, 2).map(|s| s as u8) else {
        return Line::Garbled;
    };
    if want_state.is_some_and(|w| w != state) {
        return Line::Blank;
    }
    match (endpoint(local), endpoint(remote)) {
        (Some((local, local_port)), Some((remote, remote_port))) => Line::Socket(Socket {
            local,
            local_port,
            remote,
            remote_port,
            state,
        }),
        _ => Line::Garbled,
    }
}

/// `HEXADDR:HEXPORT`.
fn endpoint(field: &[u8]) -> Option<(IpAddr, u16)> {
    let colon = field.iter().position(|b| *b == b':')?;
    let (addr, port) = (&field[..colon], &field[colon + 1..]);
    let port = hex(port, 4)? as u16;
    let addr = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(addr)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in addr.chunks(8).enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(chunk)?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes)).to_canonical()
        }
        _ => return None,
    };
    Some((addr, port))
}

/// One 32-bit word as the kernel had it in memory.
fn word(hex8: &[u8]) -> Option<[u8; 4]> {
    Some(hex(hex8, 8)?.to_ne_bytes())
}

/// Exactly `digits` hex digits.
fn hex(text: &[u8], digits: usize) -> Option<u32> {
    if text.len() != digits {
        return None;
    }
    text.iter().try_fold(0u32, |acc, b| {
        let d = (*b as char).to_digit(16)?;
        Some(acc << 4 | d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(line: &str) -> Socket {
        match parse_line(line.as_bytes(), None) {
            Line::Socket(s) => s,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    // The fixtures are in the byte order of the little-endian machines the tests run on.
    #[cfg(target_endian = "little")]
    #[test]
    fn lines_as_the_kernel_prints_them() {
        let s = socket("   0: 0100007F:2828 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1137 1 000000008958560f 100 0 0 10 0");
        assert_eq!(
            (s.local, s.local_port, s.state),
            (ip("127.0.0.1"), 10280, TCP_LISTEN)
        );
        assert!(s.unconnected());

        let s = socket(" 8747: 0100007F:C683 0A00000A:0035 01 00000000:00000000 00:00000000 00000000     0        0 1012722 2 0000000038ef24af 0");
        assert_eq!((s.remote, s.remote_port, s.state), (ip("10.0.0.10"), 53, 1));
        assert!(!s.unconnected());

        let s = socket("   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1");
        assert_eq!((s.local, s.local_port), (ip("::1"), 8080));

        let s = socket("   2: 00000000000000000000000000000000:2814 00000000000000000000000000000000:0000 0A 0");
        assert_eq!((s.local, s.local_port), (ip("::"), 10260));

        // ::ffff:10.1.2.3, as Java's sockets show IPv4 addresses.
        let s = socket("   3: 0000000000000000FFFF00000302010A:0050 00000000000000000000000000000000:0000 0A 0");
        assert_eq!(s.local, ip("10.1.2.3"));

        // fe80::1 with the first word 0x000080FE in host order.
        let s = socket("   4: 000080FE000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0");
        assert_eq!(s.local, ip("fe80::1"));
    }

    #[test]
    fn headers_blanks_and_garbage() {
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        assert_eq!(parse_line(header.as_bytes(), None), Line::Header);
        assert_eq!(parse_line(b"\n", None), Line::Blank);
        assert_eq!(parse_line(b"", Some(TCP_LISTEN)), Line::Blank);
        assert!(matches!(
            parse_line(b"0: 0100007F:2828 00000000:0000 0A", None),
            Line::Socket(_)
        ));
        for bad in [
            "garbage",
            "0 0100007F:2828 00000000:0000 0A",
            "0: 0100007F:2828 00000000:0000",
            "0: 0100007F:2828 00000000:0000 XY",
            "0: 0100007F:2828 00000000:0000 0A0",
            "0: 0100007F 00000000:0000 0A",
            "0: 0100007G:2828 00000000:0000 0A",
            "0: 100007F:2828 00000000:0000 0A",
            "0: 0100007F:828 00000000:0000 0A",
            "0: 0100007F:2828 0000:0000 0A",
        ] {
            assert_eq!(parse_line(bad.as_bytes(), None), Line::Garbled, "{bad:?}");
        }
    }

    #[test]
    fn other_states_are_skipped_before_the_addresses_are_read() {
        let line = b"  5: 0100007F:2828 garbage 01 0";
        assert_eq!(parse_line(line, Some(TCP_LISTEN)), Line::Blank);
        assert_eq!(parse_line(line, None), Line::Garbled);
    }
}
