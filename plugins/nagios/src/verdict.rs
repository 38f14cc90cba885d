//! The plugin's exit mapped to NPD's verdict, and its line shaped for NPD.

use npd_plugin::{Error, Outcome, Result};

use crate::child::{Exit, Ran};
use crate::Config;

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
        Exit::Code(3) => Err(Error::new(said("UNKNOWN", 3))),
        Exit::Code(c) => Err(Error::new(format!("{name} exited {c}: {}", said("?", c)))),
        Exit::Signal(s) => Err(Error::new(format!("{name} killed by signal {s}"))),
        Exit::TimedOut => Err(Error::new(format!("{name} did not finish in {timeout}"))),
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
}
