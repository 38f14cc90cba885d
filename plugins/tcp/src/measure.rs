//! Every endpoint probed in turn, each within what is left of the deadline: resolve,
//! connect, and the optional exchange, over http-probe's deadline-bounded sockets
//! (no TLS). An endpoint that refuses, does not answer or sends the wrong thing was
//! observed bad ([`npd_plugin::Kind::Problem`]); a name that does not resolve is only
//! the way to it and stops the run as Unobserved.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use http_probe::net::{self, DeadlineStream};
use http_probe::{Failure, FailureKind, Role};
use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Kind, Result};

use crate::config::Config;

/// One endpoint and how it went: the time it took, or the problem it showed.
#[derive(Debug)]
pub struct Probed {
    pub label: String,
    pub took: Result<Duration>,
}

/// Probes every endpoint, in order.
pub fn measure(config: &Config, ctx: &Context) -> Result<Vec<Probed>> {
    let mut probed = Vec::new();
    for (label, host, port) in &config.targets {
        ctx.waiting_for(format!("connecting to {label}"));
        let started = Instant::now();
        let took = match probe(config, host, *port, ctx.deadline()) {
            Ok(()) => {
                let took = started.elapsed();
                explain!(ctx, "{label}: passed in {}", ms(took));
                Ok(took)
            }
            Err(f) if f.kind.verdict(Role::Probed) == Kind::Problem => {
                explain!(ctx, "{label}: {:?}: {}", f.kind, f.message);
                Err(f.error(
                    Role::Probed,
                    match f.kind {
                        FailureKind::Timeout => format!(
                            "{label} no answer in {} ({})",
                            ctx.timeout_text(),
                            f.message
                        ),
                        _ => format!("{label} {}", f.message),
                    },
                ))
            }
            Err(f) => return Err(f.error(Role::Probed, f.message.clone())),
        };
        probed.push(Probed {
            label: label.clone(),
            took,
        });
    }
    Ok(probed)
}

/// A duration as messages show it, to the millisecond.
pub fn ms(d: Duration) -> String {
    format_duration(Duration::from_millis(d.as_millis() as u64))
}

fn probe(
    config: &Config,
    host: &str,
    port: u16,
    deadline: Instant,
) -> std::result::Result<(), Failure> {
    let addrs = net::resolve(host, port, deadline)?;
    let mut sock = net::connect(&addrs, deadline)?;
    if let Some(data) = &config.send {
        sock.write_all(data)
            .map_err(|e| io_failure(&e, "sending"))?;
    }
    if let Some(want) = &config.expect {
        expect(&mut sock, want)?;
    }
    Ok(())
}

/// Reads until `want` appears (within the first 64 KiB), the peer closes, or the
/// deadline passes.
fn expect(sock: &mut DeadlineStream, want: &[u8]) -> std::result::Result<(), Failure> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let shown = String::from_utf8_lossy(want).into_owned();
    loop {
        if seen.windows(want.len()).any(|w| w == want) {
            return Ok(());
        }
        if seen.len() > 64 << 10 {
            return Err(Failure::new(
                FailureKind::Protocol,
                format!("sent no {shown:?} in 64 KiB"),
            ));
        }
        match sock.read(&mut buf) {
            Ok(0) => {
                return Err(Failure::new(
                    FailureKind::Protocol,
                    format!("closed without sending {shown:?}"),
                ))
            }
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_failure(&e, &format!("waiting for {shown:?}"))),
        }
    }
}

fn io_failure(e: &std::io::Error, phase: &str) -> Failure {
    if net::is_timeout(e) {
        Failure::new(FailureKind::Timeout, phase.to_string())
    } else {
        Failure::new(FailureKind::Connect, format!("{phase}: {}", net::short(e)))
    }
}
