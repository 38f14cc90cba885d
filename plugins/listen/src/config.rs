//! What must be listening: the flags of `npd-listen`, `--tcp` and `--udp` parsed into
//! [`Requirement`]s of a [`Config`], and the rule deciding whether a socket bound to
//! some address satisfies one.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use npd_plugin::{Configure, Error, Result};

/// The flags of `npd-listen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A TCP socket must listen on this port: PORT (any address), IPV4:PORT or
    /// [IPV6]:PORT. Repeatable.
    #[arg(long = "tcp", value_name = "[ADDR:]PORT")]
    pub tcp: Vec<String>,

    /// A UDP socket must be bound (and not connected to a peer) on this port: PORT,
    /// IPV4:PORT or [IPV6]:PORT. Repeatable.
    #[arg(long = "udp", value_name = "[ADDR:]PORT")]
    pub udp: Vec<String>,
}

/// The validated flags: what must be bound, in the order given, without repeats.
#[derive(Debug, PartialEq, Eq)]
pub struct Config {
    pub requirements: Vec<Requirement>,
}

impl Configure for Config {
    type Args = Args;

    /// Parses every `--tcp` and `--udp`; at least one is needed.
    fn configure(args: Args) -> Result<Config> {
        if args.tcp.is_empty() && args.udp.is_empty() {
            return Err(Error::config("nothing to check: give --tcp or --udp"));
        }
        let mut requirements: Vec<Requirement> = Vec::new();
        let given = args
            .tcp
            .iter()
            .map(|t| (Proto::Tcp, t))
            .chain(args.udp.iter().map(|u| (Proto::Udp, u)));
        for (proto, text) in given {
            let req = parse(proto, text)?;
            if !requirements.contains(&req) {
                requirements.push(req);
            }
        }
        Ok(Config { requirements })
    }
}

/// The transport a requirement is about; each has its own socket tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        }
    }
}

/// A port that must have a TCP listener or a bound UDP socket, optionally on one
/// address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub proto: Proto,
    /// `None`: any address of either family. IPv4-mapped IPv6 addresses are kept as
    /// IPv4, as the kernel treats them.
    pub addr: Option<IpAddr>,
    pub port: u16,
}

impl Requirement {
    /// Whether a socket bound to `addr` (canonical: IPv4-mapped as IPv4) and the
    /// required port satisfies this requirement.
    ///
    /// A wildcard socket accepts every address of its family, so 0.0.0.0 satisfies any
    /// IPv4 address and :: any IPv6 address. :: also satisfies IPv4 addresses: a
    /// socket bound to :: takes IPv4 too unless it set IPV6_V6ONLY, which the socket
    /// tables do not show. Go's net.Listen(":port") binds exactly such a socket, so
    /// refusing it would report a working kubelet as down.
    pub fn satisfied_by(&self, addr: IpAddr) -> bool {
        let Some(want) = self.addr else {
            return true;
        };
        if addr == want {
            return true;
        }
        match (want, addr) {
            (IpAddr::V4(_), IpAddr::V4(bound)) => bound.is_unspecified(),
            (_, IpAddr::V6(bound)) => bound.is_unspecified(),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

impl fmt::Display for Requirement {
    /// "port 5000", "127.0.0.1:10248", "[::1]:10248", as messages show them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            None => write!(f, "port {}", self.port),
            Some(addr) => write!(f, "{}", SocketAddr::new(addr, self.port)),
        }
    }
}

/// Parses one `--tcp`/`--udp` value: `PORT`, `IPV4:PORT` or `[IPV6]:PORT`. Names are
/// refused: the check reads the host's tables and resolves nothing.
pub fn parse(proto: Proto, text: &str) -> Result<Requirement> {
    let flag = match proto {
        Proto::Tcp => "--tcp",
        Proto::Udp => "--udp",
    };
    let bad = |why: &str| Error::config(format!("{flag} {text:?}: {why}"));
    let (addr, port) = if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
        let port: u16 = text.parse().map_err(|_| bad("port above 65535"))?;
        (None, port)
    } else {
        let sa: SocketAddr = text
            .parse()
            .map_err(|_| bad("expected PORT, IPV4:PORT or [IPV6]:PORT"))?;
        (Some(sa.ip().to_canonical()), sa.port())
    };
    if port == 0 {
        return Err(bad("port 0 is never listened on"));
    }
    Ok(Requirement { proto, addr, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(tcp: &[&str], udp: &[&str]) -> Args {
        Args {
            tcp: tcp.iter().map(|s| s.to_string()).collect(),
            udp: udp.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn requirements_keep_their_order_without_repeats() {
        let c = Config::configure(args(&["5000", "35357", "5000"], &["67"])).unwrap();
        let shown: Vec<String> = c
            .requirements
            .iter()
            .map(|r| format!("{} {r}", r.proto.name()))
            .collect();
        assert_eq!(shown, ["TCP port 5000", "TCP port 35357", "UDP port 67"]);
    }

    #[test]
    fn nothing_to_check_is_an_error() {
        let e = Config::configure(args(&[], &[])).unwrap_err();
        assert_eq!(e.message(), "nothing to check: give --tcp or --udp");
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
        let e = Config::configure(args(&["http"], &[])).unwrap_err();
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
    }

    fn req(text: &str) -> Requirement {
        parse(Proto::Tcp, text).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse::<IpAddr>().unwrap().to_canonical()
    }

    #[test]
    fn values_are_ports_or_socket_addresses() {
        assert_eq!(req("5000").addr, None);
        assert_eq!(req("5000").port, 5000);
        assert_eq!(req("127.0.0.1:10248").addr, Some(ip("127.0.0.1")));
        assert_eq!(req("[::1]:10248").addr, Some(ip("::1")));
        // IPv4-mapped is IPv4.
        assert_eq!(req("[::ffff:10.0.0.1]:80").addr, Some(ip("10.0.0.1")));
        for bad in [
            "",
            "0",
            "65536",
            "-1",
            "http",
            "localhost:10248",
            "::1:10248",
            "127.0.0.1",
            "127.0.0.1:0",
            "[::1]",
            ":5000",
            "[fe80::1%eth0]:80",
        ] {
            assert!(parse(Proto::Udp, bad).is_err(), "{bad:?}");
        }
        let err = parse(Proto::Udp, "dns").unwrap_err();
        assert_eq!(
            err.message(),
            "--udp \"dns\": expected PORT, IPV4:PORT or [IPV6]:PORT"
        );
    }

    #[test]
    fn wildcards_satisfy_addresses_of_their_family() {
        let v4 = req("127.0.0.1:10248");
        assert!(v4.satisfied_by(ip("127.0.0.1")));
        assert!(v4.satisfied_by(ip("0.0.0.0")));
        assert!(v4.satisfied_by(ip("::")));
        assert!(v4.satisfied_by(ip("::ffff:127.0.0.1")));
        assert!(!v4.satisfied_by(ip("10.0.0.1")));
        assert!(!v4.satisfied_by(ip("::1")));

        let v6 = req("[::1]:10248");
        assert!(v6.satisfied_by(ip("::1")));
        assert!(v6.satisfied_by(ip("::")));
        assert!(!v6.satisfied_by(ip("0.0.0.0")));
        assert!(!v6.satisfied_by(ip("127.0.0.1")));

        let all_v4 = req("0.0.0.0:5000");
        assert!(all_v4.satisfied_by(ip("0.0.0.0")));
        assert!(all_v4.satisfied_by(ip("::")));
        assert!(!all_v4.satisfied_by(ip("10.0.0.1")));

        let any = req("5000");
        assert!(any.satisfied_by(ip("10.0.0.1")));
        assert!(any.satisfied_by(ip("fe80::1")));
    }

    #[test]
    fn requirements_print_as_messages_name_them() {
        assert_eq!(req("5000").to_string(), "port 5000");
        assert_eq!(req("127.0.0.1:10248").to_string(), "127.0.0.1:10248");
        assert_eq!(req("[::1]:10248").to_string(), "[::1]:10248");
    }
}
