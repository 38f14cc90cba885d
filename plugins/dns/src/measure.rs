//! Every question of a run: the servers (given, or the nameservers of a resolv.conf),
//! then each name asked of them over UDP, each server given a share of the time left,
//! as a stub resolver does: a server that does not answer, or answers SERVFAIL or
//! REFUSED, hands the question to the next one; NOERROR and NXDOMAIN are final.
//!
//! What the servers did is kept typed ([`Asked`]) for the judge; only what stops any
//! question from being asked (no resolv.conf, no nameserver in it, no local socket) is
//! an error, Unobserved.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use npd_plugin::units::format_duration;
use npd_plugin::{explain, hostfile, Context, Error, Result};

use crate::config::Config;
use crate::resolv;
use crate::wire::{self, RecordType, Response};

/// One name and what the servers said, in how long.
#[derive(Debug)]
pub struct Answered {
    pub name: String,
    pub asked: Asked,
    pub took: Duration,
}

/// Asks every name, in order.
pub fn measure(config: &Config, ctx: &Context) -> Result<Vec<Answered>> {
    let servers = servers(config, ctx)?;
    explain!(ctx, "servers: {servers:?}");
    let mut answered = Vec::new();
    for name in &config.names {
        ctx.waiting_for(format!("resolving {name}"));
        let started = Instant::now();
        let asked = ask(&servers, name, config.rtype, ctx.deadline())
            .map_err(|e| Error::unobserved(format!("cannot ask DNS for {name}: {e}")))?;
        let took = Duration::from_millis(started.elapsed().as_millis() as u64);
        explain!(ctx, "{name}: {asked:?} in {}", format_duration(took));
        answered.push(Answered {
            name: name.clone(),
            asked,
            took,
        });
    }
    Ok(answered)
}

/// The servers given, else those of the resolv.conf given, else the host's.
fn servers(config: &Config, ctx: &Context) -> Result<Vec<SocketAddr>> {
    if !config.servers.is_empty() {
        return Ok(config.servers.clone());
    }
    let (text, shown) = match &config.resolv_conf {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), &e))?,
            path.display().to_string(),
        ),
        None => (
            hostfile::required(ctx, "/etc/resolv.conf")?,
            "/etc/resolv.conf".to_string(),
        ),
    };
    let servers = resolv::nameservers(&text);
    if servers.is_empty() {
        return Err(Error::unobserved(format!(
            "no usable nameserver in {shown}"
        )));
    }
    Ok(servers)
}

/// What the servers said, in the end.
#[derive(Debug)]
pub enum Asked {
    /// A final answer (NOERROR or NXDOMAIN) from this server.
    Answer(SocketAddr, Response),
    /// Every server failed; the last failure, from this server.
    Failed(SocketAddr, Failure),
}

#[derive(Debug)]
pub enum Failure {
    /// No answer in the server's share of the time.
    Silent,
    /// SERVFAIL, REFUSED and other errors.
    Rcode(u8),
    /// An answer that could not be parsed (a [`npd_plugin::Kind::Problem`]).
    Garbled(Error),
    /// The answer had its truncated bit set and no address (TCP is not tried).
    Truncated,
    /// The network refused the packet (ICMP port unreachable: nothing listens).
    Unreachable(String),
}

fn ask(
    servers: &[SocketAddr],
    name: &str,
    rtype: RecordType,
    deadline: Instant,
) -> io::Result<Asked> {
    let mut last = None;
    for (i, server) in servers.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        let share = left / (servers.len() - i) as u32;
        if share.is_zero() {
            break;
        }
        match ask_one(*server, name, rtype, Instant::now() + share)? {
            Ok(resp) => return Ok(Asked::Answer(*server, resp)),
            Err(f) => last = Some((*server, f)),
        }
    }
    let (server, failure) = last.unwrap_or((servers[0], Failure::Silent));
    Ok(Asked::Failed(server, failure))
}

/// Errors are local (no socket): the caller answers Unknown for them.
fn ask_one(
    server: SocketAddr,
    name: &str,
    rtype: RecordType,
    until: Instant,
) -> io::Result<Result<Response, Failure>> {
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().unwrap()
    } else {
        "[::]:0".parse().unwrap()
    };
    let sock = UdpSocket::bind(bind)?;
    sock.connect(server)?;
    let id = query_id();
    let query = wire::query(id, name, rtype).map_err(io::Error::other)?;
    sock.send(&query)?;
    let mut buf = [0u8; 4096];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Err(Failure::Silent));
        }
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        let n = match sock.recv(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Err(Failure::Silent))
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                return Ok(Err(Failure::Unreachable("port unreachable".into())))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Ok(Err(Failure::Unreachable(e.to_string()))),
        };
        let resp = match wire::parse(&buf[..n], rtype) {
            Ok(r) => r,
            Err(e) => return Ok(Err(Failure::Garbled(e))),
        };
        if resp.id != id {
            // A late answer to someone else's question on a reused port.
            continue;
        }
        return Ok(match resp.rcode {
            0 if resp.truncated && resp.addresses.is_empty() => Err(Failure::Truncated),
            0 | 3 => Ok(resp),
            rcode => Err(Failure::Rcode(rcode)),
        });
    }
}

/// An id hard to guess from outside: clock nanoseconds mixed with the pid.
fn query_id() -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mixed = nanos.wrapping_mul(0x9e37_79b9) ^ std::process::id().rotate_left(16);
    (mixed >> 16) as u16 ^ mixed as u16
}
