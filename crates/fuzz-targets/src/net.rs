//! Network tables the kernel hands over: `/proc/net/{tcp,udp}[6]` and the sock_diag
//! netlink answer (npd-listen), `/proc/net/{dev,route,ipv6_route}` (npd-network).

use std::net::IpAddr;

use npd_listen::diag::{self, Progress, WireError};
use npd_listen::table::{self, Line, Socket};

use crate::{capped, printable_err, text};

/// A socket as the kernel writes it in `/proc/net/tcp6`-style tables: each 32-bit word
/// of the address in the machine's byte order, in hexadecimal.
fn table_line(s: &Socket) -> String {
    let endpoint = |ip: IpAddr, port: u16| {
        let words: Vec<String> = match ip {
            IpAddr::V4(a) => vec![format!("{:08X}", u32::from_ne_bytes(a.octets()))],
            IpAddr::V6(a) => a
                .octets()
                .chunks(4)
                .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
        };
        format!("{}:{port:04X}", words.concat())
    };
    format!(
        "   0: {} {} {:02X} 00000000:00000000 00:00000000 00000000     0        0 1 1",
        endpoint(s.local, s.local_port),
        endpoint(s.remote, s.remote_port),
        s.state
    )
}

/// A socket read from a table or a diag answer, written back as a table line, is read
/// as the same socket, and is kept or skipped by its state alone.
fn same_socket_again(s: &Socket) {
    let line = table_line(s);
    assert_eq!(
        table::parse_line(line.as_bytes(), None),
        Line::Socket(*s),
        "{line}"
    );
    assert_eq!(
        table::parse_line(line.as_bytes(), Some(s.state)),
        Line::Socket(*s)
    );
    let other = s.state.wrapping_add(1);
    assert_eq!(table::parse_line(line.as_bytes(), Some(other)), Line::Blank);
    // Canonical, as both readers promise: never an IPv4-mapped IPv6 address.
    for ip in [s.local, s.remote] {
        assert_eq!(ip, ip.to_canonical());
    }
}

/// The first byte chooses the table: npd-listen's socket tables (`table::parse_line`
/// on every line), npd-network's `procnet::parse_dev`, `parse_route` and
/// `parse_ipv6_route`.
pub fn proc_net(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            for line in capped(rest).split(|b| *b == b'\n') {
                if let Line::Socket(s) = table::parse_line(line, None) {
                    same_socket_again(&s);
                }
                table::parse_line(line, Some(table::TCP_LISTEN));
            }
        }
        1 => {
            let r = npd_network::procnet::parse_dev(&text(rest));
            printable_err(&r);
            if let Ok(names) = r {
                let mut again = String::from("Inter-|   Receive\n face |bytes\n");
                for n in &names {
                    assert!(!n.is_empty() && !n.contains(':') && n.trim() == n, "{n:?}");
                    again.push_str(&format!("{n}:{}\n", " 0".repeat(16)));
                }
                assert_eq!(npd_network::procnet::parse_dev(&again).ok(), Some(names));
            }
        }
        2 => {
            let r = npd_network::procnet::parse_route(&text(rest));
            printable_err(&r);
            for d in r.iter().flatten() {
                assert!(d.dev != "*" && !d.dev.is_empty(), "{d:?}");
            }
        }
        _ => {
            let r = npd_network::procnet::parse_ipv6_route(&text(rest));
            printable_err(&r);
            for d in r.iter().flatten() {
                assert!(!d.dev.is_empty() && !d.dev.contains(char::is_whitespace));
            }
        }
    }
}

/// `diag::parse` (npd-listen) over one datagram, the first four bytes giving the dump's
/// sequence number: every socket it reports is one a table line could state.
pub fn sock_diag(data: &[u8]) {
    let data = capped(data);
    let Some((seq, datagram)) = data.split_first_chunk::<4>() else {
        return;
    };
    let mut sockets = Vec::new();
    let r = diag::parse(datagram, u32::from_ne_bytes(*seq), &mut |s| sockets.push(s));
    // A netlink header is 16 bytes: no more sockets than messages.
    assert!(sockets.len() <= datagram.len() / 16);
    for s in &sockets {
        same_socket_again(s);
    }
    match r {
        Ok(Progress::Done) | Ok(Progress::More) => {}
        Err(WireError::Refused(errno)) => assert!(errno != 0),
        Err(WireError::Interrupted) | Err(WireError::Garbled(_)) => {}
    }
}
