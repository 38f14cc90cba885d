//! Counts against limits: the verdict and its one line (the --explain account is in
//! [`crate::explain`]).
//!
//! Problems are ordered by how much they matter to a node: a process that is missing
//! first (the service is down), then a restart loop (it is going down again and
//! again), a process stuck in D state, too many copies, then zombies.

use npd_plugin::units::format_duration;
use npd_plugin::Outcome;

use crate::config::{Config, DScope, DStateRule, RestartRule};
use crate::measure::dstate::Stuck;
use crate::measure::restarts::Starts;
use crate::measure::Tracked;
use crate::report::Report;
use crate::select::Selector;

/// The verdict on one pass.
pub fn judge(config: &Config, report: &Report, tracked: &Tracked) -> Outcome {
    let mut missing = Vec::new();
    let mut excess = Vec::new();
    for (sel, tally) in config.selectors.iter().zip(&report.tallies) {
        if tally.count < sel.min {
            missing.push(if tally.count == 0 {
                format!("{} not running (0 < min {})", sel.label, sel.min)
            } else {
                format!("{} {} running < min {}", sel.label, tally.count, sel.min)
            });
        }
        if let Some(max) = sel.max.filter(|max| tally.count > *max) {
            excess.push(format!("{} {} running > max {max}", sel.label, tally.count));
        }
    }
    let mut problems = missing;
    if let (Some(rule), Some(counts)) = (&config.restarts, &tracked.restarts) {
        problems.extend(restart_problems(counts, rule));
    }
    if let (Some(rule), Some(stuck)) = (&config.d_state, &tracked.stuck) {
        problems.extend(d_state_problem(stuck, rule));
    }
    problems.append(&mut excess);
    if let Some(max) = config.max_zombies {
        if report.zombies.count > max {
            problems.push(zombie_problem(report, max));
        }
    }
    Outcome::from_problems(problems, ok_message(config))
}

fn zombie_problem(report: &Report, max: u32) -> String {
    let z = &report.zombies;
    let mut text = format!("{} zombie processes > max {max}", z.count);
    if let Some(parent) = &z.top_parent {
        let who = match &parent.comm {
            Some(comm) => format!("{comm} {}", parent.pid),
            None => format!("pid {}", parent.pid),
        };
        text.push_str(&format!(", {} from parent {who}", parent.zombies));
    }
    text
}

/// Stable whatever the counts: "kubelet, containerd running; zombies within limit".
pub fn ok_message(config: &Config) -> String {
    // With --min 0 and no --max, a rule on restarts or D state judges no count.
    let judged = |s: &&Selector| s.min > 0 || s.max.is_some() || !config.needs_every_match();
    let labels = |want_running: bool| -> Vec<&str> {
        config
            .selectors
            .iter()
            .filter(judged)
            .filter(|s| (s.min > 0) == want_running)
            .map(|s| s.label.as_str())
            .collect()
    };
    let all: Vec<&str> = config.selectors.iter().map(|s| s.label.as_str()).collect();
    let mut parts = Vec::new();
    let running = labels(true);
    if !running.is_empty() {
        parts.push(format!("{} running", running.join(", ")));
    }
    let bounded = labels(false);
    if !bounded.is_empty() {
        parts.push(format!("{} count within limit", bounded.join(", ")));
    }
    if config.restarts.is_some() {
        parts.push(format!("{} not restarting in a loop", all.join(", ")));
    }
    match config.d_state.map(|d| d.scope) {
        Some(DScope::All) => parts.push("no process stuck in D state".to_string()),
        Some(DScope::Selected) => parts.push(format!("{} not stuck in D state", all.join(", "))),
        None => {}
    }
    if config.max_zombies.is_some() {
        parts.push("zombies within limit".to_string());
    }
    parts.join("; ")
}

/// "kubelet restarted 5 times in 30m > max 3" for each selector over the limit.
fn restart_problems(counts: &[Starts], rule: &RestartRule) -> Vec<String> {
    counts
        .iter()
        .filter(|c| c.count > rule.max)
        .map(|c| {
            format!(
                "{} restarted {} time{} in {} > max {}",
                c.label,
                c.count,
                if c.count == 1 { "" } else { "s" },
                format_duration(rule.within),
                rule.max
            )
        })
        .collect()
}

/// "rsync 4242 in D state for 12m > 5m", or with several, how many and the worst.
fn d_state_problem(stuck: &Stuck, rule: &DStateRule) -> Option<String> {
    let (comm, pid, ms) = stuck.worst.as_ref()?;
    let held = format_duration(std::time::Duration::from_secs(ms / 1000));
    let limit = format_duration(rule.limit);
    Some(if stuck.count == 1 {
        format!("{comm} {pid} in D state for {held} > {limit}")
    } else {
        format!(
            "{} processes in D state > {limit}, longest {comm} {pid} for {held}",
            stuck.count
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Args, Config};
    use crate::report::{Parent, Tally, Zombies};
    use npd_plugin::Configure;
    use npd_plugin::Status;

    fn config(names: &[&str], min: u32, max: Option<u32>, zombies: Option<u32>) -> Config {
        Config::configure(Args {
            names: names.iter().map(|s| s.to_string()).collect(),
            cmdlines: vec![],
            min,
            max,
            max_zombies: zombies,
            max_d_state_for: None,
            d_state_of: None,
            max_restarts: None,
            within: None,
        })
        .unwrap()
    }

    fn report(counts: &[u32], zombies: u32) -> Report {
        Report {
            tallies: counts
                .iter()
                .map(|c| Tally {
                    count: *c,
                    ..Tally::default()
                })
                .collect(),
            zombies: Zombies {
                count: zombies,
                top_parent: (zombies > 0).then(|| Parent {
                    pid: 4242,
                    comm: Some("containerd-shim".into()),
                    zombies: zombies - 1,
                }),
                ..Zombies::default()
            },
            ..Report::default()
        }
    }

    fn judge_(c: &Config, r: &Report) -> Outcome {
        judge(c, r, &Tracked::default())
    }

    #[test]
    fn restarts_and_d_state_come_after_missing_and_before_excess() {
        use std::time::Duration;
        let mut c = config(&["kubelet", "containerd"], 1, Some(1), None);
        c.restarts = Some(RestartRule {
            max: 3,
            within: Duration::from_secs(1800),
        });
        c.d_state = Some(DStateRule {
            limit: Duration::from_secs(300),
            scope: DScope::All,
        });
        let tracked = Tracked {
            restarts: Some(vec![
                Starts {
                    label: "kubelet".into(),
                    count: 4,
                },
                Starts {
                    label: "containerd".into(),
                    count: 3,
                },
            ]),
            stuck: Some(Stuck {
                count: 1,
                worst: Some(("rsync".into(), 77, 400_000)),
            }),
        };
        let o = judge(&c, &report(&[1, 2], 0), &tracked);
        assert_eq!(
            o.message,
            "kubelet restarted 4 times in 30m > max 3 (+2 more)"
        );
        let o = judge(&c, &report(&[1, 1], 0), &Tracked::default());
        assert_eq!(
            o.message,
            "kubelet, containerd running; kubelet, containerd not restarting in a loop; \
             no process stuck in D state"
        );
        // A rule on restarts alone judges no count.
        c.selectors
            .iter_mut()
            .for_each(|s| (s.min, s.max) = (0, None));
        c.d_state = None;
        let o = judge(&c, &report(&[0, 0], 0), &Tracked::default());
        assert_eq!(o.message, "kubelet, containerd not restarting in a loop");
    }

    #[test]
    fn healthy_is_stable_and_names_what_runs() {
        let c = config(&["kubelet", "containerd"], 1, None, Some(19));
        let o = judge_(&c, &report(&[1, 1], 3));
        assert_eq!(o.status, Status::Ok);
        assert_eq!(
            o.message,
            "kubelet, containerd running; zombies within limit"
        );
        assert_eq!(judge_(&c, &report(&[2, 5], 0)).message, o.message);
    }

    #[test]
    fn missing_comes_before_too_many_and_zombies() {
        let c = config(&["kubelet", "containerd"], 1, Some(1), Some(19));
        let o = judge_(&c, &report(&[3, 0], 25));
        assert_eq!(o.status, Status::Problem);
        assert_eq!(o.message, "containerd not running (0 < min 1) (+2 more)");
        let o = judge_(&c, &report(&[1, 3], 0));
        assert_eq!(o.message, "containerd 3 running > max 1");
    }

    #[test]
    fn too_few_is_not_the_same_as_none() {
        let c = config(&["nginx"], 2, None, None);
        assert_eq!(
            judge_(&c, &report(&[1], 0)).message,
            "nginx 1 running < min 2"
        );
    }

    #[test]
    fn zombies_name_the_parent_that_does_not_reap() {
        let c = config(&[], 1, None, Some(19));
        let o = judge_(&c, &report(&[], 20));
        assert_eq!(
            o.message,
            "20 zombie processes > max 19, 19 from parent containerd-shim 4242"
        );
        assert!(o.message.len() <= 80);
        assert_eq!(judge_(&c, &report(&[], 19)).status, Status::Ok);
    }

    #[test]
    fn a_process_that_must_not_run() {
        let c = config(&["telnetd"], 0, Some(0), None);
        let o = judge_(&c, &report(&[0], 0));
        assert_eq!(o.message, "telnetd count within limit");
        assert_eq!(
            judge_(&c, &report(&[1], 0)).message,
            "telnetd 1 running > max 0"
        );
    }

    #[test]
    fn restart_loops_name_the_count_the_window_and_the_limit() {
        let rule = RestartRule {
            max: 2,
            within: std::time::Duration::from_secs(600),
        };
        let starts = |count| Starts {
            label: "kubelet".into(),
            count,
        };
        assert_eq!(
            restart_problems(&[starts(3)], &rule),
            ["kubelet restarted 3 times in 10m > max 2"]
        );
        assert!(restart_problems(&[starts(2)], &rule).is_empty());
    }

    #[test]
    fn messages_name_the_worst_and_the_limit() {
        let rule = DStateRule {
            limit: std::time::Duration::from_secs(300),
            scope: DScope::All,
        };
        let one = Stuck {
            count: 1,
            worst: Some(("rsync".into(), 4242, 750_500)),
        };
        assert_eq!(
            d_state_problem(&one, &rule).unwrap(),
            "rsync 4242 in D state for 12m30s > 5m"
        );
        let many = Stuck {
            count: 4,
            worst: Some(("jbd2/sda1-8".into(), 311, 3_600_000)),
        };
        let text = d_state_problem(&many, &rule).unwrap();
        assert_eq!(
            text,
            "4 processes in D state > 5m, longest jbd2/sda1-8 311 for 1h"
        );
        assert!(text.len() <= 80);
        assert_eq!(d_state_problem(&Stuck::default(), &rule), None);
    }
}
