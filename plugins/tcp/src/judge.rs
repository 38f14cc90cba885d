//! The verdict on the probes: every endpoint must have passed, within --max-latency
//! when given. Every failed endpoint is named, the first one first; the OK line names
//! no number, so that it never changes.

use npd_plugin::units::format_duration;
use npd_plugin::{Kind, Outcome, Result};

use crate::config::Config;
use crate::measure::{ms, Probed};

pub fn judge(config: &Config, probed: Vec<Probed>) -> Result<Outcome> {
    let mut problems = Vec::new();
    for p in probed {
        match p.took {
            Ok(took) => {
                if let Some(max) = config.max_latency.filter(|m| took > *m) {
                    problems.push(format!(
                        "{} took {} > {}",
                        p.label,
                        ms(took),
                        format_duration(max)
                    ));
                }
            }
            Err(e) if e.kind() == Kind::Problem => problems.push(e.message().to_string()),
            Err(e) => return Err(e),
        }
    }
    let ok = match config.targets.len() {
        1 => format!("{} accepts connections", config.targets[0].0),
        n => format!("all {n} endpoints accept connections"),
    };
    Ok(Outcome::from_problems(problems, ok))
}

#[cfg(test)]
mod tests {
    use super::*;
    use npd_plugin::Error;
    use std::time::Duration;

    fn config(targets: &[&str], max_latency: Option<Duration>) -> Config {
        Config {
            targets: targets
                .iter()
                .map(|t| (t.to_string(), "127.0.0.1".to_string(), 1))
                .collect(),
            send: None,
            expect: None,
            max_latency,
        }
    }

    fn probed(label: &str, took: Result<Duration>) -> Probed {
        Probed {
            label: label.to_string(),
            took,
        }
    }

    #[test]
    fn problems_are_named_in_order_and_slowness_counts() {
        let c = config(&["a:1", "b:2"], Some(Duration::from_millis(100)));
        let o = judge(
            &c,
            vec![
                probed("a:1", Err(Error::problem("a:1 connection refused"))),
                probed("b:2", Ok(Duration::from_millis(250))),
            ],
        )
        .unwrap();
        assert_eq!(o, Outcome::problem("a:1 connection refused (+1 more)"));
        let o = judge(
            &c,
            vec![
                probed("a:1", Ok(Duration::ZERO)),
                probed("b:2", Ok(Duration::ZERO)),
            ],
        );
        assert_eq!(
            o.unwrap(),
            Outcome::ok("all 2 endpoints accept connections")
        );
    }

    #[test]
    fn what_was_not_observed_is_not_a_problem() {
        let c = config(&["a:1"], None);
        let e = judge(&c, vec![probed("a:1", Err(Error::unobserved("x")))]).unwrap_err();
        assert_eq!(e.kind(), Kind::Unobserved);
    }
}
