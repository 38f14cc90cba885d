"""Judges the targets against the figures of one run. A target is "met" or "NOT MET" only
when what it needs was measured in this run by commands that behaved (answered with an
exit code that means they judged, never timed out); otherwise it is "not measured" with
the reason."""

from dataclasses import dataclass

import engine
import node_budget
import report
import suites


@dataclass
class TargetRow:
    label: str
    measured: str
    limit: str
    result: str   # "met", "NOT MET", or "not measured: why"


class _Keep(dict):
    """format_map that leaves unknown {placeholders} as they are."""
    def __missing__(self, key):
        return "{" + key + "}"


def _broken(res, name: str) -> str:
    """Why a command's figures cannot count for a target ('' when they can)."""
    summ = res.summaries[name]
    ok = res.commands[name].ok_exits
    bad = sorted(code for code in summ.exits if code not in ok)
    if bad:
        n = sum(summ.exits[c] for c in bad)
        return f"{name} answered {', '.join(map(str, bad))} in {n} of {summ.runs} runs"
    if summ.timeouts:
        return f"{name} timed out in {summ.timeouts} of {summ.runs} runs"
    return ""


def _skipped(res) -> str:
    return f"suite `{res.suite.name}` skipped" if res.skipped else ""


def _ratio_rows(res) -> list[TargetRow]:
    rows = []
    s = res.suite
    for t in s.targets:
        label = t.label.format_map(_Keep({**s.defaults, **res.values}))
        limit = f"<= {t.limit:g}x"
        missing = [n for n in (t.subject, t.baseline) if n not in res.summaries]
        why = _skipped(res) or "; ".join(f"{n} not run" for n in missing)
        why = why or _broken(res, t.subject) or _broken(res, t.baseline)
        if why:
            rows.append(TargetRow(label, "–", limit, f"not measured: {why}"))
            continue
        sub, base = res.summaries[t.subject], res.summaries[t.baseline]
        # Against the target's own baseline, which need not be the suite's.
        ratio = sub.wall_med_ms / base.wall_med_ms
        paired = engine.paired_ratios(res.measured.samples[t.subject],
                                      res.measured.samples[t.baseline])
        measured = (f"{ratio:.3f}x ({report.ms(sub.wall_med_ms)} / "
                    f"{report.ms(base.wall_med_ms)} ms; round by round p10–p90 "
                    f"{report.ratio(engine.percentile(paired, 10))}–"
                    f"{report.ratio(engine.percentile(paired, 90))})")
        rows.append(TargetRow(label, measured, limit, "met" if ratio <= t.limit else "NOT MET"))
    return rows


def _rss_rows(res, rss_exact: bool) -> list[TargetRow]:
    rows = []
    limit_kib = res.suite.rss_limit_kib
    limit = f"<= {limit_kib:,} KiB"
    for cmd in res.suite.commands:
        if not cmd.plugin:
            continue
        label = f"{cmd.name} peak RSS <= {limit_kib / 1024:g} MiB"
        if res.skipped or cmd.name not in res.summaries:
            why = _skipped(res) or f"{cmd.name} not run"
        elif not rss_exact:
            why = "peak RSS is not measurable without the measuring helper"
        else:
            why = _broken(res, cmd.name)
        summ = res.summaries.get(cmd.name)
        if not why and not summ.rss_runs:
            why = "no run finished"
        if why:
            rows.append(TargetRow(label, "–", limit, f"not measured: {why}"))
            continue
        rows.append(TargetRow(
            label, f"{summ.rss_max_kib:,} KiB, the largest of {summ.rss_runs} runs "
                   f"(median {summ.rss_med_kib:,.0f})", limit,
            "met" if summ.rss_max_kib <= limit_kib else "NOT MET"))
    return rows


def _budget_row(b) -> TargetRow:
    """The node-budget suite's target: the base rules' CPU per simulated minute against
    the same rules running /bin/true."""
    limit = node_budget.TARGET_RATIO
    label = (f"base DaemonSet's rules, plugins' CPU per minute <= {limit:g}x the same "
             "rules running /bin/true")
    why = f"suite `{b.name}` skipped" if b.skipped else ""
    if not why:
        for kind in (node_budget.DEPLOYED, node_budget.TRUE):
            for r in b.rules():
                bad = sorted(c for c in b.exits[(kind, r.label)] if c not in (0, 1, 2))
                if bad or b.timeouts[(kind, r.label)]:
                    why = f"{r.label} ({kind}) timed out or was killed"
                    break
    deployed, true = b.minute_ms(node_budget.DEPLOYED), b.minute_ms(node_budget.TRUE)
    if not why and not (deployed and true):
        why = "no round finished"
    if why:
        return TargetRow(label, "–", f"<= {limit:g}x", f"not measured: {why}")
    ratio = deployed / true
    paired = [d / t for d, t in zip(b.per_minute[node_budget.DEPLOYED],
                                    b.per_minute[node_budget.TRUE]) if t > 0]
    measured = (f"{ratio:.2f}x ({deployed:.1f} / {true:.1f} CPU-ms per minute; round by "
                f"round p10–p90 {report.ratio(engine.percentile(paired, 10))}–"
                f"{report.ratio(engine.percentile(paired, 90))})")
    return TargetRow(label, measured, f"<= {limit:g}x", "met" if ratio <= limit else "NOT MET")


def evaluate(results, binaries, rss_exact: bool, budget=None) -> list[TargetRow]:
    rows = []
    for res in results:
        rows += _ratio_rows(res)
        rows += _rss_rows(res, rss_exact)
    if budget is not None:
        rows.append(_budget_row(budget))
    found = {b["name"] for b in binaries}
    for name in sorted({suites.plugin_binary(c) for r in results
                        for c in r.suite.commands if c.plugin} - found):
        limit = suites.size_limit(name)
        rows.append(TargetRow(f"{name} binary size <= {limit / 1e6:g} MB", "–",
                              f"<= {limit:,} bytes", "not measured: binary not found"))
    for b in binaries:
        if b["name"] in suites.NOT_A_PLUGIN:
            continue
        limit = suites.size_limit(b["name"])
        rows.append(TargetRow(f"{b['name']} binary size <= {limit / 1e6:g} MB",
                              f"{b['bytes']:,} bytes", f"<= {limit:,} bytes",
                              "met" if b["bytes"] <= limit else "NOT MET"))
    return rows
