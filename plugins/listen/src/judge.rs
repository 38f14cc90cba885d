//! Names what is missing: every requirement without a socket, grouped by protocol, in
//! the order given. The OK message names no port, so that it never changes.

use npd_plugin::Outcome;

use crate::config::{Config, Proto, Requirement};
use crate::measure::Found;

pub fn judge(config: &Config, found: &Found) -> Outcome {
    let reqs = &config.requirements;
    let mut parts = Vec::new();
    for proto in [Proto::Tcp, Proto::Udp] {
        let missing: Vec<&Requirement> = reqs
            .iter()
            .zip(found)
            .filter(|(r, f)| r.proto == proto && f.is_none())
            .map(|(r, _)| r)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let what = match proto {
            Proto::Tcp => "no TCP listener on",
            Proto::Udp => "no UDP socket on",
        };
        parts.push(format!("{what} {}", list(&missing)));
    }
    if parts.is_empty() {
        return Outcome::ok(ok_message(reqs));
    }
    Outcome::problem(parts.join("; "))
}

/// "port 5000", "ports 5000, 35357", "127.0.0.1:10248, port 5000".
fn list(missing: &[&Requirement]) -> String {
    let ports_only = missing.iter().all(|r| r.addr.is_none());
    if ports_only && missing.len() > 1 {
        let ports: Vec<String> = missing.iter().map(|r| r.port.to_string()).collect();
        return format!("ports {}", ports.join(", "));
    }
    let each: Vec<String> = missing.iter().map(|r| r.to_string()).collect();
    each.join(", ")
}

fn ok_message(reqs: &[Requirement]) -> &'static str {
    let tcp = reqs.iter().any(|r| r.proto == Proto::Tcp);
    let udp = reqs.iter().any(|r| r.proto == Proto::Udp);
    match (tcp, udp) {
        (true, true) => "required TCP ports listening, UDP ports bound",
        (true, false) => "required TCP ports listening",
        _ => "required UDP ports bound",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use crate::measure::Hit;

    fn reqs(tcp: &[&str], udp: &[&str]) -> Config {
        let requirements = tcp
            .iter()
            .map(|t| parse(Proto::Tcp, t).unwrap())
            .chain(udp.iter().map(|u| parse(Proto::Udp, u).unwrap()))
            .collect();
        Config { requirements }
    }

    fn hit() -> Option<Hit> {
        Some(Hit {
            source: "/proc/1/net/tcp",
            addr: "0.0.0.0".parse().unwrap(),
        })
    }

    #[test]
    fn missing_ports_are_named_by_protocol() {
        let r = reqs(&["5000", "35357", "8774"], &["67"]);
        assert_eq!(
            judge(&r, &vec![None, hit(), None, None]),
            Outcome::problem("no TCP listener on ports 5000, 8774; no UDP socket on port 67")
        );
        let r = reqs(&["127.0.0.1:10248", "5000"], &[]);
        assert_eq!(
            judge(&r, &vec![None, None]),
            Outcome::problem("no TCP listener on 127.0.0.1:10248, port 5000")
        );
    }

    #[test]
    fn ok_names_no_port() {
        let r = reqs(&["5000"], &["67"]);
        assert_eq!(
            judge(&r, &vec![hit(), hit()]),
            Outcome::ok("required TCP ports listening, UDP ports bound")
        );
        assert_eq!(
            judge(&reqs(&[], &["67"]), &vec![hit()]).message,
            "required UDP ports bound"
        );
    }
}
