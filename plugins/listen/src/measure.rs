//! Finds a socket for each requirement, one protocol at a time: asked of the kernel
//! over netlink sock_diag when this process shares the host's network namespace
//! ([`crate::netns`]), else, or when netlink fails, read from the host's socket
//! tables, streamed line by line through one reused buffer (a busy node has 100,000
//! sockets) and stopped as soon as every requirement of the protocol is met. Both
//! ways give [`Socket`]s judged by one rule ([`offer`]), so they answer alike.

use std::fmt::Display;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::IpAddr;
use std::path::Path;
use std::time::Instant;

use npd_plugin::{explain, Context, Error, Result};

use crate::config::{Config, Proto, Requirement};
use crate::diag::{ALL_STATES, TCPF_LISTEN};
use crate::netlink::{Diag, Failure};
use crate::netns::{self, Source};
use crate::table::{parse_line, Line, Socket, TCP_LISTEN};

/// The host's tables: PID 1's network namespace (the DaemonSet runs with hostPID).
/// The IPv4 table always exists; the IPv6 one is absent when IPv6 is disabled at boot.
fn tables(proto: Proto) -> [(&'static str, bool); 2] {
    match proto {
        Proto::Tcp => [("/proc/1/net/tcp", true), ("/proc/1/net/tcp6", false)],
        Proto::Udp => [("/proc/1/net/udp", true), ("/proc/1/net/udp6", false)],
    }
}

/// The socket that met a requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Where it was seen: a table's host path or the netlink dump of its family.
    pub source: &'static str,
    pub addr: IpAddr,
}

/// What was found: for each requirement (same order), the socket meeting it.
pub type Found = Vec<Option<Hit>>;

/// Finds a socket for each requirement, reading each protocol they need.
pub fn measure(config: &Config, ctx: &Context) -> Result<Found> {
    let reqs = &config.requirements;
    let mut found: Found = vec![None; reqs.len()];
    for proto in [Proto::Tcp, Proto::Udp] {
        if !reqs.iter().any(|r| r.proto == proto) {
            continue;
        }
        if !by_netlink(proto, reqs, &mut found, ctx)? {
            read_tables(proto, reqs, &mut found, ctx)?;
        }
    }
    Ok(found)
}

/// Answers for `proto` over netlink when that is the tables' namespace; `false`
/// when the tables must be read instead.
fn by_netlink(
    proto: Proto,
    reqs: &[Requirement],
    found: &mut Found,
    ctx: &Context,
) -> Result<bool> {
    let [(table, _), _] = tables(proto);
    let host = ctx.host_path(table);
    // Named before the stat: a wedged file system under the host root blocks there.
    ctx.waiting_for(format!("reading {}", host.display()));
    let own = Path::new("/proc/self/net").join(&table["/proc/1/net/".len()..]);
    match netns::choose(&host, &own) {
        Source::Tables(why) => {
            explain!(ctx, "{}: reading the tables: {why}", proto.name());
            return Ok(false);
        }
        Source::Netlink(why) => explain!(ctx, "{}: asking netlink sock_diag: {why}", proto.name()),
    }
    ctx.waiting_for(format!(
        "asking netlink sock_diag for {} sockets",
        proto.name()
    ));
    match ask(proto, reqs, found, ctx) {
        Ok(()) => Ok(true),
        Err(Failure::Unavailable(why)) => {
            // The tables are read afresh: nothing from a dump that failed half way
            // stands beside them.
            for (req, slot) in reqs.iter().zip(found.iter_mut()) {
                if req.proto == proto {
                    *slot = None;
                }
            }
            explain!(
                ctx,
                "{}: netlink sock_diag failed ({why}): reading the tables instead",
                proto.name()
            );
            Ok(false)
        }
        Err(Failure::TimedOut) => Err(Error::unobserved(format!(
            "no answer from netlink sock_diag in {}",
            ctx.timeout_text()
        ))),
    }
}

/// Dumps the IPv4 and then the IPv6 sockets of `proto`: TCP listeners only, every
/// UDP socket (a UDP socket is judged by its peer, below, as in the tables).
fn ask(
    proto: Proto,
    reqs: &[Requirement],
    found: &mut Found,
    ctx: &Context,
) -> Result<(), Failure> {
    let mut diag = Diag::open()?;
    let (protocol, states, what) = match proto {
        Proto::Tcp => (libc::IPPROTO_TCP, TCPF_LISTEN, "listeners"),
        Proto::Udp => (libc::IPPROTO_UDP, ALL_STATES, "sockets"),
    };
    for (family, source) in [
        (libc::AF_INET, "netlink sock_diag IPv4"),
        (libc::AF_INET6, "netlink sock_diag IPv6"),
    ] {
        if remaining(reqs, found, proto) == 0 {
            explain!(
                ctx,
                "{source}: not asked, every {} requirement met",
                proto.name()
            );
            break;
        }
        let mut each = |s: Socket| {
            offer(&s, proto, reqs, found, source, &source, ctx);
        };
        let count = diag.dump(family, protocol, states, ctx.deadline(), &mut each)?;
        explain!(ctx, "{source}: {count} {} {what}", proto.name());
    }
    Ok(())
}

/// Reads the tables of `proto` under the host root.
fn read_tables(proto: Proto, reqs: &[Requirement], found: &mut Found, ctx: &Context) -> Result<()> {
    let mut garbled: Option<(String, u64)> = None;
    for (table, must_exist) in tables(proto) {
        if remaining(reqs, found, proto) == 0 {
            explain!(
                ctx,
                "{table}: not read, every {} requirement met",
                proto.name()
            );
            break;
        }
        let path = ctx.host_path(table);
        // Named before the open: a FIFO or a wedged file under the host root blocks
        // there, and the watchdog's answer should say where.
        ctx.waiting_for(format!("reading {}", path.display()));
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound && !must_exist => {
                explain!(ctx, "{}: absent (IPv6 disabled)", path.display());
                continue;
            }
            Err(e) => return Err(Error::io(path.display(), &e)),
        };
        let bad = read_table(file, &path, table, proto, reqs, found, ctx)?;
        if bad > 0 && garbled.is_none() {
            garbled = Some((path.display().to_string(), bad));
        }
    }
    // A garbled line might have been the socket looked for.
    if let Some((path, bad)) = garbled {
        if remaining(reqs, found, proto) > 0 {
            return Err(Error::unobserved(format!(
                "{path}: {bad} garbled lines, cannot tell what listens"
            )));
        }
    }
    Ok(())
}

/// Gives one socket of `proto` to every requirement it meets and not met yet, and
/// returns how many it met: the one rule both ways of reading share.
fn offer(
    socket: &Socket,
    proto: Proto,
    reqs: &[Requirement],
    found: &mut Found,
    source: &'static str,
    shown: &dyn Display,
    ctx: &Context,
) -> usize {
    let counts = match proto {
        // TCP: only listeners.
        Proto::Tcp => socket.state == TCP_LISTEN,
        // UDP: a server's socket is bound and not connected to any peer.
        Proto::Udp => socket.unconnected(),
    };
    if !counts {
        return 0;
    }
    let mut met = 0;
    for (req, slot) in reqs.iter().zip(found.iter_mut()) {
        if slot.is_none()
            && req.proto == proto
            && req.port == socket.local_port
            && req.satisfied_by(socket.local)
        {
            explain!(
                ctx,
                "{} {req}: met by {} in {shown}",
                proto.name(),
                std::net::SocketAddr::new(socket.local, socket.local_port),
            );
            *slot = Some(Hit {
                source,
                addr: socket.local,
            });
            met += 1;
        }
    }
    met
}

fn remaining(reqs: &[Requirement], found: &Found, proto: Proto) -> usize {
    reqs.iter()
        .zip(found)
        .filter(|(r, f)| r.proto == proto && f.is_none())
        .count()
}

/// Reads one table until its end or until every requirement of `proto` is met, and
/// returns how many lines were garbled.
fn read_table(
    file: File,
    path: &Path,
    table: &'static str,
    proto: Proto,
    reqs: &[Requirement],
    found: &mut Found,
    ctx: &Context,
) -> Result<u64> {
    let fail = |e: &std::io::Error| Error::io(path.display(), e);
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut line = Vec::with_capacity(256);
    let (mut lines, mut garbled) = (0u64, 0u64);
    let mut left = remaining(reqs, found, proto);
    // TCP: only listeners count, and the state column alone rules the rest out.
    let want_state = (proto == Proto::Tcp).then_some(TCP_LISTEN);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(|e| fail(&e))? == 0 {
            break;
        }
        lines += 1;
        if lines % 1024 == 0 && Instant::now() >= ctx.deadline() {
            return Err(Error::unobserved(format!(
                "{}: not read through in {} ({lines} lines)",
                path.display(),
                ctx.timeout_text()
            )));
        }
        let socket = match parse_line(&line, want_state) {
            Line::Socket(s) => s,
            Line::Garbled => {
                garbled += 1;
                if garbled == 1 {
                    explain!(
                        ctx,
                        "{}: garbled line {lines}: {:?}",
                        path.display(),
                        String::from_utf8_lossy(&line).trim_end()
                    );
                }
                continue;
            }
            Line::Header | Line::Blank => continue,
        };
        left -= offer(&socket, proto, reqs, found, table, &path.display(), ctx);
        if left == 0 {
            explain!(
                ctx,
                "{}: stopped after {lines} lines, every {} requirement met",
                path.display(),
                proto.name()
            );
            return Ok(garbled);
        }
    }
    if lines == 0 {
        return Err(Error::unobserved(format!("{} is empty", path.display())));
    }
    explain!(ctx, "{}: {lines} lines read", path.display());
    Ok(garbled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use npd_plugin::state::StateDir;
    use std::time::Duration;

    #[test]
    fn no_netlink_answer_by_the_deadline_is_unknown() {
        let test = "no_netlink_answer_by_the_deadline_is_unknown";
        let own = Path::new("/proc/self/net/tcp");
        let shared = matches!(
            netns::choose(Path::new("/proc/1/net/tcp"), own),
            Source::Netlink(_)
        );
        if !shared || Diag::open().is_err() {
            npd_test_support::skip(test, "no netlink sock_diag for PID 1's namespace here");
            return;
        }
        // A timeout of zero: the deadline has passed when the answer is awaited.
        let state = tempfile::tempdir().unwrap();
        let ctx = Context::new(
            "/",
            Duration::ZERO,
            false,
            StateDir::new(state.path(), "npd-listen", "test"),
        );
        let config = Config {
            requirements: vec![crate::config::parse(Proto::Tcp, "5000").unwrap()],
        };
        let e = measure(&config, &ctx).unwrap_err();
        assert_eq!(e.message(), "no answer from netlink sock_diag in 0s");
    }
}
