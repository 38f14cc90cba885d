//! Parsers of the kernel's network tables under `/proc/<pid>/net`: `dev` (the
//! interfaces of the namespace), `route` (IPv4, main table) and `ipv6_route` (IPv6,
//! every table). Each returns only what the plugin judges: interface names, and the
//! default routes with their device. Anything not in the kernel's format is an
//! [`Error`] (Unknown); the caller puts the file's path in front.

use npd_plugin::{Error, Result};

/// `RTF_UP`: the route is usable (the kernel sets it on every route it lists).
const RTF_UP: u32 = 0x0001;
/// `RTF_REJECT`: unreachable, prohibit (IPv4); also blackhole and throw (IPv6).
const RTF_REJECT: u32 = 0x0200;

/// A default route: 0.0.0.0/0 or ::/0 that the kernel would use to send, and the
/// device it sends through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultRoute {
    pub dev: String,
}

fn garbage(what: &str, line: &str) -> Error {
    let cut: String = line.trim().chars().take(24).collect();
    Error::unobserved(format!("expected {what}, found {cut:?}"))
}

/// The interface names of `/proc/net/dev`: two header lines, then one line per
/// interface, its name (right-aligned) before a colon and sixteen counters after.
pub fn parse_dev(text: &str) -> Result<Vec<String>> {
    let mut lines = text.lines();
    match (lines.next(), lines.next()) {
        (Some(first), Some(_)) if first.starts_with("Inter-|") => {}
        (first, _) => return Err(garbage("the header of net/dev", first.unwrap_or(""))),
    }
    let mut names = Vec::new();
    for line in lines {
        let counters = line.split_once(':').and_then(|(name, rest)| {
            let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
            let numbers = fields.len() == 16 && fields.iter().all(|f| f.parse::<u64>().is_ok());
            let name = name.trim();
            (numbers && !name.is_empty()).then(|| name.to_string())
        });
        names.push(counters.ok_or_else(|| garbage("name: 16 counters", line))?);
    }
    if names.is_empty() {
        // Every network namespace has its loopback: an empty list was not written by
        // the kernel.
        return Err(Error::unobserved("lists no interface"));
    }
    Ok(names)
}

fn hex(field: &str) -> Option<u32> {
    u32::from_str_radix(field, 16).ok()
}

/// The default routes of `/proc/net/route`: the main table's IPv4 routes, one a line
/// after a header (`Iface Destination Gateway Flags RefCnt Use Metric Mask ...`),
/// addresses and flags in hexadecimal. The kernel writes nothing at all, not even the
/// header, while a namespace has no main table yet (no route was ever added).
///
/// A blackhole route has no device (`*`); unreachable and prohibit ones carry
/// RTF_REJECT: none of them sends anything, so none is a default route here.
pub fn parse_route(text: &str) -> Result<Vec<DefaultRoute>> {
    let mut lines = text.lines();
    match lines.next() {
        None => return Ok(Vec::new()),
        Some(header) if header.starts_with("Iface\t") => {}
        Some(other) => return Err(garbage("the header of net/route", other)),
    }
    let mut defaults = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let parsed = match fields[..] {
            [dev, dest, _gw, flags, _refcnt, _use, _metric, mask, ..] => {
                match (hex(dest), hex(flags), hex(mask)) {
                    (Some(dest), Some(flags), Some(mask)) => Some((dev, dest, flags, mask)),
                    _ => None,
                }
            }
            _ => None,
        };
        let (dev, dest, flags, mask) = parsed.ok_or_else(|| garbage("a route", line))?;
        if dest == 0 && mask == 0 && usable(flags) && dev != "*" {
            defaults.push(DefaultRoute { dev: dev.into() });
        }
    }
    Ok(defaults)
}

fn usable(flags: u32) -> bool {
    flags & RTF_UP != 0 && flags & RTF_REJECT == 0
}

/// The default routes of `/proc/net/ipv6_route`: the routes of every table (the
/// file does not say which), one a line: destination, its prefix length, source, its
/// prefix length, next hop, metric, reference count, use, flags, device. No header; a
/// namespace without routes has an empty file.
///
/// A route from some sources only (source prefix length above 0) is not the node's
/// default; reject routes (the kernel's null entry on lo is one) send nothing.
pub fn parse_ipv6_route(text: &str) -> Result<Vec<DefaultRoute>> {
    let mut defaults = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let parsed = match fields[..] {
            [dest, plen, src, splen, hop, metric, refcnt, used, flags, dev]
                if dest.len() == 32
                    && src.len() == 32
                    && hop.len() == 32
                    && [dest, src, hop, metric, refcnt, used]
                        .iter()
                        .all(|f| f.bytes().all(|b| b.is_ascii_hexdigit())) =>
            {
                match (hex(plen), hex(splen), hex(flags)) {
                    (Some(plen), Some(splen), Some(flags)) => Some((dest, plen, splen, flags, dev)),
                    _ => None,
                }
            }
            _ => None,
        };
        let (dest, plen, splen, flags, dev) =
            parsed.ok_or_else(|| garbage("an IPv6 route", line))?;
        let any = dest.bytes().all(|b| b == b'0');
        if any && plen == 0 && splen == 0 && usable(flags) {
            defaults.push(DefaultRoute { dev: dev.into() });
        }
    }
    Ok(defaults)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "Inter-|   Receive                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes ...
    lo: 2656377711 1138797    0    0    0     0          0         0 2656377711 1138797    0    0    0     0       0          0
  eth0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
";

    #[test]
    fn dev_lists_the_names() {
        assert_eq!(parse_dev(DEV).unwrap(), ["lo", "eth0"]);
        for bad in [
            "",
            "lo: 1 2 3\n",
            &DEV.replace("eth0:", "eth0 "),
            &DEV.replace("1138797 ", "many "),
            &DEV.lines().take(2).collect::<Vec<_>>().join("\n"),
        ] {
            assert!(parse_dev(bad).is_err(), "{bad:?}");
        }
    }

    const ROUTE: &str =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
";

    #[test]
    fn route_finds_the_usable_defaults() {
        assert_eq!(
            parse_route(ROUTE).unwrap(),
            [DefaultRoute { dev: "eth0".into() }]
        );
        assert_eq!(parse_route("").unwrap(), []);
        let unreachable = ROUTE.replace("\t0003\t", "\t0201\t");
        assert_eq!(parse_route(&unreachable).unwrap(), []);
        let blackhole = ROUTE.replace("eth0\t00000000\t010200C0", "*\t00000000\t00000000");
        assert_eq!(parse_route(&blackhole).unwrap(), []);
        for bad in ["eth0 0 0 3\n", "Iface\tDestination\neth0 0 0 zz 0 0 0 0\n"] {
            assert!(parse_route(bad).is_err(), "{bad:?}");
        }
    }

    const V6: &str = "\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";

    #[test]
    fn ipv6_route_finds_the_usable_defaults() {
        assert_eq!(
            parse_ipv6_route(V6).unwrap(),
            [DefaultRoute { dev: "eth0".into() }]
        );
        // The null entry alone, as in a namespace without routes.
        let null = V6.lines().last().unwrap();
        assert_eq!(parse_ipv6_route(null).unwrap(), []);
        assert_eq!(parse_ipv6_route("").unwrap(), []);
        let from_some = V6.replacen(" 00 fd00", " 40 fd00", 1);
        assert_eq!(parse_ipv6_route(&from_some).unwrap(), []);
        for bad in [
            "0 0 0 0\n",
            &V6.replace("00000003     eth0", "0000000g     eth0"),
        ] {
            assert!(parse_ipv6_route(bad).is_err(), "{bad:?}");
        }
    }
}
