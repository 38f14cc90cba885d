//! The flags of `npd-http`, validated into a [`Config`] before anything is sent: a
//! misconfigured rule answers "bad flags" (Unknown), never a problem.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use http_probe::Url;
use npd_plugin::units::parse_duration;
use npd_plugin::{Configure, Error, Result};
use regex_lite::{Regex, RegexBuilder};

/// The flags of `npd-http`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The URL to GET: http:// or https://, host (an address or a name), port, path.
    #[arg(long, value_name = "URL", required = true)]
    pub url: String,

    /// Statuses that count as healthy instead of 200..399: codes and ranges, comma
    /// separated (200 or 200,204 or 200-299).
    #[arg(long, value_name = "CODES")]
    pub expect_status: Option<String>,

    /// A regular expression the body (its first 10 KiB) must contain.
    #[arg(long, value_name = "REGEX")]
    pub body_regex: Option<String>,

    /// An answer slower than this (connect to last byte, redirects included) is a
    /// problem.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_latency: Option<Duration>,

    /// A header to send, "Name: value". Repeatable; replaces a default of the same
    /// name (Host, User-Agent, Accept).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// A file holding a bearer token, read on every run and sent as Authorization.
    #[arg(long, value_name = "PATH")]
    pub bearer_token_file: Option<PathBuf>,

    /// Trust only the CA certificates in this PEM file (instead of the host's bundle).
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,

    /// Do not verify the server's certificate (the connection is still encrypted).
    #[arg(long, conflicts_with = "ca_file")]
    pub insecure: bool,

    /// A PEM client certificate (chain) to present, for mTLS; needs --client-key.
    #[arg(long, value_name = "PATH", requires = "client_key")]
    pub client_cert: Option<PathBuf>,

    /// The PEM private key of --client-cert.
    #[arg(long, value_name = "PATH", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
}

/// The flags, validated.
#[derive(Debug)]
pub struct Config {
    pub url: Url,
    pub expect: Vec<RangeInclusive<u16>>,
    pub body_regex: Option<Regex>,
    pub max_latency: Option<Duration>,
    pub headers: Vec<(String, String)>,
    pub bearer_token_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub insecure: bool,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

impl Config {
    /// "200-399", "200,204": the healthy statuses, for messages.
    pub fn expect_text(&self) -> String {
        self.expect
            .iter()
            .map(|r| {
                if r.start() == r.end() {
                    r.start().to_string()
                } else {
                    format!("{}-{}", r.start(), r.end())
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn status_ok(&self, status: u16) -> bool {
        self.expect.iter().any(|r| r.contains(&status))
    }
}

impl Configure for Config {
    type Args = Args;

    fn configure(args: Args) -> Result<Config> {
        let url = Url::parse(&args.url).map_err(|e| Error::config(format!("--url: {e}")))?;
        let expect = match &args.expect_status {
            None => vec![200..=399],
            Some(text) => parse_statuses(text)?,
        };
        let body_regex = match &args.body_regex {
            None => None,
            Some(p) => Some(
                RegexBuilder::new(p)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        Error::config(format!(
                            "--body-regex {p:?}: {}",
                            first_line(&e.to_string())
                        ))
                    })?,
            ),
        };
        let mut headers = Vec::new();
        for h in &args.headers {
            headers.push(
                http_probe::parse_header(h).map_err(|e| Error::config(format!("--header: {e}")))?,
            );
        }
        if args.bearer_token_file.is_some()
            && headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            return Err(Error::config(
                "--bearer-token-file and an Authorization --header exclude each other",
            ));
        }
        if args.max_latency.is_some_and(|d| d.is_zero()) {
            return Err(Error::config("--max-latency must be above 0"));
        }
        Ok(Config {
            url,
            expect,
            body_regex,
            max_latency: args.max_latency,
            headers,
            bearer_token_file: args.bearer_token_file,
            ca_file: args.ca_file,
            insecure: args.insecure,
            client_cert: args.client_cert,
            client_key: args.client_key,
        })
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or(text)
}

/// `200`, `200,204`, `200-299`: codes from 100 to 599, as `--expect-status` gives them.
pub fn parse_statuses(text: &str) -> Result<Vec<RangeInclusive<u16>>> {
    let bad = |why: String| Error::config(format!("--expect-status: {why}"));
    let code = |s: &str| -> Result<u16> {
        match s.trim().parse::<u16>() {
            Ok(c) if (100..=599).contains(&c) => Ok(c),
            _ => Err(bad(format!("{s:?} is not a status code (100..599)"))),
        }
    };
    let mut out = Vec::new();
    for part in text.split(',') {
        let range = match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (code(a)?, code(b)?);
                if a > b {
                    return Err(bad(format!("empty range {part:?}")));
                }
                a..=b
            }
            None => {
                let c = code(part)?;
                c..=c
            }
        };
        out.push(range);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lists() {
        assert_eq!(parse_statuses("200"), Ok(vec![200..=200]));
        assert_eq!(parse_statuses("200, 204"), Ok(vec![200..=200, 204..=204]));
        assert_eq!(parse_statuses("200-299"), Ok(vec![200..=299]));
        for bad in ["", "2xx", "99", "600", "300-200", "200,", "-"] {
            assert!(parse_statuses(bad).is_err(), "{bad:?}");
        }
    }
}
