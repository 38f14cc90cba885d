//! The URLs a probe can GET: `http://` and `https://` with a host, an optional port and
//! a path. Nothing else (no credentials in the URL, no other schemes): a probe's URL
//! is written once into a config, so anything unusual is more likely a typo.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A parsed absolute URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: Scheme,
    /// The host without brackets (`::1`, not `[::1]`), lower case.
    pub host: String,
    pub port: u16,
    /// Path and query, always starting with `/`; the fragment is dropped.
    pub target: String,
}

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        if text.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(format!(
                "URL {text:?} contains spaces or control characters"
            ));
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Scheme::Http, rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Scheme::Https, rest),
            Some((s, _)) => return Err(format!("unsupported URL scheme {s:?} (http or https)")),
            None => return Err(format!("URL {text:?} has no http:// or https://")),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err("credentials in the URL are not supported; use a header".into());
        }
        let (host, port) = split_host_port(authority, scheme.default_port())?;
        let tail = tail.split('#').next().unwrap_or("");
        let target = if tail.starts_with('/') {
            tail.to_string()
        } else {
            format!("/{tail}")
        };
        Ok(Url {
            scheme,
            host,
            port,
            target,
        })
    }

    /// Resolves a `Location` header against this URL, as a browser or Go's client would
    /// for the forms servers send: absolute, scheme-relative, absolute path, relative.
    pub fn join(&self, location: &str) -> Result<Url, String> {
        let location = location.trim();
        if location.contains("://") {
            return Url::parse(location);
        }
        if let Some(rest) = location.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme.as_str()));
        }
        let location = location.split('#').next().unwrap_or("");
        if location.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(format!(
                "redirect to {location:?} with spaces or control characters"
            ));
        }
        let target = if location.starts_with('/') {
            location.to_string()
        } else if location.is_empty() {
            self.target.clone()
        } else if location.starts_with('?') {
            let path = self.target.split('?').next().unwrap_or("/");
            format!("{path}{location}")
        } else {
            let path = self.target.split('?').next().unwrap_or("/");
            let dir = &path[..path.rfind('/').map_or(1, |i| i + 1)];
            format!("{dir}{location}")
        };
        Ok(Url {
            target,
            ..self.clone()
        })
    }

    /// `host:port` as a connection or a message names it (`[::1]:443`).
    pub fn authority(&self) -> String {
        format!("{}:{}", self.bracketed_host(), self.port)
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.bracketed_host()
        } else {
            self.authority()
        }
    }

    fn bracketed_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.host_header(),
            self.target
        )
    }
}

/// Splits `host[:port]` or `[v6][:port]`; the port defaults to `default_port`.
pub fn split_host_port(authority: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("unclosed '[' in {authority:?}"))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{host:?} is not an IPv6 address"));
        }
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(p) => (host, Some(p)),
                None => return Err(format!("unexpected {after:?} after the address")),
            },
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, _)) if h.contains(':') => {
                return Err(format!("write IPv6 addresses in brackets: [{authority}]"))
            }
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(format!("no host in {authority:?}"));
    }
    let port = match port {
        None => default_port,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(format!("invalid port {p:?}")),
        },
    };
    Ok((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_probe_urls() {
        let u = Url::parse("http://127.0.0.1:10248/healthz").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("127.0.0.1", 10248, "/healthz")
        );
        let u = Url::parse("HTTPS://Example.COM?x=1#frag").unwrap();
        assert_eq!(
            (u.scheme, u.host.as_str(), u.port),
            (Scheme::Https, "example.com", 443)
        );
        assert_eq!(u.target, "/?x=1");
        let u = Url::parse("https://[::1]:6443/livez?verbose").unwrap();
        assert_eq!(
            (u.host.as_str(), u.authority()),
            ("::1", "[::1]:6443".to_string())
        );
        assert_eq!(u.to_string(), "https://[::1]:6443/livez?verbose");
        assert_eq!(Url::parse("http://h:80/").unwrap().host_header(), "h");
    }

    #[test]
    fn rejects_what_a_probe_cannot_mean() {
        for bad in [
            "127.0.0.1:10248/healthz",
            "ftp://h/",
            "http://",
            "http://:80/",
            "http://h:0/",
            "http://h:99999/",
            "http://h:x/",
            "http://user:pw@h/",
            "http://::1/",
            "http://[::1/",
            "http://h/a b",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn joins_locations_as_clients_do() {
        let base = Url::parse("http://h:8080/a/b/c?q").unwrap();
        let j = |l: &str| base.join(l).unwrap().to_string();
        assert_eq!(j("/x"), "http://h:8080/x");
        assert_eq!(j("d"), "http://h:8080/a/b/d");
        assert_eq!(j("?r"), "http://h:8080/a/b/c?r");
        assert_eq!(j("//other:9/p"), "http://other:9/p");
        assert_eq!(j("https://h/z#f"), "https://h/z");
    }
}
