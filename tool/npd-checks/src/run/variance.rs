//! What NPD may show differently from `run`, which applies a config's results in config
//! order where NPD applies them as they finish (`pkg/custompluginmonitor`).
//!
//! After every result NPD sets `problem_gauge{type, reason}` of every condition of the
//! config to its current reason (`pkg/problemmetrics` zeroes the reason set before), and
//! a series once set stays. So the series of a condition's default reason exists only
//! if some result of the config was applied while the condition still had it: when the
//! condition goes True in NPD's first round, that depends on whether another rule
//! answered first. Rules beyond the first `concurrency` start only after a result was
//! sent, so they never answer first. Two permanent rules on one condition overwrite each
//! other in whatever order they finish.

use crate::config::Config;
use crate::exec::Status;

/// One line per metric or condition of `c` that NPD may show differently; `boot` is
/// the status of each rule's first run.
pub fn notes(c: &Config, boot: &[Option<Status>]) -> Vec<String> {
    let mut out = Vec::new();
    let starters = (c.concurrency.max(0) as usize).min(c.rules.len());
    let first: Vec<usize> = (0..starters).filter(|&i| boot[i].is_some()).collect();
    let mut seen: Vec<&str> = Vec::new();
    for d in &c.conditions {
        if seen.contains(&d.type_.as_str()) {
            continue;
        }
        seen.push(&d.type_);
        let setters: Vec<usize> = c
            .rules
            .iter()
            .filter(|r| !r.is_temporary() && r.condition == d.type_)
            .map(|r| r.index)
            .collect();
        let went_true = |i: &usize| boot[*i] == Some(Status::NonOk);
        if setters.len() >= 2 && setters.iter().any(went_true) {
            let names: Vec<String> = setters.iter().map(|i| format!("rules[{i}]")).collect();
            out.push(format!(
                "{}: condition {} and its problem_gauge lines: {} all set it, and NPD keeps \
                 the result it applies last",
                c.file,
                d.type_,
                names.join(", ")
            ));
            continue;
        }
        let [r] = setters[..] else { continue };
        let rule = &c.rules[r];
        if !c.metrics_reporting || !went_true(&r) || rule.reason == d.reason {
            continue;
        }
        if !(first.contains(&r) && first.len() >= 2) {
            continue;
        }
        let shown = (0..r).any(|j| boot[j].is_some());
        out.push(format!(
            "{}: problem_gauge{{reason=\"{}\",type=\"{}\"}} 0 is there only if another rule \
             of the config answers before rules[{r}] in NPD's first round (above: {})",
            c.file,
            d.reason,
            d.type_,
            if shown { "shown" } else { "not shown" }
        ));
    }
    out
}
