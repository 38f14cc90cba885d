//! The flags of `npd-tcp` and their validation into a [`Config`]: the endpoints, the
//! optional exchange and the latency limit.

use std::time::Duration;

use http_probe::url::split_host_port;
use npd_plugin::units::parse_duration;
use npd_plugin::{Configure, Error, Result};

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

impl Configure for Config {
    type Args = Args;

    /// Splits every endpoint and decodes the exchange's escapes.
    fn configure(args: Args) -> Result<Config> {
        let mut targets = Vec::new();
        for text in &args.connect {
            if !text.contains(':') {
                return Err(Error::config(format!("--connect {text:?}: give HOST:PORT")));
            }
            let (host, port) = split_host_port(text, 0)
                .map_err(|e| Error::config(format!("--connect {text:?}: {e}")))?;
            targets.push((text.clone(), host, port));
        }
        let send = match &args.send {
            Some(t) => Some(unescape(t).map_err(|e| e.context("--send"))?),
            None => None,
        };
        let expect = match &args.expect {
            Some(t) if t.is_empty() => return Err(Error::config("--expect is empty")),
            Some(t) => Some(unescape(t).map_err(|e| e.context("--expect"))?),
            None => None,
        };
        if args.max_latency.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("--max-latency must be above 0"));
        }
        Ok(Config {
            targets,
            send,
            expect,
            max_latency: args.max_latency,
        })
    }
}

/// `\r`, `\n`, `\t`, `\\`, `\xNN`.
pub fn unescape(text: &str) -> Result<Vec<u8>> {
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
                    .ok_or_else(|| Error::config(format!("bad \\x escape in {text:?}")))?;
                out.push(v);
            }
            _ => {
                return Err(Error::config(format!(
                    "unknown escape in {text:?} (\\r \\n \\t \\\\ \\xNN)"
                )))
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
    fn bad_flags_are_config_errors_naming_the_flag() {
        let configure = |args: &[&str]| npd_plugin::configure_from::<crate::Tcp>(args);
        let e = configure(&["--connect", "x:1", "--send", "\\q"]).unwrap_err();
        assert!(e.message().starts_with("--send: unknown escape"), "{e}");
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
        let e = configure(&["--connect", "localhost"]).unwrap_err();
        assert_eq!(e.message(), "--connect \"localhost\": give HOST:PORT");
    }
}
