//! Counts against limits: the verdict and its one line, and the --explain account.
//!
//! Problems are ordered by how much they matter to a node: a process that is missing
//! first (the service is down), then a restart loop (it is going down again and
//! again), a process stuck in D state, too many copies, then zombies.

use npd_plugin::{explain, Context, Outcome};

use crate::dstate::{self, Stuck};
use crate::report::{PidList, Report, Tally};
use crate::restarts::{self, Starts};
use crate::select::{Config, Selector, What};
use crate::DScope;

/// What the checks that compare runs found: `None` when not asked for, or when
/// they could not judge (the caller then holds the reason).
#[derive(Debug, Default)]
pub struct Tracked {
    pub restarts: Option<Vec<Starts>>,
    pub stuck: Option<Stuck>,
}

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
        problems.extend(restarts::problems(counts, rule));
    }
    if let (Some(rule), Some(stuck)) = (&config.d_state, &tracked.stuck) {
        problems.extend(dstate::problem(stuck, rule));
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

/// The measurements and the rule applied, on stderr for --explain.
pub fn explain_report(ctx: &Context, config: &Config, report: &Report) {
    if !ctx.explaining() {
        return;
    }
    explain!(
        ctx,
        "scanned {}: {} processes in {:.1}ms; read {} stat, {} comm, {} statm, {} cmdline \
         files; skipped {} kernel threads, {} garbage stat lines",
        ctx.host_path("/proc").display(),
        report.processes,
        report.took.as_secs_f64() * 1000.0,
        report.stats_read,
        report.comms_read,
        report.statms_read,
        report.cmdlines_read,
        report.kernel_threads,
        report.garbage,
    );
    for (sel, tally) in config.selectors.iter().zip(&report.tallies) {
        explain_selector(ctx, sel, tally);
    }
    if let Some(max) = config.max_zombies {
        let z = &report.zombies;
        let verdict = if z.count > max { "problem" } else { "ok" };
        explain!(
            ctx,
            "zombies: {}{}; rule: more than {max} is a problem: {verdict}",
            z.count,
            pids_text(&z.pids, z.count)
        );
        if let Some(p) = &z.top_parent {
            explain!(
                ctx,
                "zombies: parent {} {} holds {}",
                p.comm.as_deref().unwrap_or("(gone)"),
                p.pid,
                p.zombies
            );
        }
    }
}

fn explain_selector(ctx: &Context, sel: &Selector, tally: &Tally) {
    let kind = match sel.what {
        What::Name(_) => "name",
        What::Cmdline(_) => "cmdline",
    };
    let bad = tally.count < sel.min || sel.max.is_some_and(|m| tally.count > m);
    explain!(
        ctx,
        "{kind} {}: {} running{}; rule: {}: {}",
        sel.label,
        tally.count,
        pids_text(&tally.pids, tally.count),
        sel.rule_text(),
        if bad { "problem" } else { "ok" }
    );
    if tally.argv0_mismatches > 0 {
        explain!(
            ctx,
            "name {}: {} more with the same 15-byte kernel name but another argv[0], \
             not counted",
            sel.label,
            tally.argv0_mismatches
        );
    }
}

/// " (pids 1, 2, 3, ...)" for a count.
fn pids_text(pids: &PidList, count: u32) -> String {
    if count == 0 {
        return String::new();
    }
    let list: Vec<String> = pids.as_slice().iter().map(u32::to_string).collect();
    let more = if count as usize > list.len() {
        ", ..."
    } else {
        ""
    };
    format!(" (pids {}{more})", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Parent, Zombies};
    use crate::select::configure;
    use crate::Args;
    use npd_plugin::Status;

    fn config(names: &[&str], min: u32, max: Option<u32>, zombies: Option<u32>) -> Config {
        configure(Args {
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
        c.restarts = Some(crate::select::RestartRule {
            max: 3,
            within: Duration::from_secs(1800),
        });
        c.d_state = Some(crate::select::DStateRule {
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
    fn pid_lists_say_when_there_are_more() {
        let mut l = PidList::default();
        assert_eq!(pids_text(&l, 0), "");
        for pid in 1..=10 {
            l.push(pid);
        }
        assert_eq!(pids_text(&l, 10), " (pids 1, 2, 3, 4, 5, 6, 7, 8, ...)");
    }
}
