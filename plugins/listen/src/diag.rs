//! The sock_diag wire format: the dump request npd-listen sends over
//! `NETLINK_SOCK_DIAG` and the parsing of the kernel's answer into [`Socket`]s, the
//! same values a line of `/proc/net/{tcp,udp}` gives. No I/O here (that is
//! [`crate::netlink`]), so the parser is tested on bytes captured from a real kernel.
//!
//! The `libc` crate has the netlink basics (`nlmsghdr`, `NLMSG_DONE`, ...) but not
//! the inet_diag structures, which are declared below as in the kernel's
//! `include/uapi/linux/inet_diag.h`. Netlink headers and `__u32` fields are in the
//! host's byte order; addresses and ports (`__be*`) in network order, so they are
//! kept as byte arrays and never read as integers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::table::Socket;

/// `SOCK_DIAG_BY_FAMILY`, include/uapi/linux/sock_diag.h: the message type of both
/// the request and each socket in the answer.
pub const SOCK_DIAG_BY_FAMILY: u16 = 20;

/// `1 << TCP_LISTEN` (include/net/tcp_states.h): the kernel walks only its table
/// of listeners, never the established connections that make /proc/net/tcp slow.
pub const TCPF_LISTEN: u32 = 1 << 10;

/// Every state: UDP sockets are judged by their peer address, as the /proc path
/// judges them, not by the state the kernel keeps for them.
pub const ALL_STATES: u32 = u32::MAX;

/// `struct inet_diag_sockid`, include/uapi/linux/inet_diag.h.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct InetDiagSockId {
    pub sport: [u8; 2],
    pub dport: [u8; 2],
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub interface: u32,
    pub cookie: [u32; 2],
}

/// `struct inet_diag_req_v2`, include/uapi/linux/inet_diag.h.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct InetDiagReqV2 {
    pub family: u8,
    pub protocol: u8,
    pub ext: u8,
    pub pad: u8,
    pub states: u32,
    pub id: InetDiagSockId,
}

/// `struct inet_diag_msg`, include/uapi/linux/inet_diag.h: the fixed part of each
/// socket in the answer; attributes the parser skips follow it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct InetDiagMsg {
    pub family: u8,
    pub state: u8,
    pub timer: u8,
    pub retrans: u8,
    pub id: InetDiagSockId,
    pub expires: u32,
    pub rqueue: u32,
    pub wqueue: u32,
    pub uid: u32,
    pub inode: u32,
}

/// One dump request: a netlink header and its payload, sent as one datagram.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Request {
    pub header: libc::nlmsghdr,
    pub body: InetDiagReqV2,
}

// The sizes the kernel expects; a layout mistake fails the build, not a node.
const _: () = assert!(std::mem::size_of::<InetDiagSockId>() == 48);
const _: () = assert!(std::mem::size_of::<InetDiagReqV2>() == 56);
const _: () = assert!(std::mem::size_of::<InetDiagMsg>() == 72);
const _: () = assert!(std::mem::size_of::<Request>() == 72);

const HEADER: usize = std::mem::size_of::<libc::nlmsghdr>();

impl Request {
    /// A dump of every socket of `family` (AF_INET, AF_INET6) and `protocol`
    /// (IPPROTO_TCP, IPPROTO_UDP) in `states`.
    pub fn dump(family: u8, protocol: u8, states: u32, seq: u32) -> Request {
        Request {
            header: libc::nlmsghdr {
                nlmsg_len: std::mem::size_of::<Request>() as u32,
                nlmsg_type: SOCK_DIAG_BY_FAMILY,
                nlmsg_flags: (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16,
                nlmsg_seq: seq,
                nlmsg_pid: 0,
            },
            body: InetDiagReqV2 {
                family,
                protocol,
                states,
                ..InetDiagReqV2::default()
            },
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: plain integers without padding (the sizes are asserted above), so
        // every byte is initialized; the slice borrows self.
        unsafe {
            std::slice::from_raw_parts(
                (self as *const Request).cast(),
                std::mem::size_of::<Request>(),
            )
        }
    }
}

/// Where a datagram of the answer leaves the dump.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// More datagrams follow.
    More,
    /// NLMSG_DONE: the dump is complete.
    Done,
}

/// An answer that cannot be used; the caller falls back to the tables.
#[derive(Debug, PartialEq, Eq)]
pub enum WireError {
    /// The kernel refused the request: an errno (ENOENT: no diag module for the
    /// protocol).
    Refused(i32),
    /// The dump changed under the kernel's walk (NLM_F_DUMP_INTR): a socket may
    /// be missing from it.
    Interrupted,
    /// Not in the format above: what is wrong.
    Garbled(&'static str),
}

/// Walks one datagram of the answer to dump `seq`, calling `each` with every
/// socket in it.
pub fn parse(
    mut data: &[u8],
    seq: u32,
    each: &mut dyn FnMut(Socket),
) -> Result<Progress, WireError> {
    while !data.is_empty() {
        if data.len() < HEADER {
            return Err(WireError::Garbled("a truncated message header"));
        }
        let len = u32_at(data, 0) as usize;
        let kind = u16::from_ne_bytes([data[4], data[5]]);
        let flags = u16::from_ne_bytes([data[6], data[7]]);
        if len < HEADER || len > data.len() {
            return Err(WireError::Garbled("a message length out of bounds"));
        }
        let payload = &data[HEADER..len];
        // Another request's answer cannot reach a socket that made one request at a
        // time; skipping keeps a stray message from deciding anything.
        if u32_at(data, 8) == seq {
            if flags & libc::NLM_F_DUMP_INTR as u16 != 0 {
                return Err(WireError::Interrupted);
            }
            match kind as i32 {
                libc::NLMSG_DONE => {
                    // The dump's own result: negative when it failed part way.
                    let result = if payload.len() >= 4 {
                        u32_at(payload, 0) as i32
                    } else {
                        0
                    };
                    if result < 0 {
                        return Err(WireError::Refused(errno(result)?));
                    }
                    return Ok(Progress::Done);
                }
                libc::NLMSG_ERROR => {
                    if payload.len() < 4 {
                        return Err(WireError::Garbled("a truncated error message"));
                    }
                    // Zero would be an acknowledgement, which nothing here asks for
                    // (no NLM_F_ACK); it ends nothing.
                    let errno = errno(u32_at(payload, 0) as i32)?;
                    if errno != 0 {
                        return Err(WireError::Refused(errno));
                    }
                }
                _ if kind == SOCK_DIAG_BY_FAMILY => each(socket(payload)?),
                _ => {}
            }
        }
        // Messages start on 4-byte boundaries (NLMSG_ALIGN).
        data = &data[((len + 3) & !3).min(data.len())..];
    }
    Ok(Progress::More)
}

/// The socket an `inet_diag_msg` describes, its address canonical as
/// [`crate::table`] gives it (IPv4-mapped IPv6 as IPv4).
fn socket(payload: &[u8]) -> Result<Socket, WireError> {
    if payload.len() < std::mem::size_of::<InetDiagMsg>() {
        return Err(WireError::Garbled("a truncated socket message"));
    }
    // SAFETY: the length was checked, any bytes are valid for these integer fields,
    // and read_unaligned copies without assuming the buffer's alignment.
    let msg: InetDiagMsg = unsafe { std::ptr::read_unaligned(payload.as_ptr().cast()) };
    let addr = |bytes: [u8; 16]| match msg.family as i32 {
        libc::AF_INET => Ok(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        libc::AF_INET6 => Ok(Ipv6Addr::from(bytes).to_canonical()),
        _ => Err(WireError::Garbled("a socket of another family")),
    };
    Ok(Socket {
        local: addr(msg.id.src)?,
        local_port: u16::from_be_bytes(msg.id.sport),
        remote: addr(msg.id.dst)?,
        remote_port: u16::from_be_bytes(msg.id.dport),
        state: msg.state,
    })
}

/// The errno of a negative result; i32::MIN has none (and would overflow negated).
fn errno(result: i32) -> Result<i32, WireError> {
    result
        .checked_neg()
        .ok_or(WireError::Garbled("an error code out of range"))
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Answers of this machine's kernel (x86_64, Linux 6.18), captured with the request
    // Request::dump builds: bytes in the byte order of the little-endian machines the
    // tests run on.
    /// AF_INET TCP listeners: 127.0.0.1:41777 and 0.0.0.0:2024, sequence 7.
    const TCP4: &str = "7c00000014000200070000008c620000020a0000a33100007f00000100000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000080000000000000001d140d00050008000000000008000f00000000000c001500010000000000000006001600520000007c00000014000200070000008c620000020a000007e8000000000000000000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000800000000000000017020000050008000000000008000f00000000000c00150001000000000000000600160052000000";
    /// AF_INET6 TCP listener on [::1]:35529.
    const TCP6: &str = "8400000014000200070000008c6200000a0a00008ac900000000000000000000000000000000000100000000000000000000000000000000000000000300000000000000000000000000000080000000000000001e140d00050008000000000005000b000100000008000f00000000000c00150001000000000000000600160012000000";
    /// AF_INET UDP, every state: a client 127.0.0.1:60291 connected to the server
    /// 127.0.0.1:38156, and the server, unconnected.
    const UDP4: &str = "7c00000014000200070000008c62000002010000eb83950c7f0000010000000000000000000000007f0000010000000000000000000000000000000004000000000000000000000000000000000000000000000020140d00050008000000000008000f00000000000c001500010000000000000006001600500000007c00000014000200070000008c62000002070000950c00007f00000100000000000000000000000000000000000000000000000000000000000000000500000000000000000000000000000000000000000000001f140d00050008000000000008000f00000000000c00150001000000000000000600160050000000";
    /// The end of a dump.
    const DONE: &str = "1400000003000200070000008c62000000000000";
    /// The end of a dump for a protocol without a diag module: -ENOENT.
    const NO_MODULE: &str = "1400000003000200070000008c620000feffffff";

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    fn sockets(hex: &str) -> (Result<Progress, WireError>, Vec<Socket>) {
        let mut seen = Vec::new();
        let result = parse(&bytes(hex), 7, &mut |s| seen.push(s));
        (result, seen)
    }

    fn shown(s: &Socket) -> String {
        format!(
            "{} {} {}",
            std::net::SocketAddr::new(s.local, s.local_port),
            std::net::SocketAddr::new(s.remote, s.remote_port),
            s.state
        )
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn captured_answers_give_the_sockets() {
        let (result, seen) = sockets(TCP4);
        assert_eq!(result, Ok(Progress::More));
        let all: Vec<String> = seen.iter().map(shown).collect();
        assert_eq!(
            all,
            ["127.0.0.1:41777 0.0.0.0:0 10", "0.0.0.0:2024 0.0.0.0:0 10"]
        );

        let (_, seen) = sockets(TCP6);
        assert_eq!(shown(&seen[0]), "[::1]:35529 [::]:0 10");

        let (_, seen) = sockets(UDP4);
        let all: Vec<String> = seen.iter().map(shown).collect();
        assert_eq!(
            all,
            [
                "127.0.0.1:60291 127.0.0.1:38156 1",
                "127.0.0.1:38156 0.0.0.0:0 7"
            ]
        );
        // The /proc path's rule for a server's UDP socket reads the same here.
        assert!(!seen[0].unconnected() && seen[1].unconnected());
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn the_end_of_a_dump_and_refusals() {
        assert_eq!(sockets(DONE), (Ok(Progress::Done), vec![]));
        assert_eq!(sockets(NO_MODULE).0, Err(WireError::Refused(libc::ENOENT)));
        // Several messages in one datagram: the sockets, then the end.
        let (result, seen) = sockets(&format!("{TCP6}{DONE}"));
        assert_eq!((result, seen.len()), (Ok(Progress::Done), 1));
        // NLMSG_ERROR carries a struct nlmsgerr: -EPERM and the request's header.
        let error = format!("24000000020000000700000000000000ffffffff{}", &DONE[..32]);
        assert_eq!(sockets(&error).0, Err(WireError::Refused(libc::EPERM)));
        // An error of 0 is an acknowledgement: the dump goes on to its end.
        let ack = format!("2400000002000000070000000000000000000000{}", &DONE[..32]);
        assert_eq!(sockets(&format!("{ack}{DONE}")).0, Ok(Progress::Done));
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn damaged_answers_are_refused_and_strays_skipped() {
        let tcp6 = bytes(TCP6);
        let mut seen = 0;
        for cut in [3, 16, 100] {
            let r = parse(&tcp6[..cut], 7, &mut |_| seen += 1);
            assert!(matches!(r, Err(WireError::Garbled(_))), "{cut}: {r:?}");
        }
        // A length field below the header's own size.
        let mut short = tcp6.clone();
        short[0] = 8;
        assert!(matches!(
            parse(&short, 7, &mut |_| seen += 1),
            Err(WireError::Garbled(_))
        ));
        // A socket message too short for an inet_diag_msg.
        let mut small = tcp6[..16 + 40].to_vec();
        small[0] = 56;
        let r = parse(&small, 7, &mut |_| seen += 1);
        assert_eq!(r, Err(WireError::Garbled("a truncated socket message")));
        // The dump was interrupted by a change of the table.
        let mut intr = tcp6.clone();
        intr[6] |= libc::NLM_F_DUMP_INTR as u8;
        assert_eq!(
            parse(&intr, 7, &mut |_| seen += 1),
            Err(WireError::Interrupted)
        );
        assert_eq!(seen, 0);
        // Another sequence's messages, even its end, decide nothing.
        assert_eq!(
            parse(&bytes(&format!("{TCP6}{DONE}")), 8, &mut |_| seen += 1),
            Ok(Progress::More)
        );
        assert_eq!(seen, 0);
    }

    #[test]
    fn the_request_is_laid_out_as_the_kernel_reads_it() {
        let r = Request::dump(
            libc::AF_INET6 as u8,
            libc::IPPROTO_TCP as u8,
            TCPF_LISTEN,
            9,
        );
        let b = r.as_bytes();
        assert_eq!(b.len(), 72);
        assert_eq!(u32_at(b, 0), 72);
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), SOCK_DIAG_BY_FAMILY);
        assert_eq!(u16::from_ne_bytes([b[6], b[7]]), 0x301);
        assert_eq!(u32_at(b, 8), 9);
        assert_eq!(
            (b[16], b[17]),
            (libc::AF_INET6 as u8, libc::IPPROTO_TCP as u8)
        );
        assert_eq!(u32_at(b, 20), 1 << 10);
        assert!(b[24..].iter().all(|x| *x == 0));
    }

    #[test]
    fn an_error_code_of_i32_min_is_garbled_not_an_overflow() {
        for kind in [libc::NLMSG_DONE as u16, libc::NLMSG_ERROR as u16] {
            let mut msg = 20u32.to_ne_bytes().to_vec();
            msg.extend_from_slice(&kind.to_ne_bytes());
            msg.extend_from_slice(&2u16.to_ne_bytes());
            msg.extend_from_slice(&7u32.to_ne_bytes());
            msg.extend_from_slice(&0u32.to_ne_bytes());
            msg.extend_from_slice(&i32::MIN.to_ne_bytes());
            assert_eq!(
                parse(&msg, 7, &mut |_| {}),
                Err(WireError::Garbled("an error code out of range"))
            );
        }
    }
}
