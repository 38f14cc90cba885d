//! The --explain account of a scan: every count measured and the rule applied to
//! it, on stderr. No I/O beyond the context's stderr.

use npd_plugin::{explain, Context};

use crate::config::Config;
use crate::report::{PidList, Report, Tally};
use crate::select::{Selector, What};

/// The measurements and the rule applied, on stderr for --explain.
pub fn report(ctx: &Context, config: &Config, report: &Report) {
    if !ctx.explaining() {
        return;
    }
    explain!(
        ctx,
        "scanned {}: {} processes in {:.1}ms; read {} stat, {} comm, {} statm, {} cmdline \
         files; skipped {} kernel threads ({} listed by kthreadd), {} garbage stat lines",
        ctx.host_path("/proc").display(),
        report.processes,
        report.took.as_secs_f64() * 1000.0,
        report.stats_read,
        report.comms_read,
        report.statms_read,
        report.cmdlines_read,
        report.kernel_threads,
        report.kernel_threads_listed,
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
