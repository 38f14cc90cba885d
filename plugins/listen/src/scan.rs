//! Reads the host's socket tables for the required ports: streamed line by line through
//! one reused buffer (a busy node has 100,000 sockets), and stopped as soon as every
//! requirement of the protocol is met.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::IpAddr;
use std::path::Path;
use std::time::Instant;

use npd_plugin::{explain, Context, Error, Result};

use crate::spec::{Proto, Requirement};
use crate::table::{parse_line, Line, TCP_LISTEN};

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
    pub table: &'static str,
    pub addr: IpAddr,
}

/// The result of a scan: for each requirement (same order), the socket meeting it.
pub type Found = Vec<Option<Hit>>;

/// Scans the tables each protocol needs.
pub fn scan(reqs: &[Requirement], ctx: &Context) -> Result<Found> {
    let mut found: Found = vec![None; reqs.len()];
    for proto in [Proto::Tcp, Proto::Udp] {
        if !reqs.iter().any(|r| r.proto == proto) {
            continue;
        }
        let mut garbled: Option<(String, u64)> = None;
        for (table, must_exist) in tables(proto) {
            if remaining(reqs, &found, proto) == 0 {
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
            let bad = read_table(file, &path, table, proto, reqs, &mut found, ctx)?;
            if bad > 0 && garbled.is_none() {
                garbled = Some((path.display().to_string(), bad));
            }
        }
        // A garbled line might have been the socket looked for.
        if let Some((path, bad)) = garbled {
            if remaining(reqs, &found, proto) > 0 {
                return Err(Error::new(format!(
                    "{path}: {bad} garbled lines, cannot tell what listens"
                )));
            }
        }
    }
    Ok(found)
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
            return Err(Error::new(format!(
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
        // UDP: a server's socket is bound and not connected to any peer.
        if proto == Proto::Udp && !socket.unconnected() {
            continue;
        }
        for (req, slot) in reqs.iter().zip(found.iter_mut()) {
            if slot.is_none()
                && req.proto == proto
                && req.port == socket.local_port
                && req.satisfied_by(socket.local)
            {
                explain!(
                    ctx,
                    "{} {req}: met by {} in {}",
                    proto.name(),
                    std::net::SocketAddr::new(socket.local, socket.local_port),
                    path.display()
                );
                *slot = Some(Hit {
                    table,
                    addr: socket.local,
                });
                left -= 1;
            }
        }
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
        return Err(Error::new(format!("{} is empty", path.display())));
    }
    explain!(ctx, "{}: {lines} lines read", path.display());
    Ok(garbled)
}
