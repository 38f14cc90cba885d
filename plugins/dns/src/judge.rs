//! The verdict on the answers: every name must resolve to at least one address of the
//! type asked (and to every expected one), within --max-latency when given. What the
//! servers did wrong (NXDOMAIN, SERVFAIL, REFUSED, garbage, silence) is a problem:
//! DNS is the subject here. The OK line names no number, so that it never changes.

use npd_plugin::units::format_duration;
use npd_plugin::Outcome;

use crate::config::Config;
use crate::measure::{Answered, Asked, Failure};
use crate::wire;

/// `timeout` is the run's --timeout as messages show it, for a server that was silent.
pub fn judge(config: &Config, answered: &[Answered], timeout: &str) -> Outcome {
    let problems = answered
        .iter()
        .filter_map(|a| name_problem(config, a, timeout))
        .collect();
    let ok = match config.names.len() {
        1 => format!("{} resolves", config.names[0]),
        n => format!("all {n} names resolve"),
    };
    Outcome::from_problems(problems, ok)
}

fn name_problem(config: &Config, answered: &Answered, timeout: &str) -> Option<String> {
    let Answered { name, asked, took } = answered;
    let kind = config.rtype.as_str();
    match asked {
        Asked::Answer(server, resp) => {
            if resp.rcode == 3 {
                return Some(format!("{name} NXDOMAIN from {server}"));
            }
            if resp.addresses.is_empty() {
                return Some(format!("{name} has no {kind} record ({server})"));
            }
            if let Some(ip) = config.expect.iter().find(|ip| !resp.addresses.contains(ip)) {
                let got = resp
                    .addresses
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                return Some(format!("{name} resolves to {got}, not {ip}"));
            }
            match config.max_latency {
                Some(max) if *took > max => Some(format!(
                    "{name} resolved in {} > {}",
                    format_duration(*took),
                    format_duration(max)
                )),
                _ => None,
            }
        }
        Asked::Failed(server, failure) => Some(match failure {
            Failure::Silent => format!("{name} no answer from {server} in {timeout}"),
            Failure::Rcode(r) => format!("{name} {} from {server}", wire::rcode_name(*r)),
            Failure::Garbled(e) => format!("{name} {e} from {server}"),
            Failure::Truncated => format!("{name} truncated answer from {server}"),
            Failure::Unreachable(e) => format!("{name} {server} {e}"),
        }),
    }
}
