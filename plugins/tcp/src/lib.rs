//! `npd-tcp`: every `--connect HOST:PORT` must accept a TCP connection (a Kubernetes
//! TCP probe), optionally answer `--send` with something containing `--expect`, and
//! do it within `--max-latency`.
//!
//! A refusal, a timeout, a wrong or missing banner is a problem; a flag that cannot be
//! used or a host name that does not resolve is Unknown. It does not speak any
//! protocol beyond one write and reads until the expected text.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use http_probe::net::{self, DeadlineStream};
use http_probe::url::split_host_port;
use http_probe::{Failure, FailureKind};
use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{explain, Context, Error, Outcome, Plugin, Result};

/// The flags of `npd-tcp`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// An endpoint that must accept connections: HOST:PORT or [IPv6]:PORT.
    /// Repeatable; all must pass.
    #[arg(long = "connect", value_name = "HOST:PORT", required = true)]
    pub connect: Vec<String>,

    /// Text to send once connected; \r, \n, \t, \\ and \xNN are understood.
    #[arg(long, value_name = "TEXT")]
    pub send: Option<String>,

    /// Text the endpoint must send (after --send, if given) within the deadline;
    /// the same escapes as --send.
    #[arg(long, value_name = "TEXT")]
    pub expect: Option<String>,

    /// A connect (and exchange) slower than this is a problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_latency: Option<Duration>,
}

/// The flags, validated.
#[derive(Debug)]
pub struct Config {
    /// As given (for messages), host, port.
    pub targets: Vec<(String, String, u16)>,
    pub send: Option<Vec<u8>>,
    pub expect: Option<Vec<u8>>,
    pub max_latency: Option<Duration>,
}

pub struct Tcp;

impl Plugin for Tcp {
    const NAME: &'static str = "npd-tcp";
    const ABOUT: &'static str = "Checks that TCP endpoints accept connections (a Kubernetes \
                                 TCP probe), optionally with a banner exchange.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "EtcdPortClosed",
 "reason": "EtcdPortClosed", "path": "/opt/npd-checks/bin/npd-tcp",
 "args": ["--connect", "127.0.0.1:2379", "--timeout", "3s", "--fail-after", "2"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
Judgement:
  Healthy: every --connect accepted a connection (and, with --expect, sent that
  text), within --max-latency when given.
  A problem: a refused connection, no connection or no expected text by --timeout,
  the peer closing before sending it, a slow answer. Endpoints are tried in order
  and all are judged; the message names the first that failed.
  Unknown: bad flags, a host name that does not resolve.
Example with a banner: --connect 127.0.0.1:6379 --send 'PING\\r\\n' --expect +PONG";
    type Args = Args;
    type Config = Config;

    fn configure(args: Args) -> Result<Config> {
        let mut targets = Vec::new();
        for text in &args.connect {
            if !text.contains(':') {
                return Err(Error::new(format!("--connect {text:?}: give HOST:PORT")));
            }
            let (host, port) = split_host_port(text, 0)
                .map_err(|e| Error::new(format!("--connect {text:?}: {e}")))?;
            targets.push((text.clone(), host, port));
        }
        let send = match &args.send {
            Some(t) => Some(unescape(t).map_err(|e| Error::new(format!("--send: {e}")))?),
            None => None,
        };
        let expect = match &args.expect {
            Some(t) if t.is_empty() => return Err(Error::new("--expect is empty")),
            Some(t) => Some(unescape(t).map_err(|e| Error::new(format!("--expect: {e}")))?),
            None => None,
        };
        if args.max_latency.is_some_and(|d| d.is_zero()) {
            return Err(Error::new("--max-latency must be above 0"));
        }
        Ok(Config {
            targets,
            send,
            expect,
            max_latency: args.max_latency,
        })
    }

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let mut problems = Vec::new();
        for (label, host, port) in &config.targets {
            ctx.waiting_for(format!("connecting to {label}"));
            let started = Instant::now();
            match probe(config, host, *port, ctx.deadline()) {
                Ok(()) => {
                    let took = started.elapsed();
                    explain!(ctx, "{label}: passed in {}", ms(took));
                    if let Some(max) = config.max_latency.filter(|m| took > *m) {
                        problems.push(format!(
                            "{label} took {} > {}",
                            ms(took),
                            format_duration(max)
                        ));
                    }
                }
                Err(f) if f.kind.is_endpoint_failure() => {
                    explain!(ctx, "{label}: {:?}: {}", f.kind, f.message);
                    problems.push(match f.kind {
                        FailureKind::Timeout => {
                            format!(
                                "{label} no answer in {} ({})",
                                ctx.timeout_text(),
                                f.message
                            )
                        }
                        _ => format!("{label} {}", f.message),
                    });
                }
                Err(f) => return Err(Error::new(f.message)),
            }
        }
        let ok = match config.targets.len() {
            1 => format!("{} accepts connections", config.targets[0].0),
            n => format!("all {n} endpoints accept connections"),
        };
        Ok(Outcome::from_problems(problems, ok))
    }
}

fn ms(d: Duration) -> String {
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

/// `\r`, `\n`, `\t`, `\\`, `\xNN`.
pub fn unescape(text: &str) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                let hex = std::str::from_utf8(&hex).unwrap_or("");
                let v = u8::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 2)
                    .ok_or_else(|| format!("bad \\x escape in {text:?}"))?;
                out.push(v);
            }
            _ => {
                return Err(format!(
                    "unknown escape in {text:?} (\\r \\n \\t \\\\ \\xNN)"
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unescape("PING\\r\\n").unwrap(), b"PING\r\n");
        assert_eq!(unescape("\\x00a\\\\").unwrap(), b"\0a\\");
        assert!(unescape("\\q").is_err());
        assert!(unescape("\\x4").is_err());
        assert!(unescape("\\").is_err());
    }

    #[test]
    fn help_has_the_example_rule() {
        let help = npd_plugin::command::<Tcp>().render_long_help().to_string();
        assert!(help.contains("/opt/npd-checks/bin/npd-tcp"));
        assert!(!help.contains('%'));
    }
}
