//! The plugin's exit mapped to NPD's verdict, and its line shaped for NPD. Only
//! CRITICAL (and WARNING when asked) is a problem; a plugin that could not judge, was
//! killed or did not finish is Unobserved: the node was not judged.

use npd_plugin::{Error, Outcome, Result};

use crate::config::Config;
use crate::measure::{Exit, Ran};

/// The first line without performance data.
pub fn summary(first_line: &str) -> &str {
    first_line.split('|').next().unwrap_or("").trim()
}

pub fn judge(config: &Config, ran: &Ran, timeout: &str) -> Result<Outcome> {
    let name = &config.name;
    let text = summary(&ran.first_line);
    let said = |state: &str, code: i32| {
        if text.is_empty() {
            format!("{name} {state} (exit {code}) without output")
        } else {
            text.to_string()
        }
    };
    match ran.exit {
        Exit::Code(0) => Ok(ok(config, text)),
        Exit::Code(1) if config.warning_is_problem => Ok(Outcome::problem(said("WARNING", 1))),
        Exit::Code(1) => Ok(ok(config, text)),
        Exit::Code(2) => Ok(Outcome::problem(said("CRITICAL", 2))),
        Exit::Code(3) => Err(Error::unobserved(said("UNKNOWN", 3))),
        Exit::Code(c) => Err(Error::unobserved(format!(
            "{name} exited {c}: {}",
            said("?", c)
        ))),
        Exit::Signal(s) => Err(Error::unobserved(format!("{name} killed by signal {s}"))),
        Exit::TimedOut => Err(Error::unobserved(format!(
            "{name} did not finish in {timeout}"
        ))),
    }
}

fn ok(config: &Config, text: &str) -> Outcome {
    if config.keep_ok_output && !text.is_empty() {
        Outcome::ok(text)
    } else {
        Outcome::ok(format!("{} OK", config.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfdata_is_dropped() {
        assert_eq!(
            summary("DISK OK - free space: / 3326 MB | /=2643MB;;;0;5000"),
            "DISK OK - free space: / 3326 MB"
        );
        assert_eq!(summary("  |x"), "");
    }

    #[test]
    fn only_critical_is_a_problem_and_the_rest_is_unobserved() {
        let config = Config {
            program: "/bin/check_x".into(),
            args: vec![],
            name: "check_x".into(),
            warning_is_problem: false,
            keep_ok_output: false,
        };
        let ran = |exit| Ran {
            exit,
            first_line: String::new(),
            output_len: 0,
            killed: 0,
        };
        let critical = judge(&config, &ran(Exit::Code(2)), "4s").unwrap();
        assert_eq!(
            critical,
            Outcome::problem("check_x CRITICAL (exit 2) without output")
        );
        for exit in [
            Exit::Code(3),
            Exit::Code(7),
            Exit::Signal(9),
            Exit::TimedOut,
        ] {
            let e = judge(&config, &ran(exit), "4s").unwrap_err();
            assert_eq!(e.kind(), npd_plugin::Kind::Unobserved, "{exit:?}");
        }
    }
}
