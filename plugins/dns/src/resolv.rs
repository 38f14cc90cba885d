//! The host's resolver configuration: the `nameserver` lines of
//! `<host-root>/etc/resolv.conf`, the servers the host's own lookups use.

use std::net::{IpAddr, SocketAddr};

/// glibc uses at most three name servers.
const MAX_SERVERS: usize = 3;

/// The servers listed in a resolv.conf text, in order. Scoped IPv6 addresses
/// (`fe80::1%eth0`) are skipped: they need an interface this process may not see.
pub fn nameservers(text: &str) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => words.next()?.parse::<IpAddr>().ok(),
                _ => None,
            }
        })
        .map(|ip| SocketAddr::new(ip, 53))
        .take(MAX_SERVERS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nameservers_like_glibc() {
        let text = "# generated\nsearch svc.cluster.local\nnameserver 10.96.0.10\n\
                    nameserver   ::1\nnameserver fe80::1%eth0\nnameserver bogus\n\
                    ;nameserver 1.1.1.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n";
        let got: Vec<String> = nameservers(text).iter().map(|s| s.to_string()).collect();
        assert_eq!(got, ["10.96.0.10:53", "[::1]:53", "10.0.0.2:53"]);
        assert!(nameservers("options ndots:5\n").is_empty());
    }
}
