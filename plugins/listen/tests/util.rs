//! The fake hosts npd-listen judges: the socket tables of `<root>/proc/1/net`, as the
//! kernel writes them.

use std::net::{IpAddr, SocketAddr};

use npd_test_support::FakeHost;

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-listen");

pub const TCP: &str = "proc/1/net/tcp";
pub const TCP6: &str = "proc/1/net/tcp6";
pub const UDP: &str = "proc/1/net/udp";
pub const UDP6: &str = "proc/1/net/udp6";

pub const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
pub const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
pub const UDP_HEADER: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

/// TCP states as the `st` column shows them.
pub const LISTEN: u8 = 0x0A;
pub const ESTABLISHED: u8 = 0x01;
/// How an unconnected UDP socket shows.
pub const CLOSE: u8 = 0x07;

pub trait ListenHost {
    /// A host whose four tables hold only their headers: nothing listens.
    fn quiet() -> FakeHost;
    /// A socket in the table matching the local address's family and `proto`.
    fn socket(&self, proto: &str, local: &str, state: u8, remote: &str) -> &FakeHost;
    /// A TCP listener on `local` ("0.0.0.0:5000", "[::]:5000").
    fn listen(&self, local: &str) -> &FakeHost;
    /// An unconnected UDP socket bound to `local`.
    fn bind_udp(&self, local: &str) -> &FakeHost;
}

impl ListenHost for FakeHost {
    fn quiet() -> FakeHost {
        let host = FakeHost::new();
        host.write(TCP, TCP_HEADER)
            .write(TCP6, TCP6_HEADER)
            .write(UDP, UDP_HEADER)
            .write(UDP6, TCP6_HEADER);
        host
    }

    fn socket(&self, proto: &str, local: &str, state: u8, remote: &str) -> &FakeHost {
        let local: SocketAddr = local.parse().unwrap();
        let remote: SocketAddr = remote.parse().unwrap();
        let table = match (proto, local.is_ipv4()) {
            ("tcp", true) => TCP,
            ("tcp", false) => TCP6,
            ("udp", true) => UDP,
            ("udp", false) => UDP6,
            _ => panic!("{proto}"),
        };
        self.append(table, line(0, local, remote, state))
    }

    fn listen(&self, local: &str) -> &FakeHost {
        let any = if local.starts_with('[') {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        };
        self.socket("tcp", local, LISTEN, any)
    }

    fn bind_udp(&self, local: &str) -> &FakeHost {
        let any = if local.starts_with('[') {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        };
        self.socket("udp", local, CLOSE, any)
    }
}

/// One table line as the kernel prints it: each 32-bit word of an address as the
/// host-order integer its bytes make in memory.
pub fn line(slot: u32, local: SocketAddr, remote: SocketAddr, state: u8) -> String {
    format!(
        "{slot:4}: {}:{:04X} {}:{:04X} {state:02X} 00000000:00000000 00:00000000 00000000     0        0 {} 1 0000000000000000 100 0 0 10 0\n",
        hex_addr(local.ip()),
        local.port(),
        hex_addr(remote.ip()),
        remote.port(),
        1000 + slot
    )
}

fn hex_addr(ip: IpAddr) -> String {
    let bytes: Vec<u8> = match ip {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    bytes
        .chunks(4)
        .map(|w| format!("{:08X}", u32::from_ne_bytes([w[0], w[1], w[2], w[3]])))
        .collect()
}
